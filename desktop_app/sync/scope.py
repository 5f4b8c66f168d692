"""Which tables sync, and what of them a coordinator sends to each office.

An office receives (DESIGN.md "Sync bundles" 7): its own records, the records referred to
it, and shared reference data. "Referred to it": a case with a live referral whose
``target_office_id`` is the office (cases module, migration 0032) travels to that office
with its person (and the person's migration episodes, consents and erasure markers), its
employer and its history (timeline, follow-ups, referrals, inspection links); ``REFERRED`` below says how each table's records hang off such a case.
"""
from __future__ import annotations

import importlib
import pkgutil

from desktop_app.store.repository import STANDARD_FIELDS, Repository

# Core tables every office receives whole (the office list, users for "who did it",
# reference data).
SHARED_TABLES = {"office", "app_user", "reference_item"}

# Cases referred to the office (a subquery; ``{office}`` is the office parameter).
REFERRED_CASES = ("SELECT case_id FROM case_referral WHERE target_office_id = {office}"
                  " AND deleted = 0")
_PEOPLE = "SELECT person_id FROM hotline_case WHERE id IN ({cases}) AND person_id IS NOT NULL"
# table -> SQL giving the ids of that table's records that belong to the cases in
# ``{cases}``: the records a referral carries to the office it names.
REFERRED = {
    "hotline_case": "{cases}",
    "case_event": "SELECT id FROM case_event WHERE case_id IN ({cases})",
    "case_followup": "SELECT id FROM case_followup WHERE case_id IN ({cases})",
    "case_referral": "SELECT id FROM case_referral WHERE case_id IN ({cases})",
    "inspection_case": "SELECT id FROM inspection_case WHERE case_id IN ({cases})",
    "person": _PEOPLE,
    # the person's migration history (where and for whom they worked), consents (the
    # receiving office may refer onward only with one) and erasure markers (an erased
    # person is blanked there too)
    "migration_episode": f"SELECT id FROM migration_episode WHERE person_id IN ({_PEOPLE})",
    "consent": f"SELECT id FROM consent WHERE person_id IN ({_PEOPLE})",
    "person_erasure": f"SELECT id FROM person_erasure WHERE person_id IN ({_PEOPLE})",
    "employer": "SELECT employer_id FROM hotline_case WHERE id IN ({cases})"
                " AND employer_id IS NOT NULL",
}


def load_repositories() -> None:
    """Import every store module, in sub-packages too, so that every Repository subclass
    is registered."""
    import desktop_app.store as store
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


def _referrals_known() -> bool:
    load_repositories()
    cls = Repository.synced_tables().get("case_referral")
    return cls is not None and "target_office_id" in cls.fields


def referred_condition(table: str, office_param: str = ":office",
                       cases: str | None = None) -> str | None:
    """SQL condition over a change row ``c``: is its record carried to the office by a
    referral (of the cases in ``cases``, by default every case referred to the office)?
    None for tables a referral does not carry."""
    shape = REFERRED.get(table)
    if shape is None or not _referrals_known():
        return None
    cases = cases or REFERRED_CASES.format(office=office_param)
    return f"c.record_id IN ({shape.format(cases=cases)})"


def scope_condition(cls: type[Repository], office_param: str = ":office") -> str:
    """SQL condition over a change_log row ``c``: may this change go to the office?"""
    custom = getattr(cls, "sync_scope_sql", None)
    if callable(custom):
        return f"({custom(office_param)})"
    if scope_of(cls) == "shared":
        return "1"
    # by the record's current office, so a record moved to the office brings its history
    own = (f"c.office_id = {office_param} OR EXISTS (SELECT 1 FROM {cls.table} t "
           f"WHERE t.id = c.record_id AND t.office_id = {office_param})")
    referred = referred_condition(cls.table, office_param)
    return f"({own} OR {referred})" if referred else f"({own})"


def entering_scope_condition(tables, office_param: str = ":office",
                             acked: str = "temp.sync_export_acked") -> str:
    """SQL condition over a change row ``c`` for changes to send to the office even though
    it acknowledged them already: the whole history of cases referred to it by a referral
    change it has not acknowledged (they entered its scope since; without this an
    incremental bundle would bring the referral but not the case it refers to).

    ``acked`` is the table of acknowledged sequence numbers per origin device the export
    query joins (columns ``device``, ``seq``).
    """
    if not _referrals_known():
        return "0"
    newly = ("SELECT r.case_id FROM case_referral r JOIN change_log rc"
             " ON rc.table_name = 'case_referral' AND rc.record_id = r.id"
             f" LEFT JOIN {acked} ra ON ra.device = rc.origin_device"
             f" WHERE r.target_office_id = {office_param} AND r.deleted = 0"
             " AND rc.origin_seq > coalesce(ra.seq, 0)"
             # only the changes that set the target office, not every later answer
             " AND instr(rc.fields, '\"target_office_id\"') > 0")
    parts = []
    for table in tables:
        condition = referred_condition(table, office_param, cases=newly)
        if condition:
            parts.append(f"(c.table_name = '{table}' AND {condition})")
    return "(" + " OR ".join(parts) + ")" if parts else "0"
