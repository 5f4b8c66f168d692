"""Small widgets of the People screens: field error labels, yes/no text."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desktop_app.i18n import Domain

DOMAIN = Domain("people")
_ = DOMAIN.gettext

ERROR_STYLE = "color: #b00020;"


class FieldError(QLabel):
    """A red message under a field; hidden when empty."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


def yes_no(value) -> str:
    return _("Yes") if value else _("No")
