"""Small pieces shared by the cases and inspections pages: reference-data combos, field
error labels, the shared lazy list model set up for case lists, a reason prompt."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDateEdit, QInputDialog, QLabel, QWidget)

from desktop_app.i18n import Domain, current_language
from desktop_app.store import reference
from desktop_app.ui.lazy_model import Column, LazyTableModel

DOMAIN = Domain("cases")
_ = DOMAIN.gettext

OVERDUE_BRUSH = QBrush(QColor("#f8d7da"))
TODAY_BRUSH = QBrush(QColor("#fff3cd"))
SENSITIVE_BRUSH = QBrush(QColor("#ece4f7"))
REPEAT_BRUSH = QBrush(QColor("#f8d7da"))


class RefCombo(QComboBox):
    """A combo of reference items of one kind; ``code()`` is the chosen code."""

    def __init__(self, conn, kind: str, *, blank: Callable[[], str] | None = None,
                 parent_code: str | None = None, parent=None):
        super().__init__(parent)
        self.conn, self.kind, self.blank, self.parent_code = conn, kind, blank, parent_code
        self.fill()

    def fill(self, parent_code: str | None = None) -> None:
        if parent_code is not None:
            self.parent_code = parent_code
        current = self.code()
        self.blockSignals(True)
        self.clear()
        if self.blank is not None:
            self.addItem(self.blank(), None)
        lang = current_language()
        if self.kind and (self.parent_code is not None or self.kind != "case_subcategory"):
            for item in reference.items(self.conn, self.kind, self.parent_code):
                self.addItem(item.label(lang), item.code)
        self.set_code(current)
        self.blockSignals(False)

    def code(self) -> str | None:
        return self.currentData()

    def set_code(self, code: str | None) -> None:
        index = self.findData(code)
        self.setCurrentIndex(index if index >= 0 else 0)


class ErrorLabel(QLabel):
    """A red message under a field; empty when the field is fine."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet("color: #b00020;")
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


class FieldErrors:
    """Maps field names to their ErrorLabel; ``show(errors)`` fills them, clears the rest."""

    def __init__(self):
        self.labels: dict[str, ErrorLabel] = {}
        self.general: ErrorLabel | None = None

    def label(self, name: str) -> ErrorLabel:
        self.labels[name] = ErrorLabel()
        return self.labels[name]

    def show(self, errors: dict[str, str]) -> None:
        leftover = []
        for name, label in self.labels.items():
            label.show_error(errors.get(name))
        for name, message in errors.items():
            if name not in self.labels:
                leftover.append(message)
        if self.general is not None:
            self.general.show_error(" ".join(leftover))

    def clear(self) -> None:
        self.show({})

    def text(self, name: str) -> str:
        label = self.labels.get(name)
        return label.text() if label is not None else ""


def date_edit(value: date | None = None, parent=None) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd.MM.yyyy")
    day = value or date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


def setup_table(view, widths: list[int] | None = None) -> None:
    """One-line rows, whole-row selection, fixed column widths (no scan of a long list)."""
    view.setSelectionBehavior(view.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    for n, width in enumerate(widths or []):
        view.setColumnWidth(n, width)


def ask_reason(parent: QWidget | None, title: str | None = None) -> str | None:
    """Ask why a sensitive record is opened; None when cancelled."""
    text, ok = QInputDialog.getText(
        parent, title or _("Reason needed"),
        _("This case is sensitive and not assigned to you. Why do you need to open it? "
          "Your answer is written in the audit log."))
    return text if ok and text.strip() else None


def lazy_model(columns, fetch_rows: Callable[[list], dict],
               display: Callable[[dict, str], str] | None = None,
               brush: Callable[[dict], QBrush | None] | None = None,
               parent=None) -> LazyTableModel:
    """The shared lazy list model (ui.lazy_model) over an ordered key list.

    ``columns``: (key, header callable) pairs; ``fetch_rows(keys) -> {key: row}`` reads a
    page; ``display(row, key)`` renders a cell; ``brush(row)`` may colour a row.
    """
    show = display or (lambda row, key: row.get(key))
    model = LazyTableModel(
        [Column(key, title, (lambda row, k=key: show(row, k))) for key, title in columns],
        fetch_rows, parent=parent)
    if brush is not None:
        def style(row):
            colour = brush(row)
            return {Qt.BackgroundRole: colour} if colour is not None else {}
        model.row_style = style
    return model


def by_id(rows: list[dict]) -> dict:
    """``{row["id"]: row}``: a fetch_rows answer from a list of rows."""
    return {row["id"]: row for row in rows}
