"""The money entry: digits, spaces and one decimal mark; minor units of the currency."""
from decimal import Decimal

import pytest

from desktop_app.domain import cases as case_rules
from desktop_app.domain import loans as loan_rules
from desktop_app.i18n import set_language
from desktop_app.ui.widgets import MoneyEntry
from desktop_app.ui.widgets.money import minor_places


def entry_with(qtbot, typed: str, currency: str | None = "TJS") -> MoneyEntry:
    entry = MoneyEntry(currency)
    qtbot.addWidget(entry)
    qtbot.keyClicks(entry, typed)
    return entry


def test_letters_and_symbols_cannot_be_typed(qtbot):
    entry = entry_with(qtbot, "1a2$0x0")
    assert entry.text() == "1200"
    assert entry.amount() == Decimal("1200") and entry.minor() == 120000


def test_a_second_decimal_mark_is_refused(qtbot):
    entry = entry_with(qtbot, "12.5.0")
    assert entry.text() == "12.50"
    assert entry.minor() == 1250


def test_no_more_decimals_than_the_currency_has(qtbot):
    entry = entry_with(qtbot, "10.999")
    assert entry.text() == "10.99"
    assert entry.minor() == 1099


@pytest.mark.parametrize("language", ["ru", "tg", "uz"])
def test_the_decimal_comma_and_group_spaces_are_taken(qtbot, language):
    set_language(language)
    entry = entry_with(qtbot, "12 500,5", "RUB")
    assert entry.amount() == Decimal("12500.5")
    assert entry.minor() == 1250050


def test_a_point_is_taken_in_every_language(qtbot):
    set_language("ru")
    assert entry_with(qtbot, "0.07").minor() == 7


def test_empty_is_no_amount_and_a_lone_mark_is_not_a_number(qtbot):
    assert entry_with(qtbot, "").amount() is None
    assert entry_with(qtbot, "").minor() is None
    with pytest.raises(ValueError):
        entry_with(qtbot, ",").amount()


def test_a_minus_sign_reaches_the_rule_that_refuses_it(qtbot):
    entry = entry_with(qtbot, "-500")
    assert entry.amount() == Decimal("-500")


def test_a_stored_amount_is_shown_with_the_language_decimal_mark(qtbot):
    entry = MoneyEntry()
    qtbot.addWidget(entry)
    entry.set_minor(8500050, "RUB")
    assert entry.text() == "85000.50" and entry.currency() == "RUB"
    assert entry.minor() == 8500050
    set_language("tg")
    entry.set_minor(705, "TJS")
    assert entry.text() == "7,05"
    assert entry.amount() == Decimal("7.05") and entry.minor() == 705
    entry.set_minor(None, "TJS")
    assert entry.text() == "" and entry.minor() is None


def test_changing_to_a_currency_without_cents_refuses_the_cents(qtbot):
    entry = entry_with(qtbot, "10.50")
    entry.set_currency("JPY")
    with pytest.raises(ValueError):
        entry.minor()
    entry.clear()
    qtbot.keyClicks(entry, "10,")
    assert entry.text() == "10" and entry.minor() == 10


def test_minor_units_agree_with_the_domain_rules():
    for currency in loan_rules.MINOR_UNITS:
        assert minor_places(currency) == loan_rules.minor_units(currency)
    for currency, places in case_rules.CURRENCIES.items():
        assert minor_places(currency) == places
