"""A list of choices to tick (what a report counts, how it breaks figures down).

Rows are the kit's 28 px (``style.ROW_HEIGHT``), as in a table. A long list is laid out in
as many columns as its widest item allows across the list's width, reading left to right,
so twenty choices take ten rows in a side panel instead of a scrolling column. The list asks
its layout for the height of all its rows at the width it is given (height for width).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QSizePolicy, QStyle

from desktop_app.ui import style

KEY = Qt.ItemDataRole.UserRole


class CheckList(QListWidget):
    """``add(key, checked)``; ``set_text(key, text)``; ``checked()`` gives the keys ticked,
    in the list's order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(0)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def add(self, key, checked: bool = False, text: str = "") -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(KEY, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.addItem(item)
        self._relayout()
        return item

    def items(self) -> list[QListWidgetItem]:
        return [self.item(i) for i in range(self.count())]

    def set_text(self, key, text: str) -> None:
        for item in self.items():
            if item.data(KEY) == key:
                item.setText(text)
        self._relayout()

    def checked(self) -> list:
        return [item.data(KEY) for item in self.items()
                if item.checkState() == Qt.CheckState.Checked]

    # ---- layout ---------------------------------------------------------------------------
    def item_width(self) -> int:
        """The widest item: its check box, the gap and its text."""
        indicator = self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
        widest = max((self.fontMetrics().horizontalAdvance(item.text())
                      for item in self.items()), default=0)
        return indicator + widest + 4 * style.UNIT

    def columns_for(self, width: int) -> int:
        inner = width - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        return max(1, inner // max(1, self.item_width()))

    def rows_for(self, width: int) -> int:
        columns = self.columns_for(width)
        return -(-self.count() // columns)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.rows_for(width) * style.ROW_HEIGHT + 2 * self.frameWidth() + style.UNIT

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = max(self.item_width() + 2 * self.frameWidth(), 160)
        return QSize(width, self.heightForWidth(self.width() or width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.item_width() // 2, 3 * style.ROW_HEIGHT + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        # from the list's own width: the viewport is resized after this list is
        inner = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        columns = self.columns_for(self.width())
        # a little under the width: the view wraps an item that would touch its edge
        size = QSize(max(1, (inner - style.GAP) // columns), style.ROW_HEIGHT)
        for item in self.items():
            item.setSizeHint(size)
        self.doItemsLayout()
        self.updateGeometry()
