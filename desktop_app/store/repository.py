"""The one write path for synced records.

Every create, update and delete writes the row, one ``change_log`` row (what sync
exports) and one ``audit_log`` row, inside the session's transaction. Each row keeps a
per-field hybrid-logical-clock map in its ``hlc`` column so that sync can merge field by
field (last writer wins, deterministic tie-break by device id); it is stored compactly
(one row stamp plus the fields whose clock differs, see ``encode_clocks``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Iterable

from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.audit import utc_now
from desktop_app.store.session import Session

DOMAIN = Domain("core")
_ = DOMAIN.gettext

STANDARD_FIELDS = ("office_id", "created_at", "created_by", "updated_at", "updated_by", "deleted")
# Bookkeeping stamps merge like any field but are never reported as conflicts.
NO_CONFLICT_FIELDS = frozenset(("created_at", "created_by", "updated_at", "updated_by"))


class ValidationError(Exception):
    """Field-level problems: ``errors`` maps field name -> translated message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotFound(Exception):
    pass


class AppendOnlyError(Exception):
    pass


@dataclass
class FieldConflict:
    """Two concurrent writes to the same field: neither writer had seen the other's value."""
    field: str
    winner_value: Any
    winner_hlc: str
    winner_author: str | None
    loser_value: Any
    loser_hlc: str
    loser_author: str | None


@dataclass
class RemoteResult:
    """What applying one remote change did to the local row."""
    created: bool = False
    # the change was already in the change log (received before): nothing was done
    duplicate: bool = False
    changed_fields: list[str] = field(default_factory=list)
    # same-field conflicts (the losing value is kept here, never dropped silently)
    lost: list[FieldConflict] = field(default_factory=list)


@dataclass
class RemoteChange:
    """One received change (a line of a bundle)."""
    table: str
    record_id: str
    fields: dict
    stamp: str
    origin_device: str
    origin_seq: int
    author: str | None = None
    base: dict | None = None
    office_id: str | None = None
    # ``fields`` as JSON text when the bundle brought it so (logged as it is); None
    # after a guard changed the fields
    fields_text: str | None = None


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_STAMP_MARK = "\x00stamp\x00"
_STAMP_JSON = _dumps(_STAMP_MARK)
_PLAIN_STAMP = re.compile(r"[0-9A-Za-z.\-]+\Z")


ROW_STAMP = "*"


def encode_clocks(clocks: dict, all_fields) -> str:
    """The ``hlc`` column text of a per-field clock map, compact: ``{"*": row stamp}``
    plus only the fields whose clock differs (null: the field has no clock).

    The row stamp is the clock most fields share (ties: the later clock), so the text
    is the same on every replica holding the same clocks. Keys that are not fields of
    the table are kept as they are.
    """
    if not clocks:
        return "{}"
    if len(clocks) == len(all_fields):
        # the usual new record: one clock for every field (checked with set operations)
        stamps = set(clocks.values())
        if len(stamps) == 1:
            (star,) = stamps
            if (isinstance(star, str) and _PLAIN_STAMP.match(star)
                    and clocks.keys() == set(all_fields)):
                return f'{{"*":"{star}"}}'
    counts: dict[str, int] = {}
    for name in all_fields:
        stamp = clocks.get(name)
        if stamp is not None:
            counts[stamp] = counts.get(stamp, 0) + 1
    if not counts:
        return _dumps(clocks)
    star = max(counts, key=lambda stamp: (counts[stamp], stamp))
    out: dict = {ROW_STAMP: star}
    for name in all_fields:
        stamp = clocks.get(name)
        if stamp != star:
            out[name] = stamp
    names = set(all_fields)
    out.update((k, v) for k, v in clocks.items() if k not in names)
    return _dumps(out)


def decode_clocks(text: str | None, all_fields) -> dict:
    """The full per-field clock map of an ``hlc`` column (compact or the older full map)."""
    clocks = json.loads(text or "{}")
    star = clocks.pop(ROW_STAMP, None)
    if star is None:
        return clocks
    full = dict.fromkeys(all_fields, star)
    for name, stamp in clocks.items():
        if stamp is None:
            full.pop(name, None)
        else:
            full[name] = stamp
    return full


class Repository:
    """Subclass per aggregate: set ``table`` and ``fields`` (data columns that sync)."""

    table: str = ""
    fields: tuple[str, ...] = ()
    append_only: bool = False
    audit_action_prefix: str = ""
    # values for fields a create leaves out (columns that are NOT NULL with a default)
    defaults: dict = {}
    # a pure domain check: values -> (cleaned values, errors by field); see validate()
    validator = None
    # Which offices a coordinator sends this table's records to (sync.scope):
    # None / "office": records whose office_id is the office; "shared": every office.
    # A class may instead define ``sync_scope_sql(cls, office_param) -> str``, an SQL
    # condition over the change row ``c`` (c.record_id, c.office_id), e.g. to add
    # records referred to the office.
    sync_scope: str | None = None

    _registry: dict[str, type["Repository"]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.table:
            Repository._registry[cls.table] = cls

    @classmethod
    def for_table(cls, table: str) -> type["Repository"]:
        return Repository._registry[table]

    @classmethod
    def synced_tables(cls) -> dict[str, type["Repository"]]:
        return dict(Repository._registry)

    def __init__(self, session: Session):
        self.session = session
        self.conn = session.conn

    # ---- reading -------------------------------------------------------------------
    @property
    def all_fields(self) -> tuple[str, ...]:
        return STANDARD_FIELDS + tuple(self.fields)

    def clocks_of(self, record: dict | None) -> dict:
        """Field -> clock of the last write to it, for a row of this table."""
        return decode_clocks(record.get("hlc") if record else None, self.all_fields)

    def encode_clocks(self, clocks: dict) -> str:
        return encode_clocks(clocks, self.all_fields)

    def get(self, record_id: str, *, include_deleted: bool = False) -> dict | None:
        cur = self.conn.execute(f"SELECT * FROM {self.table} WHERE id=?", (record_id,))
        row = cur.fetchone()
        if row is None:
            return None
        record = dict(zip([d[0] for d in cur.description], row))
        if record.get("deleted") and not include_deleted:
            return None
        return record

    def require(self, record_id: str) -> dict:
        record = self.get(record_id)
        if record is None:
            raise NotFound(_("The record was not found; it may have been deleted."))
        return record

    # ---- hooks ---------------------------------------------------------------------
    def validate(self, values: dict, existing: dict | None) -> dict:
        """Return cleaned values or raise ValidationError.

        Uses ``validator`` when the aggregate names one; override for checks that need the
        database or the record as it was.
        """
        if self.validator is None:
            return values
        cleaned, errors = type(self).validator(values)
        if errors:
            raise ValidationError(errors)
        return cleaned

    def after_write(self, record: dict, before: dict | None) -> None:
        """Maintain derived data (search keys ...) after any write, local or remote."""

    def audit_view(self, record: dict | None) -> dict | None:
        """What of a record goes into the audit log (override to leave bulky fields out)."""
        if record is None:
            return None
        return {k: record.get(k) for k in self.fields if k in record} | {
            "deleted": record.get("deleted", 0)}

    # ---- writing -------------------------------------------------------------------
    def create(self, values: dict, *, record_id: str | None = None) -> dict:
        session = self.session
        session.require("create", self.table, values)
        unknown = set(values) - set(self.fields) - {"office_id"}
        if unknown:
            raise ValueError(f"unknown fields for {self.table}: {sorted(unknown)}")
        cleaned = self.guard_local(None, self.validate(dict(values), None), None)
        now = utc_now()
        user = session.actor.user_id
        row = {f: cleaned.get(f, self.defaults.get(f)) for f in self.fields}
        row.update(office_id=cleaned.get("office_id") or session.office_id, created_at=now,
                   created_by=user, updated_at=now, updated_by=user, deleted=0)
        record_id = record_id or new_id()
        with session.transaction():
            stamp = session.clock.now()
            written = {k: row[k] for k in self.all_fields}
            clocks = {k: stamp for k in written}
            self._insert(record_id, written, clocks)
            self._log_change(record_id, stamp, written, None)
            record = {"id": record_id, **written, "hlc": self.encode_clocks(clocks)}
            session.audit.record(user, self.audit_action_prefix + "create", self.table,
                                 record_id, None, self.audit_view(record))
            self.after_write(record, None)
        return record

    def update(self, record_id: str, changes: dict) -> dict:
        if self.append_only:
            raise AppendOnlyError(_("This record cannot be changed; enter a reversal instead."))
        session = self.session
        with session.transaction():
            before = self.require(record_id)
            session.require("update", self.table, before)
            unknown = set(changes) - set(self.fields)
            if unknown:
                raise ValueError(f"unknown fields for {self.table}: {sorted(unknown)}")
            cleaned = self.validate({**{k: before[k] for k in self.fields}, **changes}, before)
            cleaned = self.guard_local(record_id, cleaned, before)
            written = {k: cleaned.get(k) for k in changes if cleaned.get(k) != before.get(k)}
            if not written:
                return before
            written.update(updated_at=utc_now(), updated_by=session.actor.user_id)
            return self._write_local(record_id, before, written, "update")

    def delete(self, record_id: str) -> None:
        if self.append_only:
            raise AppendOnlyError(_("This record cannot be deleted; enter a reversal instead."))
        session = self.session
        with session.transaction():
            before = self.require(record_id)
            session.require("delete", self.table, before)
            written = {"deleted": 1, "updated_at": utc_now(), "updated_by": session.actor.user_id}
            self._write_local(record_id, before, written, "delete")

    def _write_local(self, record_id: str, before: dict, written: dict, action: str) -> dict:
        session = self.session
        stamp = session.clock.now()
        clocks = self.clocks_of(before)
        base = {k: clocks[k] for k in written if clocks.get(k)}
        clocks.update({k: stamp for k in written})
        self._update_row(record_id, written, clocks)
        self._log_change(record_id, stamp, written, base)
        record = {**before, **written, "hlc": self.encode_clocks(clocks)}
        session.audit.record(session.actor.user_id, self.audit_action_prefix + action,
                             self.table, record_id, self.audit_view(before),
                             self.audit_view(record))
        self.after_write(record, before)
        return record

    def create_many(self, rows: Iterable[dict], *, audit: bool = True) -> int:
        """Create many records in the current transaction with batched statements.

        Same rows, change log and audit as :meth:`create`; used by imports and demo data.
        Validation and ``after_write`` run per row.
        """
        session = self.session
        user = session.actor.user_id
        cols = ("id",) + self.all_fields + ("hlc",)
        insert_sql = (f"INSERT INTO {self.table}({', '.join(cols)}) "
                      f"VALUES ({', '.join('?' * len(cols))})")
        log_sql = ("INSERT INTO change_log(origin_device, origin_seq, table_name, record_id, hlc,"
                   " fields, author, office_id) VALUES (?,?,?,?,?,?,?,?)")
        count = 0
        # Every field of a new record carries the same clock: the compact map is that
        # clock alone (the text of ``encode_clocks``)
        clock_template = _dumps({ROW_STAMP: _STAMP_MARK})
        with session.transaction():
            batch, log_batch = [], []
            for values in rows:
                session.require("create", self.table, values)
                record_id = values.pop("id", None) or new_id()
                cleaned = self.validate(dict(values), None)
                now = utc_now()
                row = {f: cleaned.get(f, self.defaults.get(f)) for f in self.fields}
                row.update(office_id=cleaned.get("office_id") or session.office_id,
                           created_at=now, created_by=user, updated_at=now, updated_by=user,
                           deleted=0)
                stamp = session.clock.now()
                written = {k: row[k] for k in self.all_fields}
                clocks = clock_template.replace(_STAMP_JSON, _dumps(stamp))
                batch.append((record_id, *written.values(), clocks))
                log_batch.append((session.device_id, session.next_origin_seq(), self.table,
                                  record_id, stamp, _dumps(written), user, written["office_id"]))
                record = {"id": record_id, **written, "hlc": clocks}
                if audit:
                    session.audit.record(user, self.audit_action_prefix + "create", self.table,
                                         record_id, None, self.audit_view(record), at=now)
                self._pending_after.append(record)
                count += 1
                if len(batch) >= 2000:
                    self._flush(insert_sql, batch, log_sql, log_batch)
            self._flush(insert_sql, batch, log_sql, log_batch)
        return count

    @property
    def _pending_after(self) -> list:
        if not hasattr(self, "_after_queue"):
            self._after_queue = []
        return self._after_queue

    def _flush(self, insert_sql, batch, log_sql, log_batch) -> None:
        if batch:
            self.conn.executemany(insert_sql, batch)
            self.conn.executemany(log_sql, log_batch)
            self.after_write_many(self._pending_after)
        batch.clear()
        log_batch.clear()
        self._pending_after.clear()

    def after_write_many(self, records: list[dict]) -> None:
        for record in records:
            self.after_write(record, None)

    # Columns derived from a row's fields (search keys ...), not synced. A batch of
    # received new rows is inserted with them (``derive``), then ``after_insert_many``
    # does the rest of ``after_write_many``'s work (full-text rows ...).
    derived_columns: tuple[str, ...] = ()

    def derive(self, record: dict) -> tuple:
        """The values of ``derived_columns`` for a row as it will be stored."""
        return ()

    def after_insert_many(self, records: list[dict]) -> None:
        """Hook for new rows inserted with their ``derived_columns`` (sync import)."""
        self.after_write_many(records)

    # ---- remote changes (sync) -----------------------------------------------------
    def apply_remote(self, record_id: str, fields: dict, stamp: str, origin_device: str,
                     origin_seq: int, author: str | None, base: dict | None = None,
                     *, office_id: str | None = None, audit: bool = True) -> RemoteResult:
        """Merge one received change field by field (last writer wins by HLC).

        Must run inside the importer's transaction. Records the change in the change log
        so it is relayed onward (a change already there is skipped: ``duplicate``), and
        audits what changed locally. ``base`` maps each written field to the clock of the
        value the remote writer replaced; a losing value the other side had not seen is a
        conflict (``lost``). Rows of append-only tables are never overwritten. The same
        as :func:`apply_remote_batch` with one change.
        """
        change = RemoteChange(self.table, record_id, fields, stamp, origin_device,
                              int(origin_seq), author, base, office_id)
        return apply_remote_batch(self.session, [change], {self.table: self},
                                  audit=audit)[0]

    def _merge_remote(self, record_id: str, before: dict | None, clocks: dict,
                      change: "RemoteChange", result: RemoteResult) -> dict:
        """Field-by-field LWW of one change over ``before`` (the row as it is now, or
        None); updates ``clocks`` and ``result.lost``; returns the winning values."""
        stamp = change.stamp
        names = self._field_set()
        if not clocks:
            # nothing written here yet (a new record): every field wins, no conflict
            fields = change.fields
            winners = (dict(fields) if names.issuperset(fields)
                       else {k: v for k, v in fields.items() if k in names})
            clocks.update(dict.fromkeys(winners, stamp))
            return winners
        base = change.base or {}
        winners: dict[str, Any] = {}
        for name, value in change.fields.items():
            if name not in names:
                continue
            current = clocks.get(name)
            if current is None or stamp > current:
                if (current is not None and name not in NO_CONFLICT_FIELDS
                        and before.get(name) != value
                        and current > (base.get(name) or "")):
                    local_author = self._write_of(record_id, current)[1]
                    result.lost.append(FieldConflict(name, value, stamp, change.author,
                                                     before.get(name), current, local_author))
                winners[name] = value
                clocks[name] = stamp
            elif (stamp < current and name not in NO_CONFLICT_FIELDS
                  and before.get(name) != value):
                current_base, local_author = self._write_of(record_id, current)
                if stamp > (current_base.get(name) or ""):
                    result.lost.append(FieldConflict(name, before.get(name), current,
                                                     local_author, value, stamp,
                                                     change.author))
        return winners

    def _field_set(self) -> frozenset:
        cls = type(self)
        cached = cls.__dict__.get("_field_set_cache")
        if cached is None:
            cached = frozenset(self.all_fields)
            cls._field_set_cache = cached
        return cached

    def guard_remote(self, changes: list["RemoteChange"], rows: dict[str, dict]) -> None:
        """Adjust received changes before they are logged and merged (``rows``: the
        current rows by id, for the records that exist): erased people's personal fields
        stay erased (store.sync_state.erasure)."""
        if self.table == "person" or "person_id" in self.fields:
            from desktop_app.store.sync_state import erasure as sync_erasure
            sync_erasure.guard_remote(self, changes, rows)

    def guard_local(self, record_id: str | None, values: dict, before: dict | None) -> dict:
        """The same for a local write (so that replicas agree)."""
        if self.table == "person" or "person_id" in self.fields:
            from desktop_app.store.sync_state import erasure as sync_erasure
            return sync_erasure.guard_local(self, record_id, values, before)
        return values

    def _write_of(self, record_id: str, stamp: str) -> tuple[dict, str | None]:
        """(base clocks, author) of the logged write of this record at ``stamp``."""
        row = self.conn.execute(
            "SELECT base, author FROM change_log WHERE table_name=? AND record_id=? AND hlc=?"
            " LIMIT 1", (self.table, record_id, stamp)).fetchone()
        if row is None:
            return {}, None
        return json.loads(row[0] or "{}"), row[1]

    # ---- SQL -----------------------------------------------------------------------
    def _insert(self, record_id: str, row: dict, clocks: dict, fill_required=False) -> None:
        cols = ["id", *row.keys(), "hlc"]
        values = [record_id, *row.values(), self.encode_clocks(clocks)]
        if fill_required:
            # A remote change may carry only some fields of a row we have never seen
            # (its creation is in another bundle): columns it leaves out take their
            # default, and NOT NULL columns without one a placeholder. Neither gets a
            # clock, so the creation's values win when they arrive.
            required = self._required_columns()
            kept_cols, kept_values = [], []
            for col, value in zip(cols, values):
                if value is None and col in required:
                    if required[col] is not None:
                        continue  # let the column default apply
                    value = ""
                kept_cols.append(col)
                kept_values.append(value)
            cols, values = kept_cols, kept_values
        self.conn.execute(
            f"INSERT INTO {self.table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            values)

    def _required_columns(self) -> dict[str, str | None]:
        """NOT NULL columns of the table -> their default (None: no default)."""
        cache = Repository.__dict__.get("_required_cache")
        if cache is None:
            cache = {}
            Repository._required_cache = cache
        key = (id(self.conn), self.table)
        if key not in cache:
            cache[key] = {r[1]: r[4] for r in self.conn.execute(
                f"PRAGMA table_info({self.table})") if r[3]}
        return cache[key]

    def _update_row(self, record_id: str, written: dict, clocks: dict) -> None:
        sets = ", ".join(f"{k}=?" for k in written)
        self.conn.execute(f"UPDATE {self.table} SET {sets}, hlc=? WHERE id=?",
                          (*written.values(), self.encode_clocks(clocks), record_id))

    def _log_change(self, record_id: str, stamp: str, written: dict,
                    base: dict | None) -> None:
        session = self.session
        self.conn.execute(
            "INSERT INTO change_log(origin_device, origin_seq, table_name, record_id, hlc,"
            " fields, author, office_id, base) VALUES (?,?,?,?,?,?,?,?,?)",
            (session.device_id, session.next_origin_seq(), self.table, record_id, stamp,
             _dumps(written), session.actor.user_id,
             written.get("office_id") or self._office_of(record_id),
             _dumps(base) if base else None))

    def _office_of(self, record_id: str) -> str | None:
        row = self.conn.execute(f"SELECT office_id FROM {self.table} WHERE id=?",
                                (record_id,)).fetchone()
        return row[0] if row else None


# ---- received changes in batches (sync import) ------------------------------------------
_LOG_SQL = ("INSERT INTO change_log(origin_device, origin_seq, table_name, record_id, hlc,"
            " fields, author, office_id, base) VALUES (?,?,?,?,?,?,?,?,?)")
_IN_CHUNK = 900


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def apply_remote_batch(session: Session, changes: list[RemoteChange],
                       repos: dict[str, Repository], *, audit: bool = True
                       ) -> list[RemoteResult]:
    """Apply received changes (in bundle order) with a few statements per batch.

    Same outcome as applying them one by one: changes already in the change log are
    skipped (``duplicate``); the rest are logged (so they are relayed onward) with one
    ``executemany``; each touched record is read once, every change for it is merged in
    memory field by field (LWW, conflicts, append-only rows never overwritten), and the
    record is written once: new rows with ``executemany``, existing rows with one UPDATE.
    Audit (hash-chained as usual): one ``sync_update`` row per existing record changed,
    with its values before and after; one ``sync_create`` row per table, sender and
    author for the new records of the batch, listing their ids. Then the after-write
    hooks: ``after_write_many`` per table for new rows, ``after_write`` for updated ones.
    A change whose table has no repository in ``repos``
    is only logged (a module this installation does not have). Must run inside the
    importer's transaction.
    """
    conn = session.conn
    results = [RemoteResult() for _ in changes]
    # 1. what the change log already holds (and repeats inside the batch)
    by_device: dict[str, list[int]] = {}
    for index, change in enumerate(changes):
        by_device.setdefault(change.origin_device, []).append(index)
    held: set[tuple[str, int]] = set()
    for device, indexes in by_device.items():
        seqs = sorted({changes[i].origin_seq for i in indexes})
        for chunk in _chunks(seqs):
            held.update((device, r[0]) for r in conn.execute(
                f"SELECT origin_seq FROM change_log WHERE origin_device=? AND origin_seq IN"
                f" ({','.join('?' * len(chunk))})", (device, *chunk)))
    fresh: list[int] = []
    for index, change in enumerate(changes):
        key = (change.origin_device, change.origin_seq)
        if key in held:
            results[index].duplicate = True
        else:
            held.add(key)
            fresh.append(index)
    if not fresh:
        return results
    # 2. the records touched, read once per table
    groups: dict[tuple[str, str], list[int]] = {}
    for index in fresh:
        change = changes[index]
        if change.table in repos:
            groups.setdefault((change.table, change.record_id), []).append(index)
    by_table: dict[str, list[tuple[str, list[int]]]] = {}
    for (table, record_id), indexes in groups.items():
        by_table.setdefault(table, []).append((record_id, indexes))
    rows: dict[str, dict[str, dict]] = {}
    for table, entries in by_table.items():
        ids = sorted(record_id for record_id, _indexes in entries)
        found = rows.setdefault(table, {})
        for chunk in _chunks(ids):
            cur = conn.execute(f"SELECT * FROM {table} WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            for row in cur:
                record = dict(zip(cols, row))
                found[record["id"]] = record
        repos[table].guard_remote([changes[i] for _r, idx in entries for i in idx], found)
    # 3. the change log, in bundle order
    conn.executemany(_LOG_SQL, [
        (c.origin_device, c.origin_seq, c.table, c.record_id, c.stamp,
         c.fields_text or _dumps(c.fields),
         c.author, c.office_id or c.fields.get("office_id"),
         _dumps(c.base) if c.base else None) for c in (changes[i] for i in fresh)])
    session.clock.observe(max(changes[i].stamp for i in fresh))
    # 4. merge per record in memory
    inserts: dict[str, list[tuple[str, dict, dict]]] = {}
    updates: list[tuple[Repository, str, dict, dict, set, dict]] = []
    audits: list[tuple] = []
    received: dict[tuple, list[str]] = {}
    for (table, record_id), indexes in groups.items():
        repo = repos[table]
        before = rows[table].get(record_id)
        if before is None and len(indexes) == 1:
            # the usual case of a large import: one change creates the record; every
            # field wins with that change's clock, nothing can conflict
            change = changes[indexes[0]]
            fields = change.fields
            names = repo._field_set()
            winners = (fields if fields.keys() <= names
                       else {k: v for k, v in fields.items() if k in names})
            if not winners:
                continue
            stamp = change.stamp
            if (len(winners) == len(names) and isinstance(stamp, str)
                    and _PLAIN_STAMP.match(stamp)):
                # every field, one clock: the compact map is that clock alone (the text
                # encode_clocks gives), and the fields are the whole row
                state = winners.copy()
                state["hlc"] = f'{{"*":"{stamp}"}}'
            else:
                state = dict.fromkeys(repo.all_fields)
                state.update(winners)
                state["hlc"] = repo.encode_clocks(dict.fromkeys(winners, stamp))
            state["id"] = record_id
            result = results[indexes[0]]
            result.created = True
            result.changed_fields = sorted(winners)
            inserts.setdefault(table, []).append((record_id, state, None))
            if audit:
                received.setdefault((table, change.author, change.origin_device),
                                    []).append(record_id)
            continue
        state = dict(before) if before is not None else None
        clocks = repo.clocks_of(before) if before is not None else {}
        written: set[str] = set()
        author = None
        origins: list[str] = []
        for index in indexes:
            change = changes[index]
            result = results[index]
            if state is not None and repo.append_only and state.get("created_by"):
                continue
            winners = repo._merge_remote(record_id, state, clocks, change, result)
            if not winners:
                continue
            if state is None:
                state = dict.fromkeys(repo.all_fields)
                state["id"] = record_id
                result.created = True
            state.update(winners)
            written.update(winners)
            result.changed_fields = sorted(winners)
            author = change.author
            if change.origin_device not in origins:
                origins.append(change.origin_device)
        if not written:
            continue
        state["hlc"] = repo.encode_clocks(clocks)
        if before is None:
            inserts.setdefault(table, []).append((record_id, state, clocks))
        else:
            updates.append((repo, record_id, before, state, written, clocks))
        if audit:
            origin = origins[0] if len(origins) == 1 else origins
            if before is None:
                # received records: listed per sender and author (their values are in
                # the change log and in the sender's own audit, not copied here)
                received.setdefault((table, author, origin if len(origins) == 1
                                     else tuple(origins)), []).append(record_id)
            else:
                # a local record changed by a received one: field values before and after
                audits.append((author, "sync_update", table, record_id, before, state,
                               {"origin": origin}))
    # 5. write: new rows in batches, existing rows one UPDATE each
    partial: dict[str, list[str]] = {}
    for table, new_rows in inserts.items():
        repo = repos[table]
        required = [(k, d) for k, d in repo._required_columns().items()
                    if k in repo._field_set()]
        full_cols = ("id", *repo.all_fields, "hlc")
        pick = itemgetter(*full_cols)
        pick_required = itemgetter(*[k for k, _d in required], "id", "id")  # always a tuple
        derived = repo.derived_columns
        derive = repo.derive
        by_cols: dict[tuple, list] = {}
        full = by_cols.setdefault(full_cols + derived, [])
        for record_id, state, _clocks in new_rows:
            if None not in pick_required(state):
                if derived:
                    # derived columns (search keys) go in with the row, not in a later
                    # UPDATE; the hook reads them from the record
                    extra = derive(state)
                    state.update(zip(derived, extra))
                    full.append(pick(state) + extra)
                else:
                    full.append(pick(state))
                continue
            # a change for a record never seen (its creation is in another bundle):
            # columns it leaves out take their default, NOT NULL ones without one a
            # placeholder; neither gets a clock, so the creation's values win when
            # they arrive
            partial.setdefault(table, []).append(record_id)
            row = dict(state)
            for name, default in required:
                if row[name] is None:
                    if default is not None:
                        del row[name]
                    else:
                        row[name] = ""
            cols = tuple(k for k in full_cols if k in row)
            by_cols.setdefault(cols, []).append(tuple(row[k] for k in cols))
        for cols, values in by_cols.items():
            if not values:
                continue
            conn.executemany(f"INSERT INTO {table}({', '.join(cols)}) VALUES "
                             f"({', '.join('?' * len(cols))})", values)
    for repo, record_id, _before, state, written, _clocks in updates:
        names = sorted(written)
        conn.execute(f"UPDATE {repo.table} SET {', '.join(f'{k}=?' for k in names)}, hlc=? "
                     f"WHERE id=?", (*(state[k] for k in names), state["hlc"], record_id))
    # rows made with placeholders or defaults: the hooks and the audit see them as stored
    # (their derived columns are written by ``after_write_many``, from the stored row)
    partial_rows: dict[str, list[dict]] = {}
    for table, ids in partial.items():
        fixed = {}
        for chunk in _chunks(sorted(set(ids))):
            cur = conn.execute(f"SELECT * FROM {table} WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            fixed.update((r[0], dict(zip(cols, r))) for r in cur)
        partial_rows[table] = list(fixed.values())
        inserts[table] = [(rid, fixed.get(rid, state), clocks)
                          for rid, state, clocks in inserts[table]]
    # 6. audit: one row per updated record, one per batch of new ones
    entries = [(author, "sync_create", table, ids[0] if len(ids) == 1 else None, None, None,
                {"origin": origin if isinstance(origin, str) else list(origin),
                 "records": ids})
               for (table, author, origin), ids in received.items()]
    entries += [(author, action, table, record_id, repos[table].audit_view(before),
                 repos[table].audit_view(after), detail)
                for author, action, table, record_id, before, after, detail in audits]
    if entries:
        session.audit.record_many(entries)
    # 7. derived data (search keys ...)
    for table, new_rows in inserts.items():
        done = partial.get(table)
        if done:
            done = set(done)
            repos[table].after_write_many(partial_rows[table])
            new_rows = [entry for entry in new_rows if entry[0] not in done]
        if new_rows:
            repos[table].after_insert_many([state for _rid, state, _clocks in new_rows])
    for repo, _record_id, before, state, _written, _clocks in updates:
        repo.after_write(state, before)
    # erasure markers that arrived: blank what they name here
    markers = [state for _rid, state, _c in inserts.get("person_erasure", ())]
    markers += [state for repo, _rid, _b, state, written, _c in updates
                if repo.table == "person_erasure" and written & {"person_id", "deleted"}]
    if markers:
        from desktop_app.store.sync_state import erasure as sync_erasure
        erased = sync_erasure.apply_markers(session, markers)
        # a conflict over a value the erasure removed is not kept for review
        for change, result in zip(changes, results):
            guarded = erased.get((change.table, change.record_id))
            if guarded and result.lost:
                result.lost = [c for c in result.lost if c.field not in guarded]
    return results
