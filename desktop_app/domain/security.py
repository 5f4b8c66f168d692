"""Who may do what: the role x action x scope matrix, and what makes a case sensitive.

Pure Python. ``store.security.accounts.RolePolicy`` applies it to rows; the UI asks
``AppContext.can`` to hide what a role may not do.

Scopes: ``own`` (rows the user created or is assigned to), ``office`` (rows of the
user's office), ``all``. A missing entry means the action is not allowed at all.
Tables are grouped in *areas*; a table no area names belongs to ``records``.
"""
from __future__ import annotations

from datetime import date

from desktop_app.i18n import N_, Domain

DOMAIN = Domain("security")

OWN, OFFICE, ALL = "own", "office", "all"
SCOPE_RANK = {OWN: 1, OFFICE: 2, ALL: 3}

ACTIONS = (
    "view", "create", "update", "delete", "view_detail", "export", "export_person",
    "erase_person", "manage_users", "view_audit", "manage_reference",
    # module-specific actions
    "view_person_list",       # reports: lists of people with names (people area)
    "override_consent",       # cases: refer without recorded consent, with a reason
    "approve_loan",           # loans: decide on another user's application or write-off
    "disburse", "repay",      # loans: money out / in
    "reverse",                # loans: reversal of a fund or loan ledger entry
    "dump",                   # admin: print every record of the database (hamroh db dump)
)
ACTION_LABELS = {
    "view": N_("See records"),
    "create": N_("Add records"),
    "update": N_("Change records"),
    "delete": N_("Delete records"),
    "view_detail": N_("Open details"),
    "export": N_("Export (no names)"),
    "export_person": N_("Export a person's data"),
    "erase_person": N_("Erase a person's data"),
    "manage_users": N_("Manage users"),
    "view_audit": N_("See the audit log"),
    "manage_reference": N_("Edit reference lists"),
    "view_person_list": N_("Lists of people with names"),
    "override_consent": N_("Refer without consent"),
    "approve_loan": N_("Approve loan applications"),
    "disburse": N_("Disburse loans"),
    "repay": N_("Record repayments"),
    "reverse": N_("Reverse ledger entries"),
    "dump": N_("Print the whole database"),
}
AREAS = ("people", "cases", "inspections", "trainings", "loans", "admin", "records")
AREA_LABELS = {
    "people": N_("People and consents"),
    "cases": N_("Hotline cases"),
    "inspections": N_("Inspections"),
    "trainings": N_("Trainings"),
    "loans": N_("Loans"),
    "admin": N_("Users, offices, reference lists"),
    "records": N_("Other records"),
}

# table-name prefixes -> area (first match wins)
_AREA_PREFIXES = (
    (("person", "migration_episode", "consent", "person_erasure", "household"), "people"),
    (("hotline_case", "case_", "referral", "grievance"), "cases"),
    (("inspection",), "inspections"),
    (("training", "course", "attendance", "certificate"), "trainings"),
    (("loan", "fund", "repayment", "disbursement", "ledger"), "loans"),
    (("app_user", "office", "reference_item", "device"), "admin"),
)

SENSITIVE_CATEGORIES = frozenset({"trafficking", "sexual_exploitation"})
CASE_TABLE = "hotline_case"
ADULT_AGE = 18


def area_of(table: str | None) -> str:
    name = (table or "").lower()
    for prefixes, area in _AREA_PREFIXES:
        if any(name == p or name.startswith(p) for p in prefixes):
            return area
    return "records"


def _rw(scope_create, scope_update, scope_delete=None, view=ALL, detail=None, export=None):
    rights = {"view": view, "create": scope_create, "update": scope_update,
              "view_detail": detail or view}
    if scope_delete:
        rights["delete"] = scope_delete
    if export:
        rights["export"] = export
    return {k: v for k, v in rights.items() if v}


_READ_ONLY = {"view": ALL, "view_detail": ALL}

MATRIX: dict[str, dict[str, dict[str, str]]] = {
    "field_officer": {
        "people": _rw(OFFICE, OFFICE, OWN, export=OFFICE) | {"export_person": OFFICE},
        "cases": _rw(OFFICE, OWN, None, view=OFFICE),
        "inspections": {"view": OFFICE, "view_detail": OFFICE},
        "trainings": _rw(OFFICE, OFFICE, OWN, export=OFFICE),
        "loans": {"view": OFFICE, "view_detail": OFFICE},
        "admin": dict(_READ_ONLY),
        "records": _rw(OFFICE, OFFICE, OWN),
    },
    "case_worker": {
        "people": _rw(OFFICE, OFFICE, OWN, export=OFFICE) | {"export_person": OFFICE},
        "cases": _rw(OFFICE, OFFICE, OWN, export=OFFICE),
        "inspections": {"view": OFFICE, "view_detail": OFFICE},
        "trainings": _rw(OFFICE, OFFICE, OWN),
        "loans": {"view": OFFICE, "view_detail": OFFICE},
        "admin": dict(_READ_ONLY),
        "records": _rw(OFFICE, OFFICE, OWN),
    },
    "inspector": {
        "people": _rw(OFFICE, OFFICE, None),
        "cases": _rw(None, OWN, None, view=OFFICE),
        "inspections": _rw(OFFICE, OFFICE, OWN, export=ALL),
        "trainings": {"view": OFFICE, "view_detail": OFFICE},
        "loans": {},
        "admin": dict(_READ_ONLY),
        "records": _rw(OFFICE, OFFICE, OWN),
    },
    "loan_officer": {
        "people": _rw(OFFICE, OFFICE, None, export=OFFICE),
        "cases": {},
        "inspections": {},
        "trainings": {"view": OFFICE, "view_detail": OFFICE},
        "loans": _rw(OFFICE, OFFICE, OWN, export=OFFICE),
        "admin": dict(_READ_ONLY),
        "records": _rw(OFFICE, OFFICE, OWN),
    },
    "coordinator": {
        "people": _rw(ALL, ALL, OFFICE, export=ALL) | {"export_person": ALL},
        "cases": _rw(ALL, ALL, OFFICE, export=ALL),
        "inspections": _rw(ALL, ALL, OFFICE, export=ALL),
        "trainings": _rw(ALL, ALL, OFFICE, export=ALL),
        "loans": _rw(ALL, ALL, OFFICE, export=ALL),
        "admin": dict(_READ_ONLY) | {"view_audit": ALL, "export": ALL},
        "records": _rw(ALL, ALL, OFFICE, export=ALL),
    },
    "administrator": {
        area: {action: ALL for action in ACTIONS if action not in ("manage_users",
                                                                    "view_audit",
                                                                    "manage_reference")}
        for area in AREAS
    },
}
# module-specific rights
MATRIX["field_officer"]["people"]["view_person_list"] = OFFICE
MATRIX["case_worker"]["people"]["view_person_list"] = OFFICE
MATRIX["loan_officer"]["people"]["view_person_list"] = OFFICE
MATRIX["coordinator"]["people"]["view_person_list"] = ALL
MATRIX["coordinator"]["cases"]["override_consent"] = ALL
MATRIX["loan_officer"]["loans"].update(approve_loan=OFFICE, disburse=OFFICE, repay=OFFICE,
                                       reverse=OWN)
MATRIX["coordinator"]["loans"].update(approve_loan=ALL, disburse=ALL, repay=ALL, reverse=ALL)
MATRIX["administrator"]["admin"].update(
    {"manage_users": ALL, "view_audit": ALL, "manage_reference": ALL})
MATRIX["administrator"]["people"]["erase_person"] = ALL


def allowed_scope(role: str, action: str, table: str | None) -> str | None:
    """The widest scope in which ``role`` may ``action`` rows of ``table`` (None: never)."""
    area = "admin" if action in ("manage_users", "view_audit", "manage_reference") \
        else area_of(table)
    return MATRIX.get(role, {}).get(area, {}).get(action)


def in_scope(scope: str | None, *, user_id: str, user_office: str | None,
             row: dict | None) -> bool:
    if scope is None:
        return False
    if scope == ALL or row is None:
        return True
    if scope == OFFICE:
        office = row.get("office_id")
        return office is None or office == user_office
    # own
    return user_id in (row.get("created_by"), row.get("assigned_to")) or (
        "created_by" not in row and "assigned_to" not in row)


def is_minor(birth_date: str | None, on: date | None = None) -> bool:
    if not birth_date:
        return False
    try:
        born = date.fromisoformat(birth_date[:10])
    except ValueError:
        return False
    on = on or date.today()
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < ADULT_AGE


def case_is_sensitive(row: dict, person_birth_date: str | None = None,
                      on: date | None = None) -> bool:
    """Flagged, a trafficking / sexual exploitation category, or about a minor."""
    if int(row.get("sensitive") or 0):
        return True
    if (row.get("category") or "") in SENSITIVE_CATEGORIES:
        return True
    if row.get("person_is_minor"):
        return True
    return is_minor(person_birth_date, on)


def may_see_sensitive_freely(role: str, user_id: str, row: dict) -> bool:
    """Assigned workers and administrators open sensitive cases without giving a reason."""
    return role == "administrator" or (bool(row.get("assigned_to"))
                                       and row.get("assigned_to") == user_id)
