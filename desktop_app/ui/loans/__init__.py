"""Micro-loans page (order 40) and the loans section of a person's page."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.loans.page import LoansPage
from desktop_app.ui.loans.person_section import PersonLoansSection
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("loans")
_ = DOMAIN.gettext


PAGE = PageSpec(key="loans", order=40, title=lambda: _("Loans"), factory=LoansPage)
PERSON_SECTION = PersonSection(key="loans", order=40, title=lambda: _("Loans"),
                               factory=PersonLoansSection)
