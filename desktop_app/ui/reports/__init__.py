"""Reports page: the report builder with tables, drill-down and exports."""
from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.reports import pyside_fixes  # noqa: F401  (see the module)

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def _factory(ctx):
    from desktop_app.ui.reports.reports_page import (
        ReportsPage,  # deferred: a page loads when first opened
    )
    return ReportsPage(ctx)


PAGE = PageSpec(key="reports", order=50, title=lambda: _("Reports"), factory=_factory)
