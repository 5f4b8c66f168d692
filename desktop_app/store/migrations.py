"""Schema migrations: ``db/migrations/NNNN_name.sql`` (or ``.py`` with ``migrate(conn)``).

Every applied file is recorded by name in ``schema_migrations``. Missing ones are applied
in numeric order, all in one transaction, after the file has been copied to a backup. If
anything fails the transaction is rolled back, leaving the file byte-for-byte as it was.
"""
from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store import files

DOMAIN = Domain("core")
_ = DOMAIN.gettext

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = PROJECT_ROOT / "db" / "migrations"
APP_ID = "hamroh"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    path: Path


@dataclass
class MigrationResult:
    applied: list[str]
    backup: Path | None


class MigrationError(dbmod.DatabaseError):
    pass


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in directory.iterdir():
        if path.suffix not in (".sql", ".py") or path.name.startswith("_"):
            continue
        number, _sep, _rest = path.stem.partition("_")
        if number.isdigit():
            found.append(Migration(int(number), path.stem, path))
    found.sort(key=lambda m: (m.number, m.name))
    return found


def applied(conn: dbmod.Connection) -> list[str]:
    if not _table_exists(conn, "schema_migrations"):
        return []
    return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def _table_exists(conn: dbmod.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                        (name,)).fetchone() is not None


def check_is_hamroh(conn: dbmod.Connection, path: str | os.PathLike) -> None:
    """Raise unless the file is empty (new) or a Hamroh database."""
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables == 0:
        return
    if not _table_exists(conn, "meta"):
        raise dbmod.NotAHamrohDatabase(
            _("{path} is an SQLite file but not a Hamroh database. Choose another file.")
            .format(path=path), path)
    row = conn.execute("SELECT value FROM meta WHERE key='app'").fetchone()
    if not row or row[0] != APP_ID:
        raise dbmod.NotAHamrohDatabase(
            _("{path} is an SQLite file but not a Hamroh database. Choose another file.")
            .format(path=path), path)


def unknown_migrations(conn: dbmod.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    known = {m.name for m in available(directory)}
    return [name for name in applied(conn) if name not in known]


def check_not_newer(conn: dbmod.Connection, path, directory: Path = MIGRATIONS_DIR) -> None:
    unknown = unknown_migrations(conn, directory)
    if unknown:
        raise dbmod.NewerSchemaError(
            _("{path} was written by a newer version of Hamroh (schema {version}). "
              "Install the newer version to open it; the file was not changed.")
            .format(path=path, version=unknown[-1]), path)


def pending(conn: dbmod.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    done = set(applied(conn))
    return [m for m in available(directory) if m.name not in done]


def split_statements(script: str) -> list[str]:
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
            line.strip().startswith("--") or not line.strip() for line in buffer.splitlines()):
        raise MigrationError(_("A migration file ends with an incomplete SQL statement."))
    return statements


def _run_one(conn: dbmod.Connection, migration: Migration) -> None:
    if migration.path.suffix == ".sql":
        for statement in split_statements(migration.path.read_text(encoding="utf-8")):
            conn.execute(statement)
    else:
        spec = importlib.util.spec_from_file_location(f"hamroh_migration_{migration.name}",
                                                      migration.path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the migration {migration.path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(conn)
    conn.execute("INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)",
                 (migration.name, datetime.now(timezone.utc).isoformat(timespec="seconds")))


def take_upgrade(path: str | os.PathLike) -> MigrationResult | None:
    """The update this process applied to the existing file ``path`` (with its backup), once:
    the window says so on the first start of a new version."""
    return _upgrades.pop(str(Path(path).resolve()), None)


_upgrades: dict[str, MigrationResult] = {}


def backup_file(path: Path, conn: dbmod.Connection | None = None, label: str = "backup") -> Path:
    """Byte copy of the database file (after a WAL checkpoint) beside it in ``backups/``,
    with its key file.

    The copy is built under a temporary name, flushed and renamed (``store.files``): a
    crash or a full disk never leaves a truncated file under a backup's name, so the
    newest backup is always whole. The key file is copied first, so a backup never
    appears without it.
    """
    if conn is not None:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    folder = path.parent / "backups"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{label}-{stamp}{path.suffix or '.db'}"
    with key_file_copied(path, target):
        files.copy_atomic(path, target)
    return target


@contextlib.contextmanager
def key_file_copied(source: Path, target: Path) -> Iterator[None]:
    """Copy the key file of ``source`` (an encrypted database) beside ``target`` before the
    database is copied in the block; removed again if the block fails."""
    keys = source.with_name(source.name + ".keys")
    copied = target.with_name(target.name + ".keys")
    made = keys.exists() and not copied.exists()
    if keys.exists():
        files.copy_atomic(keys, copied)
    try:
        yield
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                copied.unlink()
        raise


def migrate(conn: dbmod.Connection, path: str | os.PathLike, *,
            directory: Path = MIGRATIONS_DIR, backup: bool = True,
            after_migrate=None) -> MigrationResult:
    """Apply every pending migration atomically, after a backup copy of the file."""
    path = Path(path)
    check_is_hamroh(conn, path)
    check_not_newer(conn, path, directory)
    todo = pending(conn, directory)
    if not todo:
        return MigrationResult([], None)
    is_new = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    backup_path = None
    if backup and not is_new and path.exists():
        backup_path = backup_file(path, conn, "before-migration")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations("
                     "name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for migration in todo:
            try:
                _run_one(conn, migration)
            except Exception as exc:
                raise MigrationError(
                    _("Migration {name} failed: {error}. The database was left as it was.")
                    .format(name=migration.name, error=exc), path) from exc
        if after_migrate is not None:
            after_migrate(conn)
        conn.execute("COMMIT")
    except BaseException:
        # In WAL mode the uncommitted pages never reach the main file, so after the
        # rollback the file is byte-for-byte the backup taken above.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    result = MigrationResult([m.name for m in todo], backup_path)
    if backup_path is not None:
        log.info("Schema updated: %d updates applied after a backup copy (last %s)",
                 len(result.applied), result.applied[-1])
        _upgrades[str(path.resolve())] = result
    return result
