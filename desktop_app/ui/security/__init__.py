"""Administration: users and roles, audit log, expired consents; login and auto-lock.

``desktop_app.ui.security.gate.open_with_login`` is what the app calls before showing the
main window; ``IdleLocker(window, ctx)`` locks it after idle minutes.
"""
from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


def _factory(ctx):
    from desktop_app.ui.security.page import SecurityPage
    return SecurityPage(ctx)


def _visible(ctx) -> bool:
    from desktop_app.ui.security.page import page_visible
    return page_visible(ctx)


PAGE = PageSpec(key="security", order=70, title=lambda: _("Administration"),
                factory=_factory, visible=_visible)
