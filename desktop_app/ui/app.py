"""Starting the desktop application."""
from __future__ import annotations

import argparse
import locale
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app import i18n, logs, paths, preferences
from desktop_app.i18n import Domain
from desktop_app.i18n.qt import install_translator
from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.security.accounts import audit_event
from desktop_app.store.session import Session

# registers the undo of a bundle import a crash cut off, run whenever a database is opened
from desktop_app.sync import import_undo  # noqa: F401
from desktop_app.ui import excepthook, icons, style
from desktop_app.ui.context import AppContext
from desktop_app.ui.first_run import FirstRunDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.operations import DbWorker
from desktop_app.ui.security.gate import ensure_protected, open_with_login
from desktop_app.ui.security.lock import IdleLocker
from desktop_app.ui.settings import auto_lock_minutes

DOMAIN = Domain("core")
_ = DOMAIN.gettext

log = logging.getLogger(__name__)
# the packaged application's smoke test (tests/dist) closes the window after this many ms
QUIT_AFTER_ENV = "HAMROH_QUIT_AFTER_MS"


def initial_language() -> str:
    """The language chosen in Settings, else the first of the system's interface languages
    that Hamroh speaks (Qt reads them on Windows, macOS and Linux alike: Python's
    ``locale`` answers "Russian_Russia" on Windows), else English."""
    chosen = preferences.load().get("language")
    if chosen in i18n.LANGUAGES:
        return chosen
    return i18n.supported_language(QLocale.system().uiLanguages() + [locale.getlocale()[0] or ""])


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Hamroh")
    app.setOrganizationName("Hamroh")
    app.setWindowIcon(icons.app_icon())
    if style.applied(app) is None:
        style.apply(app)
    install_translator(app)
    return app


def build_context(path: Path, session: Session | None = None,
                  key: bytes | None = None) -> AppContext:
    """Open ``path`` (or use ``session``) and give it a worker: what every page receives."""
    if session is None:
        conn = open_database(path, key=key)
        session = Session(conn, default_actor(conn))
    # the worker's connection needs the key the session was unlocked with
    key = key or getattr(session, "db_key", None)

    def connect():
        return dbmod.connect(path, key)

    worker = DbWorker(connect)
    return AppContext(session, path, worker=worker, connection_factory=connect)


def _ensure_demo(path: Path) -> None:
    if path.exists() and path.stat().st_size > 0:
        return
    from desktop_app import demo  # deferred: the generators load only to create the demo
    ensure = getattr(demo, "ensure_demo_database", None)
    if ensure is not None:
        ensure(path)
        return
    args = argparse.Namespace(people=3000, office="GRM", seed=1, coordinator=False)
    demo.create_demo(path, args)


def upgrade_notice(parent: QWidget, path: Path) -> QMessageBox | None:
    """Tell, once, that this start updated the database of an earlier version (backup
    first); None when it did not."""
    result = migrations.take_upgrade(path)
    if result is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Information, _("Database updated"), _(
        "Hamroh was updated, and the database {path} was brought up to date for the new "
        "version. A copy of it as it was before was saved first:\n{backup}").format(
            path=path, backup=result.backup), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("upgrade-notice")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _quit_after_from_environment(app: QApplication) -> None:
    """``HAMROH_QUIT_AFTER_MS``: close every window after that many milliseconds, as a
    user closing the app would (the smoke test of the packaged application sets it)."""
    try:
        delay = int(os.environ.get(QUIT_AFTER_ENV, ""))
    except ValueError:
        return
    QTimer.singleShot(delay, app.closeAllWindows)


def open_main_window(db: str | Path | None = None, demo: bool = False) -> MainWindow | None:
    """Everything before the event loop: pick the database, log in, show the main window.
    None when the user cancelled (first run or login); raises DatabaseError."""
    if demo:
        path = paths.demo_database()
        _ensure_demo(path)
    elif db:
        path = Path(db)
    else:
        path = paths.default_database()
        if not path.exists():
            dialog = FirstRunDialog(path)
            if not dialog.exec():
                return None
    # security: a new database gets its administrator password (and is encrypted); every
    # database asks for a login (the demo logs in as its administrator); idle auto-lock
    if not ensure_protected(path):
        return None
    session = open_with_login(path, demo=demo)
    if session is None:
        return None
    return _start_window(path, session)


# the main windows opened after File > Log out / Switch user (kept alive here)
_windows: list[MainWindow] = []


def _start_window(path: Path, session: Session) -> MainWindow:
    ctx = build_context(path, session, key=getattr(session, "db_key", None))
    window = MainWindow(ctx)
    window.idle_locker = IdleLocker(window, ctx, minutes=auto_lock_minutes())
    window.on_switch_user = switch_user
    window.show_as_left()
    window.upgrade_notice = upgrade_notice(window, path)
    return window


def switch_user(old: MainWindow, how: str = "switch_user") -> MainWindow | None:
    """After ``old`` closed for Log out / Switch user: end its session, show the login
    window, open the main window for whoever logs in. None (and the application ends)
    when the login is cancelled."""
    app = QApplication.instance()
    path, session = old.ctx.db_path, old.ctx.session
    audit_event(session, "logout")
    session.conn.close()
    if old in _windows:
        _windows.remove(old)
    old.deleteLater()
    # the login window comes up after the main window closed: that is not the last window
    keep = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        new_session = open_with_login(path)
    finally:
        app.setQuitOnLastWindowClosed(keep)
    if new_session is None:
        app.quit()
        return None
    window = _start_window(path, new_session)
    _windows.append(window)
    return window


def run_gui(db: str | None = None, demo: bool = False) -> int:
    app = application()
    reporter = excepthook.install(logs.set_up("window"))
    i18n.set_language(initial_language())
    try:
        window = open_main_window(db, demo)
    except dbmod.DatabaseError as exc:
        QMessageBox.critical(None, _("Cannot open the database"), str(exc))
        return 2
    if window is None:
        return 1
    ctx = window.ctx
    reporter.diagnostics_source = lambda: (ctx.connection_factory, ctx.db_path)
    log.info("Main window shown")
    _quit_after_from_environment(app)
    code = app.exec()
    log.info("Main window closed (exit code %d)", code)
    return code
