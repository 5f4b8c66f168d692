"""Loans: portfolio and PAR on a date over the demo database (goal: 50,000 loans < 1 s).

Each figure is compared with the bare SQL aggregate of the same ledger rows on the same
date (outstanding principal per loan), measured in the same run.
"""
from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from run import Result


def _best(fn, repeat=3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _database(ctx):
    try:
        return ctx.demo_db()
    except BaseException as exc:  # no demo command on this checkout: build a loans-only one
        print(f"# shared demo database unavailable ({exc!r}); building a loans-only one")
        from desktop_app.demo import create_demo
        path = ctx.workdir / "loans-demo.db"
        session = create_demo(path, argparse.Namespace(loans=ctx.count("loans"), seed=1))
        session.conn.close()
        return path


def run(ctx) -> list[Result]:
    from desktop_app.store.access import open_database
    from desktop_app.store.loans import queries as S
    path = _database(ctx)
    conn = open_database(path)
    loans = conn.execute("SELECT count(*) FROM loan").fetchone()[0]
    today = date.today()
    past = today - timedelta(days=365)
    baseline_sql = ("SELECT loan_id, SUM(principal) FROM fund_entry WHERE deleted=0 AND "
                    "loan_id IS NOT NULL AND value_date<=? GROUP BY loan_id")
    results = []
    for label, day in (("today", today), ("a year ago", past)):
        base = _best(lambda day=day: conn.execute(baseline_sql, (day.isoformat(),)).fetchall())
        portfolio = _best(lambda day=day: S.portfolio(conn, day))
        par = _best(lambda day=day: S.par30(conn, day))
        overdue = _best(lambda day=day: S.overdue_list(conn, day))
        results += [
            Result(f"portfolio page figures on {label} ({loans} loans)", portfolio, "s",
                   "bare SQL outstanding per loan", base, "< 1 s"),
            Result(f"PAR30 on {label}", par, "s", "bare SQL outstanding per loan", base, "< 1 s"),
            Result(f"overdue list with phones on {label}", overdue, "s",
                   "bare SQL outstanding per loan", base, "< 1 s"),
        ]
    conn.close()
    return results
