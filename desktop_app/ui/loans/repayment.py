"""The dialog of a repayment."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain
from desktop_app.store.loans import queries as loan_queries
from desktop_app.store.loans import services as loan_services
from desktop_app.ui.loans.common import money, refused_in
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DateEntry, MoneyEntry

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


class RepayDialog(QDialog):
    """Enter a repayment; asks before treating an overpayment as an early repayment."""

    saved = Signal(dict)

    def __init__(self, ctx, loan: dict, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.loan = loan
        self.setWindowTitle(_("Repayment for loan {number}").format(number=loan["number"]))
        form = QFormLayout()
        self.on = DateEntry()
        self.amount = MoneyEntry(loan["currency"])
        self.currency = QComboBox()
        for cur in L.CURRENCIES:
            self.currency.addItem(cur, cur)
        self.currency.setCurrentIndex(self.currency.findData(loan["currency"]))
        self.currency.currentIndexChanged.connect(
            lambda _index: self.amount.set_currency(self.currency.currentData()))
        self.note = QLineEdit()
        self.owed = QLabel()
        self.owed.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        form.addRow(_("Date"), self.on)
        form.addRow(_("Amount"), self.amount)
        form.addRow(_("Currency"), self.currency)
        form.addRow(_("Note"), self.note)
        self.prepay_button = QPushButton(_("Record the difference as early repayment"))
        self.prepay_button.setVisible(False)
        self.prepay_button.clicked.connect(lambda: self.save(prepay=True))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(lambda: self.save(prepay=False))
        self.buttons.rejected.connect(self.reject)
        # the texts that wrap sit in a column of their own under the form (in the form's
        # spanning rows their height was not reserved and they overlapped), and the
        # dialog grows with them
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.owed)
        layout.addWidget(self.error)
        layout.addWidget(self.prepay_button)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        # Enter in an empty amount (the entry refuses it as incomplete) says what is missing
        self.amount.installEventFilter(self)
        self.on.dateChanged.connect(self._show_owed)
        self.amount.textChanged.connect(lambda _t: self.prepay_button.setVisible(False))
        self._show_owed()

    def _show_owed(self) -> None:
        try:
            state = loan_queries.loan_state(self.ctx.session.conn, self.loan["id"],
                                            self.on.value())
        except L.LoanError:
            return
        cur = self.loan["currency"]
        self.owed.setText(_("Due on this date: {due} (late {days} days). To repay the whole "
                            "loan: {payoff}.").format(due=money(state.due_now, cur),
                                                      days=state.days_late,
                                                      payoff=money(state.payoff, cur)))
        self._fit()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.amount and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not self.amount.hasAcceptableInput():
            self.save()
            return True
        return super().eventFilter(watched, event)

    def save(self, prepay: bool = False) -> None:
        if not self.amount.text().strip() or not self.amount.hasAcceptableInput():
            self.error.setText(_("Enter the amount repaid."))
            self.amount.setFocus()
            self._fit()
            return
        loan_id, amount, on = self.loan["id"], self.amount.text(), self.on.value()
        currency, note = self.currency.currentData(), self.note.text().strip() or None
        WriteOp(self.ctx, self, lambda session: loan_services.repay(
            session, loan_id, amount, on, currency=currency, prepay=prepay, note=note),
            changes=("loan",)).success(self._saved).failure(
            refused_in(self.error, self._refused)).run()

    def _refused(self, exc: BaseException) -> None:
        # asks before treating an overpayment as an early repayment
        self.prepay_button.setVisible(isinstance(exc, L.PrepaymentNeeded))
        self._fit()

    def _fit(self) -> None:
        """Grow to show every wrapped message whole (never shrink under the user)."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() \
            else layout.totalSizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    def _saved(self, entry: dict) -> None:
        self.saved.emit(entry)
        self.accept()
