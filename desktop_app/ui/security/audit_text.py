"""The audit log in words: what kind of record, which one, and what changed (old -> new).

The log stores table names, record ids and JSON; the administrator reads "User
nigora: Role: Field officer -> Coordinator" instead.
"""
from __future__ import annotations

import json
import re

from desktop_app.i18n import N_, Domain, format_date, format_datetime
from desktop_app.store.security import sensitive
from desktop_app.ui.field_labels import YES_NO_FIELDS, field_label, field_message
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
    "referral": N_("Referral"),
    "inspection": N_("Inspection"),
    "training_event": N_("Training"),
    "training_session": N_("Training session"),
    "training_participant": N_("Training participant"),
    "loan": N_("Loan"),
    "loan_fund": N_("Loan fund"),
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


def value_text(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "role":
        return role_label(str(value))
    if field in YES_NO_FIELDS:
        return _("Yes") if value in (1, True, "1") else _("No")
    text = str(value)
    if text.startswith(sensitive.PREFIX):
        return _("(sealed)")
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


def change_text(row: dict) -> str:
    """What the entry changed, with field labels: ``Role: Field officer → Coordinator``."""
    before, after = _json(row.get("before")), _json(row.get("after"))
    table = row.get("table_name")
    parts: list[str] = []
    others = 0
    if row.get("action") in ("update", "sync_update") and (before or after):
        for field in sorted(set(before) | set(after)):
            old, new = before.get(field), after.get(field)
            if old == new or field in HIDDEN_FIELDS:
                continue
            if field_message(table, field) is None or field in UNSHOWN_FIELDS:
                others += 1
                continue
            parts.append(_("{field}: {old} → {new}").format(
                field=field_label(table, field), old=value_text(field, old),
                new=value_text(field, new)))
        if others:
            parts.append(DOMAIN.ngettext("{count} other field", "{count} other fields",
                                         others).format(count=others))
    elif row.get("action") in ("create", "sync_create") and after:
        for field in ("role", "status", "scope", "currency"):
            if after.get(field) not in (None, ""):
                parts.append(_("{field}: {value}").format(
                    field=field_label(table, field), value=value_text(field, after[field])))
    detail = _json(row.get("detail"))
    for key, value in detail.items():
        if key in DETAIL_LABELS:
            parts.append(_("{field}: {value}").format(field=_(DETAIL_LABELS[key]),
                                                      value=value_text(key, value)))
    return "; ".join(parts)
