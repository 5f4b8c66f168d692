"""CheckList: the kit's 28 px rows, as many columns as the widest choice allows, every choice
in sight at the height it asks for, the ticked keys in order."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.ui import style
from desktop_app.ui.widgets import CheckList

CHOICES = ["Ҷинс", "Гурӯҳи синнӣ", "Ноҳия", "Ҷамоат", "Вазъи муҳоҷират", "Кишвари таъинот",
           "Дафтар", "Категория", "Манбаи маблағгузорӣ", "Маҳсулоти қарзӣ", "Мақсад"]


def test_choices_in_columns_of_28_px_rows_all_in_sight(qtbot):
    page = QWidget()
    layout = QVBoxLayout(page)
    checks = CheckList()
    for number, text in enumerate(CHOICES):
        checks.add(number, checked=number in (1, 4), text=text)
    layout.addWidget(checks)
    layout.addStretch(1)
    qtbot.addWidget(page)
    page.resize(420, 700)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(20)
    rects = [checks.visualItemRect(item) for item in checks.items()]
    assert all(r.height() == style.ROW_HEIGHT for r in rects)
    columns = len({r.left() for r in rects})
    assert columns == checks.columns_for(checks.width()) >= 2
    viewport = checks.viewport().rect()
    assert all(viewport.contains(r) for r in rects), "a choice out of sight"
    # each text whole in its cell
    metrics = checks.fontMetrics()
    assert all(metrics.horizontalAdvance(text) < r.width() - 20
               for text, r in zip(CHOICES, rects, strict=True))
    assert checks.checked() == [1, 4]
    checks.items()[0].setCheckState(Qt.CheckState.Checked)
    assert checks.checked() == [0, 1, 4]
    # narrower: fewer columns, more rows, still all in sight
    page.resize(200, 700)
    qtbot.wait(20)
    assert checks.columns_for(checks.width()) == 1
    rects = [checks.visualItemRect(item) for item in checks.items()]
    assert len({r.left() for r in rects}) == 1
    assert all(checks.viewport().rect().contains(r) for r in rects)
