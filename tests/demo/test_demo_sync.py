"""Demo data, written by the batch write path, syncs like records typed in one by one: a
whole office's demo exported to the coordinator and back leaves both with the same
records, clocks and search keys, and a second exchange brings nothing new."""
import random

from desktop_app.demo import default_arguments, discover
from desktop_app.store.audit import verify_chain
from desktop_app.store.people.repositories import search_people
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files


def _search_rows(conn):
    return conn.execute("SELECT id, name_key, phone_key, document_key FROM person"
                        " ORDER BY id").fetchall()


def test_demo_office_round_trips_through_the_coordinator(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    args = default_arguments(people=80, cases=25, loans=6, trainings=2, seed=5)
    rng = random.Random(5)
    for generator in discover():
        generator.generate(grm.session, args, rng, lambda *a: None)
    written = grm.conn.execute("SELECT count(*) FROM change_entry").fetchone()[0]
    assert written > 300
    # creations keep no copy of the values; clocks of the device's own writes are numbers
    assert grm.conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NULL"
                            " AND typeof(hlc) = 'integer'").fetchone()[0] > 300

    summary = exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    assert summary.new > 300
    exchange_files(dsh, grm, tmp_path / "b", target="GRM")
    assert dump_text(grm.conn) == dump_text(dsh.conn)
    assert _search_rows(dsh.conn) == _search_rows(grm.conn)
    family = grm.conn.execute("SELECT family_name FROM person LIMIT 1").fetchone()[0]
    assert ([h.id for h in search_people(dsh.conn, family)]
            == [h.id for h in search_people(grm.conn, family)] != [])
    for table in ("hotline_case", "loan", "training_participant"):
        assert grm.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        assert (dsh.conn.execute(f"SELECT id, hlc FROM {table} ORDER BY id").fetchall()
                == grm.conn.execute(f"SELECT id, hlc FROM {table} ORDER BY id").fetchall())
    again = exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    assert again.new == 0
    assert verify_chain(grm.conn) == [] and verify_chain(dsh.conn) == []
