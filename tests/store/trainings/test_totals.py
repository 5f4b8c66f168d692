"""Nobody counted twice: per training, per funding source, overall, across merges."""
import json

import pytest

from desktop_app.store.audit import verify_chain
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from tests.helpers import trainings as h


def test_person_counts_once_per_funding_source_and_once_overall(session):
    conn = session.conn
    a = h.person(session, "Раҳмонова", "Гулнора", sex="female")
    b = h.person(session, "Karimov", "Jamshid", sex="male")
    ev1 = h.event(session, course="siyb", sessions=5, funding_source="undp_rasht")
    ev2 = h.event(session, course="household_budget", sessions=4, funding_source="undp_rasht")
    ev3 = h.event(session, course="beekeeping", sessions=4, funding_source="ilo_migration")
    for ev in (ev1, ev2, ev3):
        part = ts.add_participant(session, ev["id"], a["id"])
        h.attend(session, ev["id"], part["id"], 5)
    part_b = ts.add_participant(session, ev1["id"], b["id"])
    h.attend(session, ev1["id"], part_b["id"], 1)

    t = tq.totals(conn)
    assert (t.trainings, t.participant_records, t.people) == (3, 4, 2)
    assert t.people_by_funding == {"ilo_migration": 1, "undp_rasht": 2}
    assert (t.women, t.men, t.completed, t.completed_women) == (1, 1, 1, 1)
    assert t.completion_rate == 0.5 and t.women_share == 0.5
    only_undp = tq.totals(conn, funding_source="undp_rasht")
    assert (only_undp.trainings, only_undp.people) == (2, 2)


def test_same_person_twice_in_one_training_is_refused(session):
    a = h.person(session, "Rahmonov", "Farhod", sex="male")
    ev = h.event(session, sessions=2)
    ts.add_participant(session, ev["id"], a["id"])
    before = session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(ValidationError) as err:
        ts.add_participant(session, ev["id"], a["id"])
    assert "person_id" in err.value.errors
    assert session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before


def test_merged_duplicates_count_once(session):
    conn = session.conn
    people = PersonRepository(session)
    original = h.person(session, "Раҳмонов", "Фарҳод", sex="male", birth_date="1990-05-01")
    duplicate = h.person(session, "Rahmonov", "Farhod", sex="male", birth_date="1990-05-01")
    ev = h.event(session, sessions=2)
    # registered twice before anyone noticed (e.g. on two laptops)
    p1 = ts.add_participant(session, ev["id"], original["id"])
    p2 = ts.add_participant(session, ev["id"], duplicate["id"])
    h.attend(session, ev["id"], p2["id"], 2)
    assert tq.totals(conn).people == 2
    people.update(duplicate["id"], {"merged_into": original["id"]})
    t = tq.totals(conn)
    assert (t.people, t.participant_records, t.men, t.completed) == (1, 2, 1, 1)
    # once merged, the survivor cannot be added again through the duplicate's id
    with pytest.raises(ValidationError):
        ts.add_participant(session, ev["id"], duplicate["id"])
    assert tq.participant_for_identity(conn, ev["id"], original["id"]) in (p1["id"], p2["id"])
    assert {r["event_id"] for r in tq.trainings_of_person(
        conn, [original["id"], duplicate["id"]])} == {ev["id"]}


def test_outcomes_count_people_once_per_outcome(session):
    conn = session.conn
    a = h.person(session, "Saidova", "Malika")
    ev = h.event(session, sessions=2)
    part = ts.add_participant(session, ev["id"], a["id"])
    repo = tr.TrainingOutcomeRepository(session)
    for when in ("2026-05-01", "2026-06-01"):
        repo.create({"person_id": a["id"], "event_id": ev["id"], "participant_id": part["id"],
                     "outcome": "business_started", "outcome_date": when})
    repo.create({"person_id": a["id"], "event_id": ev["id"], "participant_id": part["id"],
                 "outcome": "loan_received", "outcome_date": "2026-06-02"})
    outcomes = tq.totals(conn).outcomes
    assert outcomes["business_started"] == 1 and outcomes["loan_received"] == 1
    assert outcomes["job_home"] == 0
    with pytest.raises(ValidationError) as err:
        repo.create({"person_id": a["id"], "outcome": "married", "outcome_date": "2026-06-02"})
    assert "outcome" in err.value.errors
    with pytest.raises(ValidationError) as err:
        repo.create({"person_id": a["id"], "outcome": "job_home", "outcome_date": "2999-01-01"})
    assert "outcome_date" in err.value.errors
    assert [o["outcome"] for o in tq.outcomes_of_person(conn, [a["id"]])] == [
        "loan_received", "business_started", "business_started"]


def test_attendance_cell_has_one_record_and_is_logged(session):
    conn = session.conn
    ev = h.event(session, sessions=3)
    part = ts.add_participant(session, ev["id"], h.person(session, "Nazarova", "Dilnoza")["id"])
    s0 = tq.sessions_of(conn, ev["id"])[0]
    repo = tr.TrainingAttendanceRepository(session)
    repo.mark(ev["id"], s0["id"], part["id"], True)
    repo.mark(ev["id"], s0["id"], part["id"], False)
    repo.mark(ev["id"], s0["id"], part["id"], True)
    rows = conn.execute("SELECT id, present FROM training_attendance").fetchall()
    assert rows == [(tr.attendance_id(s0["id"], part["id"]), 1)]
    logged = [r[0] for r in conn.execute(
        "SELECT fields FROM change_log WHERE table_name='training_attendance' ORDER BY seq")]
    # the creation keeps no copy (the row holds its values); the two changes after it do
    assert logged[0] is None
    assert [json.loads(f).get("present") for f in logged[1:]] == [0, 1]
    assert verify_chain(conn) == []


def test_remote_attendance_before_its_participant_is_counted_when_it_arrives(session):
    """Sync may deliver a child before its parent; the derived columns catch up."""
    conn = session.conn
    ev = h.event(session, sessions=2)
    person = h.person(session, "Sharipova", "Nodira")
    sessions = tq.sessions_of(conn, ev["id"])
    pid = "01900000-0000-7000-8000-0000000000aa"
    att = tr.TrainingAttendanceRepository(session)
    with session.transaction():
        for i, s in enumerate(sessions):
            att.apply_remote(tr.attendance_id(s["id"], pid),
                             {"event_id": ev["id"], "session_id": s["id"], "participant_id": pid,
                              "present": 1, "deleted": 0},
                             f"001795000000000.0000{i}.remote", "remote", 1 + i, "u")
        tr.TrainingParticipantRepository(session).apply_remote(
            pid, {"event_id": ev["id"], "person_id": person["id"], "deleted": 0},
            "001795000000001.00000.remote", "remote", 3, "u")
    row = tr.TrainingParticipantRepository(session).get(pid)
    assert (row["attended_sessions"], row["completed"]) == (2, 1)
