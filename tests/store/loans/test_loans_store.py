"""Funds, loan life, maker-checker, bad input, arrears on past dates, portfolio figures."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from desktop_app.domain import loans as L
from desktop_app.store.audit import verify_chain
from desktop_app.store.loans import queries, services
from desktop_app.store.loans import repositories as S
from desktop_app.store.repository import AppendOnlyError, ValidationError
from desktop_app.store.session import PermissionDenied
from tests.conftest import query_plans
from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user


def _ledger_count(conn):
    return conn.execute("SELECT count(*) FROM fund_entry").fetchone()[0]


def _counts(conn):
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("fund_entry", "loan", "change_log", "audit_log"))


def test_full_life_writes_ledger_schedule_audit_and_change_log(session):
    checker = second_user(session)
    fund = fund_with_capital(session)
    person = borrower(session)
    loan = active_loan(session, checker, fund, person)
    assert loan["status"] == "disbursed" and loan["number"].startswith("GRM-")
    version = queries.current_schedule(session.conn, loan["id"])
    inst = queries.instalments_of(session.conn, loan["id"], 1)
    assert version["version"] == 1 and len(inst) == 12
    assert sum(i["principal"] for i in inst) == 1200000
    assert inst[-1]["cum_principal"] == 1200000
    assert queries.fund_balance(session.conn, fund["id"]) == 10000000 - 1200000
    changed = {r[0] for r in session.conn.execute("SELECT DISTINCT table_name FROM change_log")}
    assert {"loan", "loan_fund", "fund_entry", "loan_schedule", "loan_instalment"} <= changed
    assert verify_chain(session.conn) == []
    # pay everything off on the due dates
    for i in inst:
        services.repay(session, loan["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    closed = S.LoanRepository(session).get(loan["id"])
    assert closed["status"] == "closed" and closed["closed_on"] == inst[-1]["due_date"]
    figures = queries.fund_figures(session.conn, fund["id"])
    interest = sum(i["interest"] for i in inst)
    assert figures.outstanding_principal == 0
    assert figures.balance == 10000000 + interest
    assert figures.interest_received == interest


def test_ledger_is_append_only(session):
    fund = fund_with_capital(session)
    entry = queries.ledger(session.conn, fund_id=fund["id"])[0]
    repo = S.FundEntryRepository(session)
    with pytest.raises(AppendOnlyError):
        repo.update(entry["id"], {"cash": 1})
    with pytest.raises(AppendOnlyError):
        repo.delete(entry["id"])


def test_maker_cannot_approve_own_application(session):
    fund = fund_with_capital(session)
    person = borrower(session)
    loan = services.apply(session, person_id=person["id"], fund_id=fund["id"], amount="5000",
                          purpose="livestock", product_code="jrc_livestock",
                          applied_on=date(2026, 3, 1), today=TODAY)
    before = _counts(session.conn)
    with pytest.raises(PermissionDenied) as err:
        services.approve(session, loan["id"], today=TODAY)
    assert "another user" in str(err.value)
    assert _counts(session.conn) == before
    assert S.LoanRepository(session).get(loan["id"])["status"] == "applied"
    with pytest.raises(L.LoanError):
        services.disburse(session, loan["id"], on=date(2026, 3, 2), today=TODAY)
    checker = second_user(session)
    approved = services.approve(checker, loan["id"], note="business plan checked", today=TODAY)
    assert approved["status"] == "approved" and approved["decided_by"] == checker.actor.user_id


def test_approval_needs_the_permission(session):
    class NoApprove:
        def check(self, actor, action, table, row):
            if action == "approve_loan":
                raise PermissionDenied("no")
    fund = fund_with_capital(session)
    person = borrower(session)
    loan = services.apply(session, person_id=person["id"], fund_id=fund["id"], amount="5000",
                          purpose="trade", product_code="weekly_trade", today=TODAY)
    other = second_user(session)
    other.policy = NoApprove()
    with pytest.raises(PermissionDenied):
        services.approve(other, loan["id"], today=TODAY)


def test_fund_never_goes_negative(session):
    checker = second_user(session)
    fund = fund_with_capital(session, amount="10000")
    person = borrower(session)
    ok = active_loan(session, checker, fund, person, amount="8000")
    loan = services.apply(session, person_id=person["id"], fund_id=fund["id"], amount="3000",
                          purpose="trade", product_code="jrc_business",
                          applied_on=date(2026, 1, 5), today=TODAY)
    services.approve(checker, loan["id"], today=TODAY)
    before = _counts(session.conn)
    with pytest.raises(L.LoanError) as err:
        services.disburse(session, loan["id"], on=date(2026, 1, 12), today=TODAY)
    assert "2000.00" in str(err.value)
    assert _counts(session.conn) == before
    assert S.LoanRepository(session).get(loan["id"])["status"] == "approved"
    # capital added later does not make an earlier disbursement possible
    services.add_capital(session, fund["id"], "5000", date(2026, 2, 1), today=TODAY)
    with pytest.raises(L.LoanError):
        services.disburse(session, loan["id"], on=date(2026, 1, 20), today=TODAY)
    services.disburse(session, loan["id"], on=date(2026, 2, 1), today=TODAY)
    assert queries.fund_balance(session.conn, fund["id"]) == 400000
    # a backdated disbursement may not push an earlier day's balance below zero either
    assert ok["status"] == "disbursed"


def test_bad_repayments_leave_ledger_untouched(session):
    checker = second_user(session)
    fund = fund_with_capital(session)
    person = borrower(session)
    loan = active_loan(session, checker, fund, person)
    before = _counts(session.conn)
    with pytest.raises(L.LoanError) as err:
        services.repay(session, loan["id"], "100", date(2026, 1, 9), today=TODAY)
    assert "before the loan was disbursed" in str(err.value)
    assert "09.01.2026" in str(err.value) and "2026-01-09" not in str(err.value)
    with pytest.raises(L.LoanError) as err:
        services.repay(session, loan["id"], "100", date(2026, 2, 10), currency="USD", today=TODAY)
    assert "USD" in str(err.value) and "TJS" in str(err.value)
    with pytest.raises(L.PrepaymentNeeded) as err:
        services.repay(session, loan["id"], "2000", date(2026, 2, 10), today=TODAY)
    assert err.value.due_now == 113472
    with pytest.raises(L.LoanError) as err:
        services.repay(session, loan["id"], "20000", date(2026, 2, 10), prepay=True, today=TODAY)
    assert "whole loan" in str(err.value)
    with pytest.raises(L.LoanError):
        services.repay(session, loan["id"], "-5", date(2026, 2, 10), today=TODAY)
    with pytest.raises(L.LoanError):
        services.repay(session, loan["id"], "5", TODAY + timedelta(days=1), today=TODAY)
    assert _counts(session.conn) == before
    # the person chooses to prepay: the difference reduces principal
    entry = services.repay(session, loan["id"], "2000", date(2026, 2, 10), prepay=True,
                           today=TODAY)
    assert entry["cash"] == 200000 and entry["interest"] == 24000
    assert -entry["principal"] == 200000 - 24000
    state = queries.loan_state(session.conn, loan["id"], date(2026, 3, 10))
    assert state.days_late == 0  # the prepayment covers the next instalment's principal


def test_reversal_corrects_a_repayment(session):
    checker = second_user(session)
    fund = fund_with_capital(session)
    loan = active_loan(session, checker, fund, borrower(session))
    wrong = services.repay(session, loan["id"], "1134.72", date(2026, 2, 10), today=TODAY)
    assert queries.loan_state(session.conn, loan["id"], date(2026, 2, 20)).days_late == 0
    rev = services.reverse(session, wrong["id"], note="typed on the wrong loan", today=TODAY)
    assert rev["reverses_id"] == wrong["id"] and rev["cash"] == -wrong["cash"]
    assert queries.loan_state(session.conn, loan["id"], date(2026, 2, 20)).days_late == 10
    with pytest.raises(L.LoanError):
        services.reverse(session, wrong["id"], today=TODAY)
    with pytest.raises(L.LoanError):
        services.reverse(session, rev["id"], today=TODAY)
    ledger = queries.ledger(session.conn, loan_id=loan["id"])
    assert [e["kind"] for e in ledger] == ["disbursement", "repayment", "repayment"]
    assert sum(e["cash"] for e in ledger) == -1200000


def test_arrears_as_of_past_dates(session):
    checker = second_user(session)
    fund = fund_with_capital(session)
    loan = active_loan(session, checker, fund, borrower(session))
    services.repay(session, loan["id"], "1134.72", date(2026, 2, 12),
                   today=TODAY)   # instalment 1, two days late
    services.repay(session, loan["id"], "500", date(2026, 4, 1),
                   today=TODAY)        # part of instalment 2
    conn = session.conn
    # before the first due date nothing is late
    assert queries.loan_rows(conn, date(2026, 2, 10))[0].days_late == 0
    assert queries.loan_rows(conn, date(2026, 2, 11))[0].days_late == 1
    assert queries.loan_rows(conn, date(2026, 2, 12))[0].days_late == 0
    row = queries.loan_rows(conn, date(2026, 4, 15))[0]
    assert row.days_late == 36  # instalment 2 due 10 March, partly paid
    # three instalments due; paid: the first, and 500.00 of which the 1% late fee on the
    # second (11.35, charged after the 5 tolerance days) went first
    assert row.overdue == 3 * 113472 - 113472 - (50000 - 1135)
    st = queries.loan_state(session.conn, loan["id"], date(2026, 4, 15))
    assert st.paid_penalty == 1135 and st.penalty_due == 0
    later = queries.loan_rows(conn, date(2026, 6, 15))[0]
    assert later.days_late == 97
    assert L.bucket_of(later.days_late) == ">90"
    # the SQL figures agree with the per-loan computation
    for day in (date(2026, 2, 11), date(2026, 4, 15), date(2026, 6, 15)):
        r = queries.loan_rows(conn, day)[0]
        st = queries.loan_state(session.conn, loan["id"], day)
        assert (r.days_late, r.outstanding, r.principal_overdue, r.interest_overdue) == (
            st.days_late, st.outstanding_principal, st.principal_due, st.interest_due)
    # past figures do not change when later payments arrive
    p_before = queries.portfolio(conn, date(2026, 4, 15)).by_currency["TJS"].par(30)
    services.repay(session, loan["id"], "3000", date(2026, 10, 1), today=TODAY)
    assert queries.portfolio(conn, date(2026, 4, 15)).by_currency["TJS"].par(30) == p_before == 1


def test_portfolio_par_women_share_returned_and_overdue_list(session):
    checker = second_user(session)
    fund = fund_with_capital(session, amount="200000")
    woman = borrower(session)
    man = borrower(session, sex="male", status="abroad", family="Karimov", given="Aziz",
                   phones="+992 90 000 00 01")
    late = active_loan(session, checker, fund, woman, amount="6000")
    good = active_loan(session, checker, fund, man, amount="12000")
    for i in queries.instalments_of(session.conn, good["id"], 1)[:3]:
        services.repay(session, good["id"], L.from_minor(i["principal"] + i["interest"], "TJS"),
                       date.fromisoformat(i["due_date"]), today=TODAY)
    as_of = date(2026, 4, 20)
    p = queries.portfolio(session.conn, as_of)
    f = p.by_currency["TJS"]
    assert f.active == 2 and f.outstanding == 600000 + 1200000 - sum(
        i["principal"] for i in queries.instalments_of(session.conn, good["id"], 1)[:3])
    assert f.par(30) == Decimal(600000) / Decimal(f.outstanding)
    assert f.par(90) == 0
    assert p.women_share == Decimal("0.5") and p.returned_migrant_loans == 1
    overdue = queries.overdue_list(session.conn, as_of)
    assert [o.loan_id for o in overdue] == [late["id"]]
    assert overdue[0].phones == "+992 93 111 22 33" and overdue[0].days_late == 69
    assert queries.par30(session.conn, as_of) == {"TJS": f.par(30)}
    assert queries.outstanding(session.conn, as_of) == {"TJS": f.outstanding}
    assert queries.loans_disbursed(session.conn, as_of) == {"TJS": (2, 1800000)}
    assert queries.women_share(session.conn, as_of) == Decimal("0.5")
    rate = queries.repayment_rate(session.conn, as_of)
    assert Decimal(0) < rate < 1
    # another office sees nothing
    assert queries.portfolio(session.conn, as_of, office_id="elsewhere").by_currency == {}


def test_portfolio_reads_borrowers_from_an_index_not_the_register(session):
    """The portfolio page's borrower figures take sex and migration status from the
    covering index: reading each borrower's row costs a page of the register per loan."""
    checker = second_user(session)
    fund = fund_with_capital(session, amount="200000")
    active_loan(session, checker, fund, borrower(session), amount="6000")
    conn = session.conn
    plans = query_plans(conn, lambda: queries.portfolio(conn, date(2026, 4, 20)), " person p ")
    assert plans
    for plan in plans.values():
        person_steps = [step for step in plan if " p " in step]
        assert person_steps and all("COVERING INDEX" in step for step in person_steps), plan


def test_write_off_needs_a_second_user(session):
    checker_session = second_user(session)
    fund = fund_with_capital(session)
    loan = active_loan(session, checker_session, fund, borrower(session))
    with pytest.raises(ValidationError):
        services.request_write_off(session, loan["id"], "  ", today=TODAY)
    services.request_write_off(session, loan["id"], "borrower left the country",
                               on=date(2026, 9, 1), today=TODAY)
    with pytest.raises(PermissionDenied):
        services.approve_write_off(session, loan["id"], on=date(2026, 9, 2), today=TODAY)
    done = services.approve_write_off(checker_session, loan["id"], on=date(2026, 9, 2),
                                      today=TODAY)
    assert done["status"] == "written_off"
    figures = queries.fund_figures(session.conn, fund["id"])
    assert figures.written_off == 1200000 and figures.outstanding_principal == 0
    assert figures.balance == 10000000 - 1200000
    assert queries.portfolio(session.conn, date(2026, 9, 3)).by_currency["TJS"].active == 0
    # before the write-off it was still at risk
    assert queries.portfolio(session.conn, date(2026, 9, 1)).by_currency["TJS"].par(90) == 1


def test_reschedule_keeps_the_old_version(session):
    checker = second_user(session)
    fund = fund_with_capital(session)
    loan = active_loan(session, checker, fund, borrower(session))
    services.repay(session, loan["id"], "1134.72", date(2026, 2, 10), today=TODAY)
    assert queries.loan_state(session.conn, loan["id"], date(2026, 5, 1)).days_late == 52
    new = services.reschedule(session, loan["id"], date(2026, 5, 1), term=18,
                              reason="harvest failed")
    assert new["version"] == 2
    versions = queries.schedule_versions(session.conn, loan["id"])
    assert [v["version"] for v in versions] == [1, 2]
    assert len(queries.instalments_of(session.conn, loan["id"], 1)) == 12
    v2 = queries.instalments_of(session.conn, loan["id"], 2)
    assert len(v2) == 18 and sum(i["principal"] for i in v2) == new["principal"]
    state = queries.loan_state(session.conn, loan["id"], date(2026, 5, 20))
    assert state.days_late == 0 and state.outstanding_principal == new["principal"]
    # the past is still judged by the old schedule
    assert queries.loan_state(session.conn, loan["id"], date(2026, 4, 30)).days_late == 51
    rows = {d: queries.loan_rows(session.conn, d)[0].days_late for d in
            (date(2026, 4, 30), date(2026, 5, 20), date(2026, 7, 5))}
    assert rows == {date(2026, 4, 30): 51, date(2026, 5, 20): 0, date(2026, 7, 5): 34}
    with pytest.raises(L.LoanError):
        services.repay(session, loan["id"], "100", date(2026, 4, 30), today=TODAY)


def test_application_validation_names_fields(session):
    fund = fund_with_capital(session)
    before = _counts(session.conn)
    with pytest.raises(ValidationError) as err:
        services.apply(session, person_id="", fund_id=fund["id"], amount="abc", purpose="",
                       product_code="jrc_business", today=TODAY)
    assert {"person_id", "amount", "purpose"} <= set(err.value.errors)
    assert _counts(session.conn) == before
    with pytest.raises(L.LoanError):
        services.apply(session, person_id="x", fund_id=fund["id"], amount="10", purpose="trade",
                       product_code="no_such_product", today=TODAY)
    with pytest.raises(L.LoanError):
        services.add_capital(session, fund["id"], "100", date(2026, 1, 1), currency="USD",
                             today=TODAY)
