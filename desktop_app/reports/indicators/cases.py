"""Case indicators: opened, child labour, resolved, closed, open at the end, median days
to resolution, wages recovered (one family over ``hotline_case``) and referrals."""
from __future__ import annotations

from typing import Callable

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    COUNT,
    MEDIAN,
    MONEY,
    Contact,
    Indicator,
    Query,
    Source,
    SourceSQL,
    client_dims,
    client_join,
    known,
    person_dims,
)

DOMAIN = Domain("reports")

# a case opened reaches its client (people reached)
CONTACTS: tuple[Contact, ...] = (
    Contact(("hotline_case",), "SELECT person_id, office_id, opened_on FROM hotline_case "
                               "WHERE deleted = 0 AND person_id IS NOT NULL"),)


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
            dims, join = person_dims(q), client_join('c', 'person_id')
        else:
            dims = client_dims(q, "c", "person_id", ("sex", "age_band", "district"))
            join = ""
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
        f"{client_join('c', 'person_id') if q.districts else ''} WHERE f.deleted = 0 "
        f"AND {q.within('f.referred_on')} AND {q.offices('f.office_id')} "
        f"AND {q.district_in('p.district')}",
        {"target": known("f.target"), "result": known("f.status"),
         "office": known("f.office_id"), "category": known("c.category")},
        {"answered": "(f.status IN ('accepted', 'completed'))"})


C_OPEN = Source(("hotline_case",), "hotline_case", _case_source("opened_on"))
CASE_DIMS = ("category", "channel", "office", "country", "sex", "age_band", "district")
C_RES = Source(("hotline_case",), "hotline_case",
               _case_source("resolved_on", "AND c.resolved_on IS NOT NULL"))

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "cases_opened", "cases", N_("Cases opened"),
        N_("Cases (hotline calls, walk-ins, outreach, referrals) opened in the period."),
        C_OPEN, COUNT, CASE_DIMS, ("category", "channel", "sex")),
    Indicator(
        "child_labour_cases", "cases", N_("Child labour cases"),
        N_("Cases of child labour (case category) opened in the period."),
        Source(("hotline_case",), "hotline_case",
               _case_source("opened_on", "AND c.category = 'child_labour'")),
        COUNT, CASE_DIMS, ("age_band", "sex")),
    Indicator(
        "cases_resolved", "cases", N_("Cases resolved"),
        N_("Cases whose resolution date falls in the period."),
        C_RES, COUNT, CASE_DIMS + ("outcome",), ("category", "outcome")),
    Indicator(
        "cases_closed", "cases", N_("Cases closed"),
        N_("Cases whose closing date falls in the period (resolved or not)."),
        Source(("hotline_case",), "hotline_case",
               _case_source("closed_on", "AND c.closed_on IS NOT NULL")),
        COUNT, CASE_DIMS + ("outcome",), ("category",)),
    Indicator(
        "cases_open", "cases", N_("Cases open at the end of the period"),
        N_("Cases opened up to the end of the period and not closed by then."),
        Source(("hotline_case",), "hotline_case", _case_source(None)),
        COUNT, CASE_DIMS, ("category",)),
    Indicator(
        "median_days_to_resolution", "cases", N_("Median days to resolution"),
        N_("Median number of days from opening to resolution of the cases resolved in the "
           "period."),
        C_RES, MEDIAN, ("category", "channel", "office"), ("category",)),
    Indicator(
        "wages_recovered", "cases", N_("Wages recovered"),
        N_("Unpaid wages recovered for cases resolved in the period, per currency (never "
           "converted)."),
        Source(("hotline_case",), "hotline_case", _case_source(
            "resolved_on",
            "AND c.resolved_on IS NOT NULL AND COALESCE(c.wages_recovered_minor, 0) > 0")),
        MONEY, ("category", "country", "office"), ("country",)),
    Indicator(
        "referrals", "cases", N_("Referrals"),
        N_("Referrals made in the period, by the organisation referred to and its answer."),
        Source(("case_referral", "hotline_case"), "case_referral", _referrals),
        COUNT, ("target", "result", "office", "category"), ("target", "result")),
)
