"""People and their migration episodes; cross-script search."""
from __future__ import annotations

import json
from dataclasses import dataclass

from rapidfuzz import fuzz

from desktop_app.domain import names
from desktop_app.domain.people import split_phones, validate_episode, validate_person
from desktop_app.store.db import row_dict
from desktop_app.store.repository import Repository
from desktop_app.store.sync_state.erasure import ErasureGuard

PERSON_FIELDS = (
    "family_name", "given_name", "patronymic", "sex", "birth_date", "birth_date_estimated",
    "phones", "document_number", "country", "region", "district", "jamoat", "village",
    "education", "disability", "female_headed_household", "household_notes", "union_member",
    "migration_status", "consent_date", "consent_scope", "notes", "merged_into",
)


def search_keys_for(record: dict) -> tuple[str, str, str, str]:
    """(name key, phone key, document key, FTS text) derived from a person row."""
    name_key = names.full_name_key(record.get("family_name"), record.get("given_name"),
                                   record.get("patronymic"))
    phone_keys = [names.phone_key(p) for p in split_phones(record.get("phones"))]
    phone_key = ";".join(p for p in phone_keys if p)
    document_key = names.document_key(record.get("document_number"))
    return name_key, phone_key, document_key, search_text(name_key, phone_key, document_key)


def search_text(name_key: str, phone_key: str, document_key: str) -> str:
    """The full-text row of a person from its name, phone and document keys."""
    return " ".join([name_key, *filter(None, phone_key.split(";")),
                     document_key.lower()]).strip()


class PersonRepository(Repository):
    table = "person"
    fields = PERSON_FIELDS

    validator = staticmethod(validate_person)

    # search keys: written with the row by a batch insert (sync import), else by the hooks
    derived_columns = ("name_key", "phone_key", "document_key")

    def derive(self, record):
        return search_keys_for(record)[:3]

    def after_insert_many(self, records):
        # new rows, inserted with their keys: only their full-text rows are missing. A
        # new row has a new rowid (person rows are never deleted), so there is no old
        # full-text row to remove; one statement for the whole batch.
        rows = [(r["id"], search_text(r["name_key"], r["phone_key"], r["document_key"]))
                for r in records if not r.get("deleted")]
        if rows:
            self.conn.execute(
                "INSERT INTO person_search(rowid, keys) SELECT p.rowid, j.value ->> 1"
                " FROM json_each(?) j JOIN person p ON p.id = j.value ->> 0",
                (json.dumps(rows, ensure_ascii=False),))

    def after_write(self, record, before):
        self._write_search_keys([record])

    def after_write_many(self, records):
        # new rows (create_many, rows of a sync batch written in parts)
        self._write_search_keys(records)

    def _write_search_keys(self, records):
        keys, fts = [], []
        for record in records:
            name_key, phone_key, document_key, text = search_keys_for(record)
            keys.append((name_key, phone_key, document_key, record["id"]))
            fts.append((record["id"], text, record.get("deleted")))
        conn = self.conn
        conn.executemany(
            "UPDATE person SET name_key=?, phone_key=?, document_key=? WHERE id=?", keys)
        # The FTS rowid is the person's rowid: one look-up per batch, not per row.
        rowids: dict[str, int] = {}
        ids = [record_id for record_id, _text, _deleted in fts]
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            rowids.update(conn.execute(
                f"SELECT id, rowid FROM person WHERE id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall())
        conn.executemany("DELETE FROM person_search WHERE rowid=?",
                         [(rowids[record_id],) for record_id in ids])
        conn.executemany("INSERT INTO person_search(rowid, keys) VALUES (?, ?)",
                         [(rowids[record_id], text) for record_id, text, deleted in fts
                          if not deleted])


# Erased people stay erased: writes to a person and to every record with a person_id
# pass this guard, local and received alike.
Repository.register_write_guard(ErasureGuard())


def rebuild_search(conn, progress=None) -> int:
    """Write every person's search keys and full-text row anew from their names, phones and
    document (``hamroh db repair-search``); derived data only, nothing synced changes. Call
    inside a transaction. Returns how many people are searchable."""
    conn.execute("INSERT INTO person_search(person_search) VALUES ('delete-all')")
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM person WHERE deleted = 0")]
    for start in range(0, len(rowids), 5000):
        chunk = rowids[start:start + 5000]
        cur = conn.execute(
            "SELECT rowid, family_name, given_name, patronymic, phones, document_number"
            f" FROM person WHERE rowid IN ({','.join('?' * len(chunk))})", chunk)
        keys, fts = [], []
        for rowid, family, given, patronymic, phones, document in cur.fetchall():
            name_key, phone_key, document_key, text = search_keys_for(dict(
                family_name=family, given_name=given, patronymic=patronymic, phones=phones,
                document_number=document))
            keys.append((name_key, phone_key, document_key, rowid))
            fts.append((rowid, text))
        conn.executemany(
            "UPDATE person SET name_key=?, phone_key=?, document_key=? WHERE rowid=?", keys)
        conn.executemany("INSERT INTO person_search(rowid, keys) VALUES (?, ?)", fts)
        if progress is not None:
            progress(start + len(chunk), len(rowids))
    return len(rowids)


class MigrationEpisodeRepository(Repository):
    table = "migration_episode"
    fields = ("person_id", "destination_country", "destination_city", "sector", "employer_name",
              "departure_date", "return_date", "work_permit", "recruitment_channel", "notes")

    validator = staticmethod(validate_episode)

    def for_person(self, person_id: str) -> list[dict]:
        cur = self.conn.execute(
            "SELECT * FROM migration_episode WHERE person_id=? AND deleted=0 "
            "ORDER BY departure_date DESC, created_at DESC", (person_id,))
        cols = [d[0] for d in cur.description]
        return [row_dict(cols, r) for r in cur]


@dataclass
class SearchHit:
    id: str
    family_name: str
    given_name: str
    patronymic: str | None
    birth_date: str | None
    district: str | None
    jamoat: str | None
    phones: str | None
    score: float


def fts_query(term: str, prefix: bool = True) -> str | None:
    """An FTS5 query matching every token of ``term`` (names, phone or document)."""
    tokens = names.query_keys(term)
    digits = "".join(c for c in term if c.isdigit())
    if not tokens and len(digits) >= 3:
        tokens = [digits[-9:]]
    elif not tokens:
        doc = names.document_key(term).lower()
        tokens = [doc] if doc else []
    if not tokens:
        return None
    star = "*" if prefix else ""
    return " AND ".join(f'"{t}"{star}' for t in tokens)


def _candidates(conn, term: str, want: int) -> list[tuple[int, int]]:
    """(tier, rowid) of up to ``want`` people matching ``term``: tier 0 every typed token
    equal to a name key (in any script), tier 1 the others matching every token as a
    prefix; each tier newest first (highest rowid: latest registered in this register),
    chosen by the full-text index over every match, so a late match of a common name is
    never left out behind the early ones."""
    exact = fts_query(term, prefix=False)
    if exact is None:
        return []
    found = [(0, rowid) for (rowid,) in conn.execute(
        "SELECT rowid FROM person_search WHERE person_search MATCH ? ORDER BY rowid DESC "
        "LIMIT ?", (exact, want))]
    if len(found) < want:
        prefix = f"({fts_query(term, prefix=True)}) NOT ({exact})"
        found += [(1, rowid) for (rowid,) in conn.execute(
            "SELECT rowid FROM person_search WHERE person_search MATCH ? ORDER BY rowid DESC "
            "LIMIT ?", (prefix, want - len(found)))]
    return found


def search_people(conn, term: str, limit: int = 50, *, candidates: int = 400) -> list[SearchHit]:
    """People matching every token of ``term`` in any script, best first.

    Exact matches of every typed token (a name key equal to it, in any script) come first,
    then prefix matches; within each, the closest names first (similarity of the name keys
    to the term's), then people whose name is written as typed, ties by the most recently
    registered. Each tier is taken newest first from every match of the full-text index,
    at most ``candidates`` people in all; their rows are read once.
    """
    found = _candidates(conn, term, max(candidates, limit))
    if not found:
        return []
    tier = {rowid: t for t, rowid in found}
    placeholders = ",".join("?" * len(found))
    rows = conn.execute(
        f"SELECT id, family_name, given_name, patronymic, birth_date, district, jamoat, phones,"
        f" name_key, rowid FROM person WHERE rowid IN ({placeholders}) AND deleted=0",
        list(tier)).fetchall()
    wanted = names.full_name_key(term) or term
    typed = {t.casefold() for t in names.split_name(term)}
    ranked = []
    for r in rows:
        score = fuzz.token_set_ratio(wanted, r[8] or "")
        written = {t.casefold() for p in r[1:4] if p for t in names.split_name(p)}
        order = (tier[r[9]], -score, not typed <= written, -r[9])
        ranked.append((order, SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], score)))
    ranked.sort(key=lambda pair: pair[0])
    return [hit for _order, hit in ranked[:limit]]
