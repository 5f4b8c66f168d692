"""What every command shares: opening the database named by ``--db``.

An encrypted database needs a login: ``--user NAME`` (or ``HAMROH_USER``) and the password
from ``HAMROH_PASSWORD`` or asked for on the terminal. ``--user`` may be left out when only
one user can log in on the file, and for the demo database (its administrator logs in).
A plain (unencrypted) database opens as before, as its first administrator.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from desktop_app.i18n import _
from desktop_app.store.access import open_session
from desktop_app.store.session import Session


def add_db_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--db", required=required, help=_("database file"))
    parser.add_argument("--user", default=None,
                        help=_("user name to log in with (the password comes from "
                               "HAMROH_PASSWORD or is asked for)"))


def ask_password(prompt: str | None = None) -> str:
    """The password from HAMROH_PASSWORD, else asked on the terminal."""
    from desktop_app.store.security_keys import KeyProblem
    password = os.environ.get("HAMROH_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise KeyProblem(_("A password is needed: set HAMROH_PASSWORD or run the command "
                           "in a terminal."))
    return getpass.getpass(prompt or _("Password: "))


def open_for_cli(args: argparse.Namespace, *, create: bool = False) -> Session:
    """Open ``args.db`` for a command (migrating it if needed) as its acting user."""
    from desktop_app.store import security
    from desktop_app.store.security_keys import KeyFile, KeyProblem
    path = args.db
    if create or not security.is_encrypted_file(path) or security.known_key(path):
        return open_session(path, create=create)
    keyfile = KeyFile.for_database(path)
    user = getattr(args, "user", None) or os.environ.get("HAMROH_USER")
    demo = keyfile.demo_login()
    if user is None and demo is not None and "HAMROH_PASSWORD" not in os.environ:
        return _login(path, *demo)
    if user is None:
        names = keyfile.usernames()
        if len(names) != 1:
            raise KeyProblem(_("Several users can log in to this database: name one with "
                               "--user."))
        user = names[0]
    return _login(path, user, ask_password())


def _login(path, user: str, password: str) -> Session:
    from desktop_app.store import security
    from desktop_app.store.db import DatabaseError
    try:
        return security.login(path, user, password)
    except security.PermissionDenied as exc:
        raise DatabaseError(str(exc), path) from exc
