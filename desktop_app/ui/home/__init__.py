"""Home page: the dashboard of the user's scope."""
from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


def _factory(ctx):
    from desktop_app.ui.home.page import HomePage
    return HomePage(ctx)


PAGE = PageSpec(key="home", order=0, title=lambda: _("Home"), factory=_factory)
