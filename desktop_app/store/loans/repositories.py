"""Micro-loans: the repositories of funds, the append-only ledger, loans and schedules.

Every write goes through these repositories (audit + change log); the loan life cycle
(apply, approve, disburse, repay, reverse, reschedule, write off) is in ``services``, the
reads for lists, loan states and portfolio figures in ``queries``.
"""
from __future__ import annotations

from decimal import Decimal

from desktop_app.domain import loans as L
from desktop_app.i18n import N_, Domain
from desktop_app.store.repository import Repository, ValidationError

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

LOAN_NOT_FOUND = N_("The loan was not found; it may have been deleted.")


class FundRepository(Repository):
    table = "loan_fund"
    fields = ("name", "currency", "notes")

    def validate(self, values, existing):
        errors = {}
        name = " ".join((values.get("name") or "").split())
        if not name:
            errors["name"] = _("Enter the fund's name.")
        if values.get("currency") not in L.CURRENCIES:
            errors["currency"] = _("Choose the fund's currency.")
        if existing and values.get("currency") != existing.get("currency"):
            errors["currency"] = _("A fund's currency cannot be changed.")
        if errors:
            raise ValidationError(errors)
        return {**values, "name": name}


class FundEntryRepository(Repository):
    table = "fund_entry"
    fields = ("fund_id", "loan_id", "kind", "value_date", "currency", "cash", "principal",
              "interest", "penalty", "reverses_id", "note")
    append_only = True
    defaults = {"cash": 0, "principal": 0, "interest": 0, "penalty": 0}


class LoanRepository(Repository):
    table = "loan"
    fields = ("number", "fund_id", "person_id", "product_code", "purpose", "purpose_note",
              "amount", "currency", "annual_rate", "term", "frequency", "method",
              "amortisation", "grace", "tolerance_days", "late_fee_percent", "allocation",
              "guarantor_name", "guarantor_phone", "guarantor_person_id", "borrower_language",
              "status", "applied_on", "decided_by", "decided_on", "decision_note",
              "disbursed_on", "closed_on", "writeoff_requested_by", "writeoff_requested_on",
              "writeoff_reason", "written_off_by", "written_off_on")
    defaults = {"status": "applied", "grace": 0, "tolerance_days": 0, "late_fee_percent": "0",
                "allocation": "penalty,interest,principal"}


class ScheduleRepository(Repository):
    table = "loan_schedule"
    fields = ("loan_id", "version", "effective_from", "reason", "principal",
              "base_paid_principal", "base_paid_interest", "annual_rate", "term", "frequency",
              "method", "amortisation", "grace")
    append_only = True


class InstalmentRepository(Repository):
    table = "loan_instalment"
    fields = ("loan_id", "version", "number", "due_date", "principal", "interest",
              "cum_principal", "cum_interest")
    append_only = True


def terms_of(loan: dict, schedule_row: dict | None = None, amount: int | None = None) -> L.Terms:
    src = schedule_row or loan
    cur = loan["currency"]
    return L.Terms(
        amount=L.from_minor(amount if amount is not None else loan["amount"], cur),
        currency=cur, annual_rate=Decimal(src["annual_rate"]), term=int(src["term"]),
        frequency=src["frequency"], method=src["method"], amortisation=src["amortisation"],
        grace=int(src["grace"]), tolerance_days=int(loan["tolerance_days"]),
        late_fee_percent=Decimal(loan["late_fee_percent"] or "0"),
        allocation=tuple((loan["allocation"] or "penalty,interest,principal").split(",")))

