"""Labour inspections: reads for the list, one inspection's parts and a case's inspections."""
from __future__ import annotations

from desktop_app.domain import names
from desktop_app.store import reference
from desktop_app.store.db import dict_rows


def inspection_ids(conn, *, employer_id: str | None = None, search: str = "") -> list[str]:
    where, args = ["i.deleted=0"], []
    if employer_id:
        where.append("i.employer_id=?")
        args.append(employer_id)
    if search.strip():
        keys = names.query_keys(search)
        sub = " AND ".join(["(' ' || e.name_key) LIKE ?"] * len(keys)) or "0"
        where.append(f"(i.number LIKE ? OR i.employer_id IN (SELECT e.id FROM employer e "
                     f"WHERE {sub}))")
        args.append(f"%{search.strip().upper()}%")
        args.extend(f"% {k}%" for k in keys)
    return [r[0] for r in conn.execute(
        f"SELECT i.id FROM inspection i WHERE {' AND '.join(where)} "
        f"ORDER BY i.inspected_on DESC, i.number DESC", args)]


def inspection_rows(conn, ids: list[str]) -> list[dict]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = dict_rows(conn.execute(
        f"SELECT i.*, e.name AS employer_name,"
        f" (SELECT COUNT(*) FROM inspection_violation v WHERE v.inspection_id=i.id"
        f"  AND v.deleted=0) AS violations,"
        f" (SELECT COUNT(*) FROM inspection_case l WHERE l.inspection_id=i.id"
        f"  AND l.deleted=0) AS cases"
        f" FROM inspection i LEFT JOIN employer e ON e.id=i.employer_id"
        f" WHERE i.id IN ({marks})", ids))
    by_id = {r["id"]: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def violations_of(conn, inspection_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT * FROM inspection_violation WHERE inspection_id=? AND deleted=0"
        " ORDER BY created_at",
        (inspection_id,)))


def sanctions_of(conn, inspection_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT * FROM inspection_sanction WHERE inspection_id=? AND deleted=0 ORDER BY created_at",
        (inspection_id,)))


def cases_of(conn, inspection_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT c.id, c.number, c.category, c.status FROM inspection_case l "
        "JOIN hotline_case c ON c.id=l.case_id WHERE l.inspection_id=? AND l.deleted=0 "
        "AND c.deleted=0 ORDER BY c.number", (inspection_id,)))


def inspections_of_case(conn, case_id: str) -> list[dict]:
    return dict_rows(conn.execute(
        "SELECT i.id, i.number, i.inspected_on, i.trigger FROM inspection_case l "
        "JOIN inspection i ON i.id=l.inspection_id WHERE l.case_id=? AND l.deleted=0 "
        "AND i.deleted=0 ORDER BY i.inspected_on", (case_id,)))


def trigger_label(conn, code: str, language: str) -> str:
    return reference.label(conn, "inspection_trigger", code, language)
