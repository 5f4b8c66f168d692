"""Trainings records merge like every synced record: two laptops, any exchange order."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.domain.ids import new_id
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.repository import Repository
from desktop_app.store.security.keys import copy_database
from desktop_app.store.session import Session, set_meta
from desktop_app.store.sync_state.changes import logged_changes
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from tests.helpers import trainings as h


def replicate(src: Session, dst: Session) -> None:
    """Apply every change of ``src`` that ``dst`` has not seen (what a bundle carries)."""
    seen = {(r[0], r[1])
            for r in dst.conn.execute("SELECT origin_device, origin_seq FROM change_log")}
    rows = list(logged_changes(src.conn, Repository.synced_tables()))
    with dst.transaction():
        for device, seq, table, record_id, stamp, fields, author, *_rest in rows:
            if (device, seq) in seen:
                continue
            Repository.for_table(table)(dst).apply_remote(record_id, json.loads(fields), stamp,
                                                          device, seq, author)


def _second_laptop(db_path, tmp_path) -> Session:
    copy = copy_database(db_path, tmp_path / "laptop2.db")
    conn = open_database(copy)
    set_meta(conn, "device_id", new_id())
    return Session(conn, default_actor(conn))


def _state(session):
    conn = session.conn
    return (conn.execute("SELECT id, present, deleted FROM training_attendance"
                         " ORDER BY id").fetchall(),
            conn.execute("SELECT id, attended_sessions, completed, completion_override "
                         "FROM training_participant ORDER BY id").fetchall())


def test_same_cell_marked_on_two_laptops_merges_into_one_record(session, db_path, tmp_path):
    ev = h.event(session, sessions=2)
    part = ts.add_participant(session, ev["id"], h.person(session, "Nazarova", "Dilnoza")["id"])
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other = _second_laptop(db_path, tmp_path)
    assert other.device_id != session.device_id
    s0 = tq.sessions_of(session.conn, ev["id"])[0]
    tr.TrainingAttendanceRepository(session).mark(ev["id"], s0["id"], part["id"], False)
    tr.TrainingAttendanceRepository(other).mark(ev["id"], s0["id"], part["id"], True)
    replicate(session, other)
    replicate(other, session)
    assert _state(session) == _state(other)
    assert len(_state(session)[0]) == 1
    other.conn.close()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marks=st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(0, 3),
                                st.booleans()), min_size=1, max_size=14),
       a_first=st.booleans())
def test_random_marks_converge_in_any_order(session, db_path, tmp_path_factory, marks, a_first):
    tmp = tmp_path_factory.mktemp("sync")
    a_conn = open_database(copy_database(db_path, tmp / "a.db"))
    a = Session(a_conn, default_actor(a_conn))
    ev = h.event(a, course="household_budget", sessions=4)      # rule: 75 %
    parts = [ts.add_participant(a, ev["id"], h.person(a, f"Family{i}", "Given")["id"])
             for i in range(3)]
    a_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    b = _second_laptop(tmp / "a.db", tmp)
    sessions = tq.sessions_of(a_conn, ev["id"])
    for on_a, p, s, present in marks:
        target = a if on_a else b
        tr.TrainingAttendanceRepository(target).mark(ev["id"], sessions[s]["id"], parts[p]["id"],
                                                     present)
    if a_first:
        replicate(a, b)
        replicate(b, a)
    else:
        replicate(b, a)
        replicate(a, b)
    assert _state(a) == _state(b)
    # derived completion equals a fresh computation from the merged marks
    for p in parts:
        present = a_conn.execute("SELECT count(*) FROM training_attendance WHERE participant_id=? "
                                 "AND present=1", (p["id"],)).fetchone()[0]
        row = tr.TrainingParticipantRepository(a).get(p["id"])
        assert row["attended_sessions"] == present
        assert row["completed"] == (1 if present >= 3 else 0)
    a_conn.close()
    b.conn.close()
