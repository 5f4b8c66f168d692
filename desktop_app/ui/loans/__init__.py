"""Micro-loans page (order 40) and the loans section of a person's page."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


def _page(ctx):
    from desktop_app.ui.loans.page import LoansPage
    return LoansPage(ctx)


def _section(ctx, person_ids):
    from desktop_app.ui.loans.page import PersonLoansSection
    return PersonLoansSection(ctx, person_ids)


PAGE = PageSpec(key="loans", order=40, title=lambda: _("Loans"), factory=_page)
PERSON_SECTION = PersonSection(key="loans", order=40, title=lambda: _("Loans"),
                               factory=_section)
