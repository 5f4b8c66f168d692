"""Possible duplicate people after an import: the queue a person reviews side by side."""
from __future__ import annotations

from desktop_app.store.audit import utc_now
from desktop_app.store.people_duplicates import find_duplicate_pairs

# per person: a common name must not flood the queue
MAX_CANDIDATES = 5


def _find_pairs(conn, person_ids: list[str]) -> list[tuple[str, str, int, str]]:
    """(a, b, score, reasons) for people probably the same as one of ``person_ids``."""
    return [(pair.first_id, pair.second_id, int(pair.score), "; ".join(pair.reasons))
            for pair in find_duplicate_pairs(conn, person_ids,
                                             limit_per_person=MAX_CANDIDATES)]


def queue_duplicates(conn, person_ids: list[str], bundle_id: str | None = None) -> int:
    """Add new pairs to the queue (inside the caller's transaction); returns how many."""
    if not person_ids:
        return 0
    added = 0
    now = utc_now()
    for a, b, score, reason in _find_pairs(conn, sorted(set(person_ids))):
        a, b = sorted((a, b))
        cur = conn.execute(
            "INSERT OR IGNORE INTO sync_duplicate(person_a, person_b, score, reason, found_at,"
            " bundle_id) VALUES (?,?,?,?,?,?)", (a, b, score, reason, now, bundle_id))
        added += cur.rowcount
    return added


def open_pairs(conn) -> list[dict]:
    cur = conn.execute("SELECT id, person_a, person_b, score, reason, found_at, status FROM "
                       "sync_duplicate WHERE status='open' ORDER BY score DESC, id")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur]
