"""Which tables sync, and what of them a coordinator sends to each office."""
from __future__ import annotations

import importlib
import pkgutil

from desktop_app.store.repository import STANDARD_FIELDS, Repository

# Core tables every office receives whole (the office list, users for "who did it",
# reference data).
SHARED_TABLES = {"office", "app_user", "reference_item"}


def load_repositories() -> None:
    """Import every store module so that every Repository subclass is registered."""
    import desktop_app.store as store
    for info in pkgutil.iter_modules(store.__path__):
        importlib.import_module(f"{store.__name__}.{info.name}")


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


def scope_condition(cls: type[Repository], office_param: str = ":office") -> str:
    """SQL condition over a change_log row ``c``: may this change go to the office?"""
    custom = getattr(cls, "sync_scope_sql", None)
    if callable(custom):
        return f"({custom(office_param)})"
    if scope_of(cls) == "shared":
        return "1"
    # by the record's current office, so a record moved to the office brings its history
    return (f"(c.office_id = {office_param} OR EXISTS (SELECT 1 FROM {cls.table} t "
            f"WHERE t.id = c.record_id AND t.office_id = {office_param}))")
