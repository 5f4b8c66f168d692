"""A unit of work: connection + acting user + device + clock + permission policy."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Protocol

from desktop_app.domain.actors import SYSTEM, Actor
from desktop_app.domain.clock import HybridClock
from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store.audit import AuditWriter
from desktop_app.store.sync_state.changes import last_origin_seq, latest_clock

DOMAIN = Domain("core")
_ = DOMAIN.gettext


class PermissionDenied(Exception):
    """The acting user may not do this; the message is fit to show."""


class ReasonRequired(PermissionDenied):
    """Allowed only with a stated reason (e.g. opening a sensitive case one is not assigned
    to): the UI asks for it, logs it with ``session.log("view_sensitive", ..., detail=
    {"reason": ...})`` and retries with ``session.granted_reasons`` holding the record id."""

    def __init__(self, message: str, table: str, record_id: str | None):
        super().__init__(message)
        self.table = table
        self.record_id = record_id


class Policy(Protocol):
    def check(self, actor: Actor, action: str, table: str, row: dict | None) -> None:
        """Raise PermissionDenied when ``actor`` may not ``action`` on ``row`` of ``table``.

        A policy may also define ``checker(actor, action, table)``: a callable that does
        the same check for one row at a time of a batch (see :meth:`Session.checker`)."""


class AllowAll:
    def check(self, actor, action, table, row) -> None:
        return None

    def checker(self, actor, action, table) -> Callable[[dict | None], None]:
        return _allow


def _allow(row: dict | None) -> None:
    return None


def get_meta(conn, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn, key: str, value: str | None) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, value))


class Session:
    def __init__(self, conn: dbmod.Connection, actor: Actor = SYSTEM, *,
                 policy: Policy | None = None, wall_clock=None):
        self.conn = conn
        self.actor = actor
        self.device_id = get_meta(conn, "device_id") or "unset-device"
        self.device_code = get_meta(conn, "device_code") or "D0"
        self.office_id = actor.office_id or get_meta(conn, "office_id")
        self.policy: Policy = policy or AllowAll()
        last = latest_clock(conn)
        self.clock = HybridClock(self.device_id, last=last, wall=wall_clock)
        self.audit = AuditWriter(conn, self.device_id)
        self._origin_seq: int | None = None
        # record ids the user gave a logged reason to open during this session
        self.granted_reasons: set[str] = set()
        # facts read once from this database's schema or reference data (a table's
        # columns, code lists), kept with the session: a cache keyed by the connection's
        # id() could hand them to another database whose connection reused that id
        self.cache: dict = {}
        # the unlocked SQLCipher key, set by store.security.accounts (None: not encrypted,
        # or opened without a login); lets another connection open the same file
        self.db_key: bytes | None = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Session"]:
        outermost = not self.conn.in_transaction
        if outermost:
            # Another Session (another user on this connection, or another connection to
            # the same file) may have written since: re-read the counters at the start.
            self._origin_seq = None
            self.audit.forget_head()
        try:
            with dbmod.transaction(self.conn):
                if outermost:
                    # ... and a bundle imported meanwhile may carry clocks ahead of ours (a
                    # sender whose clock runs ahead): a write stamped below a value it
                    # replaces would win here and lose on every other replica.
                    self._observe_latest_clock()
                yield self
        except BaseException:
            self.audit.forget_head()
            self._origin_seq = None
            raise

    def _observe_latest_clock(self) -> None:
        last = latest_clock(self.conn)
        if last:
            self.clock.observe(last)

    def next_origin_seq(self) -> int:
        if self._origin_seq is None:
            self._origin_seq = last_origin_seq(self.conn, self.device_id)
        self._origin_seq += 1
        return self._origin_seq

    def next_origin_seqs(self, count: int) -> range:
        """``count`` sequence numbers, as ``count`` calls of :meth:`next_origin_seq`."""
        first = self.next_origin_seq()
        self._origin_seq = first + count - 1
        return range(first, first + count)

    def require(self, action: str, table: str, row: dict | None = None) -> None:
        self.policy.check(self.actor, action, table, row)

    def checker(self, action: str, table: str) -> Callable[[dict | None], None]:
        """``require(action, table, row)`` for many rows: the policy's own batch check
        when it has one (``Policy.checker``: the rule worked out once for the batch, applied
        to each row), else its per-row check."""
        batch = getattr(self.policy, "checker", None)
        if batch is not None:
            return batch(self.actor, action, table)
        policy, actor = self.policy, self.actor
        return lambda row: policy.check(actor, action, table, row)

    def meta(self, key: str, default: str | None = None) -> str | None:
        return get_meta(self.conn, key, default)

    def log(self, action: str, table_name: str | None = None, record_id: str | None = None,
            detail=None) -> None:
        """Audit an event that is not a record write (login, export, view of a sensitive record)."""
        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN IMMEDIATE")
            self.audit.forget_head()
        try:
            self.audit.record(self.actor.user_id, action, table_name, record_id, detail=detail)
        except BaseException:
            if own:
                self.conn.execute("ROLLBACK")
                self.audit.forget_head()
            raise
        if own:
            self.conn.execute("COMMIT")


def permission_message(action: str) -> str:
    return _("You do not have permission to do this ({action}). Ask an administrator.").format(
        action=action)
