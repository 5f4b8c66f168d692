"""The vocabulary of indicators: the query context of a run (``Query``), sources,
measures, the ``Indicator`` type, and the dimension expressions every group shares.

An indicator has a code, a translated short name and definition, a group, the
disaggregations it allows and a query. A query is a *source* (which records count, over
which period and offices: one row per counted unit) and a *measure* (count, money sum per
currency, ratio or median). Every disaggregation is an SQL expression over the same
source that always yields a bucket (``unknown`` when the value is missing), so the rows of
a disaggregation add up to the total, which is computed by its own query.

Rules every source follows:
* tombstoned records (``deleted=1``) never count;
* people are counted by their surviving identity: a person merged into another
  (``person.merged_into``) is the survivor (store.people.identity.resolve_person semantics); the
  temp table ``rpt_root`` maps every merged id to its survivor for the run
  (reports.identity.prepare_roots);
* dates are compared as ISO text: ``start <= value < day after end``; UTC timestamps
  (``created_at``) with the UTC instants of the local midnights bounding the period in the
  office's time zone (``Query.within_instant``), so that days are the office's days.

Indicators over the same records form a *family*: their sources share one ``from_where``
(the family's base) and each adds its own ``when`` condition. The engine computes a whole
family and every disaggregation asked of it in one grouped pass over the base (see
engine.compute_family); drill-down reads ``SourceSQL.rows`` (base AND when).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Callable

from desktop_app.i18n import N_, Domain
from desktop_app.reports.periods import DEFAULT_TIME_ZONE, Period

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def translator(language: str | None = None) -> Callable[[str], str]:
    """``gettext`` of the reports in ``language``: a report's fixed texts follow the
    report's language, not the window's; None: the interface's language."""
    return DOMAIN.in_language(language).gettext if language else DOMAIN.gettext

UNKNOWN = "unknown"
TOTAL = "total"

GROUPS: dict[str, str] = {
    "people": N_("People"),
    "cases": N_("Cases"),
    "inspections": N_("Inspections"),
    "trainings": N_("Trainings"),
    "loans": N_("Loans"),
}

DEFAULT_AGE_BANDS: tuple[int, ...] = (15, 18, 30, 45)


def lit(value) -> str:
    """An SQL literal for a text value (quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def age_band_codes(bands: tuple[int, ...]) -> list[str]:
    """Bucket codes of age bands given their lower bounds, e.g. (15, 18) -> <15, 15-17, 18+."""
    codes = [f"0-{bands[0] - 1}"]
    for low, high in pairwise(bands):
        codes.append(f"{low}-{high - 1}")
    codes.append(f"{bands[-1]}+")
    return codes


def age_band_label(code: str, language: str | None = None) -> str:
    _ = translator(language)
    if code.startswith("0-"):
        return _("under {age}").format(age=int(code[2:]) + 1)
    if code.endswith("+"):
        return _("{age} and over").format(age=code[:-1])
    return code


# ---- the query context of one report run --------------------------------------------
@dataclass
class Query:
    period: Period
    office_ids: list[str] | None = None
    districts: list[str] | None = None
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS
    tables: frozenset[str] = frozenset()
    destinations_ready: bool = False  # temp table rpt_destination filled for this query
    cache: dict = field(default_factory=dict)  # per-run results shared by indicators
    time_zone: str = DEFAULT_TIME_ZONE  # the office calendar the period's days follow

    @property
    def start(self) -> str:
        return lit(self.period.start.isoformat())

    @property
    def end(self) -> str:
        """Exclusive upper bound: the day after the period's last day."""
        return lit(self.period.end_exclusive.isoformat())

    @property
    def end_date(self) -> date:
        return self.period.end

    def within(self, column: str) -> str:
        return f"({column} >= {self.start} AND {column} < {self.end})"

    def before_end(self, column: str) -> str:
        return f"({column} < {self.end})"

    # UTC timestamps ("2026-09-30T21:00:00.000Z"): compared with the UTC instants of the
    # local midnights (text without "Z", so a stamp at the very instant is inside)
    @property
    def instant_start(self) -> str:
        return lit(self.period.utc_bounds(self.time_zone)[0])

    @property
    def instant_end(self) -> str:
        return lit(self.period.utc_bounds(self.time_zone)[1])

    def within_instant(self, column: str) -> str:
        return f"({column} >= {self.instant_start} AND {column} < {self.instant_end})"

    def before_end_instant(self, column: str) -> str:
        return f"({column} < {self.instant_end})"

    def within_day_or_instant(self, column: str) -> str:
        """A column holding local dates for some rows and UTC stamps for others (the union
        of contacts that reach a person): each compared the way it is written."""
        return (f"(({self.within(column)} AND length({column}) <= 10) OR "
                f"({self.within_instant(column)} AND length({column}) > 10))")

    def offices(self, column: str) -> str:
        if not self.office_ids:
            return "1"
        return f"({column} IN ({', '.join(lit(o) for o in self.office_ids)}))"

    def district_in(self, column: str) -> str:
        if not self.districts:
            return "1"
        return f"({column} IN ({', '.join(lit(d) for d in self.districts)}))"

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    # dimension expressions shared by sources about people (alias p)
    def born_by(self, years: int) -> str:
        """ISO text of the latest birth date of someone ``years`` old on the last day of the
        period: age >= years exactly when birth_date <= this (text order is date order)."""
        end = self.end_date
        return lit(f"{end.year - years:04d}-{end.month:02d}-{end.day:02d}")

    def age_band_expr(self, birth: str) -> str:
        """Age band on the last day of the period, by comparing the birth date text with
        the cut-off dates (no arithmetic per row)."""
        codes = age_band_codes(self.age_bands)
        parts = [f"WHEN {birth} IS NULL OR {birth} = '' THEN {lit(UNKNOWN)}",
                 f"WHEN {birth} > {self.born_by(0)} THEN {lit(UNKNOWN)}"]
        for code, upper in zip(codes[:-1], self.age_bands, strict=True):
            parts.append(f"WHEN {birth} > {self.born_by(upper)} THEN {lit(code)}")
        parts.append(f"ELSE {lit(codes[-1])}")
        return "(CASE " + " ".join(parts) + " END)"


def known(expr: str) -> str:
    return f"COALESCE(NULLIF({expr}, ''), {lit(UNKNOWN)})"


def one_of(expr: str, values) -> str:
    return (f"(CASE WHEN {expr} IN ({', '.join(lit(v) for v in values)}) THEN {expr} "
            f"ELSE {lit(UNKNOWN)} END)")


MIGRATION_STATUSES = ("potential", "abroad", "returned", "stranded")


def destination_expr(q: Query, p: str = "p") -> str:
    """Destination country of the latest migration episode (departed before the end of the
    period) of the surviving identity ``p``: a look-up in the episode index in person
    order; identities with merged duplicates (rare) also read their duplicates' episodes."""
    latest = ("ORDER BY e.departure_date DESC, e.created_at DESC LIMIT 1")
    before = f"COALESCE(e.departure_date, '') < {q.end}"
    own = (f"(SELECT e.destination_country FROM migration_episode e WHERE "
           f"e.person_id = {p}.id AND e.deleted = 0 AND {before} {latest})")
    merged = (f"(SELECT e.destination_country FROM migration_episode e WHERE e.deleted = 0 "
              f"AND {before} AND (e.person_id = {p}.id OR e.person_id IN "
              f"(SELECT r.id FROM temp.rpt_root r WHERE r.root = {p}.id)) {latest})")
    if not q.cache.get("has_merges", True):
        return own
    return (f"(CASE WHEN {p}.id IN (SELECT root FROM temp.rpt_root) THEN {merged} "
            f"ELSE {own} END)")


def person_dims(q: Query, p: str = "p") -> dict[str, str]:
    """Disaggregations of anything that has a (surviving) person row aliased ``p``."""
    destination = destination_expr(q, p)
    return {
        "sex": one_of(f"{p}.sex", ("female", "male")),
        "age_band": q.age_band_expr(f"{p}.birth_date"),
        "district": known(f"{p}.district"),
        "jamoat": known(f"{p}.jamoat"),
        "migration_status": one_of(f"{p}.migration_status", MIGRATION_STATUSES),
        "destination_country": known(destination),
    }


def fixed_buckets(q: Query) -> dict[str, tuple[str, ...]]:
    """Disaggregations whose expressions (person_dims) can only yield these buckets."""
    return {"sex": ("female", "male", UNKNOWN),
            "migration_status": MIGRATION_STATUSES + (UNKNOWN,),
            "age_band": tuple(age_band_codes(q.age_bands)) + (UNKNOWN,)}


def fixed_index(q: Query, p: str = "p") -> dict[str, str]:
    """{person_dims expression of ``p``: SQL of the index of its bucket in fixed_buckets}:
    the same bucket, without building its text and matching it again (the engine packs these
    keys from the index)."""
    dims, buckets = person_dims(q, p), fixed_buckets(q)

    def pick(column: str, values: tuple[str, ...]) -> str:
        whens = " ".join(f"WHEN {lit(v)} THEN {n}" for n, v in enumerate(values))
        return f"(CASE {column} {whens} ELSE {len(values)} END)"
    birth, codes = f"{p}.birth_date", age_band_codes(q.age_bands)
    unknown = buckets["age_band"].index(UNKNOWN)
    ages = [f"WHEN {birth} IS NULL OR {birth} = '' THEN {unknown}",
            f"WHEN {birth} > {q.born_by(0)} THEN {unknown}"]
    ages += [f"WHEN {birth} > {q.born_by(upper)} THEN {n}"
             for n, upper in enumerate(q.age_bands)]
    ages.append(f"ELSE {len(codes) - 1}")
    assert buckets["sex"][:2] == ("female", "male")
    assert buckets["migration_status"][:-1] == MIGRATION_STATUSES
    return {dims["sex"]: pick(f"{p}.sex", ("female", "male")),
            dims["migration_status"]: pick(f"{p}.migration_status", MIGRATION_STATUSES),
            dims["age_band"]: "(CASE " + " ".join(ages) + " END)"}


PERSON_DIMS = ("sex", "age_band", "district", "jamoat", "migration_status",
               "destination_country")


# ---- sources --------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceSQL:
    unit: str             # expression of the counted record's id
    from_where: str       # "FROM ... WHERE ...": one row per unit (of the family's base)
    dims: dict[str, str]  # disaggregation code -> expression
    columns: dict[str, str] = field(default_factory=dict)  # measure inputs
    when: str = ""        # this indicator's rows within a family's shared base

    @property
    def rows(self) -> str:
        """FROM ... WHERE ... of exactly this indicator's units (drill-down appends AND)."""
        return f"{self.from_where} AND ({self.when})" if self.when else self.from_where


@dataclass(frozen=True)
class Unit:
    """One counted record from a Python source (figures an SQL query cannot give, e.g.
    days late of a loan from its schedule and ledger)."""
    id: str
    dims: dict[str, str]
    amount: int = 0             # minor units
    currency: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    numerator: int = 0          # money ratios: amount counted in the numerator
    denominator: int = 0


@dataclass(frozen=True)
class Source:
    requires: tuple[str, ...]
    unit_table: str
    build: Callable[[Query], SourceSQL] | None = None
    # alternatively: units(conn, q) -> iterable of Unit (aggregated in Python)
    units: Callable[..., object] | None = None
    dims: tuple[str, ...] = ()
    # prepare(conn, q): temp tables the query reads (filled once per run, see q.cache)
    prepare: Callable[..., None] | None = None


def client_join(alias: str, person_col: str) -> str:
    """Joins the surviving person ``p`` of a record's ``alias.person_col``."""
    return (f"LEFT JOIN rpt_root r ON r.id = {alias}.{person_col} "
            f"LEFT JOIN person p ON p.id = COALESCE(r.root, {alias}.{person_col}) "
            f"AND p.deleted = 0")


def client_dims(q: Query, alias: str, person_col: str, names) -> dict[str, str]:
    """Person disaggregations of a record (``alias.person_col``), each read by id from the
    person index (surviving identity, deleted people as unknown) only when the family
    pass evaluates it, i.e. on the rows of the indicators that ask for it, not on every
    row of the family's base (a join would look up the client of every record)."""
    dims = person_dims(q)
    pid = f"{alias}.{person_col}"
    if q.cache.get("has_merges", True):
        pid = f"COALESCE((SELECT r.root FROM temp.rpt_root r WHERE r.id = {pid}), {pid})"
    # INDEXED BY: the planner would take the primary key and read the whole (wide) row
    return {d: f"COALESCE((SELECT {dims[d]} FROM person p INDEXED BY report_person "
               f"WHERE p.id = {pid} AND p.deleted = 0), {lit(UNKNOWN)})" for d in names}


@dataclass(frozen=True)
class Contact:
    """A contact that reaches a person (people reached) besides the registration of the
    surviving record itself: ``select`` gives (pid, office_id, at) of each such contact
    and reads only ``requires``."""
    requires: tuple[str, ...]
    select: str


# ---- measures -------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    kind: str  # count | money | ratio | median
    numerator: str = ""    # ratio: column key in SourceSQL.columns (or SQL)
    money: bool = False    # ratio / count over money columns, per currency


COUNT = Measure("count")
MONEY = Measure("money")
MEDIAN = Measure("median")


def ratio(numerator: str) -> Measure:
    return Measure("ratio", numerator)


# ---- indicators -----------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str           # msgid (English source); translate with _()
    definition: str     # msgid
    source: Source
    measure: Measure
    disaggregations: tuple[str, ...]
    default: tuple[str, ...] = ()

    def title(self, language: str | None = None) -> str:
        """The indicator's name in ``language`` (the interface's by default)."""
        return translator(language)(self.name)

    def describe(self, language: str | None = None) -> str:
        return translator(language)(self.definition)

    def group_title(self, language: str | None = None) -> str:
        return translator(language)(GROUPS[self.group])


DIMENSIONS: dict[str, str] = {
    "sex": N_("Sex"),
    "age_band": N_("Age band"),
    "district": N_("District"),
    "jamoat": N_("Jamoat"),
    "migration_status": N_("Migration status"),
    "destination_country": N_("Destination country"),
    "office": N_("Office"),
    "category": N_("Category"),
    "channel": N_("Channel"),
    "country": N_("Country"),
    "outcome": N_("Outcome"),
    "target": N_("Referred to"),
    "result": N_("Referral result"),
    "trigger": N_("Trigger"),
    "sector": N_("Sector"),
    "region": N_("Region"),
    "violation": N_("Violation"),
    "course": N_("Course"),
    "funding_source": N_("Funding source"),
    "sanction": N_("Sanction"),
    "currency": N_("Currency"),
    "product": N_("Loan product"),
    "purpose": N_("Purpose"),
}


def available(indicator: Indicator, tables) -> bool:
    return all(t in tables for t in indicator.source.requires)
