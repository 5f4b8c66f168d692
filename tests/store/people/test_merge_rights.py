"""A duplicate pair is taken off the queue ("not the same person") only by a user who may
change both people, as a merge would need: another office's pair stays where it is."""
from __future__ import annotations

import pytest

from desktop_app.store.people import merge
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import NotFound
from desktop_app.store.security.policy import RolePolicy
from desktop_app.store.session import Actor, PermissionDenied, Session

OTHER = "another-office"


def _as(session, role: str, office: str | None) -> Session:
    user = Actor(user_id=f"u-{role}", username=role, role=role, office_id=office)
    other = Session(session.conn, user)
    other.policy = RolePolicy(session.conn, other.granted_reasons)
    return other


def _pair(session, a_office: str, b_office: str) -> int:
    repo = PersonRepository(session)
    a = repo.create({"family_name": "Раҳмонов", "given_name": "Фарҳод",
                     "office_id": a_office})
    b = repo.create({"family_name": "Rahmonov", "given_name": "Farhod", "office_id": b_office})
    first, second = sorted((a["id"], b["id"]))
    return session.conn.execute(
        "INSERT INTO sync_duplicate(person_a, person_b, score, found_at) "
        "VALUES (?, ?, 90, '2026-12-07T10:00:00Z')", (first, second)).lastrowid


def _status(session, pair_id: int) -> str:
    return session.conn.execute("SELECT status FROM sync_duplicate WHERE id=?",
                                (pair_id,)).fetchone()[0]


def test_a_pair_of_another_office_is_not_dismissed_by_an_officer(session):
    own = session.office_id
    theirs = _pair(session, own, OTHER)
    ours = _pair(session, own, own)
    officer = _as(session, "field_officer", own)
    audit_rows = session.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(PermissionDenied):
        merge.dismiss(officer, theirs)
    assert _status(session, theirs) == "open"
    assert session.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows
    merge.dismiss(officer, ours)
    assert _status(session, ours) == "dismissed"
    # the coordinator decides for every office
    merge.dismiss(_as(session, "coordinator", own), theirs)
    assert _status(session, theirs) == "dismissed"


def test_a_pair_that_is_not_there_is_reported(session):
    with pytest.raises(NotFound):
        merge.dismiss(session, 12345)
