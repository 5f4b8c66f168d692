"""The reports page, clicked through offscreen."""
from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from desktop_app.store.session import PermissionDenied


@pytest.fixture
def ctx(qtbot, session, db_path):
    """The application's context: the session plus the real DB worker."""
    from desktop_app.ui.app import build_context
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()


def _page(qtbot, ctx):
    from desktop_app.ui.reports import PAGE
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    return page


def _build(qtbot, page, period="2026-Q1"):
    page.period_edit.setText(period)
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.build_button.isEnabled() and page.report is not None
                    or bool(page.last_error), timeout=20000)


def _find(tree, text):
    found = tree.findItems(text, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 0)
    return found


def test_build_and_drill_down(qtbot, ctx, world, tmp_path):
    page = _page(qtbot, ctx)
    _build(qtbot, page)
    assert page.last_error == ""
    registered = _find(page.results, "People registered")[0]
    assert registered.text(1) == "3"
    sex = next(registered.child(i) for i in range(registered.childCount())
               if registered.child(i).text(0) == "Sex")
    female = next(sex.child(i) for i in range(sex.childCount()) if sex.child(i).text(0) == "Female")
    assert female.text(1) == "2"
    page.results.itemActivated.emit(female, 0)
    qtbot.waitUntil(lambda: page.last_dialog is not None, timeout=10000)
    lines = sorted(page.last_dialog.list.item(i).text()
                   for i in range(page.last_dialog.list.count()))
    assert len(lines) == 2 and lines[0].startswith("Rahmonov Aziza")
    page.grab().save("/tmp/reports-page.png")
    # export through the page (no dialog when a path is given)
    out = tmp_path / "r.xlsx"
    page.export("xlsx", str(out))
    qtbot.waitUntil(lambda: out.exists(), timeout=20000)
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved"), timeout=20000)
    assert openpyxl.load_workbook(out, read_only=True).sheetnames[0] == "Summary"


def test_bad_period_is_explained(qtbot, ctx, world):
    page = _page(qtbot, ctx)
    page.period_edit.setText("next spring")
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    assert "not understood" in page.status.text()
    assert page.report is None


def test_drill_down_refused_without_permission(qtbot, ctx, world, monkeypatch):
    class NoList:
        def check(self, actor, action, table, row):
            if action == "view_person_list":
                raise PermissionDenied("You may not see lists of people.")

    page = _page(qtbot, ctx)
    _build(qtbot, page)
    ctx.session.policy = NoList()
    item = _find(page.results, "People registered")[0]
    from PySide6.QtWidgets import QMessageBox
    shown = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda *a, **k: shown.append(a[2])))
    page.results.itemActivated.emit(item, 0)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert shown == ["You may not see lists of people."]
    assert page.last_dialog is None


def test_district_and_age_bands_in_tajik(qtbot, ctx, world):
    from desktop_app.i18n import set_language
    set_language("tg")
    page = _page(qtbot, ctx)
    page.district_combo.setCurrentIndex(page.district_combo.findData("TJ-RASHT"))
    page.bands_edit.setText("18")
    _build(qtbot, page)
    assert page.last_error == ""
    registered = _find(page.results, "Одамони ба қайд гирифташуда")[0]
    assert registered.text(1) == "2"  # A and B live in Rasht; C has no district
    bands = next(registered.child(i) for i in range(registered.childCount())
                 if registered.child(i).text(0) == "Гурӯҳи синнӣ")
    assert sorted(bands.child(i).text(0) for i in range(bands.childCount())) == [
        "18 сола ва болотар", "камтар аз 18 сола"]
    page.grab().save("/tmp/reports-page-tg.png")
    page.bands_edit.setText("30,18")
    qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    assert "15,18,30,45" in page.status.text()


def test_a_double_click_on_a_number_drills_down_once(qtbot, ctx, world, monkeypatch):
    page = _page(qtbot, ctx)
    page.show()
    _build(qtbot, page)
    registered = _find(page.results, "People registered")[0]
    drills = []
    monkeypatch.setattr(page, "drill", lambda *key: drills.append(key))
    page.results.scrollToItem(registered)
    centre = page.results.visualItemRect(registered).center()
    # a real double click: a click, then the double-click event
    qtbot.mouseClick(page.results.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.results.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert len(drills) == 1


def test_a_large_drill_down_shows_its_counts_with_digit_groups(qtbot):
    """«12 345 записей (показаны первые 1 000)», not «12345 записей»."""
    from desktop_app.i18n import set_language
    from desktop_app.ui.reports.reports_page import DrillDownDialog
    set_language("ru")
    try:
        dialog = DrillDownDialog("Люди", [("p1", "Раҳимов Азиз")] * 1000, 12345)
        qtbot.addWidget(dialog)
        text = dialog.summary.text().replace("\N{NARROW NO-BREAK SPACE}", "\xa0")
        assert "12\xa0345 записей" in text and "1\xa0000" in text
    finally:
        set_language("en")
