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


@pytest.mark.parametrize("day, tajik", [
    (date(2026, 12, 7), "7 декабри 2026"), (date(2026, 5, 1), "1 майи 2026"),
    (date(2026, 3, 21), "21 марти 2026"), (date(2027, 1, 9), "9 январи 2027")])
def test_a_tajik_date_with_the_months_name_is_written_as_tajik_writes_it(day, tajik):
    """CLDR gives "07 Декабр 2026"; Tajik writes the day without a zero and the month in
    lower case with the izofa: "7 декабри 2026", in the long and the medium form alike."""
    assert format_date(day, "tg", fmt="long") == tajik
    assert format_date(day, "tg", fmt="medium") == tajik
    assert format_date(day.isoformat(), "tg", fmt="long") == tajik
    assert format_date(day, "tg", fmt="full").endswith(", " + tajik)
    assert format_date(day, "tg", fmt="d MMMM y") == tajik


def test_the_other_languages_keep_the_months_case_a_date_needs():
    day = date(2026, 12, 7)
    assert format_date(day, "ru", fmt="long") == "7 декабря 2026\N{NARROW NO-BREAK SPACE}г."
    assert format_date(day, "uz", fmt="long") == "7-dekabr, 2026"
    assert format_date(day, "en", fmt="long") == "December 7, 2026"
    # a month as a title stays in the nominative: «декабрь 2026», «Декабр 2026»
    assert format_date(day, "ru", fmt="LLLL y") == "декабрь 2026"
    assert format_date(day, "tg", fmt="LLLL y") == "Декабр 2026"


@pytest.mark.parametrize("language, expected", [
    ("en", "Dec 7"), ("ru", "7 дек."), ("tg", "7 дек"), ("uz", "7-dek")])
def test_a_day_and_short_month_follow_the_languages_order(language, expected):
    assert format_date(date(2026, 12, 7), language, fmt="MMMd") == expected


def test_a_certificate_prints_the_tajik_long_date():
    """The certificate's dates (and the report's cover, tests/reports) are format_date's."""
    from desktop_app.reports import trainings_certificates
    cache = trainings_certificates._Cache(None)
    assert cache.date("2026-12-07", "tg") == "7 декабри 2026"


def test_counts_inside_messages_have_digit_groups():
    """Counts put into a sentence are format_number's, like those in a table."""
    from desktop_app.store.checks import SEARCH_INDEXES
    from desktop_app.ui.inspections.page import _inspection_display
    i18n.set_language("ru")
    try:
        message = SEARCH_INDEXES[0][2](37265, 37000).replace("\N{NARROW NO-BREAK SPACE}", NBSP)
        assert f"записей: 37{NBSP}265" in message and f"людей: 37{NBSP}000" in message
        shown = _inspection_display(None)({"violations": 1200, "cases": 3}, "violations")
        assert shown.replace("\N{NARROW NO-BREAK SPACE}", NBSP) == f"1{NBSP}200"
    finally:
        i18n.set_language("en")
