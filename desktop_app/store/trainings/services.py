"""Trainings: write operations over several records, as functions taking the session."""
from __future__ import annotations

import json
from datetime import date

from desktop_app.domain import trainings as dom
from desktop_app.domain.ids import stable_id
from desktop_app.i18n import Domain, format_date
from desktop_app.store import reference
from desktop_app.store.repository import ValidationError
from desktop_app.store.sequences import next_number
from desktop_app.store.trainings.queries import last_session_date
from desktop_app.store.trainings.repositories import (
    TrainingAttendanceRepository,
    TrainingEventRepository,
    TrainingOutcomeRepository,
    TrainingParticipantRepository,
    TrainingSessionRepository,
    recompute_event,
)

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

CERTIFICATE_SEQUENCE = "CRT"


def save_course(session, code: str, labels: dict[str, str], *, topic: str | None = None,
                provider_type: str | None = None, default_sessions: int | None = None,
                default_minutes: int | None = None, min_share_sessions=None,
                min_sessions: int | None = None, min_hours=None, sort_order: int = 100,
                active: bool = True) -> dict:
    """Create or change a course (reference data an administrator extends)."""
    errors = {}
    code = (code or "").strip().lower()
    if not code or not all(c.isalnum() or c == "_" for c in code):
        errors["code"] = _("The course code may use only letters, digits and _.")
    for lang in ("en", "ru", "tg", "uz"):
        if not (labels.get(lang) or "").strip():
            errors["label_" + lang] = _("Enter the course name in every language.")
    rule = {"min_share_sessions": min_share_sessions, "min_sessions": min_sessions,
            "min_hours": min_hours}
    try:
        parsed = dom.CompletionRule.from_attributes({k: v for k, v in rule.items()
                                                     if v not in (None, "")})
    except (ValueError, TypeError):
        errors["completion"] = dom.share_example()
        parsed = None
    if errors:
        raise ValidationError(errors)
    assert parsed is not None  # a rule that did not parse is in errors
    attributes = {"topic": topic, "provider_type": provider_type,
                  "default_sessions": default_sessions, "default_minutes": default_minutes,
                  "completion": parsed.to_attributes()}
    attributes = {k: v for k, v in attributes.items() if v not in (None, "")}
    values = {"kind": "course", "code": code, "parent_code": None,
              "label_en": labels["en"].strip(), "label_ru": labels["ru"].strip(),
              "label_tg": labels["tg"].strip(), "label_uz": labels["uz"].strip(),
              "sort_order": sort_order, "active": 1 if active else 0,
              "attributes": json.dumps(attributes, ensure_ascii=False, sort_keys=True)}
    repo = reference.ReferenceRepository(session)
    row = session.conn.execute("SELECT id FROM reference_item WHERE kind='course' AND code=?",
                               (code,)).fetchone()
    with session.transaction():
        if row:
            record = repo.update(row[0], {k: v for k, v in values.items()
                                          if k not in ("kind", "code")})
            for (event_id,) in session.conn.execute(
                    "SELECT id FROM training_event WHERE course_code=? AND deleted=0",
                    (code,)).fetchall():
                recompute_event(session.conn, event_id)
            return record
        return repo.create(values, record_id=stable_id("reference", f"course:{code}"))


def delete_event(session, event_id: str) -> None:
    """Delete a training with its sessions, participants, attendance and outcomes (tombstones)."""
    conn = session.conn
    with session.transaction():
        for repo_class, sql in (
                (TrainingOutcomeRepository, "SELECT id FROM training_outcome WHERE event_id=?"),
                (TrainingAttendanceRepository,
                 "SELECT id FROM training_attendance WHERE event_id=?"),
                (TrainingParticipantRepository,
                 "SELECT id FROM training_participant WHERE event_id=?"),
                (TrainingSessionRepository, "SELECT id FROM training_session WHERE event_id=?")):
            repo = repo_class(session)
            for (record_id,) in conn.execute(sql + " AND deleted=0", (event_id,)).fetchall():
                repo.delete(record_id)
        TrainingEventRepository(session).delete(event_id)


def add_participant(session, event_id: str, person_id: str, language: str | None = None) -> dict:
    return TrainingParticipantRepository(session).create(
        {"event_id": event_id, "person_id": person_id, "language": language})


def add_sessions(session, event_id: str, dates: list, minutes: int) -> list[dict]:
    repo = TrainingSessionRepository(session)
    with session.transaction():
        return [repo.create({"event_id": event_id, "session_date": d, "minutes": minutes})
                for d in dates]


def certificates_wait_until(conn, event_id: str, today: date | None = None) -> str | None:
    """The date of the training's last session when it is after ``today`` (certificates
    wait for it), else None."""
    last = last_session_date(conn, event_id)
    day = (today or date.today()).isoformat()
    return last if last and last > day else None


def refuse_before_the_end(conn, event_id: str, issued: date) -> None:
    last = certificates_wait_until(conn, event_id, issued)
    if last:
        raise ValidationError({"certificate_date": _(
            "Certificates can be issued once the training is over: its last session is "
            "on {date}.").format(date=format_date(last))})


def issue_certificates(session, participant_ids: list[str],
                       issued: date | None = None) -> list[dict]:
    """Give each completed participant a certificate number (kept if they already have one).

    Runs in one transaction; participants who did not complete are left out. Returns the
    participant rows (with names) in the order given.
    """
    issued = issued or date.today()
    repo = TrainingParticipantRepository(session)
    out = []
    with session.transaction():
        for pid in participant_ids:
            row = repo.get(pid)
            if row is None or not row["completed"]:
                continue
            refuse_before_the_end(session.conn, row["event_id"], issued)
            if not row.get("certificate_number"):
                number = next_number(session, CERTIFICATE_SEQUENCE, issued.year)
                row = repo.update(pid, {"certificate_number": number,
                                        "certificate_date": issued.isoformat()})
            out.append(row)
    return out
