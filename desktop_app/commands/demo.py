"""``hamroh demo``: create a demo database that looks like a real district's register."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from desktop_app import demo
from desktop_app.i18n import Domain, format_number
from desktop_app.store import files
from desktop_app.store.security.keys import (
    KeyFile,
    KeyProblem,
    forget_key,
    key_file_for,
    known_key,
    remember_key,
)

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
            stage=stage, done=format_number(done), total=format_number(total),
            seconds=now - self.started),
            file=self.stream, flush=True)


def run(args: argparse.Namespace) -> int:
    """Build the demo under a temporary name beside ``--db`` and move it into place when
    complete: a crash or a kill at any moment leaves either no demo or a whole one."""
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
    _remove_leftovers(path)
    if key_file_for(path).exists():
        print(_("{keys} already exists: it may belong to a database kept elsewhere. Move it "
                "away first, or choose another file name.").format(keys=key_file_for(path)),
              file=sys.stderr)
        return 1
    building = files.temporary_name(path)
    try:
        session = demo.create_demo(building, args, progress=StderrProgress())
        counts = {table: session.conn.execute(
            f"SELECT count(*) FROM {table} WHERE deleted=0").fetchone()[0]
            for table in ("person", "migration_episode")}
        session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        session.conn.close()
        _move_into_place(building, path)
    except ValueError as exc:
        _remove(building)
        print(_("The demo database could not be created: {reason}").format(reason=exc),
              file=sys.stderr)
        return 1
    except BaseException:
        _remove(building)
        raise
    print(_("Demo database created: {path} ({people} people, {episodes} migration "
            "episodes).").format(path=path, people=format_number(counts["person"]),
                                 episodes=format_number(counts["migration_episode"])),
          file=sys.stderr)
    return 0


def _move_into_place(building: Path, path: Path) -> None:
    """Flush the finished database and its key file, then rename both: the key file first,
    so that the database never appears without it."""
    key = known_key(building)
    wal = Path(f"{building}-wal")
    if wal.exists() and wal.stat().st_size:
        raise RuntimeError(f"{wal} still holds changes after the last connection closed")
    for side in (wal, Path(f"{building}-shm")):
        side.unlink(missing_ok=True)
    built_keys = key_file_for(building)
    files.fsync_file(building)
    if built_keys.exists():
        files.fsync_file(built_keys)
        files.replace(built_keys, key_file_for(path))
    files.replace(building, path)
    # the key file's lock of the temporary name (taken while the demo was signed)
    Path(f"{built_keys}.lock").unlink(missing_ok=True)
    forget_key(building)
    if key is not None:
        remember_key(path, key)


def _remove_leftovers(path: Path) -> None:
    """What a killed earlier run left: its temporary database, journal and key file, and
    a demo key file without its database (a demo's key file protects nothing: its
    password is published)."""
    # .<name>.<random>.tmp (and -wal, -shm, .keys), and the temporary key file of that
    for pattern in (f".{path.name}.*{files.TMP_SUFFIX}*", f"..{path.name}.*{files.TMP_SUFFIX}"):
        for leftover in path.parent.glob(pattern):
            leftover.unlink(missing_ok=True)
    orphan = key_file_for(path)
    if not path.exists() and orphan.exists():
        try:
            is_demo = KeyFile.load(orphan).demo_login() is not None
        except KeyProblem:
            is_demo = False
        if is_demo:
            orphan.unlink()


def _remove(path: Path) -> None:
    forget_key(path)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), key_file_for(path),
                     Path(f"{key_file_for(path)}.lock")):
        leftover.unlink(missing_ok=True)
