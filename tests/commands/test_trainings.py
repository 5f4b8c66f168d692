"""Demo trainings on existing people, and the ``hamroh trainings`` commands."""
import argparse
import random

from desktop_app.cli import main as hamroh
from desktop_app.demo import discover
from desktop_app.demo.trainings import GENERATOR
from desktop_app.store.audit import verify_chain
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from tests.helpers import trainings as h


def _people(session, n=60):
    rng = random.Random(3)
    for i in range(n):
        sex = "female" if i % 2 else "male"
        family = rng.choice(["Раҳмонов", "Karimov", "Назаров", "Saidov"])
        h.person(session, family + ("а" if sex == "female" else ""), f"Name{i}", sex=sex)


def test_demo_generator_makes_trainings_with_attendance_and_outcomes(session):
    assert GENERATOR in discover() and GENERATOR.order == 30
    _people(session)
    parser = argparse.ArgumentParser()
    GENERATOR.add_arguments(parser)
    args = parser.parse_args(["--trainings", "8"])
    calls = []
    assert GENERATOR.generate(session, args, random.Random(7), lambda *a: calls.append(a)) == 8
    conn = session.conn
    assert calls[-1] == ("trainings", 8, 8)
    t = tq.totals(conn)
    assert t.trainings == 8 and t.sessions > 8
    assert 0 < t.people <= 60 and t.participant_records >= t.people
    assert conn.execute("SELECT count(*) FROM training_attendance").fetchone()[0] > 0
    # derived columns agree with a fresh recomputation
    before = conn.execute("SELECT id, attended_sessions, completed FROM training_participant "
                          "ORDER BY id").fetchall()
    for e in tq.list_events(conn):
        tr.recompute_event(conn, e["id"])
    assert conn.execute("SELECT id, attended_sessions, completed FROM training_participant "
                        "ORDER BY id").fetchall() == before
    # every completed participant of a finished training has a certificate number
    assert conn.execute(
        "SELECT count(*) FROM training_participant p JOIN training_event e ON e.id=p.event_id "
        "WHERE p.completed=1 AND e.end_date < date('now') AND p.certificate_number IS NULL"
    ).fetchone()[0] == 0
    assert verify_chain(conn) == []


def test_demo_without_people_makes_nothing(session):
    args = argparse.Namespace(trainings=5)
    assert GENERATOR.generate(session, args, random.Random(1), lambda *a: None) == 0
    assert tq.list_events(session.conn) == []


def test_cli_import_previews_then_saves_and_prints_certificates(session, db_path, tmp_path, capsys):
    ev = h.event(session, sessions=2)
    path = tmp_path / "list.csv"
    path.write_bytes("Фамилия;Имя;Дата рождения\nРахмонова;Гулнора;07.03.1991\nКаримов;;\n"
                     .encode("cp1251"))
    session.conn.close()
    assert hamroh(["trainings", "import", "--db", str(db_path), "--event", ev["id"],
                   str(path)]) == 0
    out = capsys.readouterr().out
    assert "New person" in out and "Error" in out and "Nothing was saved" in out
    assert hamroh(["trainings", "import", "--db", str(db_path), "--event", ev["id"], str(path),
                   "--yes"]) == 0
    assert "1 new people registered" in capsys.readouterr().out
    assert hamroh(["trainings", "certificates", "--db", str(db_path), "--event", ev["id"],
                   "--out", str(tmp_path / "c.pdf")]) == 1
    assert "Nobody has completed" in capsys.readouterr().err
    assert hamroh(["trainings", "totals", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "People trained (each counted once): 1" in out and "Women: 0" in out
    assert hamroh(["trainings", "import", "--db", str(db_path), "--event", "nope", str(path)]) == 1


def test_cli_adds_a_course_with_its_rule(db_path, capsys):
    args = ["trainings", "course", "--db", str(db_path), "tailoring", "--en", "Tailoring",
            "--ru", "Швейное дело", "--tg", "Дӯзандагӣ", "--uz", "Tikuvchilik",
            "--sessions", "12", "--hours", "3", "--min-share", "0.9"]
    assert hamroh(args) == 0
    assert hamroh(["trainings", "courses", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "tailoring\tTailoring\tat least 90% of sessions" in out
    assert "siyb\tStart and Improve Your Business\tat least 80% of sessions" in out
    bad = args[:]
    bad[bad.index("0.9")] = "1.5"
    assert hamroh(bad) == 1
    assert "number from 0 to 1" in capsys.readouterr().err
