"""Loan portfolio indicators against the loans module's own portfolio figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop_app.domain import loans as L
from desktop_app.domain.actors import Actor
from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import drill_down
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period
from desktop_app.store.loans import queries, services
from desktop_app.store.offices import UserRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import Session

TODAY = date(2027, 6, 1)


def _checker(session) -> Session:
    user = UserRepository(session).create({"username": "checker", "display_name": "checker",
                                           "role": "loan_officer", "active": 1})
    return Session(session.conn, Actor(user_id=user["id"], username="checker",
                                       role="loan_officer", office_id=session.office_id))


def _fund_with_borrowers(session):
    """(second-signature session, a TJS fund with capital, a woman, a man)."""
    checker = _checker(session)
    fund = services.create_fund(session, "Gharm revolving fund", "TJS")
    services.add_capital(session, fund["id"], "200000", date(2025, 1, 1), today=TODAY)
    people = PersonRepository(session)
    woman = people.create({"family_name": "Раҳимова", "given_name": "Нигора", "sex": "female"})
    man = people.create({"family_name": "Karimov", "given_name": "Aziz", "sex": "male"})
    return checker, fund, woman, man


def _loan(session, checker, fund, person, amount, disbursed):
    loan = services.apply(session, person_id=person["id"], fund_id=fund["id"], amount=amount,
                          purpose="business", product_code="jrc_business",
                          applied_on=date(2026, 1, 5), guarantor_name="Саидов Карим", today=TODAY)
    services.approve(checker, loan["id"], on=date(2026, 1, 5), today=TODAY)
    return services.disburse(session, loan["id"], on=disbursed, today=TODAY)


def test_outstanding_par30_repayment_and_women(session):
    checker, fund, woman, man = _fund_with_borrowers(session)
    late = _loan(session, checker, fund, woman, "6000", date(2026, 1, 10))
    good = _loan(session, checker, fund, man, "12000", date(2026, 1, 10))
    for i in queries.instalments_of(session.conn, good["id"], 1)[:3]:
        services.repay(session, good["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    as_of = date(2026, 4, 20)
    figures = queries.portfolio(session.conn, as_of).by_currency["TJS"]

    request = ReportRequest(parse_period("2026-01-01..2026-04-20"),
                            indicators=["loans_outstanding", "loans_par30",
                                        "loans_repayment_rate", "loans_disbursed",
                                        "loans_women_share"], dimensions=["sex"])
    report = build_report(session.conn, request)
    assert report.adds_up()
    r = {x.indicator.code: x for x in report.results}
    outstanding = r["loans_outstanding"].totals[0]
    assert outstanding.currency == "TJS"
    assert outstanding.value == L.from_minor(figures.outstanding, "TJS")
    par = r["loans_par30"].totals[0]
    assert par.numerator == Decimal("6000.00")  # the woman's loan is 69 days late
    assert par.value == (figures.par(30) * 100).quantize(Decimal("0.1"))
    by_sex = {row.bucket: row.value for row in r["loans_par30"].tables[0].rows}
    assert by_sex == {"female": Decimal("100.0"), "male": Decimal("0.0")}
    rate = r["loans_repayment_rate"].totals[0]
    assert rate.value == (figures.repayment_rate * 100).quantize(Decimal("0.1"))
    assert r["loans_disbursed"].totals[0].value == 2
    women = r["loans_women_share"].totals[0]
    assert (women.numerator, women.denominator) == (1, 2)
    # the records behind PAR30's numerator side: drill into the women's bucket
    assert drill_down(session, request, "loans_par30", "sex", "female") == [late["id"]]


def test_dashboard_trends_are_grouped_and_match_the_indicators(session):
    """Outstanding per month from one grouped ledger query equals the loans module's
    portfolio at each month end; cases per category and month from one query."""
    from desktop_app.reports.dashboard import dashboard_data
    from desktop_app.reports.periods import month_period
    checker, fund, woman, man = _fund_with_borrowers(session)
    _loan(session, checker, fund, woman, "6000", date(2026, 1, 10))
    good = _loan(session, checker, fund, man, "12000", date(2026, 2, 10))
    for i in queries.instalments_of(session.conn, good["id"], 1)[:3]:
        services.repay(session, good["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    data = dashboard_data(session.conn, session.actor, today=date(2026, 6, 15), months=6)
    assert data.months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    for n, code in enumerate(data.months):
        month = month_period(int(code[:4]), int(code[5:]))
        expected = queries.portfolio(session.conn, month.end).by_currency["TJS"].outstanding
        assert data.loans_outstanding["TJS"][n] == L.from_minor(expected, "TJS"), code
    assert data.loans_outstanding["TJS"][0] == Decimal("6000.00")
