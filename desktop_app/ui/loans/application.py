"""The dialog of a new loan application."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
)

from desktop_app.i18n import LANGUAGES, Domain, current_language
from desktop_app.store.loans import queries as loan_queries
from desktop_app.store.loans import services as loan_services
from desktop_app.store.people.repositories import search_people
from desktop_app.ui.loans.common import fund_label, refused_in
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DateEntry, MoneyEntry, RefCombo

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


class ApplicationDialog(QDialog):
    """A new loan application: borrower, fund, product, purpose, amount, guarantor."""

    saved = Signal(dict)

    def __init__(self, ctx, person_id: str | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("New loan application"))
        form = QFormLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Type a name, phone or document number"))
        self.people = QListWidget()
        self.people.setMaximumHeight(110)
        self.search.textChanged.connect(self._search)
        self.fund = QComboBox()
        self.amount = MoneyEntry()
        self._fund_currency = {}
        for f in loan_queries.funds(ctx.conn):
            self.fund.addItem(fund_label(f), f["id"])
            self._fund_currency[f["id"]] = f["currency"]
        self.fund.currentIndexChanged.connect(self._fund_changed)
        self._fund_changed()
        self.product = RefCombo(ctx.conn, "loan_product", blank=None)
        self.purpose = RefCombo(ctx.conn, "loan_purpose", blank=None)
        self.applied_on = DateEntry()
        self.guarantor = QLineEdit()
        self.guarantor_phone = QLineEdit()
        self.language = QComboBox()
        for code, (_loc, name) in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.note = QLineEdit()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        form.addRow(_("Borrower"), self.search)
        form.addRow("", self.people)
        form.addRow(_("Fund"), self.fund)
        form.addRow(_("Loan product"), self.product)
        form.addRow(_("Purpose"), self.purpose)
        form.addRow(_("Purpose details"), self.note)
        form.addRow(_("Amount"), self.amount)
        form.addRow(_("Application date"), self.applied_on)
        form.addRow(_("Guarantor"), self.guarantor)
        form.addRow(_("Guarantor's phone"), self.guarantor_phone)
        form.addRow(_("Borrower's language (repayment card)"), self.language)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        if person_id:
            row = ctx.conn.execute("SELECT family_name, given_name, phones FROM person WHERE id=?",
                                   (person_id,)).fetchone()
            if row:
                item = QListWidgetItem(f"{row[0]} {row[1]}  {row[2] or ''}")
                item.setData(Qt.UserRole, person_id)
                self.people.addItem(item)
                self.people.setCurrentRow(0)

    def _search(self, text: str) -> None:
        self.people.clear()
        if len(text.strip()) < 2:
            return
        for hit in search_people(self.ctx.conn, text, limit=20):
            item = QListWidgetItem(" ".join(filter(None, [hit.family_name, hit.given_name,
                                                          hit.patronymic or "",
                                                          hit.birth_date or "",
                                                          hit.phones or ""])))
            item.setData(Qt.UserRole, hit.id)
            self.people.addItem(item)
        if self.people.count():
            self.people.setCurrentRow(0)

    def _fund_changed(self, _index: int = 0) -> None:
        # a loan is in its fund's currency
        self.amount.set_currency(self._fund_currency.get(self.fund.currentData()))

    def person_id(self) -> str | None:
        item = self.people.currentItem()
        return item.data(Qt.UserRole) if item else None

    def save(self) -> None:
        if self.fund.currentData() is None:
            self.error.setText(_("Create a fund first (Funds tab)."))
            return
        values = dict(
            person_id=self.person_id() or "", fund_id=self.fund.currentData(),
            amount=self.amount.text(), purpose=self.purpose.code() or "",
            product_code=self.product.code(), applied_on=self.applied_on.value(),
            guarantor_name=self.guarantor.text().strip() or None,
            guarantor_phone=self.guarantor_phone.text().strip() or None,
            purpose_note=self.note.text().strip() or None,
            borrower_language=self.language.currentData())
        WriteOp(self.ctx, self, lambda session: loan_services.apply(session, **values),
                changes=("loan",)).success(self._saved).failure(refused_in(self.error)).run()

    def _saved(self, loan: dict) -> None:
        self.saved.emit(loan)
        self.accept()
