"""Demo loans: revolving funds and loans with full histories (``--loans N``, default 300).

Most borrowers repay on time, some late (with late fees where the product has them),
some repay early, some stop paying and are written off after a second user's approval,
a few applications are waiting, approved or rejected. Everything is written through the
repositories (batched); the fund never goes negative (capital is topped up when needed).
"""
from __future__ import annotations

import argparse
from datetime import date, timedelta
from decimal import Decimal

from desktop_app.demo import DemoGenerator, LocalNumbers
from desktop_app.demo.staff import full_names
from desktop_app.domain import loans as L
from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.loans import repositories as S
from desktop_app.store.loans.queries import product_terms
from desktop_app.store.offices import UserRepository
from desktop_app.store.people.repositories import PersonRepository

DOMAIN = Domain("loans")
_ = DOMAIN.gettext

PURPOSE_WEIGHTS = (("business", 30), ("livestock", 25), ("trade", 20), ("agriculture", 12),
                   ("migration_travel", 10), ("other", 3))
FALLBACK_PEOPLE = (("Раҳимова", "Нигора", "female"), ("Karimov", "Aziz", "male"),
                   ("Саидова", "Мавзуна", "female"), ("Назаров", "Фарҳод", "male"),
                   ("Qodirova", "Dilnoza", "female"), ("Шарипов", "Умед", "male"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loans", type=int, default=300,
                        help=_("number of demo loans (default 300)"))


def _checker(session) -> str:
    users = UserRepository(session)
    existing = users.by_username("loan.officer")
    if existing:
        return existing["id"]
    return users.create({"username": "loan.officer",
                         "display_name": full_names(session.meta("office_code"))["loan.officer"],
                         "role": "loan_officer", "active": 1})["id"]


def _borrowers(session, rng, wanted: int) -> list[tuple[str, str | None]]:
    conn = session.conn
    rows = conn.execute("SELECT id, office_id FROM person WHERE deleted=0 AND merged_into IS NULL "
                        "ORDER BY rowid LIMIT ?", (max(wanted * 3, 50),)).fetchall()
    if len(rows) < 20:
        repo = PersonRepository(session)
        for i in range(60):
            fam, giv, sex = FALLBACK_PEOPLE[i % len(FALLBACK_PEOPLE)]
            repo.create({"family_name": fam, "given_name": giv, "sex": sex,
                         "phones": f"+992 9{rng.randint(0, 9)} {rng.randint(100, 999)} "
                                   f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                         "migration_status": rng.choice(["returned", "potential", "abroad",
                                                         "returned"])})
        rows = conn.execute("SELECT id, office_id FROM person WHERE deleted=0").fetchall()
    # women are asked for on purpose (the share rose from 20% to 34% in the programmes)
    return [(r[0], r[1]) for r in rows]


def _weighted(rng, pairs):
    total = sum(w for _c, w in pairs)
    pick = rng.uniform(0, total)
    for code, weight in pairs:
        pick -= weight
        if pick <= 0:
            return code
    return pairs[-1][0]


def _decide(rng, loan: dict, applied: date, today: date, checker) -> date | None:
    """Decide and disburse an applied loan as far as ``today`` allows; the disbursement
    date, or None when the loan is still waiting or was rejected."""
    age = (today - applied).days
    roll = rng.random()
    if age < 20 and roll < 0.5:
        return None  # waiting for a decision
    decided = applied + timedelta(days=rng.randint(1, 6))
    if decided > today:
        return None
    if roll > 0.97:
        loan.update(status="rejected", decided_by=checker, decided_on=decided.isoformat(),
                    decision_note="Бизнес-план нежизнеспособен")
        return None
    loan.update(status="approved", decided_by=checker, decided_on=decided.isoformat())
    disbursed = decided + timedelta(days=rng.randint(0, 5))
    if disbursed > today or (age < 30 and roll < 0.6):
        return None
    loan.update(status="disbursed", disbursed_on=disbursed.isoformat())
    return disbursed


def _schedule(loan: dict, terms: dict, disbursed: date, schedules: list, instalments: list
              ) -> tuple[L.Terms, list[tuple[date, int, int]]]:
    """The loan's first schedule and its instalments; returns the terms and the dues
    (due date, principal, interest in minor units)."""
    cur, loan_id, office_id = loan["currency"], loan["id"], loan["office_id"]
    t = S.terms_of(loan)
    rows = L.schedule(t, disbursed)
    schedules.append({"id": new_id(), "loan_id": loan_id, "version": 1,
                      "effective_from": disbursed.isoformat(), "reason": None,
                      "principal": loan["amount"], "base_paid_principal": 0,
                      "base_paid_interest": 0, "annual_rate": terms["annual_rate"],
                      "term": t.term, "frequency": t.frequency, "method": t.method,
                      "amortisation": t.amortisation, "grace": t.grace,
                      "office_id": office_id})
    cum_p = cum_i = 0
    dues = []
    for r in rows:
        p, i = L.to_minor(r.principal, cur), L.to_minor(r.interest, cur)
        cum_p += p
        cum_i += i
        dues.append((r.due_date, p, i))
        instalments.append({"loan_id": loan_id, "version": 1, "number": r.number,
                            "due_date": r.due_date.isoformat(), "principal": p,
                            "interest": i, "cum_principal": cum_p, "cum_interest": cum_i,
                            "office_id": office_id})
    return t, dues


def _behaviour(rng, n_dues: int) -> tuple[int, int | None, bool]:
    """How the borrower pays: (instalments paid before stopping, instalment after which
    the rest is prepaid or None, pays late)."""
    behaviour = rng.random()
    stop_after = n_dues + 1
    prepay_after = None
    if behaviour < 0.08:
        stop_after = rng.randint(0, max(n_dues - 2, 0))
    elif behaviour < 0.15:
        prepay_after = rng.randint(1, max(n_dues - 2, 1))
    return stop_after, prepay_after, 0.15 <= behaviour < 0.32


def _repay(rng, loan: dict, t, dues: list, disbursed: date, today: date, fund_id: str,
           events: list) -> tuple[int, int, date | None]:
    """The borrower's repayments (and any prepayment) as cash events; returns
    (outstanding principal, instalments paid before stopping, last payment date)."""
    cur, loan_id, office_id = loan["currency"], loan["id"], loan["office_id"]
    period = {"monthly": 28, "fortnightly": 14, "weekly": 7}[t.frequency]
    stop_after, prepay_after, late_payer = _behaviour(rng, len(dues))
    fee_pct = Decimal(loan["late_fee_percent"])
    outstanding = loan["amount"]
    last_paid = None
    for k, (due, p, i) in enumerate(dues):
        if k >= stop_after:
            break
        delay = rng.randint(t.tolerance_days + 1, period - 1) if late_payer and \
            rng.random() < 0.5 and period - 1 > t.tolerance_days else \
            rng.randint(0, min(2, t.tolerance_days))
        paid_on = max(due + timedelta(days=delay), disbursed)
        if last_paid and paid_on < last_paid:
            paid_on = last_paid
        if paid_on > today:
            break
        penalty = 0
        if delay > t.tolerance_days and fee_pct:
            penalty = L.to_minor(L.round_money(L.from_minor(p + i, cur) * fee_pct / 100,
                                               cur), cur)
        events.append((paid_on.isoformat(), 1, {
            "fund_id": fund_id, "loan_id": loan_id, "kind": "repayment",
            "value_date": paid_on.isoformat(), "currency": cur, "cash": p + i + penalty,
            "principal": -p, "interest": i, "penalty": penalty, "office_id": office_id}))
        outstanding -= p
        last_paid = paid_on
        if prepay_after is not None and k + 1 == prepay_after and outstanding > 0:
            early = paid_on + timedelta(days=rng.randint(1, period - 1))
            if early <= today and early < dues[k + 1][0]:
                events.append((early.isoformat(), 1, {
                    "fund_id": fund_id, "loan_id": loan_id, "kind": "repayment",
                    "value_date": early.isoformat(), "currency": cur, "cash": outstanding,
                    "principal": -outstanding, "interest": 0, "penalty": 0,
                    "office_id": office_id, "note": "Досрочное погашение"}))
                last_paid = early
                outstanding = 0
                break
    return outstanding, stop_after, last_paid


def _write_off(loan: dict, outstanding: int, written: date, fund_id: str, maker, checker,
               events: list) -> None:
    loan.update(status="written_off", writeoff_requested_by=maker,
                writeoff_requested_on=(written - timedelta(days=3)).isoformat(),
                writeoff_reason="Заёмщик недоступен, уехал в Россию",
                written_off_by=checker, written_off_on=written.isoformat())
    events.append((written.isoformat(), 2, {
        "fund_id": fund_id, "loan_id": loan["id"], "kind": "write_off",
        "value_date": written.isoformat(), "currency": loan["currency"], "cash": 0,
        "principal": -outstanding, "office_id": loan["office_id"],
        "note": "Заёмщик недоступен, уехал в Россию"}))


def _capital(events: list, loans: list, fund_id: str, start: date, office_id) -> list[dict]:
    """The fund's entries in date order: an opening amount, then top-ups so that the fund
    never goes negative, among the loans' cash events."""
    entries = []
    events.sort(key=lambda e: (e[0], e[1]))
    balance = 0
    opening = max(2_500_000, sum(loan["amount"] for loan in loans[:40]))
    entries.append({"fund_id": fund_id, "kind": "capital",
                    "value_date": (start - timedelta(days=1)).isoformat(), "currency": "TJS",
                    "cash": opening, "office_id": office_id, "note": "Начальный капитал (ПРООН)"})
    balance = opening
    for day, _order, entry in events:
        if balance + entry["cash"] < 0:
            top_up = max(2_000_000, -(balance + entry["cash"]))
            entries.append({"fund_id": fund_id, "kind": "capital", "value_date": day,
                            "currency": "TJS", "cash": top_up, "office_id": office_id,
                            "note": "Пополнение фонда донором"})
            balance += top_up
        balance += entry["cash"]
        entries.append(entry)
    return entries


def generate(session, args, rng, progress) -> None:
    count = int(getattr(args, "loans", 300) or 0)
    if count <= 0:
        return
    conn = session.conn
    today = date.today()
    checker = _checker(session)
    maker = session.actor.user_id
    borrowers = _borrowers(session, rng, count)
    products = {code: product_terms(conn, code) for (code,) in conn.execute(
        "SELECT code FROM reference_item WHERE kind='loan_product' AND deleted=0 ORDER BY code")}
    # products past the seventh get no loans; an office with fewer uses the first weights
    product_weights = list(zip(sorted(products), (3, 2, 1, 1, 1, 1, 1), strict=False))
    office_id = session.office_id
    fund = S.FundRepository(session).create({
        "name": "Фонди гардони МЗҶ (TJS)", "currency": "TJS",
        "notes": "Фонди гардони ПРООН барои қарзҳои хурд", "office_id": office_id})
    start = today - timedelta(days=3 * 365)
    plans = []
    for _i in range(count):
        applied = start + timedelta(days=rng.randint(0, (today - start).days - 1))
        plans.append(applied)
    plans.sort()

    numbers = LocalNumbers(session)
    loans, schedules, instalments = [], [], []
    events: list[tuple[str, int, dict]] = []  # (date, order, entry) for the cash timeline
    for n, applied in enumerate(plans):
        person_id, _office = borrowers[rng.randrange(len(borrowers))]
        code = _weighted(rng, product_weights)
        terms = dict(products[code])
        cur = "TJS"
        amount = Decimal(rng.randrange(20, 200) * 100)
        purpose = "migration_travel" if code == "travel_costs" else _weighted(rng, PURPOSE_WEIGHTS)
        loan_id = new_id()
        number = numbers.next_number("LN", applied.year)
        loan = {"id": loan_id, "number": number, "fund_id": fund["id"], "person_id": person_id,
                "purpose": purpose, "amount": L.to_minor(amount, cur), "currency": cur,
                "guarantor_name": rng.choice(["Саидов Карим", "Ҳакимова Зарина", "Rustamov Anvar",
                                              "Мирзоев Сино", None]),
                "borrower_language": rng.choice(["tg", "tg", "tg", "ru", "uz"]),
                "applied_on": applied.isoformat(), "status": "applied",
                "office_id": office_id, **terms}
        loans.append(loan)
        disbursed = _decide(rng, loan, applied, today, checker)
        if disbursed is None:
            continue
        t, dues = _schedule(loan, terms, disbursed, schedules, instalments)
        events.append((disbursed.isoformat(), 0, {
            "fund_id": fund["id"], "loan_id": loan_id, "kind": "disbursement",
            "value_date": disbursed.isoformat(), "currency": cur, "cash": -loan["amount"],
            "principal": loan["amount"], "office_id": office_id}))
        outstanding, stop_after, last_paid = _repay(rng, loan, t, dues, disbursed, today,
                                                    fund["id"], events)
        if outstanding == 0:
            loan.update(status="closed", closed_on=last_paid.isoformat())
        elif stop_after <= len(dues):
            last_due = dues[min(stop_after, len(dues) - 1)][0]
            written = last_due + timedelta(days=200)
            if written <= today:
                _write_off(loan, outstanding, written, fund["id"], maker, checker, events)
        if n % 500 == 0:
            progress("loans", n, count)

    entries = _capital(events, loans, fund["id"], start, office_id)
    with session.transaction():
        S.LoanRepository(session).create_many(loans, audit=False)
        S.ScheduleRepository(session).create_many(schedules, audit=False)
        S.InstalmentRepository(session).create_many(instalments, audit=False)
        S.FundEntryRepository(session).create_many(entries, audit=False)
        numbers.save()
    progress("loans", count, count)


GENERATOR = DemoGenerator(name="loans", order=40, add_arguments=add_arguments,
                          generate=generate)
