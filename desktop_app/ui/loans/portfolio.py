"""The Portfolio tab: figures per office and fund on a date, with the overdue list."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, format_number
from desktop_app.i18n.formats import percent
from desktop_app.store.loans import queries as loan_queries
from desktop_app.ui import operations
from desktop_app.ui.loans.common import fund_label, money
from desktop_app.ui.operations import ReadOp
from desktop_app.ui.widgets import DataTable, DateEntry

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


class PortfolioTab(QWidget):
    """Portfolio figures per office and fund on a date, with the overdue list."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.last = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.as_of = DateEntry()
        self.since = DateEntry(date(date.today().year, 1, 1))
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
        self.buckets = DataTable(5)
        self.buckets.setMaximumHeight(150)
        bl.addWidget(self.buckets)
        layout.addWidget(self.buckets_box)
        self.overdue_box = QGroupBox()
        ol = QVBoxLayout(self.overdue_box)
        self.overdue = DataTable(6)
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
                            (self.fund, [(f["id"], fund_label(f))
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
        """Compute the figures off the UI thread (a portfolio of tens of thousands of loans
        takes a second or two); a newer request replaces an older one."""
        as_of, since = self.as_of.value(), self.since.value()
        office, fund = self.office.currentData(), self.fund.currentData()

        def work(conn):
            p = loan_queries.portfolio(conn, as_of, office_id=office, fund_id=fund, since=since)
            return p, loan_queries.overdue_list(conn, as_of, office_id=office, fund_id=fund,
                                                rows=p.rows)[:1000]

        if not operations.runs_in_place(self.ctx):
            self.figures.setText(_("Loading…"))
        ReadOp(self.ctx, self, work).key("portfolio") \
            .success(lambda result: self._show(*result)).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.figures.setText(_("The figures could not be computed: {error}").format(
            error=operations.error_message(exc)))

    def _show(self, p, items) -> None:
        self.last = p
        parts = []
        for cur, f in sorted(p.by_currency.items()):
            parts.append(_(
                "<b>{currency}</b>: {active} active loans, outstanding {outstanding}; "
                "disbursed in the period {count} loans, {disbursed}; "
                "<b>PAR1 {par1}</b>, <b>PAR30 {par30}</b>, <b>PAR90 {par90}</b>; "
                "repayment rate {rate}").format(
                currency=cur, active=format_number(f.active), outstanding=money(f.outstanding, cur),
                count=format_number(f.disbursed_count), disbursed=money(f.disbursed_amount, cur),
                par1=percent(f.par(1)), par30=percent(f.par(30)),
                par90=percent(f.par(90)), rate=percent(f.repayment_rate)))
        if not parts:
            parts.append(_("No loans disbursed up to this date."))
        parts.append(_("Women among borrowers: {share} ({women} of {borrowers}). "
                       "Loans to returned migrants: {returned}.").format(
            share=percent(p.women_share), women=format_number(p.women_borrowers),
            borrowers=format_number(p.borrowers),
            returned=format_number(p.returned_migrant_loans)))
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
