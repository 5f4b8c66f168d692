"""Cases, inspections, trainings and loan disbursement indicators on a hand-computed world
(the people of conftest.py; period 2026-Q1). Rows are inserted with plain SQL into the
modules' own tables so that only the report queries are under test here."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.domain.ids import new_id
from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import drill_down
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period

STAMP = "2026-01-01T00:00:00Z"


def insert(conn, table, **values):
    values.setdefault("id", new_id())
    values.setdefault("office_id", conn.execute(
        "SELECT value FROM meta WHERE key = 'office_id'").fetchone()[0])
    for col in ("created_at", "updated_at"):
        values.setdefault(col, STAMP)
    for col in ("created_by", "updated_by"):
        values.setdefault(col, "test")
    cols = ", ".join(values)
    conn.execute(f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(values))})",
                 list(values.values()))
    return values["id"]


def case(conn, person, category, channel, opened, resolved=None, closed=None, wages=None,
         currency=None, deleted=0, country="RU"):
    return insert(conn, "hotline_case", number=new_id()[-8:], person_id=person,
                  category=category, channel=channel, opened_on=opened, resolved_on=resolved,
                  closed_on=closed, wages_recovered_minor=wages, wages_currency=currency,
                  deleted=deleted, country=country)


@pytest.fixture
def modules(session, world):
    conn = session.conn
    w = world
    ids = {}
    ids["c1"] = case(conn, w["A"], "unpaid_wages", "hotline", "2026-01-15", "2026-02-14",
                     "2026-02-20", 5_000_000, "RUB")
    ids["c2"] = case(conn, w["E"], "unpaid_wages", "walk_in", "2026-02-01", "2026-02-11",
                     None, 150_000, "USD")
    ids["c3"] = case(conn, None, "passport_confiscated", "hotline", "2026-03-10")
    ids["c4"] = case(conn, w["B"], "forced_labour", "outreach", "2026-03-20", "2026-03-30",
                     None, 1_000_000, "RUB")
    ids["c5"] = case(conn, w["A"], "unpaid_wages", "hotline", "2026-01-20", "2026-01-25",
                     None, 999, "RUB", deleted=1)
    ids["c6"] = case(conn, w["G"], "unpaid_wages", "hotline", "2025-12-01", "2026-01-04",
                     "2026-04-02")
    ids["c7"] = case(conn, w["G"], "other", "referral", "2026-03-05")
    for case_id, target, status, on, deleted in (
            (ids["c1"], "legal_adviser", "accepted", "2026-01-16", 0),
            (ids["c1"], "embassy", "no_answer", "2026-01-20", 0),
            (ids["c4"], "labour_inspectorate", "completed", "2026-03-21", 0),
            (ids["c5"], "police", "sent", "2026-01-21", 0),
            (ids["c4"], "iom", "sent", "2026-03-22", 1)):
        insert(conn, "case_referral", case_id=case_id, target=target, status=status,
               referred_on=on, deleted=deleted)
    em1 = insert(conn, "employer", name="Stroi", sector="construction", region="TJ-SU")
    em2 = insert(conn, "employer", name="Agro", sector="agriculture")
    i1 = insert(conn, "inspection", number="I1", employer_id=em1, inspected_on="2026-02-10",
                trigger="complaint", status="completed")
    insert(conn, "inspection", number="I2", employer_id=em2, inspected_on="2026-03-01",
           trigger="planned", status="completed")
    insert(conn, "inspection", number="I3", employer_id=em2, inspected_on="2026-03-15",
           trigger="planned", status="planned")
    i4 = insert(conn, "inspection", number="I4", employer_id=em1, inspected_on="2026-03-16",
                trigger="complaint", status="completed", deleted=1)
    for inspection, violation, deleted in ((i1, "wage_arrears", 0), (i1, "no_contract", 0),
                                           (i1, "osh", 1), (i4, "wage_arrears", 0)):
        insert(conn, "inspection_violation", inspection_id=inspection, violation=violation,
               deleted=deleted)
    ev1 = insert(conn, "training_event", course_code="siyb", start_date="2026-02-01",
                 district="TJ-RASHT")
    ev2 = insert(conn, "training_event", course_code="welding", start_date="2026-03-10",
                 district="TJ-RASHT")
    ev3 = insert(conn, "training_event", course_code="siyb", start_date="2026-04-05")
    for event, person, completed, override, deleted in (
            (ev1, w["A"], 1, None, 0), (ev1, w["E"], 0, "completed", 0),
            (ev1, w["B"], 0, None, 0), (ev2, w["A"], 0, "not_completed", 0),
            (ev2, w["C"], 1, None, 0), (ev3, w["G"], 1, None, 0), (ev1, w["G"], 1, None, 1)):
        insert(conn, "training_participant", event_id=event, person_id=person,
               completed=completed, completion_override=override, deleted=deleted)
    for person, outcome, on in ((w["A"], "business_started", "2026-03-01"),
                                (w["E"], "job_home", "2026-02-15"),
                                (w["B"], "job_home", "2026-05-01")):
        insert(conn, "training_outcome", person_id=person, outcome=outcome, outcome_date=on)
    fund = insert(conn, "loan_fund", name="Fund", currency="TJS")
    for person, on, amount, currency, purpose, deleted in (
            (w["A"], "2026-02-01", 500_000, "TJS", "small_business", 0),
            (w["E"], "2026-03-01", 100_000, "USD", "travel", 0),
            (w["B"], "2026-01-10", 300_000, "TJS", "livestock", 0),
            (w["C"], None, 200_000, "TJS", "livestock", 0),
            (w["G"], "2026-02-02", 700_000, "TJS", "livestock", 1)):
        insert(conn, "loan", number=new_id()[-6:], fund_id=fund, person_id=person,
               purpose=purpose, amount=amount, currency=currency, annual_rate="20", term=12,
               frequency="monthly", method="flat", amortisation="equal", applied_on="2026-01-01",
               disbursed_on=on, status="disbursed" if on else "applied", deleted=deleted)
    return ids


def _report(session, codes, dims):
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1"),
                                                      indicators=codes, dimensions=dims))
    assert report.adds_up()
    return {r.indicator.code: r for r in report.results}


def _by(result, dim, field="value"):
    table = next(t for t in result.tables if t.dimension == dim)
    return {(row.bucket, row.currency) if row.currency else row.bucket: getattr(row, field)
            for row in table.rows}


def test_cases(session, modules):
    r = _report(session, ["cases_opened", "cases_resolved", "cases_closed", "cases_open",
                          "median_days_to_resolution", "wages_recovered", "referrals",
                          "people_reached"],
                ["category", "channel", "sex", "target", "result"])
    assert r["cases_opened"].totals[0].value == 5
    assert _by(r["cases_opened"], "category") == {
        "unpaid_wages": 2, "passport_confiscated": 1, "forced_labour": 1, "other": 1}
    assert _by(r["cases_opened"], "channel") == {
        "hotline": 2, "walk_in": 1, "outreach": 1, "referral": 1}
    # E's case belongs to A (merged); the anonymous caller is "unknown"
    assert _by(r["cases_opened"], "sex") == {"female": 3, "male": 1, "unknown": 1}
    assert r["cases_resolved"].totals[0].value == 4
    assert r["cases_closed"].totals[0].value == 1
    assert r["cases_open"].totals[0].value == 5
    assert r["median_days_to_resolution"].totals[0].value == Decimal(20)
    assert {t.currency: t.value for t in r["wages_recovered"].totals} == {
        "RUB": Decimal("60000.00"), "USD": Decimal("1500.00")}
    assert all(isinstance(t.value, Decimal) for t in r["wages_recovered"].totals)
    assert r["referrals"].totals[0].value == 3
    assert _by(r["referrals"], "result") == {"accepted": 1, "no_answer": 1, "completed": 1}
    assert r["people_reached"].totals[0].value == 4  # G reached by a case in Q1


def test_inspections(session, modules):
    r = _report(session, ["inspections", "inspections_with_violations", "violations"],
                ["trigger", "sector", "violation"])
    assert r["inspections"].totals[0].value == 2
    assert _by(r["inspections"], "trigger") == {"complaint": 1, "planned": 1}
    ratio = r["inspections_with_violations"].totals[0]
    assert (ratio.numerator, ratio.denominator, ratio.value) == (1, 2, Decimal("50.0"))
    assert _by(r["violations"], "violation") == {"wage_arrears": 1, "no_contract": 1}


def test_trainings(session, modules):
    r = _report(session, ["trainings_held", "training_participations", "trainees",
                          "training_completion_rate", "trainees_women_share",
                          "training_outcomes"], ["course", "sex", "outcome"])
    assert r["trainings_held"].totals[0].value == 2
    assert r["training_participations"].totals[0].value == 5
    assert r["trainees"].totals[0].value == 3  # A (and E merged into her), B, C
    rate = r["training_completion_rate"]
    assert (rate.totals[0].numerator, rate.totals[0].denominator) == (3, 5)
    assert rate.totals[0].value == Decimal("60.0")
    assert _by(rate, "course") == {"siyb": Decimal("66.7"), "welding": Decimal("50.0")}
    women = r["trainees_women_share"].totals[0]
    assert (women.numerator, women.denominator) == (2, 3)
    assert _by(r["training_outcomes"], "outcome") == {"business_started": 1, "job_home": 1}
    assert _by(r["training_outcomes"], "sex") == {"female": 2}


def test_loan_disbursements(session, modules):
    r = _report(session, ["loans_disbursed", "loans_disbursed_amount", "loans_women_share"],
                ["purpose", "sex"])
    assert r["loans_disbursed"].totals[0].value == 3
    assert {t.currency: t.value for t in r["loans_disbursed_amount"].totals} == {
        "TJS": Decimal("8000.00"), "USD": Decimal("1000.00")}
    assert _by(r["loans_disbursed_amount"], "sex") == {
        ("female", "TJS"): Decimal("5000.00"), ("female", "USD"): Decimal("1000.00"),
        ("male", "TJS"): Decimal("3000.00")}
    women = r["loans_women_share"].totals[0]
    assert (women.numerator, women.denominator, women.value) == (1, 2, Decimal("50.0"))


def test_drill_down_on_cases_and_money(session, modules, world):
    request = ReportRequest(parse_period("2026-Q1"))
    ids = drill_down(session, request, "wages_recovered", "category", "unpaid_wages", "RUB")
    assert ids == [modules["c1"]]
    ids = drill_down(session, request, "cases_opened", "sex", "unknown")
    assert ids == [modules["c3"]]
