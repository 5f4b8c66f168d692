"""Sync under hostile or mistaken use: addressee, revoked relays, office codes, bounded
input, device codes and people-facing numbers (issue 16, items 1, 2, 8, 16, 17, 22)."""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import threading
from datetime import date

import pytest

from desktop_app.cli import main as hamroh
from desktop_app.store.access import open_database
from desktop_app.store.cases import services as cs
from desktop_app.store.offices import OfficeRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import get_meta
from desktop_app.store.setup import CODE_ALPHABET, device_code_for, initialise
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from desktop_app.sync.folder import SyncFolder
from tests.conftest import dump_of
from tests.helpers.replicas import ORG_KEY, exchange_files


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(replica, *args, capsys) -> tuple[int, str, str]:
    """Run ``hamroh`` on the replica's file (closed meanwhile); the database file must be
    byte-for-byte unchanged when the command fails."""
    replica.close()
    before = _digest(replica.path)
    code = hamroh([*args[:2], "--db", str(replica.path), *args[2:]])
    gc.collect()
    out = capsys.readouterr()
    if code != 0:
        assert _digest(replica.path) == before, "a refused command changed the database"
    replica.reopen()
    return code, out.out, out.err


def _people(replica, *names):
    repo = PersonRepository(replica.session)
    return [repo.create({"family_name": name, "given_name": "Фарҳод"}) for name in names]


def _fingerprint(replica) -> str:
    return keys.load_identity(replica.conn).fingerprint


# ---- 1. addressee ----------------------------------------------------------------
@pytest.fixture
def network(make_replicas, tmp_path):
    """TJB, NUR and the coordinator DSH, which has NUR's and TJB's records."""
    tjb, nur, dsh = make_replicas(["TJB", "NUR", "DSH"])
    _people(nur, "Раҳмонов", "Каримов")
    _people(tjb, "Саидов")
    exchange_files(nur, dsh, tmp_path / "x", target="coordinator")
    exchange_files(tjb, dsh, tmp_path / "x", target="coordinator")
    return tjb, nur, dsh


def test_a_bundle_for_one_office_is_refused_at_another(network, tmp_path, capsys):
    tjb, nur, dsh = network
    path = tmp_path / "DSH-to-NUR-1.hamroh"
    exchange.export_bundle(dsh.conn, path, target="NUR", full=True)
    header = fmt.read_header(path)
    assert header.addressee == {"kind": "office", "office_id": get_meta(nur.conn, "office_id"),
                                "office_code": "NUR"}
    assert header.path == ["DSH"]
    assert nur.device_id in header.origins and tjb.device_id in header.origins
    dump = dump_of(tjb.path)
    code, _out, err = _cli(tjb, "bundle", "import", str(path), capsys=capsys)
    assert code == 1
    assert "is for office NUR, not for this office (TJB)" in err
    assert dump_of(tjb.path) == dump
    # the coordinator's own bundle for the coordinator is not for an office either
    up = tmp_path / "NUR-to-coordinator-1.hamroh"
    exchange.export_bundle(nur.conn, up, target="coordinator")
    code, _out, err = _cli(tjb, "bundle", "import", str(up), capsys=capsys)
    assert code == 1 and "is for the coordinator" in err
    # at the office it is for, it imports
    assert exchange.import_bundle(nur.conn, path).new > 0


def test_the_addressee_is_signed(network, tmp_path):
    tjb, nur, dsh = network
    path = tmp_path / "DSH-to-NUR-1.hamroh"
    exchange.export_bundle(dsh.conn, path, target="NUR", full=True)
    data = path.read_bytes()
    nur_id, tjb_id = get_meta(nur.conn, "office_id"), get_meta(tjb.conn, "office_id")
    assert data.count(nur_id.encode()) == 1
    forged = tmp_path / "forged.hamroh"
    forged.write_bytes(data.replace(nur_id.encode(), tjb_id.encode()).replace(
        b'"office_code": "NUR"', b'"office_code": "TJB"'))
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(tjb.conn, forged)
    assert err.value.code == "damaged"


def test_the_watcher_leaves_other_offices_bundles_alone(network, tmp_path):
    tjb, nur, dsh = network
    folder = tmp_path / "shared"
    folder.mkdir()
    for_nur = folder / "DSH-to-NUR-20260101T000000.hamroh"
    exchange.export_bundle(dsh.conn, for_nur, target="NUR", full=True)
    dump = dump_of(tjb.path)
    result = SyncFolder(tjb.conn, folder, write_outgoing=False).poll_once()
    assert result.imported == [] and result.failed == []
    assert for_nur.exists() and dump_of(tjb.path) == dump
    result = SyncFolder(nur.conn, folder, write_outgoing=False).poll_once()
    assert [s.bundle_id for s in result.imported] == [fmt.read_header(for_nur).bundle_id]


# ---- 2. revoked devices: relays and re-trust -------------------------------------
def test_changes_of_a_revoked_device_relayed_by_another_office_are_set_aside(
        make_replicas, tmp_path, capsys):
    tjb, nur, dsh = make_replicas(["TJB", "NUR", "DSH"])
    folder = tmp_path / "x"
    exchange_files(tjb, dsh, folder, target="coordinator")   # DSH knows TJB's device
    code, _out, _err = _cli(dsh, "device", "revoke", _fingerprint(tjb), capsys=capsys)
    assert code == 0
    before = dsh.conn.execute("SELECT count(*) FROM change_log WHERE origin_device=?",
                              (tjb.device_id,)).fetchone()[0]
    (relayed,) = _people(tjb, "Саидов")
    (own,) = _people(nur, "Раҳмонов")
    exchange_files(tjb, nur, folder)            # NUR still trusts TJB
    summary = exchange_files(nur, dsh, folder, target="coordinator")
    assert summary.quarantined >= 1
    people = PersonRepository(dsh.session)
    assert people.get(own["id"]) is not None
    assert people.get(relayed["id"]) is None
    tjb_device = tjb.device_id
    # received before the revocation: kept; after: not in the change log
    assert dsh.conn.execute("SELECT count(*) FROM change_log WHERE origin_device=?",
                            (tjb_device,)).fetchone()[0] == before
    assert [r["device_id"] for r in exchange.quarantined(dsh.conn)] == [tjb_device]
    # nothing of TJB's is relayed onward from the coordinator
    onward = tmp_path / "onward.hamroh"
    exchange.export_bundle(dsh.conn, onward, target="NUR", full=True)
    with fmt.BundleReader(onward, fmt.read_header(onward), ORG_KEY) as reader:
        assert relayed["id"] not in {c["r"] for c in reader.changes()}
    # releasing them is an explicit, audited decision with a reason
    code, _out, err = _cli(dsh, "bundle", "quarantine", "--release", tjb_device,
                           capsys=capsys)
    assert code == 1 and "reason" in err
    code, out, _err = _cli(dsh, "bundle", "quarantine", capsys=capsys)
    assert tjb_device in out
    code, _out, _err = _cli(dsh, "bundle", "quarantine", "--release", tjb_device,
                            "--reason", "checked with the TJB office", capsys=capsys)
    assert code == 0
    assert PersonRepository(dsh.session).get(relayed["id"])["family_name"] == "Саидов"
    assert exchange.quarantined(dsh.conn) == []
    detail = dsh.conn.execute("SELECT detail FROM audit_log WHERE action="
                              "'sync_quarantine_release'").fetchone()[0]
    assert "checked with the TJB office" in detail


def test_a_revoked_device_is_not_trusted_again_silently(make_replicas, tmp_path, capsys):
    tjb, dsh = make_replicas(["TJB", "DSH"])
    path = tmp_path / "TJB-to-coordinator.hamroh"
    exchange.export_bundle(tjb.conn, path)
    fp = _fingerprint(tjb)
    assert _cli(dsh, "device", "revoke", fp, capsys=capsys)[0] == 0
    for args in (["--from-bundle", str(path)], ["--fingerprint", fp]):
        code, _out, err = _cli(dsh, "device", "trust", *args, capsys=capsys)
        assert code == 1 and "was revoked" in err
        assert keys.trust_status(dsh.conn, keys.load_identity(tjb.conn).public_key) == \
            "revoked"
        code, _out, err = _cli(dsh, "device", "trust", *args, "--again", capsys=capsys)
        assert code == 1 and "--reason" in err
    with pytest.raises(keys.RevokedDevice):
        keys.trust(dsh.conn, keys.load_identity(tjb.conn).public_key)
    code, _out, _err = _cli(dsh, "device", "trust", "--from-bundle", str(path), "--again",
                            "--reason", "laptop recovered and checked", capsys=capsys)
    assert code == 0
    assert keys.trust_status(dsh.conn, keys.load_identity(tjb.conn).public_key) == "trusted"
    row = dsh.conn.execute("SELECT detail FROM audit_log WHERE action='sync_device_retrust'"
                           ).fetchone()
    assert row is not None and "laptop recovered" in row[0]


# ---- 8. office codes ------------------------------------------------------------
@pytest.mark.parametrize("bad", ["../../../OUTSIDE/EVIL", "nur", "N", "NÜR", ""])
def test_an_office_with_a_bad_code_is_refused_on_import(make_replicas, tmp_path, bad):
    nur, dsh = make_replicas(["NUR", "DSH"])
    own = get_meta(nur.conn, "office_id")
    nur.conn.execute("UPDATE office SET code=? WHERE id=?", (bad, own))
    # the same code also arrives as a change of the office record
    OfficeRepository(nur.session).update(own, {"code": bad})
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(nur.conn, path)
    dump = dump_of(dsh.path)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(dsh.conn, path)
    assert err.value.code in {"bad_sender", "bad_office_code"}
    assert "not valid" in str(err.value)
    assert dump_of(dsh.path) == dump


def test_the_coordinators_watcher_never_writes_outside_its_folder(make_replicas, tmp_path):
    nur, tjb, dsh = make_replicas(["NUR", "TJB", "DSH"])
    folder = tmp_path / "a" / "b" / "sync"
    folder.mkdir(parents=True)
    exchange_files(nur, dsh, tmp_path / "x", target="coordinator")
    exchange_files(tjb, dsh, tmp_path / "x", target="coordinator")
    _people(dsh, "Раҳмонов")
    # codes that got in before they were checked (older versions)
    dsh.conn.execute("UPDATE office SET code='../../../OUTSIDE/EVIL' WHERE code='NUR'")
    dsh.conn.execute("UPDATE office SET code='tjb' WHERE code='TJB'")
    watcher = SyncFolder(dsh.conn, folder, org_key=ORG_KEY)
    for _poll in range(2):
        result = watcher.poll_once()
        assert result.written == []
        assert any("not valid" in message for _name, message in result.failed)
    assert not (tmp_path / "OUTSIDE").exists() and not (tmp_path / "a" / "OUTSIDE").exists()
    assert list(folder.iterdir()) == []
    with pytest.raises(keys.SyncSetupError):
        keys.trust(dsh.conn, os.urandom(32), device_id="x", office_code="../EVIL")


# ---- 16. hostile files in a watched folder ---------------------------------------
def _with_header(tmp_path, name, header: bytes) -> object:
    path = tmp_path / name
    path.write_bytes(fmt.PREAMBLE.pack(fmt.MAGIC, 1, len(header)) + header + b"\0" * 100)
    return path


def test_hostile_headers_are_refused_as_damaged(tmp_path):
    nested = _with_header(tmp_path, "nested.hamroh", b"[" * 50000 + b"]" * 50000)
    huge = _with_header(tmp_path, "huge.hamroh", json.dumps({
        "bundle_id": "x", "format": 1, "schema": [], "sender": {}, "encryption": {},
        "body_length": 0, "chunks": 0, "created_at": ""}).encode().replace(
            b'"format": 1', b'"format": 1e400'))
    nan = _with_header(tmp_path, "nan.hamroh", b'{"format": NaN}')
    for path in (nested, huge, nan):
        with pytest.raises(fmt.BundleError) as err:
            fmt.read_header(path)
        assert err.value.code == "damaged"
    assert fmt.nesting_depth(b'{"a": "[[[[", "b": [[1]]}') == 3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_the_folder_is_skipped_and_the_valid_bundle_imported(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    folder = tmp_path / "shared"
    folder.mkdir()
    os.mkfifo(folder / "a-pipe.hamroh")
    (folder / "b-folder.hamroh").mkdir()
    _people(grm, "Раҳмонов")
    exchange.export_bundle(grm.conn, folder / "c-good.hamroh")
    outcome: dict = {}

    def poll() -> None:
        outcome["result"] = SyncFolder(dsh.conn, folder, write_outgoing=False).poll_once()

    worker = threading.Thread(target=poll, daemon=True)
    worker.start()
    worker.join(120)
    if worker.is_alive():   # release the blocked open before failing
        os.close(os.open(folder / "a-pipe.hamroh", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the watcher blocked on a FIFO")
    result = outcome["result"]
    assert len(result.imported) == 1
    assert sorted(name for name, _m in result.failed) == ["a-pipe.hamroh", "b-folder.hamroh"]
    assert all("not an ordinary file" in message for _n, message in result.failed)
    log = exchange.log_path_for(dsh.path).read_text()
    assert "not_regular" in log


# ---- 17. one long line -----------------------------------------------------------
def test_lines_are_cut_across_pieces_and_bounded():
    splitter = fmt.LineSplitter(limit=100)
    assert splitter.feed(b"ab") == []
    assert splitter.feed(b"c\nde") == [b"abc"]
    assert splitter.feed(b"f\n\ng") == [b"def", b""]
    assert splitter.tail == b"g"
    many = fmt.LineSplitter(limit=10_000)
    for _piece in range(999):
        assert many.feed(b"x" * 10) == []
    assert many.feed(b"x" * 10 + b"\n") == [b"x" * 10_000]
    with pytest.raises(ValueError):
        many.feed(b"y" * 10_001)
    with pytest.raises(ValueError):
        fmt.LineSplitter(limit=10).feed(b"y" * 11 + b"\n")


def test_a_bundle_with_an_overlong_line_is_refused(make_replicas, tmp_path, monkeypatch):
    grm, dsh = make_replicas(["GRM", "DSH"])
    monkeypatch.setattr(fmt, "MAX_LINE", 512 * 1024)
    (person,) = _people(grm, "Раҳмонов")
    PersonRepository(grm.session).update(person["id"], {"notes": "y" * 600_000})
    path = tmp_path / "long.hamroh"
    exchange.export_bundle(grm.conn, path)
    dump = dump_of(dsh.path)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(dsh.conn, path)
    assert err.value.code == "line_too_long"
    assert dump_of(dsh.path) == dump


# ---- 22. device codes and people-facing numbers ---------------------------------
def test_new_devices_get_longer_codes_and_old_codes_stay(tmp_path):
    conn = open_database(tmp_path / "new.db", create=True)
    try:
        initialise(conn, office_code="GRM", office_name="GRM office")
        code = get_meta(conn, "device_code")
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    finally:
        conn.close()
    assert device_code_for("0b7f3c9e-0000-4000-8000-00000000ab12") == "AB12"


def test_a_device_code_already_used_in_the_office_is_refused(make_replicas, tmp_path,
                                                             capsys):
    grm, dsh = make_replicas(["GRM", "DSH"])
    grm_code = get_meta(grm.conn, "device_code")
    exchange_files(grm, dsh, tmp_path / "x", target="coordinator")   # DSH learns its code
    with pytest.raises(keys.SyncSetupError, match="device code"):
        keys.trust(dsh.conn, os.urandom(32), device_id="another-laptop", office_code="GRM",
                   device_code=grm_code, name="second GRM laptop")
    # a second GRM laptop trusted before its code was known: GRM's bundle is refused
    dsh.conn.execute("INSERT INTO sync_trust(fingerprint, device_id, office_code, name, status,"
                     " changed_at, device_code) VALUES ('AAAA-AAAA-AAAA-AAAA-AAAA',"
                     " 'another-laptop', 'GRM', 'second GRM laptop', 'trusted', '', ?)",
                     (grm_code,))
    _people(grm, "Раҳмонов")
    path = tmp_path / "g.hamroh"
    exchange.export_bundle(grm.conn, path)
    assert fmt.read_header(path).sender["device_code"] == grm_code
    code, _out, err = _cli(dsh, "bundle", "import", str(path), capsys=capsys)
    assert code == 1 and grm_code in err and "second GRM laptop" in err
    # a new code for this device: new numbers use it, the audit log has it
    code, out, _err = _cli(grm, "device", "new-code", capsys=capsys)
    new_code = get_meta(grm.conn, "device_code")
    assert code == 0 and new_code != grm_code and new_code in out
    code, out, _err = _cli(grm, "device", "show", capsys=capsys)
    assert code == 0 and new_code in out
    assert grm.conn.execute("SELECT count(*) FROM audit_log WHERE action='sync_device_code'"
                            ).fetchone()[0] == 1


def test_a_people_facing_number_already_used_is_refused_on_import(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    today = date.today().isoformat()

    def new_case(replica):
        (person,) = _people(replica, "Раҳмонов")
        return cs.open_case(replica.session, dict(channel="hotline", category="unpaid_wages",
                                                  person_id=person["id"], opened_on=today))

    theirs, ours = new_case(grm), new_case(dsh)
    assert re.fullmatch(r"GRM-[0-9A-Z]{6}-\d{4}-\d{5}", theirs["number"])
    dsh.conn.execute("UPDATE hotline_case SET number=? WHERE id=?", (theirs["number"], ours["id"]))
    path = tmp_path / "g.hamroh"
    exchange.export_bundle(grm.conn, path)
    dump = dump_of(dsh.path)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(dsh.conn, path)
    assert err.value.code == "number_clash" and theirs["number"] in str(err.value)
    assert dump_of(dsh.path) == dump


def test_a_bundle_naming_no_addressee_is_refused_and_reported(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "GRM-old.hamroh"
    writer = fmt.BundleWriter(path, keys.load_identity(grm.conn), ORG_KEY,
                              schema=exchange.schema_names(grm.conn),
                              manifest={"version_vector": {}})
    writer.addressee = None  # type: ignore[assignment]  # as older versions wrote it
    writer.finish()
    assert fmt.read_header(path).addressee is None
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(dsh.conn, path)
    assert err.value.code == "not_addressed_here"
    assert "does not say which office it is for" in str(err.value)
    result = SyncFolder(dsh.conn, folder, write_outgoing=False).poll_once()
    assert [name for name, _m in result.failed] == ["GRM-old.hamroh"]


def test_offices_adopt_the_coordinators_revocations(make_replicas, tmp_path, capsys):
    tjb, nur, dsh = make_replicas(["TJB", "NUR", "DSH"])
    folder = tmp_path / "x"
    exchange_files(nur, dsh, folder, target="coordinator")
    exchange_files(dsh, nur, folder, target="NUR")
    tjb_key = keys.load_identity(tjb.conn).public_key
    assert keys.trust_status(nur.conn, tjb_key) == "trusted"
    keys.revoke(dsh.conn, _fingerprint(tjb))
    down = tmp_path / "DSH-to-NUR.hamroh"
    exchange.export_bundle(dsh.conn, down, target="NUR")
    assert [e["fingerprint"] for e in fmt.read_header(down).revoked] == [_fingerprint(tjb)]
    exchange.import_bundle(nur.conn, down)
    assert keys.trust_status(nur.conn, tjb_key) == "revoked"
    assert nur.conn.execute("SELECT count(*) FROM audit_log WHERE action='sync_device_revoke'"
                            ).fetchone()[0] == 1
    # from now on NUR refuses TJB's bundles and sets aside what others relay of it
    (late,) = _people(tjb, "Саидов")
    direct = tmp_path / "TJB-to-NUR.hamroh"
    exchange.export_bundle(tjb.conn, direct, peer_device=nur.device_id)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(nur.conn, direct)
    assert err.value.code == "revoked_device"


def test_an_office_cannot_revoke_devices_for_others(make_replicas, tmp_path):
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    exchange_files(grm, dsh, tmp_path / "x", target="coordinator")   # DSH knows GRM's office
    assert dsh.conn.execute("SELECT office_type FROM office WHERE code='GRM'").fetchone()[0] \
        == "jrc"
    path = tmp_path / "GRM-to-coordinator.hamroh"
    writer = fmt.BundleWriter(path, keys.load_identity(grm.conn), ORG_KEY,
                              schema=exchange.schema_names(grm.conn),
                              manifest={"version_vector": {}},
                              revoked=[{"fingerprint": _fingerprint(tjb), "device_id": None}])
    writer.finish()
    exchange.import_bundle(dsh.conn, path)
    assert keys.trust_status(dsh.conn, keys.load_identity(tjb.conn).public_key) == "trusted"
