"""Which person a record really is: merges are redirects (``person.merged_into``).

A merged record points at the record it was merged into, which may itself have been merged
later, so every question "who is this" follows the chain to its end: the surviving
identity (the root). A chain that comes back on itself (never made by a merge here, but
possible after concurrent merges on two replicas) ends at the last record before it would
repeat, so every replica holding the same rows finds the same root.

Every module asks here: people (merge, a person's records), sync (erasure) and reports
(``fill_roots_table``).
"""
from __future__ import annotations

import json

# The people a list, a duplicate check or a count shows: not deleted, not merged into
# another record. Written exactly like this in queries so that the partial indexes made
# for these rows (migrations 0009, 0073) serve them.
LIVING_PERSON = "deleted = 0 AND merged_into IS NULL"


# One step along the merge chains of ``chain(start, id, depth, path)``: from a record to
# the one it was merged into, unless that one is already on the path (a cycle).
_STEP = (" UNION ALL SELECT c.start, p.merged_into, c.depth + 1, c.path || p.merged_into || ','"
         " FROM chain c JOIN person p ON p.id = c.id"
         " WHERE p.merged_into IS NOT NULL AND p.merged_into != ''"
         " AND instr(c.path, ',' || p.merged_into || ',') = 0")


def _chains_sql(seed: str) -> str:
    """start -> root for the chains begun by ``seed`` (rows of start, id, depth, path)."""
    return (f"WITH RECURSIVE chain(start, id, depth, path) AS ({seed}{_STEP})"
            " SELECT start, id FROM (SELECT start, id, MAX(depth) FROM chain GROUP BY start)")


_ROOTS_OF_IDS = _chains_sql("SELECT value, value, 0, ',' || value || ',' FROM json_each(?)")
# Seeded with the merged rows only (partial index person_merged_into): never a scan of
# the register.
_ROOTS_OF_MERGED = _chains_sql(
    "SELECT id, merged_into, 1, ',' || id || ',' || merged_into || ',' FROM person"
    " WHERE merged_into IS NOT NULL AND merged_into != ''")


def roots_of(conn, person_ids) -> dict[str, str]:
    """The surviving identity of each of ``person_ids`` (itself when not merged; empty
    ids left out), in one query."""
    ids = [i for i in set(person_ids) if i]
    if not ids:
        return {}
    return dict(conn.execute(_ROOTS_OF_IDS, (json.dumps(ids),)).fetchall())


def resolve_person(conn, person_id: str) -> str:
    """The surviving identity of ``person_id`` (itself when not merged); the same answer
    as :func:`roots_of`, one look-up per link (most people have none)."""
    seen = {person_id}
    while True:
        row = conn.execute("SELECT merged_into FROM person WHERE id=?", (person_id,)).fetchone()
        merged_into = row[0] if row else None
        if not merged_into or merged_into in seen:
            return person_id
        seen.add(merged_into)
        person_id = merged_into


def identity_ids(conn, person_id: str) -> list[str]:
    """The surviving record of ``person_id`` and every record merged into it.

    A person's cases, trainings and loans are those of all these ids, so a merge never
    rewrites children and an unmerge gives each record its own back.
    """
    root = resolve_person(conn, person_id)
    ids, frontier = [root], [root]
    while frontier:
        marks = ",".join("?" * len(frontier))
        frontier = [r[0] for r in conn.execute(
            # the partial index person_merged_into is only used with its own condition
            f"SELECT id FROM person WHERE merged_into IN ({marks}) AND merged_into IS NOT NULL"
            f" AND merged_into != ''", frontier)
            if r[0] not in ids]
        ids.extend(frontier)
    return ids


def fill_roots_table(conn, table: str) -> None:
    """(Re)fill the temporary table ``table`` (columns ``id`` primary key, ``root``,
    indexed by root) with every merged person id -> its surviving identity, in one
    recursive query over the merged rows only. People not merged have no row."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}(id TEXT PRIMARY KEY, root TEXT)")
    conn.execute(f"CREATE INDEX IF NOT EXISTS temp.{table}_root ON {table}(root)")
    conn.execute(f"DELETE FROM temp.{table}")
    conn.execute(f"INSERT INTO temp.{table}(id, root) {_ROOTS_OF_MERGED}")
