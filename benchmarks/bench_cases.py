"""Cases: the work lists up to their first page of rows, the due / overdue follow-up list
and case search, each against the bare SQL doing the least the feature needs (same run,
same data).

The database is cases-heavy: ``FULL["cases"] * scale`` cases (300,000 at scale 1) with a
third as many people, built once with ``hamroh demo`` and cached in ``bench-data/``
(``cases-N.db``); at full scale the shared demo database (1,000,000 people, 300,000
cases) is used instead. Either is brought up to the current schema in place (no backup).

The service path includes what the UI needs on top: the filters, the sensitive-name check
per row, the joins for the person and the assigned worker, cross-script matching.
"""
from __future__ import annotations

import random
import statistics
import time

from run import Result, bring_up_to_date

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


def cases_db(ctx):
    """The cached cases-heavy database at this scale (built on first use); at full scale the
    shared demo database, which holds all 300,000 cases already."""
    from desktop_app.cli import main as hamroh
    if ctx.scale >= 1:
        return ctx.demo_db()
    cases = ctx.count("cases")
    ctx.cache.mkdir(parents=True, exist_ok=True)
    path = ctx.cache / f"cases-{cases}.db"
    if not path.exists():
        tmp = path.with_suffix(".partial.db")
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        code = hamroh(["demo", "--db", str(tmp), "--people", str(max(1000, cases // 3)),
                       "--cases", str(cases), "--trainings", "1", "--loans", "1"])
        if code != 0:
            raise SystemExit(f"cases database could not be built (exit {code})")
        tmp.rename(path)
        keys = tmp.with_name(tmp.name + ".keys")
        if keys.exists():
            keys.rename(path.with_name(path.name + ".keys"))
        print(f"# built {path.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def open_current(path):
    """Open the cached database, applying pending migrations in place (no backup)."""
    from desktop_app.store.access import open_database
    bring_up_to_date(path)
    return open_database(path, migrate=False)


def _followup_results(conn) -> list[Result]:
    from desktop_app.store.cases import queries as cq

    results = []

    def overdue():
        due = cq.list_followups_due(conn)
        return cq.fetch_followup_rows(conn, due.rowids[:PAGE])

    def bare_overdue():
        rowids = [r[0] for r in conn.execute(
            "SELECT rowid FROM case_followup INDEXED BY case_followup_open WHERE done_on IS "
            "NULL AND deleted=0 AND due_on <= date('now') ORDER BY due_on")]
        marks = ",".join("?" * len(rowids[:PAGE]))
        return conn.execute(f"SELECT * FROM case_followup WHERE rowid IN ({marks})",
                            rowids[:PAGE]).fetchall()
    due_count = len(cq.list_followups_due(conn).rowids)
    results.append(Result(f"follow-ups due and overdue ({due_count}), first rows",
                          _best_ms(overdue), "ms", "bare follow-up query + rows",
                          _best_ms(bare_overdue), "< 300 ms"))
    return results


def _search_results(conn, session, page_of) -> list[Result]:
    from desktop_app.store.cases import queries as cq
    from desktop_app.store.cases import search as cases_search

    results = []
    rng = random.Random(5)
    people = conn.execute("SELECT p.family_name FROM hotline_case c JOIN person p "
                          "ON p.id=c.person_id ORDER BY c.rowid LIMIT 2000").fetchall()
    terms = [rng.choice(people)[0] for _ in range(12)] if people else []
    callers = conn.execute("SELECT caller_name FROM hotline_case WHERE caller_name IS NOT NULL "
                           "LIMIT 500").fetchall()
    terms += [rng.choice(callers)[0] for _ in range(6)] if callers else []
    numbers = conn.execute("SELECT number FROM hotline_case ORDER BY rowid LIMIT 1000").fetchall()
    terms += [rng.choice(numbers)[0] for _ in range(4)] if numbers else []
    if terms:
        for view, label in (("all", "all cases"), ("open", "open cases")):
            flt = cq.CaseFilter(view=view)

            def search(term, view=view):
                ids = cq.list_cases(conn, cq.CaseFilter(view=view, search=term)).rowids
                return cq.fetch_case_rows(session, ids[:PAGE])

            def bare_search(term, flt=flt):
                match = "{keys} : (" + cases_search.fts_query(term) + ")"
                tags = cq._search_filters(flt)
                if tags:
                    match += " AND {tags} : (" + tags + ")"
                rowids = [r[0] for r in conn.execute(
                    "SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid "
                    "DESC LIMIT ?", (match, cases_search.SEARCH_LIMIT))]
                return page_of(rowids)
            # one untimed pass of both first: in a register larger than the page cache the
            # first side to show a term's rows would pay the disk reads for both
            for term in terms:
                bare_search(term)
                search(term)
            results.append(Result(
                f"case search, {label}, any script (median of {len(terms)})",
                _median_ms(search, terms), "ms", "bare FTS5 query + rows",
                _median_ms(bare_search, terms), "< 50 ms"))
    return results


def run(ctx) -> list[Result]:
    from desktop_app.store.access import default_actor
    from desktop_app.store.cases import queries as cq
    from desktop_app.store.session import Session

    conn = open_current(cases_db(ctx))
    session = Session(conn, default_actor(conn))
    total = conn.execute("SELECT COUNT(*) FROM hotline_case").fetchone()[0]
    results = []

    def page_of(rowids):
        marks = ",".join("?" * len(rowids[:PAGE]))
        return conn.execute(f"SELECT * FROM hotline_case WHERE rowid IN ({marks})",
                            rowids[:PAGE]).fetchall()

    def first_rows():
        ids = cq.list_cases(conn, cq.CaseFilter(view="all"), limit=PAGE).rowids
        return cq.fetch_case_rows(session, ids)

    def bare_first():
        return page_of([r[0] for r in conn.execute(
            f"SELECT rowid FROM hotline_case WHERE deleted=0 ORDER BY opened_on DESC, "
            f"number DESC LIMIT {PAGE}")])

    results.append(Result(f"case list, all {total} cases, first {PAGE} rows shown",
                          _best_ms(first_rows), "ms", "bare first rows query + rows",
                          _best_ms(bare_first), "< 300 ms"))

    def service_list():
        ids = cq.list_cases(conn, cq.CaseFilter(view="all")).rowids
        return cq.fetch_case_rows(session, ids[:PAGE])

    def bare_list():
        return page_of([r[0] for r in conn.execute(
            "SELECT rowid FROM hotline_case WHERE deleted=0 ORDER BY opened_on DESC, "
            "number DESC")])

    results.append(Result("case list, whole id list (worker) + first rows",
                          _best_ms(service_list), "ms", "bare id list + rows",
                          _best_ms(bare_list)))

    def open_list():
        ids = cq.list_cases(conn, cq.CaseFilter(view="open"), limit=PAGE).rowids
        return cq.fetch_case_rows(session, ids)

    def bare_open():
        return page_of([r[0] for r in conn.execute(
            "SELECT rowid FROM hotline_case WHERE deleted=0 AND status IN "
            f"('new','in_progress','referred') ORDER BY opened_on DESC, number DESC "
            f"LIMIT {PAGE}")])
    results.append(Result("open cases (default view), first rows shown", _best_ms(open_list),
                          "ms", "bare first rows query + rows", _best_ms(bare_open),
                          "< 300 ms"))

    user = conn.execute("SELECT assigned_to FROM hotline_case WHERE assigned_to IS NOT NULL "
                        "GROUP BY assigned_to ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    if user:
        def mine():
            ids = cq.list_cases(conn, cq.CaseFilter(view="mine", user_id=user[0])).rowids
            return cq.fetch_case_rows(session, ids[:PAGE])

        def bare_mine():
            return page_of([r[0] for r in conn.execute(
                "SELECT rowid FROM hotline_case WHERE assigned_to=? AND status IN "
                "('new','in_progress','referred') AND deleted=0 ORDER BY opened_on DESC",
                (user[0],))])
        results.append(Result("my open cases, first rows", _best_ms(mine), "ms",
                              "bare indexed query + rows", _best_ms(bare_mine), "< 300 ms"))

    results += _followup_results(conn)
    results += _search_results(conn, session, page_of)
    conn.close()
    return results
