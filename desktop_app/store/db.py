"""Opening Hamroh database files.

All connections go through :func:`connect`. The driver is ``sqlcipher3`` (SQLite with
SQLCipher); without a key it behaves as plain SQLite. Errors that a user can meet (not a
Hamroh file, a corrupt file, a file from a newer version, a full disk, a database busy
with another process's long write) are raised as :class:`DatabaseError` subclasses
carrying a translatable message; :func:`user_error` maps a low-level error (SQLite's
``SQLITE_FULL`` or ``SQLITE_BUSY``, ``OSError`` ``ENOSPC``) to one of them.

Durability: every connection runs in WAL mode with ``synchronous = FULL``, so a save
that returned is on the disk even if the power goes a moment later (``NORMAL`` could
lose the saves since the last checkpoint). See docs/dev/durability.md for the cost.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import psutil  # type: ignore[import-untyped]  # no type information shipped
import sqlcipher3 as sqlite

from desktop_app.i18n import Domain
from desktop_app.store import files

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

# sqlcipher3 adapts every parameter that is not exactly an int, float, str or bytearray
# (None, bytes, bool) by looking for ``__adapt__`` and ``__conform__``: two AttributeErrors
# built and thrown away per parameter, about 1 us each (an import of 59,538 changes bound
# 264,368 such parameters; an executemany of rows with five of them ran 4.5x slower). An
# adapter registered for the exact type is found first. Each gives what SQLite stores
# anyway: NULL, the bytes themselves (``bytes`` of an exact bytes is the same object),
# 0 or 1. None of these types is one whose registration slows every other parameter
# (int, float, str, bytearray).
sqlite.register_adapter(type(None), {}.get)
sqlite.register_adapter(bytes, bytes)
sqlite.register_adapter(bool, int)


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


class DiskFull(DatabaseError):
    """The disk (or USB stick) is full; the write was rolled back."""

    def __init__(self, path: str | os.PathLike | None = None):
        super().__init__(disk_full_message(), path)


class DiskIOError(DatabaseError):
    """SQLite could not read or write the file: a size limit, a USB stick pulled out or
    failing (with no free space left it is reported as :class:`DiskFull`)."""

    def __init__(self, path: str | os.PathLike | None = None):
        super().__init__(disk_io_message(), path)


class DatabaseBusy(DatabaseError):
    """Another process held the database's write lock for longer than ``BUSY_TIMEOUT_MS``."""

    def __init__(self, path: str | os.PathLike | None = None):
        super().__init__(busy_message(), path)


# SQLite's primary result codes (the low byte of an extended code)
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
# how long a write waits for another process's write (an import, a backup) to finish
BUSY_TIMEOUT_MS = 10_000
# errno values of a full disk or a file-size limit; Windows' ERROR_DISK_FULL and
# ERROR_HANDLE_DISK_FULL
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_FULL_WINERRORS = {39, 112}
# below this many free bytes an I/O error while opening is taken for a full disk
_NEARLY_FULL = 256 * 1024


def disk_full_message() -> str:
    return _("The disk is full: free some space and try again; nothing was saved.")


def disk_io_message() -> str:
    return _("The disk could not be written or read (it may be full, or the USB stick was "
             "removed or is failing). Free some space or check the stick, then try again; "
             "nothing was saved.")


def busy_message() -> str:
    return _("The database is busy with another task (an import, a backup or another "
             "window). Wait a minute and try again; nothing was saved.")


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it came from) means the disk is full."""
    for err in _chain(exc):
        if isinstance(err, DiskFull):
            return True
        if isinstance(err, OSError) and (err.errno in _FULL_ERRNOS
                                         or getattr(err, "winerror", None) in _FULL_WINERRORS):
            return True
        if isinstance(err, sqlite.Error) and (
                _sqlite_code(err) == SQLITE_FULL or "disk is full" in str(err)):
            return True
    return False


def is_busy(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it came from) is SQLite's "database is locked"."""
    for err in _chain(exc):
        if isinstance(err, DatabaseBusy):
            return True
        if isinstance(err, sqlite.OperationalError) and (
                _sqlite_code(err) in (SQLITE_BUSY, SQLITE_LOCKED)
                or "database is locked" in str(err) or "database table is locked" in str(err)):
            return True
    return False


def is_io_error(exc: BaseException) -> bool:
    """True for SQLite's "disk I/O error" (any SQLITE_IOERR_*)."""
    return any(isinstance(err, sqlite.Error) and (
        _sqlite_code(err) == SQLITE_IOERR or "disk I/O error" in str(err))
        for err in _chain(exc))


def user_error(exc: BaseException) -> DatabaseError | None:
    """The message-carrying error for a full disk, a disk that fails, or a busy database,
    else None."""
    if isinstance(exc, (DiskFull, DiskIOError, DatabaseBusy)):
        return exc
    path = getattr(exc, "path", None)
    if is_disk_full(exc):
        return DiskFull(path)
    if is_busy(exc):
        return DatabaseBusy(path)
    if is_io_error(exc):
        return DiskFull(path) if path is not None and disk_nearly_full(path) \
            else DiskIOError(path)
    return None


def is_damage(exc: BaseException) -> bool:
    """True for SQLite's "database disk image is malformed" and "file is not a database"."""
    return any(isinstance(err, sqlite.DatabaseError) and (
        _sqlite_code(err) in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in str(err))
        for err in _chain(exc))


def damaged_file_error(exc: BaseException, path: str | os.PathLike | None) -> DatabaseError | None:
    """A damaged database found in the middle of a command, as one sentence with what to do."""
    if not is_damage(exc):
        return None
    shown = path if path is not None else "?"
    return CorruptDatabase(_("The database {path} is damaged. Run 'hamroh db check --db {path}': "
                             "it names the newest backup that opens.").format(path=shown), path)


def disk_nearly_full(path: str | os.PathLike) -> bool:
    """True when the folder of ``path`` has (almost) no free space left."""
    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < _NEARLY_FULL
    except OSError:
        return False


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
        # SQLCipher's own log goes to stderr: a damaged page would print hundreds of lines
        # before the one sentence the user is meant to read
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # Touch the schema: fails here for a wrong key or a file that is not SQLite.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite.DatabaseError as exc:
        conn.close()
        _raise_if_not_the_file(exc, path)
        if key is None and path.exists() and path.stat().st_size and not _has_sqlite_header(path):
            raise NotAHamrohDatabase(
                _("{path} is not a Hamroh database, or it is encrypted and needs a password.")
                .format(path=path), path) from exc
        raise NotAHamrohDatabase(
            _("{path} could not be opened: it is not a Hamroh database, the password is wrong, "
              "or the file is damaged.").format(path=path), path) from exc
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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


@contextlib.contextmanager
def page_cache_for(conn, kib: int, *, grow: bool) -> Iterator[None]:
    """``conn``'s page cache set to ``kib`` KiB for the length of the block and given back
    after, only if that makes it larger (``grow``) or smaller (not ``grow``)."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    change = before < 0 and (-before < kib if grow else -before > kib)
    if change:
        conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        if change:
            conn.execute(f"PRAGMA cache_size = {int(before)}")


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


def _raise_if_not_the_file(exc: BaseException, path: Path) -> None:
    """A failure to open that is not the file's fault: full disk, or locked by a writer.

    With no space left SQLite cannot create the ``-shm`` index of a ``-wal`` file and
    answers with an I/O error, which is not a wrong password or a damaged file.
    """
    if is_disk_full(exc) or (_sqlite_code(exc) in (SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_FULL)
                             and disk_nearly_full(path)):
        raise DiskFull(path) from exc
    if is_busy(exc):
        raise DatabaseBusy(path) from exc


def enable_wal(conn: Connection) -> None:
    """Write-ahead logging with full durability, an interrupted bulk write undone, and
    fresh planner statistics (changes the file: call once the file is known to be ours)."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    for recover in _open_recoveries:
        recover(conn)
    optimize(conn, opening=True)


# Run on every database opened for writing, before migrations and before anything reads
# it: a write committed in parts that a crash cut off is undone (sync.import_undo registers
# the undo of a bundle import committed in chunks; the store does not import sync).
_open_recoveries: list[Callable[[Connection], None]] = []


def register_open_recovery(recover: Callable[[Connection], None]) -> None:
    if recover not in _open_recoveries:
        _open_recoveries.append(recover)


def optimize(conn: Connection, *, opening: bool = False) -> None:
    """Refresh the planner's statistics of tables that grew or shrank a lot since the last
    ANALYZE (``PRAGMA optimize``; SQLite limits the work itself).

    Call after a bulk load (an import) and on opening: statistics taken when a table was
    small make the planner pick a scan of the whole table once it is large. It never waits
    for another process's write: when the database is busy, or the disk full, it does
    nothing (the next open tries again). A database never analysed is left so: without
    statistics the planner follows the indexes, and opening a file does not change it.
    """
    if conn.in_transaction or conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is None:
        return
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("PRAGMA optimize = 0x10002" if opening else "PRAGMA optimize")
    except sqlite.OperationalError as exc:
        if not (is_busy(exc) or is_disk_full(exc) or "readonly" in str(exc)):
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


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
    """Copy the live database (any journal mode, any encryption) to ``target``.

    The copy is built under a temporary name beside ``target``, flushed to the disk and
    renamed: a crash or a full disk leaves the previous ``target`` (or none), never a
    truncated copy under the final name.
    """
    target = Path(target)
    tmp = files.temporary_name(target)
    try:
        conn.execute("VACUUM INTO ?", (str(tmp),))
        files.fsync_file(tmp)
        files.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
