"""The People registry: list, search, registration form, a person's page."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec

DOMAIN = Domain("people")
_ = DOMAIN.gettext


def _factory(ctx):
    from desktop_app.ui.people.page import PeoplePage  # deferred: a page loads when first opened
    return PeoplePage(ctx)


PAGE = PageSpec(key="people", order=10, title=lambda: _("People"), factory=_factory,
                visible=lambda ctx: ctx.can("view", "person"))
