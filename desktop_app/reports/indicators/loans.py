"""Loan portfolio indicators, on the loans schema (db/migrations/0050_loans.sql).

Disbursements and women borrowers are SQL sources. Outstanding balance, PAR30 and the
repayment rate come from ``store.loans.queries.loan_rows`` (the loans module's own arithmetic of
schedule versions and the append-only ledger) and are aggregated here, so reports and the
loans pages never disagree. Amounts stay per currency, in Decimal.
"""
from __future__ import annotations

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    COUNT,
    MONEY,
    UNKNOWN,
    Contact,
    Indicator,
    Measure,
    Query,
    Source,
    SourceSQL,
    Unit,
    known,
    person_dims,
    ratio,
)
from desktop_app.store.db import row_dict

DOMAIN = Domain("reports")

LOAN_TABLES = ("loan", "fund_entry", "loan_schedule", "loan_instalment")
LOAN_DIMS = ("product", "purpose", "office", "sex", "age_band", "district")
BORROWER_DIMS = ("sex", "age_band", "district", "jamoat", "migration_status")

# a loan disbursed reaches its borrower (people reached)
CONTACTS: tuple[Contact, ...] = (
    Contact(("loan",), "SELECT person_id, office_id, disbursed_on FROM loan "
                       "WHERE deleted = 0 AND disbursed_on IS NOT NULL"),)


def _disbursed(q: Query) -> SourceSQL:
    dims = person_dims(q)
    return SourceSQL(
        "l.id",
        f"FROM loan l LEFT JOIN rpt_root r ON r.id = l.person_id "
        f"LEFT JOIN person p ON p.id = COALESCE(r.root, l.person_id) AND p.deleted = 0 "
        f"WHERE l.deleted = 0 AND l.disbursed_on IS NOT NULL "
        f"AND {q.within('l.disbursed_on')} AND {q.offices('l.office_id')} "
        f"AND {q.district_in('p.district')}",
        {"product": known("l.product_code"), "purpose": known("l.purpose"),
         "office": known("l.office_id"), "sex": dims["sex"], "age_band": dims["age_band"],
         "district": dims["district"]},
        {"amount": "l.amount", "currency": "l.currency"})


def _borrowers(q: Query) -> SourceSQL:
    return SourceSQL(
        "p.id",
        f"FROM (SELECT DISTINCT COALESCE(r.root, l.person_id) AS pid FROM loan l "
        f"LEFT JOIN rpt_root r ON r.id = l.person_id WHERE l.deleted = 0 "
        f"AND l.disbursed_on IS NOT NULL AND {q.within('l.disbursed_on')} "
        f"AND {q.offices('l.office_id')}) u JOIN person p ON p.id = u.pid AND p.deleted = 0 "
        f"WHERE {q.district_in('p.district')}",
        {k: v for k, v in person_dims(q).items() if k in BORROWER_DIMS},
        {"female": "(p.sex = 'female')"})


def _loan_dims(conn, q: Query) -> dict[str, tuple[dict[str, str], str | None]]:
    """Disaggregation values and borrower's district of every disbursed loan (its borrower
    by surviving identity), from one joined query; cached for the run (outstanding, PAR30
    and repayment share it)."""
    if "loan_dims" in q.cache:
        return q.cache["loan_dims"]
    dims = person_dims(q)
    cols = ["sex", "age_band", "district"]
    found: dict[str, dict[str, str]] = {}
    for row in conn.execute(
            f"SELECT l.id, l.product_code, l.purpose, l.office_id, "
            f"{', '.join(dims[c] for c in cols)}, p.district FROM loan l "
            f"LEFT JOIN temp.rpt_root r ON r.id = l.person_id "
            f"LEFT JOIN person p ON p.id = COALESCE(r.root, l.person_id) AND p.deleted = 0 "
            f"WHERE l.deleted = 0 AND l.disbursed_on IS NOT NULL"):
        found[row[0]] = ({"product": row[1] or UNKNOWN, "purpose": row[2] or UNKNOWN,
                          "office": row[3] or UNKNOWN, **row_dict(cols, row[4:7])},
                         row[7])
    q.cache["loan_dims"] = found
    return found


def portfolio_units(conn, q: Query, kind: str):
    """One Unit per loan with money outstanding (or due) at the end of the period; computed
    once per run and kind (the loans module's ``loan_rows`` once per run)."""
    cached = q.cache.get(("portfolio", kind))
    if cached is None:
        cached = q.cache[("portfolio", kind)] = list(_portfolio_units(conn, q, kind))
    return cached


def _portfolio_units(conn, q: Query, kind: str):
    from desktop_app.domain import loans as L  # deferred: ~1 MB, only for loan figures
    from desktop_app.store.loans.queries import loan_rows  # deferred: ~190 ms, ~7 MB (write path)
    if "loan_rows" not in q.cache:  # outstanding, PAR30 and repayment share one pass
        q.cache["loan_rows"] = loan_rows(conn, q.end_date)
    rows = q.cache["loan_rows"]
    if q.office_ids:
        rows = [r for r in rows if r.office_id in q.office_ids]
    every = _loan_dims(conn, q)
    for r in rows:
        found = every.get(r.id)
        if found is None:  # not in the loan table as disbursed (should not happen)
            found = ({"product": UNKNOWN, "purpose": UNKNOWN,
                      "office": r.office_id or UNKNOWN}, None)
        dims, district = found   # dims are shared between units: never changed
        if q.districts and district not in q.districts:
            continue
        if kind == "repayment":
            due = r.due_principal + r.due_interest
            paid = r.paid_principal + r.paid_interest
            if r.outstanding <= 0 and not r.written_off:
                due = paid = max(due, 0)
            if due <= 0:
                continue
            yield Unit(r.id, dims, due, r.currency, numerator=min(paid, due), denominator=due)
        elif r.outstanding > 0:
            late = L.at_risk(r.days_late, 30)
            yield Unit(r.id, dims, r.outstanding, r.currency, {"par30": late},
                       numerator=r.outstanding if late else 0, denominator=r.outstanding)


MONEY_RATIO = Measure("ratio", "par30", money=True)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "loans_disbursed", "loans", N_("Loans disbursed"),
        N_("Number of loans disbursed in the period."),
        Source(("loan",), "loan", _disbursed), COUNT, LOAN_DIMS, ("purpose", "sex")),
    Indicator(
        "loans_disbursed_amount", "loans", N_("Amount disbursed"),
        N_("Total amount of the loans disbursed in the period, per currency."),
        Source(("loan",), "loan", _disbursed), MONEY, LOAN_DIMS, ("purpose", "sex")),
    Indicator(
        "loans_outstanding", "loans", N_("Loans outstanding"),
        N_("Principal still owed at the end of the period, per currency (from the fund "
           "ledger: disbursements less repayments and write-offs)."),
        Source(LOAN_TABLES, "loan", units=lambda conn, q: portfolio_units(conn, q, "outstanding")),
        MONEY, LOAN_DIMS, ("purpose",)),
    Indicator(
        "loans_par30", "loans", N_("Portfolio at risk over 30 days (PAR30)"),
        N_("Share of the outstanding principal at the end of the period owed by loans with a "
           "payment more than 30 days late, per currency."),
        Source(LOAN_TABLES, "loan", units=lambda conn, q: portfolio_units(conn, q, "outstanding")),
        MONEY_RATIO, LOAN_DIMS, ("product",)),
    Indicator(
        "loans_repayment_rate", "loans", N_("Repayment rate"),
        N_("Share of the principal and interest fallen due up to the end of the period that "
           "was repaid, per currency."),
        Source(LOAN_TABLES, "loan", units=lambda conn, q: portfolio_units(conn, q, "repayment")),
        Measure("ratio", "repaid", money=True), LOAN_DIMS, ("sex",)),
    Indicator(
        "loans_women_share", "loans", N_("Share of women borrowers"),
        N_("Women among the distinct people given a loan in the period, each identity once."),
        Source(("loan",), "person", _borrowers), ratio("female"), BORROWER_DIMS, ("age_band",)),
)
