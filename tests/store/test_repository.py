import json

import pytest

from desktop_app.store import repository
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.audit import verify_chain
from desktop_app.store.cases import repositories as cases_repositories
from desktop_app.store.cases.repositories import CaseRepository
from desktop_app.store.cases.services import open_case
from desktop_app.store.db import known_key
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.store.security.keys import copy_database, remember_key
from desktop_app.store.session import Session
from desktop_app.store.sync_state import erasure as sync_erasure


def _counts(conn):
    return (conn.execute("SELECT count(*) FROM change_log").fetchone()[0],
            conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def test_create_update_delete_write_change_and_audit_rows(session):
    repo = PersonRepository(session)
    changes0, audits0 = _counts(session.conn)
    person = repo.create({"family_name": "Раҳмонов", "given_name": "Фарҳод", "sex": "male",
                          "birth_date": "07.03.1991"})
    assert person["birth_date"] == "1991-03-07"
    assert _counts(session.conn) == (changes0 + 1, audits0 + 1)

    repo.update(person["id"], {"phones": "+992 93 555 12 34"})
    last = session.conn.execute(
        "SELECT fields FROM change_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert json.loads(last[0])["phones"] == "+992 93 555 12 34"
    audit = session.conn.execute(
        "SELECT action, before, after FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert audit[0] == "update"
    assert json.loads(audit[1])["phones"] is None
    assert json.loads(audit[2])["phones"] == "+992 93 555 12 34"

    repo.delete(person["id"])
    assert repo.get(person["id"]) is None
    assert repo.get(person["id"], include_deleted=True)["deleted"] == 1
    assert _counts(session.conn) == (changes0 + 3, audits0 + 3)
    assert verify_chain(session.conn) == []


def test_unchanged_update_writes_nothing(session):
    repo = PersonRepository(session)
    person = repo.create({"family_name": "Karimov", "given_name": "Aziz"})
    before = _counts(session.conn)
    repo.update(person["id"], {"family_name": "Karimov"})
    assert _counts(session.conn) == before


def test_invalid_values_save_nothing(session):
    repo = PersonRepository(session)
    before = _counts(session.conn)
    with pytest.raises(ValidationError) as err:
        repo.create({"family_name": "", "given_name": "Aziz", "birth_date": "31.02.1990"})
    assert set(err.value.errors) == {"family_name", "birth_date"}
    assert _counts(session.conn) == before
    assert session.conn.execute("SELECT count(*) FROM person").fetchone()[0] == 0


def test_failure_inside_transaction_rolls_back_everything(session):
    repo = PersonRepository(session)
    before = _counts(session.conn)
    with pytest.raises(RuntimeError):
        with session.transaction():
            repo.create({"family_name": "Nazarov", "given_name": "Olim"})
            raise RuntimeError("power cut")
    assert _counts(session.conn) == before
    # the audit chain head was reset: the next write still chains correctly
    repo.create({"family_name": "Nazarov", "given_name": "Olim"})
    assert verify_chain(session.conn) == []


def test_per_field_clocks_advance(session):
    repo = PersonRepository(session)
    person = repo.create({"family_name": "Aliev", "given_name": "Bakhtiyor"})
    clocks = repo.clocks_of(person)
    updated = repo.update(person["id"], {"given_name": "Bakhtiyor", "village": "Navdi"})
    new_clocks = repo.clocks_of(updated)
    # stored compactly: one row stamp and the one field written since
    assert json.loads(updated["hlc"]) == {"*": clocks["family_name"],
                                          "updated_at": new_clocks["village"],
                                          "updated_by": new_clocks["village"],
                                          "village": new_clocks["village"]}
    assert new_clocks["village"] > clocks["family_name"]
    assert new_clocks["family_name"] == clocks["family_name"]


def test_episode_dates_checked(session):
    person = PersonRepository(session).create({"family_name": "Odinaev", "given_name": "Sino"})
    repo = MigrationEpisodeRepository(session)
    with pytest.raises(ValidationError) as err:
        repo.create({"person_id": person["id"], "departure_date": "2024-05-01",
                     "return_date": "2023-01-01"})
    assert "return_date" in err.value.errors
    ep = repo.create({"person_id": person["id"], "destination_country": "RU",
                      "departure_date": "01.05.2024"})
    assert repo.for_person(person["id"])[0]["id"] == ep["id"]


def _refused_category(path, case) -> None:
    """Open the database at ``path``, withdraw the case category, check that a case with it
    is refused, close."""
    conn = open_database(path)
    with conn:
        conn.execute("UPDATE reference_item SET deleted=1 WHERE kind='case_category'"
                     " AND code=?", (case["category"],))
    session = Session(conn, default_actor(conn))
    with pytest.raises(ValidationError) as refused:
        open_case(session, case)
    assert "category" in refused.value.errors
    assert CaseRepository(session)._required_columns()
    conn.close()


def test_databases_opened_one_after_the_other_each_get_their_own_caches(
        db_path, tmp_path, monkeypatch):
    """What a repository reads once from a database (its case categories, a table's NOT
    NULL columns, the erasable fields) belongs to that database: a connection closed and
    another opened may get the same id(), so nothing is cached by it."""
    # every connection with the same id(), as when the second reuses the first's memory
    for module in (repository, cases_repositories, sync_erasure):
        monkeypatch.setattr(module, "id", lambda obj: 1, raising=False)
    other = copy_database(db_path, tmp_path / "other.db")
    remember_key(other, known_key(db_path))
    case = dict(channel="hotline", category="unpaid_wages", opened_on="2026-03-02",
                summary="Wages not paid")
    _refused_category(db_path, case)
    second = open_database(other)
    try:
        session = Session(second, default_actor(second))
        assert open_case(session, case)["category"] == "unpaid_wages"
    finally:
        second.close()
