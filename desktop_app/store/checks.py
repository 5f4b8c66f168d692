"""`hamroh db check`: integrity and schema checks, in plain words."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from desktop_app.i18n import Domain, format_number
from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.audit import verify_chain
from desktop_app.store.cases import search as cases_search
from desktop_app.store.loans import balance_cache

DOMAIN = Domain("core")
_ = DOMAIN.gettext


def _schema(conn) -> dict[str, set[str]]:
    database = sqlite_utils.Database(conn)
    found: dict[str, set[str]] = {}
    for table in database.table_names():
        if "_" in table and table.startswith("person_search"):
            continue
        found[table] = {c.name for c in database[table].columns}
    return found


def _objects(conn, kind: str) -> dict[str, str]:
    """Name -> SQL text of the file's own indexes or triggers (not those SQLite makes for
    constraints, which have no SQL)."""
    return dict(conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type=? AND sql IS NOT NULL", (kind,)))


def _same(sql: str | None, other: str) -> bool:
    return sql is not None and sql.split() == other.split()


@dataclass
class ExpectedSchema:
    """What this version's migrations make: each table's columns, and the SQL of every
    index and trigger."""
    tables: dict[str, set[str]]
    index_sql: dict[str, str]
    trigger_sql: dict[str, str]


def expected_schema() -> ExpectedSchema:
    """The schema a database gets from this version's migrations."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "expected.db"
        conn = dbmod.connect(path, create=True)
        try:
            migrations.migrate(conn, path, backup=False)
            return ExpectedSchema(_schema(conn), _objects(conn, "index"),
                                  _objects(conn, "trigger"))
        finally:
            conn.close()


def trigger_problems(conn, expected: ExpectedSchema) -> list[str]:
    """Triggers of this version missing or rewritten. They keep the Home page's loan
    figures and the cases' search keys up to date: without one, those go out of step
    with no error anywhere."""
    actual = _objects(conn, "trigger")
    problems = []
    for name, sql in sorted(expected.trigger_sql.items()):
        if name not in actual:
            problems.append(_(
                "The trigger {trigger}, which keeps figures or search keys up to date, is "
                "missing; run 'hamroh db migrate' to restore it.").format(trigger=name))
        elif not _same(actual[name], sql):
            problems.append(_(
                "The trigger {trigger}, which keeps figures or search keys up to date, was "
                "changed; run 'hamroh db migrate' to restore it.").format(trigger=name))
    return problems


def schema_objects_to_restore(conn, expected: ExpectedSchema) -> dict[str, tuple[str, str]]:
    """Name -> (``index`` or ``trigger``, SQL) of this version's indexes that are missing
    and triggers that are missing or differ."""
    indexes, triggers = _objects(conn, "index"), _objects(conn, "trigger")
    todo = {name: ("index", sql) for name, sql in expected.index_sql.items()
            if name not in indexes}
    todo.update((name, ("trigger", sql)) for name, sql in expected.trigger_sql.items()
                if not _same(triggers.get(name), sql))
    return todo


def restore_schema_objects(conn, todo: dict[str, tuple[str, str]]) -> None:
    """Create the indexes and triggers of ``todo`` again (inside the caller's transaction).
    What a missing trigger kept went out of step: the kept loan figures are emptied (the
    Home page computes them again) and the cases' search keys are rebuilt."""
    present = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger', 'table')")}
    for name, (kind, sql) in sorted(todo.items()):
        if name in present:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.execute(sql)
    if any(kind == "trigger" for kind, _sql in todo.values()):
        if balance_cache.TABLE in present:
            conn.execute(f"DELETE FROM {balance_cache.TABLE}")
        if "case_search" in present:
            cases_search.rebuild(conn)


def check_database(conn) -> list[str]:
    """Every problem found, as a sentence; an empty list means the database is healthy."""
    problems: list[str] = []
    for line in dbmod.integrity_problems(conn):
        problems.append(_("SQLite integrity check: {detail}").format(detail=line))
    for row in conn.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(_("A row of {table} points to a missing row.").format(table=row[0]))
    unknown = migrations.unknown_migrations(conn)
    if unknown:
        problems.append(_("The database has changes from a newer version of Hamroh: {names}.")
                        .format(names=", ".join(unknown)))
    pending = migrations.pending(conn)
    if pending:
        problems.append(_("{count} schema updates have not been applied yet; run "
                          "'hamroh db migrate'.").format(count=len(pending)))
    expected = expected_schema()
    actual = _schema(conn)
    for table, columns in sorted(expected.tables.items()):
        if table not in actual:
            if not pending:
                problems.append(_("The table {table} is missing.").format(table=table))
            continue
        missing = sorted(columns - actual[table])
        if missing and not pending:
            problems.append(_("The table {table} lacks the columns {columns}.").format(
                table=table, columns=", ".join(missing)))
    if not pending:
        for index in sorted(expected.index_sql.keys() - _objects(conn, "index").keys()):
            problems.append(_("The index {index} is missing; searches will be slow.").format(
                index=index))
        problems += trigger_problems(conn, expected)
    problems += search_index_problems(conn)
    for brk in verify_chain(conn):
        problems.append(_("The audit log was altered at row {seq}: {reason}.").format(
            seq=brk.seq, reason=brk.reason))
    return problems


# (full-text index, the table it indexes, the message when their counts differ)
SEARCH_INDEXES = (
    ("person_search", "person", lambda indexed, records: _(
        "The search index of people does not match the register (entries: {indexed}, "
        "people: {records}); run 'hamroh db repair-search'.").format(
            indexed=format_number(indexed), records=format_number(records))),
    ("case_search", "hotline_case", lambda indexed, records: _(
        "The search index of cases does not match the cases (entries: {indexed}, cases: "
        "{records}); run 'hamroh db repair-search'.").format(
            indexed=format_number(indexed), records=format_number(records))),
)


def search_index_problems(conn) -> list[str]:
    """A search index holding more or fewer rows than there are records: searches miss
    records or find deleted ones. ``hamroh db repair-search`` rebuilds them."""
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    problems = []
    for index, table, message in SEARCH_INDEXES:
        if index not in present or table not in present:
            continue
        indexed = conn.execute(f"SELECT count(*) FROM {index}_docsize").fetchone()[0]
        records = conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
        if indexed != records:
            problems.append(message(indexed, records))
    return problems


# ---- a damaged file: say so, and name the backup to restore ---------------------------------
def backups_of(path: str | os.PathLike) -> list[Path]:
    """The backups of ``path`` in ``backups/`` beside it (``db backup``, before updates),
    newest first."""
    path = Path(path)
    folder = path.parent / "backups"
    if not folder.is_dir():
        return []
    suffix = path.suffix or ".db"
    found = [p for p in folder.glob(f"{path.stem}.*{suffix}")
             if p.is_file() and not p.name.startswith(".")]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def backup_opens(backup: Path, key: bytes | None) -> bool:
    """True if ``backup`` opens (with ``key``), passes SQLite's quick check and is a Hamroh
    database. The file is opened read-only and never changed."""
    try:
        conn = dbmod.sqlite.connect(f"{backup.resolve().as_uri()}?mode=ro&immutable=1",
                                    uri=True, check_same_thread=False)
    except dbmod.Error:
        return False
    try:
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        if [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()] != ["ok"]:
            return False
        row = conn.execute("SELECT value FROM meta WHERE key='app'").fetchone()
        return bool(row) and row[0] == migrations.APP_ID
    except dbmod.Error:
        return False
    finally:
        conn.close()


def newest_good_backup(path: str | os.PathLike, key: bytes | None) -> Path | None:
    """The newest backup of ``path`` that opens and passes the quick check, or None."""
    for backup in backups_of(path):
        if backup_opens(backup, key):
            return backup
    return None


def damage_report(path: str | os.PathLike, exc: BaseException | str,
                  key: bytes | None) -> str:
    """One sentence on a damaged database and what to restore."""
    detail = str(exc)
    backup = newest_good_backup(path, key)
    if backup is None:
        return _("The database {path} is damaged ({detail}) and no backup of it that opens "
                 "was found in the backups folder beside it. Do not change the file; send "
                 "it to your coordinator.").format(path=path, detail=detail)
    return _("The database {path} is damaged ({detail}). Restore the newest backup that "
             "opens: {backup} (copy it, with its .keys file, over the damaged file and its "
             ".keys file).").format(path=path, detail=detail, backup=backup)
