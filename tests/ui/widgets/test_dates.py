"""The date entry shows and takes dates in one numeric format per UI language (CLDR)."""
from datetime import date

import pytest
from PySide6.QtCore import QDate, QEvent, QLocale, Qt
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.i18n import LANGUAGES, set_language
from desktop_app.i18n.qt import install_translator, refresh
from desktop_app.ui.widgets import DateEntry, date_format

# the offices' practice, day first (CLDR's tg/uz dd/MM/yy and en M/d/yy are not):
# docs/dev/formats.md
EXPECTED = {"en": ("dd.MM.yyyy", "09.03.2026"), "ru": ("dd.MM.yyyy", "09.03.2026"),
            "tg": ("dd.MM.yyyy", "09.03.2026"), "uz": ("dd.MM.yyyy", "09.03.2026")}


def test_every_language_has_an_expected_format():
    assert set(EXPECTED) == set(LANGUAGES)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_format_is_numeric_with_four_digit_year(language):
    fmt, _text = EXPECTED[language]
    assert date_format(language) == fmt
    set_language(language)
    assert date_format() == fmt


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_entry_shows_the_language_format(qtbot, language):
    set_language(language)
    entry = DateEntry(date(2026, 3, 9))
    qtbot.addWidget(entry)
    assert entry.displayFormat() == EXPECTED[language][0]
    assert entry.text() == EXPECTED[language][1]
    assert entry.value() == date(2026, 3, 9) and entry.iso() == "2026-03-09"


@pytest.mark.parametrize("language, typed, digits", [
    ("en", "25.12.2027", "25122027"), ("ru", "25.12.2027", "25122027"),
    ("tg", "25.12.2027", "25122027"), ("uz", "25.12.2027", "25122027")])
def test_entry_takes_a_date_typed_in_the_language_format(qtbot, language, typed, digits):
    set_language(language)
    entry = DateEntry(date(2026, 3, 9))
    qtbot.addWidget(entry)
    assert entry.dateTimeFromText(typed).date() == QDate(2027, 12, 25)
    # the day and the month come in the language's order when typed from the first field
    entry.setFocus()
    entry.setCurrentSectionIndex(0)
    entry.setSelectedSection(entry.currentSection())
    qtbot.keyClicks(entry, digits)
    qtbot.keyClick(entry, Qt.Key_Return)
    assert entry.text() == typed
    assert entry.value() == date(2027, 12, 25) and entry.iso() == "2027-12-25"


def test_a_date_in_another_language_order_is_not_read_as_this_one(qtbot):
    set_language("ru")
    entry = DateEntry(date(2026, 3, 9))
    qtbot.addWidget(entry)
    assert entry.dateTimeFromText("12.25.2027").date() != QDate(2027, 12, 25)


def test_entry_follows_a_language_change(qtbot):
    entry = DateEntry(date(2026, 3, 9))
    qtbot.addWidget(entry)
    assert entry.text() == "09.03.2026"
    install_translator(QApplication.instance())   # Qt's default locale follows the language
    set_language("ru")
    QApplication.sendEvent(entry, QEvent(QEvent.Type.LanguageChange))
    assert entry.text() == "09.03.2026"
    assert entry.value() == date(2026, 3, 9)
    # the calendar pop-up names the months and days in the UI language
    assert entry.calendarWidget().locale().language() == QLocale.Language.Russian


def test_entry_starts_today_by_default(qtbot):
    entry = DateEntry()
    qtbot.addWidget(entry)
    assert entry.value() == date.today()
    assert entry.calendarPopup()


def test_entries_in_open_windows_follow_the_application_language(qtbot):
    # what the main window does on a language change: Qt then tells every widget
    app = QApplication.instance()
    install_translator(app)
    window = QWidget()
    entry = DateEntry(date(2026, 3, 9), parent=window)
    qtbot.addWidget(window)
    window.show()
    set_language("uz")
    refresh(app)
    qtbot.waitUntil(lambda: entry.text() == "09.03.2026", timeout=2000)
