"""What the home page shows, computed without Qt (run it off the UI thread).

Key figures for the user's scope (their office; every office for coordinators and
administrators), monthly series for the charts, overdue case follow-ups and, on a
coordinator's database, the last bundle received from each office.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from desktop_app.i18n import Domain, current_language, format_number
from desktop_app.reports.builder import unresolved_duplicates
from desktop_app.reports.engine import _percent as percent
from desktop_app.reports.engine import compute_all, from_minor, make_query, table_names
from desktop_app.reports.indicators.base import Query, Unit, lit
from desktop_app.reports.indicators.catalogue import CATALOGUE
from desktop_app.reports.indicators.people import prepare_reach, reach_events
from desktop_app.reports.labels import Labels
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.outputs import value_text
from desktop_app.reports.periods import (
    Period,
    month_period,
    office_time_zone,
    office_today,
    utc_midnight,
    year_period,
)

DOMAIN = Domain("reports")
_ = DOMAIN.gettext
pgettext = DOMAIN.pgettext

WIDE_ROLES = ("coordinator", "administrator")
SILENT_DAYS = 14


@dataclass
class Figure:
    code: str
    title: str
    value: int | Decimal | None
    text: str = ""     # preformatted (money per currency, percentages)
    when: str = ""     # translated: "this year", "this month", "today"


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
    # currency -> per month
    loans_outstanding: dict[str, list[Decimal]] = field(default_factory=dict)
    par30: dict[str, list[Decimal | None]] = field(default_factory=dict)  # currency -> % per month
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


def _query(conn, period: Period, offices, cache: dict | None = None) -> Query:
    """The report query of one period; ``cache`` seeds its per-run cache (e.g. the loan
    portfolio's units already computed)."""
    q = make_query(conn, ReportRequest(period, offices=offices))
    q.cache.update(cache or {})
    return q


def _values(conn, q: Query, labels, plans) -> dict:
    """Results of several indicators over one query's period (one run: shared families)."""
    chosen = [(CATALOGUE[code], list(dims)) for code, dims in plans
              if code in CATALOGUE]
    return {r.indicator.code: r for r in compute_all(conn, q, chosen, labels) if r.available}


FIGURES = (("people_on_register", "year", "now"), ("people_reached", "year", "year"),
           ("cases_opened", "month", "month"), ("cases_open", "year", "now"),
           ("trainees", "year", "year"), ("loans_outstanding", "year", "now"),
           ("loans_par30", "year", "now"))


def _figures(results: dict, language: str, counted: dict[str, Figure] | None = None
             ) -> list[Figure]:
    """The figure cards, in ``FIGURES`` order, from the results per period key and the
    cards ``counted`` directly (people counts)."""
    when = {"year": _("this year"), "month": _("this month"), "now": pgettext("as of", "today")}
    figures = []
    for code, key, note in FIGURES:
        if counted and code in counted:
            figures.append(counted[code])
            continue
        result = results[key].get(code)
        if result is None:
            continue
        totals = result.totals
        text = "; ".join(value_text(result, t, language) for t in totals) or "0"
        value = totals[0].value if len(totals) == 1 else None
        figures.append(Figure(code, result.indicator.title(), value, text, when[note]))
    return figures


def _count_figure(code: str, count: int, language: str, note: str) -> Figure:
    """A count card as ``_figures`` writes it from the indicator's result."""
    return Figure(code, CATALOGUE[code].title(), count, format_number(count, language), note)


def _last_months(today: date, months: int) -> list[Period]:
    """The last ``months`` calendar months, this one included, oldest first."""
    series: list[Period] = []
    cursor = date(today.year, today.month, 1)
    for _n in range(months):
        series.insert(0, month_period(cursor.year, cursor.month))
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    return series


def _balances_by_date(conn, dates: list[date], office_ids) -> list[dict] | None:
    """Principal outstanding per currency on each date, from one SQL pass over the loans
    (``store.loans.queries.open_balances_at``) for the dates not kept from an earlier open
    (``store.loans.balance_cache``: normally today alone); None without the loans schema."""
    if not {"loan", "fund_entry", "loan_schedule", "loan_instalment"} <= table_names(conn):
        return None
    from desktop_app.store.loans import balance_cache  # deferred: ~190 ms (write path)
    return balance_cache.open_balances_kept(conn, dates, office_ids)


def _par30_by_month(balances: list[dict]) -> dict[str, list[Decimal | None]]:
    """PAR30 per currency at the end of each month: outstanding principal of the loans more
    than 30 days late over all outstanding principal, in percent (the loans_par30
    indicator's total at each month end)."""
    par30: dict[str, list[Decimal | None]] = {}
    for n, by_currency in enumerate(balances):
        for currency, b in by_currency.items():
            if b.scheduled > 0:
                par30.setdefault(currency, [None] * len(balances))[n] = percent(
                    from_minor(b.late_over_30, currency), from_minor(b.scheduled, currency))
    return par30


def _outstanding_by_month(balances: list[dict]) -> dict[str, list[Decimal]]:
    """Principal outstanding at the end of each month, per currency (each loan's ledger
    balance counted when positive, as store.loans.queries.portfolio does)."""
    totals: dict[str, list[int]] = {}
    for n, by_currency in enumerate(balances):
        for currency, b in by_currency.items():
            totals.setdefault(currency, [0] * len(balances))[n] += b.outstanding
    return {cur: [from_minor(v, cur) for v in values] for cur, values in totals.items()
            if any(values)}


def _portfolio_units(by_currency: dict) -> list[Unit]:
    """Units that give the loans_outstanding and loans_par30 totals (no disaggregation) of
    ``loan_rows``' loans with principal outstanding: one per currency, the sums of its
    loans (the engine only adds units' amounts, numerators and denominators up)."""
    return [Unit(currency, {}, b.scheduled, currency, {"par30": b.late_over_30 > 0},
                 numerator=b.late_over_30, denominator=b.scheduled)
            for currency, b in sorted(by_currency.items()) if b.scheduled > 0]


def _periods(today: date) -> dict[str, Period]:
    year = year_period(today.year)
    return {"year": Period(year.start, today, "custom", f"{year.start}..{today}"),
            "month": Period(date(today.year, today.month, 1), today, "custom", "month-to-date")}


# The figure cards whose cost does not grow with the register: index ranges and small
# tables (the Home page shows them first, then everything; see first_figures).
FIRST = ("people_on_register", "cases_opened", "cases_open", "trainees")

# cards counted by SQLite (``_counted``) rather than by the report's passes: the people
# cards over the register's indexes, the case cards over their indicator's rows
ROW_COUNTED = ("cases_opened", "cases_open")
COUNTED = ("people_on_register", "people_reached") + ROW_COUNTED


# A survivor counted by SQLite: living (deleted = 0), merged into nobody (NULL or '').
# Over every office (or an office scope that holds the whole register), the two kinds
# are read by registration stamp from their own partial indexes (person_list_created,
# person_blank_merged: migration 0087); in another office scope, from the covering
# report_person index.
_SURVIVOR_KINDS = (("person_list_created", "merged_into IS NULL"),
                   ("person_blank_merged", "merged_into = ''"))


def _by_stamp(conn, office_ids, districts) -> bool:
    """Whether the people counts read the stamp indexes (no district, both indexes
    present; every office, or an office scope that holds every person of the register:
    an office's own database) rather than report_person."""
    if districts or not {name for name, _kind in _SURVIVOR_KINDS} <= _index_names(conn):
        return False
    return not office_ids or _holds_everyone(conn, office_ids)


def _holds_everyone(conn, office_ids) -> bool:
    """Whether every person (deleted and merged ones too) belongs to one of ``office_ids``:
    then a count in that scope is the count over every office. Index seeks in
    person_office around the scope's ids (none outside them, no NULL office)."""
    if "person_office" not in _index_names(conn):
        return False
    ids = sorted(set(office_ids))
    outside = ["office_id IS NULL", f"office_id < {lit(ids[0])}", f"office_id > {lit(ids[-1])}"]
    outside += [f"office_id > {lit(a)} AND office_id < {lit(b)}" for a, b in pairwise(ids)]
    return not any(conn.execute(f"SELECT 1 FROM person INDEXED BY person_office WHERE {where} "
                                f"LIMIT 1").fetchone() for where in outside)


def _count_survivors(conn, stamp: str, office_ids, districts=None) -> int:
    """Survivors in the office scope whose registration ``stamp`` (an SQL condition on
    ``created_at``) holds."""
    if _by_stamp(conn, office_ids, districts):
        return sum(conn.execute(f"SELECT count(*) FROM person INDEXED BY {index} "
                                f"WHERE deleted = 0 AND {kind} AND {stamp}").fetchone()[0]
                   for index, kind in _SURVIVOR_KINDS)
    scope = f"AND office_id IN ({', '.join(lit(o) for o in office_ids)})" if office_ids else ""
    if districts:
        scope += f" AND district IN ({', '.join(lit(d) for d in districts)})"
    return conn.execute(
        "SELECT count(*) FROM person INDEXED BY report_person WHERE deleted = 0 "
        f"AND COALESCE(merged_into, '') = '' AND {stamp} {scope}").fetchone()[0]


def _on_register(conn, today: date, office_ids) -> int:
    """People on the register today: the people_on_register indicator's rows (surviving
    identities registered by today, in the office scope) counted by SQLite over an
    index instead of the report's per-row pass."""
    # registrations are UTC stamps: the day ends at the office's local midnight, as in the
    # report's own periods (reports.periods)
    end = utc_midnight(today + timedelta(days=1), office_time_zone(conn, office_ids))
    return _count_survivors(conn, f"created_at < {lit(end)}", office_ids)


def _reached(conn, q: Query, probe: bool | None = None) -> int:
    """People reached in ``q``'s period: the people_reached indicator's rows (surviving
    identities registered in the period in the office scope, or reached by another
    contact) counted by SQLite: the registrations over an index, instead of the report's
    per-row pass over the register, plus the survivors they leave out that another
    contact of the period reached.

    Those are found from the smaller side: the period's contacts (``rpt_reach``, as the
    report fills it, each joined to its person) or, when fewer, the survivors the
    registrations leave out, each looked up in the contacts by person
    (``_reached_outside``). ``probe`` forces one side (tests)."""
    own = _count_survivors(conn, q.within_instant("created_at"), q.office_ids, q.districts)
    if probe is None:
        probe = _outside_fewer(conn, q)
    if probe:
        return own + _reached_outside(conn, q)
    prepare_reach(conn, q)
    survivor = (f"p.deleted = 0 AND COALESCE(p.merged_into, '') = '' "
                f"AND {q.district_in('p.district')}")
    registered = f"{q.within_instant('p.created_at')} AND {q.offices('p.office_id')}"
    # reached by another contact and not counted above (a NULL office is not in scope)
    other = conn.execute(f"SELECT count(*) FROM temp.rpt_reach rr JOIN person p INDEXED BY "
                         f"report_person ON p.id = rr.pid WHERE {survivor} "
                         f"AND COALESCE(({registered}), 0) = 0").fetchone()[0]
    return own + other


def _outside_sql(conn, q: Query) -> str:
    """SELECT of the ids of the survivors the registrations of ``q``'s period in its
    scope leave out: over every office, the ranges of registration stamps before and
    after the period (``created_at`` is NOT NULL) of each kind of survivor."""
    if _by_stamp(conn, q.office_ids, q.districts):
        stamps = (f"created_at < {q.instant_start}", f"created_at >= {q.instant_end}")
        return " UNION ALL ".join(
            f"SELECT id FROM person INDEXED BY {index} WHERE deleted = 0 AND {kind} "
            f"AND {stamp}" for index, kind in _SURVIVOR_KINDS for stamp in stamps)
    return (f"SELECT id FROM person INDEXED BY report_person WHERE deleted = 0 "
            f"AND COALESCE(merged_into, '') = '' AND {q.district_in('district')} "
            f"AND NOT COALESCE(({q.within_instant('created_at')} "
            f"AND {q.offices('office_id')}), 0)")


# so few survivors left out that looking each up costs less than estimating the contacts
FEW_OUTSIDE = 1000


def _outside_fewer(conn, q: Query) -> bool:
    """Whether the survivors the period's registrations leave out are fewer than the
    period's contacts (at 100,000 people: about 4 µs a survivor, a look-up per kind of
    contact; 9 µs a contact, kept in ``rpt_reach`` and joined to its person). The
    survivors are counted only as far as needed: up to ``FEW_OUTSIDE`` (fewer: looked
    up), then up to the contacts, estimated over their date indexes (every office, the
    period's dates widened to its instants)."""
    outside = _outside_count(conn, q, FEW_OUTSIDE + 1)
    if outside <= FEW_OUTSIDE:
        return True
    union = " UNION ALL ".join(reach_events(q))
    low, high = min(q.start, q.instant_start), max(q.end, q.instant_end)
    contacts = conn.execute(f"SELECT count(*) FROM ({union}) ev WHERE ev.at >= {low} "
                            f"AND ev.at < {high}").fetchone()[0]
    return _outside_count(conn, q, contacts + 1) <= contacts


def _outside_count(conn, q: Query, limit: int) -> int:
    """How many survivors the period's registrations leave out, counted up to ``limit``."""
    return conn.execute(f"SELECT count(*) FROM ({_outside_sql(conn, q)} LIMIT {limit})"
                        ).fetchone()[0]


def _reached_outside(conn, q: Query) -> int:
    """Survivors the registrations of ``q``'s period in its scope leave out, reached by
    another contact of the period in scope (what ``rpt_reach`` holds of them): their ids
    and those of the duplicates merged into them (``rpt_root``), each looked up in the
    contacts by person."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS home_outside(pid TEXT PRIMARY KEY, "
                 "root TEXT NOT NULL)")
    conn.execute("DELETE FROM temp.home_outside")
    conn.execute(f"INSERT OR IGNORE INTO temp.home_outside(pid, root) "
                 f"SELECT id, id FROM ({_outside_sql(conn, q)})")
    conn.execute("INSERT OR IGNORE INTO temp.home_outside(pid, root) SELECT r.id, r.root "
                 "FROM temp.rpt_root r WHERE r.root IN (SELECT pid FROM temp.home_outside)")
    selects = reach_events(q)
    ctes = ", ".join(f"ev{n}(pid, office_id, at) AS ({select})"
                     for n, select in enumerate(selects))
    found = " UNION ALL ".join(
        f"SELECT h.root FROM temp.home_outside h CROSS JOIN ev{n} ev ON ev.pid = h.pid "
        f"WHERE {q.within_day_or_instant('ev.at')} AND {q.offices('ev.office_id')}"
        for n in range(len(selects)))
    reached = conn.execute(f"WITH {ctes} SELECT count(DISTINCT root) FROM ({found})"
                           ).fetchone()[0]
    conn.execute("DELETE FROM temp.home_outside")
    return reached


def _rows_counted(conn, q: Query, code: str) -> int:
    """How many rows the indicator ``code`` (a count over one row per unit, as the
    engine counts them) has in ``q``: SQLite's count over the indicator's own rows (its
    family's base and its condition), not the family's grouped pass (which reads every
    case opened by the period's end for every kind of case figure)."""
    return conn.execute(f"SELECT count(*) {CATALOGUE[code].source.build(q).rows}").fetchone()[0]


def _counted(conn, today: date, office_ids, queries: dict[str, Query], language: str,
             codes: tuple[str, ...]) -> dict[str, Figure]:
    """The cards of ``codes`` counted by SQLite: the people cards over the register's
    indexes (none when the covering index is missing: then the report's pass computes
    them), the case cards over their indicator's rows."""
    when = {"year": _("this year"), "month": _("this month"),
            "now": pgettext("as of", "today")}
    people = "report_person" in _index_names(conn)
    counted = {}
    for code, key, note in FIGURES:
        if code not in codes or code not in CATALOGUE:
            continue
        q = queries[key]
        if code == "people_on_register" and people:
            count = _on_register(conn, today, office_ids)
        elif code == "people_reached" and people:
            count = _reached(conn, q)
        elif code in ROW_COUNTED and q.has(*CATALOGUE[code].source.requires):
            count = _rows_counted(conn, q, code)
        else:
            continue
        counted[code] = _count_figure(code, count, language, when[note])
    return counted


def first_figures(conn, actor=None, today: date | None = None,
                  language: str | None = None) -> DashboardData:
    """The cheap figure cards of ``FIRST`` (the same values as in ``dashboard_data``),
    for the Home page to show while the rest is computed."""
    language = language or current_language()
    office_ids = scope_for(actor)
    today = today or office_today(conn, office_ids)
    offices = _office_codes(conn, office_ids)
    labels = Labels(conn, language)
    data = DashboardData(office_ids)
    queries = {key: _query(conn, period, offices) for key, period in _periods(today).items()}
    counted = _counted(conn, today, office_ids, queries, language, FIRST)
    results = {}
    for key, q in queries.items():
        plans = [(code, ("sex",) if code == "trainees" else ())
                 for code, p, _note in FIGURES if p == key and code in FIRST
                 and code not in counted]
        results[key] = _values(conn, q, labels, plans)
    data.figures = _figures(results, language, counted)
    return data


def _index_names(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def dashboard_data(conn, actor=None, today: date | None = None, months: int = 12,
                   language: str | None = None) -> DashboardData:
    """The whole Home overview. Its cost follows the current year's activity and the loans
    open in the last months, not the whole history: the people cards are counts over the
    register's indexes, the case cards counts of their indicator's rows (``_counted``),
    the loan cards and both loan charts come from one SQL pass over the month ends and
    today (``open_balances_at``: no Python per loan and month; kept per date), the
    trainees card from the report engine."""
    language = language or current_language()
    office_ids = scope_for(actor)
    today = today or office_today(conn, office_ids)
    offices = _office_codes(conn, office_ids)
    labels = Labels(conn, language)
    data = DashboardData(office_ids)
    series = _last_months(today, months)
    # one portfolio pass: every month end of the charts and today (the figure cards)
    balances = _balances_by_date(conn, [m.end for m in series] + [today], office_ids)
    seed = None
    if balances is not None:
        seed = {("portfolio", "outstanding"): _portfolio_units(balances[-1])}
    periods = _periods(today)
    queries = {key: _query(conn, period, offices, seed) for key, period in periods.items()}
    counted = _counted(conn, today, office_ids, queries, language, COUNTED)
    results = {}
    for key, q in queries.items():
        plans = [(code, ("sex",) if code == "trainees" else ())
                 for code, p, _note in FIGURES if p == key and code not in counted]
        results[key] = _values(conn, q, labels, plans)
    data.figures = _figures(results, language, counted)
    trainees = results["year"].get("trainees")
    if trainees and trainees.tables:
        data.trainees_by_sex = {r.label: r.value for r in trainees.tables[0].rows}
    data.months = [m.code for m in series]
    tables = table_names(conn)
    span = Period(series[0].start, series[-1].end, "custom", data.months[0])
    if "cases_opened" in CATALOGUE and "hotline_case" in tables:
        data.cases_by_category = cases_by_month(conn, span, offices, labels, data.months)
    if "loans_outstanding" in CATALOGUE and balances is not None:
        data.loans_outstanding = _outstanding_by_month(balances[:-1])
    if "loans_par30" in CATALOGUE and balances is not None:
        data.par30 = _par30_by_month(balances[:-1])
    data.overdue_followups = overdue_followups(conn, office_ids, today)
    data.has_sync = "sync_bundle_log" in tables
    if actor is None or actor.role in WIDE_ROLES:
        data.office_sync = office_sync(conn, today)
    data.duplicates_unresolved = unresolved_duplicates(conn)
    return data


def cases_by_month(conn, span: Period, offices, labels, months: list[str]) -> dict[str, list[int]]:
    """Cases opened per category label and month over ``span``: one grouped query over the
    rows of the cases_opened indicator (same merges, tombstones and scope)."""
    indicator = CATALOGUE["cases_opened"]
    q = make_query(conn, ReportRequest(span, offices=offices))
    src = indicator.source.build(q)
    out: dict[str, list[int]] = {}
    for month, category, count in conn.execute(
            f"SELECT substr(c.opened_on, 1, 7), {src.dims['category']}, COUNT(*) {src.rows} "
            f"GROUP BY 1, 2"):
        if month in months:
            label = labels.label("category", category)
            out.setdefault(label, [0] * len(months))[months.index(month)] += count
    return out


def overdue_followups(conn, office_ids, today: date, limit: int = 50) -> list[dict]:
    """Open follow-ups of cases past their due date, oldest first (needs the cases schema)."""
    tables = table_names(conn)
    if not {"case_followup", "hotline_case"} <= tables:
        return []
    scope = ""
    if office_ids:
        scope = f"AND c.office_id IN ({', '.join(lit(o) for o in office_ids)})"
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
