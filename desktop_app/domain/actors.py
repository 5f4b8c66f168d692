"""Who is acting: the logged-in user on this device."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: str
    username: str
    role: str = "administrator"
    office_id: str | None = None
    display_name: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


# Roles (security defines what each may do; see store/session.Policy).
ROLES = ("field_officer", "case_worker", "inspector", "loan_officer", "coordinator",
         "administrator")

SYSTEM = Actor(user_id="system", username="system", role="administrator")
