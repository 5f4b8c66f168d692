"""What each ``hamroh`` command needs from the role table (domain.security.MATRIX).

Every command is listed here by its words (``"cases list"``). ``commands._common.open_for_cli``
looks the command up right after the login and refuses it, in one sentence naming the
missing right, before the command reads anything. A command that opens a database and is
not listed is refused too (fail closed); ``tests/adversarial/test_role_matrix.py`` walks
the parser and fails for a command missing here.

Values:

* a tuple of ``(action, table)`` pairs: the user's role must have every one of them in
  some scope (rows are checked again, in their scope, by the store);
* ``ANY_USER``: any logged-in user (own password, database upkeep that shows no records);
* ``NO_DATABASE``: the command opens no database as a user (creates one, or needs none,
  or unlocks with the recovery key).
"""
from __future__ import annotations

from desktop_app.domain import security as rules
from desktop_app.i18n import Domain

DOMAIN = Domain("security")
_ = DOMAIN.gettext

ANY_USER: tuple = ()
NO_DATABASE = None

COMMAND_RIGHTS: dict[str, tuple | None] = {
    # audit log
    "audit verify": (("view_audit", "audit_log"),),
    "audit list": (("view_audit", "audit_log"),),
    "audit sign": (("view_audit", "audit_log"), ("manage_users", "app_user")),
    # hotline cases
    "cases list": (("view", "hotline_case"),),
    "cases due": (("view", "hotline_case"),),
    "cases stats": (("view", "hotline_case"),),
    "cases show": (("view_detail", "hotline_case"),),
    "cases pdf": (("view_detail", "hotline_case"),),
    "cases status": (("update", "hotline_case"),),
    # database upkeep: shows no records ...
    "db migrate": ANY_USER,
    "db check": ANY_USER,
    "db backup": ANY_USER,
    "db repair-search": ANY_USER,
    # rewrites the change log and the whole file: the administrator's decision
    "db compact": (("manage_users", "app_user"),),
    # ... except the dump, which prints every record (sensitive cases included)
    "db dump": (("dump", "app_user"),),
    "demo": NO_DATABASE,
    "init": NO_DATABASE,
    # inspections and employers (the employer list counts cases and inspections)
    "inspections list": (("view", "inspection"),),
    "inspections employers": (("view", "inspection"),),
    # loans
    "loan schedule": NO_DATABASE,
    "loan portfolio": (("view", "loan"),),
    # the organisation's letterhead on printed documents
    "letterhead show": ANY_USER,
    "letterhead set": (("manage_reference", "reference_item"),),
    # people
    "people import": (("create", "person"),),
    "people search": (("view", "person"),),
    # reports: figures without names; the list with names needs its own right
    "report": ANY_USER,
    "person-list": (("view_person_list", "person"),),
    "indicators": NO_DATABASE,
    # users
    "user list": (("manage_users", "app_user"),),
    "user add": (("manage_users", "app_user"),),
    "user role": (("manage_users", "app_user"),),
    "user deactivate": (("manage_users", "app_user"),),
    "user activate": (("manage_users", "app_user"),),
    "user reset-password": (("manage_users", "app_user"),),
    "user passwd": ANY_USER,
    # encryption and a person's rights
    "security encrypt": NO_DATABASE,
    "security recover": NO_DATABASE,
    "security new-recovery-key": (("manage_users", "app_user"),),
    "security sensitive-key": (("manage_users", "app_user"),),
    "security export-person": (("export_person", "person"),),
    "security erase-person": (("erase_person", "person"),),
    # consent
    "consent add": (("create", "consent"),),
    "consent list": (("view", "consent"),),
    "consent expired": (("view", "consent"),),
    "consent withdraw": (("update", "consent"),),
    # sync: bundles move every record of the office, devices decide whom to trust
    "bundle export": ANY_USER,
    "bundle import": ANY_USER,
    "bundle watch": ANY_USER,
    "bundle history": ANY_USER,
    # applying or deleting changes made on a revoked device is a trust decision
    "bundle quarantine": (("create", "device"),),
    "device show": (("view", "device"),),
    "device list": (("view", "device"),),
    "device trust": (("create", "device"),),
    "device revoke": (("create", "device"),),
    "device passphrase": (("create", "device"),),
    "device new-code": (("create", "device"),),
    # trainings
    "trainings list": (("view", "training_event"),),
    "trainings totals": (("view", "training_event"),),
    "trainings courses": (("view", "training_event"),),
    "trainings course": (("create", "reference_item"),),
    "trainings import": (("create", "training_participant"),),
    "trainings certificates": (("view_detail", "training_participant"),),
}


def refusal(role: str, command: str | None) -> str | None:
    """Why ``role`` may not run ``command`` (None: it may). Unlisted commands are refused."""
    needs = COMMAND_RIGHTS.get(command or "", None)
    if command not in COMMAND_RIGHTS or needs is None:
        return _("The command hamroh {command} has no rights declared; it is refused. "
                 "Report this to the developers.").format(command=command or "?")
    for action, table in needs:
        if rules.allowed_scope(role, action, table) is None:
            return _("You do not have permission to run hamroh {command}: your role lacks "
                     "\u201c{right}\u201d for {area}. Ask an administrator.").format(
                command=command, right=_(rules.ACTION_LABELS.get(action, action)),
                area=_(rules.AREA_LABELS[_area(action, table)]))
    return None


def _area(action: str, table: str) -> str:
    return "admin" if action in ("manage_users", "view_audit", "manage_reference") \
        else rules.area_of(table)
