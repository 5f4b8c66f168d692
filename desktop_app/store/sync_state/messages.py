"""Messages of the sync-related store services (kept here so they land in the sync catalog)."""
from __future__ import annotations

from desktop_app.i18n import Domain

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


def cannot_merge_self() -> str:
    return _("A person cannot be merged with themselves.")


def merge_cycle() -> str:
    return _("These records are already merged the other way round; unmerge them first.")


def not_merged() -> str:
    return _("This person is not merged into another record.")


def conflict_not_open() -> str:
    return _("This conflict has already been resolved.")


def conflict_sealed() -> str:
    return _("This text is sealed: only a case worker, coordinator or administrator who holds "
             "the sensitive-case key can take the other value.")


def record_gone() -> str:
    return _("The record of this conflict no longer exists here.")
