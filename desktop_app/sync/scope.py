"""Which tables sync, and what of them a coordinator sends to each office.

An office receives (DESIGN.md "Sync bundles" 7): its own records, shared reference data,
and what the sync scopes that modules register with the base ``Repository`` add (the
cases module: the cases referred to the office with their person, employer and history,
see ``store.cases.scope``).
"""
from __future__ import annotations

import importlib
import pkgutil

import desktop_app.store as store
from desktop_app.store.repository import STANDARD_FIELDS, Repository, SyncScope

# Core tables every office receives whole (the office list, users for "who did it",
# reference data).
SHARED_TABLES = {"office", "app_user", "reference_item"}


def load_repositories() -> None:
    """Import every store module, in sub-packages too, so that every Repository subclass
    (and every rule a module registers with it) is registered."""
    for info in pkgutil.walk_packages(store.__path__, prefix=f"{store.__name__}."):
        importlib.import_module(info.name)


def existing_tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def synced_tables(conn) -> dict[str, type[Repository]]:
    """Repository classes of the synced tables that exist in this database."""
    load_repositories()
    present = existing_tables(conn)
    return {t: c for t, c in sorted(Repository.synced_tables().items()) if t in present}


def columns_of(cls: type[Repository]) -> tuple[str, ...]:
    return ("id",) + STANDARD_FIELDS + tuple(cls.fields) + ("hlc",)


def scope_of(cls: type[Repository]) -> str:
    return cls.sync_scope or ("shared" if cls.table in SHARED_TABLES else "office")


def _scopes() -> tuple[SyncScope, ...]:
    load_repositories()
    return Repository.sync_scopes()


def scope_condition(cls: type[Repository], office_param: str = ":office") -> str:
    """SQL condition over a change_log row ``c``: may this change go to the office?"""
    if scope_of(cls) == "shared":
        return "1"
    # by the record's current office, so a record moved to the office brings its history
    own = (f"c.office_id = {office_param} OR EXISTS (SELECT 1 FROM {cls.table} t "
           f"WHERE t.id = c.record_id AND t.office_id = {office_param})")
    added = [condition for scope in _scopes()
             if (condition := scope.condition(cls.table, office_param))]
    return "(" + " OR ".join([own, *added]) + ")"


def entering_scope_condition(tables, office_param: str = ":office",
                             acked: str = "temp.sync_export_acked") -> str:
    """SQL condition over a change row ``c`` for changes to send to the office even though
    it acknowledged them already: the whole history of records that entered its scope
    through a change it has not acknowledged (e.g. a case referred to it since; without
    this an incremental bundle would bring the referral but not the case it refers to).

    ``acked`` is the table of acknowledged sequence numbers per origin device the export
    query joins (columns ``device``, ``seq``).
    """
    scopes = _scopes()
    parts = []
    for table in tables:
        for scope in scopes:
            condition = scope.entering(table, office_param, acked)
            if condition:
                parts.append(f"(c.table_name = '{table}' AND {condition})")
    return "(" + " OR ".join(parts) + ")" if parts else "0"
