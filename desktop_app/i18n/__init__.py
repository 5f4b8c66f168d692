"""Translations: one API for the whole application.

English is the source language. Catalogs are gettext ``.mo`` files built from
``translations/<lang>/LC_MESSAGES/<domain>.po``; every domain of the chosen language is
chained, so a lookup finds a message whatever module's catalog holds it.

Each module names its catalog once, explicitly, so that moving or renaming a file never
changes where its strings come from::

    from desktop_app.i18n import Domain

    DOMAIN = Domain("loans")
    _ = DOMAIN.gettext
    ngettext = DOMAIN.ngettext

``python -m desktop_app.i18n.build`` reads the same declaration to put the module's
messages into ``translations/<lang>/LC_MESSAGES/loans.po``.

An English word with two meanings takes a context: ``pgettext("date column", "Applied")``,
or ``NP_("loan status", "Active")`` for a constant translated later with ``_``.
"""
from __future__ import annotations

import functools
import gettext
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
# code -> (Babel locale, name of the language in itself)
LANGUAGES: dict[str, tuple[str, str]] = {
    "ru": ("ru", "Русский"),
    "tg": ("tg", "Тоҷикӣ"),
    "uz": ("uz_Latn", "Oʻzbekcha"),
    "en": ("en", "English"),
}

DOMAINS = ("people", "cases", "inspections", "trainings", "loans", "reports", "sync",
           "security")
CORE = "core"

_language = SOURCE_LANGUAGE
_listeners: list[Callable[[str], None]] = []


class _MoFile(gettext.GNUTranslations):
    """One compiled catalog. Lookups read its message table directly, so that a message
    missing here falls through to the next domain instead of coming back untranslated."""

    _catalog: dict[Any, str]   # filled by GNUTranslations while reading the file
    plural: Callable[[int], int]


class Catalogs:
    """One language's catalogs with a lookup order per domain.

    A message is looked up in the caller's own domain first, then ``core``, then the other
    domains, so the same English word may be worded differently in two modules.
    """

    def __init__(self, language: str):
        self.language = language
        self.by_domain: dict[str, _MoFile] = {}
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        if folder.is_dir():
            for mo in sorted(folder.glob("*.mo")):
                with open(mo, "rb") as fh:
                    self.by_domain[mo.stem] = _MoFile(fh)
        self._orders: dict[str, list[_MoFile]] = {}

    def order(self, domain: str) -> list[_MoFile]:
        found = self._orders.get(domain)
        if found is None:
            names = [domain, CORE] + sorted(self.by_domain)
            seen: list[str] = []
            for name in names:
                if name in self.by_domain and name not in seen:
                    seen.append(name)
            found = self._orders[domain] = [self.by_domain[n] for n in seen]
        return found

    def gettext(self, domain: str, message: str) -> str:
        for catalog in self.order(domain):
            found = catalog._catalog.get(message)
            if found is not None:
                return found
        return message

    def ngettext(self, domain: str, singular: str, plural: str, n: int) -> str:
        for catalog in self.order(domain):
            if (singular, 0) in catalog._catalog:
                return catalog._catalog.get((singular, catalog.plural(n)), singular)
        return singular if n == 1 else plural

    def pgettext(self, domain: str, context: str, message: str) -> str:
        key = f"{context}\x04{message}"   # how gettext stores a message with a context
        found = self.gettext(domain, key)
        return message if found == key else found


_catalogs: dict[str, Catalogs] = {}


def _catalogs_for(language: str) -> Catalogs:
    if language not in _catalogs:
        _catalogs[language] = Catalogs(language)
    return _catalogs[language]


def set_language(language: str) -> None:
    """Switch every later lookup to ``language`` and tell the listeners (the UI)."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    _catalogs.pop(language, None)  # re-read: catalogs may have been rebuilt
    _catalogs_for(language)
    _language = language
    for listener in list(_listeners):
        listener(language)


def current_language() -> str:
    return _language


def babel_locale(language: str | None = None) -> str:
    return LANGUAGES[language or _language][0]


def supported_language(system_languages: list[str]) -> str:
    """The first of the system's languages ("ru-RU", "uz-Latn-UZ", "tg_TJ", "Russian_Russia")
    that Hamroh speaks; English when none is."""
    windows_names = {"russian": "ru", "tajik": "tg", "uzbek": "uz", "english": "en"}
    for name in system_languages:
        code = name.replace("-", "_").split("_")[0].split(".")[0].lower()
        code = windows_names.get(code, code)
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with the module's ``_``."""
    return message


class ContextMessage(str):
    """An English message that carries its gettext context ("loan status": "Active"), so
    that one English word can be translated differently where it means different things.
    It is still the English text; a domain's ``gettext`` looks it up with its context."""

    context: str

    def __new__(cls, context: str, message: str) -> ContextMessage:
        made = super().__new__(cls, message)
        made.context = context
        return made


def NP_(context: str, message: str) -> str:
    """``N_`` with a context: mark a message for extraction under ``context``; the module's
    ``_`` later translates it with that context (``pgettext``)."""
    return ContextMessage(context, message)


class Domain:
    """The translation functions of one catalog domain, in the current language.

    A message is looked up in this domain first, then ``core``, then the other domains.
    """

    def __init__(self, name: str):
        if name not in DOMAINS and name != CORE:
            raise ValueError(f"unknown translation domain: {name}")
        self.name = name

    def gettext(self, message: str) -> str:
        if isinstance(message, ContextMessage):
            return self.pgettext(message.context, message)
        return _catalogs_for(_language).gettext(self.name, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogs_for(_language).ngettext(self.name, singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return _catalogs_for(_language).pgettext(self.name, context, str(message))

    def in_language(self, language: str) -> LanguageTranslator:
        """This domain in another language than the current one (certificates, repayment
        cards, letters in the recipient's language)."""
        return LanguageTranslator(language, self.name)


class LanguageTranslator:
    """gettext-style access to one domain in a fixed language."""

    def __init__(self, language: str, domain: str):
        self.language = language
        self.domain = domain

    def gettext(self, message: str) -> str:
        if isinstance(message, ContextMessage):
            return self.pgettext(message.context, message)
        if self.language == SOURCE_LANGUAGE:
            return message
        return _catalogs_for(self.language).gettext(self.domain, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.language == SOURCE_LANGUAGE:
            return singular if n == 1 else plural
        return _catalogs_for(self.language).ngettext(self.domain, singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        if self.language == SOURCE_LANGUAGE:
            return str(message)
        return _catalogs_for(self.language).pgettext(self.domain, context, str(message))


# ---- locale-aware formatting (Babel) -------------------------------------------------
# One numeric date format per language, for display and for entry (docs/dev/formats.md).
# CLDR's short dates are dd.MM.y (ru), dd/MM/yy (tg, uz) and M/d/yy (en, the US order);
# the offices write dd.MM.yyyy whatever the language, and the date fields read the day
# first, so every language uses it.
DATE_PATTERNS = {"ru": "dd.MM.yyyy", "tg": "dd.MM.yyyy", "uz": "dd.MM.yyyy", "en": "dd.MM.yyyy"}
# What a currency is called in each language, after the amount; other currencies show
# their code. Tiyin are not used, so sums in UZS have no decimals.
CURRENCY_NAMES = {
    "TJS": {"en": "somoni", "ru": "сомони", "tg": "сомонӣ", "uz": "somoniy"},
    "RUB": {"en": "roubles", "ru": "руб.", "tg": "рубл", "uz": "rubl"},
    "UZS": {"en": "sum", "ru": "сум", "tg": "сум", "uz": "soʻm"},
    "USD": {"en": "US dollars", "ru": "долл. США", "tg": "доллари ИМА", "uz": "AQSh dollari"},
}
NO_DECIMALS = {"UZS"}


# Tajik dates with the month's name. CLDR (tg) writes the long date "07 Декабр 2026": the day
# with a leading zero and the month as a capitalised title. Tajik writes "7 декабри 2026":
# the month in lower case, joined to the year by the izofa -и, the day without a zero (so
# do the ministries' letters and the Tajik press); abbreviations are lower case too ("7 дек").
TAJIK_DATE_PATTERNS = {"medium": "d MMMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"}
TAJIK_MONTHS_IN_DATE = ("январи", "феврали", "марти", "апрели", "майи", "июни", "июли",
                        "августи", "сентябри", "октябри", "ноябри", "декабри")


@functools.lru_cache(maxsize=512)
def _tajik_date_pattern(pattern: str, month: int) -> str:
    """``pattern`` with the month's name (format context: MMMM, MMM) written as Tajik
    writes it in a date; a stand-alone month (LLLL: a title "Декабр 2026") stays as CLDR
    has it; "medium", "long" and "full" are Tajik's own patterns."""
    from babel.dates import (  # deferred: Babel's locale data, on first use
        get_month_names,
        tokenize_pattern,
        untokenize_pattern,
    )
    pattern = TAJIK_DATE_PATTERNS.get(pattern, pattern)
    tokens: list = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "field" and value[0] == "M" and int(value[1]) >= 3:
            if value[1] == 3:
                name = get_month_names("abbreviated", "format", "tg")[month].lower()
            else:
                name = TAJIK_MONTHS_IN_DATE[month - 1]
            tokens.append(("chars", name))
        else:
            tokens.append((kind, value))
    return untokenize_pattern(tokens)


def currency_name(currency: str, language: str | None = None) -> str:
    """What users call ``currency`` (somoni, сомонӣ, soʻm); its code when we have no name."""
    return CURRENCY_NAMES.get((currency or "").upper(), {}).get(language or _language,
                                                                 currency)


def date_pattern(language: str | None = None) -> str:
    """The date format of ``language`` (CLDR pattern letters; Qt reads the same ones)."""
    return DATE_PATTERNS.get(language or _language, "dd.MM.yyyy")


@functools.lru_cache(maxsize=None)
def _skeletons(locale: str) -> dict[str, str]:
    """CLDR's patterns for a set of fields (a skeleton, "MMMd": day and short month) in the
    order and with the punctuation of the language."""
    from babel import Locale  # deferred: Babel's locale data, on first use
    return {k: getattr(v, "pattern", v) for k, v in Locale.parse(locale).datetime_skeletons.items()}


def format_date(value: date | datetime | str | None, language: str | None = None,
                fmt: str | None = None) -> str:
    """``value`` as the language writes dates: ``date_pattern`` unless ``fmt`` (a CLDR
    pattern, a CLDR skeleton such as "MMMd", or "short"/"medium"/"long") asks for another
    form (month names on certificates). Tajik dates with a month's name are written as Tajik
    writes them ("7 декабри 2026", ``TAJIK_DATE_PATTERNS``), not as CLDR has them."""
    from babel.dates import format_date as _fd  # deferred: Babel's locale data, on first use
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if isinstance(value, datetime):
        value = value.date()
    pattern = fmt or date_pattern(language)
    locale = babel_locale(language)
    if fmt and fmt.isalpha() and fmt in _skeletons(locale):
        pattern = _skeletons(locale)[fmt]   # "MMMd": 7 дек. (ru), 7-dek (uz), Dec 7 (en)
    if locale == "tg" and ("M" in pattern or pattern in TAJIK_DATE_PATTERNS):
        pattern = _tajik_date_pattern(pattern, value.month)
    return _fd(value, format=pattern, locale=locale)


def format_datetime(value: datetime | str | None, language: str | None = None) -> str:
    """A moment (stored in UTC, e.g. ``2026-12-06T23:00:25Z``) in local time: the date as
    ``format_date`` writes it and the time as HH:mm."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if value.tzinfo is not None:
        value = value.astimezone()
    return f"{format_date(value.date(), language)} {value:%H:%M}"


def format_number(value, language: str | None = None) -> str:
    """A count or figure with the language's digit groups (``37 265``, ``37,265``)."""
    from babel.numbers import format_decimal  # deferred: Babel's locale data, on first use
    return format_decimal(value, locale=babel_locale(language))


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """``6 800,00 сомонӣ``: the amount with digit groups and the currency's local name."""
    from babel.numbers import format_decimal  # deferred: Babel's locale data, on first use
    language = language or _language
    currency = (currency or "").upper()
    pattern = "#,##0" if currency in NO_DECIMALS else "#,##0.00"
    number = format_decimal(Decimal(str(amount)), format=pattern, locale=babel_locale(language),
                            decimal_quantization=True)
    name = currency_name(currency, language)
    return f"{number}\N{NO-BREAK SPACE}{name}".strip()
