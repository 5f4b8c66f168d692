"""Translations: one API for the whole application.

English is the source language. Catalogs are gettext ``.mo`` files built from
``translations/<lang>/LC_MESSAGES/<domain>.po``; every domain of the chosen language is
chained, so ``_`` finds a message whatever module's catalog holds it.
"""
from __future__ import annotations

import gettext
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable

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


def domain_of_parts(parts) -> str:
    """The catalog domain of a source file from its path parts or module name parts.

    The first of DOMAINS that is a part, or a part's ``<domain>_`` prefix or ``_<domain>``
    suffix; otherwise ``core``. Extraction (i18n/build.py) and lookup use this same rule.
    """
    for name in parts:
        for domain in DOMAINS:
            if name == domain or name.startswith(domain + "_") or name.endswith("_" + domain):
                return domain
    return CORE


class Catalogs:
    """One language's catalogs with a lookup order per domain.

    A message is looked up in the caller's own domain first, then ``core``, then the other
    domains, so the same English word may be worded differently in two modules.
    """

    def __init__(self, language: str):
        self.language = language
        self.by_domain: dict[str, gettext.GNUTranslations] = {}
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        if folder.is_dir():
            for mo in sorted(folder.glob("*.mo")):
                with open(mo, "rb") as fh:
                    self.by_domain[mo.stem] = gettext.GNUTranslations(fh)
        self._orders: dict[str, list[gettext.GNUTranslations]] = {}

    def order(self, domain: str) -> list[gettext.GNUTranslations]:
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
        found = self.gettext(domain, f"{context}\x04{message}")
        return message if found == f"{context}\x04{message}" else found


_catalogs: dict[str, Catalogs] = {}
_module_domains: dict[str, str] = {}


def _catalogs_for(language: str) -> Catalogs:
    if language not in _catalogs:
        _catalogs[language] = Catalogs(language)
    return _catalogs[language]


def _caller_domain(depth: int = 2) -> str:
    name = sys._getframe(depth).f_globals.get("__name__", "")
    domain = _module_domains.get(name)
    if domain is None:
        domain = _module_domains[name] = domain_of_parts(name.split(".")[1:])
    return domain


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


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _(message: str) -> str:
    return _catalogs_for(_language).gettext(_caller_domain(), message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalogs_for(_language).ngettext(_caller_domain(), singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _catalogs_for(_language).pgettext(_caller_domain(), context, message)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_``."""
    return message


class LanguageTranslator:
    """gettext-style access to another language than the current one (certificates,
    repayment cards, letters in the recipient's language); same domain rule as ``_``."""

    def __init__(self, language: str):
        self.language = language

    def gettext(self, message: str) -> str:
        if self.language == SOURCE_LANGUAGE:
            return message
        return _catalogs_for(self.language).gettext(_caller_domain(), message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.language == SOURCE_LANGUAGE:
            return singular if n == 1 else plural
        return _catalogs_for(self.language).ngettext(_caller_domain(), singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        if self.language == SOURCE_LANGUAGE:
            return message
        return _catalogs_for(self.language).pgettext(_caller_domain(), context, message)


def translator_for(language: str) -> LanguageTranslator:
    """A translator for another language than the current one (certificates, letters)."""
    return LanguageTranslator(language)


# ---- locale-aware formatting (Babel) -------------------------------------------------
def format_date(value: date | datetime | str | None, language: str | None = None,
                fmt: str = "medium") -> str:
    from babel.dates import format_date as _fd
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return _fd(value, format=fmt, locale=babel_locale(language))


def format_number(value, language: str | None = None) -> str:
    from babel.numbers import format_decimal
    return format_decimal(value, locale=babel_locale(language))


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    from babel.numbers import format_currency
    return format_currency(amount, currency, locale=babel_locale(language))
