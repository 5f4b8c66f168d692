"""The Sync page: set-up, bundles in and out, conflicts, possible duplicates, history."""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


def _factory(ctx):
    from desktop_app.ui.sync.page import SyncPage  # deferred: a page loads when first opened
    return SyncPage(ctx)


PAGE = PageSpec(key="sync", order=60, title=lambda: _("Sync"), factory=_factory)
