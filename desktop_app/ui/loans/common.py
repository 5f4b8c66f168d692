"""Helpers shared by the loans page's tabs and dialogs: labels, money, errors."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QLabel

from desktop_app.domain import loans as L
from desktop_app.i18n import Domain, format_money
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

STATUS_FILTERS = ("", "applied", "approved", "disbursed", "closed", "written_off", "rejected")


def tr(mapping: dict, key: str) -> str:
    """The translated label of a vocabulary code (the catalogs hold the English labels)."""
    return _(mapping.get(key, key))


def money(minor: int, currency: str) -> str:
    return format_money(L.from_minor(minor, currency), currency)


REFUSALS = (ValidationError, L.LoanError, PermissionDenied)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.errors.values())
    return str(exc)


def refused_in(label: QLabel, then: Callable[[BaseException], None] | None = None):
    """A failure callback for a loans operation: a refusal (validation, a loan rule, a
    permission) is written into ``label`` (then ``then(exc)``); anything else is reported
    by the operations layer's message box."""
    def failed(exc: BaseException) -> None:
        if not isinstance(exc, REFUSALS):
            operations.show_error(label, exc)
            return
        label.setText(error_text(exc))
        if then is not None:
            then(exc)
    return failed


def fund_label(fund: dict) -> str:
    """A fund as lists show it: its name and currency, the currency once (a name may
    already end in it, as the demo's "… (TJS)")."""
    name, currency = fund["name"], fund["currency"]
    return name if currency in name else f"{name} ({currency})"


def ENTRY_KINDS() -> dict[str, str]:
    return {"capital": _("Capital"), "disbursement": _("Disbursement"),
            "repayment": _("Repayment"), "write_off": _("Write-off")}
