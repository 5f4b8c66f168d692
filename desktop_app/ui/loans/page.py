"""The loans page: applications, approval, disbursement, repayments, schedules, portfolio."""
from __future__ import annotations

import functools
import weakref
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QSpinBox,
                               QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, babel_locale, current_language, format_date, format_money
from desktop_app.i18n.formats import percent
from desktop_app.store.loans import queries as loan_queries
from desktop_app.store.loans import repositories as S
from desktop_app.store.loans import services as loan_services
from desktop_app.store import reference
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui.layout import compact_combo, wrapping_row
from desktop_app.ui.loans.table import DataTable

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

STATUS_FILTERS = ("", "applied", "approved", "disbursed", "closed", "written_off", "rejected")


def tr(mapping: dict, key: str) -> str:
    """The translated label of a vocabulary code (the catalogs hold the English labels)."""
    return _(mapping.get(key, key))


@functools.lru_cache(maxsize=8)
def _locale(language: str):
    from babel import Locale
    return Locale.parse(babel_locale(language))


def money(minor: int, currency: str) -> str:
    from babel.numbers import format_currency
    return format_currency(L.from_minor(minor, currency), currency,
                           locale=_locale(current_language()))


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def pydate(widget: QDateEdit) -> date:
    d = widget.date()
    return date(d.year(), d.month(), d.day())


def date_edit(value: date | None = None) -> QDateEdit:
    w = QDateEdit()
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    w.setDate(qdate(value or date.today()))
    return w


def _table(columns: int) -> DataTable:
    return DataTable(columns)


def error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.errors.values())
    return str(exc)


# ---- dialogs -------------------------------------------------------------------------
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
        for f in loan_queries.funds(ctx.conn):
            self.fund.addItem(f"{f['name']} ({f['currency']})", f["id"])
        self.product = QComboBox()
        lang = current_language()
        for item in reference.items(ctx.conn, "loan_product"):
            self.product.addItem(item.label(lang), item.code)
        self.purpose = QComboBox()
        for item in reference.items(ctx.conn, "loan_purpose"):
            self.purpose.addItem(item.label(lang), item.code)
        self.amount = QLineEdit()
        self.applied_on = date_edit()
        self.guarantor = QLineEdit()
        self.guarantor_phone = QLineEdit()
        self.language = QComboBox()
        from desktop_app.i18n import LANGUAGES
        for code, (_loc, name) in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(lang)))
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
        from desktop_app.store.people.repositories import search_people
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

    def person_id(self) -> str | None:
        item = self.people.currentItem()
        return item.data(Qt.UserRole) if item else None

    def save(self) -> None:
        if self.fund.currentData() is None:
            self.error.setText(_("Create a fund first (Funds tab)."))
            return
        try:
            loan = loan_services.apply(self.ctx.session, person_id=self.person_id() or "",
                                       fund_id=self.fund.currentData(), amount=self.amount.text(),
                                       purpose=self.purpose.currentData() or "",
                                       product_code=self.product.currentData(),
                                       applied_on=pydate(self.applied_on),
                                       guarantor_name=self.guarantor.text().strip() or None,
                                       guarantor_phone=self.guarantor_phone.text().strip() or None,
                                       purpose_note=self.note.text().strip() or None,
                                       borrower_language=self.language.currentData())
        except (ValidationError, L.LoanError, PermissionDenied) as exc:
            self.error.setText(error_text(exc))
            return
        self.saved.emit(loan)
        self.accept()


class RepayDialog(QDialog):
    """Enter a repayment; asks before treating an overpayment as an early repayment."""

    saved = Signal(dict)

    def __init__(self, ctx, loan: dict, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.loan = loan
        self.setWindowTitle(_("Repayment for loan {number}").format(number=loan["number"]))
        form = QFormLayout(self)
        self.on = date_edit()
        self.amount = QLineEdit()
        self.currency = QComboBox()
        for cur in L.CURRENCIES:
            self.currency.addItem(cur, cur)
        self.currency.setCurrentIndex(self.currency.findData(loan["currency"]))
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
                                            pydate(self.on))
        except L.LoanError:
            return
        cur = self.loan["currency"]
        self.owed.setText(_("Due on this date: {due} (late {days} days). To repay the whole "
                            "loan: {payoff}.").format(due=money(state.due_now, cur),
                                                      days=state.days_late,
                                                      payoff=money(state.payoff, cur)))

    def save(self, prepay: bool = False) -> None:
        try:
            entry = loan_services.repay(self.ctx.session, self.loan["id"], self.amount.text(),
                                        pydate(self.on), currency=self.currency.currentData(),
                                        prepay=prepay, note=self.note.text().strip() or None)
        except L.PrepaymentNeeded as exc:
            self.error.setText(str(exc))
            self.prepay_button.setVisible(True)
            return
        except (ValidationError, L.LoanError, PermissionDenied) as exc:
            self.error.setText(error_text(exc))
            self.prepay_button.setVisible(False)
            return
        self.saved.emit(entry)
        self.accept()


class DateReasonDialog(QDialog):
    """A date and (optionally) a reason: disbursement, write-off request, capital."""

    def __init__(self, title: str, *, reason_label: str | None = None,
                 amount_label: str | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.on = date_edit()
        form.addRow(_("Date"), self.on)
        self.amount = QLineEdit()
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


# ---- tabs ------------------------------------------------------------------------
class LoansTab(QWidget):
    changed = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.status = QComboBox()
        self.status.currentIndexChanged.connect(self.refresh)
        self.new_button = QPushButton()
        self.new_button.setShortcut("Ctrl+N")
        from PySide6.QtGui import QKeySequence, QShortcut
        QShortcut(QKeySequence("Ctrl+F"), self, activated=lambda: self.search.setFocus())
        self.new_button.clicked.connect(self.open_application)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        top.addWidget(self.status)
        top.addWidget(self.search, 1)
        top.addStretch(1)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        split = QSplitter(Qt.Vertical)
        self.table = _table(8)
        self.table.itemSelectionChanged.connect(self._selected)
        split.addWidget(self.table)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        dl.addWidget(self.summary)
        self.approve_button = QPushButton()
        self.reject_button = QPushButton()
        self.disburse_button = QPushButton()
        self.repay_button = QPushButton()
        self.reverse_button = QPushButton()
        self.writeoff_button = QPushButton()
        self.approve_writeoff_button = QPushButton()
        self.reschedule_button = QPushButton()
        self.card_button = QPushButton()
        dl.addWidget(wrapping_row(
            self.approve_button, self.reject_button, self.disburse_button, self.repay_button,
            self.reverse_button, self.reschedule_button, self.writeoff_button,
            self.approve_writeoff_button, self.card_button))
        self.approve_button.clicked.connect(self.approve)
        self.reject_button.clicked.connect(self.reject_application)
        self.disburse_button.clicked.connect(self.open_disburse)
        self.repay_button.clicked.connect(self.open_repay)
        self.reverse_button.clicked.connect(self.reverse_last)
        self.writeoff_button.clicked.connect(self.open_write_off)
        self.approve_writeoff_button.clicked.connect(self.approve_write_off)
        self.card_button.clicked.connect(self.save_card)
        self.reschedule_button.clicked.connect(self.open_reschedule)
        self.message = QLabel()
        self.message.setWordWrap(True)
        dl.addWidget(self.message)
        tabs = QTabWidget()
        schedule_box = QWidget()
        sl = QVBoxLayout(schedule_box)
        sl.setContentsMargins(0, 0, 0, 0)
        self.version = QComboBox()
        self.version.currentIndexChanged.connect(self._show_version)
        sl.addWidget(self.version)
        self.schedule = _table(6)
        sl.addWidget(self.schedule)
        self.ledger = _table(6)
        tabs.addTab(schedule_box, "")
        tabs.addTab(self.ledger, "")
        self.detail_tabs = tabs
        dl.addWidget(tabs)
        split.addWidget(detail)
        layout.addWidget(split)
        self.retranslate()

    def retranslate(self) -> None:
        current = self.status.currentData()
        self.status.blockSignals(True)
        self.status.clear()
        for code in STATUS_FILTERS:
            self.status.addItem(_(L.STATUSES[code]) if code else _("All loans"), code)
        self.status.setCurrentIndex(max(0, self.status.findData(current)))
        self.status.blockSignals(False)
        self.new_button.setText(_("New application…"))
        self.search.setPlaceholderText(_("Find by loan number or borrower (Ctrl+F)"))
        self.approve_button.setText(_("Approve"))
        self.reject_button.setText(_("Reject"))
        self.disburse_button.setText(_("Disburse…"))
        self.repay_button.setText(_("Repayment…"))
        self.reverse_button.setText(_("Reverse last entry"))
        self.writeoff_button.setText(_("Ask to write off…"))
        self.approve_writeoff_button.setText(_("Approve write-off"))
        self.card_button.setText(_("Repayment card (PDF)…"))
        self.reschedule_button.setText(_("Reschedule…"))
        self.table.setHorizontalHeaderLabels([
            _("Number"), _("Borrower"), _("Phone"), _("Amount"), _("Status"),
            _("Applied"), _("Disbursed"), _("Purpose")])
        self.schedule.setHorizontalHeaderLabels([
            _("No."), _("Due date"), _("Principal"), _("Interest"), _("Payment"),
            _("Version")])
        self.ledger.setHorizontalHeaderLabels([
            _("Date"), _("Entry"), _("Cash"), _("Principal"), _("Interest"), _("Penalty")])
        self.detail_tabs.setTabText(0, _("Schedule"))
        self.detail_tabs.setTabText(1, _("Ledger"))
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected_id()
        rows = loan_queries.loans_list(self.ctx.conn, status=self.status.currentData() or None,
                                       text=self.search.text())
        lang = current_language()
        purposes = {i.code: i.label(lang) for i in reference.items(
            self.ctx.conn, "loan_purpose", active_only=False)}
        self.table.set_rows(
            [(r["number"], r["borrower"], r["phones"], money(r["amount"], r["currency"]),
              tr(L.STATUSES, r["status"]), format_date(r["applied_on"]),
              format_date(r["disbursed_on"]), purposes.get(r["purpose"], r["purpose"]))
             for r in rows], keys=[r["id"] for r in rows], right={3})
        self.table.resizeColumnsToContents()
        if selected:
            self.select(selected)
        self._selected()

    def select(self, loan_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.key(row) == loan_id:
                self.table.selectRow(row)
                return

    def selected_id(self) -> str | None:
        return self.table.selected_key()

    def selected_loan(self) -> dict | None:
        loan_id = self.selected_id()
        return S.LoanRepository(self.ctx.session).get(loan_id) if loan_id else None

    def _selected(self) -> None:
        loan = self.selected_loan()
        status = loan["status"] if loan else None
        self.approve_button.setEnabled(status == "applied")
        self.reject_button.setEnabled(status == "applied")
        self.disburse_button.setEnabled(status == "approved")
        self.repay_button.setEnabled(status == "disbursed")
        self.reschedule_button.setEnabled(status == "disbursed")
        self.reverse_button.setEnabled(status in ("disbursed", "closed", "written_off"))
        self.writeoff_button.setEnabled(status == "disbursed"
                                        and not loan["writeoff_requested_by"])
        self.approve_writeoff_button.setEnabled(status == "disbursed"
                                                and bool(loan["writeoff_requested_by"]))
        self.card_button.setEnabled(status in ("approved", "disbursed", "closed"))
        if loan is None:
            self.summary.setText(_("Choose a loan to see its schedule and ledger."))
            self.schedule.set_rows([])
            self.ledger.set_rows([])
            return
        self._show_detail(loan)

    def _show_detail(self, loan: dict) -> None:
        cur = loan["currency"]
        today = date.today()
        lines = [_("{number}: {amount}, {rate}% a year, {term} × {frequency}, {method}").format(
            number=loan["number"], amount=money(loan["amount"], cur), rate=loan["annual_rate"],
            term=loan["term"], frequency=tr(L.FREQUENCIES, loan["frequency"]).lower(),
            method=tr(L.METHODS, loan["method"]).lower())]
        if loan["guarantor_name"]:
            lines.append(_("Guarantor: {name} {phone}").format(
                name=loan["guarantor_name"], phone=loan["guarantor_phone"] or ""))
        if loan["writeoff_requested_by"] and loan["status"] == "disbursed":
            lines.append(_("Write-off asked for: {reason}").format(reason=loan["writeoff_reason"]))
        if loan["disbursed_on"]:
            st = loan_queries.loan_state(self.ctx.session.conn, loan, today)
            lines.append(_("Today: outstanding {outstanding}, due now {due}, {days} days late, "
                           "to repay in full {payoff}.").format(
                outstanding=money(st.outstanding_principal, cur), due=money(st.due_now, cur),
                days=st.days_late, payoff=money(st.payoff, cur)))
        self.summary.setText("\n".join(lines))
        self.version.blockSignals(True)
        self.version.clear()
        if loan["disbursed_on"]:
            for v in loan_queries.schedule_versions(self.ctx.session.conn, loan["id"]):
                text = _("Schedule version {version} from {date}").format(
                    version=v["version"], date=format_date(v["effective_from"]))
                if v["reason"]:
                    text += f" ({v['reason']})"
                self.version.addItem(text, v["version"])
            self.version.setCurrentIndex(self.version.count() - 1)
        else:
            self.version.addItem(_("Schedule if disbursed today"), None)
        self.version.blockSignals(False)
        self._loan = loan
        self._show_version()
        entries = loan_queries.ledger(self.ctx.session.conn, loan_id=loan["id"])
        ledger_rows = []
        for e in entries:
            kind = ENTRY_KINDS().get(e["kind"], e["kind"])
            if e["reverses_id"]:
                kind = _("Reversal: {entry}").format(entry=kind)
            ledger_rows.append((format_date(e["value_date"]), kind, money(e["cash"], cur),
                                money(e["principal"], cur), money(e["interest"], cur),
                                money(e["penalty"], cur)))
        self.ledger.set_rows(ledger_rows, keys=[e["id"] for e in entries], right={2, 3, 4, 5})

    def _show_version(self) -> None:
        loan = getattr(self, "_loan", None)
        if loan is None:
            return
        cur = loan["currency"]
        version = self.version.currentData()
        if version is not None:
            rows = [(i["number"], i["due_date"], i["principal"], i["interest"], version)
                    for i in loan_queries.instalments_of(self.ctx.session.conn, loan["id"],
                                                         version)]
        else:
            rows = [(r.number, r.due_date.isoformat(), L.to_minor(r.principal, cur),
                     L.to_minor(r.interest, cur), "—")
                    for r in L.schedule(S.terms_of(loan), date.today())]
        self.schedule.set_rows([(n, format_date(due), money(p, cur), money(it, cur),
                                 money(p + it, cur), v) for n, due, p, it, v in rows],
                               right={2, 3, 4})

    def _run(self, action, success: str) -> bool:
        try:
            action()
        except (ValidationError, L.LoanError, PermissionDenied) as exc:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(error_text(exc))
            return False
        self.message.setStyleSheet("")
        self.message.setText(success)
        self.refresh()
        self.changed.emit()
        return True

    # -- actions --
    def open_application(self, person_id: str | None = None) -> ApplicationDialog:
        dialog = ApplicationDialog(self.ctx, person_id if isinstance(person_id, str) else None,
                                   self)
        dialog.saved.connect(lambda loan: self._after_save(loan, _(
            "Application {number} saved. Another user must approve it.").format(
            number=loan["number"])))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _after_save(self, record: dict, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.refresh()
        if record.get("number"):
            self.select(record["id"])
        self.changed.emit()

    def approve(self) -> None:
        loan = self.selected_loan()
        if loan:
            self._run(lambda: loan_services.approve(self.ctx.session, loan["id"]),
                      _("Loan {number} approved.").format(number=loan["number"]))

    def reject_application(self) -> None:
        loan = self.selected_loan()
        if loan:
            self._run(lambda: loan_services.reject(self.ctx.session, loan["id"]),
                      _("Loan {number} rejected.").format(number=loan["number"]))

    def open_disburse(self) -> DateReasonDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        dialog = DateReasonDialog(_("Disburse loan {number}").format(number=loan["number"]),
                                  parent=self)

        def ok():
            try:
                loan_services.disburse(self.ctx.session, loan["id"], pydate(dialog.on))
            except (L.LoanError, PermissionDenied) as exc:
                dialog.error.setText(error_text(exc))
                return
            dialog.accept()
            self._after_save(loan, _("Loan {number} disbursed.").format(number=loan["number"]))
        dialog.buttons.accepted.connect(ok)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_repay(self) -> RepayDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        dialog = RepayDialog(self.ctx, loan, self)
        dialog.saved.connect(lambda e: self._after_save(loan, _(
            "Repayment of {amount} saved.").format(amount=money(e["cash"], loan["currency"]))))
        self.dialog = dialog
        dialog.open()
        return dialog

    def reverse_last(self) -> None:
        loan = self.selected_loan()
        if not loan:
            return
        entries = loan_queries.ledger(self.ctx.session.conn, loan_id=loan["id"])
        reversed_ids = {e["reverses_id"] for e in entries}
        candidates = [e for e in entries
                      if not e["reverses_id"] and e["id"] not in reversed_ids]
        if not candidates:
            return
        last = candidates[-1]
        self._run(lambda: loan_services.reverse(self.ctx.session, last["id"]),
                  _("The entry of {date} was reversed.").format(
                      date=format_date(last["value_date"])))

    def open_write_off(self) -> DateReasonDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        dialog = DateReasonDialog(_("Ask to write off loan {number}").format(
            number=loan["number"]), reason_label=_("Reason"), parent=self)

        def ok():
            try:
                loan_services.request_write_off(self.ctx.session, loan["id"], dialog.reason.text(),
                                                pydate(dialog.on))
            except (ValidationError, L.LoanError, PermissionDenied) as exc:
                dialog.error.setText(error_text(exc))
                return
            dialog.accept()
            self._after_save(loan, _("Write-off asked for. Another user must approve it."))
        dialog.buttons.accepted.connect(ok)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_reschedule(self) -> DateReasonDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        current = loan_queries.current_schedule(self.ctx.session.conn, loan["id"])
        dialog = DateReasonDialog(_("Reschedule loan {number}").format(number=loan["number"]),
                                  reason_label=_("Reason"), parent=self)
        form = dialog.layout()
        dialog.term = QSpinBox()
        dialog.term.setRange(1, 260)
        dialog.term.setValue(int(current["term"]))
        dialog.rate = QLineEdit(str(current["annual_rate"]))
        dialog.grace = QSpinBox()
        dialog.grace.setRange(0, 259)
        form.insertRow(1, _("Instalments"), dialog.term)
        form.insertRow(2, _("Yearly rate, %"), dialog.rate)
        form.insertRow(3, _("Grace (instalments)"), dialog.grace)

        def ok():
            try:
                rate = Decimal(dialog.rate.text().replace(",", "."))
            except ArithmeticError:
                dialog.error.setText(_("{text} is not a rate in percent.").format(
                    text=dialog.rate.text()))
                return
            try:
                loan_services.reschedule(self.ctx.session, loan["id"], pydate(dialog.on),
                                         term=dialog.term.value(), annual_rate=rate,
                                         grace=dialog.grace.value(),
                                         reason=dialog.reason.text().strip() or None)
            except (ValidationError, L.LoanError, PermissionDenied) as exc:
                dialog.error.setText(error_text(exc))
                return
            dialog.accept()
            self._after_save(loan, _("Loan {number} rescheduled; the earlier schedule is "
                                     "kept.").format(number=loan["number"]))
        dialog.buttons.accepted.connect(ok)
        self.dialog = dialog
        dialog.open()
        return dialog

    def approve_write_off(self) -> None:
        loan = self.selected_loan()
        if loan:
            self._run(lambda: loan_services.approve_write_off(self.ctx.session, loan["id"]),
                      _("Loan {number} written off.").format(number=loan["number"]))

    def save_card(self, path: str | None = None) -> str | None:
        loan = self.selected_loan()
        if not loan:
            return None
        if not isinstance(path, str) or not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save repayment card"), f"{loan['number']}.pdf", "PDF (*.pdf)")
            if not path:
                return None
        from desktop_app.reports.loan_card import write_card
        ok = self._run(lambda: write_card(self.ctx.conn, loan["id"], path),
                       _("Repayment card saved to {path}.").format(path=path))
        return path if ok else None


def ENTRY_KINDS() -> dict[str, str]:
    return {"capital": _("Capital"), "disbursement": _("Disbursement"),
            "repayment": _("Repayment"), "write_off": _("Write-off")}


class PreviewTab(QWidget):
    """Schedule preview before approval (quote for a client)."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        form = QGridLayout()
        self.product = QComboBox()
        self.amount = QLineEdit("10000")
        self.currency = QComboBox()
        for cur in L.CURRENCIES:
            self.currency.addItem(cur, cur)
        self.rate = QLineEdit()
        self.term = QSpinBox()
        self.term.setRange(1, 260)
        self.frequency = QComboBox()
        self.method = QComboBox()
        self.amortisation = QComboBox()
        self.grace = QSpinBox()
        self.grace.setRange(0, 259)
        self.start = date_edit()
        self.labels = [QLabel() for _i in range(10)]
        widgets = [self.product, self.amount, self.currency, self.rate, self.term,
                   self.frequency, self.method, self.amortisation, self.grace, self.start]
        for combo in (self.product, self.currency, self.frequency, self.method,
                      self.amortisation):
            compact_combo(combo, 14)
        for i, (lab, w) in enumerate(zip(self.labels, widgets)):
            form.addWidget(lab, i // 2, (i % 2) * 2)
            form.addWidget(w, i // 2, (i % 2) * 2 + 1)
        layout.addLayout(form)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        self.table = _table(6)
        layout.addWidget(self.table)
        self.product.currentIndexChanged.connect(self._product_changed)
        for w in (self.amount, self.rate):
            w.textChanged.connect(self.update_preview)
        for w in (self.currency, self.frequency, self.method, self.amortisation):
            w.currentIndexChanged.connect(self.update_preview)
        for w in (self.term, self.grace):
            w.valueChanged.connect(self.update_preview)
        self.start.dateChanged.connect(self.update_preview)
        self.retranslate()

    def retranslate(self) -> None:
        texts = [_("Loan product"), _("Amount"), _("Currency"), _("Yearly rate, %"),
                 _("Instalments"), _("Frequency"), _("Interest method"), _("Amortisation"),
                 _("Grace (instalments)"), _("Disbursement date")]
        for lab, text in zip(self.labels, texts):
            lab.setText(text)
        for combo, options in ((self.frequency, L.FREQUENCIES), (self.method, L.METHODS),
                               (self.amortisation, L.AMORTISATIONS)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for code, label in options.items():
                combo.addItem(_(label), code)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        current = self.product.currentData()
        self.product.blockSignals(True)
        self.product.clear()
        self.product.addItem(_("(own terms)"), None)
        for item in reference.items(self.ctx.conn, "loan_product"):
            self.product.addItem(item.label(current_language()), item.code)
        self.product.setCurrentIndex(max(0, self.product.findData(current)))
        self.product.blockSignals(False)
        self.table.setHorizontalHeaderLabels([_("No."), _("Due date"), _("Principal"),
                                              _("Interest"), _("Payment"), _("Balance")])
        if current is None and self.product.count() > 1 and not self.rate.text():
            self.product.setCurrentIndex(1)
        self.update_preview()

    def _product_changed(self) -> None:
        code = self.product.currentData()
        if code:
            t = loan_queries.product_terms(self.ctx.conn, code)
            for w in (self.rate, self.term, self.grace, self.frequency, self.method,
                      self.amortisation):
                w.blockSignals(True)
            self.rate.setText(t["annual_rate"])
            self.term.setValue(t["term"])
            self.grace.setValue(t["grace"])
            self.frequency.setCurrentIndex(self.frequency.findData(t["frequency"]))
            self.method.setCurrentIndex(self.method.findData(t["method"]))
            self.amortisation.setCurrentIndex(self.amortisation.findData(t["amortisation"]))
            for w in (self.rate, self.term, self.grace, self.frequency, self.method,
                      self.amortisation):
                w.blockSignals(False)
        self.update_preview()

    def update_preview(self) -> None:
        cur = self.currency.currentData() or "TJS"
        try:
            amount = L.parse_amount(self.amount.text(), cur)
            try:
                rate = Decimal((self.rate.text() or "0").replace(",", "."))
            except ArithmeticError:
                raise L.LoanError(_("{text} is not a rate in percent.").format(
                    text=self.rate.text())) from None
            terms = L.Terms(amount, cur, rate, self.term.value(),
                            self.frequency.currentData() or "monthly",
                            self.method.currentData() or "declining",
                            self.amortisation.currentData() or "equal_instalments",
                            self.grace.value())
            rows = L.schedule(terms, pydate(self.start))
        except (L.LoanError, ArithmeticError) as exc:
            self.totals.setStyleSheet("color: #b00020")
            self.totals.setText(str(exc))
            self.table.set_rows([])
            return
        principal, interest = L.schedule_totals(rows)
        self.totals.setStyleSheet("")
        self.totals.setText(_("Total to repay {total}: principal {principal}, interest "
                              "{interest}.").format(total=format_money(principal + interest, cur),
                                                    principal=format_money(principal, cur),
                                                    interest=format_money(interest, cur)))
        self.table.set_rows([(r.number, format_date(r.due_date), format_money(r.principal, cur),
                              format_money(r.interest, cur), format_money(r.total, cur),
                              format_money(r.balance_after, cur)) for r in rows],
                            right={2, 3, 4, 5})
        self.table.resizeColumnsToContents()


class PortfolioTab(QWidget):
    """Portfolio figures per office and fund on a date, with the overdue list."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self.last = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.as_of = date_edit()
        self.since = date_edit(date(date.today().year, 1, 1))
        self.office = QComboBox()
        self.fund = QComboBox()
        self.as_of_label, self.since_label = QLabel(), QLabel()
        self.office_label, self.fund_label = QLabel(), QLabel()
        for w in (self.as_of_label, self.as_of, self.since_label, self.since,
                  self.office_label, self.office, self.fund_label, self.fund):
            top.addWidget(w)
        top.addStretch(1)
        layout.addLayout(top)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.RichText)
        self.figures.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.figures)
        self.definition = QLabel()
        self.definition.setWordWrap(True)
        self.definition.setStyleSheet("color: #555")
        layout.addWidget(self.definition)
        self.buckets_box = QGroupBox()
        bl = QVBoxLayout(self.buckets_box)
        self.buckets = _table(5)
        self.buckets.setMaximumHeight(150)
        bl.addWidget(self.buckets)
        layout.addWidget(self.buckets_box)
        self.overdue_box = QGroupBox()
        ol = QVBoxLayout(self.overdue_box)
        self.overdue = _table(6)
        ol.addWidget(self.overdue)
        layout.addWidget(self.overdue_box, 1)
        for w in (self.as_of, self.since):
            w.dateChanged.connect(self.refresh)
        for w in (self.office, self.fund):
            w.currentIndexChanged.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.as_of_label.setText(_("On"))
        self.since_label.setText(_("Disbursed since"))
        self.office_label.setText(_("Office"))
        self.fund_label.setText(_("Fund"))
        self.buckets_box.setTitle(_("Ageing of late loans"))
        self.overdue_box.setTitle(_("Overdue loans (call the borrowers)"))
        self.definition.setText(_(
            "PAR30 (portfolio at risk) is the outstanding principal of loans with an "
            "instalment overdue more than 30 days, divided by all outstanding principal. "
            "PAR90 likewise for more than 90 days; PAR1 counts every loan with an instalment "
            "overdue 1 day or more. Repayment rate: what was repaid of the principal and "
            "interest that fell due up to the date."))
        self.buckets.setHorizontalHeaderLabels([_("Days late"), _("Loans"), _("Outstanding"),
                                                _("Overdue"), _("Currency")])
        self.overdue.setHorizontalHeaderLabels([_("Number"), _("Borrower"), _("Phone"),
                                                _("Days late"), _("Overdue"), _("Outstanding")])
        self._fill_filters()
        self.refresh()

    def _fill_filters(self) -> None:
        for combo, rows in ((self.office, self.ctx.conn.execute(
                "SELECT id, code || ' ' || name FROM office WHERE deleted=0 ORDER BY code")),
                            (self.fund, [(f["id"], f"{f['name']} ({f['currency']})")
                                         for f in loan_queries.funds(self.ctx.conn)])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("All"), None)
            for rid, text in rows:
                combo.addItem(text, rid)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def refresh(self) -> None:
        """Compute the figures: on the DB worker when there is one (a portfolio of tens of
        thousands of loans takes a second or two; a newer request replaces an older one),
        else in place."""
        as_of = pydate(self.as_of)
        office, fund, since = self.office.currentData(), self.fund.currentData(), pydate(
            self.since)
        self._generation += 1
        generation = self._generation

        def work(conn):
            p = loan_queries.portfolio(conn, as_of, office_id=office, fund_id=fund, since=since)
            return p, loan_queries.overdue_list(conn, as_of, office_id=office, fund_id=fund,
                                                rows=p.rows)[:1000]

        worker = getattr(self.ctx, "worker", None)
        if worker is None:
            self._show(generation, *work(self.ctx.conn))
            return
        self.figures.setText(_("Loading…"))
        tab = weakref.ref(self)     # the job may be released on the worker thread

        def done(result):
            alive = tab()
            if alive is not None:
                alive._show(generation, *result)

        def failed(exc):
            alive = tab()
            if alive is not None and generation == alive._generation:
                alive.figures.setText(_("The figures could not be computed: {error}").format(
                    error=exc))

        worker.submit(work, done, failed, key=f"loan-portfolio-{id(self)}")

    def _show(self, generation: int, p, items) -> None:
        if generation != self._generation:
            return                      # figures for an older choice of date or filter
        self.last = p
        parts = []
        for cur, f in sorted(p.by_currency.items()):
            parts.append(_(
                "<b>{currency}</b>: {active} active loans, outstanding {outstanding}; "
                "disbursed in the period {count} loans, {disbursed}; "
                "<b>PAR1 {par1}</b>, <b>PAR30 {par30}</b>, <b>PAR90 {par90}</b>; "
                "repayment rate {rate}").format(
                currency=cur, active=f.active, outstanding=money(f.outstanding, cur),
                count=f.disbursed_count, disbursed=money(f.disbursed_amount, cur),
                par1=percent(f.par(1)), par30=percent(f.par(30)),
                par90=percent(f.par(90)), rate=percent(f.repayment_rate)))
        if not parts:
            parts.append(_("No loans disbursed up to this date."))
        parts.append(_("Women among borrowers: {share} ({women} of {borrowers}). "
                       "Loans to returned migrants: {returned}.").format(
            share=percent(p.women_share), women=p.women_borrowers, borrowers=p.borrowers,
            returned=p.returned_migrant_loans))
        self.figures.setText("<br>".join(parts))
        rows = []
        for cur, f in sorted(p.by_currency.items()):
            for key, _a, _b in L.BUCKETS:
                count, out, due = f.buckets[key]
                rows.append((key, count, money(out, cur), money(due, cur), cur))
        self.buckets.set_rows(rows, right={1, 2, 3})
        self.overdue.set_rows(
            [(it.number, it.borrower, it.phones, it.days_late, money(it.overdue, it.currency),
              money(it.outstanding, it.currency)) for it in items],
            keys=[it.loan_id for it in items], right={3, 4, 5})
        self.overdue.resizeColumnsToContents()


class FundsTab(QWidget):
    changed = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
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
        self.table = _table(7)
        layout.addWidget(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        self.name.setPlaceholderText(_("Name of a new fund"))
        self.create_button.setText(_("Create fund"))
        self.capital_button.setText(_("Add capital…"))
        self.table.setHorizontalHeaderLabels([
            _("Fund"), _("Currency"), _("Capital"), _("Outstanding principal"),
            _("Interest and fees received"), _("Written off"), _("Balance")])
        self.refresh()

    def refresh(self) -> None:
        funds = loan_queries.funds(self.ctx.conn)
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
        try:
            loan_services.create_fund(self.ctx.session, self.name.text(),
                                      self.currency.currentData())
        except (ValidationError, PermissionDenied) as exc:
            self.message.setText(error_text(exc))
            return
        self.message.setText(_("Fund created. Add its capital next."))
        self.name.clear()
        self.refresh()
        self.changed.emit()

    def open_capital(self) -> DateReasonDialog | None:
        if self.table.selected_key() is None and self.table.rowCount() == 1:
            self.table.selectRow(0)
        fund_id = self.table.selected_key()
        if fund_id is None:
            self.message.setText(_("Choose a fund first."))
            return None
        dialog = DateReasonDialog(_("Add capital"), amount_label=_("Amount"),
                                  reason_label=_("Note"), parent=self)

        def ok():
            try:
                loan_services.add_capital(self.ctx.session, fund_id, dialog.amount.text(),
                                          pydate(dialog.on),
                                          note=dialog.reason.text().strip() or None)
            except (ValidationError, L.LoanError, PermissionDenied) as exc:
                dialog.error.setText(error_text(exc))
                return
            dialog.accept()
            self.message.setText(_("Capital added."))
            self.refresh()
            self.changed.emit()
        dialog.buttons.accepted.connect(ok)
        self.dialog = dialog
        dialog.open()
        return dialog


class LoansPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.loans = LoansTab(ctx)
        self.preview = PreviewTab(ctx)
        self.portfolio = PortfolioTab(ctx)
        self.funds = FundsTab(ctx)
        for w in (self.loans, self.preview, self.portfolio, self.funds):
            self.tabs.addTab(w, "")
        layout.addWidget(self.tabs)
        self.loans.changed.connect(self._changed)
        self.funds.changed.connect(self._changed)
        if hasattr(ctx, "data_changed"):
            ctx.data_changed.connect(self._external_change)
        self._titles()   # the tabs translated themselves when built

    def _changed(self) -> None:
        self.portfolio._fill_filters()
        self.portfolio.refresh()
        self.funds.refresh()
        if hasattr(self.ctx, "data_changed"):
            self.ctx.data_changed.emit("loan")

    def _external_change(self, table: str) -> None:
        if table in ("loan", "fund_entry", "loan_fund"):
            return
        self.refresh()

    def _titles(self) -> None:
        for i, text in enumerate((_("Loans"), _("Schedule preview"), _("Portfolio"),
                                  _("Funds"))):
            self.tabs.setTabText(i, text)

    def retranslate(self) -> None:
        self._titles()
        for w in (self.loans, self.preview, self.portfolio, self.funds):
            w.retranslate()

    def refresh(self) -> None:
        self.loans.refresh()
        self.portfolio._fill_filters()
        self.portfolio.refresh()
        self.funds.refresh()


class PersonLoansSection(QWidget):
    """A person's loans on their page (every record merged into the person included)."""

    def __init__(self, ctx, person_ids: list, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_ids = list(person_ids)
        layout = QVBoxLayout(self)
        self.table = _table(6)
        layout.addWidget(self.table)
        self.empty = QLabel()
        layout.addWidget(self.empty)
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_("Number"), _("Amount"), _("Status"),
                                              _("Disbursed"), _("Outstanding"), _("Days late")])
        self.empty.setText(_("No loans."))
        self.refresh()

    def refresh(self) -> None:
        loans = loan_queries.loans_of_people(self.ctx.conn, self.person_ids)
        self.empty.setVisible(not loans)
        self.table.setVisible(bool(loans))
        today = date.today()
        rows = []
        for loan in loans:
            cur = loan["currency"]
            outstanding, days = "", ""
            if loan["disbursed_on"]:
                st = loan_queries.loan_state(self.ctx.conn, loan, today)
                outstanding, days = money(st.outstanding_principal, cur), st.days_late
            rows.append((loan["number"], money(loan["amount"], cur), tr(L.STATUSES, loan["status"]),
                         format_date(loan["disbursed_on"]), outstanding, days))
        self.table.set_rows(rows, keys=[loan["id"] for loan in loans], right={1, 4, 5})
        self.table.resizeColumnsToContents()
