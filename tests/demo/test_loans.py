"""The demo generator writes consistent loan histories."""
import argparse
from datetime import date, timedelta

from desktop_app.demo import create_demo, discover
from desktop_app.store.loans import queries


def test_demo_loans_have_consistent_histories(tmp_path):
    assert "loans" in [g.name for g in discover()]
    parser = argparse.ArgumentParser()
    next(g for g in discover() if g.name == "loans").add_arguments(parser)
    assert parser.parse_args([]).loans == 300
    session = create_demo(tmp_path / "demo.db", argparse.Namespace(loans=150, seed=7))
    conn = session.conn
    statuses = dict(conn.execute("SELECT status, count(*) FROM loan GROUP BY status"))
    assert sum(statuses.values()) == 150
    assert statuses.get("closed", 0) > 0 and statuses.get("disbursed", 0) > 0
    today = date.today()
    rows_today = {r.id: r for r in queries.loan_rows(conn, today)}
    assert any(r.days_late > 0 for r in rows_today.values())          # some are late
    # histories agree with the loan life: closed and written-off loans owe nothing
    for loan in queries.loans_list(conn, limit=1000):
        r = rows_today.get(loan["id"])
        if loan["status"] in ("closed", "written_off"):
            assert r is not None and r.outstanding == 0
        elif loan["status"] == "disbursed":
            assert r.outstanding > 0
        else:
            assert r is None
        if loan["decided_by"]:
            assert loan["decided_by"] != loan["created_by"]   # maker-checker in the demo too
    # the one-query portfolio agrees with the per-loan computation on past dates
    for day in (today - timedelta(days=500), today - timedelta(days=90), today):
        for r in queries.loan_rows(conn, day):
            st = queries.loan_state(session.conn, r.id, day)
            assert (r.days_late, r.outstanding, r.principal_overdue, r.interest_overdue) == (
                st.days_late, st.outstanding_principal, st.principal_due, st.interest_due)
    for fund in queries.funds(conn):
        for (day,) in conn.execute("SELECT DISTINCT value_date FROM fund_entry WHERE fund_id=?",
                                   (fund["id"],)):
            f = queries.fund_figures(conn, fund["id"], date.fromisoformat(day))
            assert f.balance >= 0
            assert f.balance == (f.capital - f.outstanding_principal - f.written_off
                                 + f.interest_received + f.penalties_received)
    conn.close()
