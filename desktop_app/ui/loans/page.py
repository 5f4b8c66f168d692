"""The loans page: applications, approval, disbursement, repayments, schedules, portfolio."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.i18n import Domain
from desktop_app.ui.cases.readable import keep_readable
from desktop_app.ui.loans.funds import FundsTab
from desktop_app.ui.loans.loans_tab import LoansTab
from desktop_app.ui.loans.portfolio import PortfolioTab
from desktop_app.ui.loans.preview import PreviewTab

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


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
        ctx.data_changed.connect(self._data_changed)
        self._titles()   # the tabs translated themselves when built
        keep_readable(self)   # titles and choices read whole in every language

    def _data_changed(self, table: str) -> None:
        if table in ("loan", "fund_entry", "loan_fund"):
            # a loan written on this page: its tab shows it already
            self.portfolio._fill_filters()
            self.portfolio.refresh()
            self.funds.refresh()
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
