"""`hamroh db migrate|check|backup|dump|compact`: database maintenance."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.commands._login import credentials_for_cli
from desktop_app.i18n import Domain, format_number
from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.cases import search as cases_search
from desktop_app.store.db import CorruptDatabase, DatabaseError, NotAHamrohDatabase, backup_to
from desktop_app.store.migrations import backup_file, key_file_copied
from desktop_app.store.people.repositories import rebuild_search
from desktop_app.store.reference import ensure_reference
from desktop_app.store.security.keys import KeyFile, is_encrypted_file
from desktop_app.store.sync_state.changes import compact_creations
from desktop_app.sync.dump import dump as dump_records
from desktop_app.sync.scope import synced_tables

DOMAIN = Domain("core")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help=_("database maintenance"))
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, helptext, handler in (
            ("migrate", _("apply schema updates (the file is backed up first)"), migrate),
            ("check", _("check integrity and schema, and say what is wrong"), check),
            ("backup", _("copy the database to a backup file"), backup),
            ("dump", _("print every synced record as sorted JSON Lines"), dump),
            ("compact", _("give the space of deleted and rewritten data back to the disk"),
             compact),
            ("repair-search", _("rebuild the search indexes of people and cases"),
             repair_search)):
        sub = actions.add_parser(name, help=helptext)
        add_db_argument(sub)
        if name == "backup":
            sub.add_argument("--to", help=_("backup file (default: backups/ beside the database)"))
        sub.set_defaults(handler=handler)


def migrate(args) -> int:
    """Apply pending schema updates, then create again the indexes and triggers of this
    version that are missing or were changed (each with a backup of the file first)."""
    # Open without migrating to report what is pending, then migrate with a backup.
    session = open_for_cli(args, migrate=False)
    conn = session.conn
    todo = migrations.pending(conn)
    if todo:
        result = migrations.migrate(conn, Path(args.db), backup=True)
        ensure_reference(conn)
        print(ngettext("Applied {count} update: {names}.", "Applied {count} updates: {names}.",
                       len(result.applied)).format(count=format_number(len(result.applied)),
                                                    names=", ".join(result.applied)))
        if result.backup:
            print(_("Backup of the previous file: {path}").format(path=result.backup))
    restored = _restore_schema_objects(session, Path(args.db), backed_up=bool(todo))
    if not todo and not restored:
        print(_("The database is up to date."))
    return 0


def _restore_schema_objects(session, path: Path, backed_up: bool) -> list[str]:
    from desktop_app.store import checks  # deferred: sqlite_utils, 0.17 s
    todo = checks.schema_objects_to_restore(session.conn, checks.expected_schema())
    if not todo:
        return []
    if not backed_up:
        print(_("Backup of the previous file: {path}").format(
            path=backup_file(path, session.conn)))
    names = sorted(todo)
    with session.transaction():
        checks.restore_schema_objects(session.conn, todo)
        session.log("db_restore_schema", detail={"restored": names})
    print(ngettext("Restored {count} index or trigger: {names}.",
                   "Restored {count} indexes and triggers: {names}.",
                   len(names)).format(count=format_number(len(names)), names=", ".join(names)))
    return names


def check(args) -> int:
    """Problems in plain words; a damaged file (it does not open, or SQLite finds it
    malformed while checking) is reported in one sentence naming the newest backup that
    opens."""
    from desktop_app.store import checks  # deferred: sqlite_utils, 0.17 s
    path = Path(args.db)
    try:
        session = open_for_cli(args, migrate=False)
    except (NotAHamrohDatabase, CorruptDatabase, dbmod.Error) as exc:
        if dbmod.user_error(exc) is not None or not (
                isinstance(exc, DatabaseError) or dbmod.is_damage(exc)):
            raise
        print(checks.damage_report(path, exc, _key_after_failed_open(args, path)))
        return 1
    try:
        damage = [line.strip() for problem in dbmod.integrity_problems(session.conn)
                  for line in problem.splitlines()
                  if line.strip() and not line.startswith("***")]
        if damage:
            print(checks.damage_report(path, ngettext(
                "SQLite found {count} damaged place, the first: {first}",
                "SQLite found {count} damaged places, the first: {first}",
                len(damage)).format(count=format_number(len(damage)),
                                    first=damage[0]), dbmod.known_key(path)))
            return 1
        problems = checks.check_database(session.conn)
    except dbmod.Error as exc:
        if not dbmod.is_damage(exc):
            raise
        print(checks.damage_report(path, exc, dbmod.known_key(path)))
        return 1
    finally:
        session.conn.close()
    if not problems:
        print(_("No problems found in {path}.").format(path=args.db))
        return 0
    print(ngettext("{count} problem found in {path}:", "{count} problems found in {path}:",
                   len(problems)).format(count=format_number(len(problems)), path=args.db))
    for problem in problems:
        print(" - " + problem)
    return 1


def _key_after_failed_open(args, path: Path) -> bytes | None:
    """The database key, to check backups with, when the database itself did not open."""
    key = dbmod.known_key(path)
    if key is not None or not is_encrypted_file(path) or not KeyFile.exists_for(path):
        return key
    try:
        user, password = credentials_for_cli(args, path)
        return KeyFile.for_database(path).unlock(user, password).key
    except DatabaseError:
        return None


def backup(args) -> int:
    """A complete copy or nothing: built under a temporary name, flushed, renamed; an
    encrypted database's key file is copied beside it (``FILE.keys``) first."""
    session = open_for_cli(args, migrate=False)
    try:
        if args.to:
            with key_file_copied(Path(args.db), Path(args.to)):
                target = backup_to(session.conn, args.to)
        else:
            target = backup_file(Path(args.db), session.conn, "backup")
    finally:
        session.conn.close()
    print(_("Backup written to {path}.").format(path=target))
    return 0


def dump(args) -> int:
    session = open_for_cli(args, migrate=False)
    dump_records(session.conn, sys.stdout)
    return 0


def compact(args) -> int:
    """First the change log: entries that still hold a full copy of a created record
    whose row holds the same values lose the copy (one transaction: a crash leaves the log
    as it was; ``store.sync_state.changes.compact_creations``). Then VACUUM: SQLite keeps
    freed pages for reuse; this writes the file anew without them.

    SQLite first builds a temporary copy of the live data (on disk beside the database, not
    in memory: the connection's temp_store is MEMORY and a database can be many gigabytes),
    then writes it back through the write-ahead log, so it needs about twice the live data
    in free space. A crash part way leaves the old contents.
    """
    session = open_for_cli(args, migrate=False)
    path = Path(args.db)
    conn = session.conn
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    free_pages = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_before = path.stat().st_size
    needed = 2 * (size_before - free_pages * page_size)
    if shutil.disk_usage(path.parent).free < needed:
        print(_("Not enough free disk space to compact {path}: about {needed} MB are needed.")
              .format(path=path, needed=format_number(needed // 1_000_000 + 1)), file=sys.stderr)
        return 1
    print(_("Compacting {path} ({size} MB); this can take a few minutes on a large "
            "database.").format(path=path,
                                size=format_number(size_before // 1_000_000)), flush=True)
    _compact_change_log(session)
    print(_("Step 2 of 2: writing the file anew without the free space."), flush=True)
    previous_tmpdir = os.environ.get("SQLITE_TMPDIR")
    os.environ["SQLITE_TMPDIR"] = str(path.resolve().parent)
    conn.execute("PRAGMA temp_store = FILE")
    try:
        conn.execute("VACUUM")
    finally:
        conn.execute("PRAGMA temp_store = MEMORY")
        if previous_tmpdir is None:
            os.environ.pop("SQLITE_TMPDIR", None)
        else:
            os.environ["SQLITE_TMPDIR"] = previous_tmpdir
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size_after = path.stat().st_size
    print(_("Done: {before} MB before, {after} MB now.").format(
        before=format_number(size_before // 1_000_000),
        after=format_number(size_after // 1_000_000)))
    return 0


def _compact_change_log(session) -> None:
    if session.conn.execute("SELECT 1 FROM sqlite_master WHERE name='change_entry'"
                            ).fetchone() is None:
        return      # not migrated yet (hamroh db migrate): the file is compacted as it is
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent // 10 != shown[0] // 10 or done == total:
            shown[0] = percent
            print(_("Step 1 of 2, the change log: {done} of {total} entries checked "
                    "({percent} %).").format(done=format_number(done), total=format_number(total),
                                        percent=percent),
                  flush=True)

    with session.transaction():
        freed = compact_creations(session.conn, synced_tables(session.conn), progress=progress)
        session.log("db_compact", detail={"change_log_copies_freed": freed})
    print(ngettext("{count} change-log entry no longer copies its record.",
                   "{count} change-log entries no longer copy their record.",
                   freed).format(count=format_number(freed)), flush=True)


def repair_search(args) -> int:
    """Rebuild the derived search data (people's keys and full-text rows, the case index)
    in one transaction: a failure leaves the old indexes."""
    from desktop_app.store.checks import search_index_problems  # deferred: sqlite_utils, 0.17 s
    session = open_for_cli(args, migrate=False)

    def progress(what):
        return lambda done, total: print(_("{what}: {done} of {total}").format(
            what=what, done=format_number(done), total=format_number(total)), flush=True)

    with session.transaction():
        people = rebuild_search(session.conn, progress(_("people")))
        cases = cases_search.rebuild(session.conn, progress(_("cases")))
        session.log("repair_search", detail={"people": people, "cases": cases})
    print(_("Search indexes rebuilt (people: {people}, cases: {cases}).").format(
        people=format_number(people), cases=format_number(cases)))
    return 1 if search_index_problems(session.conn) else 0
