"""Labour inspections and employers."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec

DOMAIN = Domain("inspections")
_ = DOMAIN.gettext


def _page(ctx):
    from desktop_app.ui.inspections.page import (
        InspectionsPage,  # deferred: a page loads when first opened
    )
    return InspectionsPage(ctx)


PAGE = PageSpec(key="inspections", order=25, title=lambda: _("Inspections"), factory=_page,
                visible=lambda ctx: ctx.can("view", "inspection"))
