"""The read-only table of the pages: short lists of rows (a timeline, a ledger, users).

Rows are set whole with ``set_rows(rows, keys)``; ``key``/``selected_key`` give back the
key (an id) of a row. Long lists use ``lazy_table`` instead.


QTableWidget.setItem in PySide6 6.12 drops a reference to None on every call; after some
ten thousand cells the interpreter aborts ("deallocating None"). This view keeps rows as
plain tuples in a QAbstractTableModel instead, which is also faster for long lists.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTableView

from desktop_app.ui.widgets.columns import (
    RIGHT,
    fit_columns,
    header_alignment,
    looks_numeric,
    style_table,
)


class _Cell:
    """What ``DataTable.item(row, column)`` returns (like a QTableWidgetItem, read-only)."""

    def __init__(self, text: str, key):
        self._text = text
        self._key = key

    def text(self) -> str:
        return self._text

    def data(self, role=Qt.UserRole):
        return self._key if role == Qt.UserRole else self._text


class RowsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple] = []
        self.keys: list = []
        self.headers: list[str] = []
        self.right: set[int] = set()
        self.backgrounds: list = []

    def set_rows(self, rows, keys=None, right=(), backgrounds=None):
        self.beginResetModel()
        self.rows = [tuple("" if v is None else str(v) for v in r) for r in rows]
        self.keys = list(keys) if keys is not None else [None] * len(self.rows)
        self.right = set(right)
        self.backgrounds = list(backgrounds) if backgrounds is not None else []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.DisplayRole:
            row = self.rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        if role == Qt.TextAlignmentRole:
            row = self.rows[index.row()]
            text = row[index.column()] if index.column() < len(row) else ""
            if index.column() in self.right or looks_numeric(text):
                return RIGHT
            return None
        if role == Qt.UserRole:
            return self.keys[index.row()]
        if role == Qt.BackgroundRole and index.row() < len(self.backgrounds):
            return self.backgrounds[index.row()]
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal or section >= len(self.headers):
            return None
        if role in (Qt.DisplayRole, Qt.ToolTipRole):   # a cut title reads whole on hover
            return self.headers[section]
        if role == Qt.TextAlignmentRole:
            return header_alignment(self, section)
        return None


_fit = fit_columns


class DataTable(QTableView):
    itemSelectionChanged = Signal()

    def __init__(self, columns: int, *, fit_columns: bool = False, stretch: int | None = None,
                 elide: bool = False, parent=None):
        """Each column as wide as its content (the rows in sight), the spare width to the
        ``stretch`` column or the widest text (``columns.fit_columns``). A short table shows
        every cell whole and scrolls sideways when its content is wider than the table;
        ``elide=True`` (a page's main list) keeps the columns within the width instead,
        cutting the longest texts (whole on hover). ``fit_columns`` is accepted for older
        callers: every table fits its content now."""
        super().__init__(parent)
        self._model = RowsModel(self)
        self._model.headers = [""] * columns
        self.setModel(self._model)
        style_table(self)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        _fit(self, stretch, elide)
        self.selectionModel().selectionChanged.connect(lambda *_a: self.itemSelectionChanged.emit())

    def setHorizontalHeaderLabels(self, labels) -> None:
        self._model.headers = list(labels)
        self._model.headerDataChanged.emit(Qt.Horizontal, 0, max(len(labels) - 1, 0))

    def set_rows(self, rows, keys=None, right=(), backgrounds=None) -> None:
        """``keys``: one per row (ids); ``right``: columns aligned right (figures);
        ``backgrounds``: one brush or None per row."""
        self._model.set_rows(rows, keys, right, backgrounds)
        self.itemSelectionChanged.emit()

    def rowCount(self) -> int:
        return self._model.rowCount()

    def item(self, row: int, column: int) -> _Cell | None:
        if not 0 <= row < len(self._model.rows):
            return None
        return _Cell(self._model.rows[row][column], self._model.keys[row])

    def key(self, row: int):
        return self._model.keys[row]

    def selected_key(self):
        rows = self.selectionModel().selectedRows()
        return self._model.keys[rows[0].row()] if rows else None
