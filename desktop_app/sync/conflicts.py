"""The conflict list: same-field concurrent edits, reviewed by a person.

Keeping the winner closes the entry; taking the other value writes it again as a new
local change (later than both), which syncs onward and supersedes the conflict on every
replica that receives it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from desktop_app.store.audit import utc_now
from desktop_app.store.repository import NotFound, Repository
from desktop_app.store.security import sensitive
from desktop_app.store.session import PermissionDenied, Session
from desktop_app.store.sync_state import messages as msg
from desktop_app.sync.scope import load_repositories


@dataclass
class Conflict:
    id: int
    table_name: str
    record_id: str
    field: str
    winner_value: object
    winner_hlc: str
    winner_author: str | None
    loser_value: object
    loser_hlc: str
    loser_author: str | None
    found_at: str
    status: str

    @property
    def winner_time(self) -> datetime | None:
        return hlc_time(self.winner_hlc)

    @property
    def loser_time(self) -> datetime | None:
        return hlc_time(self.loser_hlc)


def hlc_time(stamp: str) -> datetime | None:
    """The moment (UTC) of a clock string; screens show it with ``i18n.format_datetime``."""
    try:
        ms = int(stamp.split(".", 1)[0])
    except ValueError:
        return None
    if ms == 0:
        return None
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


def list_conflicts(conn, status: str | None = "open", limit: int = 1000) -> list[Conflict]:
    sql = ("SELECT id, table_name, record_id, field, winner_value, winner_hlc, winner_author,"
           " loser_value, loser_hlc, loser_author, found_at, status FROM sync_conflict")
    args: list = []
    if status:
        sql += " WHERE status=?"
        args.append(status)
    sql += " ORDER BY id DESC LIMIT ?"
    args.append(limit)
    return [Conflict(r[0], r[1], r[2], r[3], json.loads(r[4]) if r[4] else None, r[5], r[6],
                     json.loads(r[7]) if r[7] else None, r[8], r[9], r[10], r[11])
            for r in conn.execute(sql, args)]


def get(conn, conflict_id: int) -> Conflict | None:
    for c in list_conflicts(conn, status=None, limit=10 ** 9):
        if c.id == conflict_id:
            return c
    return None


def resolve(session: Session, conflict_id: int, *, take_other: bool) -> None:
    """Keep the current (winning) value, or write the other one as a new change."""
    conn = session.conn
    conflict = get(conn, conflict_id)
    if conflict is None or conflict.status != "open":
        raise NotFound(msg.conflict_not_open())
    load_repositories()
    with session.transaction():
        if take_other:
            repo = Repository.for_table(conflict.table_name)(session)
            record = repo.get(conflict.record_id, include_deleted=True)
            if record is None:
                raise NotFound(msg.record_gone())
            if conflict.field == "deleted":
                conn_value = conflict.loser_value
                if conn_value:
                    repo.delete(conflict.record_id)
                else:
                    _undelete(repo, conflict.record_id)
            elif conflict.field == "office_id":
                _write_standard(repo, conflict.record_id, "office_id", conflict.loser_value)
            else:
                if conflict.field not in sensitive.keep_sealed(
                        session, conflict.table_name, record,
                        {conflict.field: conflict.loser_value}):
                    # the value now held is sealed and this user cannot open it: the
                    # update would leave it as it is, and the conflict is not settled
                    raise PermissionDenied(msg.conflict_sealed())
                repo.update(conflict.record_id, {conflict.field: conflict.loser_value})
        conn.execute("UPDATE sync_conflict SET status=?, resolved_at=?, resolved_by=? WHERE id=?",
                     ("taken" if take_other else "kept", utc_now(), session.actor.user_id,
                      conflict_id))
        session.audit.record(session.actor.user_id, "sync_conflict_resolve",
                             conflict.table_name, conflict.record_id,
                             detail={"field": conflict.field, "take_other": take_other,
                                     "kept": conflict.loser_value if take_other
                                     else conflict.winner_value})


def _undelete(repo: Repository, record_id: str) -> None:
    _write_standard(repo, record_id, "deleted", 0)


def _write_standard(repo: Repository, record_id: str, name: str, value) -> None:
    before = repo.get(record_id, include_deleted=True)
    if before is None:
        raise NotFound(msg.record_gone())
    session = repo.session
    repo._write_local(record_id, before, {name: value, "updated_at": utc_now(),
                                          "updated_by": session.actor.user_id}, "update")


# ---- texts of sensitive cases in conflict (store.security.sensitive) ----------------------
def is_sensitive_text(conn, table: str, record_id: str, field: str) -> bool:
    """True when the conflict is about a text sealed on a sensitive case, its values
    sealed or not: shown only to the roles that read sensitive cases."""
    return sensitive.conflict_is_sensitive(conn, table, record_id, field)


def seal_sensitive_values(conn, bundle_id: str | None = None) -> int:
    """The plain values of sensitive texts in one import's conflicts, sealed on arrival
    when this database has the key."""
    return sensitive.seal_conflicts(conn, bundle_id)
