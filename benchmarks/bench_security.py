"""Security: the cost of encryption at rest and of logging in.

The same operations run on an encrypted database (SQLCipher, the key unwrapped from a
password) and on a plain one built the same way in the same run; the plain figure is the
baseline, so the ratio is the price of encryption (goal <= 1.3x). Login is reported on
its own: it is argon2id on purpose (memory-hard, slow to guess).
"""
from __future__ import annotations

import os
import random
import time

from run import Result

PASSWORD = "bench-password-1"


def _people(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    families = ["Раҳмонов", "Karimov", "Саидов", "Назаров", "Qodirov", "Шарипов", "Olimov",
                "Ҷӯраев", "Abdulloev", "Ғафуров", "Сафаров", "Mirzoev", "Ҳакимов", "Yusupov"]
    givens = ["Фарҳод", "Rustam", "Алишер", "Jamshed", "Зарина", "Malika", "Шаҳло", "Bahrom",
              "Нилуфар", "Umed", "Дилшод", "Sabohat"]
    return [dict(family_name=rng.choice(families) + ("а" if i % 3 == 0 else ""),
                 given_name=rng.choice(givens), sex=rng.choice(["male", "female"]),
                 birth_date=f"{rng.randint(1960, 2004)}-{rng.randint(1, 12):02d}-"
                            f"{rng.randint(1, 28):02d}",
                 phones=f"+992 9{rng.randint(0, 9)} {rng.randint(100, 999)} "
                        f"{rng.randint(1000, 9999)}",
                 district="TJ-RASHT", notes="benchmark row")
            for i in range(n)]


def _best(fn, repeat=3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(ctx) -> list[Result]:
    os.environ.pop("HAMROH_INSECURE_TEST_KDF", None)     # real argon2id parameters
    from desktop_app.store import db as dbmod
    from desktop_app.store.access import open_database
    from desktop_app.store.people.repositories import PersonRepository, search_people
    from desktop_app.store.security import accounts as security
    from desktop_app.store.security.keys import forget_key
    from desktop_app.store.setup import initialise

    n = max(2000, min(10_000, ctx.count("people")))
    rows = _people(n)
    enc_path, plain_path = ctx.workdir / "encrypted.db", ctx.workdir / "plain.db"
    made = security.create_encrypted(enc_path, office_code="GRM", office_name="Gharm",
                                     admin_username="admin", password=PASSWORD)
    enc = made.session
    conn = open_database(plain_path, create=True)
    plain = initialise(conn, office_code="GRM", office_name="Gharm", admin_username="admin")

    def insert(session):
        PersonRepository(session).create_many([dict(r) for r in rows])

    t_enc_insert = _best(lambda: insert(enc), 1)
    t_plain_insert = _best(lambda: insert(plain), 1)
    for s in (enc, plain):
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    terms = ["Раҳм", "karimov", "Ҷӯраев Фарҳод", "saidova", "Ghaf", "Назаров Umed", "Mirz",
             "992 93"]

    def search(session):
        for term in terms:
            search_people(session.conn, term)

    t_enc_search = _best(lambda: search(enc))
    t_plain_search = _best(lambda: search(plain))

    def scan(session):
        session.conn.execute("SELECT count(*), sum(length(notes)) FROM person "
                             "WHERE sex='female'").fetchone()

    t_enc_scan, t_plain_scan = _best(lambda: scan(enc)), _best(lambda: scan(plain))
    enc.conn.close()
    plain.conn.close()
    key = made.session.db_key

    def open_enc():
        c = open_database(enc_path, key=key)
        c.execute("SELECT count(*) FROM person").fetchone()
        c.close()

    def open_plain():
        c = open_database(plain_path)
        c.execute("SELECT count(*) FROM person").fetchone()
        c.close()

    t_enc_open, t_plain_open = _best(open_enc), _best(open_plain)
    forget_key(enc_path)
    started = time.perf_counter()
    s = security.login(enc_path, "admin", PASSWORD)
    t_login = time.perf_counter() - started
    s.conn.close()
    dbmod.forget_key(enc_path)
    per = 1000 / n
    return [
        Result(f"insert {n} people through the repository, encrypted", t_enc_insert, "s",
               "plain", t_plain_insert, "<= 1.3x"),
        Result(f"search {len(terms)} terms over {n} people, encrypted", t_enc_search * 1000,
               "ms", "plain", t_plain_search * 1000, "<= 1.3x"),
        Result(f"full scan of {n} people, encrypted", t_enc_scan * 1000, "ms", "plain",
               t_plain_scan * 1000, "<= 1.3x"),
        Result("open database + first query, encrypted (key known)", t_enc_open * 1000, "ms",
               "plain", t_plain_open * 1000, "<= 1.3x"),
        Result("login: argon2id unwrap + open + audit", t_login * 1000, "ms", "open plain",
               t_plain_open * 1000, "about 0.2-1 s by design"),
        Result("insert per 1000 people, encrypted", t_enc_insert * per, "s", "plain",
               t_plain_insert * per),
    ]
