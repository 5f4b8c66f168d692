"""Trainings: completion rules, outcome codes and validation (pure Python)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from desktop_app.domain.people import as_date
from desktop_app.i18n import N_, Domain, format_number
from desktop_app.i18n.formats import decimal_text, share_percent

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

# Follow-up outcomes of a trainee (codes are what records and reports store).
OUTCOMES = {
    "job_home": N_("Found a job at home"),
    "migrated_contract": N_("Migrated with a contract"),
    "business_started": N_("Started a business"),
    "loan_received": N_("Received a loan"),
    "none_yet": N_("None yet"),
}
# A manual decision that replaces the computed completion.
OVERRIDES = {
    "completed": N_("Completed"),
    "not_completed": N_("Not completed"),
}
CERTIFICATE_LANGUAGES = ("ru", "tg", "uz", "en")
MAX_SESSION_MINUTES = 12 * 60


def _fraction(value) -> Fraction | None:
    if value in (None, ""):
        return None
    try:  # a decimal comma as ru/tg/uz write it (0,8) or a point (0.8)
        return Fraction(Decimal(str(value).strip().replace(",", ".")))
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None


@dataclass(frozen=True)
class CompletionRule:
    """When a participant has completed a training.

    Every condition that is set must hold: a share of the event's sessions attended
    (``min_share_sessions`` = 0.8 means at least 80 %), a number of sessions, a number of
    hours attended. Compared exactly (fractions, no floating point), so 8 of 10 sessions
    meets 0.8. An event without sessions is never completed by attendance.
    """
    min_share_sessions: Fraction | None = None
    min_sessions: int | None = None
    min_hours: Fraction | None = None

    @classmethod
    def from_attributes(cls, attributes: dict | str | None) -> "CompletionRule":
        written: dict
        if isinstance(attributes, str):
            written = json.loads(attributes or "{}") or {}
        else:
            written = attributes or {}
        rule = written.get("completion", written)
        share = _fraction(rule.get("min_share_sessions"))
        if share is not None and not (0 <= share <= 1):
            raise ValueError(rule.get("min_share_sessions"))
        sessions = rule.get("min_sessions")
        hours = _fraction(rule.get("min_hours"))
        if share is None and sessions in (None, "") and hours is None:
            share = Fraction(1)  # no rule written: every session
        return cls(share, int(sessions) if sessions not in (None, "") else None, hours)

    def to_attributes(self) -> dict:
        out: dict = {}
        if self.min_share_sessions is not None:
            out["min_share_sessions"] = float(self.min_share_sessions)
        if self.min_sessions is not None:
            out["min_sessions"] = self.min_sessions
        if self.min_hours is not None:
            out["min_hours"] = float(self.min_hours)
        return out

    def is_met(self, attended: int, total: int, attended_minutes: int = 0) -> bool:
        if total <= 0 or attended <= 0:
            return False
        if attended > total:
            attended = total
        share = Fraction(attended, total)
        if self.min_share_sessions is not None and share < self.min_share_sessions:
            return False
        if self.min_sessions is not None and attended < self.min_sessions:
            return False
        if self.min_hours is not None and Fraction(attended_minutes, 60) < self.min_hours:
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.min_share_sessions is not None:
            parts.append(_("at least {share} of sessions").format(
                share=share_percent(self.min_share_sessions, places=1)))
        if self.min_sessions is not None:
            parts.append(DOMAIN.ngettext("at least {count} session", "at least {count} sessions",
                                         self.min_sessions).format(
                count=format_number(self.min_sessions)))
        if self.min_hours is not None:
            parts.append(at_least_hours(self.min_hours))
        return ", ".join(parts)


def at_least_hours(hours: Fraction) -> str:
    """'at least 1 hour', 'at least 1.5 hours' (a fraction has a message of its own, as in
    ``certificate_hours``)."""
    shown = _tenths(hours)
    text = format_number(shown)
    if shown == shown.to_integral_value():
        return DOMAIN.ngettext("at least {hours} hour", "at least {hours} hours",
                               int(shown)).format(hours=text)
    return DOMAIN.pgettext("fractional number", "at least {hours} hours").format(hours=text)


def _plain(value: Fraction, language: str | None = None) -> str:
    """A number of hours in ``language`` (the interface's by default): 2, 1.5 (English),
    1,5 (Russian)."""
    return format_number(_tenths(value), language)


def _tenths(value: Fraction) -> Decimal:
    """Hours to one decimal, without a trailing zero: 2, 1.5, 1.7 (for 100 minutes)."""
    if value.denominator == 1:
        return Decimal(value.numerator)
    tenths = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"))
    return tenths if tenths != tenths.to_integral_value() else tenths.to_integral_value()


def completion_status(rule: CompletionRule, attended: int, total: int, attended_minutes: int,
                      override: str | None) -> bool:
    """The participant's completion: the manual override when set, else the rule."""
    if override == "completed":
        return True
    if override == "not_completed":
        return False
    return rule.is_met(attended, total, attended_minutes)


def hours_text(minutes: int) -> str:
    """Minutes as hours for people: 90 -> '1.5', 120 -> '2'."""
    return _plain(Fraction(minutes, 60))


def hours_example() -> str:
    """How to write hours, with the examples in the language's number format (1,5)."""
    return _("Write the hours as a number, e.g. {whole} or {fraction}.").format(
        whole=format_number(4), fraction=decimal_text("1.5"))


def share_example() -> str:
    """How to write the share of sessions to attend, the example as the language writes it."""
    return _("The share of sessions is a number from 0 to 1, e.g. {example}.").format(
        example=decimal_text("0.8"))


def parse_hours(text) -> int:
    """Hours as typed (``2``, ``1.5``, ``1,5``) -> whole minutes."""
    if isinstance(text, int):
        return text * 60
    value = Decimal(str(text).strip().replace(",", "."))
    minutes = value * 60
    if minutes != minutes.to_integral_value():
        raise ValueError(text)
    return int(minutes)


def _date(values: dict, name: str, errors: dict) -> date | None:
    value = values.get(name)
    if value in (None, ""):
        values[name] = None
        return None
    try:
        parsed = as_date(value)
    except ValueError:
        errors[name] = _("Write the date as dd.mm.yyyy, for example 07.03.1991.")
        return None
    values[name] = parsed.isoformat()
    return parsed


def validate_event(values: dict) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    for name in ("title", "provider_name", "trainers", "place", "notes"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split()) or None
    if not cleaned.get("course_code"):
        errors["course_code"] = _("Choose a course.")
    start = _date(cleaned, "start_date", errors)
    end = _date(cleaned, "end_date", errors)
    if start is None and "start_date" not in errors:
        errors["start_date"] = _("Enter the first day of the training.")
    if start and end and end < start:
        errors["end_date"] = _("The last day is before the first day.")
    language = cleaned.get("language")
    if language not in (None, "", *CERTIFICATE_LANGUAGES):
        errors["language"] = _("Choose Russian, Tajik, Uzbek or English.")
    cleaned["language"] = language or None
    return cleaned, errors


def validate_session(values: dict) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if not cleaned.get("event_id"):
        errors["event_id"] = _("A session belongs to a training.")
    if _date(cleaned, "session_date", errors) is None and "session_date" not in errors:
        errors["session_date"] = _("Enter the date of the session.")
    minutes = cleaned.get("minutes")
    try:
        minutes = int(minutes) if minutes not in (None, "") else 0
    except (TypeError, ValueError):
        minutes = -1
    if not 0 < minutes <= MAX_SESSION_MINUTES:
        errors["minutes"] = _("A session lasts from a few minutes to {hours} hours.").format(
            hours=MAX_SESSION_MINUTES // 60)
    cleaned["minutes"] = minutes
    return cleaned, errors


def validate_participant(values: dict) -> tuple[dict, dict[str, str]]:
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if not cleaned.get("event_id"):
        errors["event_id"] = _("A participant belongs to a training.")
    if not cleaned.get("person_id"):
        errors["person_id"] = _("Choose the person who takes part.")
    override = cleaned.get("completion_override") or None
    if override not in (None, *OVERRIDES):
        errors["completion_override"] = _("Choose completed or not completed.")
    reason = " ".join((cleaned.get("override_reason") or "").split()) or None
    if override and not reason:
        errors["override_reason"] = _("Give the reason for deciding completion by hand.")
    cleaned["completion_override"] = override
    cleaned["override_reason"] = reason if override else None
    language = cleaned.get("language") or None
    if language not in (None, *CERTIFICATE_LANGUAGES):
        errors["language"] = _("Choose Russian, Tajik, Uzbek or English.")
    cleaned["language"] = language
    return cleaned, errors


def validate_outcome(values: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    today = today or date.today()
    cleaned = dict(values)
    errors: dict[str, str] = {}
    if not cleaned.get("person_id"):
        errors["person_id"] = _("An outcome belongs to a person.")
    if cleaned.get("outcome") not in OUTCOMES:
        errors["outcome"] = _("Choose an outcome from the list.")
    when = _date(cleaned, "outcome_date", errors)
    if when is None and "outcome_date" not in errors:
        errors["outcome_date"] = _("Enter the date of the outcome.")
    elif when is not None and when > today:
        errors["outcome_date"] = _("The outcome date is in the future.")
    if isinstance(cleaned.get("notes"), str):
        cleaned["notes"] = " ".join(cleaned["notes"].split()) or None
    return cleaned, errors


# ---- certificate texts (translated with the participant's catalog at print time) -------
CERTIFICATE_TEXTS = {
    "title": N_("Certificate"),
    "intro": N_("This is to certify that"),
    "completed": N_("has successfully completed the training course"),
    "dates": N_("held from {start} to {end}"),
    "one_day": N_("held on {date}"),
    "place": N_("Place: {place}"),
    "provider": N_("Organised by: {provider}"),
    "number": N_("Certificate No. {number}"),
    "issued": N_("Date of issue: {date}"),
    "trainer": N_("Trainer"),
    "head": N_("Head of the organisation"),
}


def certificate_texts(catalog) -> dict[str, str]:
    """CERTIFICATE_TEXTS in the catalog's language (looked up in this module's domain)."""
    return {key: catalog.gettext(text) for key, text in CERTIFICATE_TEXTS.items()}


def certificate_hours(catalog, minutes: int, language: str | None = None) -> str:
    """'18 academic hours' in the catalog's language ('' when the length is unknown).

    gettext picks a plural form by a whole number; a fraction of an hour has a form of its
    own (CLDR's "other": ru «1,5 академического часа», genitive singular), so it is a
    message of its own."""
    if not minutes:
        return ""
    shown = _tenths(Fraction(int(minutes), 60))   # what the page prints: 1,5 or 2
    text = format_number(shown, language)
    if shown == shown.to_integral_value():
        return catalog.ngettext("{hours} academic hour", "{hours} academic hours",
                                int(shown)).format(hours=text)
    return catalog.pgettext("fractional number", "{hours} academic hours").format(hours=text)
