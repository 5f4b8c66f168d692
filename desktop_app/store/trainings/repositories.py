"""Trainings: the repositories of events, sessions, participants, attendance and outcomes.

Every write goes through these repositories (audit log + change log). Derived columns
of ``training_participant`` (attended_sessions, attended_minutes, completed) are kept up to
date locally after every write, local or received by sync, so reports read plain columns.
Write operations over several records are in ``services``, reads in ``queries``.
"""
from __future__ import annotations

from datetime import date

from desktop_app.domain import trainings as dom
from desktop_app.domain.ids import stable_id
from desktop_app.i18n import Domain, format_date
from desktop_app.store.audit import utc_now
from desktop_app.store.repository import Repository, ValidationError
from desktop_app.store.trainings.queries import (
    course_rule,
    future_sessions,
    participant_for_identity,
)

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

EVENT_FIELDS = ("course_code", "title", "provider_type", "provider_name", "trainers",
                "funding_source", "district", "jamoat", "place", "start_date", "end_date",
                "language", "notes")
SESSION_FIELDS = ("event_id", "session_date", "minutes", "topic")
PARTICIPANT_FIELDS = ("event_id", "person_id", "completion_override", "override_reason",
                      "language", "certificate_number", "certificate_date", "notes")
ATTENDANCE_FIELDS = ("event_id", "session_id", "participant_id", "present")
OUTCOME_FIELDS = ("person_id", "event_id", "participant_id", "outcome", "outcome_date", "notes")


def attendance_id(session_id: str, participant_id: str) -> str:
    """The one record id of a grid cell, equal on every laptop."""
    return stable_id("training_attendance", f"{session_id}:{participant_id}")


# ---- derived completion ------------------------------------------------------------------
def recompute_participants(conn, participant_ids) -> None:
    """Refresh attended sessions/minutes and completion of these participants."""
    ids = [p for p in dict.fromkeys(participant_ids) if p]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        parts = conn.execute(
            f"SELECT p.id, p.event_id, p.completion_override, e.course_code "
            f"FROM training_participant p LEFT JOIN training_event e ON e.id = p.event_id "
            f"WHERE p.id IN ({marks})", chunk).fetchall()
        if not parts:
            continue
        attended = {r[0]: (r[1], r[2] or 0) for r in conn.execute(
            f"SELECT a.participant_id, count(*), sum(s.minutes) FROM training_attendance a "
            f"JOIN training_session s ON s.id = a.session_id AND s.deleted = 0 "
            f"WHERE a.participant_id IN ({marks}) AND a.present = 1 AND a.deleted = 0 "
            f"GROUP BY a.participant_id", chunk)}
        events = {p[1] for p in parts}
        emarks = ",".join("?" * len(events))
        totals = dict(conn.execute(
            f"SELECT event_id, count(*) FROM training_session WHERE deleted=0 "
            f"AND event_id IN ({emarks}) GROUP BY event_id", list(events)).fetchall())
        rules: dict = {}
        updates = []
        for pid, event_id, override, course in parts:
            if course not in rules:
                rules[course] = course_rule(conn, course)
            count, minutes = attended.get(pid, (0, 0))
            done = dom.completion_status(rules[course], count, totals.get(event_id, 0),
                                         minutes, override)
            updates.append((count, minutes, 1 if done else 0, pid))
        conn.executemany("UPDATE training_participant SET attended_sessions=?, "
                         "attended_minutes=?, completed=? WHERE id=?", updates)


def recompute_event(conn, event_id: str) -> None:
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM training_participant WHERE event_id=?", (event_id,))]
    recompute_participants(conn, ids)


# ---- repositories ---------------------------------------------------------------------
class TrainingEventRepository(Repository):
    table = "training_event"
    fields = EVENT_FIELDS

    validator = staticmethod(dom.validate_event)

    def after_write(self, record, before):
        if before is not None and before.get("course_code") != record.get("course_code"):
            recompute_event(self.conn, record["id"])

    def after_write_many(self, records):
        pass  # a new event has no participants yet


class TrainingSessionRepository(Repository):
    table = "training_session"
    fields = SESSION_FIELDS

    validator = staticmethod(dom.validate_session)

    def after_write(self, record, before):
        self.after_write_many([record])

    def after_write_many(self, records):
        for event_id in dict.fromkeys(r.get("event_id") for r in records):
            if event_id:
                recompute_event(self.conn, event_id)


class TrainingParticipantRepository(Repository):
    table = "training_participant"
    fields = PARTICIPANT_FIELDS

    def validate(self, values, existing):
        cleaned, errors = dom.validate_participant(values)
        if not errors and existing is None:
            taken = participant_for_identity(self.conn, cleaned["event_id"], cleaned["person_id"])
            if taken:
                errors["person_id"] = _("This person already takes part in this training.")
        if errors:
            raise ValidationError(errors)
        return cleaned

    def after_write(self, record, before):
        if before is None or any(record.get(k) != before.get(k) for k in (
                "completion_override", "event_id", "deleted")):
            recompute_participants(self.conn, [record["id"]])

    def after_write_many(self, records):
        recompute_participants(self.conn, [r["id"] for r in records])

    def set_override(self, participant_id: str, override: str | None,
                     reason: str | None = None) -> dict:
        """Decide completion by hand (a reason is required) or go back to the rule."""
        return self.update(participant_id, {"completion_override": override or None,
                                            "override_reason": reason if override else None})


class TrainingAttendanceRepository(Repository):
    table = "training_attendance"
    fields = ATTENDANCE_FIELDS
    defaults = {"present": 0}

    def validate(self, values, existing):
        errors = {}
        for name in ("event_id", "session_id", "participant_id"):
            if not values.get(name):
                errors[name] = _("Attendance belongs to a session and a participant.")
        if errors:
            raise ValidationError(errors)
        values["present"] = 1 if values.get("present") else 0
        return values

    def after_write(self, record, before):
        recompute_participants(self.conn, [record["participant_id"]])

    def after_write_many(self, records):
        recompute_participants(self.conn, [r["participant_id"] for r in records])

    def refuse_future(self, session_ids, today: date | None = None) -> None:
        """Attendance is what happened: a session after today cannot be marked yet."""
        day = (today or date.today()).isoformat()
        future = future_sessions(self.conn, session_ids, day)
        if future:
            raise ValidationError({"session_date": _(
                "The session of {date} has not taken place yet: attendance can be marked "
                "on the day of the session or later.").format(
                    date=format_date(future[0]["session_date"]))})

    def mark(self, event_id: str, session_id: str, participant_id: str, present: bool) -> dict:
        """Set one cell of the grid (creates its record the first time); a session after
        today is refused."""
        record_id = attendance_id(session_id, participant_id)
        self.refuse_future([session_id])
        with self.session.transaction():
            existing = self.get(record_id, include_deleted=True)
            if existing is None:
                return self.create({"event_id": event_id, "session_id": session_id,
                                    "participant_id": participant_id,
                                    "present": 1 if present else 0}, record_id=record_id)
            value = 1 if present else 0
            if existing["deleted"]:
                # a cell deleted elsewhere comes back, logged like any other write
                self.session.require("update", self.table, existing)
                return self._write_local(record_id, existing, {
                    "present": value, "deleted": 0, "updated_at": utc_now(),
                    "updated_by": self.session.actor.user_id}, "update")
            return self.update(record_id, {"present": value})

    def mark_many(self, event_id: str, cells: dict[tuple[str, str], bool]) -> int:
        """Set many cells ((session_id, participant_id) -> present) in one transaction;
        sessions after today are refused (nothing is written)."""
        self.refuse_future([session_id for session_id, _participant in cells])
        written = 0
        with self.session.transaction():
            current = {(r[0], r[1]): r[2] for r in self.conn.execute(
                "SELECT session_id, participant_id, present FROM training_attendance "
                "WHERE event_id=? AND deleted=0", (event_id,))}
            new_rows = []
            for (session_id, participant_id), present in cells.items():
                value = 1 if present else 0
                key = (session_id, participant_id)
                if key in current:
                    if current[key] != value:
                        self.update(attendance_id(session_id, participant_id), {"present": value})
                        written += 1
                elif self.get(attendance_id(*key), include_deleted=True) is None:
                    new_rows.append({"id": attendance_id(*key), "event_id": event_id,
                                     "session_id": session_id,
                                     "participant_id": participant_id, "present": value})
                else:
                    self.mark(event_id, session_id, participant_id, present)
                    written += 1
            written += self.create_many(new_rows)
        return written


class TrainingOutcomeRepository(Repository):
    table = "training_outcome"
    fields = OUTCOME_FIELDS

    validator = staticmethod(dom.validate_outcome)
