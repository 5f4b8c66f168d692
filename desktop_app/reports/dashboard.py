"""What the home page shows, computed without Qt (run it off the UI thread).

Key figures for the user's scope (their office; every office for coordinators and
administrators), monthly series for the charts, overdue case follow-ups and, on a
coordinator's database, the last bundle received from each office.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from desktop_app.i18n import current_language
from desktop_app.reports import indicators as ind
from desktop_app.reports.builder import (ReportRequest, compute, make_query, table_names,
                                         unresolved_duplicates)
from desktop_app.reports.labels import Labels
from desktop_app.reports.periods import Period, month_period, year_period

WIDE_ROLES = ("coordinator", "administrator")
SILENT_DAYS = 14


@dataclass
class Figure:
    code: str
    title: str
    value: int | Decimal | None
    text: str = ""     # preformatted (money per currency, percentages)


@dataclass
class OfficeSync:
    office_code: str
    office_name: str
    last_in: str | None          # ISO timestamp of the last bundle received, or None
    days_silent: int | None

    @property
    def silent(self) -> bool:
        return self.days_silent is None or self.days_silent > SILENT_DAYS


@dataclass
class DashboardData:
    scope_office_ids: list[str] | None
    figures: list[Figure] = field(default_factory=list)
    months: list[str] = field(default_factory=list)                 # "2026-07" ...
    cases_by_category: dict[str, list[int]] = field(default_factory=dict)  # label -> per month
    trainees_by_sex: dict[str, int] = field(default_factory=dict)   # label -> count
    loans_outstanding: dict[str, list[Decimal]] = field(default_factory=dict)  # currency -> per month
    par30: dict[str, list[Decimal | None]] = field(default_factory=dict)       # currency -> % per month
    overdue_followups: list[dict] = field(default_factory=list)
    office_sync: list[OfficeSync] = field(default_factory=list)
    duplicates_unresolved: int = 0
    has_sync: bool = False


def scope_for(actor) -> list[str] | None:
    """Office ids the user's dashboard covers (None: every office)."""
    if actor is None or actor.role in WIDE_ROLES or not actor.office_id:
        return None
    return [actor.office_id]


def _office_codes(conn, office_ids):
    if not office_ids:
        return None
    marks = ",".join("?" * len(office_ids))
    return [r[0] for r in conn.execute(f"SELECT code FROM office WHERE id IN ({marks})",
                                       office_ids)]


def _value(conn, code: str, period: Period, offices, labels, dims=()):
    indicator = ind.CATALOGUE.get(code)
    if indicator is None:
        return None
    q = make_query(conn, ReportRequest(period, offices=offices))
    result = compute(conn, q, indicator, dims, labels)
    return result if result.available else None


def dashboard_data(conn, actor=None, today: date | None = None, months: int = 12,
                   language: str | None = None) -> DashboardData:
    from desktop_app.reports.outputs import value_text
    today = today or date.today()
    language = language or current_language()
    office_ids = scope_for(actor)
    offices = _office_codes(conn, office_ids)
    labels = Labels(conn, language)
    data = DashboardData(office_ids)
    year = year_period(today.year)
    this_year = Period(year.start, today, "custom", f"{year.start}..{today}")
    this_month = Period(date(today.year, today.month, 1), today, "custom", "month-to-date")
    for code, period in (("people_on_register", this_year), ("people_reached", this_year),
                         ("cases_opened", this_month), ("cases_open", this_year),
                         ("trainees", this_year), ("loans_outstanding", this_year),
                         ("loans_par30", this_year)):
        result = _value(conn, code, period, offices, labels)
        if result is None:
            continue
        totals = result.totals
        text = "; ".join(value_text(result, t, language) for t in totals) or "0"
        value = totals[0].value if len(totals) == 1 else None
        data.figures.append(Figure(code, result.indicator.title(), value, text))
    # monthly series (the last ``months`` calendar months, this one included)
    series: list[Period] = []
    cursor = date(today.year, today.month, 1)
    for _n in range(months):
        series.insert(0, month_period(cursor.year, cursor.month))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    data.months = [m.code for m in series]
    tables = table_names(conn)
    if "hotline_case" in tables:
        for n, month in enumerate(series):
            result = _value(conn, "cases_opened", month, offices, labels, ("category",))
            for row in result.tables[0].rows if result and result.tables else ():
                data.cases_by_category.setdefault(row.label, [0] * len(series))[n] = row.value
    result = _value(conn, "trainees", this_year, offices, labels, ("sex",))
    if result and result.tables:
        data.trainees_by_sex = {r.label: r.value for r in result.tables[0].rows}
    for code, target in (("loans_outstanding", data.loans_outstanding),
                         ("loans_par30", data.par30)):
        if code not in ind.CATALOGUE:
            continue
        for n, month in enumerate(series):
            as_of = Period(series[0].start, month.end, "custom", month.code)
            result = _value(conn, code, as_of, offices, labels)
            for row in result.totals if result else ():
                if row.currency:
                    target.setdefault(row.currency, [None] * len(series))[n] = row.value
    data.overdue_followups = overdue_followups(conn, office_ids, today)
    data.has_sync = "sync_bundle_log" in tables
    if actor is None or actor.role in WIDE_ROLES:
        data.office_sync = office_sync(conn, today)
    data.duplicates_unresolved = unresolved_duplicates(conn)
    return data


def overdue_followups(conn, office_ids, today: date, limit: int = 50) -> list[dict]:
    """Open follow-ups of cases past their due date, oldest first (needs the cases schema)."""
    tables = table_names(conn)
    if not {"case_followup", "hotline_case"} <= tables:
        return []
    scope = ""
    if office_ids:
        scope = f"AND c.office_id IN ({', '.join(ind.lit(o) for o in office_ids)})"
    rows = conn.execute(
        "SELECT f.case_id, c.number, f.action, f.due_on, f.assigned_to FROM case_followup f "
        "JOIN hotline_case c ON c.id = f.case_id AND c.deleted = 0 "
        "WHERE f.deleted = 0 AND f.done_on IS NULL AND f.due_on < ? "
        f"{scope} ORDER BY f.due_on LIMIT ?", (today.isoformat(), limit))
    return [dict(case_id=r[0], number=r[1], action=r[2], due_on=r[3], assigned_to=r[4])
            for r in rows]


def office_sync(conn, today: date) -> list[OfficeSync]:
    """Each other office and when its last bundle arrived (sync bookkeeping, when present)."""
    tables = table_names(conn)
    offices = conn.execute(
        "SELECT id, code, name FROM office WHERE deleted = 0 AND id != "
        "COALESCE((SELECT value FROM meta WHERE key = 'office_id'), '') ORDER BY code").fetchall()
    last: dict[str, str] = {}
    if "sync_bundle_log" in tables:
        for office, at in conn.execute(
                "SELECT peer_office, MAX(at) FROM sync_bundle_log WHERE direction = 'in' "
                "AND result = 'ok' GROUP BY peer_office"):
            if office:
                last[office] = max(at, last.get(office, ""))
    if "sync_peer" in tables:
        for office_id, code, at in conn.execute(
                "SELECT office_id, office_code, MAX(last_in_at) FROM sync_peer "
                "GROUP BY office_id, office_code"):
            for key in (office_id, code):
                if key and at:
                    last[key] = max(at, last.get(key, ""))
    result = []
    for office_id, code, name in offices:
        at = last.get(office_id) or last.get(code)
        days = (today - date.fromisoformat(at[:10])).days if at else None
        result.append(OfficeSync(code, name, at, days))
    return result
