"""Every bad bundle: one clear message, non-zero exit, database byte-for-byte unchanged, logged."""
from __future__ import annotations

import gc
import hashlib
import json

import pytest

from desktop_app.cli import main as hamroh
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from tests.helpers.replicas import ORG_KEY


@pytest.fixture
def pair(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    for i in range(30):
        PersonRepository(grm.session).create({"family_name": f"Раҳмонов{i}",
                                              "given_name": "Фарҳод", "notes": "x" * 50})
    good = tmp_path / "good.hamroh"
    exchange.export_bundle(grm.conn, good)
    return grm, dsh, good


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _import_cli(dst, file, capsys, *extra) -> tuple[int, str]:
    dst.close()
    before = _digest(dst.path)
    code = hamroh(["bundle", "import", "--db", str(dst.path), str(file), *extra])
    gc.collect()
    err = capsys.readouterr().err
    assert _digest(dst.path) == before, "the database file changed"
    dst.reopen()
    return code, err


def _last_log(dst) -> dict:
    return json.loads(exchange.log_path_for(dst.path).read_text().splitlines()[-1])


def _writer(src, path, **kwargs):
    return fmt.BundleWriter(path, keys.load_identity(src.conn), ORG_KEY,
                            schema=kwargs.pop("schema", exchange.schema_names(src.conn)),
                            manifest={"version_vector": {}})


CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


@case("empty")
def _empty(grm, dsh, good, tmp):
    path = tmp / "empty.hamroh"
    path.write_bytes(b"")
    return path, [], "is empty"


@case("not_bundle")
def _foreign(grm, dsh, good, tmp):
    path = tmp / "letter.hamroh"
    path.write_bytes("Привет, это не бандл\n".encode() * 20)
    return path, [], "is not a Hamroh sync bundle"


@case("truncated")
def _truncated(grm, dsh, good, tmp):
    path = tmp / "cut.hamroh"
    path.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    return path, [], "incomplete"


@case("damaged")
def _flipped(grm, dsh, good, tmp):
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x40
    path = tmp / "flipped.hamroh"
    path.write_bytes(bytes(data))
    return path, [], "damaged"


@case("bad_signature")
def _bad_signature(grm, dsh, good, tmp):
    data = good.read_bytes()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    forged = Ed25519PrivateKey.generate().sign(hashlib.sha256(data[:-64]).digest())
    path = tmp / "forged.hamroh"
    path.write_bytes(data[:-64] + forged)
    return path, [], "signature does not match"


@case("wrong_passphrase")
def _wrong_passphrase(grm, dsh, good, tmp):
    pp = tmp / "pp.txt"
    pp.write_text("not the organisation passphrase")
    return good, ["--passphrase-file", str(pp)], "passphrase"


@case("hash_mismatch")
def _hash(grm, dsh, good, tmp):
    path = tmp / "hash.hamroh"
    writer = _writer(grm, path)
    writer.add({"d": "dev-x", "s": 1, "t": "person", "r": "r1", "h": "001700000000000.00000.dev-x",
                "f": {"notes": "a"}, "a": None, "o": None})
    writer.finish(payload_sha256="0" * 64)
    return path, [], "does not match its checksum"


@case("unknown_device")
def _unknown(grm, dsh, good, tmp):
    conn = dsh.conn
    conn.execute("DELETE FROM sync_trust WHERE device_id=?", (grm.device_id,))
    return good, [], "does not trust yet"


@case("revoked_device")
def _revoked(grm, dsh, good, tmp):
    keys.revoke(dsh.conn, keys.load_identity(grm.conn).fingerprint)
    return good, [], "was revoked"


@case("newer_schema")
def _newer(grm, dsh, good, tmp):
    path = tmp / "future.hamroh"
    writer = _writer(grm, path, schema=exchange.schema_names(grm.conn) + ["0999_future"])
    writer.finish()
    return path, [], "newer version of Hamroh"


@case("zip_bomb")
def _bomb(grm, dsh, good, tmp):
    path = tmp / "bomb.hamroh"
    writer = _writer(grm, path)
    block = b" " * (1024 * 1024)
    for _ in range(24):
        writer.write_raw(block)
    writer.finish()
    return path, [], "malicious"


@case("zip_bomb_lying")
def _bomb_lying(grm, dsh, good, tmp):
    path = tmp / "bomb2.hamroh"
    writer = _writer(grm, path)
    block = b" " * (1024 * 1024)
    for _ in range(8):
        writer.write_raw(block)
    writer.finish(payload_size=1000)
    return path, [], "malicious"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_bundle_is_refused_cleanly(name, pair, tmp_path, capsys):
    grm, dsh, good = pair
    path, extra, expected = CASES[name](grm, dsh, good, tmp_path)
    dsh.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    code, err = _import_cli(dsh, path, capsys, *extra)
    assert code != 0
    assert expected in err
    assert err.count("Error:") == 1
    entry = _last_log(dsh)
    assert entry["direction"] == "in" and entry["result"] not in ("ok", "already_imported")
    # the error after the import's progress lines, if it got that far
    assert entry["message"] == err[err.index("Error: "):].strip().removeprefix("Error: ")


def test_every_flipped_byte_is_caught(pair, tmp_path):
    grm, dsh, good = pair
    data = good.read_bytes()
    before = dsh.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    step = max(1, len(data) // 60)
    for position in list(range(0, len(data), step)) + [len(data) - 1]:
        bad = bytearray(data)
        bad[position] ^= 0x01
        path = tmp_path / f"flip-{position}.hamroh"
        path.write_bytes(bytes(bad))
        with pytest.raises(fmt.BundleError) as err:
            exchange.import_bundle(dsh.conn, path)
        assert err.value.code in {"not_bundle", "damaged", "truncated", "newer_format"}
        path.unlink()
    assert dsh.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    assert exchange.import_bundle(dsh.conn, good).new == 32


def test_every_truncation_is_caught(pair, tmp_path):
    grm, dsh, good = pair
    data = good.read_bytes()
    for length in (1, 7, 12, 100, len(data) // 2, len(data) - 65, len(data) - 1):
        path = tmp_path / f"cut-{length}.hamroh"
        path.write_bytes(data[:length])
        with pytest.raises(fmt.BundleError) as err:
            exchange.import_bundle(dsh.conn, path)
        assert err.value.code in {"not_bundle", "truncated"}


def test_messages_are_translated(pair, tmp_path, capsys):
    grm, dsh, good = pair
    path = tmp_path / "empty.hamroh"
    path.write_bytes(b"")
    dsh.close()
    code = hamroh(["--lang", "tg", "bundle", "import", "--db", str(dsh.path), str(path)])
    err = capsys.readouterr().err
    dsh.reopen()
    assert code == 1
    assert "is empty" not in err and "empty.hamroh" in err


def test_newer_format_is_named(pair, tmp_path, monkeypatch):
    grm, dsh, good = pair
    path = tmp_path / "v2.hamroh"
    monkeypatch.setattr(fmt, "FORMAT_VERSION", 2)
    _writer(grm, path).finish()
    monkeypatch.setattr(fmt, "FORMAT_VERSION", 1)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(dsh.conn, path)
    assert err.value.code == "newer_format"
