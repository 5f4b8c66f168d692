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
