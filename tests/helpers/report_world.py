"""Shared fixtures for the report tests: small hand-computed worlds.

People (period 2026-Q1 = 2026-01-01..2026-03-31, ages on 2026-03-31):
  A  female, 25, Rasht/Garm, abroad, created 2026-01-10; episodes RU (2025-01) and, through
     the duplicate E merged into her, KZ (2025-06) -> destination KZ
  B  male, 15, Rasht, returned, created 2026-02-01
  C  female, no birth date, no district, created 2026-03-31 23:59:59 (last second of Q1)
  D  male, 56, created 2026-04-01 00:00:00 (outside Q1)
  E  female, 14, created 2026-01-05, merged into A (counts as A)
  F  male, 36, created 2026-01-20, deleted (never counts)
  G  female, 41, Sangvor, created 2025-12-31 (before Q1)
"""
from __future__ import annotations

import pytest

from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository


def backdate(conn, table: str, record_id: str, created_at: str) -> None:
    """Fixtures only: pretend a record was created at ``created_at``."""
    conn.execute(f"UPDATE {table} SET created_at = ? WHERE id = ?", (created_at, record_id))


def add_person(session, created_at: str, **values) -> str:
    values.setdefault("family_name", "Rahmonov")
    values.setdefault("given_name", "Test")
    record = PersonRepository(session).create(values)
    backdate(session.conn, "person", record["id"], created_at)
    return record["id"]


@pytest.fixture
def world(session):
    repo = PersonRepository(session)
    ids = {}
    ids["A"] = add_person(session, "2026-01-10T08:00:00Z", given_name="Aziza", sex="female",
                          birth_date="2000-05-01", district="TJ-RASHT", jamoat="TJ-RASHT-GARM",
                          migration_status="abroad")
    ids["B"] = add_person(session, "2026-02-01T08:00:00Z", given_name="Bahrom", sex="male",
                          birth_date="2010-04-01", district="TJ-RASHT",
                          migration_status="returned")
    # the office (GRM) keeps Dushanbe time, UTC+5: C is registered at 23:59:59 on 31 March
    # and D at midnight on 1 April, local time
    ids["C"] = add_person(session, "2026-03-31T18:59:59Z", given_name="Chehra", sex="female")
    ids["D"] = add_person(session, "2026-03-31T19:00:00Z", given_name="Davron", sex="male",
                          birth_date="1970-01-01", district="TJ-RASHT")
    ids["E"] = add_person(session, "2026-01-05T08:00:00Z", given_name="Aziza", sex="female",
                          birth_date="2012-01-01", district="TJ-RASHT")
    ids["F"] = add_person(session, "2026-01-20T08:00:00Z", given_name="Farhod", sex="male",
                          birth_date="1990-01-01", district="TJ-RASHT")
    ids["G"] = add_person(session, "2025-12-31T12:00:00Z", given_name="Gulnora", sex="female",
                          birth_date="1985-01-01", district="TJ-SANGVOR")
    episodes = MigrationEpisodeRepository(session)
    episodes.create(dict(person_id=ids["A"], destination_country="RU",
                         departure_date="2025-01-01"))
    episodes.create(dict(person_id=ids["E"], destination_country="KZ",
                         departure_date="2025-06-01"))
    repo.update(ids["E"], {"merged_into": ids["A"]})
    repo.delete(ids["F"])
    return ids
