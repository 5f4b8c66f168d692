"""A table model for very long lists (a million people) that loads only what is seen.

The model holds an ordered list of row keys (rowids or ids). Rows are fetched by page
when a view asks for them (``fetch_rows(keys) -> {key: row}``) and kept in a bounded
cache. To show something at once, ``set_keys`` may be called first with just the first
page and again with the complete list when it arrives from the worker.

``lazy_model`` builds one from (key, header) pairs and ``setup_table`` sets a view up for
it without scanning the list.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QTableView

from desktop_app.ui.widgets.columns import (
    RIGHT,
    fit_columns,
    header_alignment,
    looks_numeric,
    style_table,
)


@dataclass
class Column:
    key: str
    title: Callable[[], str]
    format: Callable[[dict], Any] | None = None
    align: Qt.AlignmentFlag | None = None


class LazyTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], fetch_rows: Callable[[list], dict],
                 page_size: int = 200, cache_pages: int = 50, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch_rows = fetch_rows
        self._keys: Sequence = []
        self._page_size = page_size
        self._cache: OrderedDict[int, dict] = OrderedDict()
        self._cache_pages = cache_pages
        self.pages_fetched = 0
        self.row_style: Callable[[dict], dict] | None = None
        # a header is painted often: its alignment is worked out once per list
        self._header_alignments: dict[int, object] = {}

    # ---- keys ------------------------------------------------------------------------
    def set_keys(self, keys: Sequence, *, keep_cache: bool = False) -> None:
        self.beginResetModel()
        self._keys = keys
        self._header_alignments.clear()
        if not keep_cache:
            self._cache.clear()
        self.endResetModel()

    def key_at(self, row: int):
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_of(self, key) -> int:
        try:
            return list(self._keys).index(key)
        except ValueError:
            return -1

    def invalidate(self) -> None:
        """Drop cached rows (after an edit) and repaint."""
        self._cache.clear()
        self._header_alignments.clear()
        if self._keys:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._keys) - 1, len(self.columns) - 1))

    # ---- rows ------------------------------------------------------------------------
    def row_data(self, row: int) -> dict | None:
        if not 0 <= row < len(self._keys):
            return None
        page = row // self._page_size
        cached = self._cache.get(page)
        if cached is None:
            start = page * self._page_size
            keys = list(self._keys[start:start + self._page_size])
            cached = self._fetch_rows(keys)
            self.pages_fetched += 1
            self._cache[page] = cached
            while len(self._cache) > self._cache_pages:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(page)
        return cached.get(self._keys[row])

    # ---- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            row = self.row_data(index.row())
            if row is None:
                return ""
            value = column.format(row) if column.format else row.get(column.key)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column.align is not None:
                return int(column.align)
            # figures align right (the kit's rule); a page may still set ``align``
            row = self.row_data(index.row())
            value = None if row is None else (
                column.format(row) if column.format else row.get(column.key))
            return RIGHT if value is not None and looks_numeric(str(value)) else None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.FontRole) and self.row_style is not None:
            row = self.row_data(index.row())
            if row is not None:
                return self.row_style(row).get(role)
        if role == Qt.ItemDataRole.UserRole:
            return self.key_at(index.row())
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            column = self.columns[section]
            if column.align is not None:
                return int(column.align)
            if section not in self._header_alignments:
                self._header_alignments[section] = header_alignment(self, section)
            return self._header_alignments[section]
        # a title cut by a narrow column reads whole on hover
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].title()
        if role == Qt.ItemDataRole.ToolTipRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def retranslate(self) -> None:
        if self.columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        self.invalidate()


def lazy_model(columns, fetch_rows: Callable[[list], dict],
               display: Callable[[dict, str], str] | None = None,
               brush: Callable[[dict], QBrush | None] | None = None,
               parent=None) -> LazyTableModel:
    """A LazyTableModel over an ordered key list.

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


def setup_table(view: QTableView, widths: list[int] | None = None,
                stretch: int | None = None) -> None:
    """The kit's table (columns.style_table): one-line readable rows, alternating colours,
    whole-row selection; columns share the table's width (columns.fit_columns: sized from
    the rows in sight, never the whole list, so no sideways scrolling). ``widths``: the
    widths before the first fit; ``stretch``: the column that takes spare width."""
    style_table(view)
    for n, width in enumerate(widths or []):
        view.setColumnWidth(n, width)
    fit_columns(view, stretch)


def by_id(rows: list[dict]) -> dict:
    """``{row["id"]: row}``: a fetch_rows answer from a list of rows."""
    return {row["id"]: row for row in rows}
