"""Text for display built on the locale formatting of ``desktop_app.i18n``.

Money, dates and plain numbers are ``format_money``, ``format_date`` and ``format_number``
in ``desktop_app.i18n``; this module holds the display texts the modules share.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from desktop_app.i18n import babel_locale


def percent(value: Decimal | None, language: str | None = None) -> str:
    """A ratio as a percentage with one decimal, in the language's number format."""
    if value is None:
        return "—"
    from babel.numbers import format_percent  # deferred: Babel, 60 ms, as in i18n
    return format_percent(value, format="#,##0.0%", locale=babel_locale(language))


def rate_percent(value: Decimal | str | int | None, language: str | None = None) -> str:
    """An interest or fee rate kept in percent (Decimal("18.5")) as the language writes a
    percentage (CLDR): 18,5 % in Russian, 18,5% in Tajik and Uzbek, 18.5% in English."""
    if value is None or value == "":
        return "—"
    from babel.numbers import format_percent  # deferred: Babel, 60 ms, as in i18n
    return format_percent(Decimal(str(value)) / 100, locale=babel_locale(language),
                          decimal_quantization=False)


def share_percent(value: Fraction | Decimal | float | None, language: str | None = None,
                  places: int = 0) -> str:
    """A share (Fraction(1, 3), 0.9) as the language writes a percentage, rounded to
    ``places`` decimals and without trailing zeros: 33 % in Russian, 33% in English, 66,7%
    in Tajik with ``places=1``."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        share = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        share = Decimal(str(value))
    whole = (share * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if whole == whole.to_integral_value():
        whole = whole.to_integral_value()
    return rate_percent(whole, language)


def decimal_text(value: Decimal | float | str, language: str | None = None) -> str:
    """A figure to edit (0.8, 2.5) with every digit kept and the language's decimal sign
    (0,8 in Russian): what an entry field shows so that saving it again changes nothing."""
    from babel.numbers import get_decimal_symbol  # deferred: Babel, 60 ms, as in i18n
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", get_decimal_symbol(babel_locale(language)))


def full_name(row: dict) -> str:
    """A person's name exactly as written: family, given, patronymic."""
    return " ".join(p for p in (row.get("family_name"), row.get("given_name"),
                                row.get("patronymic")) if p)
