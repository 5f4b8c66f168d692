"""loan_rows_at: the loan rows on several dates from one pass equal loan_rows on each."""
import argparse
from datetime import date, timedelta

from desktop_app.demo import create_demo
from desktop_app.store.loans import queries


def _key(rows):
    return sorted((r.id, r.outstanding, r.paid_principal, r.paid_interest, r.written_off,
                   r.days_late, r.principal_overdue, r.interest_overdue, r.due_principal,
                   r.due_interest, r.currency, r.office_id) for r in rows)


def test_one_pass_equals_one_query_per_date(tmp_path):
    session = create_demo(tmp_path / "demo.db", argparse.Namespace(loans=120, seed=11))
    conn = session.conn
    today = date.today()
    # month ends over two years, unsorted and with a repeat, plus dates before any loan
    dates = [today - timedelta(days=30 * n) for n in range(0, 26)]
    dates += [today, date(2000, 1, 1), today + timedelta(days=400)]
    dates.reverse()
    every = queries.loan_rows_at(conn, dates)
    assert len(every) == len(dates)
    assert any(r.days_late > 30 for rows in every for r in rows)
    assert any(r.written_off for rows in every for r in rows)
    for day, rows in zip(dates, every, strict=True):
        assert _key(rows) == _key(queries.loan_rows(conn, day)), day
    office = conn.execute("SELECT office_id FROM loan LIMIT 1").fetchone()[0]
    fund = conn.execute("SELECT fund_id FROM loan LIMIT 1").fetchone()[0]
    for day, rows in zip(dates[-3:], queries.loan_rows_at(conn, dates[-3:], office, fund),
                         strict=True):
        assert _key(rows) == _key(queries.loan_rows(conn, day, office, fund))
    assert queries.loan_rows_at(conn, []) == []
    conn.close()


def test_rescheduled_late_and_written_off_loans(session):
    """Schedule versions (the one in effect on each date), repayments, arrears and a
    write-off: every date's rows equal loan_rows on that date."""
    from desktop_app.domain import loans as L
    from desktop_app.store.loans import services
    from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user
    checker = second_user(session)
    fund = fund_with_capital(session)
    late = active_loan(session, checker, fund, borrower(session), amount="6000")
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
    assert late["id"] != moved["id"]
    assert session.conn.execute("SELECT max(version) FROM loan_schedule").fetchone()[0] == 2
    dates = [date(2026, m, d) for m in range(1, 13) for d in (1, 15, 28)] + [TODAY]
    every = queries.loan_rows_at(session.conn, dates)
    for day, rows in zip(dates, every, strict=True):
        assert _key(rows) == _key(queries.loan_rows(session.conn, day)), day
    assert any(r.written_off for r in every[-1])
    assert any(r.days_late > 30 for r in every[-1])
