"""Building a report: period + scope + indicators + disaggregations -> result tables.

    request = ReportRequest(parse_period("2026-Q3"), offices=["GRM"])   # reports.model
    report = build_report(conn, request)
    ids = drill_down(session, request, "people_reached", "sex", "female")   # reports.drilldown

Aggregate results carry no names or identifiers; ``drill_down`` returns the record ids
behind one number and needs the ``view_person_list`` permission (audited).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from desktop_app.i18n import current_language
from desktop_app.reports.engine import (
    compute_all,
    dimensions_for,
    make_query,
    selected_indicators,
    table_names,
)
from desktop_app.reports.indicators.base import Query
from desktop_app.reports.labels import Labels
from desktop_app.reports.model import Report, ReportRequest
from desktop_app.reports.parallel import compute_parallel, report_cache


def build_report(conn, request: ReportRequest, *, language: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 connect: Callable[[], object] | None = None) -> Report:
    """The report asked. With ``connect`` (opens another connection to the same database,
    e.g. ``ctx.connection_factory``), the people indicators are computed on a connection
    of their own in a second thread while the others run on ``conn`` (see
    compute_parallel); without it, or when that is not possible, one after the other."""
    language = language or current_language()
    q = make_query(conn, request)
    labels = Labels(conn, language, q.age_bands)
    chosen = selected_indicators(request)
    plans = [(i, dimensions_for(i, request)) for i in chosen]
    with report_cache(conn):
        if connect is not None:
            results = compute_parallel(conn, connect, q, plans, labels, progress, cancelled)
        else:
            results = compute_all(conn, q, plans, labels, progress, cancelled)
    scope = [labels.label("office", oid) for oid in (q.office_ids or [])]
    districts = [labels.label("district", d) for d in (q.districts or [])]
    return Report(request, results, unresolved_duplicates(conn, q), utc_stamp(), language,
                  scope, districts, q.time_zone)


def utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- duplicates still to review -------------------------------------------------------
def unresolved_duplicates(conn, q: Query | None = None) -> int:
    """Open pairs in the sync duplicates queue whose two people still both count.

    Returns 0 when the queue table does not exist in this database (no sync yet)."""
    tables = q.tables if q is not None else table_names(conn)
    if "sync_duplicate" not in tables:
        return 0
    scope = ""
    if q is not None and q.office_ids:
        scope = f"AND ({q.offices('a.office_id')} OR {q.offices('b.office_id')})"
    return conn.execute(
        "SELECT COUNT(*) FROM sync_duplicate d "
        "JOIN person a ON a.id = d.person_a AND a.deleted = 0 AND COALESCE(a.merged_into, '') = '' "
        "JOIN person b ON b.id = d.person_b AND b.deleted = 0 AND COALESCE(b.merged_into, '') = '' "
        f"WHERE d.status = 'open' {scope}").fetchone()[0]
