"""Received changes applied in batches: the merge that sync import runs.

:func:`apply_remote_batch` gives the same outcome as applying the changes one by one with
a few statements per batch. Its steps, in order:

1. :func:`_fresh` - changes already in the change log (or repeated in the batch) are
   skipped as ``duplicate``;
2. :func:`_read_touched` - each touched record is read once, and each table's repository
   may adjust the changes before anything is written (``guard_remote``);
3. :func:`_log` - the rest go into the change log (so they are relayed onward);
4. :func:`_merge` - every change of a record is merged in memory field by field (last
   writer wins by clock, conflicts kept, append-only rows never overwritten);
5. :func:`_write` - new rows with ``executemany``, existing rows with one UPDATE each;
6. :func:`_audit` - one ``sync_update`` row per existing record changed (its values before
   and after), one ``sync_create`` row per table, sender and author for the new records,
   listing their ids;
7. :func:`_after_write` - the repositories' hooks: ``after_insert_many`` /
   ``after_write_many`` and the registered after-insert hooks for new rows,
   ``after_write`` for updated ones, then ``after_remote_batch`` per table.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable

from desktop_app.store.clocks import PLAIN_STAMP, dumps
from desktop_app.store.db import row_dict
from desktop_app.store.session import Session
from desktop_app.store.sync_state.changes import (
    INSERT_SQL,
    Terms,
    encode_stamp,
    held,
    write_of,
)

if TYPE_CHECKING:   # the repository module imports this one
    from desktop_app.store.repository import Repository

# Bookkeeping stamps merge like any field but are never reported as conflicts.
NO_CONFLICT_FIELDS = frozenset(("created_at", "created_by", "updated_at", "updated_by"))


@dataclass
class FieldConflict:
    """Two concurrent writes to the same field: neither writer had seen the other's value."""
    field: str
    winner_value: Any
    winner_hlc: str
    winner_author: str | None
    loser_value: Any
    loser_hlc: str
    loser_author: str | None


@dataclass(slots=True)
class RemoteResult:
    """What applying one remote change did to the local row."""
    created: bool = False
    # created whole by this one change (logged without its values: the row holds them)
    whole: bool = False
    # the change was already in the change log (received before): nothing was done
    duplicate: bool = False
    changed_fields: list[str] = field(default_factory=list)
    # same-field conflicts (the losing value is kept here, never dropped silently)
    lost: list[FieldConflict] = field(default_factory=list)


@dataclass(slots=True)
class RemoteChange:
    """One received change (a line of a bundle)."""
    table: str
    record_id: str
    fields: dict
    stamp: str
    origin_device: str
    origin_seq: int
    author: str | None = None
    base: dict | None = None
    office_id: str | None = None
    # ``fields`` as JSON text when the bundle brought it so (logged as it is); None
    # after a guard changed the fields
    fields_text: str | None = None
    # the bundle line the change came in, when its fields come last: their text is cut
    # from it (``apply_remote_batch``'s ``fields_of_line``) only if the change is logged
    # with its fields; None after a guard changed the fields
    line: bytes | None = None


@dataclass
class _Writes:
    """What the merge decided to write."""
    # table -> (record id, row, clocks) of new rows
    inserts: dict[str, list[tuple[str, dict, dict | None]]] = field(default_factory=dict)
    # (repository, record id, row before, row after, fields written, clocks)
    updates: list[tuple[Any, str, dict, dict, set, dict]] = field(default_factory=list)
    # audit rows of local records changed
    audits: list[tuple] = field(default_factory=list)
    # (table, author, origin) -> ids of new records
    received: dict[tuple, list[str]] = field(default_factory=dict)
    # table -> ids of new rows made with placeholders or defaults, and those rows as stored
    partial: dict[str, list[str]] = field(default_factory=dict)
    partial_rows: dict[str, list[dict]] = field(default_factory=dict)


_IN_CHUNK = 900
# The batch writers' row insert. A row is one statement, and a statement into a table with
# an INSERT trigger (the kept loan figures', migration 0086) otherwise keeps a statement
# journal: a copy of every page it changes. Inside a savepoint (``create_many`` nested in
# a caller's transaction) each statement's end then walks that in-memory journal from its
# start (temp_store is MEMORY), so a batch took time in the square of its size: the
# 1M demo's 600,000 ledger entries did not finish in 40 minutes. With OR FAIL SQLite keeps
# no statement journal. For a one-row statement nothing else differs: the constraints are
# checked before the row is written, an error is raised as before, and every caller
# rolls back its transaction or savepoint on it.
ROW_INSERT = "INSERT OR FAIL INTO"


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def apply_remote_batch(session: Session, changes: list[RemoteChange],
                       repos: dict[str, "Repository"], *, audit: bool = True,
                       fields_of_line: Callable[[bytes], str | None] | None = None
                       ) -> list[RemoteResult]:
    """Apply received changes (in bundle order) with a few statements per batch (the steps
    are listed in the module's description). ``fields_of_line`` gives the JSON text of
    the fields of a change's ``line`` (None: not cut from it), logged as it is.

    A change whose table has no repository in ``repos`` is only logged (a module this
    installation does not have). Must run inside the importer's transaction.
    """
    conn = session.conn
    results = [RemoteResult() for _ in changes]
    fresh = _fresh(conn, changes, results)
    if not fresh:
        return results
    groups, rows = _read_touched(conn, changes, fresh, repos)
    whole = _whole_creations(changes, groups, rows, repos)
    _log(session, changes, fresh, whole, fields_of_line)
    writes = _merge(changes, results, groups, rows, repos, audit, whole)
    _write(conn, repos, writes)
    _audit(session, repos, writes)
    _after_write(repos, writes, changes, results)
    return results


def _fresh(conn, changes: list[RemoteChange], results: list[RemoteResult]) -> list[int]:
    """Indexes of the changes not yet in the change log (nor earlier in the batch); the
    others are marked ``duplicate``."""
    by_device: dict[str, list[int]] = {}
    for index, change in enumerate(changes):
        by_device.setdefault(change.origin_device, []).append(index)
    logged: set[tuple[str, int]] = set()
    for device, indexes in by_device.items():
        seqs = sorted({changes[i].origin_seq for i in indexes})
        for chunk in _chunks(seqs):
            logged.update((device, seq) for seq in held(conn, device, chunk))
    fresh: list[int] = []
    for index, change in enumerate(changes):
        key = (change.origin_device, change.origin_seq)
        if key in logged:
            results[index].duplicate = True
        else:
            logged.add(key)
            fresh.append(index)
    return fresh


def _read_touched(conn, changes: list[RemoteChange], fresh: list[int],
                  repos: dict[str, "Repository"]
                  ) -> tuple[dict[tuple[str, str], list[int]], dict[str, dict[str, dict]]]:
    """The fresh changes grouped by (table, record id), and the touched records as they
    are, read once per table; each table's repository then sees its changes
    (``guard_remote``)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index in fresh:
        change = changes[index]
        if change.table in repos:
            groups.setdefault((change.table, change.record_id), []).append(index)
    by_table: dict[str, list[tuple[str, list[int]]]] = {}
    for (table, record_id), indexes in groups.items():
        by_table.setdefault(table, []).append((record_id, indexes))
    rows: dict[str, dict[str, dict]] = {}
    for table, entries in by_table.items():
        ids = sorted(record_id for record_id, _indexes in entries)
        found = rows.setdefault(table, {})
        for chunk in _chunks(ids):
            cur = conn.execute(f"SELECT * FROM {table} WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            for row in cur:
                record = row_dict(cols, row)
                found[record["id"]] = record
        repos[table].guard_remote([changes[i] for _r, idx in entries for i in idx], found)
    return groups, rows


def _whole_creations(changes: list[RemoteChange], groups: dict[tuple[str, str], list[int]],
                     rows: dict[str, dict[str, dict]], repos: dict[str, "Repository"]
                     ) -> set[int]:
    """Indexes of the changes that create a record whole: the one change of a record not
    here, every field of its table, one plain clock, no base. They are logged without
    their values (the new row holds them) and merged without a clock comparison."""
    whole = set()
    field_sets = {table: repo._field_set() for table, repo in repos.items()}
    match = PLAIN_STAMP.match
    for (table, record_id), indexes in groups.items():
        if len(indexes) != 1 or record_id in rows[table]:
            continue
        c = changes[indexes[0]]
        if (not c.base and isinstance(c.stamp, str) and match(c.stamp) is not None
                and c.fields.keys() == field_sets[table]):
            whole.add(indexes[0])
    return whole


def _log(session: Session, changes: list[RemoteChange], fresh: list[int],
         whole: set[int], fields_of_line: Callable[[bytes], str | None] | None) -> None:
    """The fresh changes into the change log, in bundle order; the clock observes them.
    A change that creates a record whole is logged without its values, which the new row
    holds."""
    terms = Terms(session.conn)
    # a text's number from the cache (numbers start at 1), else from the database
    known = terms.known.get
    number = terms.id
    entries: list[tuple] = []
    append = entries.append
    for index in fresh:
        c = changes[index]
        device = c.origin_device
        author = c.author
        office = c.office_id or c.fields.get("office_id")
        if index in whole:
            fields = None
        else:
            fields = c.fields_text
            if fields is None and c.line is not None and fields_of_line is not None:
                fields = fields_of_line(c.line)
            if fields is None:
                fields = dumps(c.fields)
        append(((known(device) or number(device)), c.origin_seq,
                (known(c.table) or number(c.table)), c.record_id,
                encode_stamp(c.stamp, device), fields,
                (known(author) or number(author)) if author is not None else None,
                (known(office) or number(office)) if office is not None else None,
                dumps(c.base) if c.base else None))
    session.conn.executemany(INSERT_SQL, entries)
    session.clock.observe(max(changes[i].stamp for i in fresh))


def _merge(changes: list[RemoteChange], results: list[RemoteResult],
           groups: dict[tuple[str, str], list[int]], rows: dict[str, dict[str, dict]],
           repos: dict[str, "Repository"], audit: bool, whole: set[int]) -> _Writes:
    """Every record's changes merged in memory: what to insert, update and audit."""
    writes = _Writes()
    for (table, record_id), indexes in groups.items():
        first = indexes[0]
        if first in whole:
            _merge_whole(repos[table], record_id, changes[first], results[first], writes,
                         audit)
            continue
        before = rows[table].get(record_id)
        if before is None and len(indexes) == 1:
            _merge_creation(repos[table], record_id, changes[first], results[first],
                            writes, audit)
        else:
            _merge_record(repos[table], record_id, before, [changes[i] for i in indexes],
                          [results[i] for i in indexes], writes, audit)
    return writes


def _merge_whole(repo: "Repository", record_id: str, change: RemoteChange,
                 result: RemoteResult, writes: _Writes, audit: bool) -> None:
    """A change that creates a record whole (:func:`_whole_creations`): the row is its
    fields, the compact clock map that clock alone (the text encode_clocks gives)."""
    state = change.fields.copy()
    state["hlc"] = f'{{"*":"{change.stamp}"}}'
    state["id"] = record_id
    result.created = result.whole = True
    result.changed_fields = sorted(change.fields)
    table = repo.table
    writes.inserts.setdefault(table, []).append((record_id, state, None))
    if audit:
        writes.received.setdefault((table, change.author, change.origin_device),
                                   []).append(record_id)


def _merge_creation(repo: "Repository", record_id: str, change: RemoteChange,
                    result: RemoteResult, writes: _Writes, audit: bool) -> None:
    """One change creates the record, but not whole (a base, some fields only, fields the
    table does not have, or a clock that is not plain; whole creations go to
    :func:`_merge_whole`); every field wins with that change's clock, nothing conflicts."""
    fields = change.fields
    names = repo._field_set()
    winners = (fields if fields.keys() <= names
               else {k: v for k, v in fields.items() if k in names})
    if not winners:
        return
    stamp = change.stamp
    if len(winners) == len(names) and isinstance(stamp, str) and PLAIN_STAMP.match(stamp):
        # every field, one clock: the compact map is that clock alone (the text
        # encode_clocks gives), and the fields are the whole row
        state = winners.copy()
        state["hlc"] = f'{{"*":"{stamp}"}}'
    else:
        state = dict.fromkeys(repo.all_fields)
        state.update(winners)
        state["hlc"] = repo.encode_clocks(dict.fromkeys(winners, stamp))
    state["id"] = record_id
    result.created = True
    result.changed_fields = sorted(winners)
    writes.inserts.setdefault(repo.table, []).append((record_id, state, None))
    if audit:
        writes.received.setdefault((repo.table, change.author, change.origin_device),
                                   []).append(record_id)


def _merge_record(repo: "Repository", record_id: str, before: dict | None,
                  changes: list[RemoteChange], results: list[RemoteResult],
                  writes: _Writes, audit: bool) -> None:
    """A record's changes (in bundle order) merged over the row as it is (None: new)."""
    state = dict(before) if before is not None else None
    clocks = repo.clocks_of(before) if before is not None else {}
    written: set[str] = set()
    author = None
    origins: list[str] = []
    for change, result in zip(changes, results, strict=True):
        if state is not None and repo.append_only and state.get("created_by"):
            continue
        winners = merge_change(repo, record_id, state, clocks, change, result)
        if not winners:
            continue
        if state is None:
            state = dict.fromkeys(repo.all_fields)
            state["id"] = record_id
            result.created = True
        state.update(winners)
        written.update(winners)
        result.changed_fields = sorted(winners)
        author = change.author
        if change.origin_device not in origins:
            origins.append(change.origin_device)
    if state is None or not written:
        return
    table = repo.table
    state["hlc"] = repo.encode_clocks(clocks)
    if before is None:
        writes.inserts.setdefault(table, []).append((record_id, state, clocks))
    else:
        writes.updates.append((repo, record_id, before, state, written, clocks))
    if audit:
        origin = origins[0] if len(origins) == 1 else origins
        if before is None:
            # received records: listed per sender and author (their values are in
            # the change log and in the sender's own audit, not copied here)
            writes.received.setdefault((table, author, origin if len(origins) == 1
                                        else tuple(origins)), []).append(record_id)
        else:
            # a local record changed by a received one: field values before and after
            writes.audits.append((author, "sync_update", table, record_id, before, state,
                                  {"origin": origin}))


def merge_change(repo: "Repository", record_id: str, before: dict | None, clocks: dict,
                 change: RemoteChange, result: RemoteResult) -> dict:
    """Field-by-field LWW of one change over ``before`` (the row as it is now, or None);
    updates ``clocks`` and ``result.lost``; returns the winning values."""
    stamp = change.stamp
    names = repo._field_set()
    if not clocks:
        # nothing written here yet (a new record): every field wins, no conflict
        fields = change.fields
        winners = (dict(fields) if names.issuperset(fields)
                   else {k: v for k, v in fields.items() if k in names})
        clocks.update(dict.fromkeys(winners, stamp))
        return winners
    assert before is not None   # a row with clocks is stored here
    base = change.base or {}
    winners = {}
    for name, value in change.fields.items():
        if name not in names:
            continue
        current = clocks.get(name)
        if current is None or stamp > current:
            if (current is not None and name not in NO_CONFLICT_FIELDS
                    and before.get(name) != value
                    and current > (base.get(name) or "")):
                local_author = _write_of(repo, record_id, current)[1]
                result.lost.append(FieldConflict(name, value, stamp, change.author,
                                                 before.get(name), current, local_author))
            winners[name] = value
            clocks[name] = stamp
        elif (stamp < current and name not in NO_CONFLICT_FIELDS
              and before.get(name) != value):
            current_base, local_author = _write_of(repo, record_id, current)
            if stamp > (current_base.get(name) or ""):
                result.lost.append(FieldConflict(name, before.get(name), current,
                                                 local_author, value, stamp,
                                                 change.author))
    return winners


def _write_of(repo: "Repository", record_id: str, stamp: str) -> tuple[dict, str | None]:
    """(base clocks, author) of the logged write of this record at ``stamp``."""
    found = write_of(repo.conn, repo.table, record_id, stamp)
    if found is None:
        return {}, None
    return json.loads(found[0] or "{}"), found[1]


def _write(conn, repos: dict[str, "Repository"], writes: _Writes) -> None:
    """New rows in batches (derived columns with them), existing rows one UPDATE each."""
    for table, new_rows in writes.inserts.items():
        _insert(conn, repos[table], new_rows, writes.partial)
    for repo, record_id, _before, state, written, _clocks in writes.updates:
        names = sorted(written)
        conn.execute(f"UPDATE {repo.table} SET {', '.join(f'{k}=?' for k in names)}, hlc=? "
                     f"WHERE id=?", (*(state[k] for k in names), state["hlc"], record_id))
    _read_back_partial(conn, writes)


def _insert(conn, repo: "Repository", new_rows: list[tuple[str, dict, dict | None]],
            partial: dict[str, list[str]]) -> None:
    """New rows of one table, one ``executemany`` per set of columns."""
    table = repo.table
    required = [(k, d) for k, d in repo._required_columns().items()
                if k in repo._field_set()]
    full_cols = ("id", *repo.all_fields, "hlc")
    pick = itemgetter(*full_cols)
    pick_required = itemgetter(*[k for k, _d in required], "id", "id")  # always a tuple
    derived = repo.derived_columns
    derive = repo.derive
    by_cols: dict[tuple, list] = {}
    full = by_cols.setdefault(full_cols + derived, [])
    for record_id, state, _clocks in new_rows:
        if None not in pick_required(state):
            if derived:
                # derived columns (search keys) go in with the row, not in a later
                # UPDATE; the hook reads them from the record
                extra = derive(state)
                state.update(zip(derived, extra, strict=True))
                full.append(pick(state) + extra)
            else:
                full.append(pick(state))
            continue
        # a change for a record never seen (its creation is in another bundle):
        # columns it leaves out take their default, NOT NULL ones without one a
        # placeholder; neither gets a clock, so the creation's values win when
        # they arrive
        partial.setdefault(table, []).append(record_id)
        row = dict(state)
        for name, default in required:
            if row[name] is None:
                if default is not None:
                    del row[name]
                else:
                    row[name] = ""
        cols = tuple(k for k in full_cols if k in row)
        by_cols.setdefault(cols, []).append(tuple(row[k] for k in cols))
    for cols, values in by_cols.items():
        if not values:
            continue
        conn.executemany(f"{ROW_INSERT} {table}({', '.join(cols)}) VALUES "
                         f"({', '.join('?' * len(cols))})", values)


def _read_back_partial(conn, writes: _Writes) -> None:
    """Rows made with placeholders or defaults: the hooks and the audit see them as
    stored (their derived columns are written by ``after_write_many``, from the stored
    row)."""
    for table, ids in writes.partial.items():
        fixed: dict[str, dict] = {}
        for chunk in _chunks(sorted(set(ids))):
            cur = conn.execute(f"SELECT * FROM {table} WHERE id IN "
                               f"({','.join('?' * len(chunk))})", chunk)
            cols = [d[0] for d in cur.description]
            fixed.update((r[0], row_dict(cols, r)) for r in cur)
        writes.partial_rows[table] = list(fixed.values())
        writes.inserts[table] = [(rid, fixed.get(rid, state), clocks)
                                 for rid, state, clocks in writes.inserts[table]]


def _audit(session: Session, repos: dict[str, "Repository"], writes: _Writes) -> None:
    """One audit row per updated record, one per batch of new ones (hash-chained)."""
    entries: list[tuple] = [
        (author, "sync_create", table, ids[0] if len(ids) == 1 else None, None, None,
         {"origin": origin if isinstance(origin, str) else list(origin), "records": ids})
        for (table, author, origin), ids in writes.received.items()]
    entries += [(author, action, table, record_id, repos[table].audit_view(before),
                 repos[table].audit_view(after), detail)
                for author, action, table, record_id, before, after, detail in writes.audits]
    if entries:
        session.audit.record_many(entries)


def _after_write(repos: dict[str, "Repository"], writes: _Writes,
                 changes: list[RemoteChange], results: list[RemoteResult]) -> None:
    """Derived data (search keys ...) of the rows written (the tables' own hooks, then
    those other modules registered for new rows), then each table's
    ``after_remote_batch`` with its new and updated rows."""
    partial = writes.partial
    for table, new_rows in writes.inserts.items():
        if table in partial:
            done = set(partial[table])
            repos[table].after_write_many(writes.partial_rows[table])
            repos[table].run_after_insert(writes.partial_rows[table])
            new_rows = [entry for entry in new_rows if entry[0] not in done]
        if new_rows:
            states = [state for _rid, state, _clocks in new_rows]
            repos[table].after_insert_many(states)
            repos[table].run_after_insert(states)
    updated: dict[str, list[tuple[dict, dict, set]]] = {}
    for repo, _record_id, before, state, written, _clocks in writes.updates:
        repo.after_write(state, before)
        repo.run_after_update(state, before)
        updated.setdefault(repo.table, []).append((before, state, written))
    for table in dict.fromkeys([*writes.inserts, *updated]):
        repos[table].after_remote_batch(
            [state for _rid, state, _c in writes.inserts.get(table, ())],
            updated.get(table, []), changes, results)
