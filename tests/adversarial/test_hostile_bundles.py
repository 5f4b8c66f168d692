"""Hostile and damaged bundles: every one refused with one clear sentence, the database
unchanged (``hamroh db dump`` and the change log), and a watched folder going on to import
the valid bundle lying beside them.

Byte flips and truncations of a real bundle are drawn at seeded random positions (the
same positions every run); hostile headers, a wrong addressee, changes relayed from a
revoked device and hostile office codes are built by hand.
"""
from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

from desktop_app.store.offices import OfficeRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import get_meta
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from desktop_app.sync.dump import dump_text
from desktop_app.sync.folder import SyncFolder
from tests.helpers.replicas import ORG_KEY, exchange_files

SEED = 16
FLIPS = 40
CUTS = 25


def _state(replica) -> tuple[str, int, int]:
    """What a refused import must leave as it was: every synced record, the change log
    and the import history."""
    conn = replica.conn
    return (dump_text(conn),
            conn.execute("SELECT count(*) FROM change_log").fetchone()[0],
            conn.execute("SELECT count(*) FROM sync_bundle_log").fetchone()[0])


def _assert_refused(replica, path: Path, before) -> fmt.BundleError | exchange.SyncError:
    with pytest.raises((fmt.BundleError, exchange.SyncError)) as err:
        exchange.import_bundle(replica.conn, path, org_key=ORG_KEY)
    message = str(err.value)
    assert message and "Traceback" not in message and "\n" not in message
    if isinstance(err.value, fmt.BundleError) and err.value.code != "no_passphrase":
        assert path.name in message, message
    assert _state(replica) == before, f"{path.name} changed the database"
    return err.value


@pytest.fixture
def world(make_replicas, tmp_path):
    """GRM (a field office) with people, the coordinator DSH, and GRM's good bundle."""
    grm, nur, dsh = make_replicas(["GRM", "NUR", "DSH"])
    people = PersonRepository(grm.session)
    for i in range(40):
        people.create({"family_name": f"Раҳмонов{i}", "given_name": "Фарҳод",
                       "notes": "қайд " * 30})
    good = tmp_path / "GRM-to-coordinator-good.hamroh"
    exchange.export_bundle(grm.conn, good)
    return grm, nur, dsh, good


def _flipped(good: Path, folder: Path) -> list[Path]:
    data = good.read_bytes()
    rng = random.Random(SEED)
    # always the magic, the format, the header length, the header, the body, the signature
    positions = [0, 9, 12, 20, len(data) // 2, len(data) - 1]
    positions += [rng.randrange(len(data)) for _ in range(FLIPS - len(positions))]
    out = []
    for n, at in enumerate(positions):
        damaged = bytearray(data)
        damaged[at] ^= 1 << rng.randrange(8)
        path = folder / f"flip-{n:02d}-at-{at}.hamroh"
        path.write_bytes(bytes(damaged))
        out.append(path)
    return out


def _truncated(good: Path, folder: Path) -> list[Path]:
    data = good.read_bytes()
    rng = random.Random(SEED + 1)
    cuts = [0, 1, 8, 14, len(data) - 1] + [rng.randrange(len(data)) for _ in range(CUTS - 5)]
    out = []
    for n, at in enumerate(cuts):
        path = folder / f"cut-{n:02d}-at-{at}.hamroh"
        path.write_bytes(data[:at])
        out.append(path)
    return out


def _header_file(folder: Path, name: str, header: bytes, body: bytes = b"\0" * 200,
                 declared: int | None = None) -> Path:
    path = folder / name
    length = len(header) if declared is None else declared
    path.write_bytes(fmt.PREAMBLE.pack(fmt.MAGIC, 1, length) + header + body)
    return path


def _hostile_headers(good: Path, folder: Path) -> list[Path]:
    real = fmt.read_header(good).raw

    def variant(name: str, **changes) -> Path:
        raw = {**real, **changes}
        return _header_file(folder, name, json.dumps(raw).encode())

    text = json.dumps(real).encode()
    return [
        _header_file(folder, "nested-array.hamroh", b"[" * 100_000 + b"]" * 100_000),
        _header_file(folder, "nested-sender.hamroh", text.replace(
            b'"sender": {', b'"sender": {"x": ' + b'{"y": ' * 5000 + b"1" + b"}" * 5000
            + b", ")),
        _header_file(folder, "format-1e400.hamroh", text.replace(b'"format": 1',
                                                                 b'"format": 1e400')),
        _header_file(folder, "length-nan.hamroh", text.replace(b'"body_length": ',
                                                               b'"body_length": NaN, "x": ')),
        variant("format-string.hamroh", format="1"),
        variant("format-float.hamroh", format=1.0),
        variant("negative-body.hamroh", body_length=-500),
        variant("chunks-huge.hamroh", chunks=10 ** 30),
        variant("sender-list.hamroh", sender=[1, 2]),
        _header_file(folder, "header-not-object.hamroh", b'"just a string"'),
        _header_file(folder, "header-not-utf8.hamroh", b"\xff\xfe{}"),
        _header_file(folder, "header-length-huge.hamroh", b"{}", declared=2 ** 32 - 1),
        _header_file(folder, "header-over-limit.hamroh", b" " * (fmt.MAX_HEADER + 1)),
    ]


def test_flipped_truncated_and_hostile_bundles_are_refused_and_change_nothing(world, tmp_path):
    _grm, _nur, dsh, good = world
    folder = tmp_path / "hostile"
    folder.mkdir()
    before = _state(dsh)
    codes: dict[str, set[str]] = {"flip": set(), "cut": set(), "header": set()}
    for kind, paths in (("flip", _flipped(good, folder)), ("cut", _truncated(good, folder)),
                        ("header", _hostile_headers(good, folder))):
        for path in paths:
            codes[kind].add(_assert_refused(dsh, path, before).code)
    # what the checks said: never a crash, never "failed" with an exception's text
    assert "failed" not in set().union(*codes.values())
    assert codes["header"] <= {"damaged", "truncated"}
    assert {"truncated", "empty"} <= codes["cut"]
    # the good bundle still imports, once
    assert exchange.import_bundle(dsh.conn, good).new == 40 + 2


def test_a_bundle_for_another_office_is_refused(world, tmp_path):
    grm, nur, dsh, _good = world
    exchange_files(nur, dsh, tmp_path / "x", target="coordinator")
    for_nur = tmp_path / "DSH-to-NUR-1.hamroh"
    exchange.export_bundle(dsh.conn, for_nur, target="NUR", full=True)
    before = _state(grm)
    error = _assert_refused(grm, for_nur, before)
    assert error.code == "not_addressed_here" and "NUR" in str(error)


def test_changes_relayed_from_a_revoked_device_are_not_applied(world, tmp_path):
    grm, nur, dsh, good = world
    exchange.import_bundle(dsh.conn, good)              # DSH knows GRM's device
    keys.revoke(dsh.conn, keys.load_identity(grm.conn).fingerprint)
    late = PersonRepository(grm.session).create({"family_name": "Саидов",
                                                 "given_name": "Олим"})
    exchange_files(grm, nur, tmp_path / "x")            # NUR still trusts GRM
    own = PersonRepository(nur.session).create({"family_name": "Назаров",
                                                "given_name": "Бахтиёр"})
    relay = tmp_path / "NUR-to-coordinator.hamroh"
    exchange.export_bundle(nur.conn, relay)
    summary = exchange.import_bundle(dsh.conn, relay)
    assert summary.quarantined >= 1
    assert PersonRepository(dsh.session).get(late["id"]) is None
    assert PersonRepository(dsh.session).get(own["id"]) is not None
    # and GRM's own bundle is refused outright
    direct = tmp_path / "GRM-direct.hamroh"
    exchange.export_bundle(grm.conn, direct)
    assert _assert_refused(dsh, direct, _state(dsh)).code == "revoked_device"


@pytest.mark.parametrize("code", ["../../../OUTSIDE/EVIL", "nur", "NUR/..", "N\u0410R",
                                  "NUR\n", "X" * 9])
def test_hostile_office_codes_are_refused(world, tmp_path, code):
    _grm, nur, dsh, _good = world
    own = get_meta(nur.conn, "office_id")
    OfficeRepository(nur.session).update(own, {"code": code})
    path = tmp_path / "NUR-to-coordinator.hamroh"
    exchange.export_bundle(nur.conn, path)
    error = _assert_refused(dsh, path, _state(dsh))
    assert error.code in {"bad_sender", "bad_office_code"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_the_watcher_skips_every_hostile_file_and_imports_the_valid_one(world, tmp_path):
    grm, nur, dsh, good = world
    folder = tmp_path / "shared"
    staging = tmp_path / "staging"
    folder.mkdir()
    staging.mkdir()
    hostile = (_flipped(good, staging)[:10] + _truncated(good, staging)[:8]
               + _hostile_headers(good, staging))
    for path in hostile:
        shutil.move(path, folder / path.name)
    os.mkfifo(folder / "pipe.hamroh")
    (folder / "a-folder.hamroh").mkdir()
    (folder / "link.hamroh").symlink_to(good)
    exchange_files(nur, dsh, tmp_path / "x", target="coordinator")
    exchange.export_bundle(dsh.conn, folder / "DSH-to-NUR-1.hamroh", target="NUR", full=True)
    shutil.copy(good, folder / "zz-GRM-to-coordinator.hamroh")
    watcher = SyncFolder(dsh.conn, folder, org_key=ORG_KEY, write_outgoing=False)
    result = watcher.poll_once()
    assert [s.sender_office for s in result.imported] == [get_meta(grm.conn, "office_id")]
    failed = {name for name, _message in result.failed}
    assert failed == {p.name for p in hostile} | {"pipe.hamroh", "a-folder.hamroh",
                                                   "link.hamroh"}
    assert "DSH-to-NUR-1.hamroh" not in failed        # another office's: left alone
    assert (folder / "DSH-to-NUR-1.hamroh").exists()
    # the next poll does not retry what failed, and nothing is imported twice
    again = watcher.poll_once()
    assert again.imported == [] and again.failed == []
    # each skipped file is in the sync log, by name and reason only
    log = exchange.log_path_for(dsh.path).read_text(encoding="utf-8")
    assert "pipe.hamroh" in log and "Раҳмонов" not in log
