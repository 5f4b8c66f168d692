"""A big import committed in chunks, undone in reverse when it does not finish.

A bundle of more than ``CHUNK`` changes is merged and committed ``CHUNK`` changes at a
time, so that the write-ahead log holds one chunk, not the whole bundle (a passive
checkpoint after each commit lets SQLite reuse it). For the user it stays all or nothing:

* a marker row (``sync_import_running``) is committed first and deleted by the import's
  last, short transaction, with the bundle log entry; exports are refused while it exists;
* every chunk records, in its own transaction, how to undo it: per table the rowids it
  inserted (``sync_import_range``: rowids grow, and no other writer runs inside the
  chunk's transaction) and, through temporary triggers of this connection only, a
  statement that puts back each row it updated, deleted or inserted below that range
  (``sync_import_undo``, SQLite's undo-log technique);
* a cancel, a failure, or a marker found when the database is opened after a crash runs
  the undo: chunk by chunk from the last, the inserted rows deleted, then the recorded
  statements run newest first, each step a committed transaction that also deletes the
  undo rows it ran, so that an undo cut off by a power cut goes on at the next open.

Full-text indexes are virtual tables (no triggers): their rows are rewritten from the
records the undo deletes or puts back (people's ``person_search``, the cases'
``case_search``).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Callable

import psutil  # type: ignore[import-untyped]  # no type information shipped

from desktop_app.store import db as dbmod
from desktop_app.store.audit import utc_now
from desktop_app.store.cases import search as case_search
from desktop_app.store.loans import balance_cache
from desktop_app.store.people.repositories import search_text
from desktop_app.store.repository import importing_on

# changes merged and committed together (a smaller figure from the environment lets the
# tests cut small bundles into many chunks). Each commit writes every page the chunk
# changed, and the indexes keyed by record id change pages all over, so smaller chunks
# write the same pages again: 100,000 people (206,375 changes) into the 1M register wrote
# 1,120 MB of log in chunks of 50,000 and 721 MB in chunks of 100,000, 24.6-26.0 against
# 22.1-22.3 CPU s (bare insert 6.9; in chunks of 20,000 it took 66 CPU s before the other
# fixes of docs/dev/performance.md). A chunk's log is what the user's disk must hold free.
CHUNK = int(os.environ.get("HAMROH_SYNC_IMPORT_CHUNK") or 100_000)
# rows one undo transaction deletes or puts back
UNDO_STEP = 5000
# the write-ahead log is cut back to this size when SQLite restarts it
JOURNAL_LIMIT = 16 * 1024 * 1024

_OWN = ("sync_import_running", "sync_import_range", "sync_import_undo")
# the Home page's kept loan figures: not recorded, emptied when the undo has run (a
# put-back by INSERT OR REPLACE runs no delete trigger)
_CACHES = (balance_cache.TABLE,)
# logs whose INTEGER PRIMARY KEY SQLite always assigns (appended, never given a key): no
# insert trigger, which each of an import's many inserts into them would pay for
_ASSIGNED_KEYS = ("change_entry", "change_term", "audit_log", "sync_bundle_log")
_FTS_SHADOWS = ("_data", "_idx", "_content", "_docsize", "_config")
# bundle ids imported by this process right now (their marker is not a crash)
_active: set[str] = set()


@dataclass
class Marker:
    bundle_id: str
    file_name: str | None
    started_at: str
    pid: int
    process_started: float
    phase: str


def _has_tables(conn) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN"
                        " (?, ?, ?)", _OWN).fetchone()[0] == len(_OWN)


def running(conn) -> Marker | None:
    """The import under way (or interrupted and not undone yet), if any."""
    if not _has_tables(conn):
        return None
    row = conn.execute("SELECT bundle_id, file_name, started_at, pid, process_started, phase"
                       " FROM sync_import_running").fetchone()
    return Marker(*row) if row else None


def _process_started(pid: int) -> float:
    try:
        return psutil.Process(pid).create_time()
    except (psutil.Error, OSError):
        return -1.0


def is_alive(marker: Marker) -> bool:
    """Is the import of this marker still running (in this process or another)?"""
    if marker.pid == os.getpid():
        return marker.bundle_id in _active
    started = _process_started(marker.pid)
    return started >= 0 and abs(started - marker.process_started) < 1.0


def recover(conn, progress: Callable[[int, int], object] | None = None) -> bool:
    """Undo an import that a crash (or a failed undo) left behind. Returns whether there
    was one. An import still running elsewhere is left alone."""
    marker = running(conn)
    if marker is None:
        if _has_tables(conn) and conn.execute(
                "SELECT 1 FROM sync_import_undo UNION ALL SELECT 1 FROM sync_import_range"
                " LIMIT 1").fetchone() is not None:
            _discard_undo(conn)     # a finished import's undo rows, not yet cleared
        return False
    if is_alive(marker):
        return False
    undo(conn, progress)
    return True


def _recover_at_open(conn) -> None:
    if not conn.in_transaction:
        recover(conn)


dbmod.register_open_recovery(_recover_at_open)


# ---- the tables an import may write ---------------------------------------------------
@dataclass
class _Table:
    columns: list[str]          # stored columns
    chosen_rowid: bool          # an INTEGER PRIMARY KEY: an insert may choose the rowid


def _undoable_tables(conn) -> dict[str, _Table] | None:
    """Every table of the main database an import may write; None when one of them has
    no rowid (then the import is not chunked)."""
    rows = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type='table'"
                        " AND name NOT LIKE 'sqlite_%'").fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")}
    shadows = {v + s for v in virtual for s in _FTS_SHADOWS}
    found: dict[str, _Table] = {}
    for name, sql in rows:
        if name in virtual or name in shadows or name in _OWN or name in _CACHES:
            continue
        if "WITHOUT ROWID" in (sql or "").upper():
            return None
        info = conn.execute(f'PRAGMA main.table_xinfo("{name}")').fetchall()
        keys = [r for r in info if r[5]]
        found[name] = _Table([r[1] for r in info if r[6] == 0],
                             len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"
                             and name not in _ASSIGNED_KEYS)
    return found


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _triggers(table: str, spec: _Table, floor: int) -> list[str]:
    """The triggers that record how to undo an import's writes to the rows ``table`` held
    before it (rowid <= ``floor``), in the chunk under way (``temp.sync_undo_chunk``).

    Rows the import inserts need none: their rowids lie above the floor (SQLite gives a
    new row the last rowid plus one), each chunk's range lists them, and the undo deletes
    them whatever became of them later. An insert trigger is only made where an insert
    can choose its rowid (an INTEGER PRIMARY KEY), since a trigger on a table makes every
    insert into it slower; the application never names ``rowid`` in an insert into a
    table that is not a full-text index."""
    columns = spec.columns
    t, lt = _q(table), _lit(table)
    record = ("INSERT INTO main.sync_import_undo(chunk, tbl, rid, sql) SELECT n, "
              f"{lt}, {{rid}}, {{sql}} FROM temp.sync_undo_chunk;")
    target = _lit(f"main.{t}")
    restore_set = " || ',' || ".join(_lit(f"{_q(c)}=") + f" || quote(old.{_q(c)})"
                                     for c in columns)
    values = " || ',' || ".join(f"quote(old.{_q(c)})" for c in columns)
    names = ",".join(_q(c) for c in columns)
    delete_new = f"'DELETE FROM ' || {target} || ' WHERE rowid=' || new.rowid"
    put_back = (f"'UPDATE ' || {target} || ' SET rowid=' || old.rowid || ',' || {restore_set}"
                f" || ' WHERE rowid=' || new.rowid") if columns else \
        f"'UPDATE ' || {target} || ' SET rowid=' || old.rowid || ' WHERE rowid=' || new.rowid"
    listed_names = _lit("," + names) if names else _lit("")
    listed_values = f"{_lit(',')} || {values}" if columns else _lit("")
    reinsert = (f"'INSERT OR REPLACE INTO ' || {target} || ' (rowid' || {listed_names}"
                f" || ') VALUES (' || old.rowid || {listed_values} || ')'")
    prefix = "CREATE TEMP TRIGGER"
    made = [
        f"{prefix} {_q('sync_undo_i_' + table)} AFTER INSERT ON main.{t}"
        f" WHEN new.rowid <= {floor} BEGIN "
        + record.format(rid="new.rowid", sql=delete_new) + " END"] if spec.chosen_rowid else []
    return made + [
        f"{prefix} {_q('sync_undo_u_' + table)} AFTER UPDATE ON main.{t}"
        f" WHEN old.rowid <= {floor} BEGIN "
        + record.format(rid="old.rowid", sql=put_back) + " END",
        f"{prefix} {_q('sync_undo_d_' + table)} AFTER DELETE ON main.{t}"
        f" WHEN old.rowid <= {floor} BEGIN "
        + record.format(rid="old.rowid", sql=reinsert) + " END",
    ]


def _drop_triggers(conn) -> None:
    for (name,) in conn.execute("SELECT name FROM temp.sqlite_master WHERE type='trigger'"
                                " AND name LIKE 'sync_undo_%'").fetchall():
        conn.execute(f"DROP TRIGGER IF EXISTS temp.{_q(name)}")
    conn.execute("DROP TABLE IF EXISTS temp.sync_undo_chunk")


class ChunkedImport:
    """The bookkeeping of one import committed in chunks (see the module's note).

    ``begin()``; then per chunk, inside its transaction, ``start_chunk()`` first and
    ``end_chunk()`` last, and ``committed()`` after the commit; ``finish()`` inside the
    last transaction; ``close()`` after it. On any failure: ``undo()``."""

    def __init__(self, conn, bundle_id: str, file_name: str | None):
        self.conn = conn
        self.bundle_id = bundle_id
        self.file_name = file_name
        self.chunk = 0
        tables = _undoable_tables(conn)
        self.tables: dict[str, _Table] = tables or {}
        self.possible = tables is not None and _has_tables(conn)

    def begin(self) -> None:
        conn = self.conn
        pid = os.getpid()
        _active.add(self.bundle_id)
        importing_on(conn, True)
        conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_LIMIT}")
        # what a finished import may have left of its undo rows must not mix with these
        _discard_undo(conn)
        with dbmod.transaction(conn):
            conn.execute("INSERT INTO sync_import_running(id, bundle_id, file_name, started_at,"
                         " pid, process_started) VALUES (1, ?, ?, ?, ?, ?)",
                         (self.bundle_id, self.file_name, utc_now(), pid,
                          _process_started(pid)))
        self.floors: dict[str, int] = {}

    def start_chunk(self) -> None:
        """Inside the chunk's transaction, before it writes: each table's last rowid (and,
        for the first chunk, the triggers on the tables that held rows)."""
        self.chunk += 1
        conn = self.conn
        self.floors = {t: self._last_rowid(t) for t in self.tables}
        if self.chunk == 1:
            _drop_triggers(conn)
            conn.execute("CREATE TEMP TABLE sync_undo_chunk(n INTEGER NOT NULL)")
            conn.execute("INSERT INTO temp.sync_undo_chunk VALUES (0)")
            for table, spec in self.tables.items():
                if self.floors[table]:
                    for statement in _triggers(table, spec, self.floors[table]):
                        conn.execute(statement)
        conn.execute("UPDATE temp.sync_undo_chunk SET n=?", (self.chunk,))

    def end_chunk(self) -> None:
        """Inside the chunk's transaction, after its writes: the rowids it inserted."""
        self.conn.executemany(
            "INSERT INTO sync_import_range(chunk, tbl, lo, hi) VALUES (?, ?, ?, ?)",
            [(self.chunk, t, lo, hi) for t, lo in self.floors.items()
             if (hi := self._last_rowid(t)) > lo])

    def _last_rowid(self, table: str) -> int:
        return self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM main.{_q(table)}"
                                 ).fetchone()[0]

    def committed(self) -> None:
        checkpoint(self.conn)

    def finish(self) -> None:
        """Inside the import's last transaction: the import is whole once it commits."""
        self.conn.execute("DELETE FROM sync_import_running")

    def close(self) -> None:
        """After the last commit: the triggers go, and the undo rows (in steps)."""
        _active.discard(self.bundle_id)
        importing_on(self.conn, False)
        _drop_triggers(self.conn)
        _discard_undo(self.conn)

    def undo(self, progress: Callable[[int, int], object] | None = None) -> None:
        """Cancel, failure: put the database back as it was before the import."""
        conn = self.conn
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        _drop_triggers(conn)
        try:
            undo(conn, progress)
        finally:
            _active.discard(self.bundle_id)
            importing_on(conn, False)


def checkpoint(conn) -> None:
    """Let SQLite reuse the write-ahead log (never waits for a reader). A connection that
    turned automatic checkpoints off keeps everything in the log (the benchmarks do, to
    leave their shared database file unchanged)."""
    if not conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]:
        return
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except dbmod.sqlite.OperationalError:
        pass


def _discard_undo(conn) -> None:
    while True:
        with dbmod.transaction(conn):
            gone = conn.execute(
                "DELETE FROM sync_import_undo WHERE seq IN (SELECT seq FROM sync_import_undo"
                f" LIMIT {UNDO_STEP})").rowcount
            gone += conn.execute("DELETE FROM sync_import_range WHERE rowid IN (SELECT rowid"
                                 f" FROM sync_import_range LIMIT {UNDO_STEP})").rowcount
        checkpoint(conn)
        if not gone:
            return


# ---- the undo ---------------------------------------------------------------------------
def _rowid_list(rowids: list[int]) -> str:
    return json.dumps(rowids)


def undo(conn, progress: Callable[[int, int], object] | None = None) -> None:
    """Undo the import of the marker, chunk by chunk from the last, in committed steps;
    then delete the marker. Safe to cut off anywhere and run again."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    _drop_triggers(conn)
    total = conn.execute("SELECT (SELECT coalesce(sum(hi - lo), 0) FROM sync_import_range)"
                         " + (SELECT count(*) FROM sync_import_undo)").fetchone()[0]
    done = 0
    with dbmod.transaction(conn):
        conn.execute("UPDATE sync_import_running SET phase='undo'")
    # rows are deleted and put back exactly as they were: no cascade, no check of a
    # reference that the next step restores
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        while True:
            row = conn.execute("SELECT max(chunk) FROM (SELECT chunk FROM sync_import_range"
                               " UNION ALL SELECT chunk FROM sync_import_undo)").fetchone()
            if row[0] is None:
                break
            chunk = row[0]
            done = _delete_inserted(conn, chunk, done, total, progress)
            done = _run_statements(conn, chunk, done, total, progress)
        with dbmod.transaction(conn):
            balance_cache.clear(conn)
            conn.execute("DELETE FROM sync_import_running")
        checkpoint(conn)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _delete_inserted(conn, chunk: int, done: int, total: int, progress) -> int:
    for table, lo in conn.execute("SELECT tbl, lo FROM sync_import_range WHERE chunk=?",
                                  (chunk,)).fetchall():
        t = _q(table)
        while True:
            with dbmod.transaction(conn):
                hi = conn.execute("SELECT hi FROM sync_import_range WHERE chunk=? AND tbl=?",
                                  (chunk, table)).fetchone()[0]
                rowids = [r[0] for r in conn.execute(
                    f"SELECT rowid FROM main.{t} WHERE rowid > ? AND rowid <= ?"
                    f" ORDER BY rowid DESC LIMIT {UNDO_STEP}", (lo, hi))]
                if not rowids:
                    conn.execute("DELETE FROM sync_import_range WHERE chunk=? AND tbl=?",
                                 (chunk, table))
                    break
                listed = _rowid_list(rowids)
                people = _ids_of(conn, table, listed) if table == "person" else []
                conn.execute(f"DELETE FROM main.{t} WHERE rowid IN (SELECT value FROM"
                             " json_each(?))", (listed,))
                _index_after(conn, table, listed, people)
                conn.execute("UPDATE sync_import_range SET hi=? WHERE chunk=? AND tbl=?",
                             (min(rowids) - 1, chunk, table))
            checkpoint(conn)
            done += len(rowids)
            if progress is not None:
                progress(min(done, total), total)
    return done


def _run_statements(conn, chunk: int, done: int, total: int, progress) -> int:
    while True:
        with dbmod.transaction(conn):
            rows = conn.execute("SELECT seq, tbl, rid, sql FROM sync_import_undo WHERE chunk=?"
                                f" ORDER BY seq DESC LIMIT {UNDO_STEP}", (chunk,)).fetchall()
            if not rows:
                return done
            touched: dict[str, list[int]] = {}
            for _seq, table, rowid, sql in rows:
                conn.execute(sql)
                touched.setdefault(table, []).append(rowid)
            for table, rowids in touched.items():
                listed = _rowid_list(rowids)
                _index_after(conn, table, listed, _ids_of(conn, table, listed)
                             if table == "person" else [])
            conn.execute("DELETE FROM sync_import_undo WHERE chunk=? AND seq >= ?",
                         (chunk, rows[-1][0]))
        checkpoint(conn)
        done += len(rows)
        if progress is not None:
            progress(min(done, total), total)


def _ids_of(conn, table: str, listed: str) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT id FROM main.{_q(table)} WHERE rowid IN (SELECT value FROM json_each(?))",
        (listed,))]


def _index_after(conn, table: str, listed: str, people: list[str]) -> None:
    """The full-text rows of records the undo deleted or put back, written anew from what
    the records are now (none for a record that is gone)."""
    if table == "person":
        conn.execute("DELETE FROM person_search WHERE rowid IN (SELECT value FROM"
                     " json_each(?))", (listed,))
        rows = conn.execute("SELECT rowid, name_key, phone_key, document_key FROM person"
                            " WHERE deleted = 0 AND rowid IN (SELECT value FROM json_each(?))",
                            (listed,)).fetchall()
        conn.executemany("INSERT INTO person_search(rowid, keys) VALUES (?, ?)",
                         [(r[0], search_text(r[1] or "", r[2] or "", r[3] or "")) for r in rows])
        # the cases naming these people carry their names in their own keys
        if people:
            case_ids = [r[0] for r in conn.execute(
                "SELECT id FROM hotline_case WHERE person_id IN (SELECT value FROM"
                " json_each(?))", (json.dumps(people),))]
            case_search.refresh(conn, case_ids)
    elif table == "hotline_case":
        conn.execute("DELETE FROM case_search WHERE rowid IN (SELECT value FROM json_each(?))",
                     (listed,))
        case_ids = [r[0] for r in conn.execute(
            "SELECT id FROM hotline_case WHERE rowid IN (SELECT value FROM json_each(?))",
            (listed,))]
        case_search.refresh(conn, case_ids)
    elif table == "employer":
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM employer WHERE rowid IN (SELECT value FROM json_each(?))",
            (listed,))]
        case_search.refresh_employer(conn, ids)
