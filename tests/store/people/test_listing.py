"""The People list service: ordered ids, filters, sorting, pages, one-transaction saves."""
from __future__ import annotations

import pytest

from desktop_app.store.people import listing as people_list
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import ValidationError

BASE = dict(country="TJ", region="TJ-RR", district="TJ-RASHT", jamoat="TJ-RASHT-GARM")


def _add(session, family, given, **values):
    return people_list.save_person(session, {**BASE, "family_name": family,
                                             "given_name": given, **values}, [])


def _names(conn, query):
    ids = people_list.list_ids(conn, query).rowids
    rows = people_list.fetch_rows(conn, ids)
    return [rows[i]["family_name"] for i in ids]


def test_sort_filter_and_search(session):
    conn = session.conn
    _add(session, "Саидова", "Мавзуна", sex="female", birth_date="01.01.2000",
         migration_status="potential")
    _add(session, "Karimov", "Jamshid", sex="male", birth_date="15.06.1980",
         migration_status="returned", district="TJ-TOJIKOBOD", jamoat=None)
    _add(session, "Раҳмонов", "Фарҳод", sex="male", birth_date="07.03.1991",
         phones="+992 93 555 12 34", migration_status="abroad")
    q = people_list.PeopleQuery
    assert _names(conn, q()) == ["Karimov", "Раҳмонов", "Саидова"]
    assert _names(conn, q(descending=True)) == ["Саидова", "Раҳмонов", "Karimov"]
    assert _names(conn, q(sort="age")) == ["Саидова", "Раҳмонов", "Karimov"]
    assert _names(conn, q(sort="age", descending=True)) == ["Karimov", "Раҳмонов", "Саидова"]
    assert _names(conn, q(sex="male")) == ["Karimov", "Раҳмонов"]
    assert _names(conn, q(district="TJ-TOJIKOBOD")) == ["Karimov"]
    assert _names(conn, q(status="abroad")) == ["Раҳмонов"]
    assert _names(conn, q(term="rahmonov")) == ["Раҳмонов"]
    assert _names(conn, q(term="93 555 12 34")) == ["Раҳмонов"]
    assert _names(conn, q(term="rahmonov", sex="female")) == []
    assert people_list.count_people(conn) == 3


def test_deleted_and_merged_people_are_not_listed(session):
    a = _add(session, "Aliev", "Umed")
    b = _add(session, "Aliyev", "Umed")
    c = _add(session, "Boboev", "Sino")
    repo = PersonRepository(session)
    repo.update(b["id"], {"merged_into": a["id"]})
    repo.delete(c["id"])
    assert _names(session.conn, people_list.PeopleQuery()) == ["Aliev"]
    assert people_list.count_people(session.conn) == 1


def test_save_person_is_all_or_nothing(session):
    conn = session.conn
    before = conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(people_list.EpisodeErrors) as info:
        people_list.save_person(session, {"family_name": "Nazarov", "given_name": "Odil"}, [
            {"destination_country": "RU", "departure_date": "01.01.2020"},
            {"destination_country": "KZ", "departure_date": "01.05.2021",
             "return_date": "01.01.2021"}])
    assert list(info.value.rows) == [1]
    assert "return_date" in info.value.rows[1]
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM migration_episode").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    with pytest.raises(ValidationError) as info:
        people_list.save_person(session, {"family_name": "", "given_name": "Odil"}, [])
    assert set(info.value.errors) == {"family_name"}


def test_save_person_updates_keeps_and_deletes_episodes(session):
    person = people_list.save_person(session, {"family_name": "Nazarov", "given_name": "Odil"}, [
        {"destination_country": "RU", "sector": "construction"},
        {"destination_country": "KZ", "sector": "retail"}])
    _p, episodes = people_list.load_person(session.conn, person["id"])
    by_country = {e["destination_country"]: e for e in episodes}
    people_list.save_person(session, {"village": "Navdonak"}, [
        {"id": by_country["RU"]["id"], "destination_country": "RU", "sector": "agriculture"},
        {"destination_country": "TR"}], person["id"])
    loaded, episodes = people_list.load_person(session.conn, person["id"])
    assert loaded["village"] == "Navdonak"
    assert sorted((e["destination_country"], e["sector"]) for e in episodes) == [
        ("RU", "agriculture"), ("TR", None)]
    assert next(e for e in episodes if e["destination_country"] == "RU")["id"] == \
        by_country["RU"]["id"]
    deleted = session.conn.execute("SELECT deleted FROM migration_episode WHERE id=?",
                                   (by_country["KZ"]["id"],)).fetchone()[0]
    assert deleted == 1
