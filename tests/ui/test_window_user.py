"""The main window as a user meets it: the menu, who is logged in, the window's size."""
import pytest
import shiboken6
from PySide6.QtGui import QKeySequence

from desktop_app import i18n
from desktop_app.ui.main_window import MainWindow


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_quit_shows_ctrl_q_in_every_language(qtbot, ctx, language):
    i18n.set_language(language)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shown = window.quit_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert shown == "Ctrl+Q"


def _answer_login(username: str, password: str, seen: list) -> None:
    """Fill the next login window from a timer (it runs modal)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.security.dialogs import LoginDialog

    def fill() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, LoginDialog):
            QTimer.singleShot(20, fill)
            return
        seen.append(modal.username.text())
        modal.username.setText(username)
        modal.password.setText(password)
        modal.try_login()
    QTimer.singleShot(0, fill)


def _first_window(qtbot, db_path, switching=False):
    from desktop_app.store.security.accounts import login
    from desktop_app.ui import app
    from tests.conftest import TEST_PASSWORD
    window = app._start_window(db_path, login(db_path, "admin", TEST_PASSWORD))
    if not switching:   # a window closed by Switch user is deleted: qtbot must not close it
        qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("language", ["en", "tg"])
def test_who_is_logged_in_shows_in_the_status_bar(qtbot, db_path, language):
    i18n.set_language(language)
    window = _first_window(qtbot, db_path)
    from desktop_app.ui.security.roles import role_label
    actor = window.ctx.actor
    text = window.user_label.text()
    assert (actor.display_name or actor.username) in text
    assert role_label("administrator") in text
    assert window.user_label.isVisible()
    window.close()


def test_switch_user_from_the_file_menu_opens_the_window_of_the_next_user(qtbot, db_path):
    from desktop_app.store.security.accounts import UserAdmin, login
    from desktop_app.ui import app
    from tests.conftest import TEST_PASSWORD
    admin = login(db_path, "admin", TEST_PASSWORD)
    UserAdmin(admin, db_path).add_user("nigora", "field-password-1", "field_officer",
                                       "Nigora Saidova")
    # she has chosen her own password already (a first login asks for one)
    admin.conn.execute("UPDATE user_credential SET must_change=0")
    admin.conn.close()
    window = _first_window(qtbot, db_path, switching=True)
    assert window.switch_user_action in window.file_menu.actions()
    assert window.log_out_action in window.file_menu.actions()
    seen: list = []
    _answer_login("nigora", "field-password-1", seen)
    window.switch_user_action.trigger()
    assert seen == [""]
    new = app._windows[-1]
    qtbot.addWidget(new)
    assert new is not window
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))
    assert new.ctx.actor.username == "nigora"
    assert "Nigora Saidova" in new.user_label.text()
    actions = [row[0] for row in new.ctx.conn.execute(
        "SELECT action FROM audit_log ORDER BY rowid")]
    assert "logout" in actions
    new.close()


def test_the_lock_screen_offers_switch_user(qtbot, db_path):
    from desktop_app.ui import app
    from tests.conftest import TEST_PASSWORD
    window = _first_window(qtbot, db_path, switching=True)
    window.idle_locker.lock()
    button = window.idle_locker.overlay.switch_button
    assert button.isVisible() and button.text() == "Switch user…"
    seen: list = []
    _answer_login("admin", TEST_PASSWORD, seen)
    button.click()
    assert app._windows[-1] is not window
    qtbot.addWidget(app._windows[-1])
    app._windows[-1].close()


def test_the_main_window_opens_maximised_then_as_it_was_left(qtbot, db_path):
    from desktop_app import preferences
    preferences.save({"window": None})
    window = _first_window(qtbot, db_path)
    assert window.isMaximized()
    window.showNormal()
    window.setGeometry(100, 80, 1000, 600)
    window.close()
    again = _first_window(qtbot, db_path)
    assert not again.isMaximized()
    assert (again.width(), again.height()) == (1000, 600)
    again.close()


def test_pages_out_of_sight_refresh_when_shown_not_after_every_save(qtbot, ctx):
    from PySide6.QtWidgets import QWidget

    from desktop_app.ui.pages import PageSpec
    refreshed = []

    class Page(QWidget):
        def __init__(self, key):
            super().__init__()
            self.key = key

        def refresh(self):
            refreshed.append(self.key)

    specs = [PageSpec(key=k, order=n, title=lambda k=k: k, factory=lambda c, k=k: Page(k))
             for n, k in enumerate(("one", "two"))]
    window = MainWindow(ctx, pages=specs)
    qtbot.addWidget(window)
    window.show_page("two")
    window.show_page("one")
    refreshed.clear()
    ctx.data_changed.emit("person")
    assert refreshed == []              # "two" is out of sight: nothing runs now
    window.show_page("two")
    assert refreshed == ["two"]
    window.show_page("one")
    assert refreshed == ["two"]         # "one" saw the change while on screen
