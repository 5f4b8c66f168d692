"""Home page: the dashboard of the user's scope (strings in reports_home.py: the reports
catalog)."""
from desktop_app.ui.home.reports_home import HomePage, page_title
from desktop_app.ui.pages import PageSpec
from desktop_app.ui.reports import pyside_fixes  # noqa: F401  (see the module)

PAGE = PageSpec(key="home", order=0, title=page_title, factory=lambda ctx: HomePage(ctx))
