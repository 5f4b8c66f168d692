"""A person's loans on their page."""
from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, format_date
from desktop_app.store.loans import queries as loan_queries
from desktop_app.ui.loans.common import money, tr
from desktop_app.ui.widgets import DataTable, EmptyState, TableOrEmpty

DOMAIN = Domain("loans")
_ = DOMAIN.gettext
pgettext = DOMAIN.pgettext


class PersonLoansSection(QWidget):
    """A person's loans on their page (every record merged into the person included)."""

    def __init__(self, ctx, person_ids: list, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_ids = list(person_ids)
        layout = QVBoxLayout(self)
        self.table = DataTable(6)
        self.empty = EmptyState()
        layout.addWidget(TableOrEmpty(self.table, self.empty))
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_("Number"), _("Amount"), _("Status"),
                                              pgettext("date column", "Disbursed"),
                                              _("Outstanding"), _("Days late")])
        self.empty.set_message(_("No loans."))
        self.refresh()

    def refresh(self) -> None:
        loans = loan_queries.loans_of_people(self.ctx.conn, self.person_ids)
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
