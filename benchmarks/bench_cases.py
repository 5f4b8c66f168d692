"""Cases: the case list and the overdue follow-up list up to their first rows, and case
search, each against the bare SQL doing the least the feature needs (same run, same data).

The service path includes what the UI needs on top: filters, the sensitive-name check
per row, joins for the person and the assigned worker, cross-script matching.
"""
from __future__ import annotations

import random
import statistics
import time

from run import Result

PAGE = 200


def _best_ms(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _median_ms(fn, items) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(ctx) -> list[Result]:
    from desktop_app.store import cases as sc
    from desktop_app.store.access import default_actor, open_database
    from desktop_app.store.session import Session

    conn = open_database(ctx.demo_db(), migrate=False)
    session = Session(conn, default_actor(conn))
    total = conn.execute("SELECT COUNT(*) FROM hotline_case").fetchone()[0]
    results = []

    def service_list():
        ids = sc.case_ids(conn, sc.CaseFilter(view="all"))
        return sc.case_rows(session, ids[:PAGE])

    def bare_list():
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM hotline_case WHERE deleted=0 ORDER BY opened_on DESC, number DESC")]
        marks = ",".join("?" * len(ids[:PAGE]))
        return conn.execute(f"SELECT * FROM hotline_case WHERE id IN ({marks})",
                            ids[:PAGE]).fetchall()

    results.append(Result(f"case list, all {total} cases, first {PAGE} rows",
                          _best_ms(service_list), "ms", "bare id list + rows",
                          _best_ms(bare_list), "< 300 ms"))

    user = conn.execute("SELECT assigned_to FROM hotline_case WHERE assigned_to IS NOT NULL "
                        "GROUP BY assigned_to ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    if user:
        def mine():
            ids = sc.case_ids(conn, sc.CaseFilter(view="mine", user_id=user[0]))
            return sc.case_rows(session, ids[:PAGE])

        def bare_mine():
            return conn.execute(
                "SELECT id FROM hotline_case WHERE assigned_to=? AND status IN "
                "('new','in_progress','referred') AND deleted=0 ORDER BY opened_on DESC",
                (user[0],)).fetchall()
        results.append(Result("my open cases, first rows", _best_ms(mine), "ms",
                              "bare indexed query", _best_ms(bare_mine), "< 100 ms"))

    def overdue():
        return sc.followups_due(conn)

    def bare_overdue():
        return conn.execute(
            "SELECT f.id, f.due_on FROM case_followup f WHERE f.done_on IS NULL "
            "AND f.deleted=0 AND f.due_on <= date('now') ORDER BY f.due_on").fetchall()
    results.append(Result("follow-ups due and overdue (whole list)", _best_ms(overdue), "ms",
                          "bare follow-up query", _best_ms(bare_overdue), "< 100 ms"))

    rng = random.Random(5)
    people = conn.execute("SELECT p.family_name FROM hotline_case c JOIN person p "
                          "ON p.id=c.person_id ORDER BY c.rowid LIMIT 2000").fetchall()
    terms = [rng.choice(people)[0] for _ in range(12)] if people else []
    callers = conn.execute("SELECT caller_name FROM hotline_case WHERE caller_name IS NOT NULL "
                           "LIMIT 500").fetchall()
    terms += [rng.choice(callers)[0] for _ in range(6)] if callers else []
    if terms:
        def search(term):
            ids = sc.case_ids(conn, sc.CaseFilter(search=term))
            return sc.case_rows(session, ids[:PAGE])

        from desktop_app.store.people import fts_query

        def bare_search(term):
            query = fts_query(term)
            return conn.execute(
                "SELECT c.id FROM hotline_case c WHERE c.person_id IN (SELECT p.id FROM "
                "person_search s JOIN person p ON p.rowid=s.rowid WHERE person_search MATCH ?) "
                "ORDER BY c.opened_on DESC LIMIT ?", (query, PAGE)).fetchall()
        results.append(Result(f"case search by name, any script (median of {len(terms)})",
                              _median_ms(search, terms), "ms", "bare FTS5 person->case",
                              _median_ms(bare_search, terms), "< 150 ms"))
    conn.close()
    return results
