"""Small pieces shared by the cases and inspections pages: reference-data combos, field
error labels, a lazy table model over an ordered id list, a reason prompt."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDateEdit, QInputDialog, QLabel, QWidget)

from desktop_app.i18n import _, current_language
from desktop_app.store import reference

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


class LazyRowsModel(QAbstractTableModel):
    """An ordered id list with rows fetched a page at a time (``fetch(ids) -> rows``).

    ``columns`` is a list of (key, header callable); ``brush(row)`` may colour a row.
    """

    PAGE = 200

    def __init__(self, columns, fetch: Callable[[list[str]], list[dict]],
                 display: Callable[[dict, str], str] | None = None,
                 brush: Callable[[dict], QBrush | None] | None = None, parent=None):
        super().__init__(parent)
        self.columns = columns
        self.fetch = fetch
        self.display = display or (lambda row, key: "" if row.get(key) is None else str(row[key]))
        self.brush = brush
        self.ids: list[str] = []
        self.cache: dict[int, list[dict]] = {}   # page number -> rows, oldest first

    def set_ids(self, ids: list[str]) -> None:
        self.beginResetModel()
        self.ids = list(ids)
        self.cache = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.columns)

    MAX_PAGES = 50

    def row(self, n: int) -> dict:
        page = n // self.PAGE
        if page not in self.cache:
            start = page * self.PAGE
            page_ids = self.ids[start:start + self.PAGE]
            rows = {r["id"]: r for r in self.fetch(page_ids)}
            self.cache[page] = [rows.get(rid, {"id": rid}) for rid in page_ids]
            if len(self.cache) > self.MAX_PAGES:      # bounded: scrolling 300,000 rows
                self.cache.pop(next(iter(self.cache)))
        return self.cache[page][n - page * self.PAGE]

    def id_at(self, n: int) -> str:
        return self.ids[n]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.row(index.row())
        if role == Qt.DisplayRole:
            return self.display(row, self.columns[index.column()][0])
        if role == Qt.BackgroundRole and self.brush is not None:
            return self.brush(row)
        if role == Qt.UserRole:
            return row.get("id")
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.columns[section][1]()
        return None

    def retranslate(self) -> None:
        self.cache = {}
        self.headerDataChanged.emit(Qt.Horizontal, 0, max(0, len(self.columns) - 1))
        if self.ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.ids) - 1, len(self.columns) - 1))
