"""The empty-state placeholder: its message, its action, shown instead of an empty table."""
from PySide6.QtCore import Qt

from desktop_app.ui.widgets import DataTable, EmptyState, TableOrEmpty


def test_shows_its_message_and_the_action_fires(qtbot):
    empty = EmptyState("No loans yet.", "New application…")
    qtbot.addWidget(empty)
    empty.show()
    assert empty.message() == "No loans yet."
    assert empty.button.isVisible() and empty.button.text() == "New application…"
    with qtbot.waitSignal(empty.action_triggered, timeout=1000):
        qtbot.mouseClick(empty.button, Qt.LeftButton)


def test_without_an_action_there_is_no_button(qtbot):
    empty = EmptyState("Nothing here.")
    qtbot.addWidget(empty)
    empty.show()
    assert not empty.button.isVisible()
    empty.set_message("Still nothing.")
    assert empty.label.text() == "Still nothing."


def test_shown_instead_of_the_table_while_it_has_no_rows(qtbot):
    table = DataTable(2)
    stack = TableOrEmpty(table, EmptyState("No rows."))
    qtbot.addWidget(stack)
    assert stack.showing_empty()
    table.set_rows([("a", "b")])
    assert not stack.showing_empty() and stack.currentWidget() is table
    table.set_rows([])
    assert stack.showing_empty()
