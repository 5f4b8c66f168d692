"""The one write path for synced records.

Every create, update and delete writes the row, one ``change_log`` row (what sync
exports) and one ``audit_log`` row, inside the session's transaction. Each row keeps a
per-field hybrid-logical-clock map in its ``hlc`` column so that sync can merge field by
field (last writer wins, deterministic tie-break by device id); it is stored compactly
(one row stamp plus the fields whose clock differs, see ``encode_clocks``).
"""
from __future__ import annotations

import operator
from typing import Callable, Iterable, Protocol

from desktop_app.domain.ids import new_id, new_ids
from desktop_app.i18n import Domain
from desktop_app.store.audit import utc_now
from desktop_app.store.clocks import PLAIN_STAMP, ROW_STAMP, decode_clocks, dumps, encode_clocks
from desktop_app.store.db import DatabaseBusy, row_dict, sqlite
from desktop_app.store.session import Session
from desktop_app.store.sync_state.apply import (
    ROW_INSERT,
    RemoteChange,
    RemoteResult,
    apply_remote_batch,
)
from desktop_app.store.sync_state.changes import (
    COUNTER_SPAN,
    INSERT_SQL,
    Terms,
    encode_stamp,
    entry_values,
)

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


# rows create_many validates before it writes them together
BULK_BATCH = 2000


class WriteGuard(Protocol):
    """A rule a feature module registers with :meth:`Repository.register_write_guard`:
    it may change the values of writes to any table before they are stored (e.g. an
    erased person's fields stay erased), locally and for received changes alike. A guard
    may also define ``guard_local_many(repo, new_rows) -> new_rows``, the same as
    ``guard_local`` for a batch of new records (``create_many``)."""

    def guard_local(self, repo: Repository, record_id: str | None, values: dict,
                    before: dict | None) -> dict:
        """The values a local create (``record_id`` None) or update really writes."""

    def guard_remote(self, repo: Repository, changes: list[RemoteChange],
                     rows: dict[str, dict]) -> None:
        """Adjust received changes of ``repo``'s table in place (``rows``: the current
        rows by id, for the records that exist)."""


# Connections running a bundle import in committed chunks (sync.import_undo): their own
# writes go on while the import's marker row stands; other connections' writes wait.
_IMPORTING: set[int] = set()


def importing_on(conn, running: bool) -> None:
    """Say that ``conn`` runs (or no longer runs) a chunked bundle import."""
    (_IMPORTING.add if running else _IMPORTING.discard)(id(conn))


def refuse_during_import(conn) -> None:
    """Raise DatabaseBusy while a bundle import runs in committed chunks on another
    connection: if that import were then cancelled or cut off, its undo would put back
    the rows it changed as they were before it, over a user's edit made in between."""
    if id(conn) in _IMPORTING:
        return
    try:
        running = conn.execute("SELECT 1 FROM sync_import_running").fetchone()
    except sqlite.OperationalError:         # a database before migration 0085
        return
    if running is not None:
        raise DatabaseBusy()


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
    _after_update: dict[str, list[Callable[[Repository, dict, dict], None]]] = {}
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
    def register_after_update(table: str,
                              hook: Callable[[Repository, dict, dict], None]) -> None:
        """Call ``hook(repo, record, before)`` after a row of ``table`` is changed (a local
        update or deletion, a received change), after the table's own
        ``after_write``; for what another module derives from those rows."""
        Repository._after_update.setdefault(table, []).append(hook)

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
            refuse_during_import(self.conn)
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
        refuse_during_import(self.conn)
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
        self.run_after_update(record, before)
        return record

    def create_many(self, rows: Iterable[dict], *, audit: bool = True) -> int:
        """Create many records in the current transaction: the write path of imports and
        demo data.

        The same rows, clocks, change log, audit and derived data as :meth:`create` row by
        row (``tests/store/test_create_many.py`` compares the two), written
        ``BULK_BATCH`` rows at a time: the policy's rule is worked out once for the call
        (``Session.checker``) and applied to each row, each row is validated as it comes
        (a row's ``id`` is taken out of it first), then the batch's clocks, ids,
        write guards, change-log entries and audit rows are made together and written
        with one ``executemany`` per statement, derived columns (search keys) with the
        rows, and the hooks run once per batch.
        """
        session = self.session
        check = session.checker("create", self.table)
        validate = self.validate
        writer = _BatchCreate(self, audit)
        count = 0
        with session.transaction():
            refuse_during_import(self.conn)
            pending: list[tuple[str | None, dict]] = []
            for values in rows:
                check(values)
                record_id = values.pop("id", None)
                pending.append((record_id, validate(dict(values), None)))
                if len(pending) >= BULK_BATCH:
                    count += writer.write(pending)
                    pending = []
            count += writer.write(pending)
        return count

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

    def run_after_update(self, record: dict, before: dict) -> None:
        """The hooks registered for changed rows of this table (``register_after_update``)."""
        for hook in Repository._after_update.get(self.table, ()):
            hook(self, record, before)

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

    def guard_local_many(self, new_rows: list[dict]) -> list[dict]:
        """:meth:`guard_local` for the values of many new records: a guard's
        ``guard_local_many`` when it has one, else its ``guard_local`` per record."""
        for guard in Repository._write_guards:
            many = getattr(guard, "guard_local_many", None)
            if many is not None:
                new_rows = many(self, new_rows)
            else:
                new_rows = [guard.guard_local(self, None, values, None) for values in new_rows]
        return new_rows

    def _has_write_hooks(self) -> bool:
        """Does a new row of this table need its record for ``after_write`` hooks?"""
        cls = type(self)
        return bool(cls.after_write is not Repository.after_write
                    or cls.after_write_many is not Repository.after_write_many
                    or cls.after_insert_many is not Repository.after_insert_many
                    or Repository._after_insert.get(self.table))

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


def _values_getter(names: tuple[str, ...]) -> Callable[[dict], tuple]:
    """A function giving the tuple of a dict's values of ``names`` (all present)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    return lambda values: tuple(values[name] for name in names)


class _BatchCreate:
    """The writing half of :meth:`Repository.create_many`: validated values of new
    records, a batch at a time, to the table, the change log and the audit log."""

    def __init__(self, repo: Repository, audit: bool):
        self.repo = repo
        self.audit = audit
        session = repo.session
        self.session = session
        self.user = session.actor.user_id
        table = repo.table
        # the order of the tuples write() makes
        assert STANDARD_FIELDS[:2] == ("office_id", "created_at") and len(STANDARD_FIELDS) == 6
        self.columns = ("id",) + repo.all_fields + ("hlc",)
        stored = self.columns + tuple(repo.derived_columns)
        # OR FAIL: see ROW_INSERT in store.sync_state.apply
        self.insert_sql = (f"{ROW_INSERT} {table}({', '.join(stored)}) "
                           f"VALUES ({', '.join('?' * len(stored))})")
        defaults = repo.defaults
        # a field a row leaves out takes its default (None when the table names none)
        self.blank = {f: defaults.get(f) for f in repo.fields}
        self.field_values = _values_getter(repo.fields)
        self.hooks = repo._has_write_hooks()
        # the rows as dicts: for the hooks, the audit, and the derived columns
        self.records = self.hooks or audit or bool(repo.derived_columns)
        self.action = repo.audit_action_prefix + "create"
        self.terms: Terms | None = None

    def write(self, pending: list[tuple[str | None, dict]]) -> int:
        if not pending:
            return 0
        repo, session, user = self.repo, self.session, self.user
        count = len(pending)
        values_list = repo.guard_local_many([cleaned for _record_id, cleaned in pending])
        fresh = iter(new_ids(sum(1 for record_id, _cleaned in pending if not record_id)))
        now = utc_now()
        stamps = session.clock.now_many(count)
        device = session.device_id
        plain = PLAIN_STAMP.match(stamps[-1]) is not None
        default_office = session.office_id
        blank, field_values = self.blank, self.field_values
        rows: list[tuple] = []
        for (record_id, _cleaned), values, stamp in zip(pending, values_list, stamps,
                                                        strict=True):
            rows.append((record_id or next(fresh),
                         values.get("office_id") or default_office, now, user, now, user, 0,
                         *field_values(blank | values),
                         f'{{"*":"{stamp}"}}' if plain else dumps({ROW_STAMP: stamp})))
        records: list[dict] = []
        if self.records:
            columns = self.columns
            records = [dict(zip(columns, row, strict=True)) for row in rows]
        derived = repo.derived_columns
        if derived:
            derive = repo.derive
            for index, record in enumerate(records):
                extra = derive(record)
                record.update(zip(derived, extra, strict=True))
                rows[index] += tuple(extra)
        conn = repo.conn
        conn.executemany(self.insert_sql, rows)
        conn.executemany(INSERT_SQL, self._entries(rows, stamps, device))
        if self.audit:
            action, table, view = self.action, repo.table, repo.audit_view
            session.audit.record_many(
                (user, action, table, record["id"], None, view(record), None)
                for record in records)
        if self.hooks:
            if derived:
                repo.after_insert_many(records)
            else:
                repo.after_write_many(records)
            repo.run_after_insert(records)
        return count

    def _entries(self, rows: list[tuple], stamps: list[str], device: str) -> list[tuple]:
        """Change-log entries of new rows: creations, which keep no copy of the values."""
        session = self.session
        if self.terms is None:
            self.terms = Terms(self.repo.conn)
        terms = self.terms
        device_n, table_n = terms.id(device), terms.id(self.repo.table)
        author_n = terms.id(self.user)
        offices = {office: terms.id(office) for office in {row[1] for row in rows}}
        seqs = session.next_origin_seqs(len(rows))
        first, last = encode_stamp(stamps[0], device), encode_stamp(stamps[-1], device)
        if isinstance(first, int) and isinstance(last, int):
            # the batch's clocks are the device's own, in one run: stored as integers
            span = COUNTER_SPAN
            hlcs: list[int | str] = [int(stamp[:15]) * span + int(stamp[16:21])
                                     for stamp in stamps]
        else:
            hlcs = [encode_stamp(stamp, device) for stamp in stamps]
        return [(device_n, seq, table_n, row[0], hlc, None, author_n, offices[row[1]], None)
                for row, seq, hlc in zip(rows, seqs, hlcs, strict=True)]
