"""What every command shares: opening the database named by ``--db``."""
from __future__ import annotations

import argparse

from desktop_app.i18n import _
from desktop_app.store.access import open_session
from desktop_app.store.session import Session


def add_db_argument(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--db", required=required, help=_("database file"))


def open_for_cli(args: argparse.Namespace, *, create: bool = False,
                 migrate: bool = True) -> Session:
    """Open ``args.db`` for a command (migrating it unless told not to) as its acting user."""
    return open_session(args.db, create=create, migrate=migrate)
