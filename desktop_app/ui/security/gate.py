"""What the app runs before the main window: log in (or auto-login on the demo).

``ui/app.py`` (the GUI bootstrap) calls::

    session = open_with_login(db_path, demo=args.demo)
    if session is None: return 0            # the user cancelled the login
    ctx = AppContext(session, db_path, ...)
    window = MainWindow(ctx); locker = IdleLocker(window, ctx)
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog

from desktop_app.store import security
from desktop_app.store.access import open_session
from desktop_app.store.security_keys import KeyFile


def open_with_login(db_path, *, demo: bool = False, parent=None, username: str = ""):
    """A logged-in Session for ``db_path``, or None when the user cancels.

    Plain (unencrypted) databases open as before, as their first administrator. The demo
    database logs in as its administrator without asking (its password is published).
    """
    path = Path(db_path)
    if not security.is_encrypted_file(path):
        return open_session(path)
    if demo:
        login = KeyFile.for_database(path).demo_login()
        if login is not None:
            return security.login(path, *login)
    dialog = LoginDialog(path, parent, username=username)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.session


from desktop_app.ui.security.dialogs import LoginDialog  # noqa: E402
