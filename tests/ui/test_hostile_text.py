"""Text from another office (a person's name, an office or device name, a guarantor) is
shown as typed: Qt reads a label's text as HTML when it looks like HTML, so a name such
as <img src="\\\\server\\share\\a.png"> would load a file (on Windows, over the network,
giving away the user's login) and <font size=100> would take over the page."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel

from desktop_app.store.offices import OfficeRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.ui import operations
from desktop_app.ui.main_window import MainWindow

MARK = '<img src="/nonexistent/a.png" width=800 height=800><b>Karimov</b>'


def read_as_markup(label: QLabel) -> bool:
    return label.textFormat() == Qt.RichText or (
        label.textFormat() == Qt.AutoText and QtGui.mightBeRichText(label.text()))


def marked_labels(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)
            if "Karimov" in label.text() and read_as_markup(label)]


def test_names_from_other_offices_are_plain_text_in_the_window(qtbot, ctx):
    office = ctx.conn.execute("SELECT o.id FROM office o JOIN meta m ON m.key='office_id' "
                              "AND m.value=o.id").fetchone()[0]
    OfficeRepository(ctx.session).update(office, {"name": MARK})
    ctx.conn.execute("UPDATE device SET name=? WHERE is_self=1", (MARK,))
    person = PersonRepository(ctx.session).create({
        "family_name": MARK, "given_name": "Ali", "phones": "+992 93 111 22 33",
        "village": MARK, "household_notes": MARK})
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.show_page("people")
    operations.wait_idle(ctx)
    page.detail.show_person(person["id"])
    assert page.detail.title.text().startswith(MARK)     # shown as typed
    assert marked_labels(window) == []
