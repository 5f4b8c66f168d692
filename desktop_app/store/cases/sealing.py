"""Texts about sensitive cases that were written in the clear, sealed where they lie.

Timeline entries, follow-up results and referral answers of a sensitive case are sealed
when they are written (the repositories' ``validate``). Texts written before — before
the database had the sensitive-case key, before the case became sensitive, or received
by sync from a database without the key — are sealed *in place* by
:func:`seal_case_texts`: the row's text is replaced by its sealed form, with the same
clock and no change-log entry (every database that holds the key does the same for its
own copies, and a re-export of a creation reads the row, sealed by then); the copies of
the plain text in this database's change log are replaced by the sealed text; one audit
row (``seal_case_texts``) names how many texts of which cases were sealed, without their
values. ``case_event`` is append-only: this routine is the one write that changes its
rows, and it changes nothing but the form of the text. docs/dev/security.md,
"Sensitive-case key", says what this answers and what it does not.
"""
from __future__ import annotations

import json

from desktop_app.domain import cases as dom
from desktop_app.store.cases import search as cases_search
from desktop_app.store.clocks import dumps
from desktop_app.store.security import sensitive

# the full-text index of cases (summary words, caller) keeps the terms of rows it no
# longer holds until its segments are merged: ``purge_search_index`` merges them
_SEARCH_TABLE = "case_search"


def _plain(field: str) -> str:
    return (f"(t.{field} IS NOT NULL AND t.{field} != ''"
            f" AND t.{field} NOT LIKE '{sensitive.PREFIX}%')")


def plain_texts(conn, case_ids: list[str] | None = None
                ) -> list[tuple[str, str, str, str, str]]:
    """(table, record id, field, plain text, case id) of the texts of sensitive cases
    (all of them, or of ``case_ids``) that are not sealed."""
    found = []
    for table in sensitive.CASE_TEXT_TABLES:
        for field in sensitive.SEALED_FIELDS[table]:
            sql = (f"SELECT t.id, t.{field}, t.case_id FROM {table} t"
                   f" JOIN hotline_case c ON c.id = t.case_id"
                   f" WHERE c.sensitive = 1 AND {_plain(field)}")
            if case_ids is None:
                rows = conn.execute(sql).fetchall()
            else:
                rows = []
                for start in range(0, len(case_ids), 500):
                    chunk = case_ids[start:start + 500]
                    rows += conn.execute(
                        sql + f" AND t.case_id IN ({','.join('?' * len(chunk))})",
                        chunk).fetchall()
            found += [(table, r[0], field, r[1], r[2]) for r in rows]
    return found


def scrub_change_log(conn, table: str, record_id: str, field: str, sealed: str) -> None:
    """The change log's copies of the plain text (updates, and received creations that
    still carry their values) take the sealed text."""
    for seq, text in conn.execute(
            "SELECT seq, fields FROM change_log WHERE table_name=? AND record_id=?"
            " AND fields IS NOT NULL", (table, record_id)).fetchall():
        values = json.loads(text)
        if isinstance(values, dict) and isinstance(values.get(field), str) \
                and values[field] and not sensitive.is_sealed(values[field]):
            values[field] = sealed
            conn.execute("UPDATE change_entry SET fields=? WHERE seq=?", (dumps(values), seq))


def seal_case_texts(session, case_ids: list[str] | None = None) -> int:
    """Seal in place the plain texts of sensitive cases (every one, or those of
    ``case_ids``) with this database's public key; inside the caller's transaction.
    Returns how many texts were sealed (0 without a key)."""
    if sensitive.public_key(session.conn) is None:
        return 0
    return _seal_in_place(session, plain_texts(session.conn, case_ids))


def seal_received_cases(session, records: list[dict]) -> int:
    """Sensitive cases received in the clear (from a database without the key): their
    caller, summary and outcome notes sealed in place, in ``records`` too (the rows as
    the import hooks see them)."""
    if sensitive.public_key(session.conn) is None:
        return 0
    texts = [("hotline_case", r["id"], field, r[field], r["id"]) for r in records
             if r.get("sensitive") for field in sensitive.SEALED_FIELDS["hotline_case"]
             if isinstance(r.get(field), str) and r[field] and not sensitive.is_sealed(r[field])]
    sealed = _seal_in_place(session, texts)
    if sealed:
        by_id = {r["id"]: r for r in records}
        for _table, record_id, field, _value, _case in texts:
            by_id[record_id][field] = session.conn.execute(
                f"SELECT {field} FROM hotline_case WHERE id=?", (record_id,)).fetchone()[0]
    return sealed


def recheck_sensitivity(session, case_ids: list[str]) -> list[str]:
    """``hotline_case.sensitive`` worked out again for these cases from what it derives
    from (flag, category, the person's birth date on the opening day), written in place
    where it changed, and the texts of the cases that became sensitive sealed in place.

    For a fact that changed outside the case: a person's birth date that makes the case a
    minor's case (local or received), or a received case whose ``sensitive`` was worked
    out elsewhere before the birth date arrived. Like the sealing, the recomputation keeps
    the row's clocks and writes no change-log entry: every database derives the same value
    from the same facts. Returns the cases that became sensitive."""
    conn = session.conn
    changed: list[tuple[int, str]] = []
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        for case_id, stored, flag, category, opened_on, birth_date in conn.execute(
                "SELECT c.id, c.sensitive, c.sensitive_flag, c.category, c.opened_on,"
                " p.birth_date FROM hotline_case c LEFT JOIN person p ON p.id = c.person_id"
                f" WHERE c.deleted = 0 AND c.id IN ({','.join('?' * len(chunk))})", chunk):
            derived = dom.compute_sensitive(flag, category, birth_date, opened_on)
            if derived != (stored or 0):
                changed.append((derived, case_id))
    if not changed:
        return []
    became = [case_id for derived, case_id in changed if derived]
    with session.transaction():
        conn.executemany("UPDATE hotline_case SET sensitive=? WHERE id=?", changed)
        if became and sensitive.public_key(conn) is not None:
            _seal_in_place(session, _case_fields(conn, became) + plain_texts(conn, became))
            conn.executemany("UPDATE hotline_case SET caller_key=NULL WHERE id=?",
                             [(case_id,) for case_id in became])
            cases_search.refresh(conn, became)
            purge_search_index(conn)
            seal_conflicts_of_cases(conn, became)
    return became


def seal_conflicts_of_cases(conn, case_ids: list[str]) -> int:
    """Plain values in the sync conflicts about these cases and their texts (kept from a
    time the case was not sensitive) sealed, when this database has the key."""
    records: dict[str, list[str]] = {"hotline_case": list(case_ids)}
    for table in sensitive.CASE_TEXT_TABLES:
        records[table] = []
        for start in range(0, len(case_ids), 500):
            chunk = case_ids[start:start + 500]
            records[table] += [r[0] for r in conn.execute(
                f"SELECT id FROM {table} WHERE case_id IN ({','.join('?' * len(chunk))})",
                chunk)]
    return sensitive.seal_conflicts(conn, records=records)


def _case_fields(conn, case_ids: list[str]) -> list[tuple[str, str, str, str, str]]:
    """(table, record id, field, plain text, case id) of the plain caller, summary and
    outcome notes of these cases."""
    fields = sensitive.SEALED_FIELDS["hotline_case"]
    found = []
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        for row in conn.execute(
                f"SELECT id, {', '.join(fields)} FROM hotline_case"
                f" WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            found += [("hotline_case", row[0], field, value, row[0])
                      for field, value in zip(fields, row[1:], strict=True)
                      if isinstance(value, str) and value and not sensitive.is_sealed(value)]
    return found


def _seal_in_place(session, texts: list[tuple[str, str, str, str, str]]) -> int:
    if not texts:
        return 0
    conn = session.conn
    public = sensitive.public_key(conn)
    assert public is not None
    with session.transaction():
        for table, record_id, field, value, _case_id in texts:
            sealed = sensitive.seal(public, table, record_id, field, value)
            conn.execute(f"UPDATE {table} SET {field}=? WHERE id=?", (sealed, record_id))
            scrub_change_log(conn, table, record_id, field, sealed)
        counts: dict[str, int] = {}
        for table, *_rest in texts:
            counts[table] = counts.get(table, 0) + 1
        session.log("seal_case_texts", "hotline_case", None, detail={
            "texts": counts, "cases": sorted({t[4] for t in texts})})
    return len(texts)


def purge_search_index(conn) -> None:
    """Merge the case search index into one segment, which drops the terms of the rows
    it no longer holds (a summary indexed before it was sealed)."""
    conn.execute(f"INSERT INTO {_SEARCH_TABLE}({_SEARCH_TABLE}) VALUES ('optimize')")
