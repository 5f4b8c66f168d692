"""Which person a record really belongs to, for one report run: temp table ``rpt_root``
maps every merged person id to its surviving identity. Every indicator source reads it
to count people (and their cases, trainings, loans ...) once per identity."""
from __future__ import annotations


def prepare_roots(conn) -> None:
    """(Re)fill temp table ``rpt_root``: every merged person id -> its surviving identity,
    following chains (store.people.repositories.resolve_person semantics; a cycle stops before it
    repeats). One recursive query over the merged rows only (partial index
    person_merged_into), never a scan of the register."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_root(id TEXT PRIMARY KEY, root TEXT)")
    conn.execute("CREATE INDEX IF NOT EXISTS temp.rpt_root_root ON rpt_root(root)")
    conn.execute("DELETE FROM temp.rpt_root")
    conn.execute(
        "INSERT INTO temp.rpt_root(id, root) "
        "WITH RECURSIVE chain(id, root, depth, path) AS ("
        " SELECT id, merged_into, 1, ',' || id || ',' || merged_into || ',' FROM person"
        " WHERE merged_into IS NOT NULL AND merged_into != ''"
        " UNION ALL"
        " SELECT c.id, n.merged_into, c.depth + 1, c.path || n.merged_into || ','"
        " FROM chain c JOIN person n ON n.id = c.root"
        " WHERE n.merged_into IS NOT NULL AND n.merged_into != ''"
        " AND instr(c.path, ',' || n.merged_into || ',') = 0)"
        " SELECT id, root FROM (SELECT id, root, MAX(depth) FROM chain GROUP BY id)")


