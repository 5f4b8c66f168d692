"""Property: replicas making random creates, edits, deletes and merges, exchanging bundles
in random order and random subsets, all print the same dump once everyone has seen
everything, and no accepted write is lost (its value is current, it was knowingly
overwritten by a writer who had seen it, or it is in the conflict list)."""
from __future__ import annotations

import shutil

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop_app.store.people import merge as people_merge
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.sync import exchange
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import OFFICES

VALUES = st.sampled_from(["Navdi", "Garm", "Kalai Surkh", "Tavildara", None])
FIELDS = st.sampled_from(["village", "notes", "household_notes"])

op = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 4), st.sampled_from(["Раҳмонов", "Karimova",
                                                                     "Nazarov"])),
    st.tuples(st.just("edit"), st.integers(0, 4), st.integers(0, 30), FIELDS, VALUES),
    st.tuples(st.just("delete"), st.integers(0, 4), st.integers(0, 30)),
    st.tuples(st.just("merge"), st.integers(0, 4), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("unmerge"), st.integers(0, 4), st.integers(0, 30)),
    st.tuples(st.just("export"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("deliver"), st.integers(0, 100)),
)


def _vv(conn) -> dict:
    return exchange.version_vector(conn)


def _note(writes, replica, record_id, fields, seen_before):
    """Record each accepted field write with its clock and what the writer had seen."""
    row = replica.conn.execute("SELECT hlc FROM person WHERE id=?", (record_id,)).fetchone()
    clocks = PersonRepository(replica.session).clocks_of({"hlc": row[0]})
    seq = replica.conn.execute(
        "SELECT max(origin_seq) FROM change_log WHERE origin_device=?",
        (replica.device_id,)).fetchone()[0]
    for name, value in fields.items():
        writes.append({"record": record_id, "field": name, "value": value,
                       "stamp": clocks[name], "device": replica.device_id, "seq": seq,
                       "seen": seen_before})


def _exchange(step, replicas, folder, pending) -> None:
    """An export from one replica to another, or the delivery of a pending bundle."""
    n = len(replicas)
    if step[0] == "export":
        src, dst = replicas[step[1] % n], replicas[step[2] % n]
        if src is dst:
            return
        path = folder / f"b{len(list(folder.iterdir()))}.hamroh"
        exchange.export_bundle(src.conn, path, peer_device=dst.device_id)
        pending.append((path, dst))
    elif pending:
        path, dst = pending[step[1] % len(pending)]
        exchange.import_bundle(dst.conn, path)


def _change(step, replica, people) -> tuple[str, dict] | None:
    """Edit, delete, merge or unmerge a known person; the record and the fields written,
    or None when the step does not apply."""
    kind = step[0]
    repo = PersonRepository(replica.session)
    target = people[step[2] % len(people)]
    if repo.get(target) is None:
        return None
    if kind == "edit":
        before = repo.get(target)
        if before[step[3]] == step[4]:
            return None
        repo.update(target, {step[3]: step[4]})
        return target, {step[3]: step[4]}
    if kind == "delete":
        repo.delete(target)
        return target, {"deleted": 1}
    if kind == "merge":
        survivor = people[step[3] % len(people)]
        if repo.get(survivor) is None:
            return None
        try:
            people_merge.merge(replica.session, target, survivor)
        except ValidationError:
            return None
        return target, {"merged_into": repo.get(target)["merged_into"]}
    # unmerge
    if not repo.get(target)["merged_into"]:
        return None
    people_merge.unmerge(replica.session, target)
    return target, {"merged_into": None}


def _sync_everything(replicas, folder, pending) -> None:
    """Everyone sees everything: two rounds of every pair, the leftovers delivered too."""
    for path, dst in pending:
        exchange.import_bundle(dst.conn, path)
    for _round in range(2):
        for src in replicas:
            for dst in replicas:
                if src is not dst:
                    path = folder / f"f{len(list(folder.iterdir()))}.hamroh"
                    exchange.export_bundle(src.conn, path, peer_device=dst.device_id)
                    exchange.import_bundle(dst.conn, path)


def _assert_nothing_lost(replicas, writes) -> None:
    conflicts = set()
    for r in replicas:
        for field, record, winner, loser in r.conn.execute(
                "SELECT field, record_id, winner_hlc, loser_hlc FROM sync_conflict"):
            conflicts.add((record, field, winner))
            conflicts.add((record, field, loser))
    final = replicas[0].conn
    for w in writes:
        row = final.execute(f"SELECT hlc, {w['field']} FROM person WHERE id=?",
                            (w["record"],)).fetchone()
        current = PersonRepository(replicas[0].session).clocks_of({"hlc": row[0]}).get(w["field"])
        if current == w["stamp"] or row[1] == w["value"]:
            continue        # its own write, or another that wrote the same value, is current
        overwritten = any(
            o["record"] == w["record"] and o["field"] == w["field"] and o is not w
            and o["seen"].get(w["device"], 0) >= w["seq"] for o in writes)
        if overwritten:
            continue
        assert (w["record"], w["field"], w["stamp"]) in conflicts, w


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(n=st.integers(3, 5), ops=st.lists(op, min_size=5, max_size=28))
# two offices delete the same person without having seen each other: one stamp wins, the
# other write's value is there all the same
@example(n=3, ops=[("create", 0, "Раҳмонов"), ("export", 0, 2), ("deliver", 0),
                   ("delete", 0, 0), ("delete", 2, 0)])
def test_replicas_converge_and_lose_nothing(n, ops, make_replicas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundles")
    replicas = make_replicas([code for code, _t in OFFICES[:n]])
    people: list[str] = []          # record ids in creation order (known anywhere)
    writes: list[dict] = []         # every accepted field write
    pending: list[tuple[object, object]] = []   # (path, destination)

    for step in ops:
        kind = step[0]
        if kind in ("export", "deliver"):
            _exchange(step, replicas, folder, pending)
            continue
        replica = replicas[step[1] % n]
        seen_before = _vv(replica.conn)
        if kind == "create":
            record = PersonRepository(replica.session).create(
                {"family_name": step[2], "given_name": "Olim"})
            people.append(record["id"])
            _note(writes, replica, record["id"], {"family_name": step[2], "village": None},
                  seen_before)
        elif people:
            written = _change(step, replica, people)
            if written is not None:
                _note(writes, replica, *written, seen_before)

    _sync_everything(replicas, folder, pending)
    dumps = {dump_text(r.conn) for r in replicas}
    assert len(dumps) == 1
    _assert_nothing_lost(replicas, writes)
    shutil.rmtree(folder, ignore_errors=True)
