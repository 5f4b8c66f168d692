"""Database file size per person (issue 15, item 1).

The shared demo database of this scale (brought up to this version's schema, so the change
log is the compact one of migration 0080) is copied, compacted as ``hamroh db compact``
does (creations without a copy of their values, then VACUUM), and its size divided by the
people on the register. Baseline, measured in the same run: the same synced rows (every
synced table's id, fields and clock map) in a plain, unencrypted SQLite file with no index
but the primary keys, also vacuumed. Goal: at most 5,500 bytes a person.
"""
from __future__ import annotations

import shutil
import time

from run import Result

GOAL = 5500


def _baseline(conn, target) -> int:
    """Bytes of the synced rows alone in a plain SQLite file."""
    import sqlite3

    from desktop_app.sync.scope import columns_of, synced_tables
    target.unlink(missing_ok=True)
    plain = sqlite3.connect(target)
    plain.execute("PRAGMA journal_mode = OFF")
    for table, cls in synced_tables(conn).items():
        cols = columns_of(cls)
        plain.execute(f"CREATE TABLE {table}(id TEXT PRIMARY KEY, {', '.join(cols[1:])})")
        cur = conn.execute(f"SELECT {', '.join(cols)} FROM {table}")
        while rows := cur.fetchmany(5000):
            plain.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(cols))})",
                              rows)
    plain.commit()
    plain.execute("VACUUM")
    plain.close()
    return target.stat().st_size


def run(ctx) -> list[Result]:
    from desktop_app.store.access import open_database
    from desktop_app.store.sync_state.changes import compact_creations
    from desktop_app.sync.scope import synced_tables
    source = ctx.demo_db()
    work = ctx.fresh_copy("size.db")
    conn = open_database(work, migrate=False)
    people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    as_migrated = work.stat().st_size
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    freed = compact_creations(conn, synced_tables(conn))
    conn.execute("COMMIT")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    compact_s = time.perf_counter() - started
    ours = work.stat().st_size
    entries, creations = conn.execute(
        "SELECT count(*), sum(fields IS NULL) FROM change_entry").fetchone()
    bare = _baseline(conn, ctx.workdir / "plain-rows.db")
    conn.close()
    for leftover in ctx.workdir.glob("size.db*"):
        leftover.unlink()
    shutil.rmtree(ctx.workdir / "backups", ignore_errors=True)
    return [
        Result(f"database file per person ({people} people, compacted)", ours / people, "B",
               "same synced rows in a plain file", bare / people, f"<= {GOAL} B"),
        Result(f"  the cached demo as migrated, before compact ({source.name})",
               as_migrated / people, "B"),
        Result(f"  change-log entries per person ({creations} of {entries} creations"
               f" without a copy; {freed} freed by compact)", entries / people, ""),
        Result("  db compact (creations pass + VACUUM)", compact_s, "s"),
    ]
