"""The date entry of every page: one numeric format per UI language.

The format is ``i18n.date_pattern`` (ru, tg, uz ``dd.MM.yyyy``, en ``dd/MM/yyyy``; see
docs/dev/formats.md), the same one ``i18n.format_date`` writes, so that a date reads and is
typed the same way everywhere in the application.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QLocale
from PySide6.QtWidgets import QDateEdit

from desktop_app.i18n import current_language, date_pattern


def date_format(language: str | None = None) -> str:
    """The Qt display format of dates in ``language`` (default: the UI language)."""
    return date_pattern(language or current_language())


class DateEntry(QDateEdit):
    """A date field with a calendar popup, shown and typed in the UI language's format."""

    def __init__(self, value: date | None = None, parent=None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.retranslate()
        self.set_value(value or date.today())

    def retranslate(self) -> None:
        # the calendar pop-up speaks the UI language (Qt's default locale follows it)
        self.setLocale(QLocale())
        self.calendarWidget().setLocale(QLocale())
        self.setDisplayFormat(date_format())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def value(self) -> date:
        day = self.date()
        return date(day.year(), day.month(), day.day())

    def set_value(self, value: date) -> None:
        self.setDate(QDate(value.year, value.month, value.day))

    def iso(self) -> str:
        """The date as stored (``YYYY-MM-DD``)."""
        return self.value().isoformat()
