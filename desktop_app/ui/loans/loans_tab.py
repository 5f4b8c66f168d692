"""The Loans tab: the list of loans, a loan's schedule and ledger, and its actions."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.i18n.formats import decimal_text, rate_percent
from desktop_app.store import reference
from desktop_app.store.loans import queries as loan_queries
from desktop_app.store.loans import repositories as S
from desktop_app.store.loans import services as loan_services
from desktop_app.ui import operations, style
from desktop_app.ui.loans.application import ApplicationDialog
from desktop_app.ui.loans.common import (
    ENTRY_KINDS,
    STATUS_FILTERS,
    error_text,
    money,
    refused_in,
    tr,
)
from desktop_app.ui.loans.date_reason import DateReasonDialog
from desktop_app.ui.loans.repayment import RepayDialog
from desktop_app.ui.operations import ReadOp, WriteOp
from desktop_app.ui.widgets import DataTable, EmptyState, TableOrEmpty, wrapping_row

DOMAIN = Domain("loans")
_ = DOMAIN.gettext
pgettext = DOMAIN.pgettext


class LoansTab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.status = QComboBox()
        self.status.currentIndexChanged.connect(lambda _index: self.refresh())
        self.new_button = QPushButton()
        # a QShortcut, not the button's own: setText() in retranslate() replaces a button's
        # shortcut with its access key, and Ctrl+N did nothing
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self._new_by_key)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=lambda: self.search.setFocus())
        self.new_button.clicked.connect(self.open_application)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.refresh())
        top.addWidget(self.status)
        top.addWidget(self.search, 1)
        top.addStretch(1)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        split = QSplitter(Qt.Vertical)
        self.table = DataTable(8, elide=True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = EmptyState()
        self.empty.action_triggered.connect(lambda: self.open_application())
        self.list_box = TableOrEmpty(self.table, self.empty)
        split.addWidget(self.list_box)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.PlainText)   # a guarantor's name is text, never HTML
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        dl.addWidget(self.summary)
        self.approve_button = style.primary(QPushButton())
        self.reject_button = style.destructive(QPushButton())
        self.disburse_button = QPushButton()
        self.repay_button = QPushButton()
        self.reverse_button = style.destructive(QPushButton())
        self.writeoff_button = style.destructive(QPushButton())
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
        self.schedule = DataTable(6, elide=True)   # short figures: no sideways scroll bar
        sl.addWidget(self.schedule)
        self.ledger = DataTable(6)
        tabs.addTab(schedule_box, "")
        tabs.addTab(self.ledger, "")
        self.detail_tabs = tabs
        dl.addWidget(tabs)
        split.addWidget(detail)
        # on a 768-pixel screen: seven loans in sight above the chosen loan, whose schedule
        # keeps a few rows of its own (the summary and the actions take the rest)
        self.table.setMinimumHeight(style.ROW_HEIGHT * 8 + style.UNIT)
        self.schedule.setMinimumHeight(style.ROW_HEIGHT * 5)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setSizes([400, 500])
        self.split = split
        layout.addWidget(split)
        style.primary(self.new_button)
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
            pgettext("date column", "Applied"), pgettext("date column", "Disbursed"),
            _("Purpose")])
        self.schedule.setHorizontalHeaderLabels([
            _("No."), _("Due date"), _("Principal"), _("Interest"), _("Payment"),
            _("Version")])
        self.ledger.setHorizontalHeaderLabels([
            _("Date"), _("Entry"), _("Cash"), _("Principal"), _("Interest"), _("Penalty")])
        self.detail_tabs.setTabText(0, _("Schedule"))
        self.detail_tabs.setTabText(1, _("Ledger"))
        self.refresh()

    def _explain_empty(self) -> None:
        if self.search.text().strip() or self.status.currentData():
            self.empty.set_message(_("No loan matches. Choose All loans or search for "
                                     "another number or borrower."))
            self.empty.set_action(None)
        else:
            self.empty.set_message(_("No loans yet. Enter the first application:"))
            self.empty.set_action(_("New application…")
                                  if self.ctx.can("create", "loan") else None)

    def refresh(self, select: str | None = None) -> None:
        """Read the list on the DB worker (the newest 500 loans of the filter, with their
        display texts) and show it; the chosen loan (or ``select``) stays chosen."""
        self._explain_empty()
        keep = select or self.selected_id()
        status, text, lang = self.status.currentData() or None, self.search.text(), \
            current_language()

        def read(conn) -> tuple[list[tuple], list[str]]:
            rows = loan_queries.loans_list(conn, status=status, text=text)
            purposes = {i.code: i.label(lang) for i in reference.items(
                conn, "loan_purpose", active_only=False)}
            return ([(r["number"], r["borrower"], r["phones"], money(r["amount"], r["currency"]),
                      tr(L.STATUSES, r["status"]), format_date(r["applied_on"]),
                      format_date(r["disbursed_on"]), purposes.get(r["purpose"], r["purpose"]))
                     for r in rows], [r["id"] for r in rows])

        def show(result) -> None:
            rows, keys = result
            # the kit sizes the columns from the rows in sight (widgets.fit_columns)
            self.table.set_rows(rows, keys=keys, right={3})
            if keep:
                self.select(keep)
            self._selected()
        ReadOp(self.ctx, self, read).key("loans-list").success(show).run()

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
        lines = [_("{number}: {amount}, {rate} a year, {term} × {frequency}, {method}").format(
            number=loan["number"], amount=money(loan["amount"], cur),
            rate=rate_percent(loan["annual_rate"]),
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

    def _run(self, action, success: str) -> None:
        """Run the write ``action(session)``; say ``success`` or why it was refused."""
        def refused(exc: BaseException) -> None:
            self.message.setStyleSheet("color: #b00020")

        def done(_result) -> None:
            self.message.setStyleSheet("")
            self.message.setText(success)
            self.refresh()
        WriteOp(self.ctx, self, action, changes=("loan",)).success(done) \
            .failure(refused_in(self.message, refused)).run()

    # -- actions --
    def _new_by_key(self) -> None:
        if self.new_button.isVisible() and self.new_button.isEnabled():
            self.new_button.click()

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
        self.refresh(select=record["id"] if record.get("number") else None)

    def approve(self) -> None:
        loan = self.selected_loan()
        if loan:
            self._run(lambda session: loan_services.approve(session, loan["id"]),
                      _("Loan {number} approved.").format(number=loan["number"]))

    def reject_application(self) -> None:
        loan = self.selected_loan()
        if loan:
            self._run(lambda session: loan_services.reject(session, loan["id"]),
                      _("Loan {number} rejected.").format(number=loan["number"]))

    def open_disburse(self) -> DateReasonDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        dialog = DateReasonDialog(_("Disburse loan {number}").format(number=loan["number"]),
                                  parent=self)

        def disbursed(_result) -> None:
            dialog.accept()
            self._after_save(loan, _("Loan {number} disbursed.").format(number=loan["number"]))

        def ok():
            on = dialog.on.value()
            WriteOp(self.ctx, dialog, lambda session: loan_services.disburse(
                session, loan["id"], on), changes=("loan",)).success(disbursed) \
                .failure(refused_in(dialog.error)).run()
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
        reversed_ids = {e["reverses_id"] for e in loan_queries.ledger(self.ctx.session.conn,
                                                                      loan_id=loan["id"])}
        candidates = [e for e in loan_queries.ledger(self.ctx.session.conn, loan_id=loan["id"])
                      if not e["reverses_id"] and e["id"] not in reversed_ids]
        if not candidates:
            return
        last = candidates[-1]
        self._run(lambda session: loan_services.reverse(session, last["id"]),
                  _("The entry of {date} was reversed.").format(
                      date=format_date(last["value_date"])))

    def open_write_off(self) -> DateReasonDialog | None:
        loan = self.selected_loan()
        if not loan:
            return None
        dialog = DateReasonDialog(_("Ask to write off loan {number}").format(
            number=loan["number"]), reason_label=_("Reason"), parent=self)

        def asked(_result) -> None:
            dialog.accept()
            self._after_save(loan, _("Write-off asked for. Another user must approve it."))

        def ok():
            reason, on = dialog.reason.text(), dialog.on.value()
            WriteOp(self.ctx, dialog, lambda session: loan_services.request_write_off(
                session, loan["id"], reason, on), changes=("loan",)).success(asked) \
                .failure(refused_in(dialog.error)).run()
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
        dialog.rate = QLineEdit(decimal_text(current["annual_rate"]))
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
            on, term, grace = dialog.on.value(), dialog.term.value(), dialog.grace.value()
            reason = dialog.reason.text().strip() or None
            WriteOp(self.ctx, dialog, lambda session: loan_services.reschedule(
                session, loan["id"], on, term=term, annual_rate=rate, grace=grace,
                reason=reason),
                changes=("loan",)).success(rescheduled) \
                .failure(refused_in(dialog.error)).run()

        def rescheduled(_result) -> None:
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
            self._run(lambda session: loan_services.approve_write_off(session, loan["id"]),
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
        from desktop_app.reports.loan_card import write_card  # deferred: ReportLab
        loan_id = loan["id"]
        written = []

        def saved(_result) -> None:
            written.append(path)
            self.message.setStyleSheet("")
            self.message.setText(_("Repayment card saved to {path}.").format(path=path))

        def refused(exc: BaseException) -> None:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(error_text(exc) if isinstance(exc, (L.LoanError, OSError))
                                 else operations.error_message(exc))
        ReadOp(self.ctx, self, lambda conn: write_card(conn, loan_id, path)) \
            .success(saved).failure(refused).run()
        # the path once the card is written (at once without a DB worker)
        return path if written else None
