"""Canonical dump of every synced record, for comparing replicas.

One JSON object per line, sorted by table then id, keys sorted: ``{"table", "id",
"record"}`` where ``record`` holds the synced columns (the standard ones and the table's
declared fields, tombstones included) and ``hlc``, the per-field clock map. Derived
columns (search keys), local-only tables and per-device bookkeeping (change log, audit
log, sync state) are left out. Two replicas that hold the same data, merged from the
same writes, print identical bytes.
"""
from __future__ import annotations

import json
from typing import TextIO

from desktop_app.store.db import row_dict
from desktop_app.store.repository import STANDARD_FIELDS, decode_clocks
from desktop_app.sync.scope import columns_of, synced_tables


def iter_dump(conn):
    for table, cls in synced_tables(conn).items():
        cols = columns_of(cls)
        fields = STANDARD_FIELDS + tuple(cls.fields)
        for row in conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id"):
            record = row_dict(cols, row)
            record_id = record.pop("id")
            # the full per-field map (rows store it compactly)
            record["hlc"] = decode_clocks(record.get("hlc"), fields)
            yield json.dumps({"table": table, "id": record_id, "record": record},
                             ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dump(conn, out: TextIO) -> int:
    """Write the dump to ``out``; returns the number of records."""
    count = 0
    for line in iter_dump(conn):
        out.write(line + "\n")
        count += 1
    return count


def dump_text(conn) -> str:
    return "".join(line + "\n" for line in iter_dump(conn))
