"""Case search: an FTS5 index over every case (``case_search``, rowid = hotline_case.rowid).

Each case's row holds script-independent keys (domain.names) of the case number, the
person's and the caller's names, phones and document, the employer's name and the words
of the description, so that Раҳмонов, Рахмонов and Rahmonov find the same cases and a
search answers from the index alone.

The keys are refreshed whenever a case or an employer is written (CaseRepository and
EmployerRepository call ``refresh``). A person's name or phone edited on the People page
marks that person's cases stale (SQL trigger ``person_case_search_stale``, migration
0031), and so does a new person named by cases that arrived before them
(``mark_cases_of_new_people``); stale cases are refreshed on the next case write or
``flush_stale``, and until then a search checks them against the person search index
directly.
"""
from __future__ import annotations

import json
import re

from desktop_app.domain import names
from desktop_app.store.people.repositories import fts_query as person_query
from desktop_app.store.security.sensitive import PREFIX as SEALED_PREFIX

# The newest matching cases a search returns at most (by registration order).
SEARCH_LIMIT = 1000

_ALNUM = re.compile(r"[0-9a-z]+")
_PHONE_CHARS = re.compile(r"[\s()+.\-]")
_NOT_TAG = re.compile(r"[^0-9a-z]+")


def number_tokens(number: str | None) -> list[str]:
    """``GRM-7F3A-2026-00042`` -> grm 7f3a 2026 00042 42 (the sequence without zeros too)."""
    parts = _ALNUM.findall(names.transliterate(number or ""))
    if parts and parts[-1].isdigit() and parts[-1].lstrip("0"):
        parts.append(parts[-1].lstrip("0"))
    return parts


def matches_number(term: str, number: str | None) -> bool:
    """Whether every token of ``term`` begins a token of the case number (as the search
    index matches it): "00042", "42" and "grm-7f3a" find ``GRM-7F3A-2026-00042``."""
    wanted = _ALNUM.findall(names.transliterate(term or ""))
    tokens = number_tokens(number)
    return bool(wanted) and all(any(t.startswith(w) for t in tokens) for w in wanted)


def search_text(case: dict, person: dict | None = None, employer_name: str | None = None) -> str:
    """The FTS text of a case: number, names (person, caller, employer), phones, document,
    description words, each as a matching key."""
    tokens = number_tokens(case.get("number"))
    person = person or {}
    # sealed fields (sensitive cases, store.security.sensitive) are not indexed
    case = {k: (None if isinstance(v, str) and v.startswith(SEALED_PREFIX) else v)
            for k, v in case.items()}
    tokens += names.name_keys(person.get("family_name"), person.get("given_name"),
                              person.get("patronymic"), case.get("caller_name"),
                              employer_name, case.get("summary"))
    phones = [case.get("caller_phone")] + re.split(r"[;,]", person.get("phones") or "")
    tokens += [k for k in (names.phone_key(p) for p in phones) if k]
    document = names.document_key(person.get("document_number")).lower()
    if document:
        tokens.append(document)
    return " ".join(dict.fromkeys(tokens))  # each token once, in first-seen order


def fts_query(term: str) -> str | None:
    """An FTS5 query for what a user typed: a case number (or its tail), a phone, a
    document number, or names and words in any script (every token as a prefix)."""
    term = (term or "").strip()
    if not term:
        return None
    if any(c.isdigit() for c in term):
        compact = _PHONE_CHARS.sub("", term)
        if compact.isdigit():
            options = [f'"{compact}"*']
            if compact.lstrip("0") and compact.lstrip("0") != compact:
                # typed with its zeros, the tail is whole: "00002" must not find the
                # year 2026 or a device code beginning with 2
                options.append(f'"{compact.lstrip("0")}"')
            if len(compact) >= 7:
                options.append(f'"{compact[-9:]}"*')
            return " OR ".join(dict.fromkeys(options))
        parts = _ALNUM.findall(names.transliterate(term))
        return ('"' + " ".join(parts) + '"*') if parts else None
    keys = names.query_keys(term)
    if not keys:
        return None
    return " AND ".join(f'"{k}"*' for k in keys)


def tag(kind: str, value: str | None) -> str:
    """A filter tag: ``s`` status, ``c`` category, ``u`` assignee, ``e`` employer, the
    value reduced to letters and digits (``none`` when empty)."""
    text = _NOT_TAG.sub("", (value or "none").lower())
    return kind + (text or "none")


def tags_text(case: dict) -> str:
    return " ".join([tag("s", case.get("status")), tag("c", case.get("category")),
                     tag("u", case.get("assigned_to")), tag("e", case.get("employer_id"))])


def _any(kind: str, values) -> str:
    return "(" + " OR ".join(tag(kind, v) for v in values) + ")"


def filter_query(*, statuses=(), category: str | None = None, assigned_to: str | None = None,
                 unassigned: bool = False, employer_id: str | None = None) -> str | None:
    """FTS5 expression over the ``tags`` column for the list filters (None: no filter)."""
    parts = []
    if statuses:
        parts.append(_any("s", statuses))
    if category:
        parts.append(tag("c", category))
    if assigned_to:
        parts.append(tag("u", assigned_to))
    if unassigned:
        parts.append(tag("u", None))
    if employer_id:
        parts.append(tag("e", employer_id))
    return " AND ".join(parts) or None


_SOURCE_SQL = (
    "SELECT c.rowid, c.number, c.caller_name, c.caller_phone, c.summary, c.deleted,"
    " p.family_name, p.given_name, p.patronymic, p.phones, p.document_number, e.name,"
    " c.status, c.category, c.assigned_to, c.employer_id"
    " FROM hotline_case c LEFT JOIN person p ON p.id = c.person_id"
    " LEFT JOIN employer e ON e.id = c.employer_id WHERE c.{column} IN ({marks})")


def _refresh_where(conn, column: str, values: list) -> int:
    done = 0
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        rows = conn.execute(_SOURCE_SQL.format(column=column, marks=",".join("?" * len(chunk))),
                            chunk).fetchall()
        rowids = [(r[0],) for r in rows]
        conn.executemany("DELETE FROM case_search WHERE rowid=?", rowids)
        conn.executemany("INSERT INTO case_search(rowid, keys, tags) VALUES (?, ?, ?)", [
            (r[0], search_text(
                {"number": r[1], "caller_name": r[2], "caller_phone": r[3], "summary": r[4]},
                {"family_name": r[6], "given_name": r[7], "patronymic": r[8], "phones": r[9],
                 "document_number": r[10]}, r[11]),
             tags_text({"status": r[12], "category": r[13], "assigned_to": r[14],
                        "employer_id": r[15]}))
            for r in rows if not r[5]])
        conn.executemany("DELETE FROM case_search_stale WHERE case_rowid=?", rowids)
        done += len(rows)
    return done


def refresh(conn, case_ids: list[str]) -> None:
    """Rewrite the search keys of these cases (inside the caller's transaction)."""
    if case_ids:
        _refresh_where(conn, "id", list(case_ids))


def refresh_employer(conn, employer_ids: list[str]) -> None:
    """Rewrite the keys of every case of these employers (after a rename)."""
    for employer_id in employer_ids:
        rowids = [r[0] for r in conn.execute(
            "SELECT rowid FROM hotline_case WHERE employer_id=?", (employer_id,))]
        if rowids:
            _refresh_where(conn, "rowid", rowids)


def mark_cases_of_new_people(person_repo, people: list[dict]) -> None:
    """Cases that name a person before the person arrived (sync sends them in any order)
    take the person's names into their search keys on the next refresh. An after-insert
    hook of the person table (cases.repositories registers it), not an INSERT trigger:
    see migration 0074."""
    person_repo.conn.execute(
        "INSERT OR IGNORE INTO case_search_stale(case_rowid) SELECT c.rowid"
        " FROM json_each(?) j JOIN hotline_case c ON c.person_id = j.value",
        (json.dumps([r["id"] for r in people]),))


def stale_rowids(conn) -> list[int]:
    return [r[0] for r in conn.execute("SELECT case_rowid FROM case_search_stale")]


def flush_stale(conn) -> int:
    """Refresh the cases whose person changed since their keys were written. Writes only
    the derived index; call inside a transaction."""
    rowids = stale_rowids(conn)
    return _refresh_where(conn, "rowid", rowids) if rowids else 0


def rebuild(conn, progress=None) -> int:
    """Rebuild the whole index (the migration that adds it, ``hamroh db check`` repairs)."""
    conn.execute("DELETE FROM case_search")
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM hotline_case WHERE deleted=0")]
    done = 0
    for start in range(0, len(rowids), 5000):
        done += _refresh_where(conn, "rowid", rowids[start:start + 5000])
        if progress is not None:
            progress(done, len(rowids))
    return done


def search_rowids(conn, term: str, limit: int = SEARCH_LIMIT, *, filters: str | None = None,
                  check_sql: tuple[str, list] | None = None) -> tuple[list[int], bool]:
    """Rowids of the newest registered cases matching ``term`` and the ``filters`` tag
    expression (at most ``limit``, newest first) and whether there were more.

    The answer comes from the index alone. Cases whose person changed since their keys
    were written (``case_search_stale``) are also looked up by the person's current
    keys; ``check_sql`` ((WHERE over ``c``, args)) applies the list filters to them.
    """
    query = fts_query(term)
    if query is None:
        return [], False
    match = "{keys} : (" + query + ")"
    if filters:
        match += " AND {tags} : (" + filters + ")"
    rowids = [r[0] for r in conn.execute(
        "SELECT rowid FROM case_search WHERE case_search MATCH ? ORDER BY rowid DESC LIMIT ?",
        (match, limit + 1))]
    capped = len(rowids) > limit
    rowids = rowids[:limit]
    stale = stale_rowids(conn)
    if stale:
        # keys of these cases may be out of date: look at their person's current keys
        person_fts = person_query(term, prefix=True)
        if person_fts:
            where, args = check_sql or ("1", [])
            found = set(rowids)
            extra = [r[0] for r in conn.execute(
                f"SELECT c.rowid FROM hotline_case c JOIN person p ON p.id = c.person_id "
                f"JOIN person_search s ON s.rowid = p.rowid WHERE c.rowid IN "
                f"({','.join('?' * len(stale))}) AND person_search MATCH ? AND {where}",
                [*stale, person_fts, *args])]
            rowids = sorted(set(rowids) | {r for r in extra if r not in found}, reverse=True)
    return rowids, capped
