"""The audit log in words: what kind of record, which one, and what changed (old -> new).

The log stores table names, record ids and JSON; the administrator reads "User
nigora: Role: Field officer -> Coordinator" instead.
"""
from __future__ import annotations

import json
import re

from desktop_app.i18n import N_, Domain, format_date, format_datetime, format_number
from desktop_app.store.security import sensitive
from desktop_app.ui.field_labels import (
    MONEY_FIELDS,
    YES_NO_FIELDS,
    code_text,
    field_label,
    field_message,
    money_text,
    record_currency,
    reference_text,
)
from desktop_app.ui.security.roles import role_label

DOMAIN = Domain("security")
_ = DOMAIN.gettext

RECORD_KINDS = {
    "person": N_("Person"),
    "migration_episode": N_("Migration episode"),
    "app_user": N_("User"),
    "office": N_("Office"),
    "consent": N_("Consent"),
    "person_erasure": N_("Erasure of personal data"),
    "hotline_case": N_("Case"),
    "case_event": N_("Case event"),
    "case_followup": N_("Follow-up"),
    "case_referral": N_("Referral"),
    "employer": N_("Employer"),
    "inspection": N_("Inspection"),
    "inspection_case": N_("Case linked to an inspection"),
    "inspection_violation": N_("Violation"),
    "inspection_sanction": N_("Sanction"),
    "reference_item": N_("List entry"),
    "training_event": N_("Training"),
    "training_session": N_("Training session"),
    "training_participant": N_("Training participant"),
    "training_attendance": N_("Attendance"),
    "training_outcome": N_("Follow-up outcome"),
    "loan": N_("Loan"),
    "loan_fund": N_("Loan fund"),
    "loan_schedule": N_("Repayment schedule"),
    "loan_instalment": N_("Instalment"),
    "fund_entry": N_("Operation of the fund"),
    "loan_repayment": N_("Repayment"),
    "device": N_("Device"),
}
DETAIL_LABELS = {
    "breaks": N_("Breaks found"),
    "changes": N_("Changes"),
    "new": N_("New"),
    "updated": N_("Updated"),
    "conflicts": N_("Conflicts"),
    "fingerprint": N_("Fingerprint"),
    "reason": N_("Reason"),
    "username": N_("User name"),
    "role": N_("Role"),
}
# bookkeeping columns nobody typed: not listed as changes
HIDDEN_FIELDS = {"id", "deleted", "created_at", "updated_at", "created_by", "updated_by",
                 "office_id", "device_id", "hlc", "version", "merged_into", "person_id",
                 "event_id", "user_id"}
# stored in units no one types (minor units, minutes, JSON): counted, not shown raw
UNSHOWN_FIELDS = {"minutes", "amount", "cash", "principal", "interest", "penalty",
                  "cum_principal", "cum_interest", "base_paid_principal", "base_paid_interest",
                  "wages_recovered_minor", "fine_minor", "attributes", "allocation", "fields"}
MAX_VALUE = 40
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _json(text) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def kind_label(table: str | None) -> str:
    if not table:
        return ""
    return _(RECORD_KINDS[table]) if table in RECORD_KINDS else _("Other record")


def value_text(field: str, value, *, conn=None, table: str | None = None,
               currency: str | None = None) -> str:
    """A stored value as the form shows it: list codes by their names (with ``conn``),
    amounts in minor units as money in ``currency``, yes or no, dates."""
    if value is None or value == "":
        return "—"
    if field == "role":
        return role_label(str(value))
    if field in YES_NO_FIELDS:
        return _("Yes") if value in (1, True, "1") else _("No")
    money = money_text(value, currency) if field in MONEY_FIELDS else None
    if money is not None:
        return money
    named = reference_text(conn, table, field, value) if conn is not None else None
    if named is None:
        named = code_text(table, field, value)
    if named is not None:
        return named
    text = str(value)
    if text.startswith(sensitive.PREFIX):
        return sensitive.sealed_short()
    if _ISO_DATE.match(text):
        return format_date(text)
    if _ISO_MOMENT.match(text):
        return format_datetime(text)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _name_of(values: dict) -> str:
    names = [values.get(k) for k in ("family_name", "given_name")]
    if any(names):
        return " ".join(n for n in names if n)
    for key in ("display_name", "username", "name", "title", "certificate_number"):
        if values.get(key):
            return str(values[key])
    return ""


def record_text(row: dict) -> str:
    """"User: nigora" — the record's kind and, where it has one, its name."""
    kind = kind_label(row.get("table_name"))
    name = _name_of(_json(row.get("after"))) or _name_of(_json(row.get("before")))
    return f"{kind}: {name}" if kind and name else kind


class _Values:
    """How one audit entry's values read: codes by their names and amounts in the
    record's currency when a connection is given."""

    def __init__(self, row: dict, conn):
        self.conn, self.table, self.record_id = conn, row.get("table_name"), row.get("record_id")

    def currency(self, field: str, values: dict) -> str | None:
        if field not in MONEY_FIELDS or self.conn is None:
            return None
        return record_currency(self.conn, self.table, self.record_id, field, values)

    def shown(self, field: str, value, values: dict) -> str:
        return value_text(field, value, conn=self.conn, table=self.table,
                          currency=self.currency(field, values))

    def listed(self, field: str, values: dict) -> bool:
        """Is a change of ``field`` spelled out (not only counted)?"""
        if field_message(self.table, field) is None:
            return False
        return field not in UNSHOWN_FIELDS or self.currency(field, values) is not None


def _updates(values: _Values, before: dict, after: dict) -> list[str]:
    parts: list[str] = []
    others = 0
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new or field in HIDDEN_FIELDS:
            continue
        if not values.listed(field, {**before, **after}):
            others += 1
            continue
        parts.append(_("{field}: {old} → {new}").format(
            field=field_label(values.table, field), old=values.shown(field, old, before or after),
            new=values.shown(field, new, after or before)))
    if others:
        parts.append(DOMAIN.ngettext("{count} other field", "{count} other fields",
                                     others).format(count=format_number(others)))
    return parts


def change_text(row: dict, conn=None) -> str:
    """What the entry changed, with field labels: ``Role: Field officer → Coordinator``;
    with ``conn``, codes by their names (``District: Rasht → Gharm``) and amounts as money."""
    before, after = _json(row.get("before")), _json(row.get("after"))
    values = _Values(row, conn)
    parts: list[str] = []
    if row.get("action") in ("update", "sync_update") and (before or after):
        parts = _updates(values, before, after)
    elif row.get("action") in ("create", "sync_create") and after:
        for field in ("role", "status", "scope", "currency"):
            if after.get(field) not in (None, ""):
                parts.append(_("{field}: {value}").format(
                    field=field_label(values.table, field),
                    value=values.shown(field, after[field], after)))
    detail = _json(row.get("detail"))
    for key, value in detail.items():
        if key in DETAIL_LABELS:
            parts.append(_("{field}: {value}").format(field=_(DETAIL_LABELS[key]),
                                                      value=value_text(key, value)))
    return "; ".join(parts)
