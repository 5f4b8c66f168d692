"""The Home page's cards counted by SQLite (``dashboard._counted``) equal the report
engine's indicators: people on the register and reached over the register's indexes
(both ways of finding the people reached by another contact), the case cards over their
indicator's rows; with merged duplicates, tombstones, survivors whose ``merged_into`` is
'' rather than NULL, registrations before and after the period, contacts in another
office, for every office scope."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from desktop_app.domain.actors import Actor
from desktop_app.reports import dashboard
from desktop_app.reports.labels import Labels
from desktop_app.store.offices import OfficeRepository
from desktop_app.store.people.repositories import PersonRepository
from tests.helpers.report_world import add_person
from tests.reports.test_dashboard_overview import full_overview
from tests.reports.test_module_indicators import case, insert, modules  # noqa: F401

DAYS = (date(2026, 1, 31), date(2026, 3, 31), date(2026, 12, 31), date(2027, 6, 30))


@pytest.fixture
def people(session, modules):  # noqa: F811
    """The report world and its cases, trainings and loans, plus people registered before
    2026 reached (or not) in 2026 by a case, a merged duplicate's registration, in this
    office or in another one."""
    conn = session.conn
    other = OfficeRepository(session).create(
        dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))["id"]
    ids = {"other": other}
    # H: merged_into '' (a survivor as NULL is), registered in 2025, a case in 2026
    ids["H"] = add_person(session, "2025-06-01T08:00:00Z", given_name="Hamid", sex="male")
    conn.execute("UPDATE person SET merged_into = '' WHERE id = ?", (ids["H"],))
    case(conn, ids["H"], "other", "hotline", "2026-02-10")
    # J registered in 2025; K registered in February 2026, merged into J: reaches J
    ids["J"] = add_person(session, "2025-03-01T08:00:00Z", given_name="Jamila", sex="female")
    ids["K"] = add_person(session, "2026-02-01T08:00:00Z", given_name="Jamila", sex="female")
    PersonRepository(session).update(ids["K"], {"merged_into": ids["J"]})
    # L of the other office, registered in 2025, a case opened by this office in 2026
    ids["L"] = add_person(session, "2025-02-01T08:00:00Z", given_name="Latofat", sex="female")
    conn.execute("UPDATE person SET office_id = ? WHERE id = ?", (other, ids["L"]))
    case(conn, ids["L"], "other", "walk_in", "2026-03-01")
    # M registered in 2025 in this office, a case of the other office in 2026
    ids["M"] = add_person(session, "2025-02-01T08:00:00Z", given_name="Mahmud", sex="male")
    insert(conn, "hotline_case", number="M1", person_id=ids["M"], category="other",
           channel="hotline", opened_on="2026-03-02", office_id=other)
    # N of the other office, registered in 2026 with '' as merged_into, then deleted: never
    ids["N"] = add_person(session, "2026-01-03T08:00:00Z", given_name="Nodir", sex="male")
    conn.execute("UPDATE person SET merged_into = '', office_id = ? WHERE id = ?",
                 (other, ids["N"]))
    PersonRepository(session).delete(ids["N"])
    # O of the other office, '' as merged_into, registered in 2026: on the register there
    ids["O"] = add_person(session, "2026-01-04T08:00:00Z", given_name="Olim", sex="male")
    conn.execute("UPDATE person SET merged_into = '', office_id = ? WHERE id = ?",
                 (other, ids["O"]))
    # D (registered on 1 April 2026) opened a case in March: reached in March already
    case(conn, modules_person(conn, "Davron"), "other", "hotline", "2026-03-15")
    return ids


def modules_person(conn, given_name: str) -> str:
    return conn.execute("SELECT id FROM person WHERE given_name = ?", (given_name,)).fetchone()[0]


def _actors(session, ids):
    office = session.conn.execute("SELECT value FROM meta WHERE key = 'office_id'").fetchone()[0]
    return (None, Actor("u2", "n", role="field_officer", office_id=office),
            Actor("u3", "m", role="field_officer", office_id=ids["other"]))


def _engine(conn, q, code: str) -> int:
    return dashboard._values(conn, q, Labels(conn, "en"), [(code, ())])[code].totals[0].value


def _year(conn, day: date, actor) -> dashboard.Query:
    offices = dashboard._office_codes(conn, dashboard.scope_for(actor))
    return dashboard._query(conn, dashboard._periods(day)["year"], offices)


@pytest.mark.parametrize("probe", [True, False, None])
def test_people_reached_both_ways_equal_the_report(session, people, probe):
    conn = session.conn
    seen = set()
    for actor in _actors(session, people):
        for day in DAYS:
            expected = _engine(conn, _year(conn, day, actor), "people_reached")
            assert dashboard._reached(conn, _year(conn, day, actor), probe) == expected, \
                (actor, day)
            seen.add(expected)
    assert len(seen) > 3           # the scopes and days differ: the comparison means something


def test_the_probe_finds_the_survivors_left_out(session, people):
    """Every office, the year 2026: G (a case in Q1), H ('' merged_into), J (through K),
    L and M (a case of the other office) were registered before 2026 and are reached by
    a contact of 2026."""
    conn = session.conn
    q = _year(conn, date(2026, 12, 31), None)
    own = dashboard._count_survivors(conn, q.within_instant("created_at"), None)
    assert dashboard._reached_outside(conn, q) == 5
    assert dashboard._reached(conn, _year(conn, date(2026, 12, 31), None), True) == own + 5


def test_people_on_register_equals_the_report(session, people):
    conn = session.conn
    for actor in _actors(session, people):
        for day in DAYS:
            q = _year(conn, day, actor)
            assert dashboard._on_register(conn, day, dashboard.scope_for(actor)) == \
                _engine(conn, q, "people_on_register"), (actor, day)


def test_without_the_stamp_index_report_person_counts(session, people):
    """Without person_blank_merged the counts over every office read report_person (the
    survivors with '' as merged_into are still counted)."""
    conn = session.conn
    day = date(2026, 12, 31)
    assert dashboard._by_stamp(conn, None, None)
    counted = (dashboard._on_register(conn, day, None),
               dashboard._reached(conn, _year(conn, day, None), True))
    conn.execute("DROP INDEX person_blank_merged")
    assert not dashboard._by_stamp(conn, None, None)
    assert (dashboard._on_register(conn, day, None),
            dashboard._reached(conn, _year(conn, day, None), True)) == counted
    assert counted[0] == _engine(conn, _year(conn, day, None), "people_on_register")


@pytest.mark.parametrize("code", dashboard.ROW_COUNTED)
def test_case_cards_count_their_indicator_rows(session, people, code):
    conn = session.conn
    key = next(key for c, key, _note in dashboard.FIGURES if c == code)
    for actor in _actors(session, people):
        offices = dashboard._office_codes(conn, dashboard.scope_for(actor))
        for day in DAYS:
            period = dashboard._periods(day)[key]
            assert dashboard._rows_counted(conn, dashboard._query(conn, period, offices),
                                           code) == \
                _engine(conn, dashboard._query(conn, period, offices), code), (actor, day)


def test_which_way_finds_the_people_reached(session, people, monkeypatch):
    """The probe when the survivors left out are few (up to FEW_OUTSIDE), or fewer than
    the contacts; the reach table when there are more (a year with no contact)."""
    conn = session.conn
    assert dashboard._outside_fewer(conn, _year(conn, date(2027, 6, 30), None))
    monkeypatch.setattr(dashboard, "FEW_OUTSIDE", 0)
    assert dashboard._outside_fewer(conn, _year(conn, date(2026, 12, 31), None))
    assert not dashboard._outside_fewer(conn, _year(conn, date(2027, 6, 30), None))


@pytest.mark.parametrize("day", DAYS)
def test_whole_overview_and_first_figures_equal_the_report(session, people, day):
    for actor in _actors(session, people):
        got = dashboard.dashboard_data(session.conn, actor, day, language="tg")
        assert asdict(got) == asdict(full_overview(session.conn, actor, day, "tg")), actor
        first = dashboard.first_figures(session.conn, actor, day, language="tg")
        cards = {f.code: f for f in got.figures}
        assert [f.code for f in first.figures] == [
            c for c in dashboard.FIRST if c in cards]
        assert all(f == cards[f.code] for f in first.figures)


def test_an_office_holding_the_whole_register_counts_by_stamp(session, people):
    """In an office's own database every person is the office's: its scope counts over
    the stamp indexes, as every office does; one person elsewhere (or of no office) and
    it counts over report_person. The figures equal the report's either way."""
    conn = session.conn
    office = conn.execute("SELECT value FROM meta WHERE key = 'office_id'").fetchone()[0]
    officer = Actor("u2", "n", role="field_officer", office_id=office)
    both = [office, people["other"]]
    assert dashboard._holds_everyone(conn, both)
    assert not dashboard._holds_everyone(conn, [office])
    conn.execute("UPDATE person SET office_id = ?", (office,))
    assert dashboard._holds_everyone(conn, [office])
    assert dashboard._by_stamp(conn, [office], None)

    def figures():
        return [(dashboard._on_register(conn, day, [office]),
                 dashboard._reached(conn, _year(conn, day, officer), True),
                 dashboard._reached(conn, _year(conn, day, officer), False)) for day in DAYS]
    expected = [(_engine(conn, _year(conn, day, officer), "people_on_register"),
                 _engine(conn, _year(conn, day, officer), "people_reached"),
                 _engine(conn, _year(conn, day, officer), "people_reached")) for day in DAYS]
    assert figures() == expected
    for day in DAYS:
        assert asdict(dashboard.dashboard_data(conn, officer, day, language="en")) == \
            asdict(full_overview(conn, officer, day, "en")), day
    conn.execute("UPDATE person SET office_id = NULL WHERE id = ?", (people["N"],))
    assert not dashboard._holds_everyone(conn, [office])
    assert figures() == expected          # N is deleted: in no count, wherever it is
