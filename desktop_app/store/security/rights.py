"""A person's rights over their data: get everything we hold about them, or erase it.

Export collects the person (with every record merged into it) and every row of every
table that has a ``person_id`` column (episodes, consents, cases, trainings, loans ...).

Erasure blanks the personal fields through the repositories (so the change syncs like
any edit), keeps what reports count (sex, birth year, country/region/district, flags),
writes a ``person_erasure`` marker that syncs to every office, and scrubs the old values
from this database's change log so that a later sync bundle cannot carry them again.
Which fields are blanked is plain data in ``domain.erasure``; modules whose tables hold
free text about a person register those fields with ``domain.erasure.register_erasable``.
Sync keeps erased people erased (``store.sync_state.erasure``).
"""
from __future__ import annotations

import json
from datetime import date

from desktop_app.domain.erasure import (
    ERASED_NAME,
    ERASED_NAMES,
    PERSON_ERASED,
    person_record_fields,
)
from desktop_app.domain.security import CASE_TABLE
from desktop_app.i18n import Domain, format_date
from desktop_app.store.audit import utc_now
from desktop_app.store.clocks import dumps
from desktop_app.store.db import dict_rows
from desktop_app.store.people.identity import identity_ids
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import NotFound, Repository
from desktop_app.store.security import sensitive
from desktop_app.store.security.consent import ConsentRepository  # noqa: F401 (erased too)
from desktop_app.store.security.policy import grant_reason
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session
from desktop_app.store.sync_state import erasure as sync_erasure

DOMAIN = Domain("security")
_ = DOMAIN.gettext

# 2: the fields sealed for the exporter are listed in "sealed_not_readable"
EXPORT_VERSION = 2
SKIP_TABLES = ("change_log", "audit_log", "person_erasure", "person_search")


def _tables_with_person_id(conn) -> list[str]:
    found = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                "ORDER BY name"):
        if name in SKIP_TABLES or name.startswith("sqlite_"):
            continue
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
        if "person_id" in cols:
            found.append(name)
    return found


def _rows(conn, sql: str, params) -> list[dict]:
    return dict_rows(conn.execute(sql, params))


def person_data(session: Session, person_id: str, reason: str | None = None) -> dict:
    """Everything held about a person, as plain JSON-ready data (checks the permission).

    The person's hotline cases pass the same gate as opening them: a sensitive case the
    user is not assigned to needs ``reason`` (logged as ``view_sensitive`` per case);
    without one :class:`ReasonRequired` is raised and nothing is exported."""
    conn = session.conn
    person = _rows(conn, "SELECT * FROM person WHERE id=?", (person_id,))
    if not person:
        raise NotFound(_("The record was not found; it may have been deleted."))
    session.require("export_person", "person", person[0])
    ids = identity_ids(conn, person_id)
    marks = ",".join("?" * len(ids))
    hidden = {"name_key", "phone_key", "document_key", "hlc"}
    records: dict[str, list[dict]] = {}
    sealed: list[dict] = []
    data = {
        "format": "hamroh-person-export",
        "version": EXPORT_VERSION,
        "exported_at": utc_now(),
        "exported_by": session.actor.username,
        "person_id": person_id,
        "people": [{k: v for k, v in r.items() if k not in hidden}
                   for r in _rows(conn, f"SELECT * FROM person WHERE id IN ({marks})", ids)],
        "records": records,
        # the fields sealed for the sensitive-case key that the exporting user cannot
        # open: {"table", "record_id", "fields"}; those fields are null in "records"
        "sealed_not_readable": sealed,
        "erasures": _rows(conn, f"SELECT person_id, erased_on, reason, fields FROM "
                                f"person_erasure WHERE person_id IN ({marks}) AND deleted=0",
                          ids),
    }
    for table in _tables_with_person_id(conn):
        rows = _rows(conn, f"SELECT * FROM {table} WHERE person_id IN ({marks}) AND "
                           f"coalesce(deleted, 0)=0", ids) \
            if "deleted" in [r[1] for r in conn.execute(f"PRAGMA table_info({table})")] \
            else _rows(conn, f"SELECT * FROM {table} WHERE person_id IN ({marks})", ids)
        if table == CASE_TABLE:
            _open_cases(session, rows, reason)
            # sealed fields as the exporting user may read them (None: not theirs to read)
            rows = [_readable(session, table, r, sealed) for r in rows]
        if rows:
            records[table] = [{k: v for k, v in r.items() if k != "hlc"} for r in rows]
    return data


def _readable(session: Session, table: str, row: dict, sealed: list[dict]) -> dict:
    """``row`` with its sealed fields opened for the user; those they cannot open are
    null, and listed in ``sealed``."""
    shown = sensitive.reveal_record(session, table, row) or row
    hidden = shown.pop(sensitive.UNREADABLE, [])
    if hidden:
        sealed.append({"table": table, "record_id": row["id"], "fields": list(hidden)})
    return shown


def sealed_fields_of(data: dict, table: str, record_id: str) -> list[str]:
    """The fields of one exported record that were sealed for its exporter."""
    for entry in data.get("sealed_not_readable") or ():
        if entry["table"] == table and entry["record_id"] == record_id:
            return list(entry["fields"])
    return []


def _open_cases(session: Session, cases: list[dict], reason: str | None) -> None:
    """Every case must be one the user may open (sensitive ones with a logged reason)."""
    said = " ".join((reason or "").split())
    for case in cases:
        if case["id"] in session.granted_reasons:
            continue
        try:
            session.require("view_detail", CASE_TABLE, case)
        except ReasonRequired as exc:
            if not said:
                raise ReasonRequired(
                    _("This person has a sensitive case that is not assigned to you. Give a "
                      "reason to export it; the reason is recorded in the audit log."),
                    CASE_TABLE, exc.record_id) from exc
            grant_reason(session, CASE_TABLE, case["id"], said)


def export_person(session: Session, person_id: str, fmt: str = "json",
                  reason: str | None = None) -> dict:
    """:func:`person_data` plus the audit entry of the export."""
    data = person_data(session, person_id, reason)
    counts = {t: len(r) for t, r in data["records"].items()}
    session.log("export_person", "person", person_id, detail={"format": fmt, "records": counts})
    return data


def write_json(data: dict, path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)


def is_erased(conn, person_id: str) -> bool:
    return conn.execute("SELECT 1 FROM person_erasure WHERE person_id=? AND deleted=0",
                        (person_id,)).fetchone() is not None


def erase_person(session: Session, person_id: str, reason: str) -> dict:
    """Blank a person's personal data everywhere in this database; returns the marker."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise PermissionDenied(_("Write the reason in a few words (at least 5 letters)."))
    people = PersonRepository(session)
    person = people.require(person_id)
    session.require("erase_person", "person", person)
    conn = session.conn
    ids = identity_ids(conn, person_id)
    erased_fields: dict[str, list[str]] = {}
    with session.transaction():
        for pid in ids:
            before = people.get(pid, include_deleted=True)
            if before is None:
                continue
            changes: dict = {f: None for f in PERSON_ERASED if before.get(f) not in (None, "")}
            changes.update(dict.fromkeys(ERASED_NAMES, ERASED_NAME))
            if before.get("birth_date"):
                changes["birth_date"] = before["birth_date"][:4] + "-01-01"
                changes["birth_date_estimated"] = 1
            if before.get("deleted"):
                # a deleted record keeps its tombstone; its values still get blanked
                people._write_local(pid, before, {**changes, "updated_at": utc_now(),
                                                  "updated_by": session.actor.user_id},
                                    "erase")
            else:
                people.update(pid, changes)
            erased_fields.setdefault("person", sorted(set(erased_fields.get("person", []))
                                                      | set(changes)))
            _scrub_change_log(conn, "person", pid, list(changes))
        marks = ",".join("?" * len(ids))
        for table in _tables_with_person_id(conn):
            if table == "person_erasure":
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            try:
                repo_cls = Repository.for_table(table)
            except KeyError:
                continue
            fields = person_record_fields(table, cols, repo_cls.fields)
            if not fields:
                continue
            repo = repo_cls(session)
            for (record_id,) in conn.execute(
                    f"SELECT id FROM {table} WHERE person_id IN ({marks})", ids).fetchall():
                row = repo.get(record_id, include_deleted=True)
                assert row is not None  # its id was just selected
                changes = {f: None for f in fields if row.get(f) not in (None, "")}
                if changes:
                    repo._write_local(record_id, row, {**changes, "updated_at": utc_now(),
                                                       "updated_by": session.actor.user_id},
                                      "erase")
                    _scrub_change_log(conn, table, record_id, list(changes))
                    erased_fields.setdefault(table, sorted(set(erased_fields.get(table, []))
                                                           | set(changes)))
        marker = ErasureRepository(session).create(dict(
            person_id=person_id, erased_on=date.today().isoformat(), reason=reason,
            fields=json.dumps(erased_fields, sort_keys=True)))
    return marker


def _scrub_change_log(conn, table: str, record_id: str, fields: list[str]) -> None:
    """Older change-log entries of the record lose the erased values (the newest entry,
    written by the erasure, carries the blank ones, so merges end the same)."""
    # creations hold no values (fields NULL): the row, blanked here, is their copy
    rows = conn.execute("SELECT seq, fields FROM change_log WHERE table_name=? AND record_id=?"
                        " AND fields IS NOT NULL ORDER BY seq", (table, record_id)).fetchall()
    for seq, text in rows[:-1]:
        values = json.loads(text)
        touched = False
        for name in fields:
            if name in values and values[name] not in (None, "", ERASED_NAME):
                values[name] = ERASED_NAME if name in ERASED_NAMES else None
                touched = True
        if touched:
            conn.execute("UPDATE change_entry SET fields=? WHERE seq=?", (dumps(values), seq))


class ErasureRepository(Repository):
    table = "person_erasure"
    fields = ("person_id", "erased_on", "reason", "fields")

    def after_remote_batch(self, inserted, updated, changes, results):
        # erasure markers that arrived: blank what they name here
        sync_erasure.markers_arrived(self.session, inserted, updated, changes, results)


def export_texts(data: dict) -> dict:
    """Translated headings and field names for the PDF of a person's data."""
    texts = {
        "document": _("Personal data export"),
        "title": _("Data held about {name}"),
        "intro": _("Exported on {date} by {user}. This document lists every record about the "
                   "person kept in this database.").format(date=format_date(data["exported_at"]),
                                                           user=data["exported_by"]),
        "erased": _("The personal data of this person was erased on {date}.").format(
            date=format_date(data["erasures"][0]["erased_on"])) if data.get("erasures") else "",
        "sealed": sensitive.sealed_placeholder(),
        "tables": {
            "person": _("Personal details"),
            "migration_episode": _("Migration episodes"),
            "consent": _("Consents"),
            "hotline_case": _("Hotline cases"),
        },
        "fields": {
            "id": _("Record number"),
            "family_name": _("Family name"),
            "given_name": _("Given name"),
            "patronymic": _("Patronymic"),
            "sex": _("Sex"),
            "birth_date": _("Date of birth"),
            "phones": _("Phones"),
            "document_number": _("Document number"),
            "country": _("Country"),
            "region": _("Region"),
            "district": _("District"),
            "jamoat": _("Jamoat"),
            "village": _("Village"),
            "notes": _("Notes"),
            "migration_status": _("Migration status"),
            "created_at": _("Recorded on"),
            "updated_at": _("Last changed on"),
            "person_id": _("Person"),
            "scope": _("Consent to"),
            "consent_date": _("Given on"),
            "expiry_date": _("Ends on"),
            "withdrawn_date": _("Withdrawn on"),
            "method": _("How given"),
            "taken_by": _("Recorded by"),
            "destination_country": _("Destination country"),
            "destination_city": _("Destination city"),
            "sector": _("Sector"),
            "employer_name": _("Employer"),
            "departure_date": _("Departure date"),
            "return_date": _("Return date"),
        },
    }
    return texts
