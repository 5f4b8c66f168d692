"""People: list opening, search as you type, duplicate checks, one person saved into the
register, spreadsheet import into the register, demo generation rate.

Every figure comes with a baseline measured in the same run on the same database:
the bare SQL (or FTS5) query that does the least the feature needs.
"""
from __future__ import annotations

import random
import statistics
import time

from run import Result
from throwaway_writes import run_child

PAGE = 100


def _timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _median_ms(fn, items) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _list_first_rows(conn):
    """What the People page runs when it opens: ordered ids, then the first page."""
    from desktop_app.store.people.listing import PeopleQuery, fetch_rows, list_ids
    ids = list_ids(conn, PeopleQuery()).rowids
    rows = fetch_rows(conn, ids[:PAGE])
    return len(ids), rows


def _search_terms(conn, rng: random.Random, count: int = 24) -> list[str]:
    """Prefixes and whole names as people type them, in every script the demo writes."""
    from desktop_app.demo.people import tajik_to_latin, tajik_to_russian
    total = conn.execute("SELECT max(rowid) FROM person").fetchone()[0] or 1
    terms: list[str] = []
    while len(terms) < count:
        row = conn.execute("SELECT family_name, given_name FROM person WHERE rowid >= ?"
                           " LIMIT 1", (rng.randint(1, total),)).fetchone()
        if row is None:
            continue
        family, given = row
        choice = len(terms) % 4
        if choice == 0:
            terms.append(family[:3])
        elif choice == 1:
            terms.append(family)
        elif choice == 2:
            terms.append(f"{family} {given[:2]}")
        else:
            other = tajik_to_latin(family, rng) if any(
                "\u0400" <= c <= "\u04ff" for c in family) else tajik_to_russian(family)
            terms.append(f"{other} {given}")
    return terms


def run(ctx) -> list[Result]:
    from desktop_app.store.access import open_database
    from desktop_app.store.people.duplicates import find_duplicates
    from desktop_app.store.people.repositories import fts_query, search_people

    results: list[Result] = []
    conn = open_database(ctx.demo_db())
    people = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    rng = random.Random(5)

    # 1. People list: the ordered id list and its first page (what a lazy list runs).
    _list_first_rows(conn)  # warm the cache, as an open app would have it
    listing = _timed(lambda: _list_first_rows(conn), repeat=3)
    bare = _timed(lambda: conn.execute("SELECT rowid FROM person").fetchall(), repeat=3)
    results.append(Result(f"people list: ordered ids + first {PAGE} rows ({people} people)",
                          listing * 1000, "ms", "bare SELECT rowid FROM person", bare * 1000,
                          "< 1000 ms at 1M"))

    # 2. Search as you type, several scripts.
    terms = _search_terms(conn, rng)
    search_people(conn, terms[0])
    median = _median_ms(lambda t: search_people(conn, t, limit=50), terms)

    def bare_fts(term):
        query = fts_query(term, prefix=True)
        if query:
            conn.execute("SELECT rowid FROM person_search WHERE person_search MATCH ? LIMIT 50",
                         (query,)).fetchall()
    bare_median = _median_ms(bare_fts, terms)
    results.append(Result(f"search as you type, median of {len(terms)} terms",
                          median, "ms", "bare FTS5 MATCH", bare_median, "< 100 ms"))

    # 3. Duplicate check while saving a form.
    total = conn.execute("SELECT max(rowid) FROM person").fetchone()[0] or 1
    probes = []
    for _ in range(20):
        row = conn.execute("SELECT id, family_name, given_name, birth_date, phones FROM person"
                           " WHERE rowid >= ? LIMIT 1", (rng.randint(1, total),)).fetchone()
        if row:
            probes.append({"family_name": row[1], "given_name": row[2], "birth_date": row[3],
                           "phones": row[4]})
    dup_median = _median_ms(lambda v: find_duplicates(conn, v), probes)

    def bare_dup(values):
        query = fts_query(f"{values['family_name']} {values['given_name']}", prefix=False)
        conn.execute("SELECT rowid FROM person_search WHERE person_search MATCH ? LIMIT 200",
                     (query,)).fetchall()
    bare_dup_median = _median_ms(bare_dup, probes)
    results.append(Result("duplicate check for one form, median of 20", dup_median, "ms",
                          "bare FTS5 name MATCH", bare_dup_median, "< 200 ms"))
    conn.close()

    # 4. One person saved, as the window saves: the register's size must not show.
    results.extend(_saves(ctx))

    # 5. A spreadsheet of people imported into the register.
    results.extend(_spreadsheet_import(ctx))

    # 6. Demo generation rate vs a bare INSERT of the same rows.
    results.append(_generation(ctx))
    return results


SAVES = r"""
count = int(args[0])
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import Session
session = Session(conn, default_actor(conn))
repo = PersonRepository(session)
walls, cpus = [], []
for n in range(count):
    started, cpu = time.perf_counter(), time.process_time()
    with session.transaction():
        repo.create({"family_name": f"Саидов{n}", "given_name": "Бахтиёр", "sex": "male",
                     "phones": f"+992 93 700 {n:04d}", "district": "TJ-RASHT"})
    walls.append(time.perf_counter() - started)
    cpus.append(time.process_time() - cpu)
import statistics
figures.update(wall=statistics.median(walls), cpu=statistics.median(cpus))
"""
SAVE_COUNT = 20


def _saves(ctx) -> list[Result]:
    """One person created per transaction (the clock, the sequence number, the audit
    head, the row, its search keys and full-text row, the change entry, a commit with
    fsync), in a child on the shared register (left as it was) and in a new database
    set up the same way; medians of SAVE_COUNT."""
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    empty = ctx.workdir / "empty-register.db"
    for leftover in ctx.workdir.glob(empty.name + "*"):
        leftover.unlink()
    conn = open_database(empty, create=True)
    initialise(conn, office_code="GRM", office_name="Bench", office_type="jrc")
    conn.close()
    register = ctx.demo_db()
    saved = run_child(ctx, SAVES, register, SAVE_COUNT)
    fresh = run_child(ctx, SAVES, empty, SAVE_COUNT, copy=True)
    return [Result(f"one person saved into the {register.stem} register, median of"
                   f" {SAVE_COUNT}", saved["wall"] * 1000, "ms", "the same into a new database",
                   fresh["wall"] * 1000, "register size does not show", saved["cpu"],
                   fresh["cpu"])]


SPREADSHEET_COLUMNS = ("family_name", "given_name", "patronymic", "sex", "birth_date",
                       "phones", "document_number", "district", "jamoat", "migration_status")
IMPORT = r"""
mode, sheet = args
from desktop_app.domain.ids import new_id
from desktop_app.store.people import spreadsheet as people_import
from desktop_app.store.session import Session
session = Session(conn, default_actor(conn))
if mode == "bare":
    checked = [dict(row.values) for row in people_import.read_people_file(conn, sheet).valid_rows]
    fields = sorted({name for row in checked for name in row})
    now, user = "2026-11-23T00:00:00.000Z", session.actor.user_id
    rows = [(new_id(), session.office_id, now, user, now, user,
             *(row.get(name) for name in fields)) for row in checked]
    sql = (f"INSERT INTO person(id, office_id, created_at, created_by, updated_at,"
           f" updated_by, {', '.join(fields)}) VALUES ({', '.join('?' * (6 + len(fields)))})")
started = time.perf_counter()
if mode == "bare":
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")
else:
    figures["imported"] = people_import.import_people(session, sheet).imported
figures["seconds"] = time.perf_counter() - started
"""


def _spreadsheet_import(ctx) -> list[Result]:
    """A CSV of demo people (a tenth of the demo generation's size) imported into the
    shared register (``import_people``: read, check, write, search keys, audit) against a
    bare ``executemany`` of the same checked rows into the same database; best of two
    runs each, alternating, in a child that leaves the database as it was."""
    import csv

    from desktop_app.demo.people import PeopleFactory, load_places
    from desktop_app.store.access import open_database
    register = ctx.demo_db()
    n = max(1000, min(10_000, ctx.count("people") // 100))
    conn = open_database(register)
    factory = PeopleFactory(load_places(conn, None), random.Random(11), None)
    conn.close()
    sheet = ctx.workdir / "people.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(SPREADSHEET_COLUMNS)
        for _row in range(n):
            person = factory.person()[0]
            writer.writerow([person.get(name) or "" for name in SPREADSHEET_COLUMNS])
    bare, imports = [], []
    for _attempt in range(2):
        bare.append(run_child(ctx, IMPORT, register, "bare", sheet))
        imports.append(run_child(ctx, IMPORT, register, "import", sheet))
    imported = imports[0]["imported"]
    best = min(r["seconds"] for r in imports)
    return [Result(f"spreadsheet import of {imported} people into the {register.stem}"
                   " register", best, "s", "bare executemany of the checked rows",
                   min(r["seconds"] for r in bare)),
            Result("peak RSS of the importing process",
                   max(r["rss_kb"] for r in imports) / 1024, "MB")]


def _generation(ctx) -> Result:
    from desktop_app.demo import create_demo, default_arguments
    from desktop_app.store.access import open_database
    n = max(2000, min(50_000, ctx.count("people") // 20))
    target = ctx.workdir / "generate.db"
    marks: list[float] = []

    def progress(stage, done, total):
        if total == n and (done == 0 or done == total) and len(marks) < 2:
            marks.append(time.perf_counter())
    # Only the people stage is timed (from its first to its last progress report), so
    # database set-up and the other generators do not count.
    session = create_demo(target, default_arguments(people=n, cases=0, trainings=0, loans=0),
                          progress=progress)
    generated = marks[-1] - marks[0]
    rows = session.conn.execute("SELECT * FROM person").fetchall()
    cols = len(rows[0])
    session.conn.close()
    bare_path = ctx.workdir / "bare.db"
    conn = open_database(bare_path, create=True)
    conn.execute("DELETE FROM person")
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO person VALUES ({','.join('?' * cols)})",
                     rows)
    conn.execute("COMMIT")
    bare = time.perf_counter() - started
    conn.close()
    per_million = generated / n * 1_000_000 / 60
    return Result(f"demo generation of {n} people (with episodes), extrapolated to 1M",
                  per_million, "min", "bare INSERT of the same person rows",
                  bare / n * 1_000_000 / 60, "a few minutes")
