"""Home page: the first figure cards, the whole overview, and its two largest parts.

1. ``first_figures`` (what the Home page shows first) against the bare counts behind the
   same cards (living people, cases opened this month, cases open, trainees this year).
2. ``dashboard_data`` (the whole overview) against the same bare counts, and against a
   bare SQL read of what it sums: those counts plus one grouped pass over the loan ledger;
   three times, by what the loan figures kept per date (``store.loans.balance_cache``)
   hold: nothing (the first open after a change to old loans: the SQL pass over all 13
   dates), yesterday's open (the first open of a day: today computed from yesterday's
   figures and the loans changed since), everything (an open again).
3. The loan cards and charts on the 12 month ends and today: the SQL pass
   (``open_balances_at``) against the Python pass per loan and date it replaced
   (``loan_rows_at``, the same figures: tests/reports/test_dashboard_overview.py).
4. The cards counted by SQLite (people on the register and reached this year over the
   register's indexes, cases opened and open over their indicator's rows) against the
   report's passes that computed them before.
5. A report on two threads (the second connection kept warm between reports) against the
   same report on one connection.
Every figure is the median of three runs, wall and CPU, against its baseline of the same
run on the same database.
"""
from __future__ import annotations

import statistics
from datetime import date, datetime
from zoneinfo import ZoneInfo

from run import Timing, compare, timed

LEDGER = ("SELECT count(*) FROM (SELECT loan_id, SUM(principal), SUM(interest) FROM fund_entry "
          "WHERE deleted = 0 AND loan_id IS NOT NULL GROUP BY loan_id)")
BARE_COUNTS = (
    "SELECT count(*) FROM person WHERE deleted = 0 AND merged_into IS NULL",
    "SELECT count(*) FROM hotline_case WHERE deleted = 0 AND opened_on >= :month",
    "SELECT count(*) FROM hotline_case WHERE deleted = 0 AND (closed_on IS NULL "
    "OR closed_on = '')",
    "SELECT count(DISTINCT tp.person_id) FROM training_participant tp JOIN training_event te "
    "ON te.id = tp.event_id WHERE tp.deleted = 0 AND te.start_date >= :year",
)


def timed_after(setup, fn, repeat: int = 3) -> Timing:
    """Median wall and CPU time of ``fn``, with ``setup`` run untimed before each call."""
    walls, cpus = [], []
    for _ in range(repeat):
        setup()
        one = timed(fn, 1)
        walls.append(one.wall)
        cpus.append(one.cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))


def _overviews(conn, today: date) -> tuple[Timing, Timing, Timing]:
    """The whole overview with nothing kept, with yesterday's open kept (its month ends
    and yesterday: today is computed, moved on from yesterday), with all kept."""
    from datetime import timedelta

    from desktop_app.reports import dashboard
    from desktop_app.store.loans import balance_cache

    def overview():
        dashboard.dashboard_data(conn, None, today)

    def keep_yesterday():
        balance_cache.clear(conn)
        dashboard.dashboard_data(conn, None, today - timedelta(days=1))
    uncached = timed_after(lambda: balance_cache.clear(conn), overview)
    new_day = timed_after(keep_yesterday, overview)
    overview()
    return uncached, new_day, timed(overview)


def _counted_cards(conn, today: date) -> tuple[Timing, Timing]:
    """The cards counted by SQLite (``dashboard._counted``), and the report passes that
    computed them before."""
    from desktop_app.reports import dashboard
    from desktop_app.reports.labels import Labels
    labels = Labels(conn, "en")
    periods = dashboard._periods(today)

    def queries():
        return {key: dashboard._query(conn, periods[key], None) for key in ("year", "month")}

    def counted():
        dashboard._counted(conn, today, None, queries(), "en", dashboard.COUNTED)

    def passes():
        for key, q in queries().items():
            dashboard._values(conn, q, labels, [(code, ()) for code, p, _note in
                                                dashboard.FIGURES
                                                if p == key and code in dashboard.COUNTED])
    return timed(counted), timed(passes)


def run(ctx):
    from desktop_app.reports import dashboard
    from desktop_app.reports.builder import build_report
    from desktop_app.reports.model import ReportRequest
    from desktop_app.reports.parallel import close_spare, connection_factory
    from desktop_app.reports.periods import current_period, office_time_zone
    from desktop_app.store import db as dbmod
    from desktop_app.store.access import open_database
    from desktop_app.store.loans import balance_cache
    from desktop_app.store.loans.queries import loan_rows_at, open_balances_at

    conn = open_database(ctx.demo_db())
    # the offices' date (the Home page's on an office's computer): in a UTC evening it is
    # already tomorrow in Dushanbe, and the demo's people registered a moment ago would
    # all be outside the period of the machine's date
    today = datetime.now(ZoneInfo(office_time_zone(conn))).date()
    people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    params = {"month": today.replace(day=1).isoformat(),
              "year": today.replace(month=1, day=1).isoformat()}

    def bare():
        for sql in BARE_COUNTS:
            conn.execute(sql, params).fetchone()

    dashboard.first_figures(conn, None, today)        # warm the page cache once for all
    bare_t = timed(bare)
    first = timed(lambda: dashboard.first_figures(conn, None, today))
    uncached, new_day, whole = _overviews(conn, today)

    def bare_sql():
        bare()
        conn.execute(LEDGER).fetchone()
    bare_sums = timed(bare_sql)

    def first_on_new_connection():       # what the Home page did: a connection per refresh
        fresh = dbmod.connect(ctx.demo_db())
        dashboard.first_figures(fresh, None, today)
        fresh.close()
    cold = timed(first_on_new_connection)
    dates = [m.end for m in dashboard._last_months(today, 12)] + [today]
    sql_pass = timed(lambda: open_balances_at(conn, dates))
    python_pass = timed(lambda: loan_rows_at(conn, dates))

    def kept_but_today():
        balance_cache.open_balances_kept(conn, dates)
        conn.execute("DELETE FROM loan_balance_cache WHERE as_of = ?", (today.isoformat(),))
    today_only = timed_after(kept_but_today, lambda: balance_cache.open_balances_kept(conn, dates))
    counted, report_pass = _counted_cards(conn, today)
    from desktop_app.domain.actors import Actor
    office = conn.execute("SELECT office_id, count(*) FROM person GROUP BY 1 "
                          "ORDER BY 2 DESC LIMIT 1").fetchone()[0]
    officer = Actor("bench", "bench", role="field_officer", office_id=office)
    dashboard.dashboard_data(conn, officer, today)
    one_office = timed(lambda: dashboard.dashboard_data(conn, officer, today))
    results = [
        compare(f"Home first figures ({people:,} people)", first, "bare counts", bare_t,
                "< 1 s at 1M people"),
        compare("Home first figures on a new connection", cold, "on the kept warm one",
                first),
        compare("Home whole overview, nothing kept (after a change)", uncached,
                "bare counts", bare_t),
        compare("Home whole overview, nothing kept (after a change)", uncached,
                "bare counts + grouped ledger", bare_sums),
        compare("Home whole overview, first open of a day", new_day, "bare counts", bare_t),
        compare("Home whole overview, first open of a day", new_day,
                "bare counts + grouped ledger", bare_sums),
        compare("Home whole overview, open again (all kept)", whole, "bare counts", bare_t),
        compare("Home whole overview, open again (all kept)", whole,
                "bare counts + grouped ledger", bare_sums),
        compare("Home whole overview, open again, the largest office's officer",
                one_office, "every office (the coordinator's)", whole),
        compare(f"loan figures on {len(dates)} dates, SQL pass (open_balances_at)", sql_pass,
                "Python pass per loan and date (loan_rows_at)", python_pass),
        compare(f"loan figures on {len(dates)} dates, the month ends kept", today_only,
                "SQL pass over every date (open_balances_at)", sql_pass),
        compare("people and case cards counted (indexes, rows)", counted,
                "report passes that computed them", report_pass),
    ]
    request = ReportRequest(current_period("quarter"))
    connect = connection_factory(conn)
    build_report(conn, request, connect=connect)       # the second connection warms up
    build_report(conn, request)
    runs: dict[str, list] = {"warm": [], "new": [], "alone": []}
    for _round in range(5):                            # interleaved: the load moves
        for kind, times in runs.items():
            if kind == "new":
                close_spare()                          # a second connection opened anew
            times.append(timed(lambda kind=kind: build_report(
                conn, request, **({} if kind == "alone" else {"connect": connect})), 1))
    close_spare()
    balance_cache.clear(conn)          # the shared demo file keeps no figures of this run
    median = {kind: Timing(statistics.median(t.wall for t in times),
                           statistics.median(t.cpu for t in times))
              for kind, times in runs.items()}
    results.append(compare("quarterly report, two threads (second connection kept warm)",
                           median["warm"], "one connection", median["alone"],
                           "never slower than one", unit="s"))
    results.append(compare("quarterly report, two threads (second connection new)",
                           median["new"], "one connection", median["alone"], unit="s"))
    conn.close()
    return results
