"""The records behind one number of a report (drill-down): their ids, with the
``view_person_list`` permission on every office the request covers, each drill-down
audited; and a one-line description of each record for the list shown."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.reports.engine import (
    make_query,
    office_ids_for,
    prepare_source,
    selected_indicators,
    table_names,
)
from desktop_app.reports.indicators.base import UNKNOWN, available, known
from desktop_app.reports.model import ReportError, ReportRequest

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def require_person_list(session, request: ReportRequest | None) -> None:
    """Whether the user may see the people (names) behind figures of every office the
    request covers (all offices when it names none): ``view_person_list`` on person rows
    of each office, so an office-scoped role must choose its own office."""
    conn = session.conn
    office_ids = office_ids_for(conn, request.offices) if request is not None else None
    if office_ids is None:
        office_ids = [r[0] for r in conn.execute("SELECT id FROM office WHERE deleted = 0")]
    session.require("view_person_list", "person")
    for office_id in office_ids:
        session.require("view_person_list", "person", {"office_id": office_id})


def drill_down(session, request: ReportRequest, code: str, dimension: str | None = None,
               bucket: str | None = None, currency: str | None = None) -> list[str]:
    """The ids of the records behind one number (a total, or one bucket of a
    disaggregation). Needs ``view_person_list``; every drill-down is audited."""
    conn = session.conn
    require_person_list(session, request)
    indicator = selected_indicators(ReportRequest(request.period, indicators=[code]))[0]
    q = make_query(conn, request)
    if not available(indicator, q.tables):
        return []
    if indicator.source.units is not None:
        if dimension is not None and dimension not in indicator.disaggregations:
            raise ReportError(_("This indicator cannot be broken down by {dimension}.")
                              .format(dimension=dimension))
        ids = [u.id for u in indicator.source.units(conn, q)
               if (dimension is None or (u.dims.get(dimension) or UNKNOWN) == bucket)
               and (currency is None or (u.currency or UNKNOWN) == currency)]
        _log_drill(session, indicator, request, dimension, bucket, currency, ids)
        return ids
    prepare_source(conn, q, indicator)
    src = indicator.source.build(q)
    sql = f"SELECT {src.unit} {src.rows}"
    params: list = []
    if dimension is not None:
        if dimension not in src.dims:
            raise ReportError(_("This indicator cannot be broken down by {dimension}.")
                              .format(dimension=dimension))
        sql += f" AND ({src.dims[dimension]}) = ?"
        params.append(bucket)
    if currency is not None and "currency" in src.columns:
        sql += f" AND {known(src.columns['currency'])} = ?"
        params.append(currency)
    ids = [r[0] for r in conn.execute(sql, params)]
    _log_drill(session, indicator, request, dimension, bucket, currency, ids)
    return ids


def _log_drill(session, indicator, request, dimension, bucket, currency, ids) -> None:
    session.log("drill_down", indicator.source.unit_table, None, detail={
        "indicator": indicator.code, "period": request.period.code,
        "offices": request.offices, "dimension": dimension, "bucket": bucket,
        "currency": currency, "count": len(ids)})


# ---- what the records behind a number are (for the drill-down list) --------------------
def describe_records(conn, unit_table: str, ids: list[str],
                     limit: int = 1000) -> list[tuple[str, str]]:
    """(id, one line) per record, in the order given; at most ``limit``."""
    ids = ids[:limit]
    if not ids:
        return []
    queries = {
        "person": "SELECT id, family_name || ' ' || given_name || COALESCE(' ' || patronymic, '')"
                  " || COALESCE(' \u00b7 ' || birth_date, '') FROM person WHERE id IN ({})",
        "hotline_case": "SELECT id, number || ' \u00b7 ' || opened_on || ' \u00b7 ' || category "
                        "FROM hotline_case WHERE id IN ({})",
        "inspection": "SELECT id, number || ' \u00b7 ' || inspected_on FROM inspection "
                      "WHERE id IN ({})",
        "inspection_violation": "SELECT v.id, i.number || ' \u00b7 ' || i.inspected_on || "
                                "' \u00b7 ' || v.violation FROM inspection_violation v "
                                "JOIN inspection i ON i.id = v.inspection_id WHERE v.id IN ({})",
        "inspection_sanction": "SELECT s.id, i.number || ' \u00b7 ' || i.inspected_on || "
                               "' \u00b7 ' || s.sanction FROM inspection_sanction s "
                               "JOIN inspection i ON i.id = s.inspection_id WHERE s.id IN ({})",
        "training_event": "SELECT id, course_code || COALESCE(' \u00b7 ' || start_date, '') || "
                          "COALESCE(' \u00b7 ' || title, '') FROM training_event WHERE id IN ({})",
        "training_participant": "SELECT tp.id, p.family_name || ' ' || p.given_name || "
                                "' \u00b7 ' || te.course_code FROM training_participant tp "
                                "LEFT JOIN person p ON p.id = tp.person_id LEFT JOIN "
                                "training_event te ON te.id = tp.event_id WHERE tp.id IN ({})",
    }
    sql = queries.get(unit_table)
    found: dict[str, str] = {}
    if sql and unit_table in table_names(conn):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            try:
                found.update(conn.execute(sql.format(",".join("?" * len(chunk))), chunk))
            except Exception:  # a schema without these columns: show ids
                break
    return [(i, found.get(i) or i) for i in ids]
