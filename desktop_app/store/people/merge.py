"""Merging duplicate people: a redirect, never a rewrite.

``merge(session, duplicate_id, survivor_id)`` sets the duplicate's ``merged_into`` to the
survivor through the person repository, so it is audited and syncs as a normal field
change. Cases, trainings and loans keep pointing at the record they were made for;
``store.people.identity.identity_ids`` gathers them under the survivor, and ``unmerge`` gives
each record its own back.
"""
from __future__ import annotations

from desktop_app.i18n import Domain
from desktop_app.store.people.identity import resolve_person
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import NotFound, ValidationError
from desktop_app.store.session import Session
from desktop_app.store.sync_state import messages as msg

DOMAIN = Domain("core")
_ = DOMAIN.gettext


class MergeError(ValidationError):
    def __init__(self, message: str):
        super().__init__({"merged_into": message})
        self.message = message

    def __str__(self) -> str:
        return self.message


def merge(session: Session, duplicate_id: str, survivor_id: str,
          pair_id: int | None = None) -> dict:
    """Redirect ``duplicate_id`` to ``survivor_id`` (audited; syncs)."""
    repo = PersonRepository(session)
    with session.transaction():
        repo.require(duplicate_id)
        repo.require(survivor_id)
        root = resolve_person(session.conn, survivor_id)
        if duplicate_id == survivor_id:
            raise MergeError(msg.cannot_merge_self())
        if root == duplicate_id:
            raise MergeError(msg.merge_cycle())
        record = repo.update(duplicate_id, {"merged_into": root})
        session.audit.record(session.actor.user_id, "person_merge", "person", duplicate_id,
                             detail={"survivor": root})
        _decide_pairs(session, duplicate_id, survivor_id, "merged", pair_id)
    return record


def unmerge(session: Session, person_id: str) -> dict:
    repo = PersonRepository(session)
    with session.transaction():
        before = repo.require(person_id)
        if not before.get("merged_into"):
            raise MergeError(msg.not_merged())
        record = repo.update(person_id, {"merged_into": None})
        session.audit.record(session.actor.user_id, "person_unmerge", "person", person_id,
                             detail={"was_merged_into": before["merged_into"]})
        session.conn.execute(
            "UPDATE sync_duplicate SET status='open', decided_at=NULL, decided_by=NULL "
            "WHERE status='merged' AND (person_a=? OR person_b=?)", (person_id, person_id))
    return record


def dismiss(session: Session, pair_id: int) -> None:
    """Not the same person: take the pair off the queue (audited). The decision a merge
    would be: the user must be allowed to change both people (their office's, for most
    roles)."""
    with session.transaction():
        pair = session.conn.execute("SELECT person_a, person_b FROM sync_duplicate WHERE id=?",
                                    (pair_id,)).fetchone()
        if pair is None:
            raise NotFound(_("The record was not found; it may have been deleted."))
        repo = PersonRepository(session)
        for person_id in pair:
            person = repo.get(person_id, include_deleted=True)
            if person is not None:
                session.require("update", "person", person)
        session.conn.execute(
            "UPDATE sync_duplicate SET status='dismissed', decided_at=datetime('now'),"
            " decided_by=? WHERE id=?", (session.actor.user_id, pair_id))
        session.audit.record(session.actor.user_id, "duplicate_dismiss", "person", None,
                             detail={"pair": pair_id})


def _decide_pairs(session, a, b, status, pair_id) -> None:
    if not _has_queue(session.conn):
        return
    if pair_id is not None:
        session.conn.execute("UPDATE sync_duplicate SET status=?, decided_at=datetime('now'),"
                             " decided_by=? WHERE id=?", (status, session.actor.user_id, pair_id))
        return
    first, second = sorted((a, b))
    session.conn.execute("UPDATE sync_duplicate SET status=?, decided_at=datetime('now'),"
                         " decided_by=? WHERE person_a=? AND person_b=?",
                         (status, session.actor.user_id, first, second))


def _has_queue(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name='sync_duplicate'").fetchone() \
        is not None
