"""Opening Hamroh database files.

All connections go through :func:`connect`. The driver is ``sqlcipher3`` (SQLite with
SQLCipher); without a key it behaves as plain SQLite. Errors that a user can meet (not a
Hamroh file, a corrupt file, a file from a newer version) are raised as
:class:`DatabaseError` subclasses carrying a translatable message.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import psutil  # type: ignore[import-untyped]  # no type information shipped
import sqlcipher3 as sqlite

from desktop_app.i18n import Domain

DOMAIN = Domain("core")
_ = DOMAIN.gettext

SQLITE_HEADER = b"SQLite format 3\x00"
Error = sqlite.Error
IntegrityError = sqlite.IntegrityError
if TYPE_CHECKING:
    # sqlcipher3 ships no type information; its Connection mirrors the standard library's.
    from sqlite3 import Connection
else:
    Connection = sqlite.Connection


class DatabaseError(Exception):
    """A problem with a database file, with a message fit to show a user."""

    def __init__(self, message: str, path: str | os.PathLike | None = None):
        super().__init__(message)
        self.path = str(path) if path is not None else None


class NotAHamrohDatabase(DatabaseError):
    pass


class NewerSchemaError(DatabaseError):
    pass


class CorruptDatabase(DatabaseError):
    pass


def row_dict(columns: Sequence[Any], row: Sequence[Any]) -> dict[str, Any]:
    """One result row as a dict keyed by column name.

    ``columns`` is either a cursor's ``description`` or a sequence of column names; it must
    have exactly as many entries as ``row``.
    """
    names = [c if isinstance(c, str) else c[0] for c in columns]
    return dict(zip(names, row, strict=True))


def dict_rows(cursor) -> list[dict[str, Any]]:
    """The remaining rows of a cursor as column -> value dicts."""
    columns = [d[0] for d in cursor.description]
    return [row_dict(columns, row) for row in cursor]


# Database keys unlocked in this process, by real path (see store.security.accounts: a login
# remembers its key so that other connections to the same file need no password).
_known_keys: dict[str, bytes] = {}


def remember_key(path: str | os.PathLike, key: bytes) -> None:
    _known_keys[os.path.realpath(os.fspath(path))] = key


def forget_key(path: str | os.PathLike) -> None:
    _known_keys.pop(os.path.realpath(os.fspath(path)), None)


def forget_all_keys() -> None:
    _known_keys.clear()


def known_key(path: str | os.PathLike) -> bytes | None:
    return _known_keys.get(os.path.realpath(os.fspath(path)))


def connect(path: str | os.PathLike, key: bytes | None = None, *,
            create: bool = False, readonly: bool = False, wal: bool = True) -> Connection:
    """Open (or with ``create`` make) a database file and set Hamroh's pragmas.

    ``key`` is the raw 32-byte SQLCipher key; ``None`` opens an unencrypted file.
    """
    path = Path(path)
    if key is None:
        key = known_key(path)
        if key is None and path.exists() and path.stat().st_size \
                and not _has_sqlite_header(path):
            # a copy of a database unlocked in this process (a backup, a test copy)
            key = _matching_key(path)
    if not create and not path.exists():
        raise DatabaseError(_("The database file {path} does not exist.").format(path=path), path)
    if readonly:
        conn = sqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                              check_same_thread=False)
    else:
        conn = sqlite.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # Touch the schema: fails here for a wrong key or a file that is not SQLite.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite.DatabaseError as exc:
        conn.close()
        if key is None and path.exists() and path.stat().st_size and not _has_sqlite_header(path):
            raise NotAHamrohDatabase(
                _("{path} is not a Hamroh database, or it is encrypted and needs a password.")
                .format(path=path), path) from exc
        raise NotAHamrohDatabase(
            _("{path} could not be opened: it is not a Hamroh database, the password is wrong, "
              "or the file is damaged.").format(path=path), path) from exc
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    if wal and not readonly:
        enable_wal(conn)
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = -{page_cache_kib()}")
    if key is not None:
        # SQLCipher's default since 4.5, set so that a different build's default cannot
        # silently cost every page read a lock and a wipe (docs/dev/performance.md)
        conn.execute("PRAGMA cipher_memory_security = OFF")
    return conn


# The page cache of a connection: an eighth of the memory available when the process
# opens its first database, at least 64 MiB, at most 1 GiB. Every page read from an
# encrypted file is decrypted (HMAC check and AES) before it is cached, so a page that
# falls out of the cache costs that again; SQLite allocates cache pages only as they are
# read, so a small database uses no more memory.
CACHE_FLOOR_KIB = 65_536
CACHE_CEILING_KIB = 1_048_576
CACHE_SHARE = 8
_cache_kib: int | None = None


def page_cache_kib() -> int:
    """The page cache size (KiB) every connection of this process gets."""
    global _cache_kib
    if _cache_kib is None:
        try:
            available = psutil.virtual_memory().available // 1024
        except Exception:  # an unusual platform: the floor
            available = 0
        _cache_kib = min(max(available // CACHE_SHARE, CACHE_FLOOR_KIB), CACHE_CEILING_KIB)
    return _cache_kib


def _matching_key(path: Path) -> bytes | None:
    """The first key unlocked in this process that opens ``path`` (raw keys: cheap to try)."""
    for candidate in dict.fromkeys(_known_keys.values()):
        probe = sqlite.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            probe.execute(f"PRAGMA key = \"x'{candidate.hex()}'\"")
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite.DatabaseError:
            continue
        finally:
            probe.close()
        remember_key(path, candidate)
        return candidate
    return None


def enable_wal(conn: Connection) -> None:
    """Write-ahead logging (changes the file header: call once the file is known to be ours)."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _has_sqlite_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_HEADER


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. Nests as a savepoint."""
    if conn.in_transaction:
        name = f"sp_{id(conn)}_{os.urandom(4).hex()}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def integrity_problems(conn: Connection) -> list[str]:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return [r[0] for r in rows if r[0] != "ok"]


def backup_to(conn: Connection, target: str | os.PathLike) -> Path:
    """Copy the live database (any journal mode, any encryption) to ``target``."""
    target = Path(target)
    if target.exists():
        target.unlink()
    conn.execute("VACUUM INTO ?", (str(target),))
    return target
