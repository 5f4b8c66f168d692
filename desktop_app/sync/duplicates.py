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


def _fallback_pairs(conn, person_ids):
    found = []
    for pid, name_key, birth, phones, document in _keys_of(conn, person_ids):
        clauses, args = ["name_key = ?"], [name_key]
        if birth:
            clauses.append("birth_date = ?")
            args.append(birth)
        if document:
            clauses.append("document_key = ?")
            args.append(document)
        for phone in (phones or "").split(";"):
            if phone:
                clauses.append("phone_key = ?")
                args.append(phone)
        candidates = conn.execute(
            f"SELECT id, name_key, birth_date, phone_key, document_key FROM person WHERE "
            f"({' OR '.join(clauses)}) AND id != ? AND deleted = 0 AND merged_into IS NULL "
            f"LIMIT {MAX_CANDIDATES}", (*args, pid)).fetchall()
        for cid, ckey, cbirth, cphones, cdoc in candidates:
            score = int(fuzz.token_sort_ratio(name_key, ckey or ""))
            same_birth = bool(birth and birth == cbirth)
            same_phone = bool(set(filter(None, (phones or "").split(";")))
                              & set(filter(None, (cphones or "").split(";"))))
            same_doc = bool(document and document == cdoc)
            if score < NAME_THRESHOLD:
                continue
            if birth and cbirth and birth != cbirth and not (same_phone or same_doc):
                continue
            reasons = ["name"] + (["birth_date"] if same_birth else []) + (
                ["phone"] if same_phone else []) + (["document"] if same_doc else [])
            if len(reasons) == 1 and score < 100:
                continue
            a, b = sorted((pid, cid))
            found.append((a, b, score, ",".join(reasons)))
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
