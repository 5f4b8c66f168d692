"""The money entry: an amount in a currency, typed as people write it.

Digits with spaces between groups and one decimal mark: the UI language's (a comma in
Russian, Tajik and Uzbek) or a point, with no more decimals than the currency has minor
units. Anything else cannot be typed. A minus sign can, so that the page's own rule says
why a negative amount is refused.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, get_decimal_symbol
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit

from desktop_app.i18n import babel_locale

GROUP_SPACES = re.compile(r"[ \u00a0\u202f]")
_AMOUNT = re.compile(r"-?\d*(?:[.,](\d*))?")
# Places allowed while no currency is chosen: every currency the offices use has two.
DEFAULT_PLACES = 2


def minor_places(currency: str | None) -> int:
    """Digits after the decimal mark in ``currency`` (ISO 4217 / CLDR)."""
    return get_currency_precision(currency) if currency else DEFAULT_PLACES


class _AmountValidator(QValidator):
    def __init__(self, entry: MoneyEntry):
        super().__init__(entry)
        self.entry = entry

    def validate(self, text: str, pos: int):
        cleaned = GROUP_SPACES.sub("", text)
        match = _AMOUNT.fullmatch(cleaned)
        if match is None:
            return QValidator.State.Invalid, text, pos
        decimals, places = match.group(1), minor_places(self.entry.currency())
        if decimals is not None and (places == 0 or len(decimals) > places):
            return QValidator.State.Invalid, text, pos
        if cleaned and not any(ch.isdigit() for ch in cleaned):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos


class MoneyEntry(QLineEdit):
    """An amount field; ``amount()`` is a Decimal, ``minor()`` integer minor units."""

    def __init__(self, currency: str | None = None, parent=None):
        super().__init__(parent)
        self._currency = currency
        self.setValidator(_AmountValidator(self))

    def currency(self) -> str | None:
        return self._currency

    def set_currency(self, currency: str | None) -> None:
        self._currency = currency or None

    def amount(self) -> Decimal | None:
        """The typed amount; None when empty; ValueError when it is not a number."""
        cleaned = GROUP_SPACES.sub("", self.text()).replace(",", ".")
        if not cleaned:
            return None
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(self.text()) from None

    def minor(self) -> int | None:
        """The amount in minor units of the currency (ValueError if it has more decimals)."""
        value = self.amount()
        if value is None:
            return None
        scaled = value.scaleb(minor_places(self._currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(self.text())
        return int(scaled)

    def set_amount(self, value: Decimal | None) -> None:
        if value is None:
            self.clear()
            return
        quantum = Decimal(1).scaleb(-minor_places(self._currency))
        text = f"{Decimal(value).quantize(quantum):f}"
        self.setText(text.replace(".", get_decimal_symbol(babel_locale())))

    def set_minor(self, minor: int | None, currency: str | None) -> None:
        """Show an amount stored as minor units of ``currency``."""
        self.set_currency(currency)
        if minor is None:
            self.clear()
        else:
            self.set_amount(Decimal(int(minor)).scaleb(-minor_places(currency)))
