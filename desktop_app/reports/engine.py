"""Computing indicators: the query context of a run (``make_query``), each family of SQL
indicators compiled into one pass over its base (``compute_family``), Python sources
(loan portfolio) aggregated from their units, and every total and table rolled up from
the rows read (``compute_all``: every indicator asked, in the order asked)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from desktop_app.i18n import Domain
from desktop_app.reports.identity import prepare_roots
from desktop_app.reports.indicators.base import (
    TOTAL,
    UNKNOWN,
    Indicator,
    Query,
    SourceSQL,
    available,
    fixed_buckets,
    fixed_index,
    known,
    lit,
)
from desktop_app.reports.indicators.catalogue import CATALOGUE
from desktop_app.reports.labels import Labels
from desktop_app.reports.model import (
    Cancelled,
    IndicatorResult,
    ReportError,
    ReportRequest,
    Row,
    Table,
)
from desktop_app.reports.periods import office_time_zone

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

PERCENT = Decimal("0.1")


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
    q.time_zone = office_time_zone(conn, q.office_ids)
    return q


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


# ---- computing one indicator -----------------------------------------------------------
def from_minor(amount: int | None, currency: str | None) -> Decimal:
    from babel.numbers import get_currency_precision  # deferred: babel, ~25 ms at start-up
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


def _when_of(m: _Member) -> str:
    return m.src.when or "1"


def _guarded_keys(members: list[_Member], fixed: dict[str, tuple[str, ...]],
                  direct: dict[str, str]
                  ) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """Each disaggregation expression as evaluated (only on the rows of the members that
    use it), the buckets of the fixed ones (by guarded expression) and the SQL of the
    bucket index of the direct ones."""
    # which members use each key expression: a key is evaluated only on their rows
    users: dict[str, list[_Member]] = {}
    dim_of: dict[str, set[str]] = {}
    for m in members:
        for d in m.dims:
            users.setdefault(m.src.dims[d], []).append(m)
            dim_of.setdefault(m.src.dims[d], set()).add(d)
    guarded: dict[str, str] = {}
    buckets_of: dict[str, tuple[str, ...]] = {}
    direct_of: dict[str, str] = {}
    for expr, who in users.items():
        dims = dim_of[expr]
        if expr in direct and len(dims) == 1 and next(iter(dims)) in fixed:
            guarded[expr] = expr
            direct_of[expr] = direct[expr]
        elif len(who) == len(members) or any(not w.src.when for w in who):
            guarded[expr] = expr
        else:
            conds = list(dict.fromkeys(_when_of(w) for w in who))
            cond = " OR ".join(f"({c})" for c in conds)
            guarded[expr] = f"(CASE WHEN {cond} THEN {expr} END)"
        if len(dims) == 1 and next(iter(dims)) in fixed:
            buckets_of[guarded[expr]] = fixed[next(iter(dims))]
    return guarded, buckets_of, direct_of


def _place_member(m: _Member, guarded: dict[str, str], key: Callable[[str], int],
                  bit: Callable[[str], int]) -> None:
    """Give the member its key columns and flag bits."""
    kind = m.indicator.measure.kind
    money = kind == "money" or (kind == "ratio" and m.indicator.measure.money)
    when = _when_of(m)
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


def _packed_column(keys: list[str], bits: list[str], buckets_of: dict[str, tuple[str, ...]],
                   direct_of: dict[str, str]) -> tuple[list, str]:
    """The packed keys [(key index, buckets)] and the SQL of the one integer that carries
    the flag bits and the bucket index of each packed key."""
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
    return packed, " + ".join(code)


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
    keys: list[str] = []
    bits: list[str] = []

    def key(expr: str) -> int:
        if expr not in keys:
            keys.append(expr)
        return keys.index(expr)

    def bit(cond: str) -> int:
        if cond not in bits:
            bits.append(cond)
        return bits.index(cond)

    guarded, buckets_of, direct_of = _guarded_keys(members, fixed or {}, direct or {})
    for m in members:
        _place_member(m, guarded, key, bit)
    if len(bits) > 62:
        raise ValueError("more than 62 conditions in one family pass")
    packed, packed_code = _packed_column(keys, bits, buckets_of, direct_of)
    columns = [k for n, k in enumerate(keys) if k not in buckets_of] + [packed_code]
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
        for acc, bucket in zip(accs, buckets, strict=True):
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
            out.append((bucket, currency, from_minor(a, currency), None))
        elif kind == "ratio" and currency is not None:
            out.append((bucket, currency, from_minor(a, currency), from_minor(b, currency)))
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
            out.append((bucket, currency, from_minor(sum(u.amount for u in members), currency),
                        None))
        elif m.kind == "ratio" and m.money:
            out.append((bucket, currency,
                        from_minor(sum(u.numerator for u in members), currency),
                        from_minor(sum(u.denominator for u in members), currency)))
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
                  for d, acc in zip(m.dims, accs[1:], strict=True)]
        results.append(IndicatorResult(m.indicator, True, totals, tables))
    return results


def prepare_source(conn, q: Query, indicator: Indicator) -> None:
    if indicator.source.prepare is not None:
        indicator.source.prepare(conn, q)


def compute(conn, q: Query, indicator: Indicator, dimensions: Iterable[str],
            labels: Labels) -> IndicatorResult:
    if not available(indicator, q.tables):
        return IndicatorResult(indicator, False)
    if indicator.source.units is not None:
        return _compute_units(conn, q, indicator, dimensions, labels)
    prepare_source(conn, q, indicator)
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
            prepare_source(conn, q, indicator)
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
                        conn, q, [plans[i] for i in family], labels, gil_free), strict=True):
                    done[i] = result
            else:
                done[n] = compute(conn, q, indicator, dims, labels)
        results.append(done.pop(n))
        if progress:
            progress(n + 1, len(plans))
    return results
