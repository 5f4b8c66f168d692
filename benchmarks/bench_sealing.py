"""Sealing the texts of sensitive cases: what it adds to the writes that do it.

On a copy of the cases-heavy database of ``bench_cases`` (``FULL["cases"] * scale``
cases) with the sensitive-case key's public half in ``meta``:

* a case becoming sensitive (its texts sealed in place and the case search index merged)
  against the same update of a field that changes nothing of the sort (risk level);
* rewriting one case's row of the search index and merging the index
  (``sealing.purge_search_index``) against rewriting the row alone (what every case
  write does);
* sealing every plain text of every sensitive case (what the set-up does) against reading
  those texts.

Each figure is the median of its runs (wall and CPU), its baseline measured in the same
run on the same data.
"""
from __future__ import annotations

import shutil

from bench_cases import cases_db, open_current
from run import Result, compare, timed

PASSPHRASE = "bench-sensitive-passphrase"


def run(ctx) -> list[Result]:
    from desktop_app.store.access import default_actor
    from desktop_app.store.cases import repositories as sc
    from desktop_app.store.cases import sealing
    from desktop_app.store.cases import search as cases_search
    from desktop_app.store.security import sensitive
    from desktop_app.store.session import Session, set_meta

    source = cases_db(ctx)
    path = ctx.workdir / "sealing.db"
    shutil.copyfile(source, path)
    keys = source.with_name(source.name + ".keys")
    if keys.exists():
        shutil.copyfile(keys, path.with_name(path.name + ".keys"))
    conn = open_current(path)
    session = Session(conn, default_actor(conn))
    total = conn.execute("SELECT count(*) FROM hotline_case").fetchone()[0]
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    cases = sc.CaseRepository(session)
    # open cases that are not sensitive, with a timeline: each run turns one sensitive
    candidates = [r[0] for r in conn.execute(
        "SELECT c.id FROM hotline_case c WHERE c.sensitive=0 AND c.deleted=0 AND"
        " c.status IN ('new', 'in_progress') AND EXISTS (SELECT 1 FROM case_event e"
        " WHERE e.case_id=c.id) LIMIT 14")]
    half = len(candidates) // 2
    turned, plain = iter(candidates[:half]), iter(candidates[half:])
    levels = iter(["high", "low"] * 10)

    def become_sensitive():
        cases.update(next(turned), {"sensitive_flag": 1})

    def other_update():
        cases.update(next(plain), {"risk_level": next(levels)})

    results = [compare(f"case becomes sensitive (texts sealed, index merged), {total} cases",
                       timed(become_sensitive, 5), "same update of the risk level",
                       timed(other_update, 5))]

    one = candidates[-1:]

    def refresh():
        with session.transaction():
            cases_search.refresh(conn, one)

    def refresh_and_merge():
        with session.transaction():
            cases_search.refresh(conn, one)
            sealing.purge_search_index(conn)
    results.append(compare(f"one case's index row rewritten, then the index merged, "
                           f"{total} cases", timed(refresh_and_merge, 5),
                           "the row rewritten alone", timed(refresh, 5)))

    texts = len(sealing.plain_texts(conn))

    def read_texts():
        sealing.plain_texts(conn)

    bare = timed(read_texts, 3)
    # once: the texts are sealed after it
    sealed = timed(lambda: sealing.seal_case_texts(session), 1)
    results.append(compare(f"every plain text of sensitive cases sealed ({texts} texts)",
                           sealed, "reading those texts", bare, unit="s"))
    conn.close()
    return results
