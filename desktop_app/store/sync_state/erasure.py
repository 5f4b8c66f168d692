"""Erased people stay erased: what sync does with the erasure marker.

Erasure (``store.security.rights.erase_person``) blanks a person's personal fields with
ordinary writes and leaves a ``person_erasure`` marker that syncs. A replica that had not
seen the erasure may still send old values of those fields, or new ones written before it
heard of the erasure, even with a later clock. For those fields the erasure wins
regardless of clock:

* a received change (and a local write) to an erased field of an erased person is
  written with the erased value instead (names "—", other personal fields empty, the
  date of birth cut to 1 January of its year). The clock still advances by last writer
  wins, so every replica ends with the same value and clock.
* when a marker arrives, the person's rows here are blanked the same way (values only,
  clocks unchanged), old values are scrubbed from the change log (so they are not relayed
  again) and from the conflict list.

Who counts as erased: the identity of a marked person (the record everyone was merged
into, and every record merged into it, as ``erase_person`` blanks them). The fields are
fixed by the schema (``domain.erasure`` lists them), not by the data, so that every
replica blanks the same ones.

``store.people.repositories`` registers :class:`ErasureGuard` with the base
``Repository`` (wherever people are written, their records are guarded); the marker's
repository (``store.security.rights``) calls :func:`markers_arrived` from its
``after_remote_batch``.
"""
from __future__ import annotations

import json

from desktop_app.domain.erasure import PERSON_ERASABLE, erased_value, person_record_fields
from desktop_app.store.clocks import dumps
from desktop_app.store.db import row_dict
from desktop_app.store.people.identity import identity_ids, roots_of
from desktop_app.store.repository import Repository


def erasable_fields(conn, repo) -> frozenset:
    """Fields of ``repo``'s table blanked for an erased person (the rule of erase_person)."""
    if repo.table == "person":
        return PERSON_ERASABLE
    if "person_id" not in repo.fields:
        return frozenset()
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({repo.table})")}
    return frozenset(person_record_fields(repo.table, cols, repo.fields))


def _fields_of(repo) -> frozenset:
    cache = repo.session.cache
    key = ("erasable fields", repo.table)
    if key not in cache:
        cache[key] = erasable_fields(repo.conn, repo)
    return cache[key]


def erased_roots(conn) -> set[str]:
    """Root records of every erased identity (empty when nobody was erased)."""
    if conn.execute("SELECT 1 FROM person_erasure WHERE deleted = 0 LIMIT 1").fetchone() is None:
        return set()
    ids = [r[0] for r in conn.execute("SELECT person_id FROM person_erasure WHERE deleted = 0")]
    return set(roots_of(conn, ids).values())


def _person_of(repo, record_id: str, fields: dict, row: dict | None) -> str | None:
    if repo.table == "person":
        return record_id
    return fields.get("person_id") or (row or {}).get("person_id")


class ErasureGuard:
    """The write guard (see ``Repository.register_write_guard``) that keeps erased people
    erased."""

    def guard_remote(self, repo, changes, rows: dict[str, dict]) -> None:
        """Received changes to erased fields of erased people carry the erased values."""
        _guard_remote(repo, changes, rows)

    def guard_local(self, repo, record_id: str | None, values: dict,
                    before: dict | None) -> dict:
        """A local write to an erased field of an erased person writes the erased value."""
        return _guard_local(repo, record_id, values, before)

    def guard_local_many(self, repo, new_rows: list[dict]) -> list[dict]:
        """:meth:`guard_local` for the values of many new records (erased people looked up
        once for the batch)."""
        guarded = _fields_of(repo)
        if not guarded or not new_rows or not erased_roots(repo.conn):
            return new_rows
        return [_guard_local(repo, None, values, None) for values in new_rows]


def _guard_remote(repo, changes, rows: dict[str, dict]) -> None:
    conn = repo.conn
    guarded = _fields_of(repo)
    if not guarded or not any(guarded.intersection(c.fields) for c in changes):
        return
    roots = erased_roots(conn)
    if not roots:
        return
    people: dict[str, str | None] = {}
    for change in changes:
        people[change.record_id] = _person_of(repo, change.record_id, change.fields,
                                               rows.get(change.record_id))
    # a person's first hop may be a merge that arrives in this very change
    hops = {pid: (c.fields.get("merged_into") if repo.table == "person" else None) or pid
            for c in changes for pid in [people[c.record_id]] if pid}
    found = roots_of(conn, list(hops.values()) + list(hops))
    for change in changes:
        pid = people[change.record_id]
        if not pid or not ({found.get(pid, pid), found.get(hops[pid], hops[pid])} & roots):
            continue
        fields = dict(change.fields)
        for name in guarded.intersection(fields):
            fields[name] = erased_value(repo.table, name, fields[name])
        if fields != change.fields:
            change.fields = fields
            change.fields_text = change.line = None


def _guard_local(repo, record_id: str | None, values: dict, before: dict | None) -> dict:
    conn = repo.conn
    guarded = _fields_of(repo)
    if not guarded or not guarded.intersection(values):
        return values
    roots = erased_roots(conn)
    if not roots:
        return values
    pid = _person_of(repo, record_id, values, before) if record_id else values.get("person_id")
    if not pid or roots_of(conn, [pid]).get(pid, pid) not in roots:
        return values
    return {k: erased_value(repo.table, k, v) if k in guarded else v
            for k, v in values.items()}


def markers_arrived(session, inserted: list[dict], updated: list[tuple[dict, dict, set]],
                    changes, results) -> None:
    """After a batch of received changes: blank what the erasure markers it wrote name
    (new markers, and markers whose person or tombstone changed); a conflict over a value
    the erasure removed is not kept for review."""
    markers = list(inserted)
    markers += [after for _before, after, written in updated
                if written & {"person_id", "deleted"}]
    if not markers:
        return
    erased = apply_markers(session, markers)
    for change, result in zip(changes, results, strict=True):
        guarded = erased.get((change.table, change.record_id))
        if guarded and result.lost:
            result.lost = [c for c in result.lost if c.field not in guarded]


def apply_markers(session, markers: list[dict]) -> dict[tuple[str, str], frozenset]:
    """Blank here what arriving erasure markers name; returns the erased fields by
    (table, record id) of every record of the erased people."""
    conn = session.conn
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    erased: dict[tuple[str, str], frozenset] = {}
    for marker in markers:
        if marker.get("deleted") or not marker.get("person_id"):
            continue
        ids = identity_ids(conn, marker["person_id"])
        marks = ",".join("?" * len(ids))
        for table, repo_cls in Repository.synced_tables().items():
            repo = repo_cls(session)
            guarded = _fields_of(repo)
            if not guarded:
                continue
            if table not in present:
                continue   # a module this installation does not have
            key = "id" if table == "person" else "person_id"
            cur = conn.execute(f"SELECT * FROM {table} WHERE {key} IN ({marks})", ids)
            cols = [d[0] for d in cur.description]
            for values in cur.fetchall():
                before = row_dict(cols, values)
                erased[(table, before["id"])] = guarded
                blank = {name: erased_value(table, name, before[name]) for name in guarded
                         if before.get(name) != erased_value(table, name, before[name])}
                _scrub_log(conn, table, before["id"], guarded)
                _scrub_conflicts(conn, table, before["id"], guarded)
                if not blank:
                    continue
                conn.execute(f"UPDATE {table} SET {', '.join(f'{k}=?' for k in blank)} "
                             f"WHERE id=?", (*blank.values(), before["id"]))
                after = {**before, **blank}
                session.audit.record(session.actor.user_id, "erase", table, before["id"],
                                     detail={"erasure": marker["id"],
                                             "fields": sorted(blank)})
                repo.after_write(after, before)
    return erased


def _scrub_log(conn, table: str, record_id: str, guarded) -> None:
    # creations hold no values (fields NULL): the row, blanked here, is their copy
    for seq, text in conn.execute("SELECT seq, fields FROM change_log WHERE table_name=? AND"
                                  " record_id=? AND fields IS NOT NULL",
                                  (table, record_id)).fetchall():
        values = json.loads(text)
        scrubbed = {k: erased_value(table, k, v) if k in guarded else v
                    for k, v in values.items()}
        if scrubbed != values:
            conn.execute("UPDATE change_entry SET fields=? WHERE seq=?",
                         (dumps(scrubbed), seq))


def _scrub_conflicts(conn, table: str, record_id: str, guarded) -> None:
    for cid, name, winner, loser in conn.execute(
            "SELECT id, field, winner_value, loser_value FROM sync_conflict WHERE"
            " table_name=? AND record_id=?", (table, record_id)).fetchall():
        if name not in guarded:
            continue
        values = [json.dumps(erased_value(table, name, json.loads(v) if v else None),
                             ensure_ascii=False) for v in (winner, loser)]
        conn.execute("UPDATE sync_conflict SET winner_value=?, loser_value=?, status=CASE"
                     " WHEN status='open' THEN 'superseded' ELSE status END WHERE id=?",
                     (*values, cid))

