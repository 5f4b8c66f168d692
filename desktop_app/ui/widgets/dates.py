"""The date entry of every page: one numeric format per UI language, from CLDR.

The format is CLDR's short date pattern of the language (Babel) with the day and month
written with two digits and the year with four (ru ``dd.MM.yyyy``, en ``MM/dd/yyyy``), so
that a date reads and is typed the same way everywhere in the application.
"""
from __future__ import annotations

import functools
import re
from datetime import date

from babel.dates import get_date_format
from PySide6.QtCore import QDate, QEvent
from PySide6.QtWidgets import QDateEdit

from desktop_app.i18n import babel_locale, current_language

FALLBACK_FORMAT = "dd.MM.yyyy"
_QT_FIELDS = {"d": "dd", "M": "MM", "L": "MM", "y": "yyyy"}
_TOKEN = re.compile(r"'[^']*'|([A-Za-z])\1*|[^A-Za-z']+")


def date_format(language: str | None = None) -> str:
    """The Qt display format of dates in ``language`` (default: the UI language)."""
    return _qt_format(babel_locale(language or current_language()))


@functools.lru_cache(maxsize=8)
def _qt_format(locale: str) -> str:
    pattern = get_date_format("short", locale=locale).pattern
    parts, fields = [], []
    for match in _TOKEN.finditer(pattern):
        token = match.group(0)
        letter = token[0]
        if letter == "'":
            text = token[1:-1]
            if any(ch.isalpha() for ch in text):
                return FALLBACK_FORMAT
            parts.append(text)
        elif letter.isalpha():
            if letter not in _QT_FIELDS or (letter in "ML" and len(token) > 2):
                return FALLBACK_FORMAT  # a month name or another field: not numeric
            fields.append(_QT_FIELDS[letter])
            parts.append(_QT_FIELDS[letter])
        else:
            parts.append(token)
    if sorted(fields) != ["MM", "dd", "yyyy"]:
        return FALLBACK_FORMAT
    return "".join(parts)


class DateEntry(QDateEdit):
    """A date field with a calendar popup, shown and typed in the UI language's format."""

    def __init__(self, value: date | None = None, parent=None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.retranslate()
        self.set_value(value or date.today())

    def retranslate(self) -> None:
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
