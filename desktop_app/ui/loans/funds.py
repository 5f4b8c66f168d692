"""The Funds tab: funds, their capital and figures."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain
from desktop_app.store.loans import queries as loan_queries
from desktop_app.store.loans import services as loan_services
from desktop_app.ui.loans.common import money, refused_in
from desktop_app.ui.loans.date_reason import DateReasonDialog
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DataTable

DOMAIN = Domain("loans")
_ = DOMAIN.gettext
pgettext = DOMAIN.pgettext


class FundsTab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        self.currencies: dict[str, str] = {}   # fund id -> its currency
        layout = QVBoxLayout(self)
        form = QHBoxLayout()
        self.name = QLineEdit()
        self.currency = QComboBox()
        for cur in L.CURRENCIES:
            self.currency.addItem(cur, cur)
        self.create_button = QPushButton()
        self.create_button.clicked.connect(self.create_fund)
        self.capital_button = QPushButton()
        self.capital_button.clicked.connect(self.open_capital)
        form.addWidget(self.name, 2)
        form.addWidget(self.currency)
        form.addWidget(self.create_button)
        form.addStretch(1)
        form.addWidget(self.capital_button)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.table = DataTable(7)
        layout.addWidget(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        self.name.setPlaceholderText(_("Name of a new fund"))
        self.create_button.setText(_("Create fund"))
        self.capital_button.setText(_("Add capital…"))
        self.table.setHorizontalHeaderLabels([
            _("Fund"), _("Currency"), _("Capital"), _("Outstanding principal"),
            _("Interest and fees received"), pgettext("amount", "Written off"),
            _("Balance")])
        self.refresh()

    def refresh(self) -> None:
        funds = loan_queries.funds(self.ctx.conn)
        self.currencies = {f["id"]: f["currency"] for f in funds}
        rows = []
        for f in funds:
            fig = loan_queries.fund_figures(self.ctx.conn, f["id"])
            cur = f["currency"]
            rows.append((f["name"], cur, money(fig.capital, cur),
                         money(fig.outstanding_principal, cur),
                         money(fig.interest_received + fig.penalties_received, cur),
                         money(fig.written_off, cur), money(fig.balance, cur)))
        self.table.set_rows(rows, keys=[f["id"] for f in funds], right={2, 3, 4, 5, 6})
        self.table.resizeColumnsToContents()

    def create_fund(self) -> None:
        name, currency = self.name.text(), self.currency.currentData()
        WriteOp(self.ctx, self, lambda session: loan_services.create_fund(
            session, name, currency), changes=("loan",)).success(self._fund_created) \
            .failure(refused_in(self.message)).run()

    def _fund_created(self, _fund) -> None:
        self.message.setText(_("Fund created. Add its capital next."))
        self.name.clear()
        self.refresh()

    def open_capital(self) -> DateReasonDialog | None:
        if self.table.selected_key() is None and self.table.rowCount() == 1:
            self.table.selectRow(0)
        fund_id = self.table.selected_key()
        if fund_id is None:
            self.message.setText(_("Choose a fund first."))
            return None
        dialog = DateReasonDialog(_("Add capital"), amount_label=_("Amount"),
                                  reason_label=_("Note"),
                                  currency=self.currencies.get(fund_id), parent=self)

        def added(_entry) -> None:
            dialog.accept()
            self.message.setText(_("Capital added."))
            self.refresh()

        def ok():
            amount, on = dialog.amount.text(), dialog.on.value()
            note = dialog.reason.text().strip() or None
            WriteOp(self.ctx, dialog, lambda session: loan_services.add_capital(
                session, fund_id, amount, on, note=note), changes=("loan",)).success(added) \
                .failure(refused_in(dialog.error)).run()
        dialog.buttons.accepted.connect(ok)
        self.dialog = dialog
        dialog.open()
        return dialog
