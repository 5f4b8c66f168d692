"""The indicator catalogue: one definition per number a coordinator reports.

Each indicator has a code, a translated short name and definition, a group, the
disaggregations it allows and a query. A query is a *source* (which records count, over
which period and offices: one row per counted unit) and a *measure* (count, money sum per
currency, ratio or median). Every disaggregation is an SQL expression over the same
source that always yields a bucket (``unknown`` when the value is missing), so the rows of
a disaggregation add up to the total, which is computed by its own query.

Rules every source follows:
* tombstoned records (``deleted=1``) never count;
* people are counted by their surviving identity: a person merged into another
  (``person.merged_into``) is the survivor (store.people.repositories.resolve_person semantics); the
  temp table ``rpt_root`` maps every merged id to its survivor for the run;
* dates are compared as ISO text: ``start <= value < day after end``.

Indicators over the same records form a *family*: their sources share one ``from_where``
(the family's base) and each adds its own ``when`` condition. The builder computes a whole
family and every disaggregation asked of it in one grouped pass over the base (see
builder.compute_family); drill-down reads ``SourceSQL.rows`` (base AND when).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from desktop_app.i18n import N_, Domain
from desktop_app.reports.periods import Period

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

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
    for low, high in zip(bands, bands[1:]):
        codes.append(f"{low}-{high - 1}")
    codes.append(f"{bands[-1]}+")
    return codes


def age_band_label(code: str) -> str:
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
        for code, upper in zip(codes, self.age_bands):
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
    the same bucket, without building its text and matching it again (builder packs these
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


def _people_base(q: Query) -> str:
    """Surviving identities on the register by the end of the period, plus those reached
    through another contact (temp table rpt_reach, see builder.prepare_reach)."""
    return (f"FROM person p LEFT JOIN temp.rpt_reach rr ON rr.pid = p.id "
            f"WHERE p.deleted = 0 AND COALESCE(p.merged_into, '') = '' "
            f"AND {q.district_in('p.district')} AND (({q.before_end('p.created_at')} "
            f"AND {q.offices('p.office_id')}) OR {REACHED})")


# reached by another contact (rpt_reach joined once per person by the people base)
REACHED = "rr.pid IS NOT NULL"


def _people(when: Callable[[Query], str], office: bool = True):
    def build(q: Query) -> SourceSQL:
        dims = person_dims(q)
        if office:
            dims["office"] = known("p.office_id")
        return SourceSQL("p.id", _people_base(q), dims, when=when(q))
    return build


def _registered_when(q: Query) -> str:
    return f"{q.within('p.created_at')} AND {q.offices('p.office_id')}"


_people_registered = _people(_registered_when)
_people_on_register = _people(
    lambda q: f"{q.before_end('p.created_at')} AND {q.offices('p.office_id')}")
_people_reached = _people(
    lambda q: f"({_registered_when(q)}) OR {REACHED}",
    office=False)


def prepare_roots(conn) -> None:
    """(Re)fill temp table ``rpt_root``: every merged person id -> its surviving identity,
    following chains (store.people.repositories.resolve_person semantics; a cycle stops before it
    repeats). One recursive query over the merged rows only (partial index
    person_merged_into), never a scan of the register."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_root(id TEXT PRIMARY KEY, root TEXT)")
    conn.execute("CREATE INDEX IF NOT EXISTS temp.rpt_root_root ON rpt_root(root)")
    conn.execute("DELETE FROM temp.rpt_root")
    conn.execute(
        "INSERT INTO temp.rpt_root(id, root) "
        "WITH RECURSIVE chain(id, root, depth, path) AS ("
        " SELECT id, merged_into, 1, ',' || id || ',' || merged_into || ',' FROM person"
        " WHERE merged_into IS NOT NULL AND merged_into != ''"
        " UNION ALL"
        " SELECT c.id, n.merged_into, c.depth + 1, c.path || n.merged_into || ','"
        " FROM chain c JOIN person n ON n.id = c.root"
        " WHERE n.merged_into IS NOT NULL AND n.merged_into != ''"
        " AND instr(c.path, ',' || n.merged_into || ',') = 0)"
        " SELECT id, root FROM (SELECT id, root, MAX(depth) FROM chain GROUP BY id)")


def prepare_reach(conn, q: Query) -> None:
    """(Re)fill temp table ``rpt_reach``: surviving identities reached in the period by a
    contact other than their own registration (see reach_events), in the office scope."""
    if q.cache.get("reach_ready"):
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_reach(pid TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.rpt_reach")
    union = " UNION ALL ".join(reach_events(q))
    conn.execute(
        f"INSERT OR IGNORE INTO temp.rpt_reach(pid) SELECT COALESCE(r.root, ev.pid) "
        f"FROM ({union}) ev LEFT JOIN temp.rpt_root r ON r.id = ev.pid "
        f"WHERE ev.pid IS NOT NULL AND {q.within('ev.at')} AND {q.offices('ev.office_id')}")
    q.cache["reach_ready"] = True


def reach_events(q: Query) -> list[str]:
    """SELECTs of (pid, office_id, at) of every contact that reaches a person other than
    the registration of the surviving record itself (which the people base reads): the
    registration of a merged duplicate, a case opened, a training start, a disbursement."""
    events = ["SELECT id AS pid, office_id, created_at AS at FROM person WHERE deleted = 0 "
              "AND merged_into IS NOT NULL AND merged_into != ''"]
    if q.has("hotline_case"):
        events.append("SELECT person_id, office_id, opened_on FROM hotline_case "
                      "WHERE deleted = 0 AND person_id IS NOT NULL")
    if q.has("training_participant", "training_event"):
        events.append("SELECT tp.person_id, tp.office_id, te.start_date FROM "
                      "training_participant tp JOIN training_event te ON te.id = tp.event_id "
                      "WHERE tp.deleted = 0 AND te.deleted = 0")
    for table, person_col, date_col in LOAN_REACH:
        if q.has(table):
            events.append(f"SELECT {person_col}, office_id, {date_col} FROM {table} "
                          f"WHERE deleted = 0 AND {date_col} IS NOT NULL")
    return events


def _client_join(alias: str, person_col: str) -> str:
    return (f"LEFT JOIN rpt_root r ON r.id = {alias}.{person_col} "
            f"LEFT JOIN person p ON p.id = COALESCE(r.root, {alias}.{person_col}) "
            f"AND p.deleted = 0")


def _client_dims(q: Query, alias: str, person_col: str, names) -> dict[str, str]:
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


def _case_when(q: Query, date_col: str | None) -> str:
    if date_col is None:   # open at the end of the period
        return (f"{q.before_end('c.opened_on')} AND (c.closed_on IS NULL OR c.closed_on = '' "
                f"OR c.closed_on >= {q.end})")
    return f"{q.within('c.' + date_col)}"


def _case_source(date_col: str | None, extra: str = "") -> Callable[[Query], SourceSQL]:
    """Cases of one kind (opened / resolved / closed in the period, open at its end). Every
    case source shares the same base (any of these), so the whole family is one pass."""
    def build(q: Query) -> SourceSQL:
        if q.districts:   # the client's district is a condition of every row: join
            dims, join = person_dims(q), _client_join('c', 'person_id')
        else:
            dims, join = _client_dims(q, "c", "person_id", ("sex", "age_band", "district")), ""
        any_kind = " OR ".join(f"({_case_when(q, d)})" for d in
                               ("opened_on", "resolved_on", "closed_on", None))
        return SourceSQL(
            "c.id",
            f"FROM hotline_case c {join} WHERE c.deleted = 0 "
            f"AND {q.offices('c.office_id')} AND {q.district_in('p.district')} "
            f"AND ({any_kind})",
            {"category": known("c.category"), "channel": known("c.channel"),
             "office": known("c.office_id"), "country": known("c.country"),
             "outcome": known("c.outcome"),
             "sex": dims["sex"], "age_band": dims["age_band"], "district": dims["district"]},
            {"days": "CAST(julianday(c.resolved_on) - julianday(c.opened_on) AS INTEGER)",
             "amount": "c.wages_recovered_minor", "currency": "c.wages_currency"},
            when=f"{_case_when(q, date_col)} {extra}".strip())
    return build


def _referrals(q: Query) -> SourceSQL:
    return SourceSQL(
        "f.id",
        f"FROM case_referral f JOIN hotline_case c ON c.id = f.case_id AND c.deleted = 0 "
        f"{_client_join('c', 'person_id') if q.districts else ''} WHERE f.deleted = 0 "
        f"AND {q.within('f.referred_on')} AND {q.offices('f.office_id')} "
        f"AND {q.district_in('p.district')}",
        {"target": known("f.target"), "result": known("f.status"),
         "office": known("f.office_id"), "category": known("c.category")},
        {"answered": "(f.status IN ('accepted', 'completed'))"})


def _inspections(q: Query) -> SourceSQL:
    return SourceSQL(
        "i.id",
        f"FROM inspection i LEFT JOIN employer em ON em.id = i.employer_id AND em.deleted = 0 "
        f"WHERE i.deleted = 0 AND i.status = 'completed' AND {q.within('i.inspected_on')} "
        f"AND {q.offices('i.office_id')}",
        {"trigger": known("i.trigger"), "sector": known("em.sector"),
         "region": known("em.region"), "office": known("i.office_id")},
        {"with_violation": "EXISTS (SELECT 1 FROM inspection_violation v WHERE "
                           "v.inspection_id = i.id AND v.deleted = 0)"})


def _violations(q: Query) -> SourceSQL:
    return SourceSQL(
        "v.id",
        f"FROM inspection_violation v JOIN inspection i ON i.id = v.inspection_id "
        f"AND i.deleted = 0 LEFT JOIN employer em ON em.id = i.employer_id AND em.deleted = 0 "
        f"WHERE v.deleted = 0 AND {q.within('i.inspected_on')} AND {q.offices('i.office_id')}",
        {"violation": known("v.violation"), "sector": known("em.sector"),
         "region": known("em.region"), "office": known("i.office_id")})


def _sanctions(q: Query) -> SourceSQL:
    """Sanctions recorded by the completed inspections dated in the period."""
    return SourceSQL(
        "s.id",
        f"FROM inspection_sanction s JOIN inspection i ON i.id = s.inspection_id "
        f"AND i.deleted = 0 LEFT JOIN employer em ON em.id = i.employer_id AND em.deleted = 0 "
        f"WHERE s.deleted = 0 AND i.status = 'completed' AND {q.within('i.inspected_on')} "
        f"AND {q.offices('i.office_id')}",
        {"sanction": known("s.sanction"), "sector": known("em.sector"),
         "region": known("em.region"), "office": known("i.office_id"),
         "trigger": known("i.trigger")},
        {"amount": "s.fine_minor", "currency": "s.fine_currency"})


def _fines(q: Query) -> SourceSQL:
    src = _sanctions(q)
    return SourceSQL(src.unit, src.from_where, src.dims, src.columns,
                     when="COALESCE(s.fine_minor, 0) > 0")


def _trainings(q: Query) -> SourceSQL:
    return SourceSQL(
        "te.id",
        f"FROM training_event te WHERE te.deleted = 0 AND {q.within('te.start_date')} "
        f"AND {q.offices('te.office_id')} AND {q.district_in('te.district')}",
        {"course": known("te.course_code"), "district": known("te.district"),
         "office": known("te.office_id"), "funding_source": known("te.funding_source")})


COMPLETED = ("(CASE WHEN tp.completion_override = 'completed' THEN 1 "
             "WHEN tp.completion_override = 'not_completed' THEN 0 "
             "ELSE COALESCE(tp.completed, 0) END)")


def _participations(q: Query) -> SourceSQL:
    dims = person_dims(q)
    return SourceSQL(
        "tp.id",
        f"FROM training_participant tp JOIN training_event te ON te.id = tp.event_id "
        f"AND te.deleted = 0 {_client_join('tp', 'person_id')} WHERE tp.deleted = 0 "
        f"AND {q.within('te.start_date')} AND {q.offices('te.office_id')} "
        f"AND {q.district_in('te.district')}",
        {"course": known("te.course_code"), "office": known("te.office_id"),
         "sex": dims["sex"], "age_band": dims["age_band"]},
        {"completed": COMPLETED})


def _trainees(q: Query) -> SourceSQL:
    """Distinct surviving identities who took part in a training that started in the period."""
    return SourceSQL(
        "p.id",
        f"FROM (SELECT DISTINCT COALESCE(r.root, tp.person_id) AS pid FROM "
        f"training_participant tp JOIN training_event te ON te.id = tp.event_id "
        f"AND te.deleted = 0 LEFT JOIN rpt_root r ON r.id = tp.person_id "
        f"WHERE tp.deleted = 0 AND {q.within('te.start_date')} "
        f"AND {q.offices('te.office_id')} AND {q.district_in('te.district')}) u "
        f"JOIN person p ON p.id = u.pid AND p.deleted = 0",
        {k: v for k, v in person_dims(q).items() if k != "migration_status"},
        {"female": "(p.sex = 'female')"})


def _outcomes(q: Query) -> SourceSQL:
    dims = person_dims(q)
    return SourceSQL(
        "o.id",
        f"FROM training_outcome o {_client_join('o', 'person_id')} WHERE o.deleted = 0 "
        f"AND {q.within('o.outcome_date')} AND {q.offices('o.office_id')} "
        f"AND {q.district_in('p.district')}",
        {"outcome": known("o.outcome"), "sex": dims["sex"], "age_band": dims["age_band"],
         "office": known("o.office_id")})


# Loans: the loan table of branch "loans" (see docs/dev/reports.md); sources are
# registered by desktop_app.reports.loan_indicators when that schema is present.
LOAN_REACH: list[tuple[str, str, str]] = []


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

    def title(self) -> str:
        return _(self.name)

    def describe(self) -> str:
        return _(self.definition)

    def group_title(self) -> str:
        return _(GROUPS[self.group])


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
    "result": N_("Result"),
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

CATALOGUE: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    CATALOGUE[indicator.code] = indicator
    return indicator


P = Source(("person",), "person", _people_registered, prepare=prepare_reach)
register(Indicator(
    "people_registered", "people", N_("People registered"),
    N_("People whose record was created in the period, each identity once (merged "
       "duplicates count as the surviving record; deleted records never count)."),
    P, COUNT, PERSON_DIMS + ("office",), ("sex", "age_band", "district")))
register(Indicator(
    "people_on_register", "people", N_("People on the register"),
    N_("Every person registered up to the end of the period, each identity once."),
    Source(("person",), "person", _people_on_register, prepare=prepare_reach), COUNT, PERSON_DIMS + ("office",),
    ("sex", "migration_status")))
register(Indicator(
    "people_reached", "people", N_("People reached"),
    N_("Distinct people registered, counselled (a case opened), trained or given a loan "
       "in the period, each identity once."),
    Source(("person",), "person", _people_reached, prepare=prepare_reach), COUNT, PERSON_DIMS,
    ("sex", "age_band", "district", "destination_country")))

C_OPEN = Source(("hotline_case",), "hotline_case", _case_source("opened_on"))
CASE_DIMS = ("category", "channel", "office", "country", "sex", "age_band", "district")
register(Indicator(
    "cases_opened", "cases", N_("Cases opened"),
    N_("Cases (hotline calls, walk-ins, outreach, referrals) opened in the period."),
    C_OPEN, COUNT, CASE_DIMS, ("category", "channel", "sex")))
register(Indicator(
    "child_labour_cases", "cases", N_("Child labour cases"),
    N_("Cases of child labour (case category) opened in the period."),
    Source(("hotline_case",), "hotline_case",
           _case_source("opened_on", "AND c.category = 'child_labour'")),
    COUNT, CASE_DIMS, ("age_band", "sex")))
C_RES = Source(("hotline_case",), "hotline_case",
               _case_source("resolved_on", "AND c.resolved_on IS NOT NULL"))
register(Indicator(
    "cases_resolved", "cases", N_("Cases resolved"),
    N_("Cases whose resolution date falls in the period."),
    C_RES, COUNT, CASE_DIMS + ("outcome",), ("category", "outcome")))
register(Indicator(
    "cases_closed", "cases", N_("Cases closed"),
    N_("Cases whose closing date falls in the period (resolved or not)."),
    Source(("hotline_case",), "hotline_case",
           _case_source("closed_on", "AND c.closed_on IS NOT NULL")),
    COUNT, CASE_DIMS + ("outcome",), ("category",)))
register(Indicator(
    "cases_open", "cases", N_("Cases open at the end of the period"),
    N_("Cases opened up to the end of the period and not closed by then."),
    Source(("hotline_case",), "hotline_case", _case_source(None)),
    COUNT, CASE_DIMS, ("category",)))
register(Indicator(
    "median_days_to_resolution", "cases", N_("Median days to resolution"),
    N_("Median number of days from opening to resolution of the cases resolved in the "
       "period."),
    C_RES, MEDIAN, ("category", "channel", "office"), ("category",)))
register(Indicator(
    "wages_recovered", "cases", N_("Wages recovered"),
    N_("Unpaid wages recovered for cases resolved in the period, per currency (never "
       "converted)."),
    Source(("hotline_case",), "hotline_case", _case_source(
        "resolved_on", "AND c.resolved_on IS NOT NULL AND COALESCE(c.wages_recovered_minor, 0) > 0")),
    MONEY, ("category", "country", "office"), ("country",)))
register(Indicator(
    "referrals", "cases", N_("Referrals"),
    N_("Referrals made in the period, by the organisation referred to and its answer."),
    Source(("case_referral", "hotline_case"), "case_referral", _referrals),
    COUNT, ("target", "result", "office", "category"), ("target", "result")))

register(Indicator(
    "inspections", "inspections", N_("Inspections carried out"),
    N_("Completed labour inspections dated in the period."),
    Source(("inspection", "employer"), "inspection", _inspections),
    COUNT, ("trigger", "sector", "region", "office"), ("trigger", "sector")))
register(Indicator(
    "inspections_with_violations", "inspections", N_("Inspections that found violations"),
    N_("Share of the inspections of the period that recorded at least one violation."),
    Source(("inspection", "employer", "inspection_violation"), "inspection", _inspections),
    ratio("with_violation"), ("trigger", "sector"), ("trigger",)))
register(Indicator(
    "violations", "inspections", N_("Violations found"),
    N_("Violations recorded by the inspections of the period."),
    Source(("inspection", "inspection_violation", "employer"), "inspection_violation",
           _violations),
    COUNT, ("violation", "sector", "region", "office"), ("violation",)))
register(Indicator(
    "child_labour_violations", "inspections", N_("Child labour found by inspections"),
    N_("Violations of the child labour type recorded by the inspections of the period."),
    Source(("inspection", "inspection_violation", "employer"), "inspection_violation",
           lambda q: SourceSQL(**{**_violations(q).__dict__,
                                  "when": "v.violation = 'child_labour'"})),
    COUNT, ("sector", "region", "office"), ("sector",)))
SANCTIONS = ("inspection", "inspection_sanction", "employer")
register(Indicator(
    "sanctions", "inspections", N_("Sanctions imposed"),
    N_("Sanctions (warnings, orders, fines, suspensions, referrals for prosecution) "
       "recorded by the completed inspections of the period."),
    Source(SANCTIONS, "inspection_sanction", _sanctions),
    COUNT, ("sanction", "trigger", "sector", "region", "office"), ("sanction",)))
register(Indicator(
    "fines_imposed", "inspections", N_("Fines imposed"),
    N_("Number of fines with an amount imposed by the completed inspections of the "
       "period."),
    Source(SANCTIONS, "inspection_sanction", _fines),
    COUNT, ("trigger", "sector", "region", "office"), ("sector",)))
register(Indicator(
    "fines_amount", "inspections", N_("Amount of fines imposed"),
    N_("Total of the fines imposed by the completed inspections of the period, per "
       "currency (never converted)."),
    Source(SANCTIONS, "inspection_sanction", _fines),
    MONEY, ("trigger", "sector", "region", "office"), ("sector",)))

register(Indicator(
    "trainings_held", "trainings", N_("Trainings held"),
    N_("Training events that started in the period."),
    Source(("training_event",), "training_event", _trainings),
    COUNT, ("course", "district", "office", "funding_source"), ("course",)))
PART = Source(("training_event", "training_participant"), "training_participant",
              _participations)
register(Indicator(
    "training_participations", "trainings", N_("Training participants"),
    N_("Enrolments in trainings that started in the period (a person in two trainings "
       "counts twice)."),
    PART, COUNT, ("course", "office", "sex", "age_band"), ("course", "sex")))
TRAINEES = Source(("training_event", "training_participant"), "person", _trainees)
register(Indicator(
    "trainees", "trainings", N_("People trained"),
    N_("Distinct people who took part in a training that started in the period, each "
       "identity once."),
    TRAINEES, COUNT, ("sex", "age_band", "district", "jamoat", "destination_country"),
    ("sex", "age_band")))
register(Indicator(
    "training_completion_rate", "trainings", N_("Completion rate"),
    N_("Share of the enrolments of the period that completed the course (attendance rule "
       "or a recorded decision)."),
    PART, ratio("completed"), ("course", "sex", "office"), ("course", "sex")))
register(Indicator(
    "trainees_women_share", "trainings", N_("Share of women among trainees"),
    N_("Women among the distinct people trained in the period."),
    TRAINEES, ratio("female"), ("age_band", "district"), ()))
register(Indicator(
    "training_outcomes", "trainings", N_("Training outcomes"),
    N_("Follow-up outcomes recorded in the period: a job, legal migration with a contract, "
       "a business started, a loan received."),
    Source(("training_outcome",), "training_outcome", _outcomes),
    COUNT, ("outcome", "sex", "age_band", "office"), ("outcome", "sex")))


def available(indicator: Indicator, tables) -> bool:
    return all(t in tables for t in indicator.source.requires)


def by_group(group: str) -> list[Indicator]:
    return [i for i in CATALOGUE.values() if i.group == group]


# Loans indicators live in their own module (they follow the loans schema).
from desktop_app.reports import loan_indicators  # noqa: E402,F401
