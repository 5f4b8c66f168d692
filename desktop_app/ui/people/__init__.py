"""The People registry: list, search, registration form, a person's page."""
from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


def _factory(ctx):
    from desktop_app.ui.people.page import PeoplePage
    return PeoplePage(ctx)


PAGE = PageSpec(key="people", order=10, title=lambda: _("People"), factory=_factory,
                visible=lambda ctx: ctx.can("view", "person"), shortcut="Ctrl+1")
