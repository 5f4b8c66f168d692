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
