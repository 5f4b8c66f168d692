"""The row table (short lists with keys) and the lazy model over an ordered key list."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QPushButton

from desktop_app.ui.widgets import DataTable, by_id, lazy_model, wrapping_row


def test_rows_keys_selection_and_colours(qtbot):
    table = DataTable(3, fit_columns=True)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["Date", "What", "Sum"])
    red = QBrush(QColor("#f8d7da"))
    table.set_rows([("01.02.2026", "call", 5), ("02.02.2026", None, 7)], keys=["k1", "k2"],
                   right=[2], backgrounds=[None, red])
    assert table.rowCount() == 2 and table.item(1, 1).text() == ""
    assert table.item(0, 2).text() == "5" and table.item(0, 0).data(Qt.UserRole) == "k1"
    model = table.model()
    assert model.headerData(1, Qt.Horizontal) == "What"
    assert model.data(model.index(1, 0), Qt.BackgroundRole) == red
    assert model.data(model.index(0, 0), Qt.BackgroundRole) is None
    right = int(Qt.AlignRight | Qt.AlignVCenter)
    assert model.data(model.index(0, 2), Qt.TextAlignmentRole) == right
    assert table.selected_key() is None
    with qtbot.waitSignal(table.itemSelectionChanged, timeout=1000):
        table.selectRow(1)
    assert table.selected_key() == "k2"


def test_lazy_model_reads_only_the_pages_it_shows():
    asked = []

    def fetch(keys):
        asked.append(list(keys))
        return by_id([{"id": k, "name": f"person {k}"} for k in keys])

    model = lazy_model([("name", lambda: "Name")], fetch)
    model.set_keys(list(range(1000)))
    assert model.rowCount() == 1000 and asked == []
    assert model.data(model.index(450, 0)) == "person 450"
    assert asked == [list(range(400, 600))]
    assert model.data(model.index(0, 0), Qt.UserRole) == 0
    assert model.headerData(0, Qt.Horizontal) == "Name"


def test_a_row_of_buttons_wraps_when_narrow(qtbot):
    buttons = [QPushButton(f"A rather long button label {n}") for n in range(4)]
    row = wrapping_row(*buttons)
    qtbot.addWidget(row)
    row.resize(2000, row.layout().heightForWidth(2000))
    row.show()
    one_line = row.layout().heightForWidth(2000)
    narrow = row.layout().heightForWidth(buttons[0].sizeHint().width() + 10)
    assert narrow >= 3 * one_line
