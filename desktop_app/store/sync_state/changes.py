"""How the change log is stored (migration 0080): small integers for the texts it repeats,
clocks as integers, and no second copy of a created row.

``change_entry`` holds one row per change: origin device, table, author and office as
numbers of ``change_term`` (each distinct text once), the clock ``hlc`` as the integer
``ms * 100000 + counter`` when its device part is the origin device (else the clock's
text), the written fields' JSON, and the base clocks. A **creation** (every field of the
table written with one clock: local creates, and received records made by one change)
keeps ``fields`` NULL: its values are the row's, for the fields whose clock is still the
creation's (a later change that overwrote a field carries that field itself, and is
exported after the creation). The view ``change_log`` shows the former columns as text
(``fields`` NULL for creations) for readers that are not on a hot path.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Iterable

from desktop_app.store.clocks import decode_clocks

# the text of store.clocks.dumps, with one encoder (json.dumps makes one a call)
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
# clock "{ms:015d}.{counter:05d}.{device}" -> ms * 100000 + counter
COUNTER_SPAN = 100_000
_INT_LIMIT = 1 << 62
_PLAIN_CLOCK = re.compile(r"[0-9]{15}\.[0-9]{5}\.")

INSERT_SQL = ("INSERT INTO change_entry(device, origin_seq, tbl, record_id, hlc, fields,"
              " author, office, base) VALUES (?,?,?,?,?,?,?,?,?)")


def encode_stamp(stamp: str, origin_device: str) -> int | str:
    """The stored form of a change's clock: an integer when its device is the origin's."""
    if (isinstance(stamp, str) and _PLAIN_CLOCK.match(stamp) is not None
            and len(stamp) > 22 and stamp[22:] == origin_device):
        # 15 digits of milliseconds then 5 of counter: ms * 100000 + counter
        value = int(stamp[:15] + stamp[16:21])
        if value < _INT_LIMIT:
            return value
    return stamp


def decode_stamp(stored: int | str, origin_device: str) -> str:
    if isinstance(stored, int):
        return f"{stored // COUNTER_SPAN:015d}.{stored % COUNTER_SPAN:05d}.{origin_device}"
    return stored


class Terms:
    """Numbers of the texts the change log repeats (device, table, author, office ids).

    Keep an instance for one call at most (a transaction rolled back forgets the numbers
    it gave out)."""

    def __init__(self, conn):
        self.conn = conn
        # text -> number, for the texts looked up so far
        self.known: dict[str, int] = {}

    def find(self, text: str | None) -> int | None:
        """The number of ``text``, None when the log never held it."""
        if text is None:
            return None
        number = self.known.get(text)
        if number is None:
            row = self.conn.execute("SELECT n FROM change_term WHERE term=?", (text,)).fetchone()
            if row is None:
                return None
            number = self.known[text] = row[0]
        return number

    def id(self, text: str | None) -> int | None:
        """The number of ``text`` (given one if new); None for None."""
        if text is None:
            return None
        number = self.find(text)
        if number is None:
            number = self.conn.execute("INSERT INTO change_term(term) VALUES (?)",
                                       (str(text),)).lastrowid
            self.known[text] = number
        return number


def entry_values(terms: Terms, origin_device: str, origin_seq: int, table: str,
                 record_id: str, stamp: str, fields: str | None, author: str | None,
                 office_id: str | None, base: str | None) -> tuple:
    """The parameters of :data:`INSERT_SQL` for one change (``fields`` None: a creation)."""
    return (terms.id(origin_device), origin_seq, terms.id(table), record_id,
            encode_stamp(stamp, origin_device), fields, terms.id(author),
            terms.id(office_id), base)


def _former_table(conn) -> bool:
    """A database not migrated to 0080 yet (opened to migrate it, or to report)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name='change_entry'"
                        ).fetchone() is None


def latest_clock(conn) -> str | None:
    """The highest clock in the change log (``MAX(hlc)`` of the former table)."""
    if _former_table(conn):
        return conn.execute("SELECT MAX(hlc) FROM change_log").fetchone()[0]
    best: str | None = None
    # one step down change_entry_hlc (integers sort before text), the device's text by its
    # number: written as a join, the planner read the whole log per device and sorted it
    # (2.8 s at 1M, at every transaction's start)
    row = conn.execute("SELECT e.hlc, (SELECT term FROM change_term WHERE n = e.device)"
                       " FROM change_entry e WHERE e.hlc < '' ORDER BY e.hlc DESC"
                       " LIMIT 1").fetchone()
    if row is not None:
        best = decode_stamp(row[0], row[1])
    row = conn.execute("SELECT max(hlc) FROM change_entry WHERE hlc >= ''").fetchone()
    if row is not None and row[0] is not None and (best is None or row[0] > best):
        best = row[0]
    return best


def last_origin_seq(conn, device_id: str) -> int:
    if _former_table(conn):
        row = conn.execute("SELECT MAX(origin_seq) FROM change_log WHERE origin_device=?",
                           (device_id,)).fetchone()
        return int(row[0] or 0)
    row = conn.execute("SELECT max(e.origin_seq) FROM change_entry e WHERE e.device ="
                       " (SELECT n FROM change_term WHERE term=?)", (device_id,)).fetchone()
    return int(row[0] or 0)


def version_vector(conn) -> dict[str, int]:
    """Origin device -> highest origin sequence number held."""
    # one look-up in change_entry_origin per term (devices, tables, authors, offices: a
    # few hundred), not a pass over the whole log grouped by device (0.34 s at 1M)
    return {d: s for d, s in conn.execute(
        "SELECT t.term, (SELECT max(origin_seq) FROM change_entry WHERE device = t.n) AS seq"
        " FROM change_term t WHERE seq IS NOT NULL")}


def held(conn, origin_device: str, origin_seqs: list[int]) -> set[int]:
    """Which of these sequence numbers of one origin device the log holds."""
    device = conn.execute("SELECT n FROM change_term WHERE term=?", (origin_device,)).fetchone()
    if device is None or not origin_seqs:
        return set()
    return {r[0] for r in conn.execute(
        f"SELECT origin_seq FROM change_entry WHERE device=? AND origin_seq IN"
        f" ({','.join('?' * len(origin_seqs))})", (device[0], *origin_seqs))}


def write_of(conn, table: str, record_id: str, stamp: str) -> tuple[str | None, str | None
                                                                     ] | None:
    """(base JSON, author) of the logged write of a record at ``stamp``; None if not held."""
    parsed = stamp.split(".", 2) if isinstance(stamp, str) else []
    number: int | str = stamp
    device = None
    if len(parsed) == 3:
        number = encode_stamp(stamp, parsed[2])
        device = parsed[2]
    row = conn.execute(
        "SELECT e.base, a.term FROM change_entry e JOIN change_term t ON t.n = e.tbl"
        " JOIN change_term d ON d.n = e.device LEFT JOIN change_term a ON a.n = e.author"
        " WHERE e.record_id=? AND t.term=? AND (e.hlc=? AND d.term IS ? OR e.hlc=?) LIMIT 1",
        (record_id, table, number, device, stamp)).fetchone()
    return (row[0], row[1]) if row is not None else None


# ---- creations: values from the row -------------------------------------------------
def creation_fields(all_fields: tuple[str, ...], row: dict, stamp: str) -> dict:
    """The fields a creation at ``stamp`` still holds in ``row``: those whose clock is the
    creation's (the others were overwritten later, by changes logged after it)."""
    clocks = decode_clocks(row.get("hlc"), all_fields)
    return {k: row.get(k) for k in all_fields if clocks.get(k) == stamp}


def creation_texts(conn, tables: dict, wanted: Iterable[tuple[str, str, str]]
                   ) -> dict[tuple[str, str, str], str]:
    """JSON text of the fields of creations (table, record id, clock), read from the rows
    (one query per table and 500 records)."""
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, record_id, stamp in wanted:
        by_table.setdefault(table, []).append((record_id, stamp))
    out: dict[tuple[str, str, str], str] = {}
    encode = _ENCODER.encode
    for table, entries in by_table.items():
        cls = tables.get(table)
        if cls is None:
            continue
        all_fields = cls.all_fields_of()
        columns = ", ".join(all_fields)
        ids = sorted({record_id for record_id, _stamp in entries})
        rows: dict[str, tuple] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows.update((r[0], r) for r in conn.execute(
                f"SELECT id, hlc, {columns} FROM {table} WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk))
        for record_id, stamp in entries:
            row = rows.get(record_id)
            if row is None:
                values: dict = {}
            elif row[1] == f'{{"*":"{stamp}"}}':
                # untouched since its creation (the usual case): every field
                values = dict(zip(all_fields, row[2:], strict=True))
            else:
                values = creation_fields(all_fields, dict(zip(all_fields, row[2:], strict=True))
                                         | {"hlc": row[1]}, stamp)
            out[(table, record_id, stamp)] = encode(values)
    return out


def compact_creations(conn, tables: dict, *, progress: Callable[[int, int], None] | None = None,
                      chunk: int = 5000) -> int:
    """Entries that still hold a full copy of a created row whose values the row still has
    (every field written with one clock, no base) lose that copy (``fields`` NULL).
    Returns how many. Runs inside the caller's transaction."""
    total = conn.execute("SELECT count(*) FROM change_entry WHERE fields IS NOT NULL"
                         " AND base IS NULL").fetchone()[0]
    table_terms = {r[1]: r[0] for r in conn.execute("SELECT n, term FROM change_term")}
    compacted = done = 0
    last = 0
    while True:
        batch = conn.execute(
            "SELECT e.seq, t.term, e.record_id, e.hlc, d.term, e.fields FROM change_entry e"
            " JOIN change_term t ON t.n = e.tbl JOIN change_term d ON d.n = e.device"
            " WHERE e.seq > ? AND e.fields IS NOT NULL AND e.base IS NULL ORDER BY e.seq"
            f" LIMIT {chunk}", (last,)).fetchall()
        if not batch:
            break
        last = batch[-1][0]
        candidates = []
        for seq, table, record_id, stored, device, text in batch:
            cls = tables.get(table)
            if cls is None or table_terms.get(table) is None:
                continue
            if text.count('"') < 2 * len(cls.all_fields_of()):
                continue   # fewer keys than fields: not a creation (cheap test first)
            try:
                values = json.loads(text)
            except ValueError:
                continue
            if not isinstance(values, dict) or values.keys() != set(cls.all_fields_of()):
                continue
            candidates.append((seq, table, record_id, decode_stamp(stored, device), values))
        rows = _rows(conn, tables, candidates)
        freed = []
        for seq, table, record_id, stamp, values in candidates:
            row = rows.get((table, record_id))
            if row is None:
                continue
            kept = creation_fields(tables[table].all_fields_of(), row, stamp)
            if all(values[k] == v for k, v in kept.items()):
                freed.append((seq,))
        conn.executemany("UPDATE change_entry SET fields=NULL WHERE seq=?", freed)
        compacted += len(freed)
        done += len(batch)
        if progress is not None:
            progress(min(done, total), total)
    return compacted


def _rows(conn, tables: dict, candidates) -> dict[tuple[str, str], dict]:
    by_table: dict[str, set[str]] = {}
    for _seq, table, record_id, _stamp, _values in candidates:
        by_table.setdefault(table, set()).add(record_id)
    out: dict[tuple[str, str], dict] = {}
    for table, ids in by_table.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            cur = conn.execute(f"SELECT * FROM {table} WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            for values in cur:
                record = dict(zip(cols, values, strict=True))
                out[(table, record["id"])] = record
    return out


LOGGED_SQL = ("SELECT origin_device, origin_seq, table_name, record_id, hlc, fields, author,"
              " office_id, base FROM change_log c")


def with_values(conn, tables: dict, rows: list) -> list:
    """Rows shaped like :data:`LOGGED_SQL`'s with each creation's fields JSON filled in
    from its record."""
    created = creation_texts(conn, tables, [(r[2], r[3], r[4]) for r in rows if r[5] is None])
    return [r if r[5] is not None else (*r[:5], created.get((r[2], r[3], r[4]), "{}"), *r[6:])
            for r in rows]


def logged_changes(conn, tables: dict, *, chunk: int = 1000):
    """Every change of the log in its order, as a bundle carries it: (origin device,
    origin seq, table, record id, clock, fields JSON, author, office id, base JSON).
    ``tables``: ``Repository.synced_tables()``."""
    cursor = conn.execute(LOGGED_SQL + " ORDER BY c.seq")
    while rows := cursor.fetchmany(chunk):
        yield from with_values(conn, tables, rows)
