"""The duplicate warning on registration and the sections other modules add to a person's page."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from desktop_app.store.db import row_dict
from desktop_app.ui import pages
from desktop_app.ui.people import detail as detail_module
from desktop_app.ui.people.duplicates import DuplicateDialog
from desktop_app.ui.people.page import PeoplePage
from tests.helpers.people_ui import Candidate, add_person, count, type_text


def _register_like_existing(page, qtbot, existing_id, answer):
    """Fill the form for a new person whose finder reports ``existing_id``; answer the dialog."""
    asked = []

    def finder(conn, values, limit=5):
        asked.append((values["family_name"], limit))
        person = conn.execute("SELECT * FROM person WHERE id=?", (existing_id,)).fetchone()
        cols = [d[0] for d in conn.execute("SELECT * FROM person LIMIT 0").description]
        return [Candidate(row_dict(cols, person), 91.4, ["Same name key", "Same phone"])]

    page.duplicate_finder = finder
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    type_text(dialog.form.inputs["family_name"], "Rahmonov")
    type_text(dialog.form.inputs["given_name"], "Farhod")
    type_text(dialog.form.inputs["phones"], "935551234")
    seen = {}

    def respond():
        box = QApplication.activeModalWidget()
        if not isinstance(box, DuplicateDialog):
            QTimer.singleShot(20, respond)
            return
        seen["texts"] = [w.text() for w in box.findChildren(QLabel)]
        seen["created_before"] = count(page.ctx.conn, "person")
        answer(box)

    QTimer.singleShot(0, respond)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    return asked, seen


def test_open_existing_creates_nothing_and_shows_the_existing_person(ctx, qtbot):
    existing = add_person(ctx.session, phones="+992 93 555 12 34")
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    asked, seen = _register_like_existing(
        page, qtbot, existing["id"], lambda box: qtbot.mouseClick(box.open_buttons[0],
                                                                  Qt.LeftButton))
    assert asked == [("Rahmonov", 5)]
    # side by side: the entry and the registered person, with score and reasons
    assert "Rahmonov Farhod" in seen["texts"]
    assert "Раҳмонов Фарҳод" in seen["texts"]
    assert "Registered person, similarity 91/100" in seen["texts"]
    assert "• Same name key\n• Same phone" in seen["texts"]
    assert seen["created_before"] == 1
    qtbot.waitUntil(lambda: page.dialog is None)
    assert count(ctx.conn, "person") == 1
    assert page.detail.person["id"] == existing["id"]
    assert page.current_id() == existing["id"]


def test_create_anyway_registers_the_new_person(ctx, qtbot):
    existing = add_person(ctx.session, phones="+992 93 555 12 34")
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    _register_like_existing(page, qtbot, existing["id"],
                            lambda box: qtbot.mouseClick(box.create_button, Qt.LeftButton))
    qtbot.waitUntil(lambda: page.dialog is None)
    assert count(ctx.conn, "person") == 2
    assert sorted(_r[0] for _r in ctx.conn.execute("SELECT family_name FROM person")) == [
        "Rahmonov", "Раҳмонов"]


def test_back_to_the_form_keeps_the_entry(ctx, qtbot):
    existing = add_person(ctx.session)
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    _register_like_existing(page, qtbot, existing["id"],
                            lambda box: qtbot.mouseClick(box.back_button, Qt.LeftButton))
    assert page.dialog is not None and page.dialog.isVisible()
    assert page.dialog.form.inputs["family_name"].text() == "Rahmonov"
    assert count(ctx.conn, "person") == 1


def test_editing_does_not_look_for_duplicates(ctx, qtbot):
    existing = add_person(ctx.session)
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.duplicate_finder = lambda *a, **k: (_ for _ in ()).throw(AssertionError("called"))
    page.edit_person(existing["id"])
    type_text(page.dialog.form.inputs["village"], "Navdonak")
    qtbot.mouseClick(page.dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert page.dialog is None
    assert ctx.conn.execute("SELECT village FROM person").fetchone()[0] == "Navdonak"


def test_person_page_shows_sections_of_other_modules_with_identity_ids(ctx, qtbot, monkeypatch):
    survivor = add_person(ctx.session)
    merged = add_person(ctx.session, family_name="Рахмонов")
    from desktop_app.store.people.repositories import PersonRepository
    PersonRepository(ctx.session).update(merged["id"], {"merged_into": survivor["id"]})
    received = []

    class CasesSection(QLabel):
        def __init__(self, ctx, ids):
            super().__init__()
            received.append(ids)
            self.retranslate()

        def retranslate(self):
            from desktop_app.i18n import current_language
            self.setText(f"cases in {current_language()}")

    section = pages.PersonSection(key="cases", order=20, title=lambda: "Cases",
                                  factory=CasesSection)
    monkeypatch.setattr(detail_module, "discover_person_sections", lambda: [section])
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 1          # the merged record is not listed
    page.table.selectRow(0)
    assert received == [[survivor["id"], merged["id"]]]
    spec, box, widget = page.detail.sections[0]
    assert box.title() == "Cases" and widget.text() == "cases in en"
    from desktop_app.i18n import set_language
    set_language("tg")
    page.retranslate()
    assert widget.text() == "cases in tg"


def test_real_duplicate_finder_warns_before_creating(ctx, qtbot):
    existing = add_person(ctx.session, phones="+992 93 555 12 34")
    page = PeoplePage(ctx)           # the default finder: store.people.duplicates
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    type_text(dialog.form.inputs["family_name"], "Rakhmonov")
    type_text(dialog.form.inputs["given_name"], "Farhod")
    type_text(dialog.form.birth_date, "07.03.1991")
    type_text(dialog.form.inputs["phones"], "93 555 12 34")
    seen = {}

    def respond():
        box = QApplication.activeModalWidget()
        if not isinstance(box, DuplicateDialog):
            QTimer.singleShot(20, respond)
            return
        seen["ids"] = [c.person["id"] for c in box.candidates]
        seen["count"] = count(ctx.conn, "person")
        qtbot.mouseClick(box.open_buttons[0], Qt.LeftButton)

    QTimer.singleShot(0, respond)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert seen == {"ids": [existing["id"]], "count": 1}
    assert count(ctx.conn, "person") == 1
    assert page.detail.person["id"] == existing["id"]
