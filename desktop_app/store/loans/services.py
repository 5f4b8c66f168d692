"""Micro-loans: the loan life cycle and fund movements, as functions taking the session.

Each function is one transaction, nothing half-saved. Money movements are ``fund_entry``
rows (append-only); a mistake is corrected by :func:`reverse`. ``today`` (default: the
real date) is the day against which dates in the future are refused.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, format_date
from desktop_app.store.loans.queries import (
    as_date,
    current_schedule,
    loan_state,
    lowest_balance_from,
    product_terms,
)
from desktop_app.store.loans.repositories import (
    LOAN_NOT_FOUND,
    FundEntryRepository,
    FundRepository,
    InstalmentRepository,
    LoanRepository,
    ScheduleRepository,
    terms_of,
)
from desktop_app.store.repository import NotFound, ValidationError
from desktop_app.store.sequences import next_number
from desktop_app.store.session import PermissionDenied, Session

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

APPROVE_ACTION = "approve_loan"


# -- funds --
def create_fund(session: Session, name: str, currency: str, notes: str | None = None,
                office_id: str | None = None) -> dict:
    values = {"name": name, "currency": currency, "notes": notes}
    if office_id:
        values["office_id"] = office_id
    return FundRepository(session).create(values)


def add_capital(session: Session, fund_id: str, amount: Decimal | int | str, value_date: date,
                currency: str | None = None, note: str | None = None, *,
                today: date | None = None) -> dict:
    fund = _fund(session, fund_id)
    cur = fund["currency"]
    if currency and currency != cur:
        raise L.LoanError(_("This fund keeps its money in {fund_currency}; an amount in "
                            "{currency} cannot be entered.").format(
            fund_currency=cur, currency=currency))
    minor = L.to_minor(L.parse_amount(amount, cur), cur)
    _not_future(_today(today), value_date)
    return FundEntryRepository(session).create({
        "fund_id": fund_id, "kind": "capital", "currency": cur,
        "value_date": as_date(value_date).isoformat(), "cash": minor, "note": note,
        "office_id": fund["office_id"]})


def _fund(session: Session, fund_id: str) -> dict:
    fund = FundRepository(session).get(fund_id)
    if fund is None:
        raise L.LoanError(_("The fund was not found; it may have been deleted."))
    return fund


def _today(today: date | None) -> date:
    return today or date.today()


def _not_future(today: date, value_date) -> None:
    if as_date(value_date) > today:
        raise L.LoanError(_("The date {date} is in the future.").format(
            date=as_date(value_date).isoformat()))


# -- application and decision --
def apply(session: Session, *, person_id: str, fund_id: str, amount, purpose: str,
          product_code: str | None = None, terms: dict | None = None,
          applied_on: date | None = None, guarantor_name: str | None = None,
          guarantor_phone: str | None = None, guarantor_person_id: str | None = None,
          purpose_note: str | None = None, borrower_language: str | None = None,
          today: date | None = None) -> dict:
    fund = _fund(session, fund_id)
    cur = fund["currency"]
    errors: dict[str, str] = {}
    if not person_id or session.conn.execute(
            "SELECT 1 FROM person WHERE id=? AND deleted=0", (person_id,)).fetchone() is None:
        errors["person_id"] = _("Choose the borrower.")
    if not purpose:
        errors["purpose"] = _("Choose the purpose of the loan.")
    values = dict(product_terms(session.conn, product_code) if product_code else {})
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
    applied = as_date(applied_on or _today(today))
    with session.transaction():
        number = next_number(session, "LN", applied.year)
        return LoanRepository(session).create({
            **values, "number": number, "fund_id": fund_id, "person_id": person_id,
            "purpose": purpose, "purpose_note": purpose_note, "amount": minor,
            "currency": cur, "guarantor_name": guarantor_name,
            "guarantor_phone": guarantor_phone, "guarantor_person_id": guarantor_person_id,
            "borrower_language": borrower_language, "status": "applied",
            "applied_on": applied.isoformat(), "office_id": fund["office_id"]})


def _loan(session: Session, loan_id: str) -> dict:
    try:
        return LoanRepository(session).require(loan_id)
    except NotFound:
        raise L.LoanError(_(LOAN_NOT_FOUND)) from None


def _schedule(session: Session, loan_id: str) -> dict:
    """The current schedule of a disbursed loan (disbursing writes the first one)."""
    schedule = current_schedule(session.conn, loan_id)
    if schedule is None:
        raise LookupError(f"loan {loan_id} has no schedule")
    return schedule


def _check_checker(session: Session, loan: dict, maker: str | None, what: str) -> None:
    actor = session.actor
    session.require(APPROVE_ACTION, "loan", loan)
    if maker and actor.user_id == maker:
        if what == "approve":
            raise PermissionDenied(_("You entered this loan application, so another user "
                                     "must approve it."))
        raise PermissionDenied(_("You asked for this write-off, so another user must "
                                 "approve it."))


def approve(session: Session, loan_id: str, note: str | None = None, on: date | None = None, *,
            today: date | None = None) -> dict:
    loan = _loan(session, loan_id)
    _check_checker(session, loan, loan["created_by"], "approve")
    if loan["status"] != "applied":
        raise L.LoanError(_("Only an application waiting for a decision can be approved."))
    return LoanRepository(session).update(loan_id, {
        "status": "approved", "decided_by": session.actor.user_id,
        "decided_on": as_date(on or _today(today)).isoformat(), "decision_note": note})


def reject(session: Session, loan_id: str, note: str | None = None, on: date | None = None, *,
           today: date | None = None) -> dict:
    loan = _loan(session, loan_id)
    _check_checker(session, loan, loan["created_by"], "approve")
    if loan["status"] != "applied":
        raise L.LoanError(_("Only an application waiting for a decision can be rejected."))
    return LoanRepository(session).update(loan_id, {
        "status": "rejected", "decided_by": session.actor.user_id,
        "decided_on": as_date(on or _today(today)).isoformat(), "decision_note": note})


# -- disbursement and schedule --
def disburse(session: Session, loan_id: str, on: date | None = None, *,
             today: date | None = None) -> dict:
    loan = _loan(session, loan_id)
    today = _today(today)
    on = as_date(on or today)
    session.require("disburse", "loan", loan)
    if loan["status"] != "approved":
        raise L.LoanError(_("Only an approved loan can be disbursed."))
    if on < as_date(loan["applied_on"]):
        raise L.LoanError(_("The disbursement date is before the application date."))
    _not_future(today, on)
    with session.transaction():
        lowest = lowest_balance_from(session.conn, loan["fund_id"], on.isoformat())
        if lowest < loan["amount"]:
            raise L.LoanError(_(
                "The fund has only {balance} {currency} available on {date}; it cannot lend "
                "{amount} {currency}. Add capital or lend less.").format(
                balance=L.from_minor(max(lowest, 0), loan["currency"]),
                currency=loan["currency"], date=on.isoformat(),
                amount=L.from_minor(loan["amount"], loan["currency"])))
        FundEntryRepository(session).create({
            "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "disbursement",
            "value_date": on.isoformat(), "currency": loan["currency"],
            "cash": -loan["amount"], "principal": loan["amount"],
            "office_id": loan["office_id"]})
        _write_schedule(session, loan, 1, on, loan["amount"], 0, 0, None, loan)
        return LoanRepository(session).update(loan_id, {"status": "disbursed",
                                                        "disbursed_on": on.isoformat()})


def _write_schedule(session: Session, loan, version, start: date, principal: int,
                    base_p: int, base_i: int, reason, terms_src: dict,
                    extra_interest: int = 0) -> None:
    terms = terms_of(loan, terms_src, amount=principal)
    rows = L.schedule(terms, start)
    ScheduleRepository(session).create({
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
    InstalmentRepository(session).create_many(items)


def reschedule(session: Session, loan_id: str, on: date, *, term: int, annual_rate=None,
               frequency: str | None = None, method: str | None = None,
               amortisation: str | None = None, grace: int = 0,
               reason: str | None = None) -> dict:
    """A new schedule version for what is owed on ``on``; earlier versions are kept.

    Overdue interest on ``on`` is added to the new first instalment.
    """
    loan = _loan(session, loan_id)
    session.require("update", "loan", loan)
    on = as_date(on)
    if loan["status"] != "disbursed":
        raise L.LoanError(_("Only an active loan can be rescheduled."))
    current = _schedule(session, loan_id)
    if on < as_date(current["effective_from"]):
        raise L.LoanError(_("A new schedule cannot start before the current one."))
    last_payment = session.conn.execute(
        "SELECT MAX(value_date) FROM fund_entry WHERE loan_id=? AND kind='repayment' "
        "AND deleted=0", (loan_id,)).fetchone()[0]
    if last_payment and last_payment >= on.isoformat():
        raise L.LoanError(_("There are repayments on or after {date}; start the new "
                            "schedule after the last repayment.").format(date=format_date(on)))
    state = loan_state(session.conn, loan, on)
    src = {"annual_rate": str(annual_rate if annual_rate is not None else current["annual_rate"]),
           "term": term, "frequency": frequency or current["frequency"],
           "method": method or current["method"],
           "amortisation": amortisation or current["amortisation"], "grace": grace}
    terms_of(loan, src, amount=max(state.outstanding_principal, 1)).check()
    with session.transaction():
        _write_schedule(session, loan, current["version"] + 1, on,
                        state.outstanding_principal, state.paid_principal,
                        state.paid_interest, reason, src, extra_interest=state.interest_due)
    return _schedule(session, loan_id)


# -- repayments --
def repay(session: Session, loan_id: str, amount, on: date, *, currency: str | None = None,
          prepay: bool = False, note: str | None = None, today: date | None = None) -> dict:
    """Record a repayment; its split follows the loan's allocation order.

    Raises PrepaymentNeeded when more than what is due now is paid and ``prepay`` is
    false, LoanError for amounts over the whole debt, dates before disbursement or in
    the future, or another currency. Nothing is written then.
    """
    loan = _loan(session, loan_id)
    on = as_date(on)
    session.require("repay", "loan", loan)
    cur = loan["currency"]
    if currency and currency != cur:
        raise L.LoanError(_("This loan is in {loan_currency}; a repayment in {currency} "
                            "cannot be entered. Convert it to {loan_currency} first.").format(
            loan_currency=cur, currency=currency))
    if loan["status"] not in ("disbursed",):
        raise L.LoanError(_("Repayments can be entered only for an active loan."))
    if on < as_date(loan["disbursed_on"]):
        raise L.LoanError(_("The repayment date {date} is before the loan was disbursed on "
                            "{disbursed}.").format(date=format_date(on),
                                                   disbursed=format_date(loan["disbursed_on"])))
    current = _schedule(session, loan_id)
    if on < as_date(current["effective_from"]):
        raise L.LoanError(_("The repayment date {date} is before the current schedule "
                            "started on {start}.").format(date=format_date(on),
                                                         start=format_date(current["effective_from"])))
    later = session.conn.execute(
        "SELECT MAX(value_date) FROM fund_entry WHERE loan_id=? AND deleted=0 "
        "AND kind IN ('repayment','write_off')", (loan_id,)).fetchone()[0]
    if later and later > on.isoformat():
        raise L.LoanError(_("A later repayment on {date} is already entered. Enter "
                            "repayments in date order, or reverse the later one first.")
                          .format(date=format_date(later)))
    _not_future(_today(today), on)
    minor = L.to_minor(L.parse_amount(amount, cur), cur)
    state = loan_state(session.conn, loan, on)
    order = tuple((loan["allocation"] or "penalty,interest,principal").split(","))
    split = L.allocate(state, minor, order, prepay=prepay, currency=cur)
    principal = split.principal + split.prepaid_principal
    with session.transaction():
        entry = FundEntryRepository(session).create({
            "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "repayment",
            "value_date": on.isoformat(), "currency": cur, "cash": minor,
            "principal": -principal, "interest": split.interest, "penalty": split.penalty,
            "note": note, "office_id": loan["office_id"]})
        if principal == state.outstanding_principal:
            LoanRepository(session).update(loan_id, {"status": "closed",
                                                     "closed_on": on.isoformat()})
    return entry


def reverse(session: Session, entry_id: str, on: date | None = None, note: str | None = None,
            *, today: date | None = None) -> dict:
    """Correct a ledger entry by an entry that negates it (the original stays)."""
    original = FundEntryRepository(session).get(entry_id)
    if original is None:
        raise L.LoanError(_("The entry was not found."))
    session.require("reverse", "fund_entry", original)
    if original["reverses_id"]:
        raise L.LoanError(_("A reversal cannot itself be reversed; enter the movement again."))
    if session.conn.execute("SELECT 1 FROM fund_entry WHERE reverses_id=? AND deleted=0",
                            (entry_id,)).fetchone():
        raise L.LoanError(_("This entry has already been reversed."))
    if original["kind"] == "disbursement":
        has_payments = session.conn.execute(
            "SELECT 1 FROM fund_entry WHERE loan_id=? AND kind='repayment' AND deleted=0",
            (original["loan_id"],)).fetchone()
        if has_payments:
            raise L.LoanError(_("Reverse the repayments of this loan before its "
                                "disbursement."))
    on = as_date(on or original["value_date"])
    if on < as_date(original["value_date"]):
        raise L.LoanError(_("A reversal cannot be dated before the entry it corrects."))
    with session.transaction():
        entry = FundEntryRepository(session).create({
            "fund_id": original["fund_id"], "loan_id": original["loan_id"],
            "kind": original["kind"], "value_date": original["value_date"],
            "currency": original["currency"], "cash": -original["cash"],
            "principal": -original["principal"], "interest": -original["interest"],
            "penalty": -original["penalty"], "reverses_id": entry_id,
            "note": note, "office_id": original["office_id"]})
        if original["cash"] > 0:
            lowest = lowest_balance_from(session.conn, original["fund_id"],
                                         original["value_date"])
            if lowest < 0:
                raise L.LoanError(_("Reversing this entry would leave the fund with less "
                                    "than nothing. Reverse the later disbursements first."))
        if original["loan_id"]:
            loans = LoanRepository(session)
            loan = loans.require(original["loan_id"])
            if original["kind"] == "disbursement":
                loans.update(loan["id"], {"status": "approved", "disbursed_on": None})
            elif original["kind"] in ("repayment", "write_off") and \
                    loan["status"] in ("closed", "written_off") and \
                    loan_state(session.conn, loan["id"],
                               max(_today(today), on)).outstanding_principal > 0:
                # principal is owed again (a write-off or a principal repayment undone)
                loans.update(loan["id"], {"status": "disbursed", "closed_on": None,
                                          "written_off_on": None})
    return entry


# -- write-off --
def request_write_off(session: Session, loan_id: str, reason: str, on: date | None = None, *,
                      today: date | None = None) -> dict:
    loan = _loan(session, loan_id)
    session.require("update", "loan", loan)
    if loan["status"] != "disbursed":
        raise L.LoanError(_("Only an active loan can be written off."))
    if not (reason or "").strip():
        raise ValidationError({"writeoff_reason": _("Say why the loan should be written off.")})
    return LoanRepository(session).update(loan_id, {
        "writeoff_requested_by": session.actor.user_id,
        "writeoff_requested_on": as_date(on or _today(today)).isoformat(),
        "writeoff_reason": reason.strip()})


def approve_write_off(session: Session, loan_id: str, on: date | None = None, *,
                      today: date | None = None) -> dict:
    loan = _loan(session, loan_id)
    if not loan["writeoff_requested_by"]:
        raise L.LoanError(_("Nobody has asked to write this loan off."))
    _check_checker(session, loan, loan["writeoff_requested_by"], "write_off")
    if loan["status"] != "disbursed":
        raise L.LoanError(_("Only an active loan can be written off."))
    today = _today(today)
    on = as_date(on or today)
    _not_future(today, on)
    if on < as_date(loan["writeoff_requested_on"]):
        on = as_date(loan["writeoff_requested_on"])
    state = loan_state(session.conn, loan, on)
    with session.transaction():
        FundEntryRepository(session).create({
            "fund_id": loan["fund_id"], "loan_id": loan_id, "kind": "write_off",
            "value_date": on.isoformat(), "currency": loan["currency"], "cash": 0,
            "principal": -state.outstanding_principal, "note": loan["writeoff_reason"],
            "office_id": loan["office_id"]})
        return LoanRepository(session).update(loan_id, {
            "status": "written_off", "written_off_by": session.actor.user_id,
            "written_off_on": on.isoformat()})
