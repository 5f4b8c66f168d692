"""Reports: a quarterly report with every indicator, and the person-level XLSX export.

1. Build the report of the current quarter with every indicator and its default
   disaggregations on the demo database, against the bare SQL aggregates of the same
   tables (one GROUP BY per indicator, without merges, unknown buckets or totals).
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

BARE_SQL = [
    "SELECT sex, COUNT(*) FROM person WHERE deleted = 0 AND created_at >= :s AND created_at < :e "
    "GROUP BY sex",
    "SELECT district, COUNT(*) FROM person WHERE deleted = 0 AND created_at < :e GROUP BY district",
    "SELECT category, COUNT(*) FROM hotline_case WHERE deleted = 0 AND opened_on >= :s "
    "AND opened_on < :e GROUP BY category",
    "SELECT category, COUNT(*) FROM hotline_case WHERE deleted = 0 AND resolved_on >= :s "
    "AND resolved_on < :e GROUP BY category",
    "SELECT wages_currency, SUM(wages_recovered_minor) FROM hotline_case WHERE deleted = 0 "
    "AND resolved_on >= :s AND resolved_on < :e GROUP BY wages_currency",
    "SELECT target, status, COUNT(*) FROM case_referral WHERE deleted = 0 AND referred_on >= :s "
    "AND referred_on < :e GROUP BY target, status",
    "SELECT trigger, COUNT(*) FROM inspection WHERE deleted = 0 AND inspected_on >= :s "
    "AND inspected_on < :e GROUP BY trigger",
    "SELECT course_code, COUNT(*) FROM training_event WHERE deleted = 0 AND start_date >= :s "
    "AND start_date < :e GROUP BY course_code",
    "SELECT te.course_code, SUM(tp.completed), COUNT(*) FROM training_participant tp JOIN "
    "training_event te ON te.id = tp.event_id WHERE tp.deleted = 0 AND te.start_date >= :s "
    "AND te.start_date < :e GROUP BY te.course_code",
    "SELECT purpose, currency, COUNT(*), SUM(amount) FROM loan WHERE deleted = 0 "
    "AND disbursed_on >= :s AND disbursed_on < :e GROUP BY purpose, currency",
    "SELECT l.currency, SUM(e.principal) FROM fund_entry e JOIN loan l ON l.id = e.loan_id "
    "WHERE e.deleted = 0 AND e.value_date < :e GROUP BY l.currency",
]

EXPORT_OURS = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from desktop_app.store.access import open_session
from desktop_app.reports.exports import export_person_list
session = open_session({db!r})
t = time.perf_counter()
n = export_person_list(session, "xlsx", {out!r})
print(json.dumps(dict(rows=n, seconds=time.perf_counter() - t,
                      rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""

EXPORT_PLAIN = """
import json, resource, sqlite3, sys, time
import xlsxwriter
sys.path.insert(0, {root!r})
from desktop_app.reports.exports import PERSON_COLUMNS
conn = sqlite3.connect({db!r})
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
print(json.dumps(dict(rows=n, seconds=time.perf_counter() - t,
                      rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def _subprocess(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(ctx) -> list[Result]:
    from desktop_app.reports.builder import ReportRequest, build_report, table_names
    from desktop_app.reports.periods import current_period
    from desktop_app.store.access import open_database

    db = ctx.demo_db()
    conn = open_database(db, migrate=False)
    period = current_period("quarter", date.today())
    tables = table_names(conn)
    params = {"s": period.start.isoformat(), "e": period.end_exclusive.isoformat()}
    queries = [q for q in BARE_SQL if _tables_ok(q, tables)]
    started = time.perf_counter()
    for sql in queries:
        conn.execute(sql, params).fetchall()
    bare = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(conn, ReportRequest(period))
    ours = time.perf_counter() - started
    available = sum(1 for r in report.results if r.available)
    conn.close()
    results = [Result(f"quarterly report, {available} indicators ({period.code})", ours, "s",
                      f"{len(queries)} bare SQL aggregates", bare)]

    workdir = Path(ctx.workdir)
    ours_x = _subprocess(EXPORT_OURS.format(root=str(ROOT), db=str(db),
                                            out=str(workdir / "people.xlsx")))
    plain_x = _subprocess(EXPORT_PLAIN.format(root=str(ROOT), db=str(db),
                                              out=str(workdir / "plain.xlsx")))
    rows = ours_x["rows"]
    results.append(Result(f"person-level XLSX, {rows:,} rows: peak RSS", ours_x["rss_mb"], "MB",
                          "plain xlsxwriter", plain_x["rss_mb"], "bounded (flat in rows)"))
    results.append(Result(f"person-level XLSX, {rows:,} rows: time", ours_x["seconds"], "s",
                          "plain xlsxwriter", plain_x["seconds"]))
    return results


def _tables_ok(sql: str, tables) -> bool:
    import re
    names = re.findall(r"(?:FROM|JOIN)\s+(\w+)", sql)
    return all(n in tables for n in names)
