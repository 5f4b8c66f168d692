"""Demo trainings: courses run by the office over two years, with attendance and outcomes.

Uses the people already in the demo database (the people generator runs first). About
20 participants per training (women mostly in household budgeting, men in bricklaying and
welding), attendance by each participant's reliability, a few completions decided by hand,
certificates for those who completed, and dated follow-up outcomes months later.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import accumulate

from desktop_app.demo import DemoGenerator, LocalNumbers
from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store import reference
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

DEFAULT_TRAININGS = 60
WOMEN_SHARE = {"household_budget": 0.9, "siyb": 0.5, "bricklaying": 0.05, "welding": 0.05,
               "pre_departure": 0.25, "anti_trafficking": 0.4, "beekeeping": 0.45,
               "hotline_operator": 0.6}
COURSE_WEIGHT = {"siyb": 6, "household_budget": 5, "pre_departure": 6, "bricklaying": 3,
                 "welding": 3, "beekeeping": 2, "anti_trafficking": 1, "hotline_operator": 1}
OUTCOME_WEIGHT = {"job_home": 25, "migrated_contract": 20, "business_started": 15,
                  "loan_received": 10, "none_yet": 30}
OUTCOMES = list(OUTCOME_WEIGHT)
OUTCOME_CUM_WEIGHTS = list(accumulate(OUTCOME_WEIGHT.values()))
TRAINERS = ("Гулнора Саидова", "Фарҳод Назаров", "Dilnoza Karimova", "Умед Шарипов",
            "Малика Ҳасанова", "Jamshid Yusupov")
PROVIDERS = {"jrc": "JRC", "trade_union": "ФНПТ / FITU",
             "vocational_centre": "Маркази таълими касбӣ", "ngo": "ҶҶ «Ҳамроҳ»",
             "international": "ILO / IOM", "government": "Вазорати меҳнат"}
OVERRIDE_REASONS = ("Attended the make-up sessions", "Left for Russia before the last week",
                    "Passed the final test", "Was ill; the trainer confirmed the work")


def add_arguments(parser) -> None:
    parser.add_argument("--trainings", type=int, default=DEFAULT_TRAININGS, metavar="N",
                        help=_("number of demo trainings (default: {count})").format(
                            count=DEFAULT_TRAININGS))


def _people(conn, rng: random.Random, wanted: int) -> dict[str, list[str]]:
    """A random pool of people by sex, fetched by rowid (no full scan on big databases)."""
    top = conn.execute("SELECT max(rowid) FROM person").fetchone()[0] or 0
    pool: dict[str, list[str]] = {"female": [], "male": []}
    if not top:
        return pool
    rowids = sorted({rng.randint(1, top) for _i in range(min(wanted * 3, top * 2))})
    for start in range(0, len(rowids), 900):
        chunk = rowids[start:start + 900]
        for pid, sex in conn.execute(
                f"SELECT id, sex FROM person WHERE rowid IN ({','.join('?' * len(chunk))}) "
                "AND deleted=0 AND merged_into IS NULL", chunk):
            pool["female" if sex == "female" else "male"].append(pid)
    return pool


CHUNK = 100   # trainings written per transaction


def generate(session, args, rng: random.Random, progress) -> int:
    total = max(0, int(getattr(args, "trainings", DEFAULT_TRAININGS) or 0))
    conn = session.conn
    pool = _people(conn, rng, total * 22)
    if not total or not (pool["female"] or pool["male"]):
        return 0
    courses = {i.code: i for i in reference.items(conn, "course")}
    codes = [c for c in COURSE_WEIGHT if c in courses]
    course_weights = list(accumulate(COURSE_WEIGHT[c] for c in codes))
    funding = [i.code for i in reference.items(conn, "funding_source")]
    office = conn.execute("SELECT district, jamoat FROM office WHERE id=?",
                          (session.office_id,)).fetchone() or (None, None)
    jamoats = [i.code for i in reference.items(conn, "jamoat", office[0])] if office[0] else []
    places = {j: reference.label(conn, "jamoat", j, "tg") for j in jamoats}
    today = date.today()
    progress("trainings", 0, total)
    for first in range(0, total, CHUNK):
        batch = _Batch()
        for _n in range(first, min(total, first + CHUNK)):
            course = rng.choices(codes, cum_weights=course_weights)[0]
            batch.training(rng, courses, course, funding, office[0], places, pool, today)
        batch.write(session, rng, today)
        progress("trainings", min(total, first + CHUNK), total)
    return total


def _pick_participants(rng, pool, women: float, size: int) -> list[str]:
    """Up to ``size`` different people, each a woman with probability ``women``."""
    chosen: list[str] = []
    seen: set[str] = set()
    for _i in range(size * 2):
        sex = "female" if rng.random() < women else "male"
        group = pool[sex] or pool["female"] or pool["male"]
        pid = rng.choice(group)
        if pid not in seen:
            seen.add(pid)
            chosen.append(pid)
        if len(chosen) >= size:
            break
    return chosen


class _Batch:
    """The rows of a chunk of trainings, written together: events, sessions, participants
    and attendance in one statement each, then completions decided by hand, certificates
    for those who completed and dated follow-up outcomes."""

    def __init__(self):
        self.events: list[dict] = []
        self.sessions: list[dict] = []
        self.participants: list[dict] = []
        self.cells: list[dict] = []
        # per training: (event id, last day, its participants, all its sessions are past)
        self.trainings: list[tuple[str, date, list[dict], bool]] = []

    def training(self, rng, courses, code, funding, district, places, pool, today) -> None:
        attrs = courses[code].attributes
        n_sessions = max(1, int(attrs.get("default_sessions", 5)) + rng.randint(-1, 1))
        minutes = int(attrs.get("default_minutes", 240))
        start = today - timedelta(days=rng.randint(0, 730))
        gap = 7 if n_sessions <= 6 and rng.random() < 0.4 else 1
        dates = [start + timedelta(days=i * gap) for i in range(n_sessions)]
        provider_type = attrs.get("provider_type") or "jrc"
        jamoat = rng.choice(list(places)) if places else None
        language = rng.choices(["tg", "ru", "uz"], cum_weights=(70, 95, 100))[0]
        event_id = new_id()
        self.events.append({
            "id": event_id, "course_code": code, "provider_type": provider_type,
            "provider_name": PROVIDERS.get(provider_type), "trainers": rng.choice(TRAINERS),
            "funding_source": rng.choice(funding) if funding else None, "district": district,
            "jamoat": jamoat, "place": places[jamoat] if jamoat else None,
            "start_date": dates[0].isoformat(), "end_date": dates[-1].isoformat(),
            "language": language})
        sessions = [{"id": new_id(), "event_id": event_id, "session_date": d.isoformat(),
                     "minutes": minutes} for d in dates]
        self.sessions.extend(sessions)
        size = rng.randint(12, 25)
        chosen = _pick_participants(rng, pool, WOMEN_SHARE.get(code, 0.5), size)
        participants = [{"id": new_id(), "event_id": event_id, "person_id": pid,
                         "language": rng.choices([None, "ru", "uz"],
                                                 cum_weights=(85, 95, 100))[0]}
                        for pid in chosen]
        self.participants.extend(participants)
        past = [s for s in sessions if s["session_date"] <= today.isoformat()]
        for p in participants:
            reliability = rng.choice((0.98, 0.95, 0.9, 0.85, 0.7, 0.5, 0.3))
            for s in past:
                self.cells.append({"event_id": event_id, "session_id": s["id"],
                                   "participant_id": p["id"],
                                   "present": int(rng.random() < reliability),
                                   "id": tr.attendance_id(s["id"], p["id"])})
        self.trainings.append((event_id, dates[-1], participants, len(past) == len(sessions)))

    def write(self, session, rng, today: date) -> None:
        conn = session.conn
        numbers = LocalNumbers(session)
        with session.transaction():
            tr.TrainingEventRepository(session).create_many(self.events)
            tr.TrainingSessionRepository(session).create_many(self.sessions)
            repo = tr.TrainingParticipantRepository(session)
            # create_many takes the "id" out of each row: keep ours for the overrides
            repo.create_many([dict(p) for p in self.participants], audit=False)
            tr.TrainingAttendanceRepository(session).create_many(self.cells, audit=False)
            outcomes = []
            for event_id, last_day, participants, all_past in self.trainings:
                for p in participants:
                    if rng.random() < 0.03 and all_past:
                        repo.set_override(p["id"], rng.choice(["completed", "not_completed"]),
                                          rng.choice(OVERRIDE_REASONS))
                if last_day >= today:
                    continue
                done = [r for r in tq.participants_of(conn, event_id) if r["completed"]]
                issued = (last_day + timedelta(days=1)).isoformat()
                for r in done:
                    number = numbers.next_number(ts.CERTIFICATE_SEQUENCE, last_day.year)
                    repo.update(r["id"], {"certificate_number": number,
                                          "certificate_date": issued})
                for r in done:
                    follow = last_day + timedelta(days=rng.randint(30, 240))
                    if follow <= today and rng.random() < 0.7:
                        outcome = rng.choices(OUTCOMES, cum_weights=OUTCOME_CUM_WEIGHTS)[0]
                        outcomes.append({"person_id": r["person_id"], "event_id": event_id,
                                         "participant_id": r["id"], "outcome": outcome,
                                         "outcome_date": follow.isoformat()})
            tr.TrainingOutcomeRepository(session).create_many(outcomes, audit=False)
            numbers.save()


GENERATOR = DemoGenerator(name="trainings", order=30, add_arguments=add_arguments,
                          generate=generate)
