"""Possible duplicate people after an import: the queue a person reviews side by side."""
from __future__ import annotations

from rapidfuzz import fuzz

from desktop_app.store.audit import utc_now
from desktop_app.store.people_duplicates import find_duplicate_pairs

# per person: a common name must not flood the queue
MAX_CANDIDATES = 5
# Up to this many people per import get the full fuzzy comparison (store.people_duplicates,
# ~0.1 s a person on a large database); a bigger import (a new office's first bundle, a
# full restore) uses indexed exact-key matching so that the import stays within a small
# factor of a plain insert. The full check can be run on demand from the people module.
FULL_CHECK_LIMIT = 300
NAME_THRESHOLD = 85


def _find_pairs(conn, person_ids: list[str]) -> list[tuple[str, str, int, str]]:
    """(a, b, score, reasons) for people probably the same as one of ``person_ids``."""
    if len(person_ids) > FULL_CHECK_LIMIT:
        return _fallback_pairs(conn, person_ids)
    return [(pair.first_id, pair.second_id, int(pair.score), "; ".join(pair.reasons))
            for pair in find_duplicate_pairs(conn, person_ids,
                                             limit_per_person=MAX_CANDIDATES)]


def _keys_of(conn, person_ids):
    """(id, name key, birth date, phone keys, document key) of living, unmerged people."""
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start:start + 900]
        yield from conn.execute(
            f"SELECT id, name_key, birth_date, phone_key, document_key FROM person WHERE id IN"
            f" ({','.join('?' * len(chunk))}) AND merged_into IS NULL AND deleted = 0"
            f" AND coalesce(name_key, '') != '' ORDER BY id", chunk).fetchall()


_CANDIDATE_COLUMNS = "p.id, p.name_key, p.birth_date, p.phone_key, p.document_key"
_LIVING = "p.id != ? AND p.deleted = 0 AND p.merged_into IS NULL"
# people born on one day, compared by name (a day has ~50 births in a million people)
_SAME_DAY = 50


_BY_BIRTH = (f"SELECT {_CANDIDATE_COLUMNS} FROM person p WHERE p.birth_date = ?"
             f" AND {_LIVING} LIMIT {_SAME_DAY}")
_BY_DOCUMENT = (f"SELECT {_CANDIDATE_COLUMNS} FROM person p WHERE p.document_key = ?"
                f" AND p.document_key IS NOT NULL AND p.document_key != ''"
                f" AND {_LIVING} LIMIT {MAX_CANDIDATES}")
_BY_PHONE = (f"SELECT {_CANDIDATE_COLUMNS} FROM person p WHERE p.phone_key = ?"
             f" AND p.phone_key IS NOT NULL AND p.phone_key != ''"
             f" AND {_LIVING} LIMIT {MAX_CANDIDATES}")
_CANDIDATE_SQL: dict[tuple, str] = {}


def _candidates(conn, pid, birth, phones, document) -> dict[str, tuple]:
    """People born the same day, or sharing a phone or the document number: indexed
    look-ups only, never a scan of the table."""
    shape = (bool(birth), bool(document), bool(phones))
    if not any(shape):
        return {}
    sql = _CANDIDATE_SQL.get(shape)
    if sql is None:
        parts = [q for q, used in zip((_BY_BIRTH, _BY_DOCUMENT, _BY_PHONE), shape) if used]
        sql = _CANDIDATE_SQL[shape] = " UNION ALL ".join(f"SELECT * FROM ({q})" for q in parts)
    args = []
    for value, used in zip((birth, document, phones), shape):
        if used:
            args += (value, pid)
    found: dict[str, tuple] = {}
    for row in conn.execute(sql, args):
        found.setdefault(row[0], row)
    return found


def _fallback_pairs(conn, person_ids):
    """Like the full check, but only pairs with a similar name AND another sign (same
    birth date, phone or document): a common name alone would flood the queue."""
    found = []
    for pid, name_key, birth, phones, document in _keys_of(conn, person_ids):
        pairs = []
        for cid, ckey, cbirth, cphones, cdoc in _candidates(conn, pid, birth, phones,
                                                              document).values():
            score = int(fuzz.token_sort_ratio(name_key, ckey or ""))
            if score < NAME_THRESHOLD:
                continue
            same_birth = bool(birth and birth == cbirth)
            same_phone = bool(set(filter(None, (phones or "").split(";")))
                              & set(filter(None, (cphones or "").split(";"))))
            same_doc = bool(document and document == cdoc)
            if birth and cbirth and birth != cbirth and not (same_phone or same_doc):
                continue
            if not (same_birth or same_phone or same_doc):
                continue
            reasons = ["name"] + (["birth_date"] if same_birth else []) + (
                ["phone"] if same_phone else []) + (["document"] if same_doc else [])
            a, b = sorted((pid, cid))
            pairs.append((a, b, score, ",".join(reasons)))
        pairs.sort(key=lambda p: (-p[2], -len(p[3]), p[0], p[1]))
        found.extend(pairs[:MAX_CANDIDATES])
    return found


def queue_duplicates(conn, person_ids: list[str], bundle_id: str | None = None) -> int:
    """Add new pairs to the queue (inside the caller's transaction); returns how many."""
    if not person_ids:
        return 0
    now = utc_now()
    rows = []
    for a, b, score, reason in _find_pairs(conn, sorted(set(person_ids))):
        a, b = sorted((a, b))
        rows.append((a, b, score, reason, now, bundle_id))
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO sync_duplicate(person_a, person_b, score, reason, found_at,"
        " bundle_id) VALUES (?,?,?,?,?,?)", rows)
    return conn.total_changes - before


def open_pairs(conn) -> list[dict]:
    cur = conn.execute("SELECT id, person_a, person_b, score, reason, found_at, status FROM "
                       "sync_duplicate WHERE status='open' ORDER BY score DESC, id")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]
