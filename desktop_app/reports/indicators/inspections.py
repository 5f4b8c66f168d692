"""Inspection indicators: inspections carried out, with violations, violations found,
child labour found, sanctions, fines and their amount."""
from __future__ import annotations

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    COUNT,
    MONEY,
    Indicator,
    Query,
    Source,
    SourceSQL,
    known,
    ratio,
)

DOMAIN = Domain("reports")


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


SANCTIONS = ("inspection", "inspection_sanction", "employer")

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "inspections", "inspections", N_("Inspections carried out"),
        N_("Completed labour inspections dated in the period."),
        Source(("inspection", "employer"), "inspection", _inspections),
        COUNT, ("trigger", "sector", "region", "office"), ("trigger", "sector")),
    Indicator(
        "inspections_with_violations", "inspections", N_("Inspections that found violations"),
        N_("Share of the inspections of the period that recorded at least one violation."),
        Source(("inspection", "employer", "inspection_violation"), "inspection", _inspections),
        ratio("with_violation"), ("trigger", "sector"), ("trigger",)),
    Indicator(
        "violations", "inspections", N_("Violations found"),
        N_("Violations recorded by the inspections of the period."),
        Source(("inspection", "inspection_violation", "employer"), "inspection_violation",
               _violations),
        COUNT, ("violation", "sector", "region", "office"), ("violation",)),
    Indicator(
        "child_labour_violations", "inspections", N_("Child labour found by inspections"),
        N_("Violations of the child labour type recorded by the inspections of the period."),
        Source(("inspection", "inspection_violation", "employer"), "inspection_violation",
               lambda q: SourceSQL(**{**_violations(q).__dict__,
                                      "when": "v.violation = 'child_labour'"})),
        COUNT, ("sector", "region", "office"), ("sector",)),
    Indicator(
        "sanctions", "inspections", N_("Sanctions imposed"),
        N_("Sanctions (warnings, orders, fines, suspensions, referrals for prosecution) "
           "recorded by the completed inspections of the period."),
        Source(SANCTIONS, "inspection_sanction", _sanctions),
        COUNT, ("sanction", "trigger", "sector", "region", "office"), ("sanction",)),
    Indicator(
        "fines_imposed", "inspections", N_("Fines imposed"),
        N_("Number of fines with an amount imposed by the completed inspections of the "
           "period."),
        Source(SANCTIONS, "inspection_sanction", _fines),
        COUNT, ("trigger", "sector", "region", "office"), ("sector",)),
    Indicator(
        "fines_amount", "inspections", N_("Amount of fines imposed"),
        N_("Total of the fines imposed by the completed inspections of the period, per "
           "currency (never converted)."),
        Source(SANCTIONS, "inspection_sanction", _fines),
        MONEY, ("trigger", "sector", "region", "office"), ("sector",)),
)
