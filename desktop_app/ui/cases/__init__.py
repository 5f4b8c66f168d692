"""Hotline and case management pages (work lists, intake, case file) and the person-page
section listing a person's cases."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


def _page(ctx):
    from desktop_app.ui.cases.page import CasesPage  # deferred: a page loads when first opened
    return CasesPage(ctx)


def _section(ctx, person_ids):
    from desktop_app.ui.cases.person import PersonCases  # deferred: a page loads when first opened
    return PersonCases(ctx, person_ids)


PAGE = PageSpec(key="cases", order=20, title=lambda: _("Cases"), factory=_page,
                visible=lambda ctx: ctx.can("view", "hotline_case"))
PERSON_SECTION = PersonSection(key="cases", order=20, title=lambda: _("Cases"),
                               factory=_section)
