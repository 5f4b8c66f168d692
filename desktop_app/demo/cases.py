"""Demo cases, employers, timelines, follow-ups, referrals and labour inspections.

Proportions follow the domain notes: most cases are hotline calls about unpaid wages,
passports and entry bans, mostly in Russian construction; about a third are closed,
referrals go mostly to legal advisers and the inspectorate; a few employers are repeat
offenders. ``--cases 300000`` runs with batched inserts (create_many).
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import accumulate

from desktop_app.demo import DemoGenerator, LocalNumbers
from desktop_app.demo.staff import full_names
from desktop_app.domain import cases as dom
from desktop_app.domain.ids import new_id
from desktop_app.store.cases import repositories as sc
from desktop_app.store.inspections import repositories as si
from desktop_app.store.offices import UserRepository

# cases (with their events, follow-ups and referrals) per transaction: fewer commits write
# the same index pages again less often (100,000 cases: 41 CPU s in batches of 5,000, 34 s
# in batches of 25,000, whose write-ahead log peaked at 230 MB)
BATCH = 20_000

EMPLOYER_NAMES = [
    ("ООО «СтройИнвест»", "RU", "RU-MOSCOW", "construction"),
    ("ООО «МонолитСтрой»", "RU", "RU-MOSCOW", "construction"),
    ("ООО «Северный Дом»", "RU", "RU-SPB", "construction"),
    ("АО «СибТрансСтрой»", "RU", "RU-KRASNOYARSK", "construction"),
    ("ООО «УралАгро»", "RU", "RU-YEKATERINBURG", "agriculture"),
    ("ООО «Торговый Дом Волга»", "RU", "RU-SAMARA", "retail"),
    ("ООО «ЧистыйГород»", "RU", "RU-MOSCOW", "other"),
    ("ООО «НефтеСервис Сургут»", "RU", "RU-SURGUT", "construction"),
    ("ООО «ТюменьЖилСтрой»", "RU", "RU-TYUMEN", "construction"),
    ("ООО «КазаньЛогистик»", "RU", "RU-KAZAN", "transport"),
    ("ИП Горбунов", "RU", "RU-NOVOSIBIRSK", "retail"),
    ("ООО «Теплица Воронеж»", "RU", "RU-VORONEZH", "agriculture"),
    ("ТОО «Алматы Курылыс»", "KZ", "KZ-ALMATY", "construction"),
    ("ТОО «Астана Сервис»", "KZ", "KZ-ASTANA", "retail"),
    ("ТОО «Шымкент Агро»", "KZ", "KZ-SHYMKENT", "agriculture"),
    ("ТОО «КаспийМунайСтрой»", "KZ", "KZ-AKTAU", "construction"),
    ("Atyrau Oil Services LLP", "KZ", "KZ-ATYRAU", "construction"),
    ("İstanbul Tekstil Ltd.", "TR", "TR-ISTANBUL", "other"),
    ("Gulf Build Contracting", "AE", "AE-DUBAI", "construction"),
    ("ҶДММ «Сохтмони Рашт»", "TJ", None, "construction"),
]
SUFFIXES = ["", " 2", " Плюс", " Групп", " Север", " Юг", " Восток", " Строй"]
CALLER_NAMES = ["Алишер", "Фарход", "Ҷамшед", "Шаҳло", "Меҳрубон", "Дилшод", "Umid",
                "Bahodir", "Зарина", "Нозим", "Сино", "Гулноза", "Рустам", "Фирӯза"]
SUMMARIES = {
    "unpaid_wages": ["Не платят {n} мес. на стройке, в бригаде около 40 человек.",
                     "Работодатель выплатил половину и перестал отвечать на звонки.",
                     "Музди {n} моҳро надодаанд, прораб таҳдид мекунад."],
    "passport_confiscated": ["Паспорт забрал прораб «для регистрации» и не возвращает."],
    "forced_labour": ["Рабочих держат в вагончиках, не выпускают с объекта."],
    "trafficking": ["Обещали работу в магазине, по приезде отобрали документы."],
    "sexual_exploitation": ["Звонит родственница, просит помощи; подробности не записываем."],
    "workplace_accident": ["Упал с лесов, работодатель не оплачивает лечение."],
    "no_contract": ["Работал {n} мес. без договора, хочет оформить патент и договор."],
    "recruitment_fraud": ["Заплатил агентству за работу, которой не оказалось."],
    "entry_ban": ["Хочет узнать, есть ли запрет на въезд в Россию.",
                  "Манъи воридшавӣ ба Русия дорад ё не, фаҳмидан мехоҳад."],
    "child_labour": ["Сын соседа, 14 лет, работает на хлопковом поле."],
    "discrimination": ["Отказали в выплате из-за национальности."],
    "union_harassment": ["Уволили после вступления в профсоюз."],
    "other": ["Спрашивает о переводе пенсии из России."],
}
FOLLOWUP_ACTIONS = ["Перезвонить заявителю", "Позвонить работодателю",
                    "Уточнить в трудовой инспекции", "Запросить ответ посольства",
                    "Собрать документы", "Проверить, выплачена ли зарплата"]
REFERRAL_WEIGHTS = {"legal_adviser": 35, "labour_inspectorate": 20, "embassy": 15, "iom": 8,
                    "police": 5, "shelter": 4, "employment_service": 8, "trade_union": 5}
WAGE_RANGES = {"RUB": (15000, 350000), "KZT": (80000, 900000), "USD": (200, 3000),
               "TJS": (1000, 20000)}
# user name, role (full names: demo.staff, by office)
DEMO_USERS = [("karimova", "case_worker"), ("nazarov", "case_worker"), ("saidov", "inspector"),
              ("hotline1", "field_officer")]


def _variant(name: str, k: int) -> str:
    """Another firm of the same family: ООО «СтройИнвест Плюс 3»."""
    extra = f"{SUFFIXES[k % len(SUFFIXES)]} {k // len(SUFFIXES) + 1}"
    if name.endswith("»"):
        return name[:-1] + extra + "»"
    return name + extra


def add_arguments(parser) -> None:
    parser.add_argument("--cases", type=int, default=1500,
                        help="number of demo cases (default 1500)")


def _weighted(conn, kind: str) -> tuple[list[str], list[int]]:
    """The codes of ``kind`` and their cumulative weights (for ``choices(cum_weights=)``)."""
    codes, weights = [], []
    for code, attributes in conn.execute(
            "SELECT code, attributes FROM reference_item WHERE kind=? AND deleted=0 "
            "AND active=1 ORDER BY sort_order", (kind,)):
        codes.append(code)
        weights.append(int(json.loads(attributes or "{}").get("weight", 1)))
    return codes, list(accumulate(weights))


def _users(session) -> list[str]:
    repo = UserRepository(session)
    names = full_names(session.meta("office_code"))
    ids = []
    for username, role in DEMO_USERS:
        existing = repo.by_username(username)
        ids.append(existing["id"] if existing else repo.create(dict(
            username=username, display_name=names[username], role=role, active=1))["id"])
    return ids


def _employers(session, rng, total: int
               ) -> tuple[list[str], list[float], dict[str, tuple[str, str | None]]]:
    """Employers (a few big repeat offenders and a long tail), their cumulative weights
    and where each is (country, city)."""
    conn = session.conn
    n_employers = max(20, min(5000, total // 20))
    employer_rows = []
    for i in range(n_employers):
        name, country, city, sector = EMPLOYER_NAMES[i % len(EMPLOYER_NAMES)]
        if i >= len(EMPLOYER_NAMES):
            name = _variant(name, i // len(EMPLOYER_NAMES))
        employer_rows.append(dict(name=name, country=country, city=city, sector=sector,
                                  size=rng.choice(["large", "medium", "small"]),
                                  high_risk=1 if i % 7 == 0 else 0,
                                  union_present=1 if i % 5 == 0 else 0))
    employer_ids = []
    with session.transaction():
        repo = sc.EmployerRepository(session)
        for row in employer_rows:
            row["id"] = None
        repo.create_many(employer_rows, audit=False)
        places = {}
        for employer_id, country, city in conn.execute(
                "SELECT id, country, city FROM employer WHERE deleted=0 ORDER BY rowid"):
            employer_ids.append(employer_id)
            places[employer_id] = (country, city)
    # a power law: the first employers get most cases
    emp_weights = list(accumulate(1.0 / (k + 1) ** 0.9 for k in range(len(employer_ids))))
    return employer_ids, emp_weights, places


def _status(rng, age: int) -> str:
    # older cases are more often finished
    r = rng.random()
    if age > 120 and r < 0.75 or age > 30 and r < 0.45:
        return rng.choices(("resolved", "closed"), cum_weights=(1, 3))[0]
    if age <= 3 and r < 0.8 or r < 0.06 + (0.3 if age < 21 else 0):
        return "new"
    return rng.choices(("in_progress", "referred"), cum_weights=(3, 5))[0]


class _CaseMaker:
    """Makes demo cases one by one (rows for the case, its events, follow-ups and
    referrals), then the inspections of the employers they name."""

    def __init__(self, session, rng, total: int, today: date, workers: list[str]):
        conn = session.conn
        self.session, self.rng, self.today, self.workers = session, rng, today, workers
        self.office = session.office_id
        self.categories, self.cat_w = _weighted(conn, "case_category")
        # A demo of some size shows one case of each sensitive category near its start,
        # linked to a person and assigned to a case worker: the sensitive-case gate
        # (asking for a reason) can always be seen, however rare those categories are.
        self.showcase = [code for code, attributes in conn.execute(
            "SELECT code, attributes FROM reference_item WHERE kind='case_category' "
            "AND deleted=0 AND active=1 ORDER BY sort_order")
            if json.loads(attributes or "{}").get("sensitive")] if total >= 10 else []
        self.case_workers = workers[:2]
        self.channels, self.chan_w = _weighted(conn, "case_channel")
        self.subcats: dict[str, list[str]] = {}
        for code, parent in conn.execute(
                "SELECT code, parent_code FROM reference_item WHERE kind='case_subcategory'"):
            self.subcats.setdefault(parent, []).append(code)
        self.targets = list(REFERRAL_WEIGHTS)
        self.target_w = list(accumulate(REFERRAL_WEIGHTS.values()))
        self.employer_ids, self.emp_weights, self.employer_places = _employers(
            session, rng, total)
        self.numbers = LocalNumbers(session)
        self.inspector_name = full_names(session.meta("office_code"))["saidov"]
        self.people = [(r[0], r[1]) for r in conn.execute(
            "SELECT id, birth_date FROM person WHERE deleted=0 AND merged_into IS NULL "
            "ORDER BY random() LIMIT ?", (min(total, 200_000),))]
        self.n_inspections = max(5, total // 15)
        self.complaint_quota = self.n_inspections * 2 // 3
        self.case_for_inspection: list[tuple[str, str, str]] = []

    def case(self, cases: list, events: list, fups: list, refs: list) -> None:
        rng, today, office = self.rng, self.today, self.office
        people, subcats = self.people, self.subcats
        opened = today - timedelta(days=int(rng.random() ** 1.6 * 730))
        category = rng.choices(self.categories, cum_weights=self.cat_w)[0]
        showcase = bool(self.showcase)
        if showcase:
            category = self.showcase.pop(0)
        channel = rng.choices(self.channels, cum_weights=self.chan_w)[0]
        linked = people and (showcase or rng.random() < 0.65)
        person_id, birth = (rng.choice(people) if linked else (None, None))
        number = self.numbers.next_number("case", opened.year)
        age = (today - opened).days
        status = _status(rng, age)
        assigned = None if status == "new" and rng.random() < 0.7 else rng.choice(self.workers)
        if showcase:
            assigned = rng.choice(self.case_workers)
        employer_id = (rng.choices(self.employer_ids, cum_weights=self.emp_weights)[0]
                       if category in ("unpaid_wages", "no_contract", "forced_labour",
                                       "workplace_accident", "passport_confiscated",
                                       "union_harassment") and rng.random() < 0.8
                       else None)
        summary = rng.choice(SUMMARIES.get(category, SUMMARIES["other"])).format(
            n=rng.randint(2, 7))
        risk = rng.choices(dom.RISK_LEVELS, cum_weights=(25, 75, 95, 100))[0]
        if category in ("trafficking", "forced_labour", "sexual_exploitation"):
            risk = rng.choice(["high", "critical"])
        case_id = new_id()
        finished_days = max(1, min(age, int(rng.triangular(3, 200, 25))))
        row = dict(id=case_id, number=number, person_id=person_id,
                   caller_name=None if linked else rng.choice(CALLER_NAMES),
                   caller_phone=None if linked or rng.random() < 0.5 else
                   f"+992 9{rng.randint(0, 9)} {rng.randint(100, 999)} "
                   f"{rng.randint(1000, 9999)}",
                   channel=channel, category=category,
                   subcategory=rng.choice(subcats[category]) if category in subcats
                   and rng.random() < 0.6 else None,
                   status=status, assigned_to=assigned,
                   sensitive_flag=1 if rng.random() < 0.01 else 0,
                   risk_level=risk, summary=summary,
                   country="RU" if employer_id is None else None,
                   employer_id=employer_id, opened_on=opened.isoformat(),
                   _birth_date=birth, office_id=office)
        if employer_id is not None:
            row["country"], row["city"] = self.employer_places[employer_id]
        evs = [("call" if channel == "hotline" else "note", opened, None, "new", summary)]
        day = opened
        if status != "new":
            day = min(today, opened + timedelta(days=rng.randint(0, 2)))
            evs.append(("status", day, "new", "in_progress", None))
            if rng.random() < 0.5:
                day2 = min(today, day + timedelta(days=rng.randint(1, 10)))
                evs.append(("call", day2, None, None, "Перезвонили заявителю."))
        referred = status == "referred" or (status in ("resolved", "closed")
                                            and rng.random() < 0.5)
        if referred:
            self._referral(row, status, day, evs, refs)
        resolved_on = closed_on = None
        if status in ("resolved", "closed"):
            end = min(today, opened + timedelta(days=finished_days))
            resolved_on, closed_on = self._finish(row, status, end, evs)
        row.update(status=status, resolved_on=resolved_on and resolved_on.isoformat(),
                   closed_on=closed_on and closed_on.isoformat())
        cases.append(row)
        for kind, on, fr, to, text in evs:
            events.append(dict(case_id=case_id, event_on=on.isoformat(), kind=kind,
                               from_status=fr, to_status=to, text=text, office_id=office))
        self._followups(case_id, status, opened, assigned, fups)

    def _referral(self, row: dict, status: str, day: date, evs: list, refs: list) -> None:
        rng, today, case_id = self.rng, self.today, row["id"]
        rday = min(today, day + timedelta(days=rng.randint(1, 14)))
        target = rng.choices(self.targets, cum_weights=self.target_w)[0]
        answer_status = rng.choices(
            ["sent", "accepted", "completed", "declined", "no_answer"],
            [3, 3, 5, 1, 1])[0] if status == "referred" else rng.choice(
            ["completed", "completed", "accepted", "declined"])
        answered = None if answer_status == "sent" else min(
            today, rday + timedelta(days=rng.randint(2, 30)))
        refs.append(dict(case_id=case_id, target=target, referred_on=rday.isoformat(),
                         status=answer_status, answered_on=answered and
                         answered.isoformat(),
                         answer=(None if answered is None
                                 else "Ответ получен письменно."),
                         consent_override=0, office_id=self.office))
        evs.append(("referral", rday, None, None, target))
        if status == "referred" or rng.random() < 0.5:
            evs.append(("status", rday, "in_progress", "referred", None))
        employer_id = row["employer_id"]
        if target == "labour_inspectorate" and employer_id \
                and len(self.case_for_inspection) < self.complaint_quota:
            self.case_for_inspection.append((case_id, employer_id, rday.isoformat()))
            row["inspection_opened"] = 1

    def _finish(self, row: dict, status: str, end: date, evs: list
                ) -> tuple[date | None, date | None]:
        """A resolved or closed case's outcome and events; returns (resolved_on, closed_on)."""
        rng = self.rng
        if status == "closed" and rng.random() < 0.3:
            evs.append(("status", end, "in_progress", "closed", None))
            return None, end
        outcome = rng.choices(["resolved", "partly_resolved", "not_resolved",
                               "withdrawn"], [55, 20, 20, 5])[0]
        row.update(outcome=outcome)
        if row["category"] == "unpaid_wages" and outcome in ("resolved", "partly_resolved"):
            currency = "RUB" if row.get("country") != "KZ" else "KZT"
            if rng.random() < 0.1:
                currency = "USD"
            low, high = WAGE_RANGES[currency]
            row.update(wages_recovered_minor=rng.randint(low, high) // 100 * 10000,
                       wages_currency=currency)
        row.update(returned_home=1 if rng.random() < 0.15 else 0)
        evs.append(("outcome", end, None, None, outcome))
        evs.append(("status", end, "in_progress", "resolved", None))
        closed_on = None
        if status == "closed":
            closed_on = min(self.today, end + timedelta(days=rng.randint(0, 20)))
            evs.append(("status", closed_on, "resolved", "closed", None))
        return end, closed_on

    def _followups(self, case_id: str, status: str, opened: date, assigned: str | None,
                   fups: list) -> None:
        rng, today, office = self.rng, self.today, self.office
        if status in dom.OPEN_STATUSES and rng.random() < 0.8:
            due = today + timedelta(days=rng.randint(-10, 14))
            if due < opened:
                due = opened
            fups.append(dict(case_id=case_id, due_on=due.isoformat(),
                             action=rng.choice(FOLLOWUP_ACTIONS), assigned_to=assigned,
                             office_id=office))
        if rng.random() < 0.3:
            due = opened + timedelta(days=rng.randint(1, 10))
            if due <= today:
                fups.append(dict(case_id=case_id, due_on=due.isoformat(),
                                 action=rng.choice(FOLLOWUP_ACTIONS),
                                 assigned_to=assigned, done_on=due.isoformat(),
                                 result="Сделано.", office_id=office))

    def inspections(self, inspector: str) -> None:
        """Complaint-driven inspections from referred cases, plus planned ones."""
        session, rng, today, office = self.session, self.rng, self.today, self.office
        conn = session.conn
        employer_ids, emp_weights = self.employer_ids, self.emp_weights
        with session.transaction():
            vcodes = [r[0] for r in conn.execute(
                "SELECT code FROM reference_item WHERE kind='violation' ORDER BY sort_order")]
            inspections, violations, sanctions, links = [], [], [], []
            complaint = self.case_for_inspection
            for k in range(self.n_inspections):
                if k < len(complaint):
                    case_id, employer_id, day = complaint[k]
                    on = min(today, date.fromisoformat(day) + timedelta(days=rng.randint(3, 40)))
                    trigger = "complaint"
                else:
                    case_id = None
                    employer_id = rng.choices(employer_ids, cum_weights=emp_weights)[0]
                    on = today - timedelta(days=rng.randint(0, 720))
                    trigger = rng.choices(["planned", "accident", "follow_up"], [6, 1, 2])[0]
                iid = new_id()
                number = "INS-" + self.numbers.next_number("inspection", on.year)
                inspections.append(dict(
                    id=iid, number=number, employer_id=employer_id, inspector_id=inspector,
                    inspector_name=self.inspector_name, inspected_on=on.isoformat(),
                    trigger=trigger, status="completed", office_id=office))
                found = rng.sample(vcodes, rng.choices([0, 1, 2, 3], [2, 4, 3, 1])[0])
                for v in found:
                    violations.append(dict(inspection_id=iid, violation=v,
                                           workers_affected=rng.randint(1, 60),
                                           office_id=office))
                if found:
                    sanction = rng.choices(["warning", "order", "fine", "suspension"],
                                           [3, 4, 4, 1])[0]
                    fine = rng.randint(5, 200) * 100000 if sanction == "fine" else None
                    sanctions.append(dict(inspection_id=iid, sanction=sanction,
                                          fine_minor=fine,
                                          fine_currency="RUB" if fine else None,
                                          office_id=office))
                if case_id:
                    links.append(dict(inspection_id=iid, case_id=case_id, office_id=office))
            si.InspectionRepository(session).create_many(inspections, audit=False)
            si.ViolationRepository(session).create_many(violations, audit=False)
            si.SanctionRepository(session).create_many(sanctions, audit=False)
            si.InspectionCaseRepository(session).create_many(links, audit=False)
            self.numbers.save()


def generate(session, args, rng, progress) -> None:
    total = int(getattr(args, "cases", 1500) or 0)
    if total <= 0:
        return
    today = date.today()
    with session.transaction():
        users = _users(session)
    workers, inspector = users[:2] + [users[3]], users[2]
    maker = _CaseMaker(session, rng, total, today, workers)
    done = 0
    while done < total:
        n = min(BATCH, total - done)
        cases, events, fups, refs = [], [], [], []
        with session.transaction():
            for _ in range(n):
                maker.case(cases, events, fups, refs)
            sc.CaseRepository(session).create_many(cases, audit=False)
            sc.CaseEventRepository(session).create_many(events, audit=False)
            sc.FollowUpRepository(session).create_many(fups, audit=False)
            sc.ReferralRepository(session).create_many(refs, audit=False)
            maker.numbers.save()
        done += n
        progress("cases", done, total)

    maker.inspections(inspector)
    # bulk demo rows skip the per-row audit (as the people generator does); one entry says so
    session.log("demo_generate", "hotline_case", None,
                detail={"cases": total, "inspections": maker.n_inspections})
    progress("inspections", maker.n_inspections, maker.n_inspections)


GENERATOR = DemoGenerator(name="cases", order=20, add_arguments=add_arguments,
                          generate=generate)
