"""``hamroh demo``: create a demo database that looks like a real district's register."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from desktop_app import demo
from desktop_app.i18n import Domain
from desktop_app.store.db import DatabaseError

DOMAIN = Domain("people")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help=_("create a demo database"),
        description=_("Create a new demo database filled with realistic people, cases, "
                      "trainings and loans. An existing file is never overwritten."))
    parser.add_argument("--db", required=True, help=_("database file to create"))
    parser.add_argument("--office", metavar="CODE",
                        help=_("office code of the demo database (default GRM, Gharm JRC)"))
    parser.add_argument("--seed", type=int, default=1,
                        help=_("random seed: the same seed gives the same people"))
    parser.add_argument("--coordinator", action="store_true",
                        help=_("make a national coordinator's database"))
    demo.add_arguments(parser)
    parser.set_defaults(handler=run)


class StderrProgress:
    """Progress lines on stderr, at most a few per second."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and done and now - self.last < 0.5:
            return
        self.last = now
        print(_("{stage}: {done} of {total} ({seconds:.0f} s)").format(
            stage=stage, done=done, total=total, seconds=now - self.started),
            file=self.stream, flush=True)


def run(args: argparse.Namespace) -> int:
    path = Path(args.db)
    if args.office is not None:
        args.office = args.office.upper()
    if path.exists() and path.stat().st_size > 0:
        print(_("{path} already exists. Choose another file name, or move the file away "
                "first: the demo never overwrites a database.").format(path=path),
              file=sys.stderr)
        return 1
    if path.parent and not path.parent.exists():
        print(_("The folder {folder} does not exist.").format(folder=path.parent),
              file=sys.stderr)
        return 1
    try:
        session = demo.create_demo(path, args, progress=StderrProgress())
    except ValueError as exc:
        _remove(path)
        print(_("The demo database could not be created: {reason}").format(reason=exc),
              file=sys.stderr)
        return 1
    except (DatabaseError, KeyboardInterrupt):
        _remove(path)
        raise
    counts = {table: session.conn.execute(
        f"SELECT count(*) FROM {table} WHERE deleted=0").fetchone()[0]
        for table in ("person", "migration_episode")}
    session.conn.close()
    print(_("Demo database created: {path} ({people} people, {episodes} migration "
            "episodes).").format(path=path, people=counts["person"],
                                 episodes=counts["migration_episode"]), file=sys.stderr)
    return 0


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
