"""Micro-loan arithmetic: repayment schedules, allocation of repayments, arrears.

Pure Python with ``Decimal``. Amounts are rounded ROUND_HALF_UP to the currency's minor
unit (ISO 4217, the same as Babel's ``get_currency_precision``); the last instalment
absorbs every rounding remainder so that the principal parts add up exactly to the loan
amount and flat interest adds up exactly to principal x rate x time.

Amounts stored in the database are integers of minor units (``to_minor``/``from_minor``).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from desktop_app.i18n import N_, NP_, Domain

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

# ISO 4217 minor units of the currencies the offices use (UZS has 2 in ISO 4217 and CLDR).
MINOR_UNITS = {"TJS": 2, "USD": 2, "RUB": 2, "KZT": 2, "KGS": 2, "UZS": 2, "EUR": 2}
CURRENCIES = ("TJS", "UZS", "KGS", "KZT", "RUB", "USD")

METHODS = {"flat": N_("Flat"), "declining": N_("Declining balance")}
AMORTISATIONS = {"equal_instalments": N_("Equal instalments"),
                 "equal_principal": N_("Equal principal")}
FREQUENCIES = {"monthly": N_("Monthly"), "fortnightly": N_("Fortnightly"),
               "weekly": N_("Weekly")}
PERIODS_PER_YEAR = {"monthly": 12, "fortnightly": 26, "weekly": 52}
ALLOCATION_PARTS = ("penalty", "interest", "principal")
DEFAULT_ALLOCATION = ("penalty", "interest", "principal")

STATUSES = {
    "applied": N_("Applied"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "disbursed": NP_("loan status", "Active"),  # a user account is "Active" too
    "closed": N_("Closed"),
    "written_off": N_("Written off"),
}

# Ageing buckets of days late: (key, first day, last day or None)
BUCKETS = (("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), (">90", 91, None))
PAR_DAYS = (1, 30, 90)


class LoanError(ValueError):
    """A problem with loan terms or a money movement; the message is fit to show."""


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise LoanError(_("Unknown currency {currency}.").format(currency=currency)) from None


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(value: Decimal, currency: str) -> Decimal:
    return Decimal(value).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def to_minor(value: Decimal, currency: str) -> int:
    """Decimal amount -> integer minor units (refuses amounts finer than the minor unit)."""
    value = Decimal(value)
    scaled = value.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise LoanError(_("{amount} has more decimals than {currency} allows.").format(
            amount=value, currency=currency))
    return int(scaled)


def from_minor(value: int, currency: str) -> Decimal:
    return Decimal(int(value)).scaleb(-minor_units(currency)).quantize(quantum(currency))


def parse_amount(text: str | Decimal | int, currency: str) -> Decimal:
    """A positive amount typed by a person ("1 500,50" or "1500.50")."""
    if isinstance(text, (Decimal, int)):
        value = Decimal(text)
    else:
        cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise LoanError(_("{text} is not an amount of money.").format(text=text)) from None
    if not value.is_finite() or value <= 0:
        raise LoanError(_("Enter an amount greater than zero."))
    to_minor(value, currency)  # refuses too many decimals
    return value


# ---- terms and schedules ---------------------------------------------------------
@dataclass(frozen=True)
class Terms:
    """Loan terms copied from a product at application (a product edit changes no loan)."""
    amount: Decimal
    currency: str
    annual_rate: Decimal          # percent per year, e.g. Decimal("24")
    term: int                     # number of instalments
    frequency: str = "monthly"
    method: str = "declining"
    amortisation: str = "equal_instalments"
    grace: int = 0                # first instalments with interest only
    tolerance_days: int = 0       # days after a due date before an instalment counts as late
    late_fee_percent: Decimal = Decimal(0)  # once per instalment paid late (of its total)
    allocation: tuple[str, ...] = DEFAULT_ALLOCATION

    def check(self) -> None:
        errors = validate_terms(self)
        if errors:
            raise LoanError(" ".join(errors.values()))


def validate_terms(t: Terms) -> dict[str, str]:
    errors: dict[str, str] = {}
    if t.currency not in MINOR_UNITS:
        errors["currency"] = _("Unknown currency {currency}.").format(currency=t.currency)
        return errors
    amount_error = _amount_error(t)
    if amount_error:
        errors["amount"] = amount_error
    if t.annual_rate is None or t.annual_rate < 0 or t.annual_rate > 200:
        errors["annual_rate"] = _("The yearly rate must be between 0 and 200 percent.")
    if not isinstance(t.term, int) or t.term < 1 or t.term > 260:
        errors["term"] = _("The term must be between 1 and 260 instalments.")
    if t.frequency not in FREQUENCIES:
        errors["frequency"] = _("Choose monthly, fortnightly or weekly repayments.")
    if t.method not in METHODS:
        errors["method"] = _("Choose flat or declining-balance interest.")
    if t.amortisation not in AMORTISATIONS:
        errors["amortisation"] = _("Choose equal instalments or equal principal.")
    if isinstance(t.term, int) and (t.grace < 0 or t.grace >= max(t.term, 1)):
        errors["grace"] = _("The grace period must be shorter than the term.")
    if t.tolerance_days < 0:
        errors["tolerance_days"] = _("Tolerance days cannot be negative.")
    if t.late_fee_percent < 0 or t.late_fee_percent > 100:
        errors["late_fee_percent"] = _("The late fee must be between 0 and 100 percent.")
    if sorted(t.allocation) != sorted(ALLOCATION_PARTS):
        errors["allocation"] = _("The allocation order must name penalty, interest and "
                                 "principal once each.")
    return errors


def _amount_error(t: Terms) -> str | None:
    if t.amount is None or t.amount <= 0:
        return _("Enter an amount greater than zero.")
    if round_money(t.amount, t.currency) != t.amount:
        return _("{amount} has more decimals than {currency} allows.").format(
            amount=t.amount, currency=t.currency)
    if isinstance(t.term, int) and t.term >= 1 and t.amount < t.term:
        return _("The amount is too small for {term} instalments.").format(term=t.term)
    return None


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance_after: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def due_date(start: date, frequency: str, number: int) -> date:
    if frequency == "monthly":
        return add_months(start, number)
    if frequency == "fortnightly":
        return start + timedelta(days=14 * number)
    return start + timedelta(days=7 * number)


def period_rate(t: Terms) -> Decimal:
    """Interest rate per instalment period as a fraction (not rounded)."""
    return Decimal(t.annual_rate) / Decimal(100) / PERIODS_PER_YEAR[t.frequency]


def annuity_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The unrounded level payment repaying ``principal`` over ``periods`` at ``rate``."""
    if rate == 0:
        return principal / periods
    return principal * rate / (1 - (1 + rate) ** -periods)


def flat_interest_total(t: Terms) -> Decimal:
    """principal x yearly rate x time in years, rounded to the minor unit."""
    years = Decimal(t.term) / PERIODS_PER_YEAR[t.frequency]
    return round_money(t.amount * Decimal(t.annual_rate) / 100 * years, t.currency)


def _split_evenly(total: Decimal, parts: int, currency: str) -> list[Decimal]:
    each = round_money(total / parts, currency)
    if each * (parts - 1) > total:
        # rounding up would leave the last part negative (tiny amounts, long terms)
        each = (total / parts).quantize(quantum(currency), rounding=ROUND_DOWN)
    values = [each] * (parts - 1)
    values.append(total - each * (parts - 1))
    return values


def schedule(t: Terms, start: date) -> list[Instalment]:
    """The repayment schedule of a loan disbursed on ``start``."""
    t.check()
    cur = t.currency
    n = t.term
    amortising = n - t.grace
    rate = period_rate(t)
    rows: list[Instalment] = []
    balance = round_money(t.amount, cur)
    if t.method == "flat":
        interests = _split_evenly(flat_interest_total(t), n, cur)
        zero = round_money(Decimal(0), cur)
        principals = [zero] * t.grace + _split_evenly(t.amount, amortising, cur)
        for k in range(n):
            balance -= principals[k]
            rows.append(Instalment(k + 1, due_date(start, t.frequency, k + 1), principals[k],
                                   interests[k], balance))
        return rows
    payment = round_money(annuity_payment(t.amount, rate, amortising), cur)
    even_principal = round_money(t.amount / amortising, cur)
    for k in range(n):
        interest = round_money(balance * rate, cur)
        if k < t.grace:
            principal = round_money(Decimal(0), cur)
        elif k == n - 1:
            principal = balance
        elif t.amortisation == "equal_instalments":
            principal = min(max(payment - interest, Decimal(0)), balance)
        else:
            principal = min(even_principal, balance)
        balance -= principal
        rows.append(Instalment(k + 1, due_date(start, t.frequency, k + 1), principal,
                               interest, balance))
    return rows


def schedule_totals(rows: list[Instalment]) -> tuple[Decimal, Decimal]:
    return (sum((r.principal for r in rows), Decimal(0)),
            sum((r.interest for r in rows), Decimal(0)))


# ---- state of a loan on a date -----------------------------------------------------
@dataclass(frozen=True)
class Due:
    """One scheduled instalment in minor units."""
    number: int
    due_date: date
    principal: int
    interest: int


@dataclass(frozen=True)
class Payment:
    """A repayment's split in minor units (a reversal has negative parts)."""
    value_date: date
    principal: int
    interest: int
    penalty: int


@dataclass
class LoanState:
    """What a loan owes on a date, in minor units."""
    as_of: date
    outstanding_principal: int
    principal_due: int          # scheduled principal due up to as_of, unpaid
    interest_due: int
    penalty_due: int
    days_late: int              # days since the oldest unpaid due date (0 when none)
    oldest_unpaid: date | None
    next_due: date | None
    next_amount: int
    paid_principal: int
    paid_interest: int
    paid_penalty: int
    penalties_charged: int
    instalments_late: list[int] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return self.principal_due + self.interest_due + self.penalty_due if self.days_late else 0

    @property
    def due_now(self) -> int:
        return self.principal_due + self.interest_due + self.penalty_due

    @property
    def payoff(self) -> int:
        """Everything needed to close the loan today (future interest is not charged)."""
        return self.outstanding_principal + self.interest_due + self.penalty_due


def penalty_charges(dues: list[Due], payments: list[Payment], tolerance_days: int,
                    late_fee_percent: Decimal, currency: str) -> list[tuple[date, int]]:
    """(charge date, amount) for each instalment not fully paid by due date + tolerance."""
    if not late_fee_percent:
        return []
    charges = []
    cum_due = 0
    ordered = sorted(payments, key=lambda p: p.value_date)
    for d in dues:
        cum_due += d.principal + d.interest
        deadline = d.due_date + timedelta(days=tolerance_days)
        paid = sum(p.principal + p.interest for p in ordered if p.value_date <= deadline)
        if paid < cum_due:
            fee = from_minor(d.principal + d.interest, currency) * late_fee_percent / 100
            amount = to_minor(round_money(fee, currency), currency)
            if amount:
                charges.append((deadline + timedelta(days=1), amount))
    return charges


def loan_state(dues: list[Due], payments: list[Payment], as_of: date, *, amount: int,
               tolerance_days: int = 0, late_fee_percent: Decimal = Decimal(0),
               currency: str = "TJS", written_off: int = 0) -> LoanState:
    """Outstanding, due and late amounts of one loan on ``as_of``.

    Payments are compared with the schedule cumulatively: principal and interest paid
    so far cover the oldest instalments first, so a prepayment counts toward later
    instalments and the oldest instalment not covered gives the days late.
    """
    upto = [p for p in payments if p.value_date <= as_of]
    paid_p = sum(p.principal for p in upto)
    paid_i = sum(p.interest for p in upto)
    paid_pen = sum(p.penalty for p in upto)
    outstanding = amount - paid_p - written_off
    charges = penalty_charges(dues, payments, tolerance_days, late_fee_percent, currency)
    charged = sum(a for d, a in charges if d <= as_of)
    cum_p = cum_i = 0
    oldest = None
    late: list[int] = []
    next_due, next_amount = None, 0
    for d in dues:
        if d.due_date <= as_of:
            cum_p += d.principal
            cum_i += d.interest
            if oldest is None and (cum_p > paid_p or cum_i > paid_i):
                oldest = d.due_date
            if cum_p > paid_p or cum_i > paid_i:
                late.append(d.number)
        elif next_due is None:
            next_due = d.due_date
            next_amount = max(0, min(cum_p + d.principal - paid_p, outstanding)) + max(
                0, cum_i + d.interest - paid_i)
    if outstanding <= 0:
        # paid off (or written off): nothing more is due, future interest is not charged
        return LoanState(as_of, max(outstanding, 0), 0, 0, max(charged - paid_pen, 0), 0, None,
                         None, 0, paid_p, paid_i, paid_pen, charged)
    principal_due = min(max(cum_p - paid_p, 0), outstanding)
    interest_due = max(cum_i - paid_i, 0)
    penalty_due = max(charged - paid_pen, 0)
    days = 0
    if oldest is not None:
        days = max((as_of - oldest).days, 0)
    return LoanState(as_of, outstanding, principal_due, interest_due, penalty_due, days, oldest,
                     next_due, next_amount, paid_p, paid_i, paid_pen, charged, late)


@dataclass(frozen=True)
class Allocation:
    penalty: int
    interest: int
    principal: int
    prepaid_principal: int = 0

    @property
    def total(self) -> int:
        return self.penalty + self.interest + self.principal + self.prepaid_principal


class PrepaymentNeeded(LoanError):
    """The payment is more than what is due now: the person must choose to prepay or refuse."""

    def __init__(self, message: str, due_now: int, payoff: int):
        super().__init__(message)
        self.due_now = due_now
        self.payoff = payoff


def allocate(state: LoanState, amount: int, order: tuple[str, ...] = DEFAULT_ALLOCATION, *,
             prepay: bool = False, currency: str = "TJS") -> Allocation:
    """Split a repayment of ``amount`` minor units: what is due, in ``order``, then prepayment."""
    if amount <= 0:
        raise LoanError(_("Enter an amount greater than zero."))
    if amount > state.payoff:
        raise LoanError(_("The payment of {amount} is more than the {payoff} needed to repay "
                          "the whole loan. Enter at most {payoff}.").format(
            amount=from_minor(amount, currency), payoff=from_minor(state.payoff, currency)))
    if amount > state.due_now and not prepay:
        raise PrepaymentNeeded(
            _("The payment of {amount} is more than the {due} due now. Record the difference "
              "as an early repayment of principal, or enter at most {due}.").format(
                amount=from_minor(amount, currency), due=from_minor(state.due_now, currency)),
            state.due_now, state.payoff)
    remaining = amount
    parts = {"penalty": 0, "interest": 0, "principal": 0}
    owed = {"penalty": state.penalty_due, "interest": state.interest_due,
            "principal": state.principal_due}
    for part in order:
        take = min(remaining, owed[part])
        parts[part] = take
        remaining -= take
    prepaid = min(remaining, state.outstanding_principal - parts["principal"])
    return Allocation(parts["penalty"], parts["interest"], parts["principal"], prepaid)


def at_risk(days_late: int, par_days: int) -> bool:
    """Whether a loan this many days late counts in PAR``par_days``: PAR1 takes every late
    loan (1 day or more), PAR30 and PAR90 those late more than 30 or 90 days."""
    return days_late >= 1 if par_days == 1 else days_late > par_days


def bucket_of(days_late: int) -> str | None:
    for key, first, last in BUCKETS:
        if days_late >= first and (last is None or days_late <= last):
            return key
    return None


def terms_with(t: Terms, **changes) -> Terms:
    return replace(t, **changes)


# Texts of the borrower's repayment card (translated into the borrower's language when
# the card is printed; see reports/loan_card.py).
CARD_TEXT = {
    "title": N_("Repayment card"),
    "borrower": N_("Borrower"),
    "loan": N_("Loan number"),
    "amount": N_("Amount lent"),
    "disbursed": N_("Disbursed on"),
    "terms": N_("Terms"),
    "terms_value": N_("{rate} a year, {method}, {term} instalments ({frequency})"),
    "guarantor": N_("Guarantor"),
    "purpose": N_("Purpose"),
    "no": N_("No."),
    "due": N_("Due date"),
    "principal": N_("Principal"),
    "interest": N_("Interest"),
    "payment": N_("To pay"),
    "balance": N_("Balance after"),
    "paid_on": N_("Paid on"),
    "paid": N_("Amount paid"),
    "signature": N_("Signature"),
    "total": N_("Total"),
    "footer": N_("Please pay each instalment on or before its due date at the office. "
                 "Keep this card and ask for a receipt for every payment."),
    "late_fee": N_("An instalment not paid within {days} days after its due date costs a "
                   "late fee of {percent} percent of the instalment."),
    "version": N_("Schedule version {version} from {date}"),
}


def card_texts(language: str) -> dict[str, str]:
    """The card's texts in ``language`` (looked up in the loans catalog, whatever the
    UI language and whichever module prints the card)."""
    translate = DOMAIN.in_language(language).gettext
    return {key: translate(text) for key, text in CARD_TEXT.items()}


def vocabulary_label(language: str, vocabulary: dict[str, str], code: str) -> str:
    """A vocabulary label (method, frequency, status ...) in ``language``."""
    return DOMAIN.in_language(language).gettext(vocabulary.get(code, code))
