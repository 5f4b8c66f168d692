"""The compact change log (migration 0080): creations keep no copy of their values, export
reads them from the row, older databases migrate, `hamroh db compact` frees the copies,
and a kill during compaction leaves the log whole."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time

from desktop_app.cli import main as hamroh
from desktop_app.store import migrations
from desktop_app.store.access import open_database
from desktop_app.store.db import integrity_problems
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.store.repository import Repository
from desktop_app.store.sync_state.changes import logged_changes
from desktop_app.sync import exchange
from desktop_app.sync.dump import dump_text
from desktop_app.sync.scope import load_repositories
from tests.conftest import TEST_PASSWORD
from tests.helpers.replicas import exchange_files

OLD_TABLE = ("CREATE TABLE change_log (seq INTEGER PRIMARY KEY, origin_device TEXT NOT NULL,"
             " origin_seq INTEGER NOT NULL, table_name TEXT NOT NULL, record_id TEXT NOT NULL,"
             " hlc TEXT NOT NULL, fields TEXT NOT NULL, author TEXT, office_id TEXT, base TEXT)")


load_repositories()
SYNCED = Repository.synced_tables()


def _people(replica, count: int = 12) -> list[dict]:
    people = PersonRepository(replica.session)
    episodes = MigrationEpisodeRepository(replica.session)
    made = []
    with replica.session.transaction():
        for i in range(count):
            person = people.create({"family_name": f"Раҳмонов{i}", "given_name": "Фарҳод",
                                    "phones": f"+992 93 555 {i:04d}"})
            episodes.create({"person_id": person["id"], "destination_country": "RU"})
            made.append(person)
    return made


def _records(conn) -> list[str]:
    """The dump lines of people and their migration episodes."""
    return [line for line in dump_text(conn).splitlines()
            if '"table":"person"' in line or '"table":"migration_episode"' in line]


def _with_copies(conn) -> None:
    """Give every creation back the full copy of its values (as the log kept before 0080)."""
    full = {(c[0], c[1]): c[5] for c in logged_changes(conn, SYNCED)}
    seqs = conn.execute("SELECT c.seq, c.origin_device, c.origin_seq FROM change_log c"
                        " WHERE c.fields IS NULL").fetchall()
    conn.execute("BEGIN")
    conn.executemany("UPDATE change_entry SET fields=? WHERE seq=?",
                     [(full[(device, oseq)], seq) for seq, device, oseq in seqs])
    conn.execute("COMMIT")


def test_a_creation_is_logged_without_its_values_and_exported_from_the_row(make_replicas,
                                                                          tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    person = _people(grm, 1)[0]
    stored = grm.conn.execute(
        "SELECT fields FROM change_log WHERE record_id=? ORDER BY seq", (person["id"],)
    ).fetchall()
    assert stored == [(None,)]
    PersonRepository(grm.session).update(person["id"], {"given_name": "Олим"})
    lines = [c for c in logged_changes(grm.conn, SYNCED) if c[3] == person["id"]]
    creation, edit = (json.loads(c[5]) for c in lines)
    # the creation still carries every field the edit did not overwrite, with its values
    assert creation["family_name"] == "Раҳмонов0" and creation["phones"] == "+992 93 555 0000"
    assert "given_name" not in creation and "updated_at" not in creation
    assert edit["given_name"] == "Олим"
    exchange_files(grm, dsh, tmp_path / "b")
    assert _records(dsh.conn) == _records(grm.conn)
    # the receiver logs the whole creation without a copy too, and relays the same lines
    assert [c[5] for c in logged_changes(dsh.conn, SYNCED) if c[3] == person["id"]] == \
        [c[5] for c in lines]


def test_migration_0080_keeps_every_change_and_drops_the_copies(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    made = _people(grm)
    PersonRepository(grm.session).update(made[3]["id"], {"village": "Варзоб"})
    before = list(logged_changes(grm.conn, SYNCED))
    records = dump_text(grm.conn)
    vector = exchange.version_vector(grm.conn)
    conn = grm.conn
    # the database as it was before 0080: the former table, every creation copied
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE change_log_old AS SELECT * FROM change_log")
    conn.execute("DROP VIEW change_log")
    conn.execute(OLD_TABLE)
    conn.execute("UPDATE change_log_old SET fields = '' WHERE fields IS NULL")
    conn.execute("INSERT INTO change_log SELECT * FROM change_log_old")
    conn.execute("DROP TABLE change_log_old")
    conn.executemany("UPDATE change_log SET fields=? WHERE origin_device=? AND origin_seq=?",
                     [(c[5], c[0], c[1]) for c in before])
    conn.execute("CREATE UNIQUE INDEX change_log_origin ON change_log(origin_device, origin_seq)")
    conn.execute("CREATE INDEX change_log_record ON change_log(table_name, record_id)")
    conn.execute("CREATE INDEX change_log_hlc ON change_log(hlc)")
    conn.execute("DROP TABLE change_entry")
    conn.execute("DROP TABLE change_term")
    conn.execute("DELETE FROM schema_migrations WHERE name='0080_compact_change_log'")
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM change_log WHERE fields IS NULL").fetchone() == (0,)

    assert migrations.migrate(conn, grm.path, backup=False).applied == \
        ["0080_compact_change_log"]

    assert list(logged_changes(conn, SYNCED)) == before
    assert dump_text(conn) == records
    assert exchange.version_vector(conn) == vector
    creations = conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                             ).fetchone()[0]
    assert creations >= 2 * len(made) + 1        # people, episodes (and the setup's rows)
    # the clock and the sequence numbers go on from where they were
    grm.session._origin_seq = None
    PersonRepository(grm.session).update(made[0]["id"], {"village": "Ҳисор"})
    after = list(logged_changes(conn, SYNCED))
    assert after[-1][1] == vector[grm.device_id] + 1 and after[-1][4] > before[-1][4]
    exchange_files(grm, dsh, tmp_path / "b")
    assert _records(dsh.conn) == _records(conn)


def test_db_compact_frees_the_copies_and_keeps_every_change(make_replicas, monkeypatch,
                                                            capsys):
    (grm,) = make_replicas(["GRM"])
    _people(grm)
    before = list(logged_changes(grm.conn, SYNCED))
    _with_copies(grm.conn)
    assert grm.conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                            ).fetchone() == (0,)
    records = dump_text(grm.conn)
    grm.close()
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)

    assert hamroh(["db", "compact", "--db", str(grm.path), "--user", "admin"]) == 0

    out = capsys.readouterr().out
    assert "Step 1 of 2" in out and "no longer copy" in out
    conn = open_database(grm.path)
    try:
        assert list(logged_changes(conn, SYNCED)) == before
        assert dump_text(conn) == records
        assert conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                            ).fetchone()[0] >= 24
        assert conn.execute("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1"
                            ).fetchone() == ("db_compact",)
    finally:
        conn.close()


def _child_compact(db_path) -> None:
    try:
        os.environ["HAMROH_PASSWORD"] = TEST_PASSWORD
        hamroh(["db", "compact", "--db", str(db_path), "--user", "admin"])
    finally:
        os._exit(0)


def test_sigkill_during_compact_leaves_the_log_whole(make_replicas, tmp_path):
    (grm,) = make_replicas(["GRM"])
    _people(grm, 40)
    before = list(logged_changes(grm.conn, SYNCED))
    _with_copies(grm.conn)
    records = dump_text(grm.conn)
    grm.close()
    clean = tmp_path / "clean.db"
    shutil.copyfile(grm.path, clean)
    for sidecar in grm.path.parent.glob(grm.path.name + ".*"):
        shutil.copyfile(sidecar, tmp_path / ("clean.db" + sidecar.name[len(grm.path.name):]))
    rng = random.Random(15)
    target = tmp_path / "target.db"
    started = time.perf_counter()
    _kill_after(clean, target, None)
    whole = time.perf_counter() - started
    outcomes = set()
    for _ in range(8):
        _kill_after(clean, target, rng.uniform(0, whole))
        conn = open_database(target)
        try:
            assert not integrity_problems(conn)
            assert list(logged_changes(conn, SYNCED)) == before
            assert dump_text(conn) == records
            outcomes.add(conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                                      ).fetchone()[0])
        finally:
            conn.close()
    # every kill left either the copies or none of them (never a part)
    assert outcomes <= {0, conn_count(target, clean)}


def conn_count(target, clean) -> int:
    """How many creations a whole compaction frees (a run to the end)."""
    _kill_after(clean, target, None)
    conn = open_database(target)
    try:
        return conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                            ).fetchone()[0]
    finally:
        conn.close()


def _kill_after(clean, target, delay: float | None) -> None:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    shutil.copyfile(clean, target)
    for sidecar in clean.parent.glob(clean.name + ".*"):
        shutil.copyfile(sidecar, target.parent / (target.name + sidecar.name[len(clean.name):]))
    pid = os.fork()
    if pid == 0:
        _child_compact(target)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def test_latest_clock_and_version_vector_are_look_ups_with_the_logs_values(make_replicas,
                                                                        tmp_path):
    """Both read one index entry per device (at 1M the former join read and sorted the
    whole log at every transaction's start: 2.8 s), and give what a pass over the log
    gives: entries of three devices, relayed ones and a clock kept as text."""
    from desktop_app.store.sync_state import changes
    grm, dsh, kul = make_replicas(["GRM", "DSH", "TJB"])
    _people(grm, 3)
    _people(dsh, 2)
    exchange_files(grm, dsh, tmp_path / "a")
    _people(kul, 1)
    exchange_files(dsh, kul, tmp_path / "b")
    conn = kul.conn
    # a clock whose device part is not its origin device is kept as text
    conn.execute("UPDATE change_entry SET hlc = ? WHERE seq = (SELECT min(seq) FROM"
                 " change_entry)", ("001999999999999.00001.relayed-device",))
    assert changes.latest_clock(conn) == conn.execute(
        "SELECT max(hlc) FROM change_log").fetchone()[0] == "001999999999999.00001.relayed-device"
    conn.execute("UPDATE change_entry SET hlc = 1 WHERE typeof(hlc) = 'text'")
    assert changes.latest_clock(conn) == conn.execute(
        "SELECT max(hlc) FROM change_log").fetchone()[0]
    vector = changes.version_vector(conn)
    assert vector == dict(conn.execute(
        "SELECT origin_device, max(origin_seq) FROM change_log GROUP BY origin_device"))
    assert len(vector) == 3
    # the statements both run, as SQLite plans them with the statistics of a large log
    # whose origin device looks selective (as the 1M demo's sampled ones, or a log written
    # by many devices)
    conn.execute("ANALYZE")
    conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'change_entry'")
    conn.executemany("INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES ('change_entry', ?, ?)",
                     [("change_entry_hlc", "5951002 1"), ("change_entry_record", "5951002 1"),
                      ("change_entry_origin", "5951002 1001 1")])
    conn.execute("ANALYZE sqlite_schema")      # reads the statistics again
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    changes.latest_clock(conn)
    changes.version_vector(conn)
    conn.set_trace_callback(None)
    reads = [sql for sql in statements if "FROM change_entry" in sql]
    assert len(reads) == 3
    for sql in reads:
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN e" not in plan and "SCAN change_entry" not in plan, plan
        assert "TEMP B-TREE" not in plan, plan
