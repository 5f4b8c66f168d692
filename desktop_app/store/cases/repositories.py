"""Hotline cases: the repositories (one per table, every write goes through one) and the
registrations they make at import (the after-insert hook for new people, the referral sync
scope). The writes are in :mod:`services`, the reads in :mod:`queries`.
"""
from __future__ import annotations

from datetime import date

from desktop_app.domain import cases as dom
from desktop_app.domain import names
from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.cases import sealing
from desktop_app.store.cases import search as cases_search
from desktop_app.store.cases.scope import ReferralScope
from desktop_app.store.repository import Repository, ValidationError
from desktop_app.store.security import sensitive
from desktop_app.store.session import PermissionDenied

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


CASE_FIELDS = (
    "number", "person_id", "caller_name", "caller_phone", "channel", "category", "subcategory",
    "status", "assigned_to", "sensitive", "sensitive_flag", "risk_level", "summary", "country",
    "city", "employer_id", "opened_on", "resolved_on", "closed_on", "outcome",
    "wages_recovered_minor", "wages_currency", "returned_home", "inspection_opened",
    "fine_imposed", "outcome_notes",
)


# Fields left out of a case PDF (and of lists) unless the user includes sensitive details.
SENSITIVE_FIELDS = ("caller_name", "caller_phone", "summary", "person_id")


def reference_codes(conn, kind: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT code FROM reference_item WHERE kind=? AND deleted=0", (kind,))}


def person_birth_date(conn, person_id: str | None) -> str | None:
    if not person_id:
        return None
    row = conn.execute("SELECT birth_date FROM person WHERE id=?", (person_id,)).fetchone()
    return row[0] if row else None


def recheck_cases_of_person(person_repo, person: dict, before: dict) -> None:
    """A person's birth date changed (here or received): their cases may have become (or
    stopped being) a minor's case, sensitive, with their texts sealed."""
    if person.get("birth_date") == before.get("birth_date"):
        return
    case_ids = [r[0] for r in person_repo.conn.execute(
        "SELECT id FROM hotline_case WHERE person_id=? AND deleted=0", (person["id"],))]
    if case_ids:
        sealing.recheck_sensitivity(person_repo.session, case_ids)


def recheck_cases_of_new_people(person_repo, people: list[dict]) -> None:
    """Cases received before the person they name (sync sends them in any order): with
    the person's birth date they may be a minor's case."""
    ids = [p["id"] for p in people if p.get("birth_date")]
    case_ids: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        case_ids += [r[0] for r in person_repo.conn.execute(
            "SELECT id FROM hotline_case WHERE deleted=0 AND person_id IN"
            f" ({','.join('?' * len(chunk))})", chunk)]
    if case_ids:
        sealing.recheck_sensitivity(person_repo.session, case_ids)


Repository.register_after_insert("person", cases_search.mark_cases_of_new_people)
Repository.register_after_insert("person", recheck_cases_of_new_people)
Repository.register_after_update("person", recheck_cases_of_person)


class ConsentRequired(PermissionDenied):
    """A referral of a person without referral consent: an authorised user may override it
    with a reason."""


class EmployerRepository(Repository):
    table = "employer"
    fields = ("name", "country", "city", "region", "sector", "size", "tax_number",
              "union_present", "collective_agreement", "high_risk", "attestation_date",
              "attestation_result", "notes")
    defaults = {"union_present": 0, "collective_agreement": 0, "high_risk": 0}

    validator = staticmethod(dom.validate_employer)

    def after_write(self, record, before):
        self.after_write_many([record])
        if before is not None and before.get("name") != record.get("name"):
            cases_search.refresh_employer(self.conn, [record["id"]])

    def after_write_many(self, records):
        self.conn.executemany("UPDATE employer SET name_key=? WHERE id=?", [
            (names.full_name_key(r.get("name")), r["id"]) for r in records])


class SealsWithItsId(Repository):
    """Gives a record its id before validation, so that fields sealed there are bound to
    the record they belong to (the id is part of the sealing's associated data)."""

    _sealing_id: str | None = None      # the id of the record being created

    def create(self, values, *, record_id=None):
        self._sealing_id = record_id or new_id()
        return super().create(values, record_id=self._sealing_id)

    def create_many(self, rows, *, audit: bool = True) -> int:
        def with_ids():
            for values in rows:
                values = {**values, "id": values.get("id") or new_id()}
                self._sealing_id = values["id"]
                yield values
        return super().create_many(with_ids(), audit=audit)


class CaseRepository(SealsWithItsId):
    table = "hotline_case"
    fields = CASE_FIELDS
    defaults = {"status": "new", "sensitive": 0, "sensitive_flag": 0, "risk_level": "medium",
                "returned_home": 0, "inspection_opened": 0, "fine_imposed": 0}

    def _vocab(self) -> tuple[set, set]:
        cache = self.session.cache
        if "case vocabulary" not in cache:
            cache["case vocabulary"] = (reference_codes(self.conn, "case_category"),
                                        reference_codes(self.conn, "case_channel"))
        return cache["case vocabulary"]

    def validate(self, values, existing):
        categories, channels = self._vocab()
        cleaned, errors = dom.validate_case(values, categories=categories, channels=channels)
        if existing is not None and cleaned.get("status") != existing.get("status"):
            try:
                dom.check_transition(existing["status"], cleaned["status"])
            except dom.TransitionRefused as exc:
                errors["status"] = str(exc)
        if not cleaned.get("number"):
            errors["number"] = _("The case has no number.")
        if errors:
            raise ValidationError(errors)
        birth = cleaned.pop("_birth_date", None) or person_birth_date(
            self.conn, cleaned.get("person_id"))
        cleaned["sensitive"] = dom.compute_sensitive(
            cleaned.get("sensitive_flag"), cleaned.get("category"), birth, cleaned.get("opened_on"))
        record_id = existing["id"] if existing is not None else self._sealing_id
        if cleaned["sensitive"] and record_id:
            # caller, summary, outcome notes: sealed for the roles that may read them (a
            # validation outside a write, with no record id yet, seals nothing)
            cleaned = sensitive.seal_fields(self.conn, self.table, record_id, cleaned)
        return cleaned

    def update(self, record_id, changes):
        before = self.get(record_id)
        if before is not None:
            changes = sensitive.keep_sealed(self.session, self.table, before, changes)
        # ``sensitive`` is derived (flag, category, the person's age): always rewrite it
        with self.session.transaction():
            record = super().update(record_id, {**changes, "sensitive": None})
            self.purge_search_if_needed()
        return record

    # Set by a routine that seals many cases: it seals their texts and merges the search
    # index once at its end (one audit row, one merge).
    sealing_in_bulk = False
    PURGE_PENDING = "case search purge"

    def purge_search_if_needed(self) -> None:
        """The search index still holds the terms of a summary or caller indexed before
        it was sealed until its segments merge: merge them (once per write or batch)."""
        if not self.sealing_in_bulk and self.session.cache.pop(self.PURGE_PENDING, False):
            sealing.purge_search_index(self.conn)

    def after_write(self, record, before):
        self.after_write_many([record])
        if before is None:
            return
        if record.get("sensitive") and not before.get("sensitive"):
            # conflicts kept while it was an ordinary case hold its texts in the clear
            sealing.seal_conflicts_of_cases(self.conn, [record["id"]])
        now_sealed = [f for f in sensitive.SEALED_FIELDS[self.table]
                      if isinstance(before.get(f), str) and before.get(f)
                      and not sensitive.is_sealed(before.get(f))
                      and sensitive.is_sealed(record.get(f))]
        for field in now_sealed:
            # copies of the plain value in this database's change log (a received
            # creation keeps its values there) take the sealed one
            sealing.scrub_change_log(self.conn, self.table, record["id"], field, record[field])
        if now_sealed:
            self.session.cache[self.PURGE_PENDING] = True

    def after_remote_batch(self, inserted, updated, changes, results):
        # ``sensitive`` as the sending database worked it out may predate a birth date
        # this database already holds
        sealing.recheck_sensitivity(
            self.session, [r["id"] for r in inserted] + [after["id"] for _b, after, _w in updated])
        self.purge_search_if_needed()

    def after_write_many(self, records):
        # received in the clear from a database without the key: sealed before the
        # caller key and the search index see them
        sealing.seal_received_cases(self.session, records)
        self.conn.executemany("UPDATE hotline_case SET caller_key=? WHERE id=?", [
            (None if sensitive.is_sealed(r.get("caller_name"))
             else names.full_name_key(r.get("caller_name")) or None, r["id"]) for r in records])
        cases_search.refresh(self.conn, [r["id"] for r in records])
        cases_search.flush_stale(self.conn)
        # a case that is (or became) sensitive: its timeline, follow-ups and referrals
        # written in the clear are sealed where they lie (received ones too)
        sensitive_ids = [r["id"] for r in records if r.get("sensitive")]
        if sensitive_ids and not self.sealing_in_bulk \
                and sensitive.public_key(self.conn) is not None:
            sealing.seal_case_texts(self.session, sensitive_ids)


class CaseTextRepository(SealsWithItsId):
    """A table of texts about a case (``case_id``): the fields of
    ``sensitive.SEALED_FIELDS`` are sealed at write when the case is sensitive; plain ones
    that arrive by sync for a sensitive case are sealed in place on arrival."""


    def _case_is_sensitive(self, case_id) -> bool:
        row = self.conn.execute("SELECT sensitive FROM hotline_case WHERE id=?",
                                (case_id,)).fetchone()
        return bool(row and row[0])

    def seal(self, values: dict, existing: dict | None) -> dict:
        record_id = existing["id"] if existing is not None else self._sealing_id
        if record_id and self._case_is_sensitive(values.get("case_id")):
            return sensitive.seal_fields(self.conn, self.table, record_id, values)
        return values

    def validate(self, values, existing):
        return self.seal(super().validate(values, existing), existing)

    def update(self, record_id, changes):
        # a result or answer sealed for a user who cannot open it is kept: completing a
        # follow-up again or answering a referral anew must not blank what they never read
        before = self.get(record_id)
        if before is not None:
            changes = sensitive.keep_sealed(self.session, self.table, before, changes)
        return super().update(record_id, changes)

    def after_write(self, record, before):
        self.after_write_many([record])

    def after_write_many(self, records):
        fields = sensitive.SEALED_FIELDS[self.table]
        plain = [r["case_id"] for r in records if any(
            isinstance(r.get(f), str) and r.get(f) and not sensitive.is_sealed(r.get(f))
            for f in fields)]
        if plain and sensitive.public_key(self.conn) is not None:
            sealing.seal_case_texts(self.session, list(dict.fromkeys(plain)))


class CaseEventRepository(CaseTextRepository):
    table = "case_event"
    fields = ("case_id", "event_on", "kind", "from_status", "to_status", "text")
    append_only = True


class FollowUpRepository(CaseTextRepository):
    table = "case_followup"
    fields = ("case_id", "due_on", "action", "assigned_to", "done_on", "result")

    def validate(self, values, existing):
        opened = self.conn.execute("SELECT opened_on FROM hotline_case WHERE id=?",
                                   (values.get("case_id"),)).fetchone()
        cleaned, errors = dom.validate_followup(values, opened[0] if opened else None)
        if errors:
            raise ValidationError(errors)
        return self.seal(cleaned, existing)


# The referral target "another office of our network": ``target_office_id`` names the
# office, which then receives the case, its person and its history (cases.scope).
NETWORK_OFFICE = "network_office"


class ReferralRepository(CaseTextRepository):
    table = "case_referral"
    fields = ("case_id", "target", "target_detail", "referred_on", "status", "answer",
              "answered_on", "consent_override", "override_reason", "target_office_id")
    defaults = {"status": "sent", "consent_override": 0}

    def validate(self, values, existing):
        case = self.conn.execute("SELECT opened_on, office_id FROM hotline_case WHERE id=?",
                                 (values.get("case_id"),)).fetchone()
        cleaned, errors = dom.validate_referral(values, case[0] if case else None,
                                                reference_codes(self.conn, "referral_target"))
        if cleaned.get("target") == NETWORK_OFFICE:
            office = cleaned.get("target_office_id") or None
            if not office or not self.conn.execute(
                    "SELECT 1 FROM office WHERE id=? AND deleted=0", (office,)).fetchone():
                errors["target_office_id"] = _("Choose the office the case is referred to.")
            elif case and office == case[1]:
                errors["target_office_id"] = _("The case is already at this office; choose "
                                               "another office.")
            cleaned["target_office_id"] = office
        else:
            cleaned["target_office_id"] = None
        if errors:
            raise ValidationError(errors)
        return self.seal(cleaned, existing)


Repository.register_sync_scope(ReferralScope())


def day_text(on) -> str:
    if on is None:
        return date.today().isoformat()
    return on.isoformat() if isinstance(on, date) else str(on)

