"""Consent checks used by actions that need it (referral, sharing with other offices)."""
from __future__ import annotations

from datetime import date


def has_consent(conn, person_id: str, scope: str, on: date | None = None) -> bool:
    """Whether ``person_id`` (or anyone merged into the same identity) has a valid consent
    covering ``scope`` (e.g. "referral", "sharing", "storage") on the date ``on``.

    Consent records (table ``consent``: given on or before ``on``, not expired, not
    withdrawn, scope ``scope`` or ``all``) count, and so do a person's own
    ``consent_date``/``consent_scope`` fields (``consent_scope`` is a comma-separated list
    of scopes or ``all``).
    """
    on = on or date.today()
    from desktop_app.store.people.identity import identity_ids
    ids = identity_ids(conn, person_id)
    marks = ",".join("?" * len(ids))
    day = on.isoformat()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='consent'").fetchone():
        found = conn.execute(
            f"SELECT 1 FROM consent WHERE person_id IN ({marks}) AND deleted=0"
            " AND scope IN (?, 'all') AND consent_date <= ?"
            " AND (expiry_date IS NULL OR expiry_date >= ?)"
            " AND (withdrawn_date IS NULL OR withdrawn_date > ?) LIMIT 1",
            (*ids, scope, day, day, day)).fetchone()
        if found:
            return True
    for consent_date, consent_scope in conn.execute(
            f"SELECT consent_date, consent_scope FROM person WHERE id IN ({marks}) AND deleted=0",
            ids):
        if not consent_date or consent_date > on.isoformat():
            continue
        scopes = {s.strip() for s in (consent_scope or "").split(",") if s.strip()}
        if "all" in scopes or scope in scopes:
            return True
    return False
