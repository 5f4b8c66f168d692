"""Text for display built on the locale formatting of ``desktop_app.i18n``.

Money, dates and plain numbers are ``format_money``, ``format_date`` and ``format_number``
in ``desktop_app.i18n``; this module holds the display texts the modules share.
"""
from __future__ import annotations

from decimal import Decimal

from desktop_app.i18n import babel_locale


def percent(value: Decimal | None, language: str | None = None) -> str:
    """A ratio as a percentage with one decimal, in the language's number format."""
    if value is None:
        return "—"
    from babel.numbers import format_percent  # deferred: Babel, 60 ms, as in i18n
    return format_percent(value, format="#,##0.0%", locale=babel_locale(language))


def full_name(row: dict) -> str:
    """A person's name exactly as written: family, given, patronymic."""
    return " ".join(p for p in (row.get("family_name"), row.get("given_name"),
                                row.get("patronymic")) if p)
