"""Sync bundles: export and import of changed people with their migration episodes.

At full scale 100,000 people (a tenth of the 1M target) with one episode each are written
on an office database, exported as one bundle and imported into a coordinator database.
Baselines, measured in the same run on the same rows:
- export vs reading the same rows and writing them as JSON Lines (goal within 2x);
- import vs a bare ``executemany`` insert of the same rows into the same tables (goal
  within 3x). The import runs in a child process so its peak RSS is its own (< 500 MB).
Each side of the import comparison is run three times on fresh copies; the best run of
each is printed (wall clock and processor time), the peak RSS is the largest.
"""
from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import time

from run import Result

ORG_KEY = bytes(range(32))
RUNS = 3
CHILD = r"""
import json, sys, time, resource
def peak_kb():
    # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's resident
    # set when it is forked, so it reported the benchmark runner's memory, not the import's
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from desktop_app.store.access import open_database, default_actor
from desktop_app.sync import exchange
conn = open_database(sys.argv[1])
# the application has its modules loaded before anyone imports a bundle: load them here
# too, so that the time below is the import's own work
from desktop_app.sync.scope import load_repositories
load_repositories()
started = time.perf_counter()
cpu = time.process_time()
summary = exchange.import_bundle(conn, sys.argv[2], actor=default_actor(conn))
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu
print(json.dumps({"seconds": elapsed, "cpu": cpu, "new": summary.new,
                  "rss_kb": peak_kb()}))
"""


def _setup(path, code, office_type):
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    from desktop_app.sync import keys
    conn = open_database(path, create=True)
    session = initialise(conn, office_code=code, office_name=code, office_type=office_type)
    keys.set_org_key(conn, ORG_KEY)
    return conn, session


def run(ctx) -> list[Result]:
    from desktop_app.store.people import MigrationEpisodeRepository, PersonRepository
    from desktop_app.sync import exchange, keys
    n = max(200, ctx.count("people") // 10)
    rng = random.Random(3)
    office, session = _setup(ctx.workdir / "office.db", "GRM", "jrc")
    coord, _cs = _setup(ctx.workdir / "coordinator.db", "DSH", "coordinator")
    keys.trust(coord, keys.load_identity(office).public_key)
    coord.close()
    families = ["Раҳмонов", "Karimov", "Nazarova", "Саидова", "Aliev", "Ҷӯраев"]
    with session.transaction():
        ids = []
        people = PersonRepository(session)
        for start in range(0, n, 5000):
            batch = [{"family_name": rng.choice(families), "given_name": f"Olim{i}",
                      "birth_date": f"19{rng.randint(60, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                      "phones": f"+992 93 {rng.randint(0, 9999999):07d}", "village": "Navdi"}
                     for i in range(start, min(n, start + 5000))]
            people.create_many(batch, audit=False)
        ids = [r[0] for r in office.execute("SELECT id FROM person")]
        MigrationEpisodeRepository(session).create_many(
            [{"person_id": pid, "destination_country": "RU", "destination_city": "Krasnoyarsk",
              "sector": "construction", "departure_date": "2023-03-01"} for pid in ids],
            audit=False)
    office.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    bundle = ctx.workdir / "office.hamroh"
    started = time.perf_counter()
    result = exchange.export_bundle(office, bundle, target="coordinator")
    export_s = time.perf_counter() - started

    started = time.perf_counter()
    rows = 0
    with open(ctx.workdir / "plain.jsonl", "w", encoding="utf-8") as out:
        for table in ("person", "migration_episode"):
            cur = office.execute(f"SELECT * FROM {table}")
            cols = [d[0] for d in cur.description]
            for row in cur:
                out.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False,
                                     sort_keys=True) + "\n")
                rows += 1
    plain_s = time.perf_counter() - started

    # baseline: bare executemany of the same rows into an empty copy of the schema.
    # Both sides are measured RUNS times on fresh copies and the best run counts: on a
    # shared machine a single run of either can be twice as slow as the next one.
    data = {}
    for table in ("person", "migration_episode"):
        cur = office.execute(f"SELECT * FROM {table}")
        cols = [d[0] for d in cur.description]
        data[table] = (cols, cur.fetchall())
    office.close()
    bare_s = bare_cpu = float("inf")
    for attempt in range(RUNS):
        base, _bs = _setup(ctx.workdir / f"baseline-{attempt}.db", "DSH", "coordinator")
        started = time.perf_counter()
        cpu = time.process_time()
        base.execute("BEGIN")
        for table, (cols, values) in data.items():
            base.executemany(f"INSERT INTO {table}({', '.join(cols)}) VALUES "
                             f"({', '.join('?' * len(cols))})", values)
        base.execute("COMMIT")
        bare_s = min(bare_s, time.perf_counter() - started)
        bare_cpu = min(bare_cpu, time.process_time() - cpu)
        base.close()
    del data

    info = None
    for attempt in range(RUNS):
        target = ctx.workdir / f"coordinator-{attempt}.db"
        shutil.copyfile(ctx.workdir / "coordinator.db", target)
        child = subprocess.run([sys.executable, "-c", CHILD, str(target), str(bundle)],
                               capture_output=True, text=True,
                               cwd=str(ctx.workdir.parents[2]))
        if child.returncode != 0:
            raise RuntimeError(child.stderr[-2000:])
        run_info = json.loads(child.stdout.strip().splitlines()[-1])
        if info is None:
            info = run_info
        else:
            info = {"seconds": min(info["seconds"], run_info["seconds"]),
                    "cpu": min(info["cpu"], run_info["cpu"]),
                    "rss_kb": max(info["rss_kb"], run_info["rss_kb"])}
    changes = result.changes
    return [
        Result(f"export {changes} changes ({n} people + episodes)", export_s, "s",
               "read + serialise same rows", plain_s, "<= 2x"),
        Result(f"import {changes} changes into coordinator", info["seconds"], "s",
               "bare executemany insert", bare_s, "<= 3x"),
        # processor time as well: on a shared, busy machine the wall-clock ratio varies
        Result("import, processor time", info["cpu"], "s", "bare insert, processor time",
               bare_cpu, "<= 3x"),
        Result("import throughput", changes / info["seconds"], "ch/s"),
        Result("peak RSS of the importing process", info["rss_kb"] / 1024, "MB", goal="< 500 MB"),
        Result("bundle size", bundle.stat().st_size / 1024 / 1024, "MB"),
    ]
