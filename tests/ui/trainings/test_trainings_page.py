"""The trainings page driven through its widgets (offscreen)."""
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QStyleOptionViewItem

from desktop_app import i18n
from desktop_app.i18n import format_date
from desktop_app.reports.trainings_certificates import print_certificates
from desktop_app.store.repository import ValidationError
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.ui.context import AppContext
from desktop_app.ui.trainings import PAGE, PERSON_SECTION
from desktop_app.ui.trainings.attendance import ABSENT, PRESENT, AttendanceModel, AttendanceView
from desktop_app.ui.trainings.dialogs import AddPersonDialog, OverrideDialog, RegisterPersonDialog
from desktop_app.ui.trainings.import_dialog import ImportDialog
from desktop_app.ui.widgets.columns import elided_text_of
from tests.helpers import trainings as h


@pytest.fixture
def training(session):
    ev = h.event(session, course="siyb", sessions=5, start=date(2026, 3, 2))
    parts = []
    for family, given, sex in (("Раҳмонова", "Гулнора", "female"), ("Karimov", "Jamshid", "male"),
                               ("Yoʻldosheva", "Gʻulomjon", "female")):
        person_id = h.person(session, family, given, sex=sex)["id"]
        parts.append(ts.add_participant(session, ev["id"], person_id))
    return ev, parts


def _grid(qtbot, session, db_path, event_id):
    model = AttendanceModel(AppContext(session, db_path))
    view = AttendanceView(model)
    qtbot.addWidget(view)
    model.load(event_id)
    view.show()
    view.setFocus()
    return model, view


def test_keyboard_attendance_entry_saves_and_totals(qtbot, session, db_path, training):
    ev, parts = training
    model, view = _grid(qtbot, session, db_path, ev["id"])
    # participants are ordered by name: Karimov, Yoʻldosheva, Раҳмонова
    assert [model.headerData(r, Qt.Vertical) for r in range(3)] == [
        "Karimov Jamshid", "Yoʻldosheva Gʻulomjon", "Раҳмонова Гулнора"]
    assert model.headerData(3, Qt.Vertical) == "Present"
    assert view.currentIndex().row() == 0 and view.currentIndex().column() == 0
    # Karimov: Space, Right x4 with Space on each -> all five sessions present
    for i in range(5):
        qtbot.keyClick(view, Qt.Key_Space)
        if i < 4:
            qtbot.keyClick(view, Qt.Key_Right)
    # down to Yoʻldosheva, back to the first session, mark two
    qtbot.keyClick(view, Qt.Key_Down)
    qtbot.keyClick(view, Qt.Key_Home)
    qtbot.keyClick(view, Qt.Key_Space)
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Space)
    qtbot.keyClick(view, Qt.Key_Space)          # a second Space takes the mark back
    assert model.data(model.index(1, 1)) == ABSENT
    assert model.data(model.index(0, 4)) == PRESENT
    assert model.data(model.index(0, 5)) == "5/5" and model.data(model.index(0, 6)) == "yes"
    assert model.data(model.index(1, 5)) == "1/5" and model.data(model.index(1, 6)) == "no"
    assert [model.data(model.index(3, c)) for c in range(7)] == ["2", "1", "1", "1", "1", "6", "1"]
    # saved in the database through the repository
    karimov = next(p for p in tq.participants_of(session.conn, ev["id"])
                   if p["family_name"] == "Karimov")
    assert (karimov["attended_sessions"], karimov["completed"]) == (5, 1)
    assert session.conn.execute("SELECT count(*) FROM change_log WHERE "
                                "table_name='training_attendance'").fetchone()[0] == 8


def test_space_on_a_selection_marks_a_whole_session(qtbot, session, db_path, training):
    ev, parts = training
    model, view = _grid(qtbot, session, db_path, ev["id"])
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Down, Qt.ShiftModifier)
    qtbot.keyClick(view, Qt.Key_Down, Qt.ShiftModifier)
    qtbot.keyClick(view, Qt.Key_Space)
    assert [model.data(model.index(r, 2)) for r in range(3)] == [PRESENT] * 3
    assert model.data(model.index(3, 2)) == "3"
    # the totals row is not a cell: Space there changes nothing
    qtbot.keyClick(view, Qt.Key_Down)
    assert view.currentIndex().row() == 3
    before = session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    qtbot.keyClick(view, Qt.Key_Space)
    assert session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before


def test_page_creates_a_training_with_planned_sessions(qtbot, session, db_path):
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    form = page.form
    form.course.set_code("household_budget")
    assert form.sessions_count.value() == 4 and form.session_hours.text() == "2"
    form.place.setText("Gharm JRC hall")
    form.start.set_value(date(2026, 4, 6))
    form.end.set_value(date(2026, 4, 9))
    assert form.start.text() == "06.04.2026"       # the one date format (docs/dev/formats.md)
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert form.error.text() == ""
    events = tq.list_events(session.conn)
    assert len(events) == 1 and events[0]["sessions"] == 4
    assert [s["session_date"] for s in tq.sessions_of(session.conn, events[0]["id"])] == [
        "2026-04-06", "2026-04-07", "2026-04-08", "2026-04-09"]
    assert page.tabs.currentIndex() == 1 and page.list_model.rowCount() == 1
    # a bad end date: one clear message, nothing changed
    form.end.set_value(date(2026, 4, 1))
    qtbot.mouseClick(form.save_button, Qt.LeftButton)
    assert "before the first day" in form.error.text()
    assert tq.list_events(session.conn)[0]["end_date"] == "2026-04-09"


def test_add_by_search_register_with_duplicate_check_and_override(qtbot, session, db_path,
                                                                 training):
    ev, parts = training
    other = h.person(session, "Назаров", "Умед", sex="male", birth_date="1988-02-03")
    ctx = AppContext(session, db_path)
    dialog = AddPersonDialog(ctx, ev["id"])
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search, "Nazarov")
    qtbot.keyClick(dialog.search, Qt.Key_Return)
    assert dialog.added == [other["id"]]
    qtbot.keyClick(dialog.search, Qt.Key_Return)               # again: refused, said why
    assert "already takes part" in dialog.error.text()

    reg = RegisterPersonDialog(ctx, ev["id"])
    qtbot.addWidget(reg)
    reg.family.setText("Nazarov")
    reg.given.setText("Umed")
    reg.birth.setText("03.02.1988")
    people_before = session.conn.execute("SELECT count(*) FROM person").fetchone()[0]
    reg.buttons.button(QDialogButtonBox.Save).click()
    assert reg.candidates.count() == 1 and not reg.candidates.isHidden()
    assert reg.candidates.item(0).data(Qt.UserRole) == other["id"]
    assert session.conn.execute("SELECT count(*) FROM person").fetchone()[0] == people_before
    reg.given.setText("Umeda")
    reg.sex.setCurrentIndex(reg.sex.findData("female"))
    reg.birth.setText("04.05.1995")
    reg.buttons.button(QDialogButtonBox.Save).click()          # no look-alike: registered
    assert reg.result() == 1 and reg.person_id
    assert len(tq.participants_of(session.conn, ev["id"])) == 5

    part = tq.participants_of(session.conn, ev["id"])[0]
    override = OverrideDialog(ctx, part)
    qtbot.addWidget(override)
    override.choice.setCurrentIndex(override.choice.findData("completed"))
    override.buttons.button(QDialogButtonBox.Save).click()
    assert "reason" in override.error.text()
    override.reason.setText("Attended the make-up sessions in Dushanbe")
    override.buttons.button(QDialogButtonBox.Save).click()
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 1


def test_import_dialog_previews_then_saves(qtbot, session, db_path, training, tmp_path):
    ev, parts = training
    path = tmp_path / "list.csv"
    path.write_text("Фамилия,Имя,Дата рождения\nСаидова,Малика,05.06.1990\nБобоев,,\n"
                    "Ҳасанов,Баҳром,31.02.1990\n", encoding="utf-8")
    dialog = ImportDialog(AppContext(session, db_path), ev["id"], path=str(path))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    assert dialog.table.item(1, 3).text() == "Error"
    assert dialog.table.item(2, 2).text() == "31.02.1990"            # shown as written
    assert "dd.mm.yyyy" in dialog.table.item(2, 4).text()
    assert "1 will be saved" in dialog.summary.text()
    assert len(tq.participants_of(session.conn, ev["id"])) == 3     # nothing saved yet
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert dialog.result.registered == 1
    assert len(tq.participants_of(session.conn, ev["id"])) == 4


def test_certificates_button_and_person_section(qtbot, session, db_path, training, tmp_path):
    ev, parts = training
    h.attend(session, ev["id"], parts[0]["id"], 5)
    tr.TrainingOutcomeRepository(session).create({
        "person_id": parts[0]["person_id"], "event_id": ev["id"], "participant_id": parts[0]["id"],
        "outcome": "business_started", "outcome_date": "2026-06-01"})
    ctx = AppContext(session, db_path)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    page.list.selectRow(0)
    assert page.participants.model.rowCount() == 4
    assert "3 participants (2 women" in page.participants.totals.text()
    out = tmp_path / "certs.pdf"
    assert page.participants.print_certificates(str(out)) == 1 and out.exists()
    assert page.outcomes.table.rowCount() == 1
    assert page.outcomes.table.item(0, 2).text() == "Started a business"
    assert page.outcomes.table.key(0) == tq.outcomes_of_event(session.conn, ev["id"])[0]["id"]

    section = PERSON_SECTION.factory(ctx, [parts[0]["person_id"]])
    qtbot.addWidget(section)
    assert section.trainings.rowCount() == 1
    assert section.trainings.item(0, 1).text() == "Start and Improve Your Business"
    assert section.trainings.item(0, 4).text().startswith("GRM-")
    assert section.outcomes.item(0, 1).text() == "Started a business"


def test_courses_dialog_adds_a_course_and_rejects_a_bad_rule(qtbot, session, db_path):
    from desktop_app.ui.trainings.dialogs import CoursesDialog
    dialog = CoursesDialog(AppContext(session, db_path))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 8
    dialog.table.setCurrentCell(0, 0)
    assert dialog.code.text() == "siyb" and dialog.min_share.text() == "0.8"
    dialog.code.setText("tailoring")
    for lang, text in (("en", "Tailoring"), ("ru", "Швейное дело"), ("tg", "Дӯзандагӣ"),
                       ("uz", "Tikuvchilik")):
        dialog.names[lang].setText(text)
    dialog.min_share.setText("2")
    dialog.buttons.button(QDialogButtonBox.Save).click()
    assert "number from 0 to 1" in dialog.error.text() and dialog.table.rowCount() == 8
    dialog.min_share.setText("0.9")
    dialog.buttons.button(QDialogButtonBox.Save).click()
    assert dialog.table.rowCount() == 9
    assert tq.course_rule(session.conn, "tailoring").describe() == "at least 90% of sessions"


def test_a_course_added_from_the_page_can_be_chosen_at_once(qtbot, session, db_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    assert page.form.course.findData("tailoring") < 0

    def add_a_course():
        dialog = QApplication.activeModalWidget()
        try:
            dialog.code.setText("tailoring")
            for lang, text in (("en", "Tailoring"), ("ru", "Швейное дело"),
                               ("tg", "Дӯзандагӣ"), ("uz", "Tikuvchilik")):
                dialog.names[lang].setText(text)
            dialog.min_share.setText("0.9")
            dialog.buttons.button(QDialogButtonBox.Save).click()
        finally:
            dialog.reject()
    QTimer.singleShot(0, add_a_course)
    page.edit_courses()
    assert page.form.course.findData("tailoring") > 0
    page.form.course.set_code("tailoring")
    assert page.form.course.currentText() == "Tailoring"
    assert "90% of sessions" in page.form.rule.text()


def test_page_in_tajik(qtbot, session, db_path, training):
    from desktop_app.i18n import set_language
    ctx = AppContext(session, db_path)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    set_language("tg")
    page.retranslate()
    page.list.selectRow(0)
    assert page.tabs.tabText(1) == "Иштирокчиён ва ҳузур"
    assert (page.list_model.data(page.list_model.index(0, 1))
            == "Тиҷорати худро оғоз ва беҳтар намоед")
    assert page.participants.model.headerData(3, Qt.Vertical) == "Ҳозир буданд"
    course = page.form.course
    assert course.code() == "siyb" and course.currentText() == page.list_model.data(
        page.list_model.index(0, 1))


def _answer_next_question(button) -> None:
    """Press ``button`` in the next message box (it runs its own event loop)."""
    def press(tries: int = 200) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        elif tries:
            QTimer.singleShot(10, lambda: press(tries - 1))
    QTimer.singleShot(0, press)


def test_unsaved_form_guard_and_delete(qtbot, session, db_path, training):
    ev, parts = training
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    assert not page.has_unsaved_changes()
    page.form.place.setText("Hall of the jamoat")
    assert page.has_unsaved_changes()
    # another training chosen: asked first; Cancel keeps the edit, Discard drops it
    _answer_next_question(QMessageBox.StandardButton.Cancel)
    page.list.selectRow(0)
    assert page.has_unsaved_changes() and page.form.place.text() == "Hall of the jamoat"
    qtbot.waitUntil(lambda: not page.list.selectionModel().hasSelection())
    assert page.current_event is None
    _answer_next_question(QMessageBox.StandardButton.Discard)
    page.list.selectRow(0)
    assert not page.has_unsaved_changes() and page.current_event["id"] == ev["id"]
    page.form.trainers.setText("Гулнора Саидова")
    assert page.has_unsaved_changes()
    from PySide6.QtGui import QKeySequence, QShortcut
    save = [sc for sc in page.findChildren(QShortcut) if sc.key() == QKeySequence("Ctrl+S")]
    assert len(save) == 1 and save[0].context() == Qt.WidgetWithChildrenShortcut
    save[0].activated.emit()
    assert not page.has_unsaved_changes()
    assert tr.TrainingEventRepository(session).get(ev["id"])["trainers"] == "Гулнора Саидова"
    page.delete_current()
    assert tq.list_events(session.conn) == [] and page.list_model.rowCount() == 0
    assert tq.totals(session.conn).people == 0
    assert session.conn.execute(
        "SELECT count(*) FROM training_participant WHERE deleted=0").fetchone()[0] == 0


def test_sessions_are_edited_in_the_table(qtbot, session, db_path, training):
    ev, parts = training
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.list.selectRow(0)
    table = page.form.sessions_table
    assert table.item(0, 1).text() == "02.03.2026" and table.item(0, 2).text() == "4"
    table.item(0, 2).setText("1,5")
    first = tq.sessions_of(session.conn, ev["id"])[0]
    assert first["minutes"] == 90
    table.item(0, 1).setText("31.02.2026")
    assert "dd.mm.yyyy" in page.form.error.text()
    assert tq.sessions_of(session.conn, ev["id"])[0]["session_date"] == "2026-03-02"
    assert table.item(0, 1).text() == "02.03.2026"
    table.item(1, 2).setText("a lot")
    assert "number" in page.form.error.text()
    assert tq.sessions_of(session.conn, ev["id"])[1]["minutes"] == 240


def test_refresh_after_changes_made_elsewhere(qtbot, session, db_path, training):
    ev, parts = training
    ctx = AppContext(session, db_path)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    page.list.selectRow(0)
    assert page.participants.model.rowCount() == 4
    # another laptop's records arrive (here: written outside the page)
    ts.add_participant(session, ev["id"], h.person(session, "Sharipova", "Nodira")["id"])
    page.refresh()
    assert page.participants.model.rowCount() == 5
    assert page.list_model.rows[0]["participants"] == 4
    # the page tells the others when it changed participants
    with qtbot.waitSignal(ctx.data_changed, timeout=1000) as signal:
        page.participants.remove_participant()
    assert signal.args == ["training_participant"]
    ts.delete_event(session, ev["id"])
    page.refresh()
    assert page.current_event is None and page.list_model.rowCount() == 0


def test_person_page_of_the_people_module_shows_trainings(qtbot, session, db_path, training):
    from desktop_app.ui.people.detail import PersonDetail
    ev, parts = training
    merged = h.person(session, "Karimov", "Jamshed", sex="male")
    ts.add_participant(session, h.event(session, course="welding", sessions=2)["id"], merged["id"])
    from desktop_app.store.people.repositories import PersonRepository
    PersonRepository(session).update(merged["id"], {"merged_into": parts[1]["person_id"]})
    detail = PersonDetail(AppContext(session, db_path))
    qtbot.addWidget(detail)
    detail.show_person(parts[1]["person_id"])
    boxes = [(spec.key, box, widget) for spec, box, widget in detail.sections]
    key, box, widget = next(b for b in boxes if b[0] == "trainings")
    assert box.title() == "Trainings"
    # the survivor's own training and the one of the record merged into it
    assert widget.trainings.rowCount() == 2
    assert {widget.trainings.item(r, 1).text() for r in range(2)} == {
        "Start and Improve Your Business", "Welding"}


def _login_as(db_path, role):
    from desktop_app.store.security import accounts as security
    from tests.conftest import TEST_PASSWORD
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(admin, db_path).add_user(role.replace("_", ""), "user-pass-123", role)
    admin.conn.close()
    return security.login(db_path, role.replace("_", ""), "user-pass-123")


def test_view_only_role_sees_the_grid_but_cannot_change_it(qtbot, session, db_path, training):
    ev, parts = training
    session.conn.close()
    inspector = _login_as(db_path, "inspector")
    page = PAGE.factory(AppContext(inspector, db_path))
    qtbot.addWidget(page)
    assert page.new_button.isHidden() and page.delete_button.isHidden()
    assert page.courses_button.isHidden() and page.participants.add_button.isHidden()
    page.list.selectRow(0)
    assert page.participants.model.rowCount() == 4
    before = inspector.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    qtbot.keyClick(page.participants.grid, Qt.Key_Space)
    assert "not change" in page.participants.message.text()
    page.form.trainers.setText("Someone")
    page.form.save()                                          # Ctrl+S still reaches save
    assert "permission" in page.form.error.text()
    assert inspector.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    inspector.conn.close()


def test_field_officer_records_attendance(qtbot, session, db_path, training):
    ev, parts = training
    session.conn.close()
    officer = _login_as(db_path, "field_officer")
    page = PAGE.factory(AppContext(officer, db_path))
    qtbot.addWidget(page)
    assert not page.new_button.isHidden() and page.courses_button.isHidden()
    page.list.selectRow(0)
    qtbot.keyClick(page.participants.grid, Qt.Key_Space)
    assert page.participants.model.data(page.participants.model.index(0, 0)) == "\u2713"
    officer.conn.close()


def test_enter_in_the_shown_add_dialog_adds_once(qtbot, session, db_path, training):
    """Enter in the search field adds the person; the dialog's default button must not add
    them a second time (which said "already takes part")."""
    ev, _parts = training
    other = h.person(session, "Назаров", "Умед", sex="male", birth_date="1988-02-03")
    dialog = AddPersonDialog(AppContext(session, db_path), ev["id"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.search.setFocus()
    qtbot.keyClicks(dialog.search, "Nazarov")
    qtbot.keyClick(dialog.search, Qt.Key_Return)
    assert dialog.added == [other["id"]]
    assert dialog.error.text() == "Added: Назаров Умед"   # not "already takes part"
    assert dialog.isVisible()          # Enter adds; Close closes


def test_attendance_of_a_session_in_the_future_is_refused_with_a_reason(qtbot, session,
                                                                         db_path):
    """Attendance is what happened: a future session's cell says why it cannot be marked,
    and the store refuses it too (nothing is written)."""
    today = date.today()
    ev = h.event(session, course="siyb", sessions=3, start=today - timedelta(days=1))
    person_id = h.person(session, "Karimov", "Jamshid", sex="male")["id"]
    part = ts.add_participant(session, ev["id"], person_id)
    model, view = _grid(qtbot, session, db_path, ev["id"])
    messages = []
    model.failed.connect(lambda message: messages.append(message))
    # yesterday and today can be marked
    qtbot.keyClick(view, Qt.Key_Space)
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Space)
    assert model.data(model.index(0, 0)) == PRESENT and model.data(model.index(0, 1)) == PRESENT
    # tomorrow cannot
    qtbot.keyClick(view, Qt.Key_Right)
    qtbot.keyClick(view, Qt.Key_Space)
    assert model.data(model.index(0, 2)) == ""
    assert messages and "has not taken place yet" in messages[-1]
    assert "Not taken place yet" in model.data(model.index(0, 2), Qt.ToolTipRole)
    assert "Not taken place yet" in model.headerData(2, Qt.Horizontal, Qt.ToolTipRole)
    future = tq.sessions_of(session.conn, ev["id"])[2]
    assert session.conn.execute("SELECT COUNT(*) FROM training_attendance WHERE session_id=?",
                                (future["id"],)).fetchone()[0] == 0
    assert "has not taken place yet" in _refusal(lambda: tr.TrainingAttendanceRepository(
        session).mark(ev["id"], future["id"], part["id"], True))["session_date"]
    assert _refusal(lambda: tr.TrainingAttendanceRepository(session).mark_many(
        ev["id"], {(future["id"], part["id"]): False}))


def _refusal(write) -> dict:
    """The errors of a refused write (no traceback kept: it would hold the grid's model
    past the end of the test)."""
    try:
        write()
    except ValidationError as exc:
        return dict(exc.errors)
    raise AssertionError("the write was not refused")


def test_certificates_wait_for_the_last_session(qtbot, session, db_path, tmp_path):
    """A training whose last session is still to come prints no certificates: the button
    is disabled and says why, and the store refuses (someone marked complete by hand)."""
    today = date.today()
    ev = h.event(session, course="siyb", sessions=3, start=today - timedelta(days=1))
    person_id = h.person(session, "Karimova", "Gulnora")["id"]
    part = ts.add_participant(session, ev["id"], person_id)
    tr.TrainingParticipantRepository(session).set_override(part["id"], "completed",
                                                           "Attended elsewhere")
    ctx = AppContext(session, db_path)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    page.list.selectRow(0)
    button = page.participants.certificates_button
    assert not button.isEnabled()
    last = (today + timedelta(days=1))
    assert "once the training is over" in button.toolTip()
    assert format_date(last.isoformat()) in button.toolTip()
    assert "once the training is over" in _refusal(lambda: print_certificates(
        session, [part["id"]], tmp_path / "certs.pdf"))["certificate_date"]
    assert not (tmp_path / "certs.pdf").exists()
    assert tr.TrainingParticipantRepository(session).get(part["id"])["certificate_number"] is None


def test_an_empty_training_list_says_what_to_do_next(qtbot, session, db_path):
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.show()
    assert page.list_box.showing_empty()
    assert "No trainings yet" in page.empty.message()
    assert page.empty.button.text() == "New training (Ctrl+N)"


def test_the_summary_counts_with_the_noun_form_of_each_number(qtbot, session, db_path):
    ev = h.event(session, course="siyb", sessions=1, start=date(2026, 3, 2))
    for family, given, sex in (("Karimov", "Jamshid", "male"), ("Saidov", "Anvar", "male"),
                               ("Rahimova", "Nigora", "female")):
        ts.add_participant(session, ev["id"], h.person(session, family, given, sex=sex)["id"])
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.list.selectRow(0)
    text = page.participants.totals.text()
    assert text.startswith("3 participants (1 woman, 33%), 0 completed"), text
    assert text.endswith("; 1 session"), text


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_courses_list_reads_whole_in_its_dialog(qtbot, session, db_path, language):
    from desktop_app.ui.trainings.dialogs import CoursesDialog
    i18n.set_language(language)
    try:
        dialog = CoursesDialog(AppContext(session, db_path))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.table._column_fitter.fit()
        table = dialog.table
        header = table.horizontalHeader()
        assert sum(header.sectionSize(c) for c in range(3)) <= table.viewport().width()
        cut = []
        for row in range(table.rowCount()):
            index = table.model().index(row, 1)
            option = QStyleOptionViewItem()
            option.initFrom(table)
            if elided_text_of(table, option, index, table.itemDelegate()):
                cut.append(index.data())
        assert not cut, cut
    finally:
        i18n.set_language("en")


def test_the_trainings_list_aligns_its_counts_right(qtbot, session, db_path):
    from desktop_app.ui.trainings.event_list import EventListModel
    h.event(session)
    model = EventListModel(session.conn)
    model.load()
    right = Qt.AlignmentFlag.AlignRight
    for column in (3, 4):
        title = model.headerData(column, Qt.Orientation.Horizontal,
                                 Qt.ItemDataRole.TextAlignmentRole)
        assert title is not None and Qt.AlignmentFlag(title) & right
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.rowCount() == 1
    cell = model.data(model.index(0, 3), Qt.ItemDataRole.TextAlignmentRole)
    assert cell is not None and Qt.AlignmentFlag(cell) & right
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is None
