"""What a list shows when it has no rows: a message and, if useful, the action to start.

``TableOrEmpty`` shows the table while its model has rows and the ``EmptyState`` instead
of it when the model is empty.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)


class EmptyState(QWidget):
    """A centred message with an optional button; ``action_triggered`` when it is pressed."""

    action_triggered = Signal()

    def __init__(self, message: str = "", action_text: str | None = None, parent=None):
        super().__init__(parent)
        self.label = QLabel(message)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton()
        self.button.clicked.connect(self.action_triggered)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.set_action(action_text)

    def message(self) -> str:
        return self.label.text()

    def set_message(self, text: str) -> None:
        self.label.setText(text)

    def set_action(self, text: str | None) -> None:
        """The button's label; None hides the button."""
        self.button.setText(text or "")
        self.button.setVisible(bool(text))


class TableOrEmpty(QStackedWidget):
    """``view`` while its model has rows, ``empty`` instead of it while it has none."""

    def __init__(self, view: QAbstractItemView, empty: EmptyState, parent=None):
        super().__init__(parent)
        self.view, self.empty = view, empty
        self.addWidget(view)
        self.addWidget(empty)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self._update)
        self._update()

    def showing_empty(self) -> bool:
        return self.currentWidget() is self.empty

    def _update(self, *_args) -> None:
        self.setCurrentWidget(self.empty if self.view.model().rowCount() == 0 else self.view)
