"""Kill the importing process (SIGKILL) at random moments: the database always opens,
passes integrity_check and holds the whole bundle or none of it."""
from __future__ import annotations

import os
import random
import shutil
import signal
import time

from desktop_app.store.access import default_actor, open_database
from desktop_app.store.db import integrity_problems
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import exchange

KILLS = 60
PEOPLE = 60


def _child_import(db_path, bundle_path) -> None:
    try:
        conn = open_database(db_path)
        exchange.import_bundle(conn, bundle_path, actor=default_actor(conn))
        conn.close()
    finally:
        os._exit(0)


def _run(db_path, bundle_path, delay: float | None) -> int:
    pid = os.fork()
    if pid == 0:
        _child_import(db_path, bundle_path)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    else:
        # the measuring run: never wait forever on a child stuck after fork
        for _ in range(1200):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    return status


def test_sigkill_during_import_leaves_all_or_nothing(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    for i in range(PEOPLE):
        PersonRepository(grm.session).create(
            {"family_name": f"Karimov{i}", "given_name": "Aziz", "phones": f"+992 93 {i:07d}"})
    bundle = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, bundle)
    dsh.close()
    clean = tmp_path / "clean.db"
    shutil.copyfile(dsh.path, clean)
    target = tmp_path / "target.db"

    # how long one whole import takes here, to spread the kills over it
    shutil.copyfile(clean, target)
    started = time.perf_counter()
    _run(target, bundle, None)
    whole = time.perf_counter() - started
    expected = PEOPLE + 2   # people, office, admin

    rng = random.Random(20261123)
    outcomes = {"none": 0, "all": 0}
    for attempt in range(KILLS):
        for suffix in ("", "-wal", "-shm"):
            leftover = tmp_path / ("target.db" + suffix)
            if leftover.exists():
                leftover.unlink()
        shutil.copyfile(clean, target)
        _run(target, bundle, rng.uniform(0, whole * 1.2))
        conn = open_database(target)
        try:
            assert integrity_problems(conn) == []
            people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
            received = conn.execute(
                "SELECT count(*) FROM change_log WHERE origin_device=?",
                (grm.device_id,)).fetchone()[0]
            logged = conn.execute("SELECT count(*) FROM sync_bundle_log WHERE direction='in'"
                                  ).fetchone()[0]
            if people == 0:
                assert (received, logged) == (0, 0)
                outcomes["none"] += 1
            else:
                assert (people, received, logged) == (PEOPLE, expected, 1)
                outcomes["all"] += 1
            if attempt % 10 == 0:
                # whatever happened, importing (again) completes the bundle
                summary = exchange.import_bundle(conn, bundle)
                assert summary.already_imported == (people > 0)
                assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == PEOPLE
        finally:
            conn.close()
    assert sum(outcomes.values()) == KILLS
