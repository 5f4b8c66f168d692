"""Trainings: events, sessions, participants, attendance, outcomes; totals without double counting.

Every write goes through the repositories below (audit log + change log). Derived columns
of ``training_participant`` (attended_sessions, attended_minutes, completed) are kept up to
date locally after every write, local or received by sync, so reports read plain columns.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from desktop_app.domain import trainings as dom
from desktop_app.domain.ids import stable_id
from desktop_app.i18n import Domain
from desktop_app.store import reference
from desktop_app.store.audit import utc_now
from desktop_app.store.people.identity import identity_ids, resolve_person
from desktop_app.store.repository import Repository, ValidationError
from desktop_app.store.sequences import next_number

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

CERTIFICATE_SEQUENCE = "CRT"

EVENT_FIELDS = ("course_code", "title", "provider_type", "provider_name", "trainers",
                "funding_source", "district", "jamoat", "place", "start_date", "end_date",
                "language", "notes")
SESSION_FIELDS = ("event_id", "session_date", "minutes", "topic")
PARTICIPANT_FIELDS = ("event_id", "person_id", "completion_override", "override_reason",
                      "language", "certificate_number", "certificate_date", "notes")
ATTENDANCE_FIELDS = ("event_id", "session_id", "participant_id", "present")
OUTCOME_FIELDS = ("person_id", "event_id", "participant_id", "outcome", "outcome_date", "notes")


def _rows(cur) -> list[dict]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]


def attendance_id(session_id: str, participant_id: str) -> str:
    """The one record id of a grid cell, equal on every laptop."""
    return stable_id("training_attendance", f"{session_id}:{participant_id}")


# ---- course rules -----------------------------------------------------------------------
def course_rule(conn, course_code: str | None) -> dom.CompletionRule:
    row = conn.execute("SELECT attributes FROM reference_item WHERE kind='course' AND code=?",
                       (course_code,)).fetchone()
    try:
        return dom.CompletionRule.from_attributes(row[0] if row else None)
    except (ValueError, TypeError, json.JSONDecodeError):
        return dom.CompletionRule.from_attributes(None)


def course_attributes(conn, course_code: str | None) -> dict:
    row = conn.execute("SELECT attributes FROM reference_item WHERE kind='course' AND code=?",
                       (course_code,)).fetchone()
    try:
        return json.loads(row[0]) if row else {}
    except json.JSONDecodeError:
        return {}


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
        errors["completion"] = _("The share of sessions is a number from 0 to 1, e.g. 0.8.")
        parsed = None
    if errors:
        raise ValidationError(errors)
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

    def for_event(self, event_id: str) -> list[dict]:
        return sessions_of(self.conn, event_id)


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

    def mark(self, event_id: str, session_id: str, participant_id: str, present: bool) -> dict:
        """Set one cell of the grid (creates its record the first time)."""
        record_id = attendance_id(session_id, participant_id)
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
        """Set many cells ((session_id, participant_id) -> present) in one transaction."""
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


def delete_event(session, event_id: str) -> None:
    """Delete a training with its sessions, participants, attendance and outcomes (tombstones)."""
    conn = session.conn
    with session.transaction():
        for repo_class, sql in (
                (TrainingOutcomeRepository, "SELECT id FROM training_outcome WHERE event_id=?"),
                (TrainingAttendanceRepository, "SELECT id FROM training_attendance WHERE event_id=?"),
                (TrainingParticipantRepository, "SELECT id FROM training_participant WHERE event_id=?"),
                (TrainingSessionRepository, "SELECT id FROM training_session WHERE event_id=?")):
            repo = repo_class(session)
            for (record_id,) in conn.execute(sql + " AND deleted=0", (event_id,)).fetchall():
                repo.delete(record_id)
        TrainingEventRepository(session).delete(event_id)


# ---- reading ----------------------------------------------------------------------------
def participant_for_identity(conn, event_id: str, person_id: str) -> str | None:
    """The participant record of this person (or anyone merged with them) in an event."""
    ids = identity_ids(conn, person_id)
    marks = ",".join("?" * len(ids))
    row = conn.execute(
        f"SELECT id FROM training_participant WHERE event_id=? AND deleted=0 "
        f"AND person_id IN ({marks}) LIMIT 1", (event_id, *ids)).fetchone()
    return row[0] if row else None


def add_participant(session, event_id: str, person_id: str, language: str | None = None) -> dict:
    return TrainingParticipantRepository(session).create(
        {"event_id": event_id, "person_id": person_id, "language": language})


def add_sessions(session, event_id: str, dates: list, minutes: int) -> list[dict]:
    repo = TrainingSessionRepository(session)
    with session.transaction():
        return [repo.create({"event_id": event_id, "session_date": d, "minutes": minutes})
                for d in dates]


def list_events(conn, *, text: str | None = None, limit: int | None = None) -> list[dict]:
    sql = ("SELECT e.*, (SELECT count(*) FROM training_participant p WHERE p.event_id=e.id "
           "AND p.deleted=0) AS participants, (SELECT count(*) FROM training_participant p "
           "WHERE p.event_id=e.id AND p.deleted=0 AND p.completed=1) AS completed_count, "
           "(SELECT count(*) FROM training_session s WHERE s.event_id=e.id AND s.deleted=0) "
           "AS sessions FROM training_event e WHERE e.deleted=0")
    args: list = []
    if text:
        sql += " AND (e.title LIKE ? OR e.place LIKE ? OR e.provider_name LIKE ?)"
        args += [f"%{text}%"] * 3
    sql += " ORDER BY e.start_date DESC, e.created_at DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _rows(conn.execute(sql, args))


def sessions_of(conn, event_id: str) -> list[dict]:
    return _rows(conn.execute(
        "SELECT * FROM training_session WHERE event_id=? AND deleted=0 "
        "ORDER BY session_date, created_at", (event_id,)))


def participants_of(conn, event_id: str) -> list[dict]:
    """Participants with their names as written, ordered by family and given name."""
    return _rows(conn.execute(
        "SELECT p.*, pe.family_name, pe.given_name, pe.patronymic, pe.sex, pe.birth_date "
        "FROM training_participant p LEFT JOIN person pe ON pe.id = p.person_id "
        "WHERE p.event_id=? AND p.deleted=0 "
        "ORDER BY pe.family_name COLLATE NOCASE, pe.given_name COLLATE NOCASE, p.created_at",
        (event_id,)))


def attendance_of(conn, event_id: str) -> dict[tuple[str, str], int]:
    """(participant_id, session_id) -> present for the marked cells of an event."""
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT participant_id, session_id, present FROM training_attendance "
        "WHERE event_id=? AND deleted=0", (event_id,))}


def full_name(row: dict) -> str:
    """The name exactly as written: family, given, patronymic."""
    return " ".join(p for p in (row.get("family_name"), row.get("given_name"),
                                row.get("patronymic")) if p)


@dataclass
class Totals:
    """Totals of one or more trainings; each person (merged records as one) counts once."""
    trainings: int = 0
    sessions: int = 0
    participant_records: int = 0
    people: int = 0
    women: int = 0
    men: int = 0
    completed: int = 0
    completed_women: int = 0
    people_by_funding: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)    # outcome code -> people

    @property
    def completion_rate(self) -> Fraction | None:
        return Fraction(self.completed, self.people) if self.people else None

    @property
    def women_share(self) -> Fraction | None:
        return Fraction(self.women, self.people) if self.people else None


def _roots(conn, person_ids) -> dict[str, str]:
    cache: dict[str, str] = {}
    for pid in person_ids:
        if pid not in cache:
            cache[pid] = resolve_person(conn, pid)
    return cache


def totals(conn, *, event_ids: list[str] | None = None, start: str | None = None,
           end: str | None = None, funding_source: str | None = None,
           office_id: str | None = None) -> Totals:
    """Count trainings, people, women, completion and outcomes without double counting.

    A person counts once overall and once per funding source, however many trainings or
    participant records (merged duplicates included) they have; they count as completed
    when they completed at least one of the counted trainings.
    """
    where, args = ["e.deleted=0"], []
    if event_ids is not None:
        if not event_ids:
            return Totals()
        where.append(f"e.id IN ({','.join('?' * len(event_ids))})")
        args += list(event_ids)
    if start:
        where.append("e.start_date >= ?")
        args.append(start)
    if end:
        where.append("e.start_date <= ?")
        args.append(end)
    if funding_source:
        where.append("e.funding_source = ?")
        args.append(funding_source)
    if office_id:
        where.append("e.office_id = ?")
        args.append(office_id)
    cond = " AND ".join(where)
    events = [r[0] for r in conn.execute(f"SELECT e.id FROM training_event e WHERE {cond}", args)]
    result = Totals(trainings=len(events))
    if not events:
        return result
    result.sessions = conn.execute(
        f"SELECT count(*) FROM training_session s JOIN training_event e ON e.id=s.event_id "
        f"WHERE s.deleted=0 AND {cond}", args).fetchone()[0]
    rows = conn.execute(
        f"SELECT p.person_id, p.completed, e.funding_source FROM training_participant p "
        f"JOIN training_event e ON e.id = p.event_id WHERE p.deleted=0 AND {cond}",
        args).fetchall()
    result.participant_records = len(rows)
    roots = _roots(conn, [r[0] for r in rows])
    people: dict[str, bool] = {}
    by_funding: dict[str, set] = defaultdict(set)
    for person_id, completed, funding in rows:
        root = roots[person_id]
        people[root] = people.get(root, False) or bool(completed)
        by_funding[funding or ""].add(root)
    result.people = len(people)
    result.completed = sum(people.values())
    result.people_by_funding = {k: len(v) for k, v in sorted(by_funding.items())}
    sexes = {}
    ids = list(people)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        sexes.update(conn.execute(
            f"SELECT id, sex FROM person WHERE id IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    result.women = sum(1 for p in people if sexes.get(p) == "female")
    result.men = sum(1 for p in people if sexes.get(p) == "male")
    result.completed_women = sum(1 for p, done in people.items()
                                 if done and sexes.get(p) == "female")
    outcome_rows = conn.execute(
        f"SELECT o.person_id, o.outcome FROM training_outcome o "
        f"WHERE o.deleted=0 AND o.event_id IN (SELECT e.id FROM training_event e WHERE {cond})",
        args).fetchall()
    o_roots = _roots(conn, [r[0] for r in outcome_rows])
    seen = set()
    counter: Counter = Counter()
    for person_id, outcome in outcome_rows:
        key = (o_roots[person_id], outcome)
        if key not in seen:
            seen.add(key)
            counter[outcome] += 1
    result.outcomes = {code: counter.get(code, 0) for code in dom.OUTCOMES}
    return result


def trainings_of_person(conn, person_ids: list[str]) -> list[dict]:
    """Trainings of a person (all their merged records), newest first."""
    if not person_ids:
        return []
    marks = ",".join("?" * len(person_ids))
    return _rows(conn.execute(
        f"SELECT p.id AS participant_id, p.completed, p.attended_sessions, p.certificate_number,"
        f" p.completion_override, e.id AS event_id, e.course_code, e.title, e.start_date, "
        f"e.end_date, e.place, (SELECT count(*) FROM training_session s WHERE "
        f"s.event_id = e.id AND s.deleted=0) AS sessions FROM training_participant p "
        f"JOIN training_event e ON e.id = p.event_id AND e.deleted=0 "
        f"WHERE p.deleted=0 AND p.person_id IN ({marks}) ORDER BY e.start_date DESC",
        person_ids))


def outcomes_of_person(conn, person_ids: list[str]) -> list[dict]:
    if not person_ids:
        return []
    marks = ",".join("?" * len(person_ids))
    return _rows(conn.execute(
        f"SELECT o.*, e.course_code, e.start_date FROM training_outcome o "
        f"LEFT JOIN training_event e ON e.id = o.event_id "
        f"WHERE o.deleted=0 AND o.person_id IN ({marks}) "
        f"ORDER BY o.outcome_date DESC, o.created_at DESC", person_ids))


def outcomes_of_event(conn, event_id: str) -> list[dict]:
    return _rows(conn.execute(
        "SELECT o.*, pe.family_name, pe.given_name, pe.patronymic FROM training_outcome o "
        "LEFT JOIN person pe ON pe.id = o.person_id WHERE o.deleted=0 AND o.event_id=? "
        "ORDER BY o.outcome_date DESC", (event_id,)))


# ---- certificates -----------------------------------------------------------------------
def issue_certificates(session, participant_ids: list[str], issued: date | None = None) -> list[dict]:
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
            if not row.get("certificate_number"):
                number = next_number(session, CERTIFICATE_SEQUENCE, issued.year)
                row = repo.update(pid, {"certificate_number": number,
                                        "certificate_date": issued.isoformat()})
            out.append(row)
    return out


def certificate_data(conn, participant_ids: list[str]) -> list[dict]:
    """Everything a certificate prints, per participant (names exactly as written)."""
    found: dict[str, tuple] = {}
    ids = list(participant_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in conn.execute(
                "SELECT p.id, p.person_id, p.language, p.certificate_number, p.certificate_date, "
                "p.completed, e.id, e.course_code, e.title, e.start_date, e.end_date, e.place, "
                "e.provider_name, e.language, e.district, pe.family_name, pe.given_name, "
                "pe.patronymic FROM training_participant p JOIN training_event e ON "
                f"e.id = p.event_id LEFT JOIN person pe ON pe.id = p.person_id WHERE p.id IN "
                f"({','.join('?' * len(chunk))})", chunk):
            found[row[0]] = row
    minutes_of: dict[str, int] = {}
    out = []
    for pid in ids:
        row = found.get(pid)
        if row is None:
            continue
        if row[6] not in minutes_of:
            minutes_of[row[6]] = conn.execute(
                "SELECT coalesce(sum(minutes), 0) FROM training_session WHERE event_id=? "
                "AND deleted=0", (row[6],)).fetchone()[0]
        out.append({
            "participant_id": row[0], "person_id": row[1],
            "language": row[2] or row[13] or "ru", "number": row[3], "issued": row[4],
            "completed": row[5], "event_id": row[6], "course_code": row[7], "title": row[8],
            "start_date": row[9], "end_date": row[10], "place": row[11], "provider": row[12],
            "district": row[14],
            "name": full_name({"family_name": row[15], "given_name": row[16],
                               "patronymic": row[17]}),
            "minutes": minutes_of[row[6]],
        })
    return out
