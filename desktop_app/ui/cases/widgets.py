"""Small pieces shared by the cases and inspections pages: row colours, field error labels,
a reason prompt."""
from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QInputDialog, QLabel, QWidget

from desktop_app.i18n import Domain

DOMAIN = Domain("cases")
_ = DOMAIN.gettext

OVERDUE_BRUSH = QBrush(QColor("#f8d7da"))
TODAY_BRUSH = QBrush(QColor("#fff3cd"))
SENSITIVE_BRUSH = QBrush(QColor("#ece4f7"))
REPEAT_BRUSH = QBrush(QColor("#f8d7da"))


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


def ask_reason(parent: QWidget | None, title: str | None = None) -> str | None:
    """Ask why a sensitive record is opened; None when cancelled."""
    text, ok = QInputDialog.getText(
        parent, title or _("Reason needed"),
        _("This case is sensitive and not assigned to you. Why do you need to open it? "
          "Your answer is written in the audit log."))
    return text if ok and text.strip() else None
