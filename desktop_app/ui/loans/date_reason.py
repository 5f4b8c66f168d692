"""A dialog asking for a date and, optionally, an amount and a reason."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from desktop_app.i18n import Domain
from desktop_app.ui.widgets import DateEntry, MoneyEntry

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


class DateReasonDialog(QDialog):
    """A date and (optionally) a reason: disbursement, write-off request, capital.

    ``currency``: the currency of the amount (how many decimals it takes)."""

    def __init__(self, title: str, *, reason_label: str | None = None,
                 amount_label: str | None = None, currency: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.on = DateEntry()
        form.addRow(_("Date"), self.on)
        self.amount = MoneyEntry(currency)
        if amount_label:
            form.addRow(amount_label, self.amount)
        self.reason = QLineEdit()
        if reason_label:
            form.addRow(reason_label, self.reason)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
