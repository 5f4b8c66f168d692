"""Export and import of bundles: version vectors, scope, history, conflicts, duplicates.

``export_bundle`` writes what a peer has not acknowledged (or everything with ``full``),
limited to an office's scope when the target is an office. ``import_bundle`` checks the
file completely before touching the database, then applies every change in one
transaction: all or nothing, idempotent, in any order. Every attempt, failed or not, is
appended to a log file beside the database (``<db>.sync.log``), so that a refused bundle
leaves the database byte-for-byte unchanged and is still on record.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from desktop_app.domain.actors import SYSTEM, Actor
from desktop_app.domain.loans import MINOR_UNITS
from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.access import default_actor
from desktop_app.store.audit import utc_now
from desktop_app.store.db import optimize, row_dict
from desktop_app.store.offices import is_office_code
from desktop_app.store.sequences import NUMBER_COLUMNS, number_owner
from desktop_app.store.session import Session, get_meta
from desktop_app.store.sync_state import changes as change_log
from desktop_app.store.sync_state.apply import RemoteChange, apply_remote_batch
from desktop_app.sync import audit_heads, import_undo, keys
from desktop_app.sync import bundle as fmt
from desktop_app.sync import conflicts as sync_conflicts
from desktop_app.sync.duplicates import queue_duplicates_of
from desktop_app.sync.scope import (
    entering_scope_condition,
    existing_tables,
    scope_condition,
    synced_tables,
)

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

Progress = Callable[[int, int], "bool | None"]
# changes applied together (one read per table, one executemany per kind of write);
# progress is reported, and cancel honoured, between batches
BATCH = 200
# change-log rows an export reads at a time (creations' values: one read per table)
EXPORT_CHUNK = 1000
# The importing connection's page cache: every page an import writes stays cached, so with
# the connection's own (up to 1 GiB) the process grew with the bundle (745 MB for the 0.1
# whole office into an empty coordinator). During an import it is at most a quarter of the
# database file as the import starts, and at least IMPORT_CACHE_KIB: the memory follows the
# register, not the bundle (230 MB for that office), and an import into a large register
# keeps the index pages it inserts into (into the 1M register a 128 MiB cache took 78 CPU s
# where 1 GiB took 63; docs/dev/performance.md).
IMPORT_CACHE_KIB = 131_072
IMPORT_CACHE_SHARE = 4
DUPLICATE_FIELDS = frozenset({"family_name", "given_name", "patronymic", "birth_date",
                              "phones", "document_number", "merged_into", "deleted"})


class ImportCancelled(Exception):
    pass


class SyncError(Exception):
    """A sync problem with a message fit to show (``code`` for programs and tests)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class ImportSummary:
    bundle_id: str
    sender_device: str | None  # as the bundle's header gives it
    sender_office: str | None
    changes: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    duplicates: int = 0
    already_imported: bool = False
    # changes whose origin device is revoked here: set aside, not applied (sync_quarantine)
    quarantined: int = 0
    # the sender's audit log does not continue the one received before (sync.audit_heads)
    audit_warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ExportResult:
    bundle_id: str
    path: Path
    changes: int
    counts: dict = field(default_factory=dict)
    target: str = "coordinator"


# ---- version vectors -------------------------------------------------------------
def version_vector(conn) -> dict[str, int]:
    return change_log.version_vector(conn)


def schema_names(conn) -> list[str]:
    return migrations.applied(conn)


def _peer_acked(conn, where: str, args: tuple) -> dict[str, int] | None:
    rows = conn.execute(f"SELECT acked FROM sync_peer WHERE {where}", args).fetchall()
    if not rows:
        return None
    vectors = [json.loads(r[0] or "{}") for r in rows]
    # what every one of these devices holds
    common = set(vectors[0])
    for vv in vectors[1:]:
        common &= set(vv)
    return {d: min(vv[d] for vv in vectors) for d in common}


def log_path_for(db_path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".sync.log")


def _log(log_path, entry: dict) -> None:
    if log_path is None:
        return
    entry = {"at": utc_now(), **entry}
    with open(log_path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


def log_event(conn, entry: dict) -> None:
    """Append one entry to the sync log beside the database (no personal data: file
    names, codes, counts and messages only)."""
    try:
        _log(default_log_path(conn), entry)
    except OSError:
        pass


def _db_file(conn) -> str | None:
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else None


def default_log_path(conn) -> Path | None:
    path = _db_file(conn)
    return log_path_for(path) if path else None


# ---- export ----------------------------------------------------------------------
def resolve_target(conn, target: str | None) -> tuple[str, str | None]:
    """('coordinator', None) or (office code, office id) for ``--for``."""
    if not target or target.lower() == "coordinator":
        return "coordinator", None
    row = conn.execute("SELECT id, code FROM office WHERE code=? AND deleted=0",
                       (target.upper(),)).fetchone()
    if row is not None and not is_office_code(row[1]):
        row = None
    if row is None:
        raise SyncError("unknown_office", _(
            "There is no office with the code {code} in this database. Import a bundle from "
            "that office first, or check the code.").format(code=target))
    return row[1], row[0]


def _export_keys(conn, to_device: str | None, org_key: bytes | None
                 ) -> tuple[fmt.Recipient | None, bytes | None]:
    """The one device the bundle is for, or else the organisation key it is sealed with."""
    if to_device:
        try:
            return fmt.Recipient(*keys.recipient_key(conn, to_device)), org_key
        except keys.SyncSetupError as exc:
            raise SyncError("unknown_recipient", str(exc)) from None
    org_key = org_key or keys.org_key(conn)
    if org_key is None:
        raise SyncError("no_passphrase", no_passphrase_message())
    return None, org_key


def _acked_by_target(conn, peer_device: str | None,
                     office_id: str | None) -> dict[str, int] | None:
    if peer_device:
        return _peer_acked(conn, "device_id=?", (peer_device,))
    if office_id is None:
        return _peer_acked(conn, "office_type='coordinator'", ())
    return _peer_acked(conn, "office_id=?", (office_id,))


def _export_query(tables: dict, office_id: str | None) -> tuple[str, dict]:
    """The change-log query of an export: what the target has not acknowledged, limited to
    an office's scope when the target is an office."""
    sql = ("SELECT c.origin_device, c.origin_seq, c.table_name, c.record_id, c.hlc, c.fields,"
           " c.author, c.office_id, c.base FROM change_log c"
           " LEFT JOIN temp.sync_export_acked a ON a.device = c.origin_device"
           " WHERE c.origin_seq > coalesce(a.seq, 0)")
    params: dict = {}
    if office_id is not None:
        conditions = [f"(c.table_name = '{t}' AND {scope_condition(cls)})"
                      for t, cls in tables.items()]
        sql += " AND (" + " OR ".join(conditions or ["0"]) + ")"
        # cases referred to the office since its last acknowledgement bring their history
        sql += " OR " + entering_scope_condition(tables)
        params["office"] = office_id
    sql += " ORDER BY c.seq"
    return sql, params


def _mark_sent(conn, now: str, peer_device: str | None, office_id: str | None) -> None:
    if peer_device:
        conn.execute("UPDATE sync_peer SET last_out_at=? WHERE device_id=?",
                     (now, peer_device))
    elif office_id is None:
        conn.execute("UPDATE sync_peer SET last_out_at=? WHERE office_type='coordinator'",
                     (now,))
    else:
        conn.execute("UPDATE sync_peer SET last_out_at=? WHERE office_id=?",
                     (now, office_id))


def _addressee(conn, peer_device: str | None, office_id: str | None, label: str,
               to_device: str | None) -> dict:
    """Who the bundle is for, written in its signed header."""
    if to_device:
        fp = keys.normalise_fingerprint(to_device)
        row = conn.execute("SELECT device_id FROM sync_trust WHERE fingerprint=?",
                           (fp,)).fetchone()
        return {"kind": "device", "fingerprint": fp,
                "device_id": peer_device or (row[0] if row else None)}
    if peer_device:
        return {"kind": "device", "device_id": peer_device}
    if office_id is None:
        return {"kind": "coordinator"}
    return {"kind": "office", "office_id": office_id, "office_code": label}


def export_bundle(conn, path, *, target: str | None = "coordinator", full: bool = False,
                  peer_device: str | None = None, org_key: bytes | None = None,
                  actor: Actor = SYSTEM, log_path=None, skip_empty: bool = False,
                  progress: Progress | None = None,
                  to_device: str | None = None) -> ExportResult:
    """Write a bundle for the coordinator, an office (by code) or one peer device.

    ``to_device`` (a trusted device's fingerprint) encrypts the bundle for that device
    alone, with its X25519 key: no passphrase is needed to make or to open it."""
    if import_undo.running(conn) is not None:
        # it would relay records the import may still take back
        raise SyncError("import_running", _(
            "A bundle is being imported on this computer (or an interrupted import is being "
            "undone). Make the bundle when the import has finished."))
    recipient, org_key = _export_keys(conn, to_device, org_key)
    log_path = log_path if log_path is not None else default_log_path(conn)
    label, office_id = resolve_target(conn, target)
    if peer_device:
        label = peer_device
    acked = _acked_by_target(conn, peer_device, office_id)
    if full or acked is None:
        acked = {}
    identity = keys.load_identity(conn)
    sql, params = _export_query(synced_tables(conn), office_id)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_export_acked("
                 "device TEXT PRIMARY KEY, seq INTEGER)")
    conn.execute("DELETE FROM temp.sync_export_acked")
    conn.executemany("INSERT INTO temp.sync_export_acked VALUES (?, ?)", list(acked.items()))
    vv = version_vector(conn)
    total = conn.execute("SELECT count(*) FROM change_entry").fetchone()[0]
    addressee = _addressee(conn, peer_device, office_id, label, to_device)
    audit = audit_heads.outgoing(conn)
    writer = fmt.BundleWriter(path, identity, org_key, schema=schema_names(conn), manifest={
        "version_vector": vv, "target": label, "full": bool(full),
        "acknowledged": acked, "fields_last": True, "audit": audit}, recipient=recipient,
        addressee=addressee, device_code=get_meta(conn, "device_code"),
        revoked=keys.revocation_list(conn) if is_coordinator(conn) else None)
    try:
        done = 0
        text = json.dumps
        author_text = json.JSONEncoder(ensure_ascii=False).encode
        tables = synced_tables(conn)
        cursor = conn.execute(sql, params)
        while rows := cursor.fetchmany(EXPORT_CHUNK):
            # a creation's values are the row's (store.sync_state.changes)
            for row in change_log.with_values(conn, tables, rows):
                fields = row[5]
                # the stored JSON of fields and base clocks goes out as it is (no
                # re-parsing); fields come last so that the importer can log them as
                # they are too
                line = (f'{{"a":{author_text(row[6])},"b":{row[8] or "null"},'
                        f'"d":{text(row[0])},"h":{text(row[4])},'
                        f'"o":{text(row[7])},"r":{text(row[3])},"s":{int(row[1])},'
                        f'"t":{text(row[2])},"f":{fields}}}\n')
                writer.add_line(row[2], line.encode("utf-8"), row[0])
                done += 1
                if progress is not None and done % 1000 == 0:
                    if progress(done, total) is False:
                        raise ImportCancelled()
        if skip_empty and writer.changes == 0:
            writer.abort()
            return ExportResult("", Path(path), 0, {}, label)
        manifest = writer.finish()
    except BaseException:
        writer.abort()
        raise
    now = utc_now()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO sync_bundle_log(bundle_id, direction, at, peer_office, target,"
            " file_name, changes, result, actor) VALUES (?, 'out', ?, ?, ?, ?, ?, 'ok', ?)",
            (manifest["bundle_id"], now, office_id, label, Path(path).name, writer.changes,
             actor.user_id))
        _mark_sent(conn, now, peer_device, office_id)
        audit_heads.remember_sent(conn, audit)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _log(log_path, {"direction": "out", "file": str(path), "bundle_id": manifest["bundle_id"],
                    "target": label, "changes": writer.changes, "result": "ok"})
    return ExportResult(manifest["bundle_id"], Path(path), writer.changes, writer.counts, label)


def no_passphrase_message() -> str:
    return _("No sync passphrase is set on this computer. Enter the organisation's sync "
             "passphrase on the Sync page (or give it with --passphrase-file).")


# ---- import ----------------------------------------------------------------------
def check_bundle(conn, path, org_key: bytes | None = None) -> fmt.Header:
    """Every check that needs no decryption of the payload; raises BundleError."""
    header = fmt.read_header(path)
    name = Path(path).name
    status = keys.trust_status(conn, header.public_key)
    sender = header.sender
    who = dict(name=name, device=sender.get("name") or sender.get("device_id"),
               office=sender.get("office_code") or "?", fingerprint=header.fingerprint)
    if status == "revoked":
        raise fmt.BundleError("revoked_device", _(
            "The bundle {name} comes from the device \"{device}\" of office {office} "
            "(fingerprint {fingerprint}), which was revoked on this computer. It was not "
            "imported.").format(**who), **who)
    if status != "trusted":
        raise fmt.BundleError("unknown_device", _(
            "The bundle {name} comes from the device \"{device}\" of office {office} "
            "(fingerprint {fingerprint}), which this computer does not trust yet. Compare the "
            "fingerprint with that device, trust it on the Sync page (or with hamroh device "
            "trust), then import again.").format(**who), **who)
    try:
        keys.check_sender(conn, sender.get("device_id"), sender.get("office_code"),
                          keys.sender_device_code(sender), who["device"])
    except keys.SyncSetupError as exc:
        raise fmt.BundleError("bad_sender", _("The bundle {name} was refused. {reason}").format(
            name=name, reason=exc), **who) from None
    check_addressee(conn, header, name)
    newer = set(header.schema) - set(schema_names(conn))
    if newer:
        raise fmt.BundleError("newer_schema", _(
            "The bundle {name} comes from a newer version of Hamroh (its database has changes "
            "this version does not know). Update Hamroh on this computer, then import it "
            "again.").format(name=name))
    return header


def addressed_here(conn, header: fmt.Header) -> bool:
    """Is the bundle (by its signed addressee) for this computer?"""
    to = header.addressee
    if to is None:
        return False
    if to["kind"] == "device":
        own = keys.load_identity(conn, create=False)
        if to.get("fingerprint"):
            return own is not None and \
                keys.normalise_fingerprint(str(to["fingerprint"])) == own.fingerprint
        return to.get("device_id") == get_meta(conn, "device_id")
    if to["kind"] == "office":
        return to.get("office_id") == get_meta(conn, "office_id")
    return is_coordinator(conn)


def check_addressee(conn, header: fmt.Header, name: str) -> None:
    """Refuse a bundle that is not addressed to this computer (before any decryption)."""
    if addressed_here(conn, header):
        return
    to = header.addressee
    own = get_meta(conn, "office_code") or "?"
    if to is None:
        message = _("The bundle {name} does not say which office it is for (it was made by an "
                    "older version of Hamroh). Nothing was imported: update Hamroh on the "
                    "sending computer and ask for a new bundle.").format(name=name)
    elif to["kind"] == "coordinator":
        message = _("The bundle {name} is for the coordinator, not for this office ({own}). "
                    "Nothing was imported; leave the file for the coordinator.").format(
                        name=name, own=own)
    elif to["kind"] == "office":
        addressee = str(to.get("office_code") or "?")
        message = _("The bundle {name} is for office {office}, not for this office ({own}). "
                    "Nothing was imported; leave the file for office {office}.").format(
                        name=name, office=addressee if is_office_code(addressee) else "?",
                        own=own)
    elif to.get("fingerprint"):
        own_identity = keys.load_identity(conn, create=False)
        recipient = str(to["fingerprint"])
        raise fmt.BundleError("other_device", _(
            "The bundle {name} is addressed to another device (fingerprint {recipient}): "
            "only that device can open it. Nothing was imported. Ask the sender for a "
            "bundle for this device (fingerprint {own}) or for one made with the "
            "organisation's passphrase.").format(
                name=name, recipient=recipient,
                own=own_identity.fingerprint if own_identity is not None else "-"),
            recipient=recipient)
    else:
        message = _("The bundle {name} is for another device, not for this computer. Nothing "
                    "was imported; leave the file for the device it is meant for.").format(
                        name=name)
    raise fmt.BundleError("not_addressed_here", message, addressee=to)


def already_imported(conn, bundle_id: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_bundle_log WHERE bundle_id=? AND direction='in' "
                        "AND result='ok'", (bundle_id,)).fetchone() is not None


def import_bundle(conn, path, *, actor: Actor | None = None, org_key: bytes | None = None,
                  progress: Progress | None = None, log_path=None,
                  undo_progress: Progress | None = None) -> ImportSummary:
    """Import one bundle: all or nothing. Raises BundleError/SyncError/ImportCancelled.

    ``undo_progress(done, total)`` follows the undo of a big import that was cancelled or
    failed after some of its chunks were committed (its answer is not a cancel)."""
    log_path = log_path if log_path is not None else default_log_path(conn)
    entry = {"direction": "in", "file": str(path)}
    try:
        with dbmod.page_cache_for(conn, import_cache_kib(conn), grow=False):
            summary = _import(conn, path, actor, org_key, progress, undo_progress)
    except fmt.BundleError as exc:
        _log(log_path, {**entry, "result": exc.code, "message": str(exc)})
        raise
    except SyncError as exc:
        _log(log_path, {**entry, "result": exc.code, "message": str(exc)})
        raise
    except ImportCancelled:
        _log(log_path, {**entry, "result": "cancelled"})
        raise
    except Exception as exc:
        _log(log_path, {**entry, "result": "failed", "message": repr(exc)})
        raise SyncError("failed", _(
            "The bundle {name} could not be applied to this database ({error}). Nothing was "
            "imported.").format(name=Path(path).name, error=exc)) from exc
    optimize(conn)        # a bulk load: fresh planner statistics for the next one
    _log(log_path, {**entry, "result": "already_imported" if summary.already_imported else "ok",
                    **{k: v for k, v in summary.as_dict().items() if k != "already_imported"}})
    return summary


def import_cache_kib(conn) -> int:
    """The most page cache (KiB) an import into ``conn``'s database keeps (see
    IMPORT_CACHE_KIB)."""
    # int(): SQLCipher answers page_size on an encrypted database as text
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    return max(IMPORT_CACHE_KIB, pages * page_size // 1024 // IMPORT_CACHE_SHARE)


def _settle_interrupted_import(conn) -> None:
    """One import at a time: another one running refuses this one; one a crash cut off
    is undone first."""
    marker = import_undo.running(conn)
    if marker is not None and import_undo.is_alive(marker):
        raise SyncError("import_running", _(
            "Another bundle is being imported into this database. Import this one when it "
            "has finished."))
    import_undo.recover(conn)


def _import_keys(conn, header: fmt.Header, org_key: bytes | None
                 ) -> tuple[keys.DeviceIdentity | None, bytes | None]:
    """This device's identity for a bundle addressed to it, else the organisation key."""
    if header.recipient is not None:
        # addressed to one device: opened with this device's X25519 key, no passphrase
        return keys.load_identity(conn, create=False), org_key
    org_key = org_key or keys.org_key(conn)
    if org_key is None:
        raise SyncError("no_passphrase", no_passphrase_message())
    return None, org_key


# the records an import made and changed, kept in temporary tables (not Python sets: the
# memory of an import stays flat in the bundle's size)
_TALLY_TABLES = ("sync_import_new", "sync_import_updated")
# the people it made or changed in a way the duplicate check looks at
_PEOPLE_TABLE = "sync_import_people"


@dataclass
class _Tally:
    """What an import did, counted change by change; records the conflicts it finds and
    supersedes the open ones a change has seen. Call :meth:`end_batch` after each batch.

    Records created whole by one change (most of a big bundle) are only counted: their
    change-log entries (values NULL, logged after ``logged_before``) say that this import
    made them. The others it made are listed in a temporary table."""
    conn: Any
    bundle_id: str
    now: str
    has_open: bool
    conflicts: int = 0
    made_whole: int = 0
    logged_before: int = 0
    _made: list[tuple[str, str]] = field(default_factory=list)
    _changed: list[tuple[str, str, int]] = field(default_factory=list)
    _people: list[tuple[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in _TALLY_TABLES:
            self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name}(tbl TEXT NOT NULL,"
                              " record_id TEXT NOT NULL, PRIMARY KEY (tbl, record_id))"
                              " WITHOUT ROWID")
            self.conn.execute(f"DELETE FROM temp.{name}")
        self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_PEOPLE_TABLE}(id TEXT PRIMARY KEY)"
                          " WITHOUT ROWID")
        self.conn.execute(f"DELETE FROM temp.{_PEOPLE_TABLE}")
        self.logged_before = self.conn.execute(
            "SELECT coalesce(max(seq), 0) FROM change_entry").fetchone()[0]

    def end_batch(self) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO temp.sync_import_new VALUES (?, ?)",
                              self._made)
        # a record this import made is new, not updated, whatever changed it afterwards
        self.conn.executemany(
            "INSERT OR IGNORE INTO temp.sync_import_updated SELECT ?1, ?2 WHERE NOT EXISTS"
            " (SELECT 1 FROM temp.sync_import_new WHERE tbl = ?1 AND record_id = ?2)"
            " AND NOT EXISTS (SELECT 1 FROM change_entry e WHERE e.record_id = ?2"
            " AND e.seq > ?3 AND e.fields IS NULL"
            " AND e.tbl = (SELECT n FROM change_term WHERE term = ?1))",
            self._changed)
        self.conn.executemany(f"INSERT OR IGNORE INTO temp.{_PEOPLE_TABLE} VALUES (?)",
                              self._people)
        self._made.clear()
        self._changed.clear()
        self._people.clear()

    def counts(self) -> tuple[int, int]:
        """(records made, records updated) by the import."""
        new, updated = (self.conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]
                        for name in _TALLY_TABLES)
        return self.made_whole + new, updated

    def close(self) -> None:
        for name in (*_TALLY_TABLES, _PEOPLE_TABLE):
            self.conn.execute(f"DELETE FROM temp.{name}")

    def add(self, change: dict, result, summary: ImportSummary) -> None:
        table = change["t"]
        if result.created:
            if result.whole:
                self.made_whole += 1
            else:
                self._made.append((table, change["r"]))
            if table == "person":
                self._people.append((change["r"],))
        elif result.changed_fields:
            self._changed.append((table, change["r"], self.logged_before))
            if table == "person" and not DUPLICATE_FIELDS.isdisjoint(result.changed_fields):
                self._people.append((change["r"],))
        else:
            summary.unchanged += 1
        if result.lost:
            for lost in result.lost:
                self._record_conflict(table, change["r"], lost)
        if self.has_open and result.changed_fields and change.get("b"):
            self._supersede(table, change["r"], result.changed_fields, change["b"])

    def _record_conflict(self, table: str, record_id: str, lost) -> None:
        self.conflicts += self.conn.execute(
            "INSERT OR IGNORE INTO sync_conflict(table_name, record_id, field,"
            " winner_value, winner_hlc, winner_author, loser_value, loser_hlc,"
            " loser_author, found_at, bundle_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (table, record_id, lost.field, _json(lost.winner_value),
             lost.winner_hlc, lost.winner_author, _json(lost.loser_value),
             lost.loser_hlc, lost.loser_author, self.now, self.bundle_id)).rowcount
        self.has_open = True

    def _supersede(self, table: str, record_id: str, changed_fields, base: dict) -> None:
        for name in changed_fields:
            seen = base.get(name)
            if seen:
                self.conn.execute(
                    "UPDATE sync_conflict SET status='superseded', resolved_at=?"
                    " WHERE table_name=? AND record_id=? AND field=? AND "
                    "status='open' AND winner_hlc<=? AND loser_hlc<=?",
                    (self.now, table, record_id, name, seen, seen))


def _import(conn, path, actor, org_key, progress, undo_progress) -> ImportSummary:
    header = check_bundle(conn, path)
    sender = header.sender
    summary = ImportSummary(header.bundle_id, sender.get("device_id"), sender.get("office_id"))
    if already_imported(conn, header.bundle_id):
        summary.already_imported = True
        return summary
    _settle_interrupted_import(conn)
    identity, org_key = _import_keys(conn, header, org_key)
    if actor is None:
        actor = default_actor(conn)
    session = Session(conn, actor)
    with fmt.BundleReader(path, header, org_key, identity=identity) as reader:
        run = _ImportRun(session, header, Path(path).name, reader.manifest, summary, progress)
        # the total is known before anything is applied
        run.applied(0)
        if run.total > import_undo.CHUNK:
            chunked = import_undo.ChunkedImport(conn, header.bundle_id, Path(path).name)
            if chunked.possible:
                run.in_chunks(reader, chunked, undo_progress)
                return summary
        with session.transaction():
            # a first bundle from the coordinator brings its office record with it
            adopted = run.adopt()
            done = 0
            for batch in _batches(reader.changes(), BATCH):
                run.apply(batch)
                done += len(batch)
                run.applied(done)
            run.finish(adopted)
    return summary


class _ImportRun:
    """One bundle's changes applied: batch by batch, then the summary, the peer's
    acknowledgement, the bundle log entry and the audit row written at the end."""

    def __init__(self, session: Session, header: fmt.Header, file_name: str, manifest: dict,
                 summary: ImportSummary, progress: Progress | None):
        conn = self.conn = session.conn
        self.session = session
        self.header = header
        self.file_name = file_name
        self.manifest = manifest
        self.summary = summary
        self.progress = progress
        self.total = int(manifest.get("changes", 0))
        self.tables = synced_tables(conn)
        self.present = existing_tables(conn)
        self.repos: dict = {}
        self.now = utc_now()
        self.tally = _Tally(conn, header.bundle_id, self.now, conn.execute(
            "SELECT 1 FROM sync_conflict WHERE status='open' LIMIT 1").fetchone() is not None)
        self.guard = _Guard(conn, header.bundle_id, file_name, self.present, self.now,
                            header.sender.get("device_id"))
        self.revoked: set[str] = set()

    def adopt(self) -> int:
        """The coordinator's revocations, before any change is applied."""
        adopted = _adopt_revocations(self.conn, self.header, self.session,
                                     self.session.actor)
        self.revoked = keys.revoked_devices(self.conn)
        return adopted

    def apply(self, batch: list[dict]) -> None:
        batch = self.guard.check(batch, self.revoked)
        for table in {c["t"] for c in batch}:
            cls = self.tables.get(table)
            if cls is not None and table in self.present and table not in self.repos:
                self.repos[table] = cls(self.session)
        # a table of a module this installation does not have: the change is kept in the
        # change log (relayed onward) and nothing is applied
        changes = [RemoteChange(c["t"], c["r"], c["f"], c["h"], c["d"], int(c["s"]),
                                c.get("a"), c.get("b"), c.get("o"), None,
                                c.pop(fmt.RAW_FIELDS, None)) for c in batch]
        results = apply_remote_batch(self.session, changes, self.repos,
                                     fields_of_line=fmt.fields_text) if changes else []
        for change, result in zip(batch, results, strict=True):
            self.tally.add(change, result, self.summary)
        self.tally.end_batch()

    def applied(self, done: int) -> None:
        """Progress between batches; a cancel there stops the import."""
        if self.progress is not None and self.progress(done, self.total) is False:
            raise ImportCancelled()

    def finish(self, adopted: int) -> None:
        conn, header, summary, tally = self.conn, self.header, self.summary, self.tally
        sender = header.sender
        actor = self.session.actor
        summary.changes = int(self.manifest.get("changes", 0))
        summary.new, summary.updated = tally.counts()
        summary.conflicts = tally.conflicts
        if summary.conflicts:       # texts of sensitive cases sealed on arrival
            sync_conflicts.seal_sensitive_values(conn, header.bundle_id)
        summary.quarantined = self.guard.quarantined
        summary.duplicates = queue_duplicates_of(conn, _PEOPLE_TABLE, header.bundle_id)
        tally.close()
        _remember_peer(conn, header, self.manifest, self.now)
        keys.record_sender(conn, header.public_key, device_id=sender.get("device_id"),
                           office_id=sender.get("office_id"),
                           office_code=sender.get("office_code"), name=sender.get("name"),
                           exchange_key=header.exchange_key,
                           device_code=keys.sender_device_code(sender))
        conn.execute(
            "INSERT INTO sync_bundle_log(bundle_id, direction, at, peer_device, peer_office,"
            " file_name, changes, new_records, updated, unchanged, conflicts, duplicates,"
            " result, actor) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?)",
            (header.bundle_id, self.now, sender.get("device_id"), sender.get("office_id"),
             self.file_name, summary.changes, summary.new, summary.updated,
             summary.unchanged, summary.conflicts, summary.duplicates, actor.user_id))
        summary.audit_warnings = audit_heads.check_incoming(self.session, header,
                                                            self.manifest, actor.user_id)
        self.session.audit.record(actor.user_id, "sync_import", None, None, detail={
            "bundle_id": header.bundle_id, "from_device": sender.get("device_id"),
            "changes": summary.changes, "new": summary.new, "updated": summary.updated,
            "conflicts": summary.conflicts, "quarantined": summary.quarantined,
            "revocations_adopted": adopted,
            "origins": sorted(self.guard.origins)})
        self.applied(self.total)

    def in_chunks(self, reader, chunked: import_undo.ChunkedImport,
                  undo_progress: Progress | None) -> None:
        """A big bundle: merged and committed ``import_undo.CHUNK`` changes at a time,
        whole once the last short transaction commits, undone if anything stops it
        before."""
        session = self.session
        chunked.begin()
        try:
            batches = _batches(reader.changes(), BATCH)
            adopted, done, more = 0, 0, True
            while more:
                with session.transaction():
                    chunked.start_chunk()
                    if chunked.chunk == 1:
                        adopted = self.adopt()
                    in_chunk, more = 0, False
                    for batch in batches:
                        self.apply(batch)
                        in_chunk += len(batch)
                        done += len(batch)
                        self.applied(done)
                        if in_chunk >= import_undo.CHUNK:
                            more = True
                            break
                    chunked.end_chunk()
                chunked.committed()
            with session.transaction():
                self.finish(adopted)
                chunked.finish()
        except BaseException:
            session.audit.forget_head()
            chunked.undo(undo_progress)
            raise
        chunked.close()


def _adopt_revocations(conn, header: fmt.Header, session: Session, actor: Actor) -> int:
    """A coordinator's bundle carries the devices it revoked: they are revoked here too
    (one audit row each), before any of the bundle's changes is applied. Only from a
    sender whose office is a coordinator office in this database."""
    entries = header.revoked
    if not entries:
        return 0
    office = conn.execute("SELECT office_type FROM office WHERE id=?",
                          (header.sender.get("office_id"),)).fetchone()
    if office is None or office[0] != "coordinator":
        return 0
    by = str(header.sender.get("device_id") or "")
    adopted = keys.adopt_revocations(conn, entries, by)
    for fp in adopted:
        session.audit.record(actor.user_id, "sync_device_revoke", None, None, detail={
            "fingerprint": fp, "by_coordinator_device": by, "bundle_id": header.bundle_id})
    return len(adopted)


class _Guard:
    """Checks each batch of an import before it is applied: changes made on a device
    revoked here are set aside (``sync_quarantine``: not applied, not relayed), office
    records must have a valid code, and a people-facing number may not already belong
    to another record. A refusal raises BundleError inside the import transaction, so
    nothing is applied."""

    def __init__(self, conn, bundle_id: str, name: str, present: set[str], now: str,
                 sender_device: str | None):
        self.conn = conn
        self.bundle_id = bundle_id
        self.name = name
        self.present = present
        self.now = now
        self.sender_device = sender_device
        self.quarantined = 0
        self.origins: set[str] = set()
        self._numbers: dict[tuple[str, str, str], str] = {}
        # table -> column -> what its values must be (_column_kinds); {} for a table
        # this installation does not have
        self._kinds: dict[str, dict[str, Any]] = {}
        # table -> its columns that hold people-facing numbers
        self._numbered: dict[str, tuple[str, ...]] = {}

    def check(self, batch: list[dict], revoked: set[str]) -> list[dict]:
        kept = []
        origins = self.origins
        numbered = self._numbered
        for change in batch:
            key = _malformed(change)
            if key is not None:
                raise self._bad_value(str(change.get("t"))[:40], key, change.get(key))
            origin = change["d"]
            origins.add(origin)
            if origin in revoked and not self._logged(change):
                self._quarantine(change)
                continue
            fields = change["f"]
            table = change["t"]
            if table in self.present:
                self._check_values(table, fields)
            if fields:
                if table == "office" and "code" in fields \
                        and not is_office_code(fields["code"]):
                    raise fmt.BundleError("bad_office_code", _(
                        "The bundle {name} holds an office whose code is not valid (an office "
                        "code is 2 to 8 capital letters or digits). Nothing was imported; ask "
                        "the sender to correct the office's code.").format(name=self.name))
                columns = numbered.get(table)
                if columns is None:
                    columns = numbered[table] = tuple(
                        c for c in NUMBER_COLUMNS if c in self._kinds_of(table))
                if columns:
                    self._check_numbers(change, fields, table, columns)
            kept.append(change)
        return kept

    def _check_values(self, table: str, fields: dict) -> None:
        """Every value must be of the kind Hamroh writes in its column (text, a whole
        number, an ISO date, a known currency, a decimal rate): the forms' own checks do
        not run on received values, and junk stored here would stop the pages, reports and
        exports that read it."""
        kinds = self._kinds_of(table)
        for name, value in fields.items():
            if value is None:
                continue
            kind = kinds.get(name)
            if kind is _TEXT:
                if type(value) is str:
                    continue
            elif kind is _INTEGER:
                if type(value) is int and _INT_MIN <= value <= _INT_MAX or type(value) is bool:
                    continue
            elif kind is None:      # a column this installation does not have
                continue
            elif type(value) is str and (value == "" or kind(value)):
                continue
            raise self._bad_value(table, name, value)

    def _bad_value(self, table: str, name: str, value) -> fmt.BundleError:
        field_name = f"{table}.{name}" if name else table
        shown = json.dumps(value, ensure_ascii=False, default=str)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        return fmt.BundleError("bad_value", _(
            "The bundle {name} holds a value Hamroh never writes ({field}: {value}; it may be "
            "a damaged or malicious file). Nothing was imported; tell the sending office and "
            "the coordinator.").format(name=self.name, field=field_name, value=shown))

    def _logged(self, change: dict) -> bool:
        try:
            seq = int(change.get("s") or 0)
        except (TypeError, ValueError):
            return False
        return bool(change_log.held(self.conn, str(change.get("d")), [seq]))

    def _quarantine(self, change: dict) -> None:
        line = {k: v for k, v in change.items() if k != fmt.RAW_FIELDS}
        self.quarantined += self.conn.execute(
            "INSERT OR IGNORE INTO sync_quarantine(origin_device, origin_seq, table_name,"
            " record_id, line, bundle_id, sender_device, received_at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (str(change.get("d")), int(change.get("s") or 0), str(change.get("t")),
             str(change.get("r")), json.dumps(line, ensure_ascii=False, sort_keys=True),
             self.bundle_id, self.sender_device, self.now)).rowcount

    def _kinds_of(self, table: str) -> dict[str, Any]:
        """Column -> kind of ``table``'s columns, read once per table (a table's name from
        a bundle reaches SQL only when it is one of this database's tables)."""
        if table not in self._kinds:
            self._kinds[table] = (_column_kinds(self.conn, table) if table in self.present
                                  else {})
        return self._kinds[table]

    def _check_numbers(self, change: dict, fields: dict, table: str,
                       columns: tuple[str, ...]) -> None:
        record = str(change.get("r"))
        for column in columns:
            value = fields.get(column)
            if not isinstance(value, str) or not value:
                continue
            key = (table, column, value)
            other: str | None = self._numbers.setdefault(key, record)
            if other == record:
                other = number_owner(self.conn, table, column, value, record)
            if other is not None:
                raise fmt.BundleError("number_clash", _(
                    "The bundle {name} holds a record numbered {number}, a number another "
                    "record here already has: two devices number their records the same way. "
                    "Nothing was imported. Give one of the two devices a new code (hamroh "
                    "device new-code) and tell the coordinator.").format(
                        name=self.name, number=value))


# What a received value may be, by column (checked by _Guard._check_values): text, a whole
# number SQLite holds (a boolean is written as 0/1), or text of a stricter form.
_TEXT = "text"
_INTEGER = "integer"
_INT_MIN, _INT_MAX = -(2 ** 63), 2 ** 63 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# a hybrid clock "{ms:015d}.{counter:05d}.{device}" (domain.clock)
_CLOCK = re.compile(r"[0-9]{15}\.[0-9]{5}\.[^\s.][^\s]*")
# rates kept as decimal text, in percent
_DECIMAL_COLUMNS = frozenset({"annual_rate", "late_fee_percent"})
_DATE_COLUMNS = frozenset({"effective_from"})


def _is_date(value: str) -> bool:
    """An ISO calendar date (YYYY-MM-DD) that exists."""
    if _ISO_DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_rate(value: str) -> bool:
    try:
        rate = Decimal(value)
    except ArithmeticError:
        return False
    return rate.is_finite() and abs(rate) < 1_000_000


def _is_currency(value: str) -> bool:
    return value in MINOR_UNITS


def _column_kinds(conn, table: str) -> dict[str, Any]:
    """Column -> what its values must be: _TEXT, _INTEGER, or a test of the text."""
    kinds: dict[str, Any] = {}
    for row in conn.execute(f"PRAGMA table_info({table})"):
        name, declared = row[1], str(row[2]).upper()
        if declared == "INTEGER":
            kinds[name] = _INTEGER
        elif name.endswith(("_on", "_date")) or name in _DATE_COLUMNS:
            kinds[name] = _is_date
        elif name == "currency" or name.endswith("_currency"):
            kinds[name] = _is_currency
        elif name in _DECIMAL_COLUMNS:
            kinds[name] = _is_rate
        else:
            kinds[name] = _TEXT
    return kinds


def _malformed(change: dict) -> str | None:
    """The key of a change line that does not hold what an export writes there, if any."""
    seq, base = change.get("s"), change.get("b")
    text = str
    if (type(change.get("t")) is text and type(change.get("r")) is text and change["r"]
            and type(change.get("d")) is text and type(change.get("f")) is dict
            and type(seq) is int and 0 <= seq <= _INT_MAX
            and type(change.get("h")) is text and _CLOCK.fullmatch(change["h"]) is not None
            and (change.get("a") is None or type(change["a"]) is text)
            and (change.get("o") is None or type(change["o"]) is text)
            and (base is None or type(base) is dict
                 and all(type(v) is text for v in base.values()))):
        return None
    checks = (
        ("t", type(change.get("t")) is str),
        ("r", type(change.get("r")) is str and change["r"] != ""),
        ("d", type(change.get("d")) is str),
        ("h", type(change.get("h")) is str and _CLOCK.fullmatch(change["h"]) is not None),
        ("s", type(seq) is int and 0 <= seq <= _INT_MAX),
        ("f", type(change.get("f")) is dict),
        ("a", change.get("a") is None or type(change["a"]) is str),
        ("o", change.get("o") is None or type(change["o"]) is str),
    )
    return next((key for key, good in checks if not good), "b")


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _remember_peer(conn, header: fmt.Header, manifest: dict, now: str) -> None:
    sender = header.sender
    device = sender.get("device_id")
    if device == get_meta(conn, "device_id"):
        return
    row = conn.execute("SELECT acked FROM sync_peer WHERE device_id=?", (device,)).fetchone()
    acked = json.loads(row[0]) if row else {}
    for origin, seq in (manifest.get("version_vector") or {}).items():
        if int(seq) > acked.get(origin, 0):
            acked[origin] = int(seq)
    conn.execute(
        "INSERT INTO sync_peer(device_id, office_id, office_code, office_type, fingerprint,"
        " acked, last_in_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(device_id) DO UPDATE SET "
        "office_id=excluded.office_id, office_code=excluded.office_code,"
        " office_type=excluded.office_type, fingerprint=excluded.fingerprint,"
        " acked=excluded.acked, last_in_at=excluded.last_in_at",
        (device, sender.get("office_id"), sender.get("office_code"), sender.get("office_type"),
         header.fingerprint, json.dumps(acked, sort_keys=True), now))


# ---- quarantine: changes made on revoked devices ------------------------------------
def quarantined(conn) -> list[dict]:
    """Per origin device: how many changes wait for a decision, and when they came."""
    cur = conn.execute(
        "SELECT q.origin_device, t.office_code, t.name, count(*), min(q.received_at),"
        " max(q.received_at) FROM sync_quarantine q"
        " LEFT JOIN sync_trust t ON t.device_id = q.origin_device"
        " GROUP BY q.origin_device ORDER BY q.origin_device")
    cols = ("device_id", "office_code", "name", "changes", "first_at", "last_at")
    return [row_dict(cols, r) for r in cur]


def settle_quarantine(conn, device_id: str, *, release: bool, reason: str,
                      actor: Actor | None = None) -> int:
    """Apply (``release``) or drop the changes set aside from one device: an explicit,
    audited decision, all or nothing. Returns how many changes it concerned."""
    if not reason.strip():
        raise SyncError("reason_needed", _("Give a reason for this decision (--reason)."))
    actor = actor or default_actor(conn)
    session = Session(conn, actor)
    rows = conn.execute("SELECT line FROM sync_quarantine WHERE origin_device=?"
                        " ORDER BY origin_seq", (device_id,)).fetchall()
    if not rows:
        raise SyncError("nothing_quarantined", _(
            "No changes from the device {device} are set aside.").format(device=device_id))
    tables = synced_tables(conn)
    present = existing_tables(conn)
    repos: dict = {}
    with session.transaction():
        if release:
            guard = _Guard(conn, "quarantine", device_id, present, utc_now(), None)
            for batch in _batches((json.loads(r[0]) for r in rows), BATCH):
                batch = guard.check(batch, set())
                for table in {c["t"] for c in batch}:
                    cls = tables.get(table)
                    if cls is not None and table in present and table not in repos:
                        repos[table] = cls(session)
                apply_remote_batch(session, [
                    RemoteChange(c["t"], c["r"], c["f"], c["h"], c["d"], int(c["s"]),
                                 c.get("a"), c.get("b"), c.get("o"), None) for c in batch],
                    repos)
        conn.execute("DELETE FROM sync_quarantine WHERE origin_device=?", (device_id,))
        session.audit.record(actor.user_id, "sync_quarantine_release" if release
                             else "sync_quarantine_discard", None, None,
                             detail={"device": device_id, "changes": len(rows),
                                     "reason": reason.strip()})
    return len(rows)


# ---- history and peers (for the UI and CLI) --------------------------------------
def history(conn, limit: int = 200) -> list[dict]:
    cur = conn.execute(
        "SELECT l.at, l.direction, l.bundle_id, coalesce(p.office_code, o.code, l.target),"
        " l.file_name, l.changes, l.new_records, l.updated, l.unchanged, l.conflicts,"
        " l.duplicates, l.result FROM sync_bundle_log l"
        " LEFT JOIN sync_peer p ON p.device_id = l.peer_device"
        " LEFT JOIN office o ON o.id = l.peer_office"
        " ORDER BY l.seq DESC LIMIT ?", (limit,))
    cols = ("at", "direction", "bundle_id", "peer", "file_name", "changes", "new", "updated",
            "unchanged", "conflicts", "duplicates", "result")
    return [row_dict(cols, r) for r in cur]


def peers(conn) -> list[dict]:
    """Per peer device: office, when last in/out, and how many of our changes it lacks."""
    ours = version_vector(conn)
    out = []
    for device, office_code, office_type, fp, acked, last_in, last_out in conn.execute(
            "SELECT device_id, office_code, office_type, fingerprint, acked, last_in_at,"
            " last_out_at FROM sync_peer ORDER BY office_code, device_id"):
        acked = json.loads(acked or "{}")
        missing = sum(max(0, seq - acked.get(d, 0)) for d, seq in ours.items())
        out.append({"device_id": device, "office_code": office_code,
                    "office_type": office_type, "fingerprint": fp, "last_in_at": last_in,
                    "last_out_at": last_out, "not_acknowledged": missing})
    return out


def offices(conn) -> list[tuple[str, str, str]]:
    """(id, code, name) of the offices a coordinator can make bundles for."""
    own = get_meta(conn, "office_id")
    return [tuple(r) for r in conn.execute(
        "SELECT id, code, name FROM office WHERE deleted=0 AND id IS NOT ? "
        "AND office_type != 'coordinator' ORDER BY code", (own,))]


def is_coordinator(conn) -> bool:
    own = get_meta(conn, "office_id")
    row = conn.execute("SELECT office_type FROM office WHERE id=?", (own,)).fetchone()
    return bool(row and row[0] == "coordinator")


def default_bundle_name(conn, target: str) -> str:
    """``OWN-to-TARGET-stamp.hamroh``: a plain file name (codes that are not valid office
    codes never reach it)."""
    code = get_meta(conn, "office_code") or ""
    code = code if is_office_code(code) else "office"
    if target != "coordinator" and not is_office_code(target):
        raise SyncError("unknown_office", _(
            "There is no office with the code {code} in this database. Import a bundle from "
            "that office first, or check the code.").format(code=target))
    stamp = utc_now().replace(":", "").replace("-", "")[:15]
    return f"{code}-to-{target}-{stamp}{fmt.SUFFIX}"


def remove_quietly(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
