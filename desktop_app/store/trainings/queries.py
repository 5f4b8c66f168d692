"""Trainings: reads for lists, a person's trainings, certificates and totals without
double counting."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from desktop_app.domain import trainings as dom
from desktop_app.i18n.formats import full_name
from desktop_app.store.db import dict_rows
from desktop_app.store.people.identity import identity_ids, resolve_person


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


def participant_for_identity(conn, event_id: str, person_id: str) -> str | None:
    """The participant record of this person (or anyone merged with them) in an event."""
    ids = identity_ids(conn, person_id)
    marks = ",".join("?" * len(ids))
    row = conn.execute(
        f"SELECT id FROM training_participant WHERE event_id=? AND deleted=0 "
        f"AND person_id IN ({marks}) LIMIT 1", (event_id, *ids)).fetchone()
    return row[0] if row else None


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
    return dict_rows(conn.execute(sql, args))


def sessions_of(conn, event_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT * FROM training_session WHERE event_id=? AND deleted=0 "
        "ORDER BY session_date, created_at", (event_id,)))


def last_session_date(conn, event_id: str) -> str | None:
    """The date of the training's last session (ISO), None without sessions."""
    row = conn.execute("SELECT MAX(session_date) FROM training_session"
                       " WHERE event_id=? AND deleted=0", (event_id,)).fetchone()
    return row[0] if row else None


def future_sessions(conn, session_ids, today: str) -> list[dict]:
    """The sessions among ``session_ids`` that take place after ``today`` (ISO)."""
    ids = list(dict.fromkeys(session_ids))
    if not ids:
        return []
    return dict_rows(conn.execute(
        f"SELECT id, session_date FROM training_session WHERE id IN ({','.join('?' * len(ids))})"
        " AND session_date > ? ORDER BY session_date", (*ids, today)))


def participants_of(conn, event_id: str) -> list[dict]:
    """Participants with their names as written, ordered by family and given name."""
    return dict_rows(conn.execute(
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
    return dict_rows(conn.execute(
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
    return dict_rows(conn.execute(
        f"SELECT o.*, e.course_code, e.start_date FROM training_outcome o "
        f"LEFT JOIN training_event e ON e.id = o.event_id "
        f"WHERE o.deleted=0 AND o.person_id IN ({marks}) "
        f"ORDER BY o.outcome_date DESC, o.created_at DESC", person_ids))


def outcomes_of_event(conn, event_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT o.*, pe.family_name, pe.given_name, pe.patronymic FROM training_outcome o "
        "LEFT JOIN person pe ON pe.id = o.person_id WHERE o.deleted=0 AND o.event_id=? "
        "ORDER BY o.outcome_date DESC", (event_id,)))


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
