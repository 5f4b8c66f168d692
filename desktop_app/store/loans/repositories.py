"""Micro-loans: revolving funds with an append-only ledger, loan life, arrears, portfolio.

Every write goes through the repositories below (audit + change log). Money movements are
``fund_entry`` rows (append-only); a mistake is corrected by :meth:`LoanService.reverse`.
Portfolio figures for reports: :func:`loans_disbursed`, :func:`outstanding`, :func:`par`,
:func:`repayment_rate`, :func:`women_share`, :func:`returned_migrant_loans`, each taking
``(conn, as_of, office_id=None)``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.domain import loans as L
from desktop_app.i18n import N_, Domain
from desktop_app.store.repository import NotFound, Repository, ValidationError
from desktop_app.store.sequences import next_number
from desktop_app.store.session import PermissionDenied, Session

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

APPROVE_ACTION = "approve_loan"
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


def _rows(conn, sql: str, args=()) -> list[dict]:
    cur = conn.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]


def _d(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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


def product_terms(conn, code: str) -> dict:
    """Terms of a loan product (reference kind ``loan_product``) as loan fields."""
    row = conn.execute("SELECT attributes FROM reference_item WHERE kind='loan_product' "
                       "AND code=? AND deleted=0", (code,)).fetchone()
    if row is None:
        raise L.LoanError(_("There is no loan product {code}.").format(code=code))
    a = json.loads(row[0] or "{}")
    return {"product_code": code, "annual_rate": str(a.get("annual_rate", "0")),
            "term": int(a.get("term", 12)), "frequency": a.get("frequency", "monthly"),
            "method": a.get("method", "declining"),
            "amortisation": a.get("amortisation", "equal_instalments"),
            "grace": int(a.get("grace", 0)), "tolerance_days": int(a.get("tolerance_days", 0)),
            "late_fee_percent": str(a.get("late_fee_percent", "0")),
            "allocation": a.get("allocation", "penalty,interest,principal")}


# ---- fund balance ----------------------------------------------------------------
def fund_balance(conn, fund_id: str, as_of: date | None = None) -> int:
    """Money in the fund (minor units) at the end of ``as_of`` (default: every entry)."""
    sql = "SELECT COALESCE(SUM(cash), 0) FROM fund_entry WHERE fund_id=? AND deleted=0"
    args: list = [fund_id]
    if as_of is not None:
        sql += " AND value_date<=?"
        args.append(_d(as_of).isoformat())
    return conn.execute(sql, args).fetchone()[0]


@dataclass
class FundFigures:
    capital: int
    disbursed: int
    principal_repaid: int
    interest_received: int
    penalties_received: int
    written_off: int
    outstanding_principal: int
    balance: int


def fund_figures(conn, fund_id: str, as_of: date | None = None) -> FundFigures:
    sql = ("SELECT COALESCE(SUM(CASE WHEN kind='capital' THEN cash END),0),"
           " COALESCE(SUM(CASE WHEN kind='disbursement' THEN principal END),0),"
           " COALESCE(SUM(CASE WHEN kind='repayment' THEN -principal END),0),"
           " COALESCE(SUM(interest),0), COALESCE(SUM(penalty),0),"
           " COALESCE(SUM(CASE WHEN kind='write_off' THEN -principal END),0),"
           " COALESCE(SUM(principal),0), COALESCE(SUM(cash),0)"
           " FROM fund_entry WHERE fund_id=? AND deleted=0")
    args: list = [fund_id]
    if as_of is not None:
        sql += " AND value_date<=?"
        args.append(_d(as_of).isoformat())
    return FundFigures(*conn.execute(sql, args).fetchone())


def _running_minimum_from(conn, fund_id: str, value_date: str) -> int:
    """The lowest balance the fund has on any day from ``value_date`` on."""
    balance = fund_balance(conn, fund_id, date.fromisoformat(value_date))
    lowest = balance
    for (day, cash) in conn.execute(
            "SELECT value_date, SUM(cash) FROM fund_entry WHERE fund_id=? AND deleted=0 "
            "AND value_date>? GROUP BY value_date ORDER BY value_date", (fund_id, value_date)):
        balance += cash
        lowest = min(lowest, balance)
    return lowest


# ---- loan state --------------------------------------------------------------------
@dataclass
class LoanView:
    loan: dict
    state: L.LoanState | None
    schedule_version: dict | None
    instalments: list[dict] = field(default_factory=list)


class LoanService:
    """The loan life cycle; each method is one transaction, nothing half-saved."""

    def __init__(self, session: Session, today: date | None = None):
        self.session = session
        self.conn = session.conn
        self.today = today or date.today()
        self.funds = FundRepository(session)
        self.entries = FundEntryRepository(session)
        self.loans = LoanRepository(session)
        self.schedules = ScheduleRepository(session)
        self.instalments = InstalmentRepository(session)

    # -- funds --
    def create_fund(self, name: str, currency: str, notes: str | None = None,
                    office_id: str | None = None) -> dict:
        values = {"name": name, "currency": currency, "notes": notes}
        if office_id:
            values["office_id"] = office_id
        return self.funds.create(values)

    def add_capital(self, fund_id: str, amount: Decimal | int | str, value_date: date,
                    currency: str | None = None, note: str | None = None) -> dict:
        fund = self._fund(fund_id)
        cur = fund["currency"]
        if currency and currency != cur:
            raise L.LoanError(_("This fund keeps its money in {fund_currency}; an amount in "
                                "{currency} cannot be entered.").format(
                fund_currency=cur, currency=currency))
        minor = L.to_minor(L.parse_amount(amount, cur), cur)
        self._not_future(value_date)
        return self.entries.create({"fund_id": fund_id, "kind": "capital", "currency": cur,
                                    "value_date": _d(value_date).isoformat(), "cash": minor,
                                    "note": note, "office_id": fund["office_id"]})

    def _fund(self, fund_id: str) -> dict:
        fund = self.funds.get(fund_id)
        if fund is None:
            raise L.LoanError(_("The fund was not found; it may have been deleted."))
        return fund

    def _not_future(self, value_date) -> None:
        if _d(value_date) > self.today:
            raise L.LoanError(_("The date {date} is in the future.").format(
                date=_d(value_date).isoformat()))

    # -- application and decision --
    def apply(self, *, person_id: str, fund_id: str, amount, purpose: str,
              product_code: str | None = None, terms: dict | None = None,
              applied_on: date | None = None, guarantor_name: str | None = None,
              guarantor_phone: str | None = None, guarantor_person_id: str | None = None,
              purpose_note: str | None = None, borrower_language: str | None = None) -> dict:
        fund = self._fund(fund_id)
        cur = fund["currency"]
        errors: dict[str, str] = {}
        if not person_id or self.conn.execute(
                "SELECT 1 FROM person WHERE id=? AND deleted=0", (person_id,)).fetchone() is None:
            errors["person_id"] = _("Choose the borrower.")
        if not purpose:
            errors["purpose"] = _("Choose the purpose of the loan.")
        values = dict(product_terms(self.conn, product_code) if product_code else {})
        values.update(terms or {})
        try:
            minor = L.to_minor(L.parse_amount(amount, cur), cur)
        except L.LoanError as exc:
            errors["amount"] = str(exc)
            minor = 0
        if "annual_rate" not in values:
            errors.setdefault("product_code", _("Choose a loan product."))
        else:
            t = L.Terms(L.from_minor(minor or 1, cur), cur, Decimal(values["annual_rate"]),
                        int(values["term"]), values["frequency"], values["method"],
                        values["amortisation"], int(values.get("grace", 0)),
                        int(values.get("tolerance_days", 0)),
                        Decimal(values.get("late_fee_percent", "0")),
                        tuple(values.get("allocation", "penalty,interest,principal").split(",")))
            for key, message in L.validate_terms(t).items():
                errors.setdefault(key, message)
        if errors:
            raise ValidationError(errors)
        applied = _d(applied_on or self.today)
        with self.session.transaction():
            number = next_number(self.session, "LN", applied.year)
            return self.loans.create({
                **values, "number": number, "fund_id": fund_id, "person_id": person_id,
                "purpose": purpose, "purpose_note": purpose_note, "amount": minor,
                "currency": cur, "guarantor_name": guarantor_name,
                "guarantor_phone": guarantor_phone, "guarantor_person_id": guarantor_person_id,
                "borrower_language": borrower_language, "status": "applied",
                "applied_on": applied.isoformat(), "office_id": fund["office_id"]})

    def _loan(self, loan_id: str) -> dict:
        try:
            return self.loans.require(loan_id)
        except NotFound:
            raise L.LoanError(_(LOAN_NOT_FOUND)) from None

    def _check_checker(self, loan: dict, maker: str | None, what: str) -> None:
        actor = self.session.actor
        self.session.require(APPROVE_ACTION, "loan", loan)
        if maker and actor.user_id == maker:
            if what == "approve":
                raise PermissionDenied(_("You entered this loan application, so another user "
                                         "must approve it."))
            raise PermissionDenied(_("You asked for this write-off, so another user must "
                                     "approve it."))

    def approve(self, loan_id: str, note: str | None = None, on: date | None = None) -> dict:
        loan = self._loan(loan_id)
        self._check_checker(loan, loan["created_by"], "approve")
        if loan["status"] != "applied":
            raise L.LoanError(_("Only an application waiting for a decision can be approved."))
        return self.loans.update(loan_id, {
            "status": "approved", "decided_by": self.session.actor.user_id,
            "decided_on": _d(on or self.today).isoformat(), "decision_note": note})

    def reject(self, loan_id: str, note: str | None = None, on: date | None = None) -> dict:
        loan = self._loan(loan_id)
        self._check_checker(loan, loan["created_by"], "approve")
        if loan["status"] != "applied":
            raise L.LoanError(_("Only an application waiting for a decision can be rejected."))
        return self.loans.update(loan_id, {
            "status": "rejected", "decided_by": self.session.actor.user_id,
            "decided_on": _d(on or self.today).isoformat(), "decision_note": note})

    # -- disbursement and schedule --
    def disburse(self, loan_id: str, on: date | None = None) -> dict:
        loan = self._loan(loan_id)
        on = _d(on or self.today)
        self.session.require("disburse", "loan", loan)
        if loan["status"] != "approved":
            raise L.LoanError(_("Only an approved loan can be disbursed."))
        if on < _d(loan["applied_on"]):
            raise L.LoanError(_("The disbursement date is before the application date."))
        self._not_future(on)
        with self.session.transaction():
            lowest = _running_minimum_from(self.conn, loan["fund_id"], on.isoformat())
            if lowest < loan["amount"]:
                raise L.LoanError(_(
                    "The fund has only {balance} {currency} available on {date}; it cannot lend "
                    "{amount} {currency}. Add capital or lend less.").format(
                    balance=L.from_minor(max(lowest, 0), loan["currency"]),
                    currency=loan["currency"], date=on.isoformat(),
                    amount=L.from_minor(loan["amount"], loan["currency"])))
            self.entries.create({
                "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "disbursement",
                "value_date": on.isoformat(), "currency": loan["currency"],
                "cash": -loan["amount"], "principal": loan["amount"],
                "office_id": loan["office_id"]})
            self._write_schedule(loan, 1, on, loan["amount"], 0, 0, None, loan)
            return self.loans.update(loan_id, {"status": "disbursed",
                                               "disbursed_on": on.isoformat()})

    def _write_schedule(self, loan, version, start: date, principal: int, base_p: int,
                        base_i: int, reason, terms_src: dict, extra_interest: int = 0) -> None:
        terms = terms_of(loan, terms_src, amount=principal)
        rows = L.schedule(terms, start)
        self.schedules.create({
            "loan_id": loan["id"], "version": version, "effective_from": start.isoformat(),
            "reason": reason, "principal": principal, "base_paid_principal": base_p,
            "base_paid_interest": base_i, "annual_rate": str(terms.annual_rate),
            "term": terms.term, "frequency": terms.frequency, "method": terms.method,
            "amortisation": terms.amortisation, "grace": terms.grace,
            "office_id": loan["office_id"]})
        cum_p = cum_i = 0
        items = []
        for i, r in enumerate(rows):
            p = L.to_minor(r.principal, loan["currency"])
            it = L.to_minor(r.interest, loan["currency"]) + (extra_interest if i == 0 else 0)
            cum_p += p
            cum_i += it
            items.append({"loan_id": loan["id"], "version": version, "number": r.number,
                          "due_date": r.due_date.isoformat(), "principal": p, "interest": it,
                          "cum_principal": cum_p, "cum_interest": cum_i,
                          "office_id": loan["office_id"]})
        self.instalments.create_many(items)

    def reschedule(self, loan_id: str, on: date, *, term: int, annual_rate=None,
                   frequency: str | None = None, method: str | None = None,
                   amortisation: str | None = None, grace: int = 0,
                   reason: str | None = None) -> dict:
        """A new schedule version for what is owed on ``on``; earlier versions are kept.

        Overdue interest on ``on`` is added to the new first instalment.
        """
        loan = self._loan(loan_id)
        self.session.require("update", "loan", loan)
        on = _d(on)
        if loan["status"] != "disbursed":
            raise L.LoanError(_("Only an active loan can be rescheduled."))
        current = self.current_schedule(loan_id)
        if on < _d(current["effective_from"]):
            raise L.LoanError(_("A new schedule cannot start before the current one."))
        last_payment = self.conn.execute(
            "SELECT MAX(value_date) FROM fund_entry WHERE loan_id=? AND kind='repayment' "
            "AND deleted=0", (loan_id,)).fetchone()[0]
        if last_payment and last_payment >= on.isoformat():
            raise L.LoanError(_("There are repayments on or after {date}; start the new "
                                "schedule after the last repayment.").format(date=on.isoformat()))
        state = self.state(loan, on)
        src = {"annual_rate": str(annual_rate if annual_rate is not None else current["annual_rate"]),
               "term": term, "frequency": frequency or current["frequency"],
               "method": method or current["method"],
               "amortisation": amortisation or current["amortisation"], "grace": grace}
        terms_of(loan, src, amount=max(state.outstanding_principal, 1)).check()
        with self.session.transaction():
            self._write_schedule(loan, current["version"] + 1, on, state.outstanding_principal,
                                 state.paid_principal, state.paid_interest, reason, src,
                                 extra_interest=state.interest_due)
        return self.current_schedule(loan_id)

    def schedule_versions(self, loan_id: str) -> list[dict]:
        return _rows(self.conn, "SELECT * FROM loan_schedule WHERE loan_id=? AND deleted=0 "
                                "ORDER BY version", (loan_id,))

    def current_schedule(self, loan_id: str, as_of: date | None = None) -> dict | None:
        sql = "SELECT * FROM loan_schedule WHERE loan_id=? AND deleted=0"
        args: list = [loan_id]
        if as_of is not None:
            sql += " AND effective_from<=?"
            args.append(_d(as_of).isoformat())
        rows = _rows(self.conn, sql + " ORDER BY version DESC LIMIT 1", args)
        return rows[0] if rows else None

    def instalments_of(self, loan_id: str, version: int) -> list[dict]:
        return _rows(self.conn, "SELECT * FROM loan_instalment WHERE loan_id=? AND version=? "
                                "AND deleted=0 ORDER BY number", (loan_id, version))

    def state(self, loan: dict | str, as_of: date) -> L.LoanState:
        if isinstance(loan, str):
            loan = self._loan(loan)
        return loan_state(self.conn, loan, _d(as_of))

    def view(self, loan_id: str, as_of: date) -> LoanView:
        loan = self._loan(loan_id)
        version = self.current_schedule(loan_id, as_of) or self.current_schedule(loan_id)
        inst = self.instalments_of(loan_id, version["version"]) if version else []
        state = self.state(loan, as_of) if loan["disbursed_on"] else None
        return LoanView(loan, state, version, inst)

    # -- repayments --
    def repay(self, loan_id: str, amount, on: date, *, currency: str | None = None,
              prepay: bool = False, note: str | None = None) -> dict:
        """Record a repayment; its split follows the loan's allocation order.

        Raises PrepaymentNeeded when more than what is due now is paid and ``prepay`` is
        false, LoanError for amounts over the whole debt, dates before disbursement or in
        the future, or another currency. Nothing is written then.
        """
        loan = self._loan(loan_id)
        on = _d(on)
        self.session.require("repay", "loan", loan)
        cur = loan["currency"]
        if currency and currency != cur:
            raise L.LoanError(_("This loan is in {loan_currency}; a repayment in {currency} "
                                "cannot be entered. Convert it to {loan_currency} first.").format(
                loan_currency=cur, currency=currency))
        if loan["status"] not in ("disbursed",):
            raise L.LoanError(_("Repayments can be entered only for an active loan."))
        if on < _d(loan["disbursed_on"]):
            raise L.LoanError(_("The repayment date {date} is before the loan was disbursed on "
                                "{disbursed}.").format(date=on.isoformat(),
                                                       disbursed=loan["disbursed_on"]))
        current = self.current_schedule(loan_id)
        if on < _d(current["effective_from"]):
            raise L.LoanError(_("The repayment date {date} is before the current schedule "
                                "started on {start}.").format(date=on.isoformat(),
                                                             start=current["effective_from"]))
        later = self.conn.execute(
            "SELECT MAX(value_date) FROM fund_entry WHERE loan_id=? AND deleted=0 "
            "AND kind IN ('repayment','write_off')", (loan_id,)).fetchone()[0]
        if later and later > on.isoformat():
            raise L.LoanError(_("A later repayment on {date} is already entered. Enter "
                                "repayments in date order, or reverse the later one first.")
                              .format(date=later))
        self._not_future(on)
        minor = L.to_minor(L.parse_amount(amount, cur), cur)
        state = self.state(loan, on)
        order = tuple((loan["allocation"] or "penalty,interest,principal").split(","))
        split = L.allocate(state, minor, order, prepay=prepay, currency=cur)
        principal = split.principal + split.prepaid_principal
        with self.session.transaction():
            entry = self.entries.create({
                "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "repayment",
                "value_date": on.isoformat(), "currency": cur, "cash": minor,
                "principal": -principal, "interest": split.interest, "penalty": split.penalty,
                "note": note, "office_id": loan["office_id"]})
            if principal == state.outstanding_principal:
                self.loans.update(loan_id, {"status": "closed", "closed_on": on.isoformat()})
        return entry

    def reverse(self, entry_id: str, on: date | None = None, note: str | None = None) -> dict:
        """Correct a ledger entry by an entry that negates it (the original stays)."""
        original = self.entries.get(entry_id)
        if original is None:
            raise L.LoanError(_("The entry was not found."))
        self.session.require("reverse", "fund_entry", original)
        if original["reverses_id"]:
            raise L.LoanError(_("A reversal cannot itself be reversed; enter the movement again."))
        if self.conn.execute("SELECT 1 FROM fund_entry WHERE reverses_id=? AND deleted=0",
                             (entry_id,)).fetchone():
            raise L.LoanError(_("This entry has already been reversed."))
        if original["kind"] == "disbursement":
            has_payments = self.conn.execute(
                "SELECT 1 FROM fund_entry WHERE loan_id=? AND kind='repayment' AND deleted=0",
                (original["loan_id"],)).fetchone()
            if has_payments:
                raise L.LoanError(_("Reverse the repayments of this loan before its "
                                    "disbursement."))
        on = _d(on or original["value_date"])
        if on < _d(original["value_date"]):
            raise L.LoanError(_("A reversal cannot be dated before the entry it corrects."))
        with self.session.transaction():
            entry = self.entries.create({
                "fund_id": original["fund_id"], "loan_id": original["loan_id"],
                "kind": original["kind"], "value_date": original["value_date"],
                "currency": original["currency"], "cash": -original["cash"],
                "principal": -original["principal"], "interest": -original["interest"],
                "penalty": -original["penalty"], "reverses_id": entry_id,
                "note": note, "office_id": original["office_id"]})
            if original["cash"] > 0:
                lowest = _running_minimum_from(self.conn, original["fund_id"],
                                               original["value_date"])
                if lowest < 0:
                    raise L.LoanError(_("Reversing this entry would leave the fund with less "
                                        "than nothing. Reverse the later disbursements first."))
            if original["loan_id"]:
                loan = self.loans.get(original["loan_id"])
                if original["kind"] == "disbursement":
                    self.loans.update(loan["id"], {"status": "approved", "disbursed_on": None})
                elif original["kind"] in ("repayment", "write_off") and \
                        loan["status"] in ("closed", "written_off") and \
                        self.state(loan["id"], max(self.today, on)).outstanding_principal > 0:
                    # principal is owed again (a write-off or a principal repayment undone)
                    self.loans.update(loan["id"], {"status": "disbursed", "closed_on": None,
                                                   "written_off_on": None})
        return entry

    # -- write-off --
    def request_write_off(self, loan_id: str, reason: str, on: date | None = None) -> dict:
        loan = self._loan(loan_id)
        self.session.require("update", "loan", loan)
        if loan["status"] != "disbursed":
            raise L.LoanError(_("Only an active loan can be written off."))
        if not (reason or "").strip():
            raise ValidationError({"writeoff_reason": _("Say why the loan should be written off.")})
        return self.loans.update(loan_id, {
            "writeoff_requested_by": self.session.actor.user_id,
            "writeoff_requested_on": _d(on or self.today).isoformat(),
            "writeoff_reason": reason.strip()})

    def approve_write_off(self, loan_id: str, on: date | None = None) -> dict:
        loan = self._loan(loan_id)
        if not loan["writeoff_requested_by"]:
            raise L.LoanError(_("Nobody has asked to write this loan off."))
        self._check_checker(loan, loan["writeoff_requested_by"], "write_off")
        if loan["status"] != "disbursed":
            raise L.LoanError(_("Only an active loan can be written off."))
        on = _d(on or self.today)
        self._not_future(on)
        if on < _d(loan["writeoff_requested_on"]):
            on = _d(loan["writeoff_requested_on"])
        state = self.state(loan, on)
        with self.session.transaction():
            self.entries.create({
                "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "write_off",
                "value_date": on.isoformat(), "currency": loan["currency"], "cash": 0,
                "principal": -state.outstanding_principal, "note": loan["writeoff_reason"],
                "office_id": loan["office_id"]})
            return self.loans.update(loan_id, {
                "status": "written_off", "written_off_by": self.session.actor.user_id,
                "written_off_on": on.isoformat()})

    def ledger(self, *, fund_id: str | None = None, loan_id: str | None = None) -> list[dict]:
        sql = "SELECT * FROM fund_entry WHERE deleted=0"
        args: list = []
        if fund_id:
            sql += " AND fund_id=?"
            args.append(fund_id)
        if loan_id:
            sql += " AND loan_id=?"
            args.append(loan_id)
        return _rows(self.conn, sql + " ORDER BY value_date, created_at", args)


def loan_state(conn, loan: dict, as_of: date) -> L.LoanState:
    """One loan's state on ``as_of`` from its schedule version and ledger (Python)."""
    cur = loan["currency"]
    version = _rows(conn, "SELECT * FROM loan_schedule WHERE loan_id=? AND deleted=0 AND "
                          "effective_from<=? ORDER BY version DESC LIMIT 1",
                    (loan["id"], as_of.isoformat()))
    entries = _rows(conn, "SELECT kind, value_date, principal, interest, penalty FROM fund_entry "
                          "WHERE loan_id=? AND deleted=0 AND value_date<=? ORDER BY value_date",
                    (loan["id"], as_of.isoformat()))
    disbursed = sum(e["principal"] for e in entries if e["kind"] == "disbursement")
    written = -sum(e["principal"] for e in entries if e["kind"] == "write_off")
    if not version or not disbursed:
        return L.LoanState(as_of, 0, 0, 0, 0, 0, None, None, 0, 0, 0, 0, 0)
    v = version[0]
    dues = [L.Due(r["number"], _d(r["due_date"]), r["principal"], r["interest"])
            for r in _rows(conn, "SELECT number, due_date, principal, interest FROM "
                                 "loan_instalment WHERE loan_id=? AND version=? AND deleted=0 "
                                 "ORDER BY number", (loan["id"], v["version"]))]
    payments = [L.Payment(_d(e["value_date"]), -e["principal"], e["interest"], e["penalty"])
                for e in entries if e["kind"] == "repayment"
                and e["value_date"] >= v["effective_from"]]
    return L.loan_state(
        dues, payments, as_of, amount=v["principal"], tolerance_days=loan["tolerance_days"],
        late_fee_percent=Decimal(loan["late_fee_percent"] or "0"), currency=cur,
        written_off=written)


# ---- portfolio (reports call these) --------------------------------------------------
_PORTFOLIO_SQL = """
WITH money AS (
    SELECT e.loan_id,
           SUM(e.principal) AS outstanding,
           SUM(CASE WHEN e.kind='repayment' THEN -e.principal ELSE 0 END) AS paid_p,
           SUM(CASE WHEN e.kind='repayment' THEN e.interest ELSE 0 END) AS paid_i,
           SUM(CASE WHEN e.kind='write_off' THEN -e.principal ELSE 0 END) AS written_off
    FROM fund_entry e
    WHERE e.deleted=0 AND e.loan_id IS NOT NULL AND e.value_date<=:as_of
    GROUP BY e.loan_id
),
base AS (
    SELECT l.id, l.office_id, l.fund_id, l.currency, l.person_id, l.number, l.amount,
           m.outstanding, m.paid_p, m.paid_i, m.written_off, s.version,
           m.paid_p - s.base_paid_principal AS vp, m.paid_i - s.base_paid_interest AS vi
    FROM money m
    JOIN loan l ON l.id = m.loan_id
    JOIN loan_schedule s ON s.loan_id = m.loan_id AND s.deleted=0 AND s.version = (
        SELECT MAX(s2.version) FROM loan_schedule s2
        WHERE s2.loan_id = m.loan_id AND s2.deleted=0 AND s2.effective_from<=:as_of)
    WHERE l.deleted=0 AND (:office IS NULL OR l.office_id=:office)
      AND (:fund IS NULL OR l.fund_id=:fund)
)
SELECT b.id, b.office_id, b.fund_id, b.currency, b.person_id, b.number, b.amount,
       b.outstanding, b.paid_p, b.paid_i, b.written_off,
       CASE WHEN b.outstanding > 0 OR b.written_off > 0 THEN
       (SELECT MAX(i.cum_principal) || ',' || MAX(i.cum_interest) || ',' ||
               COALESCE(MIN(CASE WHEN i.cum_principal > b.vp OR i.cum_interest > b.vi
                                 THEN i.due_date END), '')
          FROM loan_instalment i
         WHERE i.loan_id=b.id AND i.version=b.version AND i.deleted=0
           AND i.due_date<=:as_of) END AS due,
       b.vp, b.vi
FROM base b
"""


@dataclass(slots=True)
class LoanRow:
    id: str
    office_id: str
    fund_id: str
    currency: str
    person_id: str
    number: str
    amount: int
    outstanding: int
    paid_principal: int
    paid_interest: int
    written_off: int
    days_late: int
    principal_overdue: int
    interest_overdue: int
    # scheduled principal and interest fallen due in the current version (not looked up
    # for loans repaid in full: their repayment counts as complete)
    due_principal: int
    due_interest: int

    @property
    def overdue(self) -> int:
        return self.principal_overdue + self.interest_overdue if self.days_late else 0


def loan_rows(conn, as_of: date, office_id: str | None = None,
              fund_id: str | None = None) -> list[LoanRow]:
    """Every disbursed loan's outstanding principal and arrears on ``as_of`` (one query)."""
    as_of = _d(as_of)
    out = []
    for r in conn.execute(_PORTFOLIO_SQL, {"as_of": as_of.isoformat(), "office": office_id,
                                           "fund": fund_id}):
        (lid, office, fund, cur, person, number, amount, outstanding, paid_p, paid_i, written,
         due, vp, vi) = r
        if due:
            p_text, i_text, oldest = due.split(",")
            due_p, due_i = int(p_text), int(i_text)
        else:
            due_p, due_i, oldest = 0, 0, ""
        if outstanding <= 0:
            days, po, io = 0, 0, 0
        else:
            days = (as_of - date.fromisoformat(oldest)).days if oldest else 0
            po = min(max(due_p - vp, 0), outstanding)
            io = max(due_i - vi, 0)
        out.append(LoanRow(lid, office, fund, cur, person, number, amount, max(outstanding, 0),
                           paid_p, paid_i, written, days, po, io, due_p, due_i))
    return out


@dataclass
class CurrencyFigures:
    currency: str
    active: int = 0
    outstanding: int = 0
    at_risk: dict = field(default_factory=lambda: {1: 0, 30: 0, 90: 0})
    buckets: dict = field(default_factory=lambda: {k: [0, 0, 0] for k, _a, _b in L.BUCKETS})
    overdue: int = 0
    disbursed_count: int = 0
    disbursed_amount: int = 0
    due: int = 0
    collected: int = 0

    def par(self, days: int) -> Decimal | None:
        """Outstanding principal of loans more than ``days`` late / all outstanding principal."""
        if not self.outstanding:
            return None
        return Decimal(self.at_risk[days]) / Decimal(self.outstanding)

    @property
    def repayment_rate(self) -> Decimal | None:
        return Decimal(self.collected) / Decimal(self.due) if self.due else None


@dataclass
class Portfolio:
    as_of: date
    by_currency: dict[str, CurrencyFigures]
    borrowers: int
    women_borrowers: int
    returned_migrant_loans: int
    rows: list = field(default_factory=list, repr=False)   # the LoanRows it was built from

    @property
    def women_share(self) -> Decimal | None:
        return Decimal(self.women_borrowers) / self.borrowers if self.borrowers else None

    @property
    def repayment_rate(self) -> Decimal | None:
        """Over every currency: the share of amounts fallen due that were repaid, loan by
        loan (each loan weighs by its own amounts in its own currency, so currencies are
        combined as the mean of their rates weighted by the number of loans)."""
        rates = [(f.repayment_rate, f.active + 0) for f in self.by_currency.values()
                 if f.repayment_rate is not None]
        weight = sum(w for _r, w in rates)
        if not rates:
            return None
        if not weight:
            return rates[0][0]
        return sum((r * w for r, w in rates), Decimal(0)) / weight


def portfolio(conn, as_of: date, office_id: str | None = None,
              fund_id: str | None = None, since: date | None = None) -> Portfolio:
    """Portfolio figures on ``as_of``; ``since`` bounds 'disbursed in the period'."""
    as_of = _d(as_of)
    rows = loan_rows(conn, as_of, office_id, fund_id)
    figures: dict[str, CurrencyFigures] = {}
    for r in rows:
        f = figures.get(r.currency)
        if f is None:
            f = figures[r.currency] = CurrencyFigures(r.currency)
        out = r.outstanding
        if out > 0:
            f.active += 1
            f.outstanding += out
            days = r.days_late
            if days:
                for par_days in L.PAR_DAYS:
                    if L.at_risk(days, par_days):
                        f.at_risk[par_days] += out
                overdue = r.principal_overdue + r.interest_overdue
                b = f.buckets[L.bucket_of(days)]
                b[0] += 1
                b[1] += out
                b[2] += overdue
                f.overdue += overdue
        # repayment rate: what fell due against what was repaid of it; a loan repaid
        # in full early counts as fully repaid
        due = r.due_principal + r.due_interest
        paid = r.paid_principal + r.paid_interest
        if out <= 0 and not r.written_off:
            due = paid
        f.due += due
        f.collected += paid if paid < due else due
    sql = ("SELECT l.currency, COUNT(*), COALESCE(SUM(l.amount),0) FROM loan l WHERE l.deleted=0 "
           "AND l.disbursed_on IS NOT NULL AND l.disbursed_on<=? AND l.disbursed_on>=? "
           "AND (? IS NULL OR l.office_id=?) AND (? IS NULL OR l.fund_id=?) GROUP BY l.currency")
    for cur, count, amount in conn.execute(sql, (as_of.isoformat(),
                                                 (since or date(1900, 1, 1)).isoformat(),
                                                 office_id, office_id, fund_id, fund_id)):
        f = figures.get(cur) or figures.setdefault(cur, CurrencyFigures(cur))
        f.disbursed_count, f.disbursed_amount = count, amount
    borrowers, women, returned = _borrower_counts(conn, as_of, office_id, fund_id)
    return Portfolio(as_of, figures, borrowers, women, returned, rows)


def _borrower_counts(conn, as_of: date, office_id=None, fund_id=None) -> tuple[int, int, int]:
    row = conn.execute(
        "SELECT COUNT(DISTINCT l.person_id),"
        " COUNT(DISTINCT CASE WHEN p.sex='female' THEN l.person_id END),"
        " COUNT(CASE WHEN p.migration_status='returned' THEN 1 END)"
        # p.deleted = 0 as in the reports' share of women, and so the covering index
        # report_person answers: a look-up of each borrower's row reads a page of the
        # register per loan (1.2 s for 50,000 loans in a register of 1,000,000, now 0.3 s)
        " FROM loan l LEFT JOIN person p INDEXED BY report_person"
        " ON p.id=l.person_id AND p.deleted=0"
        " WHERE l.deleted=0 AND l.disbursed_on IS NOT NULL AND l.disbursed_on<=?"
        " AND (? IS NULL OR l.office_id=?) AND (? IS NULL OR l.fund_id=?)",
        (_d(as_of).isoformat(), office_id, office_id, fund_id, fund_id)).fetchone()
    return row[0], row[1], row[2]


@dataclass
class OverdueItem:
    loan_id: str
    number: str
    person_id: str
    borrower: str
    phones: str | None
    currency: str
    outstanding: int
    overdue: int
    days_late: int


def overdue_list(conn, as_of: date, office_id: str | None = None,
                 fund_id: str | None = None, min_days: int = 1,
                 rows: list | None = None) -> list[OverdueItem]:
    """Late loans on ``as_of``, most days late first, with the borrower's phone numbers.

    ``rows``: the loan rows of a portfolio already computed for the same filters.
    """
    if rows is None:
        rows = loan_rows(conn, as_of, office_id, fund_id)
    rows = [r for r in rows if r.outstanding > 0 and r.days_late >= min_days]
    if not rows:
        return []
    people = {}
    ids = list({r.person_id for r in rows})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for pid, fam, giv, phones in conn.execute(
                f"SELECT id, family_name, given_name, phones FROM person WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            people[pid] = (f"{fam} {giv}", phones)
    items = [OverdueItem(r.id, r.number, r.person_id, people.get(r.person_id, ("?", None))[0],
                         people.get(r.person_id, ("?", None))[1], r.currency, r.outstanding,
                         r.overdue, r.days_late) for r in rows]
    items.sort(key=lambda i: (-i.days_late, i.number))
    return items


# Functions for reports: (conn, as_of, office_id=None)
def loans_disbursed(conn, as_of: date, office_id: str | None = None,
                    since: date | None = None) -> dict[str, tuple[int, int]]:
    """currency -> (number of loans, amount in minor units) disbursed up to ``as_of``."""
    p = portfolio(conn, as_of, office_id, since=since)
    return {c: (f.disbursed_count, f.disbursed_amount) for c, f in p.by_currency.items()
            if f.disbursed_count}


def outstanding(conn, as_of: date, office_id: str | None = None) -> dict[str, int]:
    """currency -> outstanding principal in minor units on ``as_of``."""
    totals: dict[str, int] = {}
    for r in loan_rows(conn, as_of, office_id):
        if r.outstanding > 0:
            totals[r.currency] = totals.get(r.currency, 0) + r.outstanding
    return totals


def par(conn, as_of: date, office_id: str | None = None, days: int = 30) -> dict[str, Decimal]:
    """currency -> portfolio at risk (PAR``days``) as a fraction on ``as_of``."""
    p = portfolio(conn, as_of, office_id)
    return {c: f.par(days) for c, f in p.by_currency.items() if f.par(days) is not None}


def par30(conn, as_of: date, office_id: str | None = None) -> dict[str, Decimal]:
    return par(conn, as_of, office_id, 30)


def repayment_rate(conn, as_of: date, office_id: str | None = None) -> Decimal | None:
    return portfolio(conn, as_of, office_id).repayment_rate


def women_share(conn, as_of: date, office_id: str | None = None) -> Decimal | None:
    """Share of borrowers (with a loan disbursed up to ``as_of``) who are women."""
    borrowers, women, _r = _borrower_counts(conn, as_of, office_id)
    return Decimal(women) / borrowers if borrowers else None


def returned_migrant_loans(conn, as_of: date, office_id: str | None = None) -> int:
    return _borrower_counts(conn, as_of, office_id)[2]


def percent(value: Decimal | None, language: str | None = None) -> str:
    """A ratio as a percentage with one decimal, in the language's number format."""
    if value is None:
        return "—"
    from babel.numbers import format_percent
    from desktop_app.i18n import babel_locale
    return format_percent(value, format="#,##0.0%", locale=babel_locale(language))


def loans_of_people(conn, person_ids: list[str]) -> list[dict]:
    if not person_ids:
        return []
    marks = ",".join("?" * len(person_ids))
    return _rows(conn, f"SELECT * FROM loan WHERE deleted=0 AND person_id IN ({marks}) "
                       f"ORDER BY applied_on DESC, number DESC", person_ids)


def funds(conn, office_id: str | None = None) -> list[dict]:
    sql = "SELECT * FROM loan_fund WHERE deleted=0"
    args: list = []
    if office_id:
        sql += " AND office_id=?"
        args.append(office_id)
    return _rows(conn, sql + " ORDER BY name", args)


def loans_list(conn, *, status: str | None = None, office_id: str | None = None,
               fund_id: str | None = None, text: str | None = None,
               limit: int = 500) -> list[dict]:
    """Loans, newest application first; ``text`` matches the loan number or the borrower
    (name in any script, phone or document, as in the people search)."""
    sql = ("SELECT l.*, p.family_name || ' ' || p.given_name AS borrower, p.phones "
           "FROM loan l LEFT JOIN person p ON p.id=l.person_id WHERE l.deleted=0")
    args: list = []
    for col, val in (("status", status), ("office_id", office_id), ("fund_id", fund_id)):
        if val:
            sql += f" AND l.{col}=?"
            args.append(val)
    text = (text or "").strip()
    if text:
        from desktop_app.store.people.identity import identity_ids
        from desktop_app.store.people.repositories import search_people
        people: list[str] = []
        for hit in search_people(conn, text, limit=200):
            people.extend(identity_ids(conn, hit.id))
        marks = ",".join("?" * len(people))
        sql += f" AND (l.number LIKE ? {f'OR l.person_id IN ({marks})' if people else ''})"
        args += [f"%{text}%", *people]
    return _rows(conn, sql + " ORDER BY l.applied_on DESC, l.number DESC LIMIT ?", [*args, limit])
