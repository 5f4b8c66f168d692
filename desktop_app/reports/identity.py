"""Which person a record really belongs to, for one report run: temp table ``rpt_root``
maps every merged person id to its surviving identity. Every indicator source reads it
to count people (and their cases, trainings, loans ...) once per identity."""
from __future__ import annotations

from desktop_app.store.people.identity import fill_roots_table

ROOTS_TABLE = "rpt_root"


def prepare_roots(conn) -> None:
    """(Re)fill ``rpt_root`` with the store's identity resolver (chains followed; a cycle
    stops before it repeats; merged rows only, never a scan of the register)."""
    fill_roots_table(conn, ROOTS_TABLE)
