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

from desktop_app.store.access import open_database, open_session
from desktop_app.store.security import accounts as security
from desktop_app.store.security.keys import KeyFile, is_encrypted_file, known_key

# the administrator's session right after choosing the first password (ensure_protected),
# taken by the next open_with_login of that file
_just_protected: dict[Path, object] = {}


def open_with_login(db_path, *, demo: bool = False, parent=None, username: str = ""):
    """A logged-in Session for ``db_path``, or None when the user cancels.

    Plain (unencrypted) databases open as before, as their first administrator. The demo
    database logs in as its administrator without asking (its password is published).
    """
    path = Path(db_path)
    if not is_encrypted_file(path):
        return open_session(path)
    just_made = _just_protected.pop(path.resolve(), None)
    if just_made is not None and known_key(path) is not None:
        return just_made    # the password was chosen a moment ago: no second login
    if demo:
        login = KeyFile.for_database(path).demo_login()
        if login is not None:
            return security.login(path, *login)
    dialog = LoginDialog(path, parent, username=username)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.session


from desktop_app.ui.security.dialogs import LoginDialog  # noqa: E402


def ensure_protected(db_path, parent=None) -> bool:
    """A plain database with no personal data yet (just made by the first-run dialog) is
    encrypted now, with a password for its administrator; False when the user cancels.

    A plain database that already holds records is left alone here: encrypting it is an
    administrator's decision (``hamroh security encrypt``, which keeps a backup).
    """
    path = Path(db_path)
    if not path.exists() or is_encrypted_file(path):
        return True
    conn = open_database(path)
    try:
        people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
        admin = conn.execute("SELECT username FROM app_user WHERE role='administrator' AND "
                             "active=1 AND deleted=0 ORDER BY created_at LIMIT 1").fetchone()
    finally:
        conn.close()
    if people or admin is None:
        return True
    dialog = FirstPasswordDialog(path, admin[0], parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if dialog.session is not None:
        _just_protected[path.resolve()] = dialog.session
    return True


from desktop_app.ui.security.dialogs import FirstPasswordDialog  # noqa: E402
