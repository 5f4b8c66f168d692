"""Reports: a quarterly report with every indicator, and the person-level XLSX export.

1. Build the report of the current quarter with every indicator and its default
   disaggregations on the demo database, against the same aggregates written plainly
   (each indicator's total and each of its default disaggregations as its own GROUP BY on
   the same rows, without merge resolution, unknown buckets, labels or shared passes).
   The report is built as the application and the CLI build it (the people indicators on
   a second connection in a thread beside the others: its figure is wall time) and again
   on one connection. All run twice, alternating; the best of each is printed. Then the
   same per indicator group (people, cases, inspections, trainings, loans): the group's
   indicators alone against the group's own plain aggregates.
2. Write every person to XLSX through ``export_person_list`` in a subprocess and measure
   its peak RSS and time, against plain xlsxwriter (constant_memory) writing the same rows
   from the same query in another subprocess.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from run import ROOT, Result

# The same aggregates written plainly: for each indicator of the report, its total and each
# of its default disaggregations as its own GROUP BY over the same rows (tombstones, period,
# surviving records), without merge resolution, unknown buckets, labels or a shared pass.
# (:s, :e) = period start and the day after its end; :bN = the age band cut-off dates.
SURVIVOR = "p.deleted = 0 AND COALESCE(p.merged_into, '') = ''"
AGE = ("CASE WHEN p.birth_date IS NULL OR p.birth_date = '' OR p.birth_date > :b0 THEN 'u' "
       "WHEN p.birth_date > :b15 THEN 1 WHEN p.birth_date > :b18 THEN 2 "
       "WHEN p.birth_date > :b30 THEN 3 WHEN p.birth_date > :b45 THEN 4 ELSE 5 END")
DEST = ("(SELECT e.destination_country FROM migration_episode e WHERE e.person_id = p.id "
        "AND e.deleted = 0 AND COALESCE(e.departure_date, '') < :e "
        "ORDER BY e.departure_date DESC, e.created_at DESC LIMIT 1)")
REACHED = (f"{SURVIVOR} AND (p.created_at >= :s AND p.created_at < :e OR p.id IN ("
           "SELECT person_id FROM hotline_case WHERE deleted = 0 AND opened_on >= :s "
           "AND opened_on < :e UNION SELECT tp.person_id FROM training_participant tp "
           "JOIN training_event te ON te.id = tp.event_id WHERE tp.deleted = 0 "
           "AND te.deleted = 0 AND te.start_date >= :s AND te.start_date < :e "
           "UNION SELECT person_id FROM loan WHERE deleted = 0 AND disbursed_on >= :s "
           "AND disbursed_on < :e))")
CASE_P = "FROM hotline_case c LEFT JOIN person p ON p.id = c.person_id WHERE c.deleted = 0"
OPEN = "c.opened_on < :e AND (c.closed_on IS NULL OR c.closed_on = '' OR c.closed_on >= :e)"
PART = ("FROM training_participant tp JOIN training_event te ON te.id = tp.event_id "
        "LEFT JOIN person p ON p.id = tp.person_id WHERE tp.deleted = 0 AND te.deleted = 0 "
        "AND te.start_date >= :s AND te.start_date < :e")
TRAINEES = ("FROM person p WHERE p.deleted = 0 AND p.id IN (SELECT tp.person_id FROM "
            "training_participant tp JOIN training_event te ON te.id = tp.event_id "
            "WHERE tp.deleted = 0 AND te.deleted = 0 AND te.start_date >= :s "
            "AND te.start_date < :e)")
LOANS = ("FROM loan l LEFT JOIN person p ON p.id = l.person_id WHERE l.deleted = 0 "
         "AND l.disbursed_on >= :s AND l.disbursed_on < :e")
COMPLETED = ("CASE WHEN tp.completion_override = 'completed' THEN 1 WHEN "
             "tp.completion_override = 'not_completed' THEN 0 ELSE tp.completed END")
INSPECTIONS = ("FROM inspection i LEFT JOIN employer em ON em.id = i.employer_id "
               "WHERE i.deleted = 0 AND i.status = 'completed' AND i.inspected_on >= :s "
               "AND i.inspected_on < :e")


def _by(select_from: str, *keys: str, agg: str = "COUNT(*)") -> list[str]:
    """The total and one GROUP BY per key of ``agg`` over ``select_from``."""
    # +(key): group by sorting the rows read, never by walking an index in key order with a
    # table look-up per row (SQLite's choice for some of these, 5-10x slower)
    return [f"SELECT {agg} {select_from}"] + [
        f"SELECT +({k}), {agg} {select_from} GROUP BY 1" for k in keys]


BARE_BY_GROUP: dict[str, list[str]] = {
    "people": [
        *_by(f"FROM person p WHERE {SURVIVOR} AND p.created_at >= :s AND p.created_at < :e",
             "p.sex", AGE, "p.district"),
        *_by(f"FROM person p WHERE {SURVIVOR} AND p.created_at < :e", "p.sex",
             "p.migration_status"),
        *_by(f"FROM person p WHERE {REACHED}", "p.sex", AGE, "p.district", DEST),
    ],
    "cases": [
        *_by(f"{CASE_P} AND c.opened_on >= :s AND c.opened_on < :e", "c.category", "c.channel",
             "p.sex"),
        *_by(f"{CASE_P} AND c.resolved_on >= :s AND c.resolved_on < :e", "c.category",
             "c.outcome"),
        *_by(f"{CASE_P} AND c.closed_on >= :s AND c.closed_on < :e", "c.category"),
        *_by(f"{CASE_P} AND {OPEN}", "c.category"),
        # median days to resolution: the day counts (the median is taken in Python)
        "SELECT c.category, julianday(c.resolved_on) - julianday(c.opened_on) FROM hotline_case c "
        "WHERE c.deleted = 0 AND c.resolved_on >= :s AND c.resolved_on < :e",
        *_by("FROM hotline_case c WHERE c.deleted = 0 AND c.resolved_on >= :s "
             "AND c.resolved_on < :e AND c.wages_recovered_minor > 0 GROUP BY c.wages_currency",
             agg="c.wages_currency, SUM(c.wages_recovered_minor)"),
        "SELECT c.country, c.wages_currency, SUM(c.wages_recovered_minor) FROM hotline_case c "
        "WHERE c.deleted = 0 AND c.resolved_on >= :s AND c.resolved_on < :e "
        "AND c.wages_recovered_minor > 0 GROUP BY 1, 2",
        *_by("FROM case_referral f JOIN hotline_case c ON c.id = f.case_id AND c.deleted = 0 "
             "WHERE f.deleted = 0 AND f.referred_on >= :s AND f.referred_on < :e",
             "f.target", "f.status"),
    ],
    "inspections": [
        *_by(INSPECTIONS, "i.trigger", "em.sector"),
        *_by(INSPECTIONS, "i.trigger", agg="SUM(EXISTS (SELECT 1 FROM inspection_violation v "
             "WHERE v.inspection_id = i.id AND v.deleted = 0)), COUNT(*)"),
        *_by("FROM inspection_violation v JOIN inspection i ON i.id = v.inspection_id "
             "AND i.deleted = 0 WHERE v.deleted = 0 AND i.inspected_on >= :s "
             "AND i.inspected_on < :e", "v.violation"),
    ],
    "trainings": [
        *_by("FROM training_event te WHERE te.deleted = 0 AND te.start_date >= :s "
             "AND te.start_date < :e", "te.course_code"),
        *_by(PART, "te.course_code", "p.sex"),
        *_by(PART, "te.course_code", "p.sex", agg=f"SUM({COMPLETED}), COUNT(*)"),
        *_by(TRAINEES, "p.sex", AGE),
        f"SELECT SUM(p.sex = 'female'), COUNT(*) {TRAINEES}",
        *_by("FROM training_outcome o LEFT JOIN person p ON p.id = o.person_id "
             "WHERE o.deleted = 0 AND o.outcome_date >= :s AND o.outcome_date < :e",
             "o.outcome", "p.sex"),
    ],
    "loans": [
        *_by(LOANS, "l.purpose", "p.sex", agg="l.currency, COUNT(*), SUM(l.amount)"),
        # outstanding principal per currency and purpose; principal fallen due per currency
        "SELECT l.currency, l.purpose, SUM(e.principal) FROM fund_entry e JOIN loan l "
        "ON l.id = e.loan_id WHERE e.deleted = 0 AND e.value_date < :e GROUP BY 1, 2",
        "SELECT l.currency, SUM(i.principal + i.interest) FROM loan_instalment i JOIN loan l "
        "ON l.id = i.loan_id WHERE i.deleted = 0 AND l.deleted = 0 AND i.due_date < :e "
        "GROUP BY 1",
        "SELECT SUM(p.sex = 'female'), COUNT(*) FROM person p WHERE p.deleted = 0 AND p.id IN "
        "(SELECT person_id FROM loan WHERE deleted = 0 AND disbursed_on >= :s "
        "AND disbursed_on < :e)",
    ],
}
BARE_SQL = [sql for group in BARE_BY_GROUP.values() for sql in group]

# memory sampling shared by both export children (plain code, formatted with the rest)
SAMPLER = """
import json, resource, sys, threading, time
def rss_mb():  # resident set now (Linux); else the peak so far
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def peak_mb():
    # VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at its parent's resident
    # set when it is forked, so it reported the benchmark runner's memory, not its own
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
samples, stop = [], threading.Event()
def sample():
    while not stop.is_set():
        samples.append(rss_mb())
        time.sleep(0.02)
"""

EXPORT_OURS = SAMPLER + """
sys.path.insert(0, {root!r})
from desktop_app.store.access import open_session
from desktop_app.reports.exports import export_person_list
session = open_session({db!r})
before = rss_mb()
threading.Thread(target=sample, daemon=True).start()
t = time.perf_counter()
n = export_person_list(session, "xlsx", {out!r})
seconds = time.perf_counter() - t
stop.set()
print(json.dumps(dict(rows=n, seconds=seconds,
                      rss_mb=peak_mb(),
                      before_mb=before, during_mb=max(samples + [rss_mb()]))))
"""

EXPORT_PLAIN = SAMPLER + """
import xlsxwriter
sys.path.insert(0, {root!r})
from desktop_app.reports.exports import PERSON_COLUMNS
from desktop_app.store.access import open_database
conn = open_database({db!r}, migrate=False)  # the same (possibly encrypted) connection
before = rss_mb()
threading.Thread(target=sample, daemon=True).start()
t = time.perf_counter()
book = xlsxwriter.Workbook({out!r}, {{"constant_memory": True}})
sheet = book.add_worksheet("People")
cols = ", ".join(expr for _n, expr in PERSON_COLUMNS)
n = 0
for row in conn.execute(f"SELECT {{cols}} FROM person p LEFT JOIN office o ON o.id = p.office_id "
                        "WHERE p.deleted = 0 AND COALESCE(p.merged_into, '') = ''"):
    n += 1
    if n % 1048575 == 0:
        sheet = book.add_worksheet(f"People {{n}}")
    for c, v in enumerate(row):
        if v is not None:
            sheet.write_string(n % 1048575, c, str(v))
book.close()
seconds = time.perf_counter() - t
stop.set()
print(json.dumps(dict(rows=n, seconds=seconds,
                      rss_mb=peak_mb(),
                      before_mb=before, during_mb=max(samples + [rss_mb()]))))
"""


def _subprocess(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(ctx) -> list[Result]:
    from desktop_app.reports.builder import build_report
    from desktop_app.reports.engine import table_names
    from desktop_app.reports.indicators.base import Query
    from desktop_app.reports.indicators.base import available as available_in
    from desktop_app.reports.indicators.catalogue import by_group
    from desktop_app.reports.model import ReportRequest
    from desktop_app.reports.parallel import connection_factory
    from desktop_app.reports.periods import current_period
    from desktop_app.store.access import open_database

    db = ctx.demo_db()
    conn = open_database(db, migrate=False)
    period = current_period("quarter", date.today())
    tables = table_names(conn)
    q = Query(period)
    params = {"s": period.start.isoformat(), "e": period.end_exclusive.isoformat(),
              **{f"b{n}": q.born_by(n).strip("'") for n in (0, 15, 18, 30, 45)}}
    queries = [sql for sql in BARE_SQL if _tables_ok(sql, tables)]
    request = ReportRequest(period)
    connect = connection_factory(conn)
    bare = ours = alone = float("inf")
    for _round in range(2):   # alternate, best of two: neither side pays the cold cache alone
        started = time.perf_counter()
        for sql in queries:
            conn.execute(sql, params).fetchall()
        bare = min(bare, time.perf_counter() - started)
        started = time.perf_counter()
        report = build_report(conn, request, connect=connect)
        ours = min(ours, time.perf_counter() - started)
        started = time.perf_counter()
        build_report(conn, request)
        alone = min(alone, time.perf_counter() - started)
    available = sum(1 for r in report.results if r.available)
    # wall time: the people indicators on a second connection in a thread beside the
    # others (as the application and the CLI build it); then the same on one connection
    results = [Result(f"quarterly report, {available} indicators ({period.code}), "
                      "2 threads, wall", ours, "s",
                      f"{len(queries)} bare SQL aggregates", bare, "< 5 s at full scale"),
               Result("  same report on one connection (no thread)", alone, "s",
                      f"{len(queries)} bare SQL aggregates", bare)]
    # the same per indicator group: the group's indicators alone against its own aggregates
    for group, group_sql in BARE_BY_GROUP.items():
        group_queries = [sql for sql in group_sql if _tables_ok(sql, tables)]
        codes = [i.code for i in by_group(group) if available_in(i, tables)]
        if not codes or not group_queries:
            continue
        request = ReportRequest(period, indicators=codes)
        bare = ours = float("inf")
        for _round in range(2):
            started = time.perf_counter()
            for sql in group_queries:
                conn.execute(sql, params).fetchall()
            bare = min(bare, time.perf_counter() - started)
            started = time.perf_counter()
            build_report(conn, request)
            ours = min(ours, time.perf_counter() - started)
        results.append(Result(f"  {group}: {len(codes)} indicators", ours, "s",
                              f"{len(group_queries)} bare SQL aggregates", bare))
    conn.close()

    workdir = Path(ctx.workdir)
    ours_x = _subprocess(EXPORT_OURS.format(root=str(ROOT), db=str(db),
                                            out=str(workdir / "people.xlsx")))
    plain_x = _subprocess(EXPORT_PLAIN.format(root=str(ROOT), db=str(db),
                                              out=str(workdir / "plain.xlsx")))
    rows = ours_x["rows"]
    results.append(Result(f"person-level XLSX, {rows:,} rows: peak RSS", ours_x["rss_mb"], "MB",
                          "plain xlsxwriter", plain_x["rss_mb"], "bounded (flat in rows)"))
    # growth = highest resident set sampled while writing (every 20 ms) - resident set at
    # the start: flat in the number of rows when nothing on the path holds every row
    results.append(Result(f"person-level XLSX, {rows:,} rows: RSS growth while writing",
                          ours_x["during_mb"] - ours_x["before_mb"], "MB", "plain xlsxwriter",
                          plain_x["during_mb"] - plain_x["before_mb"], "< 300 MB peak, flat"))
    results.append(Result(f"person-level XLSX, {rows:,} rows: time", ours_x["seconds"], "s",
                          "plain xlsxwriter", plain_x["seconds"]))
    return results


def _tables_ok(sql: str, tables) -> bool:
    import re
    names = re.findall(r"(?:FROM|JOIN)\s+(\w+)", sql)
    return all(n in tables for n in names)
