"""Reference combos list reference data in the UI language and keep the chosen code."""
import csv
from pathlib import Path

import pytest

from desktop_app.i18n import set_language
from desktop_app.ui.widgets import CodeCombo, RefCombo

GEOGRAPHY = Path(__file__).resolve().parents[3] / "db" / "reference" / "geography.csv"


def labels(kind: str, language: str, parent: str | None = None) -> list[str]:
    with open(GEOGRAPHY, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == kind
                and (parent is None or r["parent_code"] == parent)]
    rows.sort(key=lambda r: int(r["sort_order"]))
    return [r[f"label_{language}"] for r in rows]


def texts(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_reference_labels_in_the_ui_language(qtbot, session, language):
    set_language(language)
    combo = RefCombo(session.conn, "country", blank=None)
    qtbot.addWidget(combo)
    assert texts(combo) == labels("country", language)
    assert combo.code() == "TJ"          # no blank entry: the first item is chosen


def test_relabelled_after_a_language_change_keeping_the_code(qtbot, session):
    combo = RefCombo(session.conn, "country", lambda: "— any —")
    qtbot.addWidget(combo)
    assert combo.code() is None and combo.itemText(0) == "— any —"
    combo.set_code("UZ")
    set_language("tg")
    combo.retranslate()
    assert texts(combo)[1:] == labels("country", "tg")
    assert combo.code() == "UZ" and combo.currentText() == "Ӯзбекистон"


def test_children_of_the_chosen_parent_only(qtbot, session):
    region = RefCombo(session.conn, "region", all_if_no_parent=False)
    qtbot.addWidget(region)
    assert texts(region) == [""]
    region.load("UZ")
    assert texts(region)[1:] == labels("region", "en", parent="UZ")
    seen = []
    region.code_changed.connect(seen.append)
    region.set_code("UZ-SA")
    region.load("TJ")                   # the chosen region is not offered any more
    assert region.code() is None and seen == ["UZ-SA", None]


def test_a_code_this_installation_does_not_know_is_shown_as_is(qtbot, session):
    combo = RefCombo(session.conn, "country")
    qtbot.addWidget(combo)
    combo.set_code("XX")
    assert combo.code() == "XX" and combo.currentText() == "XX"


def test_code_combo_relabels_its_choices(qtbot):
    words = {"a": "apple"}
    combo = CodeCombo(lambda: "none")
    qtbot.addWidget(combo)
    combo.set_choices([("a", lambda: words["a"])])
    combo.set_code("a")
    words["a"] = "olma"
    combo.retranslate()
    assert texts(combo) == ["none", "olma"] and combo.code() == "a"
