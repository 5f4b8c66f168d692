"""Reports page: the report builder with tables, drill-down and exports."""
from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


def _factory(ctx):
    from desktop_app.ui.reports.reports_page import ReportsPage
    return ReportsPage(ctx)


PAGE = PageSpec(key="reports", order=50, title=lambda: _("Reports"), factory=_factory)
