"""The Home overview (``dashboard_data``) equals the full computation it replaces: every
card from the report engine's own passes (the people pass over the register, ``loan_rows``
for the loan cards), PAR30 from ``loan_rows`` at each month end, the loans outstanding
from each loan's ledger balance at each month end; on generated demo data and on the
hand-made report world, for every office scope, in two languages."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from desktop_app.domain.actors import Actor
from desktop_app.domain.loans import at_risk
from desktop_app.reports import dashboard
from desktop_app.reports.engine import _percent, from_minor
from desktop_app.reports.labels import Labels
from desktop_app.reports.periods import Period, office_time_zone
from desktop_app.store.loans import queries


def _par30_reference(conn, day: date, office_ids) -> dict[str, tuple[int, int]]:
    """(late, outstanding) per currency from loan_rows on one date."""
    sums: dict[str, list[int]] = {}
    for r in queries.loan_rows(conn, day):
        if r.outstanding <= 0 or (office_ids and r.office_id not in office_ids):
            continue
        total = sums.setdefault(r.currency, [0, 0])
        total[1] += r.outstanding
        if at_risk(r.days_late, 30):
            total[0] += r.outstanding
    return {c: (late, out) for c, (late, out) in sums.items()}


def _outstanding_reference(conn, day: date, office_ids) -> dict[str, int]:
    """Each loan's ledger balance on one date where positive, summed per currency."""
    scope = ""
    if office_ids:
        scope = "AND l.office_id IN (%s)" % ", ".join("?" * len(office_ids))
    return dict(conn.execute(
        "SELECT currency, SUM(balance) FROM (SELECT l.currency, SUM(e.principal) AS balance "
        "FROM fund_entry e JOIN loan l ON l.id = e.loan_id AND l.deleted = 0 "
        f"WHERE e.deleted = 0 AND e.value_date <= ? {scope} GROUP BY e.loan_id) "
        "WHERE balance > 0 GROUP BY currency", [day.isoformat(), *(office_ids or [])]))


def full_overview(conn, actor, today: date, language: str, months: int = 12):
    """The overview as the report engine computes it, without any shortcut."""
    office_ids = dashboard.scope_for(actor)
    offices = dashboard._office_codes(conn, office_ids)
    labels = Labels(conn, language)
    data = dashboard.DashboardData(office_ids)
    results = {}
    for key, period in dashboard._periods(today).items():
        plans = [(code, ("sex",) if code == "trainees" else ())
                 for code, p, _note in dashboard.FIGURES if p == key]
        results[key] = dashboard._values(conn, dashboard._query(conn, period, offices),
                                         labels, plans)
    data.figures = dashboard._figures(results, language)
    trainees = results["year"].get("trainees")
    if trainees and trainees.tables:
        data.trainees_by_sex = {r.label: r.value for r in trainees.tables[0].rows}
    series = dashboard._last_months(today, months)
    data.months = [m.code for m in series]
    span = Period(series[0].start, series[-1].end, "custom", data.months[0])
    data.cases_by_category = dashboard.cases_by_month(conn, span, offices, labels, data.months)
    outstanding: dict[str, list[int]] = {}
    par30: dict[str, list[Decimal | None]] = {}
    for n, month in enumerate(series):
        for currency, amount in _outstanding_reference(conn, month.end, office_ids).items():
            outstanding.setdefault(currency, [0] * months)[n] = amount
        for currency, (late, out) in _par30_reference(conn, month.end, office_ids).items():
            par30.setdefault(currency, [None] * months)[n] = _percent(
                from_minor(late, currency), from_minor(out, currency))
    data.loans_outstanding = {c: [from_minor(v, c) for v in values]
                              for c, values in outstanding.items()}
    data.par30 = par30
    data.overdue_followups = dashboard.overdue_followups(conn, office_ids, today)
    data.has_sync = "sync_bundle_log" in dashboard.table_names(conn)
    if actor is None or actor.role in dashboard.WIDE_ROLES:
        data.office_sync = dashboard.office_sync(conn, today)
    data.duplicates_unresolved = dashboard.unresolved_duplicates(conn)
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from desktop_app.demo import create_demo, default_arguments
    path = tmp_path_factory.mktemp("overview") / "demo.db"
    session = create_demo(path, default_arguments(people=600, cases=300, loans=90,
                                                  trainings=6, seed=7))
    yield session
    session.conn.close()


def _actors(conn):
    offices = [r[0] for r in conn.execute("SELECT id FROM office WHERE deleted = 0 ORDER BY code")]
    return [None] + [Actor("u2", "nigora", role="field_officer", office_id=o) for o in offices]


def test_demo_overview_equals_the_full_computation(demo):
    conn = demo.conn
    # the offices' date: the demo's people were registered a moment ago, and in a UTC
    # evening it is already tomorrow in Dushanbe (the register counts by the office's day)
    today = datetime.now(ZoneInfo(office_time_zone(conn))).date()
    days = (today, date(today.year, 3, 31), today - timedelta(days=400))
    checked = 0
    for actor in _actors(conn):
        for day in days:
            for language in ("en", "tg"):
                got = asdict(dashboard.dashboard_data(conn, actor, day, language=language))
                assert got == asdict(full_overview(conn, actor, day, language)), (actor, day)
                checked += 1
    whole = dashboard.dashboard_data(conn, None, today)
    cards = {f.code: f.value for f in whole.figures}
    # the comparison is not vacuous: every kind of figure has something in it
    assert cards["people_on_register"] > 0 and cards["people_reached"] > 0
    assert any(whole.cases_by_category.values())
    assert any(v for values in whole.loans_outstanding.values() for v in values)
    assert any(v for values in whole.par30.values() for v in values)
    assert checked == len(_actors(conn)) * 6


def test_open_balances_equal_loan_rows_on_every_date(demo):
    conn = demo.conn
    today = date.today()
    dates = [today - timedelta(days=30 * n) for n in range(0, 30)]
    dates += [today, date(2000, 1, 1), today + timedelta(days=400)]
    dates.reverse()                                   # unsorted, with a repeat
    office = conn.execute("SELECT office_id FROM loan LIMIT 1").fetchone()[0]
    late_seen = False
    for office_ids in (None, [office]):
        every = queries.open_balances_at(conn, dates, office_ids)
        assert len(every) == len(dates)
        for day, balances in zip(dates, every, strict=True):
            expected = _par30_reference(conn, day, office_ids)
            assert {c: (b.late_over_30, b.scheduled) for c, b in balances.items()
                    if b.scheduled} == expected, day
            assert {c: b.outstanding for c, b in balances.items()} == \
                _outstanding_reference(conn, day, office_ids), day
            late_seen = late_seen or any(late for late, _out in expected.values())
    assert late_seen
    assert queries.open_balances_at(conn, []) == []


def test_rescheduled_late_and_written_off_loans(session):
    """Schedule versions (the one in effect on each date), repayments, arrears and a
    write-off: each date's balances equal loan_rows' on that date."""
    from desktop_app.domain import loans as L
    from desktop_app.store.loans import services
    from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user
    checker = second_user(session)
    fund = fund_with_capital(session)
    active_loan(session, checker, fund, borrower(session), amount="6000")
    moved = active_loan(session, checker, fund, borrower(session, sex="male"), amount="9000")
    for i in queries.instalments_of(session.conn, moved["id"], 1)[:2]:
        services.repay(session, moved["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    services.reschedule(session, moved["id"], date(2026, 6, 20), term=10)
    services.repay(session, moved["id"], "500", date(2026, 8, 1), today=TODAY)
    gone = active_loan(session, checker, fund, borrower(session, phones="+992 93 555 00 00"),
                       amount="3000")
    services.request_write_off(session, gone["id"], "left the country", on=date(2026, 9, 1),
                               today=TODAY)
    services.approve_write_off(checker, gone["id"], on=date(2026, 9, 2), today=TODAY)
    dates = [date(2026, m, d) for m in range(1, 13) for d in (1, 15, 28)] + [TODAY]
    every = queries.open_balances_at(session.conn, dates)
    late = 0
    for day, balances in zip(dates, every, strict=True):
        expected = _par30_reference(session.conn, day, None)
        assert {c: (b.late_over_30, b.scheduled) for c, b in balances.items()
                if b.scheduled} == expected, day
        late += sum(v[0] for v in expected.values())
    assert late > 0


@pytest.mark.parametrize("day", [date(2026, 3, 31), date(2026, 1, 31), date(2026, 12, 31)])
def test_world_overview_equals_the_full_computation(session, world, day):
    """Merged duplicates, a tombstone, registrations at the edges of the local day."""
    from desktop_app.store.offices import OfficeRepository
    other = OfficeRepository(session).create(
        dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))
    office = session.conn.execute("SELECT office_id FROM person LIMIT 1").fetchone()[0]
    for actor in (session.actor, Actor("u2", "n", role="field_officer", office_id=office),
                  Actor("u3", "m", role="field_officer", office_id=other["id"])):
        got = asdict(dashboard.dashboard_data(session.conn, actor, day, language="tg"))
        assert got == asdict(full_overview(session.conn, actor, day, "tg"))


def test_without_the_register_index_the_report_pass_counts(session, world):
    """The people cards fall back to the report's pass when the covering index is gone."""
    day = date(2026, 3, 31)
    counted = asdict(dashboard.dashboard_data(session.conn, session.actor, day))
    session.conn.execute("DROP INDEX report_person")
    assert asdict(dashboard.dashboard_data(session.conn, session.actor, day)) == counted
    assert counted == asdict(full_overview(session.conn, session.actor, day, "en"))
