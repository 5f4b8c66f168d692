"""Labour inspections and employers."""
from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


def _page(ctx):
    from desktop_app.ui.inspections.page import InspectionsPage
    return InspectionsPage(ctx)


PAGE = PageSpec(key="inspections", order=25, title=lambda: _("Inspections"), factory=_page)
