"""Possible duplicate people after an import: the queue a person reviews side by side."""
from __future__ import annotations

from typing import Iterator

from rapidfuzz import fuzz

from desktop_app.store.audit import utc_now
from desktop_app.store.db import row_dict
from desktop_app.store.people.duplicates import find_duplicate_pairs
from desktop_app.store.people.identity import LIVING_PERSON

# per person: a common name must not flood the queue
MAX_CANDIDATES = 5
# Up to this many people per import get the full fuzzy comparison (store.people.duplicates,
# ~0.1 s a person on a large database); a bigger import (a new office's first bundle, a
# full restore) uses indexed exact-key matching so that the import stays within a small
# factor of a plain insert. The full check can be run on demand from the people module.
FULL_CHECK_LIMIT = 300
NAME_THRESHOLD = 85


def _find_pairs(conn, count: int, id_chunks: Iterator[list[str]]
                ) -> Iterator[list[tuple[str, str, int, str]]]:
    """(a, b, score, reasons) for people probably the same as one of the ``count`` people
    whose ids come sorted in ``id_chunks``, a list per chunk."""
    if count > FULL_CHECK_LIMIT:
        for chunk in id_chunks:
            yield _fallback_pairs(conn, chunk)
        return
    person_ids = [pid for chunk in id_chunks for pid in chunk]
    yield [(pair.first_id, pair.second_id, int(pair.score), "; ".join(pair.reasons))
           for pair in find_duplicate_pairs(conn, person_ids, limit_per_person=MAX_CANDIDATES)]


def _keys_of(conn, person_ids):
    """(rowid, id, name key, birth date, phone keys, document key) of living, unmerged
    people."""
    for start in range(0, len(person_ids), 900):
        chunk = person_ids[start:start + 900]
        yield from conn.execute(
            f"SELECT rowid, id, name_key, birth_date, phone_key, document_key FROM person"
            f" WHERE id IN ({','.join('?' * len(chunk))}) AND {LIVING_PERSON}"
            f" AND coalesce(name_key, '') != '' ORDER BY id", chunk).fetchall()


_CANDIDATE_COLUMNS = "p.id, p.name_key, p.birth_date, p.phone_key, p.document_key"
# people born on one day with one first word, compared by name
_SAME_DAY = 50


# Candidates of many people in one statement: for each person of the probe table (id,
# birth, document, phones, first word, second word, rowid), people born the same day whose
# name begins with the first word (the family name as typed) or, for names typed the other
# way round, with the second word (up to 50 each), or with the same document or phone key
# (up to 5 each): correlated look-ups in indexes, each limited, never a table scan. The
# same-day look-ups are range seeks in ``person_same_day`` (birth date, name key;
# migration 0073) that visit only the people who share the word, so a large import stays
# linear: comparing every person born that day read 28 rows a person for a bundle of
# 100,000 into a register of the same size, and ten times as many in a million. The
# people to compare are rows of a temporary table, not items of a JSON list: reading an
# item's fields (``->>``) parsed its JSON again each time, 60 % of the statement's time
# (45 us a person at 1M, 17 us from the table).
_PROBE_TABLE = "sync_duplicate_probe"
_PROBE = f"temp.{_PROBE_TABLE}"


def _candidates(condition: str, limit: int) -> str:
    """People matching ``condition`` (over person and the probe row ``j``), living and
    unmerged, not the person themself, at most ``limit`` per person."""
    # The candidates come out of a correlated subquery as one JSON list per person: the
    # plan has no join with person that stale statistics (taken when the table was small)
    # could turn into a scan of the whole table for every imported person.
    return f"""
SELECT j.pid, c.value ->> 0, c.value ->> 1, c.value ->> 2, c.value ->> 3, c.value ->> 4
  FROM {_PROBE} j CROSS JOIN json_each((
    SELECT json_group_array(json_array(id, name_key, birth_date, phone_key, document_key))
      FROM (SELECT {_CANDIDATE_COLUMNS} FROM person p WHERE {condition}
              AND p.rowid != j.rid AND {LIVING_PERSON} LIMIT {limit}))) c"""


def _same_day_beginning_with(word: str) -> str:
    """Born the same day, with the name key equal to the probe's word ``word`` or
    beginning with it and a space (' ' sorts before '!', and keys hold no character below
    '!' other than the space)."""
    return f"birth_date = j.birth AND name_key >= j.{word} AND name_key < j.{word} || '!'"


_CHUNK_SQL = " UNION ALL ".join((
    _candidates(_same_day_beginning_with("word1"), _SAME_DAY),
    _candidates(_same_day_beginning_with("word2"), _SAME_DAY),
    _candidates("document_key = j.document AND document_key IS NOT NULL "
                "AND document_key != ''", MAX_CANDIDATES),
    _candidates("phone_key = j.phones AND phone_key IS NOT NULL AND phone_key != ''",
                MAX_CANDIDATES),
))
_PEOPLE_PER_STATEMENT = 500


def make_probe_table(conn) -> None:
    """The temporary table ``_CHUNK_SQL`` reads the people to compare from."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_PROBE_TABLE}(pid TEXT, birth TEXT,"
                 " document TEXT, phones TEXT, word1 TEXT, word2 TEXT, rid INTEGER)")


def _fallback_pairs(conn, person_ids):
    """Like the full check, but only pairs with a similar name AND another sign (same
    birth date, phone or document): a common name alone would flood the queue.
    Candidates come from indexed look-ups only (never a scan of the table)."""
    found = []
    keys = list(_keys_of(conn, person_ids))
    make_probe_table(conn)
    for start in range(0, len(keys), _PEOPLE_PER_STATEMENT):
        chunk = keys[start:start + _PEOPLE_PER_STATEMENT]
        candidates: dict[str, dict[str, tuple]] = {}
        people = []
        for rowid, pid, name_key, birth, phones, document in chunk:
            words = name_key.split(" ", 2)
            people.append((pid, birth or None, document or None, phones or None, words[0],
                           words[1] if len(words) > 1 else None, rowid))
        conn.execute(f"DELETE FROM {_PROBE}")
        conn.executemany(f"INSERT INTO {_PROBE} VALUES (?, ?, ?, ?, ?, ?, ?)", people)
        for pid, *row in conn.execute(_CHUNK_SQL):
            candidates.setdefault(pid, {}).setdefault(row[0], tuple(row))
        for _rowid, pid, name_key, birth, phones, document in chunk:
            found.extend(_pairs_of(pid, name_key, birth, phones, document,
                                   candidates.get(pid, {}).values()))
    conn.execute(f"DELETE FROM {_PROBE}")
    return found


def _pairs_of(pid, name_key, birth, phones, document, candidates):
    pairs = []
    own_phones = None
    for cid, ckey, cbirth, cphones, cdoc in candidates:
        # the cheap signs first: a pair needs one of them, whatever the names
        same_birth = bool(birth and birth == cbirth)
        same_doc = bool(document and document == cdoc)
        same_phone = False
        if phones and cphones:
            if own_phones is None:
                own_phones = set(filter(None, phones.split(";")))
            same_phone = not own_phones.isdisjoint(filter(None, cphones.split(";")))
        if not (same_birth or same_phone or same_doc):
            continue
        # below the threshold the ratio is given as 0 (and computed faster)
        score = int(fuzz.token_sort_ratio(name_key, ckey or "", score_cutoff=NAME_THRESHOLD))
        if score < NAME_THRESHOLD:
            continue
        reasons = ["name"] + (["birth_date"] if same_birth else []) + (
            ["phone"] if same_phone else []) + (["document"] if same_doc else [])
        a, b = sorted((pid, cid))
        pairs.append((a, b, score, ",".join(reasons)))
    pairs.sort(key=lambda p: (-p[2], -len(p[3]), p[0], p[1]))
    return pairs[:MAX_CANDIDATES]


def queue_duplicates(conn, person_ids: list[str], bundle_id: str | None = None) -> int:
    """Add new pairs to the queue (inside the caller's transaction); returns how many."""
    ids = sorted(set(person_ids))
    chunks = (ids[start:start + _PEOPLE_PER_STATEMENT]
              for start in range(0, len(ids), _PEOPLE_PER_STATEMENT))
    return _queue(conn, len(ids), chunks, bundle_id)


def queue_duplicates_of(conn, table: str, bundle_id: str | None = None) -> int:
    """The same for the people listed in the temporary table ``table`` (column ``id``),
    read a chunk at a time: the memory stays flat however many people an import brought."""
    count = conn.execute(f"SELECT count(*) FROM temp.{table}").fetchone()[0]

    def chunks() -> Iterator[list[str]]:
        last = ""
        while True:
            chunk = [r[0] for r in conn.execute(
                f"SELECT id FROM temp.{table} WHERE id > ? ORDER BY id LIMIT ?",
                (last, _PEOPLE_PER_STATEMENT))]
            if not chunk:
                return
            yield chunk
            last = chunk[-1]
    return _queue(conn, count, chunks(), bundle_id)


def _queue(conn, count: int, id_chunks: Iterator[list[str]], bundle_id: str | None) -> int:
    if not count:
        return 0
    now = utc_now()
    queued = 0
    for pairs in _find_pairs(conn, count, id_chunks):
        rows = []
        for a, b, score, reason in pairs:
            a, b = sorted((a, b))
            rows.append((a, b, score, reason, now, bundle_id))
        # pairs already queued are ignored; the probe table's writes are not counted
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO sync_duplicate(person_a, person_b, score, reason, found_at,"
            " bundle_id) VALUES (?,?,?,?,?,?)", rows)
        queued += conn.total_changes - before
    return queued


def open_pairs(conn) -> list[dict]:
    cur = conn.execute("SELECT id, person_a, person_b, score, reason, found_at, status FROM "
                       "sync_duplicate WHERE status='open' ORDER BY score DESC, id")
    cols = [d[0] for d in cur.description]
    return [row_dict(cols, r) for r in cur]
