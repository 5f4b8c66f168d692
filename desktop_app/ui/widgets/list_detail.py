"""A list and the chosen item's detail: side by side when both fit, else one at a time.

``ListDetail(list_pane, detail_pane, list_width=..., detail_width=...)`` lays the two out
beside each other when the page is at least as wide as what the list wants (its columns
whole) plus the detail's minimum. When it is not, the list fills the page; choosing or
creating an item (``show_detail()``) makes the detail the page's main view, with a
"Back to the list" button above it (Alt+Left and Escape too) that shows the list again with
the focus on the chosen row. Going back keeps the detail as it is: an unsaved edit is still
there when the item is opened again. The choice is made again when the page is resized and
after a change of language (``retranslate()``), since the columns' widths change with it.

``set_detail_available(False)``: there is no detail to show (nothing chosen); the list takes
the whole page in both layouts.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain
from desktop_app.ui import icons, style

DOMAIN = Domain("core")
_ = DOMAIN.gettext

# the splitter's handle between the two panes
HANDLE = style.GAP


def fits_side_by_side(available: int, list_wanted: int, detail_minimum: int,
                      handle: int = HANDLE) -> bool:
    """True when a page ``available`` pixels wide holds the list at its wanted width and
    the detail at its minimum, with the handle between them."""
    return available >= list_wanted + handle + detail_minimum


def confirm_discard(parent: QWidget) -> bool:
    """Ask before an item's unsaved changes give way to another item: True to discard."""
    answer = QMessageBox.question(
        parent, _("Unsaved changes"),
        _("The changes to the open item have not been saved. Discard them?"),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def _as_function(width: int | Callable[[], int]) -> Callable[[], int]:
    return width if callable(width) else (lambda: int(width))


class ListDetail(QWidget):
    """See the module's note. ``list_view``: the table whose current row gets the focus
    back when the user returns to the list."""

    layout_changed = Signal(bool)      # True: side by side
    back_requested = Signal()          # the user went back to the list (one at a time)

    def __init__(self, list_pane: QWidget, detail_pane: QWidget, *,
                 list_width: int | Callable[[], int],
                 detail_width: int | Callable[[], int],
                 list_view: QAbstractItemView | None = None,
                 list_share: int = 1, detail_share: int = 2, parent=None):
        super().__init__(parent)
        self.list_pane, self.detail_pane, self.list_view = list_pane, detail_pane, list_view
        self.list_width = _as_function(list_width)
        self.detail_width = _as_function(detail_width)
        self._side_by_side = True
        self._detail_available = True
        self._detail_in_front = False   # one at a time: the detail is the main view

        self.back_button = QPushButton(icons.icon("arrow-left"), "")
        self.back_button.setObjectName("back_to_list")
        self.back_button.clicked.connect(self.show_list)
        self.back_bar = QWidget()
        bar = QHBoxLayout(self.back_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.back_button)
        bar.addStretch(1)
        self.detail_box = QWidget()
        box = QVBoxLayout(self.detail_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(style.GAP)
        box.addWidget(self.back_bar)
        box.addWidget(detail_pane, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(HANDLE)
        self.splitter.addWidget(list_pane)
        self.splitter.addWidget(self.detail_box)
        self.shares = (list_share, detail_share)
        self.splitter.setStretchFactor(0, list_share)
        self.splitter.setStretchFactor(1, detail_share)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._shortcuts = []
        for keys in (QKeySequence(Qt.Modifier.ALT | Qt.Key.Key_Left),
                     QKeySequence(Qt.Key.Key_Escape)):
            shortcut = QShortcut(keys, self.detail_box, activated=self.show_list)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._shortcuts.append(shortcut)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.update_layout)
        self.retranslate()
        self._apply()

    # ---- what the page calls ------------------------------------------------------------
    def retranslate(self) -> None:
        self.back_button.setText(_("Back to the list"))
        self.back_button.setToolTip(_("Back to the list (Alt+Left or Esc)"))
        self.later()

    def later(self) -> None:
        """Decide again once the events in hand are handled (columns fitted, texts set)."""
        self._timer.start()

    def side_by_side(self) -> bool:
        return self._side_by_side

    def showing_detail(self) -> bool:
        """True when the detail can be seen (beside the list, or as the main view)."""
        return self.detail_box.isVisibleTo(self)

    def showing_list(self) -> bool:
        return self.list_pane.isVisibleTo(self)

    def set_detail_available(self, available: bool) -> None:
        self._detail_available = available
        if not available:
            self._detail_in_front = False
        self._apply()

    def show_detail(self, focus: QWidget | None = None) -> None:
        """An item was chosen or created: its detail in sight (the main view when the two
        do not fit side by side); ``focus`` gets the keyboard then."""
        self._detail_available = True
        self._detail_in_front = True
        self._apply()
        if focus is not None and not self._side_by_side:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_list(self) -> None:
        """Back to the list (one at a time); the focus on the chosen row."""
        if self._side_by_side or not self._detail_in_front:
            return
        self._detail_in_front = False
        self._apply()
        if self.list_view is not None:
            self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)
            current = self.list_view.currentIndex()
            if current.isValid():
                self.list_view.scrollTo(current)
        self.back_requested.emit()

    # ---- deciding -----------------------------------------------------------------------
    def update_layout(self) -> None:
        if not self.isVisible():
            return        # decided when shown, at the width it is shown at
        side = fits_side_by_side(self.width(), self.list_width(), self.detail_width())
        if side != self._side_by_side:
            self._side_by_side = side
            self._apply()
            self.layout_changed.emit(side)

    def _apply(self) -> None:
        detail_shown = self._detail_available and (self._side_by_side or self._detail_in_front)
        list_shown = self._side_by_side or not detail_shown
        self.back_bar.setVisible(not self._side_by_side)
        for shortcut in self._shortcuts:
            shortcut.setEnabled(not self._side_by_side)
        # hide first: a splitter never holds two hidden panes at once
        if list_shown:
            self.list_pane.setVisible(True)
            self.detail_box.setVisible(detail_shown)
        else:
            self.detail_box.setVisible(True)
            self.list_pane.setVisible(False)
        if self._side_by_side and detail_shown:
            self._share_width()

    def _share_width(self) -> None:
        """The list its wanted width and the detail its minimum; what is left over is
        shared in the proportion of ``list_share`` to ``detail_share``."""
        total = self.splitter.width() - HANDLE
        list_width, detail_width = self.list_width(), self.detail_width()
        spare = max(0, total - list_width - detail_width)
        list_width += spare * self.shares[0] // max(1, sum(self.shares))
        self.splitter.setSizes([list_width, max(1, total - list_width)])

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.update_layout()
        if self._side_by_side and self.showing_detail():
            self._share_width()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.update_layout()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.FontChange):
            self.later()
