"""The roles' names as users read them."""
from __future__ import annotations

from desktop_app.i18n import Domain

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def role_label(role: str) -> str:
    labels = {
        "field_officer": _("Field officer"),
        "case_worker": _("Case worker / legal adviser"),
        "inspector": _("Labour inspector"),
        "loan_officer": _("Loan officer"),
        "coordinator": _("Coordinator"),
        "administrator": _("Administrator"),
    }
    return labels.get(role, role)
