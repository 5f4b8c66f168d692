"""Logging in for a command: ``--user``, ``HAMROH_USER``, ``HAMROH_PASSWORD`` or a prompt."""
from __future__ import annotations

import getpass
import os
import sys

from desktop_app.i18n import Domain
from desktop_app.store.db import DatabaseError
from desktop_app.store.security.accounts import login
from desktop_app.store.security.keys import KeyFile, KeyProblem
from desktop_app.store.session import PermissionDenied

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def ask_password(prompt: str | None = None) -> str:
    """The password from HAMROH_PASSWORD, else asked on the terminal."""
    password = os.environ.get("HAMROH_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise KeyProblem(_("A password is needed: set HAMROH_PASSWORD or run the command "
                           "in a terminal."))
    return getpass.getpass(prompt or _("Password: "))


def user_help() -> str:
    return _("user name to log in with (the password comes from HAMROH_PASSWORD or is "
             "asked for)")


def login_for_cli(args, path, migrate: bool = True):
    """A logged-in session for an encrypted ``path`` (see commands/_common.open_for_cli)."""
    user, password = credentials_for_cli(args, path)
    try:
        return login(path, user, password, migrate=migrate)
    except PermissionDenied as exc:
        raise DatabaseError(str(exc), path) from exc


def credentials_for_cli(args, path) -> tuple[str, str]:
    """The user name and password a command logs in to ``path`` with."""
    keyfile = KeyFile.for_database(path)
    user = getattr(args, "user", None) or os.environ.get("HAMROH_USER")
    demo = keyfile.demo_login()
    if user is None and demo is not None and "HAMROH_PASSWORD" not in os.environ:
        user, password = demo
    else:
        if user is None:
            names = keyfile.usernames()
            if len(names) != 1:
                raise KeyProblem(_("Several users can log in to this database: name one with "
                                   "--user."))
            user = names[0]
        password = ask_password()
    return user, password
