"""The report builder: period + scope + indicators + disaggregations -> result tables.

    request = ReportRequest(parse_period("2026-Q3"), offices=["GRM"])
    report = build_report(conn, request)
    ids = drill_down(session, request, "people_reached", "sex", "female")

Aggregate results carry no names or identifiers; ``drill_down`` returns the record ids
behind one number and needs the ``view_person_list`` permission (audited).
"""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable, Iterable

from desktop_app.i18n import Domain, current_language
from desktop_app.reports.identity import prepare_roots
from desktop_app.reports.indicators.base import (DEFAULT_AGE_BANDS, DIMENSIONS, TOTAL, UNKNOWN,
                                                 Indicator, Query, SourceSQL, available,
                                                 fixed_buckets, fixed_index, known, lit)
from desktop_app.reports.indicators.catalogue import CATALOGUE
from desktop_app.reports.labels import Labels
from desktop_app.reports.periods import Period

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

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
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS


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
        return _(DIMENSIONS.get(self.dimension, self.dimension))


@dataclass
class IndicatorResult:
    indicator: Indicator
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


def make_query(conn, request: ReportRequest) -> Query:
    bands = tuple(request.age_bands)
    if not bands or list(bands) != sorted(set(bands)) or bands[0] <= 0:
        raise ReportError(_("Age bands must be increasing ages above zero, e.g. 15,18,30,45."))
    prepare_roots(conn)
    q = Query(request.period, office_ids_for(conn, request.offices),
              list(request.districts) if request.districts else None, bands,
              table_names(conn))
    q.cache["has_merges"] = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM temp.rpt_root)").fetchone()[0] == 1
    return q


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


def _median(histogram: dict[int, int]) -> Decimal | None:
    """The median of values given as {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None

    def nth(n: int) -> int:  # the n-th smallest value, from 0
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if n < seen:
                return value
        raise IndexError(n)
    mid = total // 2
    if total % 2:
        return Decimal(nth(mid))
    return (Decimal(nth(mid - 1)) + Decimal(nth(mid))) / 2


@dataclass
class _Member:
    """One indicator of a family pass: where its figures sit in the rows read."""
    indicator: Indicator
    src: SourceSQL
    dims: list[str]
    dim_cols: list[int] = field(default_factory=list)
    currency: int | None = None      # key column of the currency (money)
    days: int | None = None          # key column of the day count (median)
    count: int = 0                   # flag bit: the row is one of this member's
    numerator: int | None = None     # flag bit: the row is in the numerator (ratio)
    amount: int | None = None        # key column: amount of the row if it is this member's


def _family_sql(members: list[_Member], fixed: dict[str, tuple[str, ...]] | None = None,
                joined: bool = False, direct: dict[str, str] | None = None
                ) -> tuple[str, int, list]:
    """One read of the family's base, one row per unit, grouped in Python (see
    compute_family). Keys: every disaggregation asked of any member, the currency, the day
    count and the amounts (each distinct expression once; a key only some members ask for
    is computed on their rows only), and flag bits: which members count the row and which
    numerators it is in. The flags and every disaggregation with a fixed set of buckets
    (``fixed``: sex, age band, migration status) are packed into one integer column, so
    that a row reaches Python as few values (each text value read costs more than the SQL
    that computes it). ``direct``: {disaggregation expression: SQL of its bucket's index
    in ``fixed``} (indicators.fixed_index): such a key is packed from that index, computed
    on every row (cheaper than testing a guard, and than matching the bucket text).
    Returns (sql, number of keys, packed: [(key index, buckets)])."""
    fixed = fixed or {}
    direct = direct or {}
    direct_of: dict[str, str] = {}
    keys: list[str] = []
    bits: list[str] = []

    def when_of(m: _Member) -> str:
        return m.src.when or "1"

    def key(expr: str) -> int:
        if expr not in keys:
            keys.append(expr)
        return keys.index(expr)

    def bit(cond: str) -> int:
        if cond not in bits:
            bits.append(cond)
        return bits.index(cond)

    # which members use each key expression: a key is evaluated only on their rows
    users: dict[str, list[_Member]] = {}
    dim_of: dict[str, set[str]] = {}
    for m in members:
        for d in m.dims:
            users.setdefault(m.src.dims[d], []).append(m)
            dim_of.setdefault(m.src.dims[d], set()).add(d)
    guarded: dict[str, str] = {}
    buckets_of: dict[str, tuple[str, ...]] = {}
    for expr, who in users.items():
        dims = dim_of[expr]
        if expr in direct and len(dims) == 1 and next(iter(dims)) in fixed:
            guarded[expr] = expr
            direct_of[expr] = direct[expr]
        elif len(who) == len(members) or any(not w.src.when for w in who):
            guarded[expr] = expr
        else:
            conds = list(dict.fromkeys(when_of(w) for w in who))
            cond = " OR ".join(f"({c})" for c in conds)
            guarded[expr] = f"(CASE WHEN {cond} THEN {expr} END)"
        if len(dims) == 1 and next(iter(dims)) in fixed:
            buckets_of[guarded[expr]] = fixed[next(iter(dims))]
    for m in members:
        kind = m.indicator.measure.kind
        money = kind == "money" or (kind == "ratio" and m.indicator.measure.money)
        when = when_of(m)
        m.dim_cols = [key(guarded[m.src.dims[d]]) for d in m.dims]
        m.count = bit(when)
        num = None
        if kind == "ratio":
            num = m.src.columns.get(m.indicator.measure.numerator,
                                    m.indicator.measure.numerator)
            m.numerator = bit(f"({when}) AND ({num})")
        if money:
            m.currency = key(known(m.src.columns["currency"]))
            m.amount = key(f"(CASE WHEN {when} THEN {m.src.columns['amount']} END)")
        if kind == "median":
            m.days = key(f"(CASE WHEN {when} THEN {m.src.columns['days']} END)")
    if len(bits) > 62:
        raise ValueError("more than 62 conditions in one family pass")
    packed = [(n, buckets_of[k]) for n, k in enumerate(keys) if k in buckets_of]
    code = [" + ".join(f"(CASE WHEN {c} THEN {1 << n} ELSE 0 END)" for n, c in enumerate(bits))]
    scale = 1 << len(bits)
    for n, buckets in packed:   # bucket index, or len(buckets) for NULL (not computed)
        if keys[n] in direct_of:
            code.append(f"{scale} * {direct_of[keys[n]]}")
        else:
            index = " ".join(f"WHEN {lit(b)} THEN {i}" for i, b in enumerate(buckets))
            code.append(f"{scale} * (CASE {keys[n]} {index} ELSE {len(buckets)} END)")
        scale *= len(buckets) + 1
    if scale >= 1 << 62:
        raise ValueError("too many packed keys in one family pass")
    columns = [k for n, k in enumerate(keys) if k not in buckets_of] + [" + ".join(code)]
    if joined:   # one text (see _joined_rows): columns joined by US, NULL as RS
        one = " || char(31) || ".join(f"COALESCE({c}, char(30))" for c in columns)
        return (f"SELECT group_concat({one}, char(29)), COUNT(*) {members[0].src.from_where}",
                len(keys), packed)
    return (f"SELECT {', '.join(columns)} {members[0].src.from_where}", len(keys), packed)


def _joinable(members: list[_Member]) -> bool:
    """Whether every key of the family's rows is text (or NULL) or the packed integer, so
    that a row can travel as one text: counts and ratios of counts, whose keys are
    disaggregations (``known()`` / ``one_of()`` of text columns). Money and medians carry
    numbers (amounts, day counts) and are read as rows."""
    return all(m.indicator.measure.kind == "count" or (
        m.indicator.measure.kind == "ratio" and not m.indicator.measure.money)
        for m in members)


class _NotJoinable(Exception):
    """A key value contains a separator: read the rows instead."""


def _joined_rows(conn, sql: str, width: int) -> Counter:
    """{row: how many times} from one ``group_concat`` of the rows (each row's columns
    joined by US, NULL as RS, rows joined by GS) and their number: the whole pass is one
    step of SQLite, which runs without the GIL, so the thread of another family (on
    another connection) is not held up by a hand-over of the GIL for every row read; it
    is also about 15 % less work than handing each row to Python. The text (about 18
    bytes a person at 1,000,000 people) is split in slices of about 1 MB, not into a
    million strings at once. A value containing a separator changes the number of rows
    or of fields and raises _NotJoinable (a value that is RS alone would read as NULL:
    keys are codes, never control characters)."""
    text, expected = conn.execute(sql).fetchone()
    counts: Counter = Counter()
    size, start = len(text or ""), 0
    while text and start <= size:
        end = text.find("\x1d", min(start + (1 << 20), size))
        end = size if end < 0 else end
        counts.update(text[start:end].split("\x1d"))
        start = end + 1
    del text
    if sum(counts.values()) != expected:
        raise _NotJoinable()
    rows: Counter = Counter()
    for token, count in counts.items():
        fields = token.split("\x1f")
        if len(fields) != width or not fields[-1].lstrip("-").isdigit():
            raise _NotJoinable(token)
        rows[tuple(None if f == "\x1e" else f for f in fields[:-1]) + (int(fields[-1]),)] += count
    return rows


def _grouped(conn, sql: str, k: int, packed: list, nbits: int,
             joined: tuple[str, int] | None = None) -> list[tuple[tuple, int]]:
    """(keys + (flags,), how many times) of every distinct row of ``sql``, counted in C
    (collections.Counter over the cursor): no SQL sort of every unit read, which costs
    SQLite's sorter more than twice as much per row. The packed integer is unpacked into
    the flags and its keys (rows in no member, flags 0, are dropped). With ``joined``
    (the same rows as one text: its SQL and the number of columns), see _joined_rows."""
    mask = (1 << nbits) - 1
    places = {n for n, _b in packed}
    out = []
    counted = None
    if joined is not None:
        try:
            counted = _joined_rows(conn, *joined)
        except _NotJoinable:
            counted = None
    if counted is None:
        counted = Counter(conn.execute(sql))
    for row, count in counted.items():
        code = row[-1]
        flags = code & mask
        if not flags:
            continue
        code >>= nbits
        values = {}
        for n, buckets in packed:
            code, index = divmod(code, len(buckets) + 1)
            values[n] = buckets[index] if index < len(buckets) else None
        plain = iter(row[:-1])
        keys = tuple(values[n] if n in places else next(plain) for n in range(k))
        out.append((keys + (flags,), count))
    return out


def _accumulate(m: _Member, grouped, k: int) -> list[dict]:
    """Per member: for the total (index 0) and each disaggregation, {(bucket, currency):
    [a, b]} with a = count / minor units / numerator / {days: count} and b = denominator."""
    kind = m.indicator.measure.kind
    mine = 1 << m.count
    num = 1 << m.numerator if m.numerator is not None else 0
    accs: list[dict] = [{} for _n in range(len(m.dims) + 1)]
    for row, n in grouped:
        flags = row[k]
        if not flags & mine:
            continue
        currency = row[m.currency] if m.currency is not None else None
        if kind == "count":
            a, b = n, 0
        elif kind == "money":
            a, b = int(row[m.amount] or 0) * n, 0
        elif kind == "ratio":
            if currency is not None:
                b = int(row[m.amount] or 0) * n
                a = b if flags & num else 0
            else:
                a, b = (n if flags & num else 0), n
        else:  # median: a histogram of day counts
            days = row[m.days]
            if days is None:
                continue
            a, b = {int(days): n}, n
        buckets = [TOTAL] + [row[c] for c in m.dim_cols]
        for acc, bucket in zip(accs, buckets):
            slot = acc.get((bucket, currency))
            if slot is None:
                acc[(bucket, currency)] = [dict(a) if kind == "median" else a, b]
            elif kind == "median":
                for d, c in a.items():
                    slot[0][d] = slot[0].get(d, 0) + c
                slot[1] += b
            else:
                slot[0] += a
                slot[1] += b
    return accs


def _finish(kind: str, acc: dict) -> list[tuple]:
    """(bucket, currency, a, b) rows with money converted to Decimal."""
    out = []
    for (bucket, currency), (a, b) in acc.items():
        if kind == "money":
            out.append((bucket, currency, _from_minor(a, currency), None))
        elif kind == "ratio" and currency is not None:
            out.append((bucket, currency, _from_minor(a, currency), _from_minor(b, currency)))
        else:
            out.append((bucket, currency, a, b))
    return out


def _rows(indicator: Indicator, raw, dimension: str | None, labels: Labels) -> list[Row]:
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
        rows.sort(key=lambda r: (r.bucket == UNKNOWN, order.get(r.bucket, 10_000),
                                 r.label.lower(), r.currency or ""))
    else:
        rows.sort(key=lambda r: r.currency or "")
    return rows


def _aggregate_units(indicator: Indicator, units: list, dim: str | None):
    """The same rows as ``_aggregate`` from Python units."""
    m = indicator.measure
    groups: dict[tuple, list] = {}
    for unit in units:
        bucket = (unit.dims.get(dim) or UNKNOWN) if dim else TOTAL
        currency = (unit.currency or UNKNOWN) if (m.kind == "money" or m.money) else None
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
        totals = [Row(TOTAL, _("Total"), 0 if indicator.measure.kind == "count" else None,
                      None, *((None, None) if indicator.measure.kind == "count" else (0, 0)))]
    tables = [Table(d, _rows(indicator, _aggregate_units(indicator, units, d), d, labels))
              for d in dimensions if d in indicator.disaggregations]
    return IndicatorResult(indicator, True, totals, tables)


def _empty_total(indicator: Indicator, labels: Labels) -> list[Row]:
    kind = indicator.measure.kind
    if kind not in ("count", "ratio", "median"):
        return []   # money: no currency, no total row
    a = 0 if kind != "median" else {}
    return _rows(indicator, [(TOTAL, None, a, 0)], None, labels)


def compute_family(conn, q: Query, plans: list[tuple[Indicator, list[str]]],
                   labels: Labels, gil_free: bool = False) -> list[IndicatorResult]:
    """Indicators whose SQL sources share one base, with their disaggregations, from one
    grouped pass; totals and every table are rolled up from the same grouped rows.
    ``gil_free``: read the rows as one text when they allow it (_joined_rows), for a pass
    that runs beside another thread."""
    members = []
    for indicator, dimensions in plans:
        src = indicator.source.build(q)
        dims = [d for d in dimensions if d in indicator.disaggregations and d in src.dims]
        members.append(_Member(indicator, src, dims))
    fixed, direct = fixed_buckets(q), fixed_index(q)
    sql, k, packed = _family_sql(members, fixed, direct=direct)
    nbits = len({b for m in members for b in (m.count, m.numerator) if b is not None})
    joined = None
    if gil_free and _joinable(members):
        joined = (_family_sql(members, fixed, joined=True, direct=direct)[0],
                  k - len(packed) + 1)
    grouped = _grouped(conn, sql, k, packed, nbits, joined)
    results = []
    for m in members:
        kind = m.indicator.measure.kind
        accs = _accumulate(m, grouped, k)
        totals = _rows(m.indicator, _finish(kind, accs[0]), None, labels)
        if not totals:
            totals = _empty_total(m.indicator, labels)
        tables = [Table(d, _rows(m.indicator, _finish(kind, acc), d, labels))
                  for d, acc in zip(m.dims, accs[1:])]
        results.append(IndicatorResult(m.indicator, True, totals, tables))
    return results


def _prepare(conn, q: Query, indicator: Indicator) -> None:
    if indicator.source.prepare is not None:
        indicator.source.prepare(conn, q)


def compute(conn, q: Query, indicator: Indicator, dimensions: Iterable[str],
            labels: Labels) -> IndicatorResult:
    if not available(indicator, q.tables):
        return IndicatorResult(indicator, False)
    if indicator.source.units is not None:
        return _compute_units(conn, q, indicator, dimensions, labels)
    _prepare(conn, q, indicator)
    return compute_family(conn, q, [(indicator, list(dimensions))], labels)[0]


def compute_all(conn, q: Query, plans: list[tuple[Indicator, list[str]]],
                labels: Labels, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None,
                gil_free: bool = False) -> list[IndicatorResult]:
    """Every indicator asked, in the order asked: SQL indicators sharing a base are
    computed together (one pass per family), the first time one of them comes up."""
    families: dict[str, list[int]] = {}
    sources: dict[int, SourceSQL] = {}
    for n, (indicator, _dims) in enumerate(plans):
        if available(indicator, q.tables) and indicator.source.build is not None:
            _prepare(conn, q, indicator)
            sources[n] = indicator.source.build(q)
            families.setdefault(sources[n].from_where, []).append(n)
    done: dict[int, IndicatorResult] = {}
    results = []
    for n, (indicator, dims) in enumerate(plans):
        if cancelled and cancelled():
            raise Cancelled()
        if n not in done:
            if n in sources:
                family = families[sources[n].from_where]
                for i, result in zip(family, compute_family(
                        conn, q, [plans[i] for i in family], labels, gil_free)):
                    done[i] = result
            else:
                done[n] = compute(conn, q, indicator, dims, labels)
        results.append(done.pop(n))
        if progress:
            progress(n + 1, len(plans))
    return results


# The groups computed on a second connection (build_report with ``connect``): the people
# indicators are one pass over the whole register, the longest family by far; inspections
# and trainings (small) go with them so that the two threads take about as long (at
# 1,000,000 people: people 2.7 s + 0.35 s against cases 1.2 s + loans 1.8 s + 0.2 s).
PARALLEL_GROUPS = frozenset({"people", "inspections", "trainings"})


def compute_parallel(conn, connect: Callable[[], object], q: Query,
                     plans: list[tuple[Indicator, list[str]]], labels: Labels,
                     progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[IndicatorResult]:
    """``compute_all`` in two threads: the indicators of PARALLEL_GROUPS on a second
    connection (``connect()``) in a thread of their own, the others on ``conn`` in the
    caller's thread; the same results, in the order asked.

    SQLite runs a statement without the GIL, so the two passes overlap on two cores as
    long as neither thread needs the GIL for every row: the second thread reads its rows
    as one text (``gil_free``, see _joined_rows), the caller's thread is then free to
    count its rows in Python. Temp tables (rpt_root, rpt_reach) are per connection: the
    thread fills its own, with its own copy of the query's per-run cache. Its connection
    keeps the default page cache (its pass reads each index page once).

    Falls back to ``compute_all`` on ``conn`` when there is nothing to split, when
    ``conn`` is inside a transaction (another connection would not see its changes) or
    when the second connection cannot be opened. On cancel or failure the thread's
    statement is interrupted; the thread has ended and its connection is closed before
    this returns or raises. Progress is reported from the caller's thread only."""
    side = [n for n, (indicator, _d) in enumerate(plans)
            if indicator.group in PARALLEL_GROUPS and available(indicator, q.tables)
            and indicator.source.build is not None]
    if not side or len(side) == len(plans) or conn.in_transaction:
        return compute_all(conn, q, plans, labels, progress, cancelled)
    try:
        other = connect()
    except Exception:  # e.g. a database that cannot be opened twice: one connection
        return compute_all(conn, q, plans, labels, progress, cancelled)
    stop = threading.Event()
    box: dict[str, object] = {}

    def work():
        try:
            prepare_roots(other)
            own = replace(q, cache={"has_merges": q.cache.get("has_merges", True)})
            box["results"] = compute_all(
                other, own, [plans[n] for n in side],
                Labels(other, labels.language, q.age_bands), cancelled=stop.is_set,
                gil_free=True)
        except BaseException as exc:  # raised again in the caller's thread
            box["error"] = exc

    taken = set(side)
    rest = [n for n in range(len(plans)) if n not in taken]
    total = len(plans)
    thread = threading.Thread(target=work, name="report-second-connection", daemon=True)
    try:
        thread.start()
        here = compute_all(conn, q, [plans[n] for n in rest], labels,
                           (lambda done, _t: progress(done, total)) if progress else None,
                           cancelled)
        while thread.is_alive():
            thread.join(0.05)
            if cancelled and cancelled():
                raise Cancelled()
    except BaseException:
        stop.set()
        while thread.is_alive():   # stops the statement running now or started meanwhile
            other.interrupt()
            thread.join(0.02)
        raise
    finally:
        if thread.ident is not None:
            thread.join()
        other.close()
    if "error" in box:
        raise box["error"]
    results: list[IndicatorResult | None] = [None] * total
    for n, result in zip(side, box["results"]):
        results[n] = result
    for n, result in zip(rest, here):
        results[n] = result
    if progress:
        progress(total, total)
    return results


def connection_factory(conn, key: bytes | None = None) -> Callable[[], object] | None:
    """A function that opens another connection to the database file of ``conn`` (with
    ``key``, else the key unlocked for that file in this process), for build_report's
    ``connect``; None for an in-memory or temporary database."""
    path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:
        return None
    from desktop_app.store import db as dbmod
    return lambda: dbmod.connect(path, key)


def selected_indicators(request: ReportRequest) -> list[Indicator]:
    if request.indicators is None:
        return list(CATALOGUE.values())
    chosen = []
    for code in request.indicators:
        if code not in CATALOGUE:
            raise ReportError(_("There is no indicator with the code {code}.").format(code=code))
        chosen.append(CATALOGUE[code])
    return chosen


def dimensions_for(indicator: Indicator, request: ReportRequest) -> list[str]:
    if request.dimensions is None:
        return list(indicator.default)
    return [d for d in request.dimensions if d in indicator.disaggregations]


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
                  scope, districts)


REPORT_CACHE_KIB = 262_144


@contextmanager
def report_cache(conn, kib: int = REPORT_CACHE_KIB):
    """A larger page cache for the length of one report (``kib`` KiB, given back after).

    The families look people up by id from cases, trainings and loans after the people
    pass has read the person index: on an encrypted database every page that falls out of
    the default 64 MB cache is read and decrypted again (the person index alone is about
    150 MB at 1,000,000 people). SQLite allocates cache pages only as they are read, so a
    small database does not use more memory."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    bigger = before < 0 and -before < kib
    if bigger:
        conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        if bigger:
            conn.execute(f"PRAGMA cache_size = {int(before)}")


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


# ---- drill-down -----------------------------------------------------------------------
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
    _prepare(conn, q, indicator)
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


def list_offices(conn) -> list[tuple[str, str, str]]:
    """(code, name, id) of every office, for scope choosers."""
    return [tuple(r) for r in conn.execute(
        "SELECT code, name, id FROM office WHERE deleted = 0 ORDER BY name")]


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
