"""Micro-loans page (order 40) and the loans section of a person's page."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


def _page(ctx):
    from desktop_app.ui.loans.page import LoansPage  # deferred: a page loads when first opened
    return LoansPage(ctx)


def _section(ctx, person_ids):
    from desktop_app.ui.loans.person_section import (
        PersonLoansSection,  # deferred: a section loads when a person is first opened
    )
    return PersonLoansSection(ctx, person_ids)


PAGE = PageSpec(key="loans", order=40, title=lambda: _("Loans"), factory=_page,
                visible=lambda ctx: ctx.can("view", "loan"))
PERSON_SECTION = PersonSection(key="loans", order=40, title=lambda: _("Loans"),
                               factory=_section)
