"""Display texts shared by the modules."""
from decimal import Decimal

from desktop_app.i18n.formats import full_name, percent


def test_percent_follows_the_language_and_shows_a_dash_for_no_value():
    assert percent(Decimal("0.1234"), "en") == "12.3%"
    assert percent(Decimal("0.1234"), "ru") == "12,3%"
    assert percent(Decimal("1"), "en") == "100.0%"
    assert percent(None, "en") == "—"


def test_full_name_is_the_name_as_written_without_empty_parts():
    assert full_name({"family_name": "Раҳимова", "given_name": "Нигора",
                      "patronymic": "Аҳмадовна"}) == "Раҳимова Нигора Аҳмадовна"
    assert full_name({"family_name": "Karimov", "given_name": "Aziz", "patronymic": None}) \
        == "Karimov Aziz"


def test_the_first_start_speaks_the_system_language_on_every_platform():
    from desktop_app.i18n import supported_language
    assert supported_language(["uz-Latn-UZ", "ru-RU"]) == "uz"       # Qt on Windows/macOS
    assert supported_language(["de-DE", "tg-TJ"]) == "tg"           # first one we speak
    assert supported_language(["Russian_Russia"]) == "ru"           # Python's locale on Windows
    assert supported_language(["ru_RU.UTF-8"]) == "ru"              # Linux
    assert supported_language(["fr-FR", ""]) == "en"


def test_interest_rates_are_written_as_each_language_writes_a_percentage():
    from decimal import Decimal

    from desktop_app.i18n.formats import rate_percent
    assert rate_percent(Decimal("18.5"), "en") == "18.5%"
    assert rate_percent(Decimal("18.5"), "ru") == "18,5\xa0%"
    assert rate_percent("24", "tg") == "24%"
    assert rate_percent(Decimal("18.5"), "uz") == "18,5%"


def test_a_share_is_a_percentage_in_the_language_rounded_without_trailing_zeros():
    from fractions import Fraction

    from desktop_app.i18n.formats import share_percent
    from desktop_app.ui.trainings.outcomes import percent_text
    assert share_percent(Fraction(1, 3), "en") == "33%"
    assert share_percent(Fraction(1, 3), "ru") == "33\xa0%"
    assert share_percent(Fraction(2, 3), "tg", places=1) == "66,7%"
    assert share_percent(Decimal("0.9"), "ru", places=1) == "90\xa0%"
    assert share_percent(None, "en") == "—"
    assert percent_text(Fraction(1, 3), "ru") == "33\xa0%"
    assert percent_text(Fraction(1, 2), "uz") == "50%"


def test_hours_and_completion_rules_are_written_in_the_interface_language():
    from fractions import Fraction

    from desktop_app.domain.trainings import CompletionRule, hours_text, parse_hours
    from desktop_app.i18n import set_language
    rule = CompletionRule(Fraction(2, 3), None, Fraction(3, 2))
    assert hours_text(90) == "1.5"
    assert "66.7%" in rule.describe()
    set_language("ru")
    assert hours_text(90) == "1,5" and hours_text(120) == "2"
    assert parse_hours(hours_text(90)) == 90
    assert "66,7\xa0%" in rule.describe() and "1,5" in rule.describe()
    set_language("tg")
    assert "66,7%" in rule.describe()


def test_a_completion_share_is_shown_and_read_with_the_languages_decimal_sign():
    from fractions import Fraction

    from desktop_app.domain.trainings import CompletionRule
    from desktop_app.i18n.formats import decimal_text
    assert decimal_text(0.8, "ru") == "0,8" and decimal_text(0.8, "en") == "0.8"
    assert decimal_text(2.0, "tg") == "2"
    shown = decimal_text(2 / 3, "uz")
    rule = CompletionRule.from_attributes({"min_share_sessions": shown})
    assert abs(rule.min_share_sessions - Fraction(2, 3)) < Fraction(1, 10 ** 12)
    assert CompletionRule.from_attributes({"min_share_sessions": "0,8", "min_hours": "1,5"}) \
        == CompletionRule(Fraction(4, 5), None, Fraction(3, 2))
