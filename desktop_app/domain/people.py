"""People: field vocabularies and validation (pure; messages translated)."""
from __future__ import annotations

import functools
import re
from datetime import date

from desktop_app.i18n import N_, Domain

DOMAIN = Domain("people")
_ = DOMAIN.gettext

SEXES = {"female": N_("Female"), "male": N_("Male")}
MIGRATION_STATUSES = {
    "potential": N_("Potential migrant"),
    "abroad": N_("Abroad"),
    "returned": N_("Returned"),
    "stranded": N_("Stranded"),
}
MAX_AGE = 110
_PHONE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


def parse_date(text: str | None) -> date | None:
    """ISO ``YYYY-MM-DD`` or ``dd.mm.yyyy`` (the way dates are written on paper here)."""
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    return _parse_date_text(text)


_PAPER_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@functools.lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> date:
    # the same dates come back again and again in a batch (a date is immutable: kept)
    m = _PAPER_DATE.fullmatch(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _ISO_DATE.fullmatch(text[:10])
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(text)


def as_date(value: str | date) -> date:
    """A filled-in date field as a date: a ``date`` as it is, text read by ``parse_date``;
    ValueError for text that is not a date (blank text included)."""
    if isinstance(value, date):
        return value
    parsed = parse_date(value)
    if parsed is None:
        raise ValueError(value)
    return parsed


def split_phones(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", text or "") if p.strip()]


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def birth_date_from_age(age: int, today: date) -> date:
    """The estimated birth date of someone ``age`` years old on ``today``: 1 July of the
    year that makes them exactly that old today (before 1 July, of the year before)."""
    return date(today.year - age - ((today.month, today.day) < (7, 1)), 7, 1)


# Characters nobody sees that change what is seen or found: control characters (a NUL,
# a bell), zero-width space, word joiner, byte-order mark, and the direction marks,
# embeddings, overrides and isolates (a right-to-left override shows "Rahmonov" as
# "vonomhaR" and turns round what is printed after it). Copied lists bring them; they are
# dropped from what people type and import. Joiners (U+200C, U+200D) stay: Persian script
# needs them.
_INVISIBLE = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0x200B, 0x200E,
     0x200F, *range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF])
# the same set as one character class: most texts hold none, and a search is quicker than
# a translation character by character
_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")


def clean_text(text: str) -> str | None:
    """``text`` without invisible characters, runs of white space made one space, trimmed;
    None when nothing is left."""
    if _HAS_INVISIBLE.search(text) is not None:
        text = text.translate(_INVISIBLE)
    return " ".join(text.split()) or None


def validate_person(values: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """Clean person values; return (cleaned, errors by field)."""
    today = today or date.today()
    cleaned = dict(values)
    errors: dict[str, str] = {}
    for name in ("family_name", "given_name", "patronymic", "village", "household_notes",
                 "notes", "document_number", "phones"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = clean_text(cleaned[name])
    if not cleaned.get("family_name"):
        errors["family_name"] = _("Enter the family name.")
    if not cleaned.get("given_name"):
        errors["given_name"] = _("Enter the given name.")
    sex = cleaned.get("sex")
    if sex not in (None, "", *SEXES):
        errors["sex"] = _("Choose female or male.")
    cleaned["sex"] = sex or None
    _clean_birth_date(cleaned, errors, today)
    _check_phones(cleaned, errors)
    status = cleaned.get("migration_status")
    if status not in (None, "", *MIGRATION_STATUSES):
        errors["migration_status"] = _("Choose a migration status from the list.")
    cleaned["migration_status"] = status or None
    _clean_consent_date(cleaned, errors, today)
    for flag in ("disability", "female_headed_household", "union_member",
                 "birth_date_estimated"):
        cleaned[flag] = 1 if cleaned.get(flag) else 0
    return cleaned, errors


def _clean_birth_date(cleaned: dict, errors: dict[str, str], today: date) -> None:
    birth = cleaned.get("birth_date")
    if not birth:
        cleaned["birth_date"] = None
        return
    try:
        parsed = as_date(birth)
    except ValueError:
        errors["birth_date"] = _("Write the date as dd.mm.yyyy, for example 07.03.1991.")
        return
    if parsed > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    elif age_on(parsed, today) > MAX_AGE:
        errors["birth_date"] = _("The date of birth is more than {years} years ago.").format(
            years=MAX_AGE)
    else:
        cleaned["birth_date"] = parsed.isoformat()


def _check_phones(cleaned: dict, errors: dict[str, str]) -> None:
    for phone in split_phones(cleaned.get("phones")):
        if not _PHONE.match(phone) or sum(map(str.isdigit, phone)) < 7:
            errors["phones"] = _("{phone} is not a phone number: use digits, spaces, dashes and "
                                 "an optional leading +.").format(phone=phone)
            return


def _clean_consent_date(cleaned: dict, errors: dict[str, str], today: date) -> None:
    consent = cleaned.get("consent_date")
    if not consent:
        return
    try:
        parsed = as_date(consent)
    except ValueError:
        errors["consent_date"] = _("Write the date as dd.mm.yyyy, for example 07.03.1991.")
        return
    if parsed > today:
        errors["consent_date"] = _("The consent date is in the future.")
    else:
        cleaned["consent_date"] = parsed.isoformat()


def validate_episode(values: dict, today: date | None = None) -> tuple[dict, dict[str, str]]:
    today = today or date.today()
    cleaned = dict(values)
    errors: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for name in ("departure_date", "return_date"):
        value = cleaned.get(name)
        if not value:
            cleaned[name] = None
            continue
        try:
            parsed[name] = as_date(value)
            cleaned[name] = parsed[name].isoformat()
        except ValueError:
            errors[name] = _("Write the date as dd.mm.yyyy, for example 07.03.1991.")
    if "departure_date" in parsed and parsed["departure_date"] > today:
        errors["departure_date"] = _("The departure date is in the future.")
    if ("departure_date" in parsed and "return_date" in parsed
            and parsed["return_date"] < parsed["departure_date"]):
        errors["return_date"] = _("The return date is before the departure date.")
    if not cleaned.get("person_id"):
        errors["person_id"] = _("A migration episode belongs to a person.")
    return cleaned, errors
