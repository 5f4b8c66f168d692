"""What every command shares: opening the database named by ``--db``.

An encrypted database needs a login: ``--user NAME`` (or ``HAMROH_USER``) and the password
from ``HAMROH_PASSWORD`` or asked for on the terminal. ``--user`` may be left out when only
one user can log in on the file, and for the demo database (its administrator logs in).
A plain (unencrypted) database opens as before, as its first administrator.

After the login the command is checked against the role table (``commands._rights``):
a role without the rights the command needs is refused with one sentence, before the
command reads anything.
"""
from __future__ import annotations

import argparse
import functools
import sys

from desktop_app.commands._login import ask_password, login_for_cli, user_help  # noqa: F401
from desktop_app.commands._rights import refusal
from desktop_app.i18n import Domain
from desktop_app.store.access import open_session
from desktop_app.store.db import DatabaseError
from desktop_app.store.security.keys import is_encrypted_file, known_key
from desktop_app.store.session import Session

DOMAIN = Domain("core")
_ = DOMAIN.gettext

PROG = "hamroh"


class CommandRefused(DatabaseError):
    """The logged-in user's role may not run this command (one sentence, shown as is)."""


def add_db_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--db", required=required, help=_("database file"))
    parser.add_argument("--user", default=None, help=user_help())
    # the command's words, to look up what it needs in commands._rights
    parser.set_defaults(command_words=command_words(parser))


def command_words(parser: argparse.ArgumentParser) -> str:
    """``"cases list"`` for the parser of ``hamroh cases list``."""
    words = parser.prog.split()
    return " ".join(words[1:] if words and words[0] == PROG else words)


def open_for_cli(args: argparse.Namespace, *, create: bool = False,
                 migrate: bool = True) -> Session:
    """Open ``args.db`` for a command (migrating it unless told not to) as its acting user,
    and refuse the command if the user's role lacks what it needs."""
    path = args.db
    if create or not is_encrypted_file(path) or known_key(path):
        session = open_session(path, create=create, migrate=migrate)
    else:
        session = login_for_cli(args, path, migrate=migrate)
    try:
        check_command(session, getattr(args, "command_words", None))
    except BaseException:
        session.conn.close()
        raise
    return session


def check_command(session: Session, command: str | None) -> None:
    why = refusal(session.actor.role, command)
    if why is not None:
        raise CommandRefused(why)


def with_session(handler):
    """Decorator: open ``--db`` for ``handler(args, session)`` and close it afterwards."""
    @functools.wraps(handler)
    def run(args):
        session = open_for_cli(args)
        try:
            return handler(args, session)
        finally:
            session.conn.close()
    return run


def fail(message: str, code: int = 1) -> int:
    """Print a translated error line on stderr; returns the exit code."""
    print(_("Error: {message}").format(message=message), file=sys.stderr)
    return code
