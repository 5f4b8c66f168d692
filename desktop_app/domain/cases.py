"""Cases, referrals, follow-ups, inspections: vocabularies, transitions, money, validation.

Pure Python. Labels of codes (categories, statuses, targets ...) are reference data
(db/reference/cases.csv); only messages live here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from desktop_app.domain.people import as_date
from desktop_app.i18n import N_, Domain, babel_locale, format_date

DOMAIN = Domain("cases")
_ = DOMAIN.gettext

STATUSES = ("new", "in_progress", "referred", "resolved", "closed")
OPEN_STATUSES = ("new", "in_progress", "referred")
# status -> statuses it may move to. Leaving resolved/closed for in_progress is a reopening.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_progress", "referred", "resolved", "closed"),
    "in_progress": ("referred", "resolved", "closed"),
    "referred": ("in_progress", "resolved", "closed"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}
REOPEN_FROM = ("resolved", "closed")
RISK_LEVELS = ("low", "medium", "high", "critical")
SENSITIVE_CATEGORIES = ("trafficking", "sexual_exploitation")
REFERRAL_STATUSES = ("sent", "accepted", "declined", "completed", "no_answer")
EVENT_KINDS = ("note", "call", "status", "reopened", "referral", "follow_up", "outcome",
               "person_linked", "assigned", "inspection")
INSPECTION_TRIGGERS = ("complaint", "planned", "accident", "follow_up")
MINOR_AGE = 18

# ISO 4217 codes in use in the region, with their minor-unit exponent.
CURRENCIES: dict[str, int] = {"TJS": 2, "UZS": 2, "KGS": 2, "KZT": 2, "RUB": 2, "USD": 2,
                              "EUR": 2}

# Headings of the case PDF, marked here so they land in the cases catalog.
PDF_LABELS = {
    "title": N_("Case file {number}"),
    "printed": N_("Printed on {date} by {user}"),
    "person": N_("Person"),
    "anonymous": N_("Anonymous caller"),
    "caller": N_("Caller"),
    "phone": N_("Phone"),
    "channel": N_("Channel"),
    "category": N_("Category"),
    "subcategory": N_("Subcategory"),
    "status": N_("Status"),
    "risk": N_("Risk level"),
    "assigned": N_("Assigned to"),
    "opened": N_("Opened on"),
    "resolved": N_("Resolved on"),
    "closed": N_("Closed on"),
    "where": N_("Where it happened"),
    "employer": N_("Employer"),
    "summary": N_("What happened"),
    "timeline": N_("Timeline"),
    "followups": N_("Follow-ups"),
    "referrals": N_("Referrals"),
    "outcome": N_("Outcome"),
    "wages": N_("Wages recovered"),
    "returned_home": N_("The person returned home"),
    "inspection_opened": N_("An inspection was opened"),
    "fine_imposed": N_("A fine was imposed"),
    "sensitive": N_("Sensitive case"),
    "withheld": N_("Sensitive details are left out of this copy."),
    "due": N_("Due"),
    "done": N_("Done"),
    "not_done": N_("Not done yet"),
    "none": N_("None"),
    "date": N_("Date"),
    "entry": N_("Event"),
    "target": N_("Referred to"),
    "answer": N_("Answer"),
    "consent_override": N_("Referred without consent; reason: {reason}"),
    "page": N_("Page {page}"),
}
EVENT_LABELS = {
    "note": N_("Note"),
    "call": N_("Call"),
    "status": N_("Status changed"),
    "reopened": N_("Reopened"),
    "referral": N_("Referral"),
    "follow_up": N_("Follow-up"),
    "outcome": N_("Outcome recorded"),
    "person_linked": N_("Person linked"),
    "assigned": N_("Assigned"),
    "inspection": N_("Inspection"),
}


# the amount hints show (formatted for the language: 12 500,50)
AMOUNT_EXAMPLE = Decimal("12500.50")


def money_data(minor: int, currency: str) -> str:
    """An amount as the timeline stores it, ``45000.00 RUB``: plain data (decimal point,
    ISO code) that ``stored_money`` reads back and screens format in the reader's language."""
    return f"{from_minor(minor, currency)} {currency}"


_STORED_MONEY = re.compile(r"(-?\d+(?:\.\d+)?) ([A-Z]{3})")


def stored_money(text: str | None) -> Money | None:
    """The amount of ``money_data`` text (``45000.00 RUB``); None for any other text."""
    match = _STORED_MONEY.fullmatch((text or "").strip())
    return Money(Decimal(match[1]), match[2]) if match else None


class TransitionRefused(Exception):
    """A status change that is not allowed; the message is fit to show."""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)


def to_minor(amount: Decimal, currency: str) -> int:
    exponent = CURRENCIES[currency]
    scaled = amount * (Decimal(10) ** exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError("too many decimals")
    return int(scaled)


def from_minor(minor: int | None, currency: str | None) -> Decimal | None:
    if minor is None or not currency:
        return None
    exponent = CURRENCIES.get(currency, 2)
    return Decimal(minor).scaleb(-exponent)


def amount_text(amount: Decimal, language: str | None = None) -> str:
    """An amount without its currency as it is typed in the language (``12 500,50`` in uz,
    tg and ru, ``12500.50`` in en): the example in hints. Digit groups only where they are
    spaces: an English group comma would read as the decimal mark in a money field."""
    from babel.numbers import format_decimal, get_group_symbol  # deferred: Babel, as in i18n
    locale = babel_locale(language)
    grouped = get_group_symbol(locale).isspace()
    return format_decimal(amount, format="#,##0.00" if grouped else "0.00", locale=locale,
                          decimal_quantization=True)


def amount_hint() -> str:
    """How to write an amount, the example in the current language's number format."""
    return _("Write the amount as a number, for example {example}.").format(
        example=amount_text(AMOUNT_EXAMPLE))


def parse_amount(text) -> Decimal:
    """A money amount as typed ("12 500,50", "12500.5", Decimal); ValueError if not."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, float):
        raise ValueError("floats are not money")
    if isinstance(text, int):
        return Decimal(text)
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", str(text or ""))
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise ValueError(text) from exc


def validate_money(amount, currency, field: str, currency_field: str,
                   errors: dict[str, str]) -> tuple[int | None, str | None]:
    """Check an amount and its currency; return (minor units, currency) or record errors."""
    if amount in (None, ""):
        return None, None
    try:
        value = parse_amount(amount)
    except ValueError:
        errors[field] = amount_hint()
        return None, None
    if value < 0:
        errors[field] = _("The amount cannot be negative.")
        return None, None
    code = (currency or "").strip().upper()
    if code not in CURRENCIES:
        errors[currency_field] = _("Choose a currency from the list ({codes}).").format(
            codes=", ".join(CURRENCIES))
        return None, None
    try:
        return to_minor(value, code), code
    except ValueError:
        errors[field] = _("The amount has more decimals than {currency} allows.").format(
            currency=code)
        return None, None


def clean_date(value, field: str, errors: dict[str, str], *, required: bool = False,
               today: date | None = None, allow_future: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Enter the date.")
        return None
    try:
        parsed = as_date(value)
    except ValueError:
        errors[field] = _("Write the date as dd.mm.yyyy, for example 07.03.2026.")
        return None
    if not allow_future and parsed > (today or date.today()):
        errors[field] = _("The date is in the future.")
        return None
    return parsed.isoformat()


def _text(value) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def check_transition(current: str, target: str) -> None:
    if target not in STATUSES:
        raise TransitionRefused(_("Unknown status: {status}.").format(status=target))
    if target == current:
        raise TransitionRefused(_("The case already has this status."))
    if target not in TRANSITIONS.get(current, ()):
        raise TransitionRefused(_("A case cannot go from this status to that one directly."))


def is_reopening(current: str, target: str) -> bool:
    return current in REOPEN_FROM and target in OPEN_STATUSES


def is_minor(birth_date: str | None, on: str | date) -> bool:
    if not birth_date:
        return False
    born = date.fromisoformat(birth_date[:10])
    day = on if isinstance(on, date) else date.fromisoformat(on[:10])
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < MINOR_AGE


def compute_sensitive(flag, category: str | None, person_birth_date: str | None,
                      opened_on: str | None) -> int:
    if flag:
        return 1
    if category in SENSITIVE_CATEGORIES:
        return 1
    if person_birth_date and is_minor(person_birth_date, opened_on or date.today()):
        return 1
    return 0


def validate_case(values: dict, *, categories: set[str], channels: set[str],
                  today: date | None = None) -> tuple[dict, dict[str, str]]:
    today = today or date.today()
    cleaned = dict(values)
    errors: dict[str, str] = {}
    for name in ("caller_name", "caller_phone", "summary", "city", "outcome_notes"):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    if cleaned.get("channel") not in channels:
        errors["channel"] = _("Choose how the case came in.")
    if cleaned.get("category") not in categories:
        errors["category"] = _("Choose a category.")
    if cleaned.get("risk_level") in (None, ""):
        cleaned["risk_level"] = "medium"
    elif cleaned["risk_level"] not in RISK_LEVELS:
        errors["risk_level"] = _("Choose a risk level.")
    status = cleaned.get("status") or "new"
    if status not in STATUSES:
        errors["status"] = _("Unknown status: {status}.").format(status=status)
    cleaned["status"] = status
    opened = clean_date(cleaned.get("opened_on") or today, "opened_on", errors, required=True,
                        today=today, allow_future=False)
    cleaned["opened_on"] = opened
    _clean_closing_dates(cleaned, errors, opened, today)
    if "wages_recovered_minor" in cleaned or "wages_currency" in cleaned:
        _check_wages(cleaned, errors)
    for name in ("sensitive_flag", "returned_home", "inspection_opened", "fine_imposed"):
        if name in cleaned:
            cleaned[name] = 1 if cleaned[name] else 0
    # anonymous callers (no person, no caller name or phone) are allowed
    return cleaned, errors


def _clean_closing_dates(cleaned: dict, errors: dict[str, str], opened: str | None,
                         today: date) -> None:
    for name in ("resolved_on", "closed_on"):
        if name in cleaned:
            value = clean_date(cleaned.get(name), name, errors, today=today,
                               allow_future=False)
            cleaned[name] = value
            if value and opened and value < opened:
                errors[name] = _("This date is before the case was opened ({date}).").format(
                    date=format_date(opened))


def _check_wages(cleaned: dict, errors: dict[str, str]) -> None:
    # already in minor units when coming from the store; amount text handled by callers
    minor = cleaned.get("wages_recovered_minor")
    currency = cleaned.get("wages_currency")
    if minor is not None:
        if isinstance(minor, float) or not isinstance(minor, int):
            errors["wages_recovered"] = amount_hint()
        elif minor < 0:
            errors["wages_recovered"] = _("The amount cannot be negative.")
        elif currency not in CURRENCIES:
            errors["wages_currency"] = _("Choose a currency from the list ({codes}).").format(
                codes=", ".join(CURRENCIES))
    elif currency is not None and currency not in CURRENCIES:
        errors["wages_currency"] = _("Choose a currency from the list ({codes}).").format(
            codes=", ".join(CURRENCIES))


def validate_followup(values: dict, opened_on: str | None) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    cleaned["action"] = _text(cleaned.get("action"))
    if not cleaned["action"]:
        errors["action"] = _("Say what is to be done.")
    due = clean_date(cleaned.get("due_on"), "due_on", errors, required=True)
    cleaned["due_on"] = due
    if due and opened_on and due < opened_on:
        errors["due_on"] = _(
            "A follow-up cannot be due before the case was opened ({date}).").format(
                date=format_date(opened_on))
    if "done_on" in cleaned:
        done = clean_date(cleaned.get("done_on"), "done_on", errors, allow_future=False)
        cleaned["done_on"] = done
        if done and opened_on and done < opened_on:
            errors["done_on"] = _("This date is before the case was opened ({date}).").format(
                date=format_date(opened_on))
    if "result" in cleaned:
        cleaned["result"] = _text(cleaned.get("result"))
    return cleaned, errors


def validate_referral(values: dict, opened_on: str | None,
                      targets: set[str]) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if cleaned.get("target") not in targets:
        errors["target"] = _("Choose where the case is referred to.")
    cleaned["target_detail"] = _text(cleaned.get("target_detail"))
    referred = clean_date(cleaned.get("referred_on") or date.today(), "referred_on", errors,
                          required=True, allow_future=False)
    cleaned["referred_on"] = referred
    if referred and opened_on and referred < opened_on:
        errors["referred_on"] = _("This date is before the case was opened ({date}).").format(
            date=format_date(opened_on))
    status = cleaned.get("status") or "sent"
    if status not in REFERRAL_STATUSES:
        errors["status"] = _("Choose the state of the referral.")
    cleaned["status"] = status
    cleaned["answer"] = _text(cleaned.get("answer"))
    answered = clean_date(cleaned.get("answered_on"), "answered_on", errors, allow_future=False)
    cleaned["answered_on"] = answered
    if answered and referred and answered < referred:
        errors["answered_on"] = _("The answer cannot come before the referral was sent.")
    cleaned["override_reason"] = _text(cleaned.get("override_reason"))
    cleaned["consent_override"] = 1 if cleaned.get("consent_override") else 0
    return cleaned, errors


def validate_employer(values: dict) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    for name in ("name", "city", "tax_number", "notes", "attestation_result"):
        if name in cleaned:
            cleaned[name] = _text(cleaned[name])
    if not cleaned.get("name"):
        errors["name"] = _("Enter the employer's name.")
    if cleaned.get("size") not in (None, "", "large", "medium", "small"):
        errors["size"] = _("Choose the size of the enterprise.")
    cleaned["size"] = cleaned.get("size") or None
    if "attestation_date" in cleaned:
        cleaned["attestation_date"] = clean_date(cleaned.get("attestation_date"),
                                                 "attestation_date", errors)
    for name in ("union_present", "collective_agreement", "high_risk"):
        if name in cleaned:
            cleaned[name] = 1 if cleaned[name] else 0
    return cleaned, errors


def validate_inspection(values: dict, triggers: set[str]) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if not cleaned.get("employer_id"):
        errors["employer_id"] = _("Choose the enterprise that was inspected.")
    if cleaned.get("trigger") not in triggers:
        errors["trigger"] = _("Choose what triggered the inspection.")
    cleaned["inspected_on"] = clean_date(cleaned.get("inspected_on"), "inspected_on", errors,
                                         required=True)
    cleaned["inspector_name"] = _text(cleaned.get("inspector_name"))
    cleaned["findings"] = _text(cleaned.get("findings"))
    if not cleaned.get("inspector_id") and not cleaned.get("inspector_name"):
        errors["inspector_name"] = _("Enter the inspector.")
    cleaned["status"] = cleaned.get("status") or "completed"
    return cleaned, errors
