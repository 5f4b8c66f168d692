"""A change log that does not copy every created row (``store.sync_state.changes``).

The former ``change_log`` table kept, for every create, the whole record as JSON, four
36-character UUID texts and three indexes: about 6 KB a person, more than the records
themselves. It becomes ``change_entry`` (device, table, author and office as numbers of
``change_term``; clocks as integers; creations without the copy of their values, which
export reads from the row) and a view ``change_log`` with the former columns. Existing
entries are copied in chunks; creations whose row still holds their values lose the
copy. The file shrinks on ``hamroh db compact`` (VACUUM).
"""
from __future__ import annotations

import importlib
import pkgutil

CHUNK = 5000

SCHEMA = (
    "CREATE TABLE change_term (n INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)",
    "CREATE TABLE change_entry ("
    " seq INTEGER PRIMARY KEY,"
    " device INTEGER NOT NULL,"        # change_term: the origin device
    " origin_seq INTEGER NOT NULL,"
    " tbl INTEGER NOT NULL,"           # change_term: the table
    " record_id TEXT NOT NULL,"
    " hlc NOT NULL,"                   # ms * 100000 + counter, or the clock's text
    " fields TEXT,"                    # NULL: a creation (values are the row's)
    " author INTEGER,"                 # change_term
    " office INTEGER,"                 # change_term
    " base TEXT)",
    "CREATE UNIQUE INDEX change_entry_origin ON change_entry(device, origin_seq)",
    "CREATE INDEX change_entry_record ON change_entry(record_id)",
    "CREATE INDEX change_entry_hlc ON change_entry(hlc)",
)

VIEW = (
    "CREATE VIEW change_log AS SELECT e.seq AS seq, d.term AS origin_device,"
    " e.origin_seq AS origin_seq, t.term AS table_name, e.record_id AS record_id,"
    " CASE WHEN typeof(e.hlc) = 'integer' THEN printf('%015d.%05d.', e.hlc / 100000,"
    " e.hlc % 100000) || d.term ELSE e.hlc END AS hlc, e.fields AS fields,"
    " a.term AS author, o.term AS office_id, e.base AS base"
    " FROM change_entry e JOIN change_term d ON d.n = e.device"
    " JOIN change_term t ON t.n = e.tbl LEFT JOIN change_term a ON a.n = e.author"
    " LEFT JOIN change_term o ON o.n = e.office")


def _repositories():
    import desktop_app.store as store
    from desktop_app.store.repository import Repository
    for info in pkgutil.walk_packages(store.__path__, prefix=f"{store.__name__}."):
        importlib.import_module(info.name)
    return Repository.synced_tables()


def migrate(conn) -> None:
    from desktop_app.store.sync_state.changes import (
        INSERT_SQL,
        Terms,
        compact_creations,
        entry_values,
    )
    for statement in SCHEMA:
        conn.execute(statement)
    terms = Terms(conn)
    insert = "INSERT INTO change_entry(seq, " + INSERT_SQL.split("(", 1)[1].replace(
        "VALUES (?", "VALUES (?,?", 1)
    last = 0
    while True:
        rows = conn.execute(
            "SELECT seq, origin_device, origin_seq, table_name, record_id, hlc, fields,"
            " author, office_id, base FROM change_log WHERE seq > ? ORDER BY seq"
            f" LIMIT {CHUNK}", (last,)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        conn.executemany(insert, [(row[0], *entry_values(terms, *row[1:])) for row in rows])
    conn.execute("DROP TABLE change_log")
    conn.execute(VIEW)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    compact_creations(conn, {t: c for t, c in _repositories().items() if t in tables})
