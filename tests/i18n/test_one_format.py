"""One format per language for dates, moments, counts and money (docs/dev/formats.md)."""
from datetime import date
from decimal import Decimal

import pytest

from desktop_app import i18n
from desktop_app.i18n import format_date, format_datetime, format_money, format_number

NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize("language, expected", [
    ("en", "06.12.2026"), ("ru", "06.12.2026"), ("tg", "06.12.2026"), ("uz", "06.12.2026")])
def test_one_date_format_per_language(language, expected):
    assert format_date(date(2026, 12, 6), language) == expected
    assert format_date("2026-12-06", language) == expected
    assert format_date("2026-12-06T23:00:25Z", language) == expected
    i18n.set_language(language)
    assert format_date(date(2026, 12, 6)) == expected


def test_a_date_with_a_pattern_of_its_own_keeps_it():
    assert format_date(date(2026, 12, 6), "en", fmt="LLLL y") == "December 2026"


def test_a_moment_reads_as_date_and_time_not_as_a_timestamp():
    shown = format_datetime("2026-12-06T23:00:25Z", "ru")
    assert "T" not in shown and "Z" not in shown
    assert shown[:2].isdigit() and shown[2] == "." and shown[-3] == ":"


@pytest.mark.parametrize("language, expected", [
    ("en", "37,265"), ("ru", f"37{NBSP}265"), ("tg", f"37{NBSP}265"), ("uz", f"37{NBSP}265")])
def test_counts_have_digit_groups(language, expected):
    assert format_number(37265, language).replace("\N{NARROW NO-BREAK SPACE}", NBSP) == expected


@pytest.mark.parametrize("language, tjs, uzs", [
    ("en", "6,800.00 somoni", "150,000 sum"),
    ("ru", "6 800,00 сомони", "150 000 сум"),
    ("tg", "6 800,00 сомонӣ", "150 000 сум"),
    ("uz", "6 800,00 somoniy", "150 000 soʻm")])
def test_money_has_the_local_currency_name(language, tjs, uzs):
    def plain(text):
        return text.replace(NBSP, " ").replace("\N{NARROW NO-BREAK SPACE}", " ")
    assert plain(format_money(Decimal("6800"), "TJS", language)) == tjs
    assert plain(format_money(Decimal("150000"), "UZS", language)) == uzs


def test_qt_default_locale_follows_the_language(qapp):
    from PySide6.QtCore import QLocale

    from desktop_app.i18n.qt import install_translator
    install_translator(qapp)
    i18n.set_language("ru")
    assert QLocale().language() == QLocale.Language.Russian
    i18n.set_language("uz")
    assert QLocale().language() == QLocale.Language.Uzbek
    i18n.set_language("en")
