"""The People list at scale: ordered id lists, filters, search while typing, one page of rows.

Each figure has a baseline measured in the same run on the same database: the bare SQL
that reads the same number of rows (a rowid scan, an FTS match, a rowid range).
"""
from __future__ import annotations

import random
import time

from run import Result

from desktop_app.store.access import open_database
from desktop_app.store.people import listing as people_list


def _best(fn, repeat=3):
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best * 1000


def _synthetic(ctx):
    """A database of ctx.count('people') people when the shared demo cannot be built.

    Cached next to the shared demo databases so that a second run does not rebuild it.
    """
    from desktop_app.store.people.repositories import PersonRepository
    from desktop_app.store.setup import initialise
    ctx.cache.mkdir(parents=True, exist_ok=True)
    final = ctx.cache / f"people-list-{ctx.scale:g}.db"
    if final.exists():
        return final
    path = ctx.cache / f"people-list-{ctx.scale:g}.partial.db"
    for leftover in ctx.cache.glob(path.name + "*"):
        leftover.unlink()
    conn = open_database(path, create=True)
    session = initialise(conn, office_code="GRM", office_name="Gharm", district="TJ-RASHT",
                         jamoat="TJ-RASHT-GARM", region="TJ-RR")
    rng = random.Random(7)
    family = ["Раҳмонов", "Саидов", "Karimov", "Nazarov", "Иброҳимов", "Шарипов", "Toshmatov",
              "Алиев", "Қодиров", "Юсупов", "Mirzoev", "Холов", "Davlatov", "Сафаров"]
    given = ["Фарҳод", "Бахтиёр", "Jamshid", "Umed", "Сино", "Зарина", "Мавзуна", "Gulnora",
             "Дилшод", "Рустам", "Nigora", "Шаҳло"]

    def rows():
        for _ in range(ctx.count("people")):
            yield dict(family_name=rng.choice(family), given_name=rng.choice(given),
                       sex=rng.choice(("male", "female")),
                       birth_date=f"{rng.randint(1960, 2006)}-{rng.randint(1, 12):02d}-"
                                  f"{rng.randint(1, 28):02d}",
                       phones=f"+992 9{rng.randint(0, 9)} {rng.randint(100, 999)} "
                              f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                       district=rng.choice(("TJ-RASHT", "TJ-TOJIKOBOD", "TJ-LAKHSH")),
                       migration_status=rng.choice(("abroad", "returned", "potential")))
    PersonRepository(session).create_many(rows(), audit=False)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    path.rename(final)
    return final


def run(ctx) -> list[Result]:
    try:
        path = ctx.demo_db()
    except (Exception, SystemExit) as exc:  # the demo generator may not be installed
        print(f"# shared demo database unavailable ({exc!r}); building a synthetic one")
        path = _synthetic(ctx)
    conn = open_database(path)
    total = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    q = people_list.PeopleQuery
    results = []

    def bare_scan():
        return [r for (r,) in conn.execute("SELECT rowid FROM person")]

    bare = _best(bare_scan)
    for label, query in (("name order", q()), ("name order, descending", q(descending=True)),
                         ("age order", q(sort="age")), ("registered order", q(sort="registered")),
                         ("status order", q(sort="status")),
                         ("filter sex=female", q(sex="female")),
                         ("filter female+district+abroad",
                          q(sex="female", district="TJ-RASHT", status="abroad"))):
        value = _best(lambda query=query: people_list.list_ids(conn, query))
        results.append(Result(f"people list ids, {label} ({total} people)", value, "ms",
                              "bare rowid scan", bare, "within 3x of the bare scan"))

    def bare_fts(term):
        return conn.execute("SELECT rowid FROM person_search WHERE person_search MATCH ? "
                            "LIMIT 500", (term,)).fetchall()

    for typed, fts in (("rahmonov", '"rahmanav"*'), ("ra", '"ra"*'),
                       ("rahmonov farhod", '"rahmanav"* AND "farhad"*')):
        value = _best(lambda typed=typed: people_list.list_ids(conn, q(term=typed,
                                                                      sort="relevance")))
        base = _best(lambda fts=fts: bare_fts(fts))
        results.append(Result(f"search as typed '{typed}'", value, "ms", "bare FTS match",
                              base, "under 100 ms"))

    ids = people_list.list_ids(conn, q()).rowids
    middle = ids[len(ids) // 2:len(ids) // 2 + 200]
    value = _best(lambda: people_list.fetch_rows(conn, middle), repeat=5)
    lo = min(middle)
    base = _best(lambda: conn.execute("SELECT * FROM person WHERE rowid BETWEEN ? AND ?",
                                      (lo, lo + 199)).fetchall(), repeat=5)
    results.append(Result("one page of 200 list rows (middle of the list)", value, "ms",
                          "bare 200-row range read", base, "under 20 ms"))
    value = _best(lambda: people_list.count_people(conn), repeat=5)
    base = _best(lambda: conn.execute("SELECT count(*) FROM person").fetchone(), repeat=5)
    results.append(Result("count of listed people", value, "ms", "bare count(*)", base))
    conn.close()
    results.extend(_page_open(path, bare))
    return results


def _page_open(path, bare_ms: float) -> list[Result]:
    """Open the People page and show its first screen, as a user does."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop_app.store.access import default_actor
    from desktop_app.store.session import Session
    from desktop_app.ui import operations
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.people.page import PeoplePage

    app = QApplication.instance() or QApplication([])
    conn = open_database(path)
    ctx = AppContext(Session(conn, default_actor(conn)), path)

    def open_page():
        page = PeoplePage(ctx)
        page.resize(1300, 800)
        page.show()
        page.wait_idle()
        deadline = time.perf_counter() + 60
        while page.model.rowCount() == 0 and time.perf_counter() < deadline:
            app.processEvents()
        for row in range(40):           # the rows of the first screen
            page.model.index(row, 0).data()
        open_page.page = page

    pages = []

    def open_and_keep():
        open_page()
        pages.append(open_page.page)

    value = _best(open_and_keep, repeat=2)
    page = open_page.page
    started = time.perf_counter()
    middle = page.model.rowCount() // 2
    page.table.scrollTo(page.model.index(middle, 0))
    for row in range(middle, middle + 40):
        page.model.index(row, 0).data()
    jump = (time.perf_counter() - started) * 1000
    # The pages' reads run on threads over this same connection (a bare context): closing
    # it while one still runs crashed the interpreter (a segmentation fault that showed
    # when the next stage, reports, started). Wait for every read, close the pages, then
    # the connection.
    for shown in pages:
        shown.wait_idle()
        shown.close()
    operations.wait_idle(ctx)
    conn.close()
    return [Result(f"open People page with {page.model.rowCount()} people, first screen",
                   value, "ms", "bare rowid scan", bare_ms, "under 1000 ms"),
            Result("jump to the middle of the list and show a screen", jump, "ms",
                   "bare rowid scan", bare_ms, "under 50 ms")]
