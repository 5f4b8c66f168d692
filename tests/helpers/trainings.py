"""Small builders for training tests."""
from __future__ import annotations

from datetime import date, timedelta

from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts


def person(session, family, given, sex="female", **extra):
    return PersonRepository(session).create(
        {"family_name": family, "given_name": given, "sex": sex, **extra})


def event(session, course="siyb", sessions=10, minutes=240, start=date(2026, 3, 2), **extra):
    ev = tr.TrainingEventRepository(session).create(
        {"course_code": course, "start_date": start.isoformat(),
         "end_date": (start + timedelta(days=max(sessions - 1, 0))).isoformat(),
         "place": "Garm", **extra})
    ts.add_sessions(session, ev["id"], [start + timedelta(days=i) for i in range(sessions)],
                    minutes)
    return ev


def attend(session, event_id, participant_id, count):
    """Mark the first ``count`` sessions present and the rest absent."""
    sessions = tq.sessions_of(session.conn, event_id)
    cells = {(s["id"], participant_id): i < count for i, s in enumerate(sessions)}
    tr.TrainingAttendanceRepository(session).mark_many(event_id, cells)
