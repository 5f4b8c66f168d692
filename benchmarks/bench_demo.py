"""Demo generation against a bare insert of the same rows.

Builds a demo database of a tenth of the run's scale (people, cases, trainings, loans in
the benchmark's proportions) with ``create_demo``, then inserts every row it wrote (each
table's rows, the change log and the audit log included; the full-text tables excepted)
with ``executemany`` into an empty file of the same schema and indexes, encrypted with
the same kind of key. Wall and CPU time of both; the key derivation of the demo users
(argon2id, a fixed cost of about a second) is in the demo's figure.
"""
from __future__ import annotations

import argparse
import time

from run import Result

SKIP = ("sqlite_", "person_search", "case_search")


def _bare_insert(source, target) -> tuple[float, float, int]:
    from desktop_app.store import db as dbmod
    from desktop_app.store.access import open_database
    src = open_database(source, migrate=False)
    key = dbmod.known_key(source)
    dst = dbmod.connect(target, key, create=True)
    objects = src.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                          "AND type IN ('table', 'index') ORDER BY type = 'index', rowid")
    tables = []
    for kind, name, sql in objects.fetchall():
        if not name.startswith(SKIP):
            dst.execute(sql)
            if kind == "table":
                tables.append(name)
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    src.close()
    started, cpu = time.perf_counter(), time.process_time()
    dst.execute("BEGIN")
    for table, values in rows.items():
        if values:
            dst.executemany(f"INSERT INTO {table} VALUES "
                            f"({','.join('?' * len(values[0]))})", values)
    dst.execute("COMMIT")
    dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    dst.close()
    return wall, used, sum(len(v) for v in rows.values())


def run(ctx):
    from desktop_app.demo import create_demo, default_arguments

    counts = {kind: max(1, ctx.count(kind) // 10) for kind in ("people", "cases", "loans",
                                                               "trainings")}
    args: argparse.Namespace = default_arguments(**counts, seed=3)
    path = ctx.workdir / "demo.db"
    started, cpu = time.perf_counter(), time.process_time()
    session = create_demo(path, args)
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    session.conn.close()
    bare_wall, bare_cpu, rows = _bare_insert(path, ctx.workdir / "bare.db")
    label = ", ".join(f"{n:,} {k}" for k, n in counts.items())
    return [Result(f"demo generation ({label}; {rows:,} rows)", wall, "s",
                   "bare executemany of the same rows", bare_wall, "<= 3x", used, bare_cpu)]
