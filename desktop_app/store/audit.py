"""The audit log: who did what, when, on which device, with before/after values.

Rows are hash-chained: each row's ``hash`` covers its content and the previous row's
hash, so editing or deleting a row breaks the chain at that point. A chain can be
recomputed by anyone, so ``store.security.signing`` registers a check against the head an
administrator signed (``register_chain_check``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from desktop_app.domain.ids import new_id

GENESIS = "0" * 64


def canonical_json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def row_hash(prev_hash: str, row_id: str, at: str, user_id, device_id, action: str,
             table_name, record_id, before, after, detail) -> str:
    payload = json.dumps([prev_hash, row_id, at, user_id, device_id, action, table_name,
                          record_id, before, after, detail],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditWriter:
    """Appends audit rows for one connection, keeping the chain head in memory."""

    def __init__(self, conn, device_id: str | None):
        self.conn = conn
        self.device_id = device_id
        self._head: str | None = None

    def head(self) -> str:
        if self._head is None:
            row = self.conn.execute(
                "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            self._head = row[0] if row else GENESIS
        return self._head

    def forget_head(self) -> None:
        """Call after a rollback: the cached head may belong to rolled-back rows."""
        self._head = None

    def record(self, user_id: str | None, action: str, table_name: str | None = None,
               record_id: str | None = None, before=None, after=None, detail=None,
               at: str | None = None) -> str:
        at = at or utc_now()
        row_id = new_id()
        before_json, after_json = canonical_json(before), canonical_json(after)
        detail_json = canonical_json(detail)
        prev = self.head()
        digest = row_hash(prev, row_id, at, user_id, self.device_id, action, table_name,
                          record_id, before_json, after_json, detail_json)
        self.conn.execute(
            "INSERT INTO audit_log(id, at, user_id, device_id, action, table_name, record_id,"
            " before, after, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (row_id, at, user_id, self.device_id, action, table_name, record_id,
             before_json, after_json, detail_json, prev, digest))
        self._head = digest
        return row_id

    def record_many(self, entries) -> int:
        """Append many rows with one statement; the chain is the same as one ``record`` each.

        ``entries``: (user_id, action, table_name, record_id, before, after, detail) tuples.
        """
        rows = []
        prev = self.head()
        at = utc_now()
        last_detail, last_detail_json = None, None
        for user_id, action, table_name, record_id, before, after, detail in entries:
            row_id = new_id()
            before_json, after_json = canonical_json(before), canonical_json(after)
            if detail is not last_detail:
                last_detail, last_detail_json = detail, canonical_json(detail)
            detail_json = last_detail_json
            digest = row_hash(prev, row_id, at, user_id, self.device_id, action, table_name,
                              record_id, before_json, after_json, detail_json)
            rows.append((row_id, at, user_id, self.device_id, action, table_name, record_id,
                         before_json, after_json, detail_json, prev, digest))
            prev = digest
        if rows:
            self.conn.executemany(
                "INSERT INTO audit_log(id, at, user_id, device_id, action, table_name,"
                " record_id, before, after, detail, prev_hash, hash)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            self._head = prev
        return len(rows)


@dataclass
class ChainBreak:
    seq: int
    reason: str
    subject: str = ""      # what the break is about when it is not an entry (a user name)


# checks that other modules add to every verification (security: the signed anchor, which
# lives outside the log and finds what a recomputed chain hides)
_CHAIN_CHECKS: list[Callable[[Any], list[ChainBreak]]] = []


def register_chain_check(check: Callable[[Any], list[ChainBreak]]) -> None:
    if check not in _CHAIN_CHECKS:
        _CHAIN_CHECKS.append(check)


def verify_chain(conn) -> list[ChainBreak]:
    """Every place where the chain does not hold (empty list: intact), with what the
    registered checks add."""
    breaks = _links(conn)
    for check in _CHAIN_CHECKS:
        breaks += check(conn)
    return breaks


def _links(conn) -> list[ChainBreak]:
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = None
    for row in conn.execute(
            "SELECT seq, id, at, user_id, device_id, action, table_name, record_id, before,"
            " after, detail, prev_hash, hash FROM audit_log ORDER BY seq"):
        (seq, row_id, at, user_id, device_id, action, table_name, record_id, before, after,
         detail, prev_hash, digest) = row
        if expected_seq is not None and seq != expected_seq:
            breaks.append(ChainBreak(seq, "missing rows before this one"))
        expected_seq = seq + 1
        if prev_hash != prev:
            breaks.append(ChainBreak(seq, "previous hash does not match"))
        if row_hash(prev_hash, row_id, at, user_id, device_id, action, table_name, record_id,
                    before, after, detail) != digest:
            breaks.append(ChainBreak(seq, "row content was changed"))
        prev = digest
    return breaks
