"""The dialog of a repayment."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
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
        form = QFormLayout(self)
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
        form.addRow(self.owed)
        form.addRow(self.error)
        self.prepay_button = QPushButton(_("Record the difference as early repayment"))
        self.prepay_button.setVisible(False)
        self.prepay_button.clicked.connect(lambda: self.save(prepay=True))
        form.addRow(self.prepay_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(lambda: self.save(prepay=False))
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
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

    def save(self, prepay: bool = False) -> None:
        loan_id, amount, on = self.loan["id"], self.amount.text(), self.on.value()
        currency, note = self.currency.currentData(), self.note.text().strip() or None
        WriteOp(self.ctx, self, lambda session: loan_services.repay(
            session, loan_id, amount, on, currency=currency, prepay=prepay, note=note),
            changes=("loan",)).success(self._saved).failure(
            refused_in(self.error, self._refused)).run()

    def _refused(self, exc: BaseException) -> None:
        # asks before treating an overpayment as an early repayment
        self.prepay_button.setVisible(isinstance(exc, L.PrepaymentNeeded))

    def _saved(self, entry: dict) -> None:
        self.saved.emit(entry)
        self.accept()
