"""Demo generation against a bare insert of the same rows.

Builds a demo database of a tenth of the run's scale (people, cases, trainings, loans in
the benchmark's proportions) with ``create_demo``, then inserts every row it wrote (each
table's rows, the change log and the audit log included; the full-text tables excepted)
with ``executemany`` into an empty file of the same schema and indexes, encrypted with
the same kind of key. Each is run ``REPEAT`` times (a new file each time); medians of wall
and CPU time. The demo's figure includes everything ``hamroh demo`` does (schema, key file
and demo users, the generators, statistics); a second line gives the CPU time of the one
write path every generator goes through (``Repository.create_many``: validation, policy,
change log, search keys) against the same bare insert, a third the fixed set-up (a new
file's schema and reference data, its key file and demo users), which weighs at small
scales.
"""
from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager

from run import Result

SKIP = ("sqlite_", "person_search", "case_search")
REPEAT = 3


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


@contextmanager
def _write_path_cpu(spent: list[float]):
    """Add the CPU seconds spent inside ``Repository.create_many`` to ``spent``."""
    from desktop_app.store.repository import Repository
    original = Repository.create_many

    def measured(self, *args, **kwargs):
        started = time.process_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent.append(time.process_time() - started)

    Repository.create_many = measured  # type: ignore[method-assign]
    try:
        yield
    finally:
        Repository.create_many = original  # type: ignore[method-assign]


@contextmanager
def _set_up_cpu(spent: list[float]):
    """Add the CPU seconds ``create_demo`` spends on the new file (schema and reference
    data) and on its encryption (key file, demo users) to ``spent``."""
    import desktop_app.demo as demo
    originals = {name: getattr(demo, name) for name in (
        "new_demo_key", "open_database", "initialise", "finish_demo_encryption")}

    def measured(original):
        def call(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent.append(time.process_time() - started)
        return call

    for name, original in originals.items():
        setattr(demo, name, measured(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(demo, name, original)


def run(ctx):
    from desktop_app.demo import create_demo, default_arguments

    counts = {kind: max(1, ctx.count(kind) // 10) for kind in ("people", "cases", "loans",
                                                               "trainings")}
    walls, cpus, write_path, set_up, bare_walls, bare_cpus = [], [], [], [], [], []
    rows = 0
    for attempt in range(REPEAT):
        args: argparse.Namespace = default_arguments(**counts, seed=3)
        path = ctx.workdir / f"demo-{attempt}.db"
        spent: list[float] = []
        fixed: list[float] = []
        with _write_path_cpu(spent), _set_up_cpu(fixed):
            started, cpu = time.perf_counter(), time.process_time()
            session = create_demo(path, args)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        write_path.append(sum(spent))
        set_up.append(sum(fixed))
        session.conn.close()
        bare_wall, bare_cpu, rows = _bare_insert(path, ctx.workdir / f"bare-{attempt}.db")
        bare_walls.append(bare_wall)
        bare_cpus.append(bare_cpu)
    median = statistics.median
    label = ", ".join(f"{n:,} {k}" for k, n in counts.items())
    bare = "bare executemany of the same rows"
    return [
        Result(f"demo generation ({label}; {rows:,} rows; median of {REPEAT})", median(walls),
               "s", bare, median(bare_walls), "<= 3x", median(cpus), median(bare_cpus)),
        Result("  of which Repository.create_many, CPU s", median(write_path), "s",
               f"{bare}, CPU s", median(bare_cpus)),
        Result("  of which set-up (schema, key file, demo users), CPU s", median(set_up), "s"),
    ]
