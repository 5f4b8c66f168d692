"""The one write path for synced records.

Every create, update and delete writes the row, one ``change_log`` row (what sync
exports) and one ``audit_log`` row, inside the session's transaction. Each row keeps a
per-field hybrid-logical-clock map in its ``hlc`` column so that sync can merge field by
field (last writer wins, deterministic tie-break by device id); it is stored compactly
(one row stamp plus the fields whose clock differs, see ``encode_clocks``).
"""
from __future__ import annotations

from typing import Callable, Iterable, Protocol

from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.audit import utc_now
from desktop_app.store.clocks import ROW_STAMP, decode_clocks, dumps, encode_clocks
from desktop_app.store.db import row_dict
from desktop_app.store.session import Session
from desktop_app.store.sync_state.apply import RemoteChange, RemoteResult, apply_remote_batch
from desktop_app.store.sync_state.changes import INSERT_SQL, Terms, entry_values

DOMAIN = Domain("core")
_ = DOMAIN.gettext

STANDARD_FIELDS = ("office_id", "created_at", "created_by", "updated_at", "updated_by", "deleted")


class ValidationError(Exception):
    """Field-level problems: ``errors`` maps field name -> translated message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotFound(Exception):
    pass


class AppendOnlyError(Exception):
    pass


# create_many writes the clock map of a new record from this template (see encode_clocks)
_STAMP_MARK = "\x00stamp\x00"
_STAMP_JSON = dumps(_STAMP_MARK)


class WriteGuard(Protocol):
    """A rule a feature module registers with :meth:`Repository.register_write_guard`:
    it may change the values of writes to any table before they are stored (e.g. an
    erased person's fields stay erased), locally and for received changes alike."""

    def guard_local(self, repo: Repository, record_id: str | None, values: dict,
                    before: dict | None) -> dict:
        """The values a local create (``record_id`` None) or update really writes."""

    def guard_remote(self, repo: Repository, changes: list[RemoteChange],
                     rows: dict[str, dict]) -> None:
        """Adjust received changes of ``repo``'s table in place (``rows``: the current
        rows by id, for the records that exist)."""


class SyncScope(Protocol):
    """Records a coordinator sends to an office besides the office's own, registered by
    the module whose rule it is (:meth:`Repository.register_sync_scope`; e.g. the cases
    referred to the office and what hangs off them). Each method gives an SQL condition
    over a change row ``c``, or None for a table the scope does not reach."""

    def condition(self, table: str, office_param: str) -> str | None:
        """Is the change's record sent to the office by this scope?"""

    def entering(self, table: str, office_param: str, acked: str) -> str | None:
        """Did the change's record enter the office's scope through a change the office
        has not acknowledged (``acked``: table of acknowledged sequence numbers per origin
        device, columns ``device``, ``seq``)? Such records are sent whole again."""


class Repository:
    """Subclass per aggregate: set ``table`` and ``fields`` (data columns that sync)."""

    table: str = ""
    fields: tuple[str, ...] = ()
    append_only: bool = False
    audit_action_prefix: str = ""
    # values for fields a create leaves out (columns that are NOT NULL with a default)
    defaults: dict = {}
    # a pure domain check: values -> (cleaned values, errors by field); see validate()
    validator: Callable[[dict], tuple[dict, dict[str, str]]] | None = None
    # Which offices a coordinator sends this table's records to (sync.scope):
    # None / "office": records whose office_id is the office; "shared": every office.
    # Registered sync scopes add records (e.g. those referred to the office).
    sync_scope: str | None = None

    _registry: dict[str, type["Repository"]] = {}
    _write_guards: list[WriteGuard] = []
    _after_insert: dict[str, list[Callable[[Repository, list[dict]], None]]] = {}
    _sync_scopes: list[SyncScope] = []
    # per subclass, set on first use (_field_set)
    _field_set_cache: frozenset

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

    # ---- rules other modules register ---------------------------------------------
    @staticmethod
    def register_write_guard(guard: WriteGuard) -> None:
        """Run ``guard`` on every write of every table (see :class:`WriteGuard`)."""
        Repository._write_guards.append(guard)

    @staticmethod
    def register_after_insert(table: str,
                              hook: Callable[[Repository, list[dict]], None]) -> None:
        """Call ``hook(repo, records)`` after new rows of ``table`` are written (create,
        create_many, received records), after the table's own ``after_write`` hooks; for
        derived data another module keeps about those rows."""
        Repository._after_insert.setdefault(table, []).append(hook)

    @staticmethod
    def register_sync_scope(scope: SyncScope) -> None:
        """Send what ``scope`` names to offices (see :class:`SyncScope`)."""
        Repository._sync_scopes.append(scope)

    @staticmethod
    def sync_scopes() -> tuple[SyncScope, ...]:
        return tuple(Repository._sync_scopes)

    def __init__(self, session: Session):
        self.session = session
        self.conn = session.conn

    # ---- reading -------------------------------------------------------------------
    @property
    def all_fields(self) -> tuple[str, ...]:
        return STANDARD_FIELDS + tuple(self.fields)

    @classmethod
    def all_fields_of(cls) -> tuple[str, ...]:
        return STANDARD_FIELDS + tuple(cls.fields)

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
        record = row_dict(cur.description, row)
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
        validator = type(self).validator
        if validator is None:
            return values
        cleaned, errors = validator(values)
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
            # a creation: the change log names it, the row holds its values
            self._log_change(record_id, stamp, written, None, creation=True)
            record = {"id": record_id, **written, "hlc": self.encode_clocks(clocks)}
            session.audit.record(user, self.audit_action_prefix + "create", self.table,
                                 record_id, None, self.audit_view(record))
            self.after_write(record, None)
            self.run_after_insert([record])
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
        log_sql = INSERT_SQL
        terms = Terms(self.conn)
        count = 0
        # Every field of a new record carries the same clock: the compact map is that
        # clock alone (the text of ``encode_clocks``)
        clock_template = dumps({ROW_STAMP: _STAMP_MARK})
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
                clocks = clock_template.replace(_STAMP_JSON, dumps(stamp))
                batch.append((record_id, *written.values(), clocks))
                log_batch.append(entry_values(
                    terms, session.device_id, session.next_origin_seq(), self.table,
                    record_id, stamp, None, user, written["office_id"], None))
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
            self._after_queue: list[dict] = []
        return self._after_queue

    def _flush(self, insert_sql, batch, log_sql, log_batch) -> None:
        if batch:
            self.conn.executemany(insert_sql, batch)
            self.conn.executemany(log_sql, log_batch)
            self.after_write_many(self._pending_after)
            self.run_after_insert(self._pending_after)
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

    def after_remote_batch(self, inserted: list[dict], updated: list[tuple[dict, dict, set]],
                           changes: list[RemoteChange], results: list[RemoteResult]) -> None:
        """Hook at the end of a batch of received changes, for this table's rows the batch
        wrote: new rows, and (before, after, fields written) of changed ones. ``changes``
        and ``results`` are the whole batch's."""

    def run_after_insert(self, records: list[dict]) -> None:
        """The hooks registered for new rows of this table (``register_after_insert``)."""
        for hook in Repository._after_insert.get(self.table, ()):
            hook(self, records)

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

    def _field_set(self) -> frozenset:
        cls = type(self)
        cached = cls.__dict__.get("_field_set_cache")
        if cached is None:
            cached = frozenset(self.all_fields)
            cls._field_set_cache = cached
        return cached

    def guard_remote(self, changes: list[RemoteChange], rows: dict[str, dict]) -> None:
        """Adjust received changes before they are logged and merged (``rows``: the
        current rows by id, for the records that exist): the registered write guards."""
        for guard in Repository._write_guards:
            guard.guard_remote(self, changes, rows)

    def guard_local(self, record_id: str | None, values: dict, before: dict | None) -> dict:
        """The same for a local write (so that replicas agree)."""
        for guard in Repository._write_guards:
            values = guard.guard_local(self, record_id, values, before)
        return values

    # ---- SQL -----------------------------------------------------------------------
    def _insert(self, record_id: str, row: dict, clocks: dict) -> None:
        cols = ["id", *row.keys(), "hlc"]
        values = [record_id, *row.values(), self.encode_clocks(clocks)]
        self.conn.execute(
            f"INSERT INTO {self.table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            values)

    def _required_columns(self) -> dict[str, str | None]:
        """NOT NULL columns of the table -> their default (None: no default)."""
        cache = self.session.cache
        key = ("required columns", self.table)
        if key not in cache:
            cache[key] = {r[1]: r[4] for r in self.conn.execute(
                f"PRAGMA table_info({self.table})") if r[3]}
        return cache[key]

    def _update_row(self, record_id: str, written: dict, clocks: dict) -> None:
        sets = ", ".join(f"{k}=?" for k in written)
        self.conn.execute(f"UPDATE {self.table} SET {sets}, hlc=? WHERE id=?",
                          (*written.values(), self.encode_clocks(clocks), record_id))

    def _log_change(self, record_id: str, stamp: str, written: dict,
                    base: dict | None, *, creation: bool = False) -> None:
        """One change-log entry; a creation's (every field, one clock) keeps no copy of
        the values: export reads them from the row (``store.sync_state.changes``)."""
        session = self.session
        self.conn.execute(INSERT_SQL, entry_values(
            Terms(self.conn), session.device_id, session.next_origin_seq(), self.table,
            record_id, stamp, None if creation else dumps(written), session.actor.user_id,
            written.get("office_id") or self._office_of(record_id),
            dumps(base) if base else None))

    def _office_of(self, record_id: str) -> str | None:
        row = self.conn.execute(f"SELECT office_id FROM {self.table} WHERE id=?",
                                (record_id,)).fetchone()
        return row[0] if row else None
