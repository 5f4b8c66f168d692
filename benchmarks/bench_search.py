"""Search that ranks every match: ``search_people`` as the People list calls it (500
candidates) against the bare full-text match of every matching person (the least a search
over the whole register must read) plus reading 500 of their rows.

Terms: the commonest family name of the register in Cyrillic and in Latin, that name with
a given name, and a two-letter prefix. Medians of five runs, wall and CPU. Also printed:
how many people match, and whether the latest registered exact match is listed first.
"""
from __future__ import annotations

from run import Result, compare, timed


def run(ctx):
    from desktop_app.domain import names
    from desktop_app.store.access import open_database
    from desktop_app.store.people.repositories import fts_query, search_people

    conn = open_database(ctx.demo_db())
    family, given = conn.execute(
        "SELECT family_name, given_name FROM person WHERE deleted = 0 GROUP BY name_key "
        "ORDER BY count(*) DESC LIMIT 1").fetchone()
    common = conn.execute("SELECT family_name FROM person WHERE deleted = 0 GROUP BY "
                          "family_name ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    latin = names.transliterate(common).title()
    terms = [common, latin, f"{family} {given}", latin[:2]]
    results = []
    for term in terms:
        exact, prefix = fts_query(term, prefix=False), fts_query(term, prefix=True)

        def bare(exact=exact, prefix=prefix):
            rowids = [r for (r,) in conn.execute(
                "SELECT rowid FROM person_search WHERE person_search MATCH ?", (prefix,))]
            conn.execute(f"SELECT id, family_name, given_name, name_key FROM person WHERE "
                         f"rowid IN ({','.join('?' * min(500, len(rowids)))})",
                         rowids[-500:]).fetchall()
        matches = conn.execute("SELECT count(*) FROM person_search WHERE person_search "
                               "MATCH ?", (prefix,)).fetchone()[0]
        ours = timed(lambda term=term: search_people(conn, term, limit=500, candidates=500), 5)
        base = timed(bare, 5)
        results.append(compare(f"search '{term}' ({matches:,} match), ranked", ours,
                               "bare FTS match of all + 500 rows", base, "as fast as before"))
    # the latest registered exact match of the commonest name is listed first
    hits = search_people(conn, common, limit=50)
    newest = conn.execute(
        "SELECT p.id FROM person_search s JOIN person p ON p.rowid = s.rowid WHERE "
        "person_search MATCH ? AND p.deleted = 0 ORDER BY p.rowid DESC LIMIT 1",
        (fts_query(common, prefix=False),)).fetchone()[0]
    results.append(Result(f"latest registered '{common}' listed at position",
                          1 + [h.id for h in hits].index(newest) if newest in
                          [h.id for h in hits] else -1, "", goal="1 (within the first page)"))
    conn.close()
    return results
