"""The demo's user accounts carry the office staff's own names, and the numbers the demo
hands out continue where the app goes on numbering."""
import argparse
import re

import pytest

from desktop_app.demo import create_demo
from desktop_app.demo.staff import STAFF
from desktop_app.store.security.accounts import DEMO_USERS
from desktop_app.store.sequences import next_number, next_value
from desktop_app.ui.security.roles import role_label

SMALL = dict(people=40, cases=30, trainings=2, loans=8, seed=4)
LATIN = re.compile("[A-Za-z]")
TAJIK_LETTERS = re.compile("[ғӣқӯҳҷҒӢҚӮҲҶ]")


def _demo(tmp_path, office):
    return create_demo(tmp_path / f"{office}.db", argparse.Namespace(office=office, **SMALL))


@pytest.mark.parametrize("office", ["GRM", "KHJ", "DSH"])
def test_demo_users_are_called_by_their_names(tmp_path, office):
    session = _demo(tmp_path, office)
    users = dict(session.conn.execute("SELECT username, display_name FROM app_user"))
    office_name = session.conn.execute("SELECT name FROM office").fetchone()[0]
    session.conn.close()
    assert not LATIN.search(office_name)            # the office's own name, not English
    assert users == STAFF[office]
    assert {u for u, _role, _password, _name in DEMO_USERS} <= set(users)
    english = {role_label(role) for _u, role, _p, _n in DEMO_USERS} | {"Case worker"}
    assert not english & set(users.values())
    for name in users.values():
        assert len(name.split()) == 2, name          # given name and family name
    if office == "GRM":     # a Rasht Valley office writes in Tajik Cyrillic
        assert not any(LATIN.search(n) for n in users.values())
        assert sum(1 for n in users.values() if TAJIK_LETTERS.search(n)) >= 5
    if office == "KHJ":     # Russian spelling, Uzbek names, one written in Uzbek Latin
        assert not any(TAJIK_LETTERS.search(n) for n in users.values())
        assert sum(1 for n in users.values() if LATIN.search(n)) == 1


def test_inspections_are_signed_by_the_offices_inspector(tmp_path):
    session = _demo(tmp_path, "NUR")
    names = {r[0] for r in session.conn.execute("SELECT DISTINCT inspector_name FROM inspection")}
    session.conn.close()
    assert names == {STAFF["NUR"]["saidov"]}


def test_numbering_goes_on_after_the_demo(tmp_path):
    session = _demo(tmp_path, "GRM")
    conn = session.conn
    for table, kind, pattern in (("hotline_case", "case", r"GRM-.+-(\d{4})-(\d{5})"),
                                 ("inspection", "inspection", r"INS-GRM-.+-(\d{4})-(\d{5})"),
                                 ("loan", "LN", r"GRM-.+-(\d{4})-(\d{5})")):
        by_year: dict[str, list[int]] = {}
        for (number,) in conn.execute(f"SELECT number FROM {table}"):
            year, value = re.fullmatch(pattern, number).groups()
            by_year.setdefault(year, []).append(int(value))
        assert by_year, table
        for year, values in by_year.items():
            assert sorted(values) == list(range(1, len(values) + 1)), (table, year)
            with session.transaction():
                assert next_value(session, f"{kind}:{year}") == len(values) + 1
    certificates = [r[0] for r in conn.execute(
        "SELECT certificate_number FROM training_participant "
        "WHERE certificate_number IS NOT NULL")]
    if certificates:
        year = int(certificates[0].split("-")[-2])
        with session.transaction():
            fresh = next_number(session, "CRT", year)
        assert fresh not in certificates
    conn.close()


def test_a_small_demo_still_shows_each_sensitive_category(tmp_path):
    session = _demo(tmp_path, "GRM")
    conn = session.conn
    sensitive = {code for code, attributes in conn.execute(
        "SELECT code, attributes FROM reference_item WHERE kind='case_category'")
        if '"sensitive": true' in (attributes or "")}
    shown = set(conn.execute(
        "SELECT c.category, u.role FROM hotline_case c JOIN app_user u ON u.id = c.assigned_to"
        " WHERE c.person_id IS NOT NULL").fetchall())
    conn.close()
    assert sensitive and all((code, "case_worker") in shown for code in sensitive)
