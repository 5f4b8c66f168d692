"""Consent records per person (synced), whether a person has consented to something
(:func:`has_consent`, for referrals and sharing with other offices) and the list of
consents that ran out."""
from __future__ import annotations

from datetime import date

from desktop_app.domain.people import parse_date
from desktop_app.i18n import Domain
from desktop_app.store.db import row_dict
from desktop_app.store.people.identity import identity_ids
from desktop_app.store.repository import Repository, ValidationError

DOMAIN = Domain("security")
_ = DOMAIN.gettext

SCOPES = ("storage", "referral", "sharing", "photo", "all")
METHODS = ("written", "oral", "electronic")


class ConsentRepository(Repository):
    table = "consent"
    fields = ("person_id", "consent_date", "scope", "taken_by", "expiry_date",
              "withdrawn_date", "method", "notes")

    @staticmethod
    def _parse_dates(values: dict, errors: dict) -> dict[str, date]:
        """Store the three dates as ISO text (or None), note the ones not understood in
        ``errors``, and return the parsed ones."""
        dates = {}
        for name in ("consent_date", "expiry_date", "withdrawn_date"):
            raw = values.get(name)
            if isinstance(raw, date):
                raw = raw.isoformat()
            if raw in (None, ""):
                values[name] = None
                continue
            try:
                parsed = parse_date(str(raw))
            except ValueError:
                parsed = None
            if parsed is None:
                errors[name] = _("Write the date as dd.mm.yyyy, for example 07.03.1991.")
            else:
                values[name] = parsed.isoformat()
                dates[name] = parsed
        return dates

    def validate(self, values, existing):
        errors = {}
        if not values.get("person_id"):
            errors["person_id"] = _("A consent belongs to a person.")
        if values.get("scope") not in SCOPES:
            errors["scope"] = _("Choose what the person agreed to from the list.")
        if values.get("method") not in (None, "", *METHODS):
            errors["method"] = _("Choose how the consent was given from the list.")
        dates = self._parse_dates(values, errors)
        if not values.get("consent_date") and "consent_date" not in errors:
            errors["consent_date"] = _("Enter the date the consent was given.")
        if "consent_date" in dates and dates["consent_date"] > date.today():
            errors["consent_date"] = _("The consent date is in the future.")
        if "consent_date" in dates and "expiry_date" in dates \
                and dates["expiry_date"] < dates["consent_date"]:
            errors["expiry_date"] = _("The consent ends before it was given.")
        if errors:
            raise ValidationError(errors)
        return values

    def for_person(self, person_ids: list[str]) -> list[dict]:
        marks = ",".join("?" * len(person_ids))
        cur = self.conn.execute(
            f"SELECT * FROM consent WHERE person_id IN ({marks}) AND deleted=0 "
            "ORDER BY consent_date DESC, created_at DESC", person_ids)
        cols = [d[0] for d in cur.description]
        return [row_dict(cols, r) for r in cur]

    def withdraw(self, consent_id: str, on: date | None = None) -> dict:
        return self.update(consent_id, {"withdrawn_date": (on or date.today()).isoformat()})


def has_consent(conn, person_id: str, scope: str, on: date | None = None) -> bool:
    """Whether ``person_id`` (or anyone merged into the same identity) has a valid consent
    covering ``scope`` (e.g. "referral", "sharing", "storage") on the date ``on``.

    Consent records (table ``consent``: given on or before ``on``, not expired, not
    withdrawn, scope ``scope`` or ``all``) count, and so do a person's own
    ``consent_date``/``consent_scope`` fields (``consent_scope`` is a comma-separated list
    of scopes or ``all``).
    """
    on = on or date.today()
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


def expired_consents(conn, on: date | None = None, office_id: str | None = None,
                     limit: int = 1000) -> list[dict]:
    """Consents whose expiry date has passed, with no newer valid consent of the same
    scope for the person: the people to ask again (oldest expiry first)."""
    day = (on or date.today()).isoformat()
    params: list = [day, day, day]
    office_clause = ""
    if office_id:
        office_clause = " AND c.office_id = ?"
        params.append(office_id)
    params.append(limit)
    cur = conn.execute(
        "SELECT c.id, c.person_id, c.scope, c.consent_date, c.expiry_date, c.taken_by,"
        " p.family_name, p.given_name, p.patronymic, p.phones, c.office_id"
        " FROM consent c LEFT JOIN person p ON p.id = c.person_id"
        " WHERE c.deleted=0 AND c.expiry_date IS NOT NULL AND c.expiry_date < ?"
        " AND c.withdrawn_date IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM consent n WHERE n.person_id = c.person_id"
        "   AND n.deleted=0 AND n.id != c.id AND (n.scope = c.scope OR n.scope = 'all')"
        "   AND n.consent_date <= ? AND (n.expiry_date IS NULL OR n.expiry_date >= ?)"
        "   AND n.withdrawn_date IS NULL)"
        + office_clause + " ORDER BY c.expiry_date, p.family_name LIMIT ?", params)
    cols = ("id", "person_id", "scope", "consent_date", "expiry_date", "taken_by",
            "family_name", "given_name", "patronymic", "phones", "office_id")
    return [row_dict(cols, r) for r in cur]
