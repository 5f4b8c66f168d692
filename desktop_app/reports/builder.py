"""The report builder: period + scope + indicators + disaggregations -> result tables.

    request = ReportRequest(parse_period("2026-Q3"), offices=["GRM"])
    report = build_report(conn, request)
    ids = drill_down(session, request, "people_reached", "sex", "female")

Aggregate results carry no names or identifiers; ``drill_down`` returns the record ids
behind one number and needs the ``view_person_list`` permission (audited).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable, Iterable

from desktop_app.i18n import _, current_language
from desktop_app.reports import indicators as ind
from desktop_app.reports.labels import Labels
from desktop_app.reports.periods import Period

PERCENT = Decimal("0.1")


class ReportError(Exception):
    """A report cannot be built as asked; the message is fit to show."""


class Cancelled(Exception):
    pass


@dataclass
class ReportRequest:
    period: Period
    offices: list[str] | None = None        # office codes; None = every office in the database
    districts: list[str] | None = None      # district codes
    indicators: list[str] | None = None     # indicator codes; None = every available one
    dimensions: list[str] | None = None     # None = each indicator's default disaggregations
    age_bands: tuple[int, ...] = ind.DEFAULT_AGE_BANDS


@dataclass
class Row:
    bucket: str
    label: str
    value: int | Decimal | None
    currency: str | None = None
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None


@dataclass
class Table:
    dimension: str
    rows: list[Row]

    def title(self) -> str:
        return _(ind.DIMENSIONS.get(self.dimension, self.dimension))


@dataclass
class IndicatorResult:
    indicator: ind.Indicator
    available: bool
    totals: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def adds_up(self) -> bool:
        """Whether every disaggregation sums to the total (counts, amounts per currency,
        numerators and denominators; for a median, the number of records)."""
        kind = self.indicator.measure.kind
        for table in self.tables:
            for total in self.totals:
                rows = [r for r in table.rows if r.currency == total.currency]
                if kind in ("count", "money"):
                    if sum((r.value or 0) for r in rows) != (total.value or 0):
                        return False
                else:
                    if sum(r.denominator or 0 for r in rows) != (total.denominator or 0):
                        return False
                    if kind == "ratio" and sum(r.numerator or 0 for r in rows) != (
                            total.numerator or 0):
                        return False
            currencies = {t.currency for t in self.totals}
            if any(r.currency not in currencies for r in table.rows):
                return False
        return True


@dataclass
class Report:
    request: ReportRequest
    results: list[IndicatorResult]
    duplicates_unresolved: int
    generated_at: str
    language: str
    scope: list[str]            # office labels, or empty for every office
    district_labels: list[str]

    def by_group(self) -> dict[str, list[IndicatorResult]]:
        groups: dict[str, list[IndicatorResult]] = {}
        for result in self.results:
            groups.setdefault(result.indicator.group, []).append(result)
        return groups

    def adds_up(self) -> bool:
        return all(r.adds_up() for r in self.results)


# ---- preparing a run ------------------------------------------------------------------
def table_names(conn) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"))


def prepare_roots(conn) -> None:
    """(Re)fill temp table ``rpt_root``: every merged person id -> its surviving identity."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_root(id TEXT PRIMARY KEY, root TEXT)")
    conn.execute("DELETE FROM temp.rpt_root")
    redirect = dict(conn.execute(
        "SELECT id, merged_into FROM person WHERE COALESCE(merged_into, '') != ''"))
    rows = []
    for pid in redirect:
        seen, cur = {pid}, redirect[pid]
        while cur in redirect and redirect[cur] not in seen:  # chains; a cycle stops
            seen.add(cur)
            cur = redirect[cur]
        rows.append((pid, cur))
    conn.executemany("INSERT INTO temp.rpt_root(id, root) VALUES (?, ?)", rows)


def ensure_destinations(conn, q: ind.Query) -> None:
    """(Re)fill temp table ``rpt_destination``: each surviving identity's destination
    country of its latest migration episode departed before the end of the period (episodes
    of merged duplicates count for the survivor)."""
    if q.destinations_ready:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_destination("
                 "pid TEXT PRIMARY KEY, country TEXT)")
    conn.execute("DELETE FROM temp.rpt_destination")
    conn.execute(
        "INSERT INTO temp.rpt_destination(pid, country) "
        "SELECT pid, destination_country FROM (SELECT COALESCE(r.root, e.person_id) AS pid, "
        "e.destination_country, ROW_NUMBER() OVER (PARTITION BY COALESCE(r.root, e.person_id) "
        "ORDER BY e.departure_date DESC, e.created_at DESC) AS n FROM migration_episode e "
        "LEFT JOIN rpt_root r ON r.id = e.person_id WHERE e.deleted = 0 "
        f"AND COALESCE(e.departure_date, '') < {q.end}) WHERE n = 1")
    q.destinations_ready = True


def office_ids_for(conn, codes: Iterable[str] | None) -> list[str] | None:
    if not codes:
        return None
    ids = []
    for code in codes:
        row = conn.execute("SELECT id FROM office WHERE code = ? AND deleted = 0",
                           (code.strip().upper(),)).fetchone()
        if row is None:
            raise ReportError(_("There is no office with the code {code} in this database.")
                              .format(code=code))
        ids.append(row[0])
    return ids


def make_query(conn, request: ReportRequest) -> ind.Query:
    bands = tuple(request.age_bands)
    if not bands or list(bands) != sorted(set(bands)) or bands[0] <= 0:
        raise ReportError(_("Age bands must be increasing ages above zero, e.g. 15,18,30,45."))
    prepare_roots(conn)
    return ind.Query(request.period, office_ids_for(conn, request.offices),
                     list(request.districts) if request.districts else None, bands,
                     table_names(conn))


# ---- computing one indicator -----------------------------------------------------------
def _from_minor(amount: int | None, currency: str | None) -> Decimal:
    from babel.numbers import get_currency_precision
    try:
        places = get_currency_precision(currency) if currency else 2
    except Exception:  # an unknown code: assume cents
        places = 2
    return Decimal(int(amount or 0)).scaleb(-places)


def _percent(num, den) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(PERCENT)


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    if len(values) % 2:
        return Decimal(values[mid])
    return (Decimal(values[mid - 1]) + Decimal(values[mid])) / 2


def _grouped(conn, indicator: ind.Indicator, src: ind.SourceSQL, exprs: list[str]):
    """One pass over the source grouped by every requested disaggregation at once:
    rows of (bucket tuple, currency, value-or-numerator, denominator). Money stays in
    integer minor units here; a median's value is the list of day counts."""
    m = indicator.measure
    fw = src.from_where
    keys = [f"{e} AS b{n}" for n, e in enumerate(exprs)]
    group = [f"b{n}" for n in range(len(exprs))]
    k = len(exprs)
    money = m.kind == "money" or (m.kind == "ratio" and m.money)
    if money:
        keys.append(f"{ind.known(src.columns['currency'])} AS cur")
        group.append("cur")
    select = ", ".join(keys)
    by = f" GROUP BY {', '.join(group)}" if group else ""
    if m.kind == "count":
        sql = f"SELECT {select + ', ' if select else ''}COUNT(*) {fw}{by}"
        return [(tuple(r[:k]), None, r[k], None) for r in conn.execute(sql)]
    if m.kind == "money":
        sql = f"SELECT {select}, SUM({src.columns['amount']}) {fw}{by}"
        return [(tuple(r[:k]), r[k], int(r[k + 1] or 0), None) for r in conn.execute(sql)]
    if m.kind == "ratio":
        num = src.columns.get(m.numerator, m.numerator)
        if m.money:
            amount = src.columns["amount"]
            sql = (f"SELECT {select}, SUM(CASE WHEN {num} THEN {amount} ELSE 0 END), "
                   f"SUM({amount}) {fw}{by}")
            return [(tuple(r[:k]), r[k], int(r[k + 1] or 0), int(r[k + 2] or 0))
                    for r in conn.execute(sql)]
        sql = (f"SELECT {select + ', ' if select else ''}SUM(CASE WHEN {num} THEN 1 ELSE 0 END),"
               f" COUNT(*) {fw}{by}")
        return [(tuple(r[:k]), None, r[k] or 0, r[k + 1]) for r in conn.execute(sql)]
    if m.kind == "median":
        days = src.columns["days"]
        values: dict[tuple, list[int]] = {}
        sql = f"SELECT {select + ', ' if select else ''}{days} {fw} AND {days} IS NOT NULL"
        for r in conn.execute(sql):
            values.setdefault(tuple(r[:k]), []).append(int(r[k]))
        return [(key, None, v, len(v)) for key, v in values.items()]
    raise ValueError(m.kind)


def _rollup(indicator: ind.Indicator, grouped, index: int | None):
    """(bucket, currency, a, b) rows of one disaggregation (``index`` into the bucket
    tuple; None for the total) with money converted to Decimal."""
    kind = indicator.measure.kind
    acc: dict[tuple, list] = {}
    for keys, currency, a, b in grouped:
        bucket = keys[index] if index is not None else ind.TOTAL
        slot = acc.setdefault((bucket, currency), [[] if kind == "median" else 0, 0])
        slot[0] += a
        slot[1] += b or 0
    out = []
    for (bucket, currency), (a, b) in acc.items():
        if kind == "money":
            out.append((bucket, currency, _from_minor(a, currency), None))
        elif kind == "ratio" and currency is not None:
            out.append((bucket, currency, _from_minor(a, currency), _from_minor(b, currency)))
        else:
            out.append((bucket, currency, a, b))
    return out


def _rows(indicator: ind.Indicator, raw, dimension: str | None, labels: Labels) -> list[Row]:
    kind = indicator.measure.kind
    rows = []
    for bucket, currency, a, b in raw:
        label = labels.label(dimension, bucket) if dimension else _("Total")
        if kind == "count":
            rows.append(Row(bucket, label, int(a or 0)))
        elif kind == "money":
            rows.append(Row(bucket, label, a, currency))
        elif kind == "ratio":
            rows.append(Row(bucket, label, _percent(a, b), currency, a or 0, b or 0))
        else:
            rows.append(Row(bucket, label, _median(a), None, None, b))
    if dimension:
        order = labels.order(dimension)
        rows.sort(key=lambda r: (r.bucket == ind.UNKNOWN, order.get(r.bucket, 10_000),
                                 r.label.lower(), r.currency or ""))
    else:
        rows.sort(key=lambda r: r.currency or "")
    return rows


def _aggregate_units(indicator: ind.Indicator, units: list, dim: str | None):
    """The same rows as ``_aggregate`` from Python units."""
    m = indicator.measure
    groups: dict[tuple, list] = {}
    for unit in units:
        bucket = (unit.dims.get(dim) or ind.UNKNOWN) if dim else ind.TOTAL
        currency = (unit.currency or ind.UNKNOWN) if (m.kind == "money" or m.money) else None
        groups.setdefault((bucket, currency), []).append(unit)
    out = []
    for (bucket, currency), members in groups.items():
        if m.kind == "count":
            out.append((bucket, None, len(members), None))
        elif m.kind == "money":
            out.append((bucket, currency, _from_minor(sum(u.amount for u in members), currency),
                        None))
        elif m.kind == "ratio" and m.money:
            out.append((bucket, currency,
                        _from_minor(sum(u.numerator for u in members), currency),
                        _from_minor(sum(u.denominator for u in members), currency)))
        elif m.kind == "ratio":
            out.append((bucket, None, sum(1 for u in members if u.flags.get(m.numerator)),
                        len(members)))
        else:
            raise ValueError(m.kind)
    return out


def _compute_units(conn, q, indicator, dimensions, labels) -> IndicatorResult:
    units = list(indicator.source.units(conn, q))
    totals = _rows(indicator, _aggregate_units(indicator, units, None), None, labels)
    if not totals and indicator.measure.kind in ("count", "ratio"):
        totals = [Row(ind.TOTAL, _("Total"), 0 if indicator.measure.kind == "count" else None,
                      None, *((None, None) if indicator.measure.kind == "count" else (0, 0)))]
    tables = [Table(d, _rows(indicator, _aggregate_units(indicator, units, d), d, labels))
              for d in dimensions if d in indicator.disaggregations]
    return IndicatorResult(indicator, True, totals, tables)


def compute(conn, q: ind.Query, indicator: ind.Indicator, dimensions: Iterable[str],
            labels: Labels) -> IndicatorResult:
    if not ind.available(indicator, q.tables):
        return IndicatorResult(indicator, False)
    if indicator.source.units is not None:
        return _compute_units(conn, q, indicator, dimensions, labels)
    src = indicator.source.build(q)
    dims = [d for d in dimensions if d in indicator.disaggregations and d in src.dims]
    if "destination_country" in dims:
        ensure_destinations(conn, q)
    # the total has its own query: the disaggregations are checked against it
    totals = _rows(indicator, _rollup(indicator, _grouped(conn, indicator, src, []), None),
                   None, labels)
    if not totals and indicator.measure.kind in ("count", "ratio", "median"):
        totals = _rows(indicator, [(ind.TOTAL, None, 0 if indicator.measure.kind == "count"
                                    else ([] if indicator.measure.kind == "median" else 0),
                                    0)], None, labels)
    tables = []
    if dims:
        grouped = _grouped(conn, indicator, src, [src.dims[d] for d in dims])
        tables = [Table(d, _rows(indicator, _rollup(indicator, grouped, n), d, labels))
                  for n, d in enumerate(dims)]
    return IndicatorResult(indicator, True, totals, tables)


def selected_indicators(request: ReportRequest) -> list[ind.Indicator]:
    if request.indicators is None:
        return list(ind.CATALOGUE.values())
    chosen = []
    for code in request.indicators:
        if code not in ind.CATALOGUE:
            raise ReportError(_("There is no indicator with the code {code}.").format(code=code))
        chosen.append(ind.CATALOGUE[code])
    return chosen


def dimensions_for(indicator: ind.Indicator, request: ReportRequest) -> list[str]:
    if request.dimensions is None:
        return list(indicator.default)
    return [d for d in request.dimensions if d in indicator.disaggregations]


def build_report(conn, request: ReportRequest, *, language: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> Report:
    language = language or current_language()
    q = make_query(conn, request)
    labels = Labels(conn, language, q.age_bands)
    chosen = selected_indicators(request)
    results = []
    for n, indicator in enumerate(chosen):
        if cancelled and cancelled():
            raise Cancelled()
        results.append(compute(conn, q, indicator, dimensions_for(indicator, request), labels))
        if progress:
            progress(n + 1, len(chosen))
    scope = [labels.label("office", oid) for oid in (q.office_ids or [])]
    districts = [labels.label("district", d) for d in (q.districts or [])]
    return Report(request, results, unresolved_duplicates(conn, q), utc_stamp(), language,
                  scope, districts)


def utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- duplicates still to review -------------------------------------------------------
def unresolved_duplicates(conn, q: ind.Query | None = None) -> int:
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


# ---- drill-down -----------------------------------------------------------------------
def drill_down(session, request: ReportRequest, code: str, dimension: str | None = None,
               bucket: str | None = None, currency: str | None = None) -> list[str]:
    """The ids of the records behind one number (a total, or one bucket of a
    disaggregation). Needs ``view_person_list``; every drill-down is audited."""
    session.require("view_person_list", "person")
    conn = session.conn
    indicator = selected_indicators(ReportRequest(request.period, indicators=[code]))[0]
    q = make_query(conn, request)
    if not ind.available(indicator, q.tables):
        return []
    if indicator.source.units is not None:
        if dimension is not None and dimension not in indicator.disaggregations:
            raise ReportError(_("This indicator cannot be broken down by {dimension}.")
                              .format(dimension=dimension))
        ids = [u.id for u in indicator.source.units(conn, q)
               if (dimension is None or (u.dims.get(dimension) or ind.UNKNOWN) == bucket)
               and (currency is None or (u.currency or ind.UNKNOWN) == currency)]
        _log_drill(session, indicator, request, dimension, bucket, currency, ids)
        return ids
    src = indicator.source.build(q)
    if dimension == "destination_country":
        ensure_destinations(conn, q)
    sql = f"SELECT {src.unit} {src.from_where}"
    params: list = []
    if dimension is not None:
        if dimension not in src.dims:
            raise ReportError(_("This indicator cannot be broken down by {dimension}.")
                              .format(dimension=dimension))
        sql += f" AND ({src.dims[dimension]}) = ?"
        params.append(bucket)
    if currency is not None and "currency" in src.columns:
        sql += f" AND {ind.known(src.columns['currency'])} = ?"
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
def describe_records(conn, unit_table: str, ids: list[str], limit: int = 1000) -> list[tuple[str, str]]:
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


def list_offices(conn) -> list[tuple[str, str]]:
    """(code, name) of every office, for scope choosers."""
    return [tuple(r) for r in conn.execute(
        "SELECT code, name FROM office WHERE deleted = 0 ORDER BY name")]


def list_districts(conn, language: str | None = None) -> list[tuple[str, str]]:
    """(code, label) of the districts in the reference data, for scope choosers."""
    lang = language or current_language()
    column = f"label_{lang if lang in ('en', 'ru', 'tg', 'uz') else 'en'}"
    return [tuple(r) for r in conn.execute(
        f"SELECT code, COALESCE(NULLIF({column}, ''), label_en) FROM reference_item "
        "WHERE kind = 'district' AND deleted = 0 AND active = 1 ORDER BY 2")]


def parse_age_bands(text: str) -> tuple[int, ...]:
    """'15,18,30,45' -> (15, 18, 30, 45); a clear message when it is not that."""
    try:
        bands = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        bands = ()
    if not bands or list(bands) != sorted(set(bands)) or bands[0] <= 0:
        raise ReportError(_("Age bands must be increasing ages above zero, e.g. 15,18,30,45."))
    return bands
