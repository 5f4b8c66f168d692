"""Administration: users and roles, audit log, expired consents; login and auto-lock.

``desktop_app.ui.security.gate.open_with_login`` is what the app calls before showing the
main window; ``IdleLocker(window, ctx)`` locks it after idle minutes.
"""
from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def _factory(ctx):
    from desktop_app.ui.security.page import (
        SecurityPage,  # deferred: a page loads when first opened
    )
    return SecurityPage(ctx)


def _visible(ctx) -> bool:
    from desktop_app.ui.security.page import (
        page_visible,  # deferred: a page loads when first opened
    )
    return page_visible(ctx)


PAGE = PageSpec(key="security", order=70, title=lambda: _("Administration"),
                factory=_factory, visible=_visible)


def _consents(ctx, person_ids):
    from desktop_app.ui.security.consent_section import (
        ConsentSection,  # deferred: a page loads when first opened
    )
    return ConsentSection(ctx, person_ids)


PERSON_SECTION = PersonSection(key="consent", order=5, title=lambda: _("Consent and data rights"),
                               factory=_consents)
