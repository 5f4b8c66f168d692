"""Translations: one API for the whole application.

English is the source language. Catalogs are gettext ``.mo`` files built from
``translations/<lang>/LC_MESSAGES/<domain>.po``; every domain of the chosen language is
chained, so ``_`` finds a message whatever module's catalog holds it.
"""
from __future__ import annotations

import gettext
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

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE
_listeners: list[Callable[[str], None]] = []


def _load(language: str) -> gettext.NullTranslations:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    chain: gettext.NullTranslations = gettext.NullTranslations()
    if not folder.is_dir():
        return chain
    files = sorted(folder.glob("*.mo"), key=lambda p: (p.stem != "core", p.stem))
    first: gettext.NullTranslations | None = None
    for mo in files:
        with open(mo, "rb") as fh:
            catalog = gettext.GNUTranslations(fh)
        if first is None:
            first = catalog
        else:
            first.add_fallback(catalog)
    return first or chain


def set_language(language: str) -> None:
    """Switch every later lookup to ``language`` and tell the listeners (the UI)."""
    global _translation, _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    _translation = _load(language)
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
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_``."""
    return message


def translator_for(language: str) -> gettext.NullTranslations:
    """A catalog for another language than the current one (certificates, letters)."""
    return _translation if language == _language else _load(language)


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
