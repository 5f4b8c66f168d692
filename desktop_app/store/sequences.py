"""People-facing numbers unique across offline laptops: OFFICE-DEVICE-YEAR-NNNNN."""
from __future__ import annotations

from desktop_app.store.session import Session


def next_value(session: Session, name: str) -> int:
    conn = session.conn
    conn.execute("INSERT INTO local_sequence(name, value) VALUES (?, 1) "
                 "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
    return conn.execute("SELECT value FROM local_sequence WHERE name=?", (name,)).fetchone()[0]


def next_number(session: Session, kind: str, year: int, width: int = 5) -> str:
    """E.g. ``GRM-7F3A-2026-00042``: office code, device code, year, local sequence.

    Call inside the transaction that saves the record, so a rolled-back save does not
    consume a number.
    """
    office = session.meta("office_code") or "OFF"
    value = next_value(session, f"{kind}:{year}")
    return f"{office}-{session.device_code}-{year}-{value:0{width}d}"


# Columns that hold people-facing numbers made by :func:`next_number` (any table).
NUMBER_COLUMNS = ("number", "certificate_number")


def number_owner(conn, table: str, column: str, value: str, record_id: str) -> str | None:
    """The id of another record of ``table`` that already carries the number ``value``
    (an indexed look-up), else None."""
    row = conn.execute(f"SELECT id FROM {table} WHERE {column}=? AND id != ? LIMIT 1",
                       (value, record_id)).fetchone()
    return row[0] if row else None
