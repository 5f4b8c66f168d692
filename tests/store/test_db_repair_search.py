"""`hamroh db check` finds search indexes out of step with the records; `hamroh db
repair-search` rebuilds them, and searches find everyone again."""
from desktop_app.cli import main as hamroh
from desktop_app.domain.names import full_name_key
from desktop_app.store.access import open_database
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import services as cs
from desktop_app.store.people.repositories import PersonRepository, search_people
from tests.conftest import TEST_PASSWORD


def _found(conn, term):
    return [hit.id for hit in search_people(conn, term)]


def test_check_reports_a_damaged_search_index_and_repair_rebuilds_it(
        session, db_path, monkeypatch, capsys):
    people = PersonRepository(session)
    rahmonov = people.create({"family_name": "Раҳмонов", "given_name": "Фарҳод",
                              "phones": "+992 93 555 12 34"})
    gone = people.create({"family_name": "Назарова", "given_name": "Дилноза"})
    people.delete(gone["id"])
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      person_id=rahmonov["id"]))
    conn = session.conn
    # damage: one person's keys and full-text row lost, the case index emptied
    conn.execute("UPDATE person SET name_key = NULL WHERE id = ?", (rahmonov["id"],))
    conn.execute("DELETE FROM person_search WHERE rowid = (SELECT rowid FROM person"
                 " WHERE id = ?)", (rahmonov["id"],))
    conn.execute("DELETE FROM case_search")
    assert _found(conn, "Rahmonov") == []
    session.conn.close()
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)

    assert hamroh(["db", "check", "--db", str(db_path), "--user", "admin"]) == 1
    out = capsys.readouterr().out
    assert "The search index of people does not match the register (entries: 0, people: 1)" in out
    assert "The search index of cases does not match the cases (entries: 0, cases: 1)" in out

    assert hamroh(["db", "repair-search", "--db", str(db_path), "--user", "admin"]) == 0
    assert "Search indexes rebuilt (people: 1, cases: 1)." in capsys.readouterr().out
    assert hamroh(["db", "check", "--db", str(db_path), "--user", "admin"]) == 0

    conn = open_database(db_path)
    assert _found(conn, "Rahmonov") == [rahmonov["id"]]
    assert _found(conn, "93 555 12 34") == [rahmonov["id"]]
    assert _found(conn, "Nazarova") == []          # deleted: not brought back
    assert cq.case_ids(conn, cq.CaseFilter(search="Rakhmonov")) == [case["id"]]
    assert conn.execute("SELECT name_key FROM person WHERE id=?",
                        (rahmonov["id"],)).fetchone()[0] == full_name_key("Раҳмонов", "Фарҳод")
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action='repair_search'"
                        ).fetchone()[0] == 1
    conn.close()
