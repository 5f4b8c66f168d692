"""Bundles encrypted for one device (X25519): that device opens them without a
passphrase; any other device gets a clear refusal; tampering is caught. The database of
a refusing device stays byte-for-byte the same."""
from __future__ import annotations

import base64
import gc
import hashlib
import json

import pytest

from desktop_app.cli import main as hamroh
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(replica) -> str:
    return keys.load_identity(replica.conn).fingerprint


@pytest.fixture
def trio(make_replicas, tmp_path):
    """GRM and TJB have each sent DSH a bundle, so DSH knows their encryption keys."""
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    PersonRepository(grm.session).create({"family_name": "Раҳмонов", "given_name": "Фарҳод"})
    exchange_files(grm, dsh, tmp_path / "setup", target="coordinator")
    exchange_files(tjb, dsh, tmp_path / "setup", target="coordinator")
    # the coordinator registers someone for the GRM office
    PersonRepository(dsh.session).create({"family_name": "Nazarova", "given_name": "Dilnoza",
                                          "phones": "+992 93 555 12 34",
                                          "office_id": grm.session.office_id})
    return grm, tjb, dsh


def _cli(replica, *args, capsys) -> tuple[int, str, str]:
    replica.close()
    code = hamroh(list(args))
    gc.collect()
    out = capsys.readouterr()
    replica.reopen()
    return code, out.out, out.err


def test_device_show_prints_the_encryption_key_and_trust_keeps_it(trio, capsys):
    grm, _tjb, dsh = trio
    code, out, _err = _cli(grm, "device", "show", "--db", str(grm.path), capsys=capsys)
    assert code == 0
    own = keys.load_identity(grm.conn).exchange_public
    assert base64.b64encode(own).decode() in out
    (kept,) = [d for d in keys.devices(dsh.conn) if d.device_id == grm.device_id]
    assert kept.exchange_key == own


def test_bundle_for_one_device_opens_there_without_a_passphrase(trio, tmp_path, capsys):
    grm, _tjb, dsh = trio
    path = tmp_path / "for-grm.hamroh"
    # neither side needs the organisation's passphrase for this
    for replica in (grm, dsh):
        replica.conn.execute("DELETE FROM sync_identity WHERE name='org_key'")
    code, out, err = _cli(dsh, "bundle", "export", "--db", str(dsh.path), "--for", "GRM",
                          "--to-device", _fingerprint(grm).replace("-", "").lower(),
                          "--to", str(path), capsys=capsys)
    assert code == 0, err
    header = fmt.read_header(path)
    assert header.recipient == _fingerprint(grm)
    assert header.encryption["mode"] == "recipient" and "check" not in header.encryption
    code, out, err = _cli(grm, "bundle", "import", "--db", str(grm.path), str(path),
                          capsys=capsys)
    assert code == 0, err
    names = {r[0] for r in grm.conn.execute("SELECT family_name FROM person")}
    assert "Nazarova" in names
    assert dump_text(grm.conn) == dump_text(dsh.conn)


def test_another_device_is_told_the_bundle_is_not_for_it(trio, tmp_path, capsys):
    grm, tjb, dsh = trio
    path = tmp_path / "for-grm.hamroh"
    exchange.export_bundle(dsh.conn, path, target="GRM", to_device=_fingerprint(grm))
    # TJB trusts DSH and has the passphrase, but the bundle is not for it
    tjb.close()
    before = _digest(tjb.path)
    code = hamroh(["bundle", "import", "--db", str(tjb.path), str(path)])
    gc.collect()
    err = capsys.readouterr().err
    assert code == 1
    assert "addressed to another device" in err and _fingerprint(grm) in err
    assert _digest(tjb.path) == before, "the database file changed"
    entry = json.loads(exchange.log_path_for(tjb.path).read_text().splitlines()[-1])
    assert entry["result"] == "other_device"
    tjb.reopen()
    # the same in the API, in Russian
    from desktop_app.i18n import set_language
    set_language("ru")
    try:
        with pytest.raises(fmt.BundleError) as caught:
            exchange.import_bundle(tjb.conn, path)
    finally:
        set_language("en")
    assert caught.value.code == "other_device"
    assert "другому устройству" in str(caught.value)


def test_tampered_key_or_recipient_is_refused(trio, tmp_path, monkeypatch, capsys):
    grm, _tjb, dsh = trio
    fp = _fingerprint(grm)
    # a byte flipped in the header (the wrapped key) breaks the signature
    good = tmp_path / "good.hamroh"
    exchange.export_bundle(dsh.conn, good, target="GRM", to_device=fp)
    data = bytearray(good.read_bytes())
    wrapped = fmt.read_header(good).encryption["wrapped"].encode()
    at = bytes(data).index(wrapped)
    data[at + 3] = ord("A") if data[at + 3] != ord("A") else ord("B")
    flipped = tmp_path / "flipped.hamroh"
    flipped.write_bytes(bytes(data))
    # a trusted sender's own bundle whose wrapped key does not open (signed as it is)
    real_seal = fmt._seal_for

    def bad_seal(recipient, bundle_id, salt):
        key, entry = real_seal(recipient, bundle_id, salt)
        raw = bytearray(base64.b64decode(entry["wrapped"]))
        raw[0] ^= 1
        return key, {**entry, "wrapped": base64.b64encode(bytes(raw)).decode()}
    monkeypatch.setattr(fmt, "_seal_for", bad_seal)
    forged = tmp_path / "forged.hamroh"
    exchange.export_bundle(dsh.conn, forged, target="GRM", to_device=fp, full=True)
    monkeypatch.setattr(fmt, "_seal_for", real_seal)
    for path in (flipped, forged):
        grm.close()
        before = _digest(grm.path)
        code = hamroh(["bundle", "import", "--db", str(grm.path), str(path)])
        gc.collect()
        err = capsys.readouterr().err
        assert code == 1 and "damaged" in err, err
        assert _digest(grm.path) == before
        grm.reopen()
    # the untouched bundle still imports
    assert not exchange.import_bundle(grm.conn, good).already_imported


def test_unknown_recipient_is_a_clear_error(trio, tmp_path):
    grm, _tjb, dsh = trio
    with pytest.raises(exchange.SyncError) as caught:
        exchange.export_bundle(grm.conn, tmp_path / "x.hamroh",
                               to_device="1234-5678-9ABC-DEF0-1234")
    assert caught.value.code == "unknown_recipient"
    # DSH is trusted at GRM but has sent GRM nothing yet: its key is not known there
    with pytest.raises(exchange.SyncError) as caught:
        exchange.export_bundle(grm.conn, tmp_path / "x.hamroh", to_device=_fingerprint(dsh))
    assert "Import a bundle from that device first" in str(caught.value)
    assert not (tmp_path / "x.hamroh").exists()


def test_a_shared_folder_leaves_bundles_for_other_devices_alone(trio, tmp_path):
    from desktop_app.sync.folder import SyncFolder
    grm, tjb, dsh = trio
    folder = tmp_path / "shared"
    folder.mkdir()
    exchange.export_bundle(dsh.conn, folder / "for-grm.hamroh", target="GRM",
                           to_device=_fingerprint(grm))
    assert SyncFolder(tjb.conn, folder, write_outgoing=False).incoming() == []
    result = SyncFolder(grm.conn, folder, write_outgoing=False).poll_once()
    assert [s.sender_device for s in result.imported] == [dsh.device_id]
