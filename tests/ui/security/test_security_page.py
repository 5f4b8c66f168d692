"""Login, lock, administration page and the reason dialog, clicked through offscreen."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMainWindow

from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys
from desktop_app.ui.context import AppContext
from desktop_app.ui.security.dialogs import LoginDialog, ReasonDialog, require_with_reason
from desktop_app.ui.security.lock import IdleLocker
from desktop_app.ui.security.page import SecurityPage, UserDialog, page_visible
from tests.conftest import TEST_PASSWORD


def _ctx(db_path, username="admin", password=TEST_PASSWORD):
    keys.forget_key(db_path)
    return AppContext(security.login(db_path, username, password), db_path)


def _add(db_path, username, role, password="user-pass-123"):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(admin, db_path).add_user(username, password, role)
    admin.conn.close()


def test_login_dialog_wrong_then_right_password(qtbot, db_path):
    keys.forget_key(db_path)
    dialog = LoginDialog(db_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    assert dialog.session is None and not dialog.error.isHidden()
    assert "wrong" in dialog.error.text() and dialog.password.text() == ""
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session.actor.username == "admin"


def test_first_login_forces_a_new_password(qtbot, db_path):
    _add(db_path, "nilufar", "case_worker", "first-pass-123")
    keys.forget_key(db_path)
    dialog = LoginDialog(db_path, username="nilufar")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.password, "first-pass-123")

    def choose():
        change = QApplication.activeModalWidget()
        change.findChild(QLineEdit, "new").setText("my-own-pass-1")
        change.findChild(QLineEdit, "repeat").setText("my-own-pass-1")
        change.save()
    QTimer.singleShot(50, choose)
    dialog.try_login()
    assert dialog.session is not None and not security.must_change_password(dialog.session)
    dialog.session.conn.close()
    keys.forget_key(db_path)
    assert security.login(db_path, "nilufar", "my-own-pass-1").actor.role == "case_worker"


def test_admin_adds_user_through_page(qtbot, db_path):
    ctx = _ctx(db_path)
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    assert page.users is not None and page.audit is not None

    def fill():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, UserDialog)
        qtbot.keyClicks(dialog.username, "sabohat")
        dialog.display_name.setText("Сабоҳат Раҳимова")   # keyClicks is ASCII only
        dialog.role.setCurrentIndex(dialog.role.findData("inspector"))
        qtbot.keyClicks(dialog.password, "inspector-pass-1")
        dialog.accept()
    QTimer.singleShot(50, fill)
    qtbot.mouseClick(page.users.add_button, Qt.MouseButton.LeftButton)
    names = [page.users.table.item(r, 0).text() for r in range(page.users.table.rowCount())]
    assert "sabohat" in names
    row = names.index("sabohat")
    assert page.users.table.item(row, 2).text() == "Labour inspector"
    keys.forget_key(db_path)
    assert security.login(db_path, "sabohat", "inspector-pass-1").actor.role == "inspector"


def test_field_officer_does_not_see_administration(qtbot, db_path):
    _add(db_path, "farhod", "field_officer")
    ctx = _ctx(db_path, "farhod", "user-pass-123")
    assert not page_visible(ctx)
    assert not ctx.can("manage_users", "app_user")
    assert ctx.can("create", "person")


def test_coordinator_sees_audit_but_not_users(qtbot, db_path):
    _add(db_path, "coord", "coordinator")
    ctx = _ctx(db_path, "coord", "user-pass-123")
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    assert page.users is None and page.audit is not None
    assert page.tabs.count() == 2
    page.audit.action.setCurrentIndex(page.audit.action.findData("login"))
    qtbot.mouseClick(page.audit.apply_button, Qt.MouseButton.LeftButton)
    actions = {page.audit.table.item(r, 2).text() for r in range(page.audit.table.rowCount())}
    assert actions == {"Logged in"}
    qtbot.mouseClick(page.audit.verify_button, Qt.MouseButton.LeftButton)
    assert "intact" in page.audit.status.text()


def test_auto_lock_keeps_work_and_needs_password(qtbot, db_path):
    ctx = _ctx(db_path)
    window = QMainWindow()
    editor = QLineEdit()
    window.setCentralWidget(editor)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(editor, "unsaved note")
    locker = IdleLocker(window, ctx, minutes=0.001)
    qtbot.waitUntil(lambda: locker.locked, timeout=3000)
    assert not editor.isEnabled()
    overlay = locker.overlay
    qtbot.keyClicks(overlay.password, "wrong-password")
    qtbot.keyClick(overlay.password, Qt.Key.Key_Return)
    assert locker.locked and overlay.error.text()
    locker.set_minutes(60)
    qtbot.keyClicks(overlay.password, TEST_PASSWORD)
    qtbot.mouseClick(overlay.unlock_button, Qt.MouseButton.LeftButton)
    assert not locker.locked and editor.isEnabled() and editor.text() == "unsaved note"
    actions = [r[0] for r in ctx.conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[-2:] == ["failed_unlock", "unlock"]


def test_reason_dialog_logs_view_of_sensitive_case(qtbot, db_path):
    _add(db_path, "worker2", "case_worker")
    ctx = _ctx(db_path, "worker2", "user-pass-123")
    row = {"id": "case-9", "office_id": ctx.actor.office_id, "sensitive": 1,
           "assigned_to": "someone-else", "category": "wage_theft"}

    def cancel():
        QApplication.activeModalWidget().reject()
    QTimer.singleShot(50, cancel)
    assert not require_with_reason(ctx, "view_detail", "hotline_case", row)

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReasonDialog)
        qtbot.keyClicks(dialog.reason, "Covering for Malika today")
        dialog._check()
    QTimer.singleShot(50, answer)
    assert require_with_reason(ctx, "view_detail", "hotline_case", row)
    logged = ctx.conn.execute("SELECT detail FROM audit_log WHERE action='view_sensitive'"
                              ).fetchall()
    assert logged == [('{"reason":"Covering for Malika today"}',)]


def test_expired_consents_tab(qtbot, db_path):
    from desktop_app.store.security.consent import ConsentRepository
    ctx = _ctx(db_path)
    person = PersonRepository(ctx.session).create(dict(family_name="Ғафурова",
                                                       given_name="Мавзуна"))
    ConsentRepository(ctx.session).create(dict(person_id=person["id"], scope="sharing",
                                               consent_date="2023-01-01",
                                               expiry_date="2024-01-01"))
    page = SecurityPage(ctx)
    qtbot.addWidget(page)
    table = page.consents.table
    assert table.rowCount() == 1 and table.item(0, 2).text() == "Ғафурова Мавзуна"
    assert table.item(0, 1).text() == "Sharing with other offices"


def test_first_run_database_gets_password_and_is_encrypted(qtbot, tmp_path):
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    from desktop_app.ui.security.gate import ensure_protected, open_with_login
    path = tmp_path / "new.db"
    conn = open_database(path, create=True)
    initialise(conn, office_code="KHJ", office_name="Khujand", admin_username="malika")
    conn.close()

    def fill():
        dialog = QApplication.activeModalWidget()
        dialog.quiet = True
        qtbot.keyClicks(dialog.new, "khujand-pass-1")
        qtbot.keyClicks(dialog.repeat, "khujand-pass-1")
        dialog.save()
    QTimer.singleShot(50, fill)
    assert ensure_protected(path)
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert not list((tmp_path / "backups").glob("*"))       # no plain copy left behind
    assert ensure_protected(path)                            # encrypted: nothing to ask
    keys.forget_key(path)

    def log_in():
        dialog = QApplication.activeModalWidget()
        qtbot.keyClicks(dialog.username, "malika")
        qtbot.keyClicks(dialog.password, "khujand-pass-1")
        dialog.try_login()
    QTimer.singleShot(50, log_in)
    session = open_with_login(path)
    assert session.actor.username == "malika" and session.actor.role == "administrator"


def test_person_consent_section_records_exports_and_erases(qtbot, db_path, tmp_path):
    from desktop_app.store.security.consent import has_consent
    from desktop_app.ui.pages import discover_person_sections
    ctx = _ctx(db_path)
    person = PersonRepository(ctx.session).create(dict(family_name="Raximova",
                                                       given_name="Dilbar"))
    spec = next(s for s in discover_person_sections() if s.key == "consent")
    section = spec.factory(ctx, [person["id"]])
    qtbot.addWidget(section)
    section.show()
    assert section.export_button.isVisible() and section.erase_button.isVisible()
    section.scope.setCurrentIndex(section.scope.findData("referral"))
    section.given.setDate(section.given.date().addDays(-3))
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    assert section.table.rowCount() == 1
    assert section.table.item(0, 0).text() == "Referral to another organisation"
    assert has_consent(ctx.conn, person["id"], "referral")
    section.table.selectRow(0)
    qtbot.mouseClick(section.withdraw_button, Qt.MouseButton.LeftButton)
    assert not has_consent(ctx.conn, person["id"], "referral")
    out = tmp_path / "dilbar.json"
    section.export(str(out))
    assert "Raximova" in out.read_text(encoding="utf-8")
    assert section.erase("Asked at the office in writing")
    assert PersonRepository(ctx.session).get(person["id"])["family_name"] == "—"


def test_person_section_hides_rights_from_a_loan_officer(qtbot, db_path):
    from desktop_app.ui.security.consent_section import ConsentSection
    _add(db_path, "lola", "loan_officer")
    ctx = _ctx(db_path, "lola", "user-pass-123")
    person = PersonRepository(ctx.session).create(dict(family_name="Aliev", given_name="Said"))
    section = ConsentSection(ctx, [person["id"]])
    qtbot.addWidget(section)
    section.show()
    assert section.add_button.isVisible()            # people and consents: office
    assert not section.export_button.isVisible() and not section.erase_button.isVisible()


def test_run_gui_on_demo_logs_in_as_administrator_with_auto_lock(qtbot, tmp_path,
                                                                monkeypatch):
    from desktop_app import demo, paths
    from desktop_app.ui import app as app_module
    path = tmp_path / "demo.db"
    monkeypatch.setattr(paths, "demo_database", lambda: path)
    real = demo.ensure_demo_database
    monkeypatch.setattr(demo, "ensure_demo_database",
                        lambda p: real(p, people=15, cases=3, trainings=1, loans=2))
    shown = {}

    def fake_exec(self=None):
        window = next(w for w in QApplication.topLevelWidgets()
                      if w.__class__.__name__ == "MainWindow" and w.isVisible())
        shown["actor"] = window.ctx.actor
        shown["locker"] = getattr(window, "idle_locker", None)
        shown["pages"] = [s.key for s in window.specs]
        window.close()
        return 0
    monkeypatch.setattr(app_module, "application", lambda: type(
        "FakeApp", (), {"exec": fake_exec})())
    assert app_module.run_gui(demo=True) == 0
    assert shown["actor"].username == "admin" and shown["actor"].role == "administrator"
    assert isinstance(shown["locker"], IdleLocker)
    assert "security" in shown["pages"]
    assert not path.read_bytes().startswith(b"SQLite format 3")
