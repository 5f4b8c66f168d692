"""The ``.hamroh`` bundle file: streamed, compressed, encrypted and signed.

Layout::

    magic "HAMROHB\\0" | u16 format | u32 header length | header (JSON, plain)
    body: chunks, each u32 length + AES-256-GCM ciphertext (tag included)
          chunk 0 = manifest (JSON), chunks 1..n = zlib stream of JSON Lines changes
    signature: 64 bytes, Ed25519 over SHA-256 of everything before it

The plain header says only what is needed before decrypting: bundle id, format and
schema, the sending device and its public key, how the key is derived, the body length.
Everything about the records (version vector, counts, payload hash) is in the encrypted
manifest. Each bundle has its own key (HKDF from the organisation key and a random salt);
chunk ``i`` uses nonce ``i`` and authenticates (bundle id, i, final flag), so chunks
cannot be dropped, reordered or moved between bundles. Reading checks, in order: empty,
magic, truncation, signature, format, sender trust, schema, passphrase, then streams
the payload with a cap on the unpacked size (zip bombs) and checks its hash at the end.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.audit import utc_now
from desktop_app.sync import keys

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

MAGIC = b"HAMROHB\x00"
FORMAT_VERSION = 1
PREAMBLE = struct.Struct(">8sHI")
CHUNK_LEN = struct.Struct(">I")
SIGNATURE_SIZE = 64
CHUNK_SIZE = 256 * 1024
MAX_HEADER = 1024 * 1024
MAX_CHUNK = 4 * 1024 * 1024
# A real payload (JSON Lines of records) packs 5-20 times; refuse anything declaring or
# unpacking to more than this many times its packed size.
MAX_RATIO = 100
SUFFIX = ".hamroh"
# Key under which :meth:`BundleReader.changes` hands over a change's fields as the JSON
# text of the line (when the writer put them last, manifest ``fields_last``), so that the
# importer logs them without encoding them again.
RAW_FIELDS = "_fields_json"
_FIELDS_KEY = b'"f":{'
# the json module's own scanner, called directly: a change line is one JSON object with
# no white space around it, so the checks json.loads adds around the scan are not needed
# (anything else falls back to json.loads)
# (set in JSONDecoder.__init__; typeshed does not declare it)
_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _parse_line(text: str):
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return json.loads(text)
    if end != len(text):
        return json.loads(text)
    return value


class BundleError(Exception):
    """A bundle that cannot be imported; ``code`` says why, the message says what to do."""

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.details = details


def _name(path) -> str:
    return Path(path).name


def _derive(org_key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=salt,
                    info=b"hamroh-bundle-v1").derive(org_key)
    return material[:32], material[32:]


@dataclass(frozen=True)
class Recipient:
    """The one device a bundle is encrypted for: its fingerprint and X25519 public key."""
    fingerprint: str
    exchange_key: bytes


def _key_encryption_key(shared: bytes, salt: bytes, ephemeral: bytes,
                        recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt,
                info=b"hamroh-bundle-recipient-v1" + ephemeral + recipient).derive(shared)


def _seal_for(recipient: Recipient, bundle_id: str, salt: bytes) -> tuple[bytes, dict]:
    """A fresh bundle key and the header entry that only ``recipient`` can open:
    ephemeral-static X25519, HKDF-SHA256 to a key-encryption key, AES-GCM over the key."""
    key = os.urandom(32)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.exchange_key))
    kek = _key_encryption_key(shared, salt, ephemeral_public, recipient.exchange_key)
    wrapped = AESGCM(kek).encrypt(bytes(12), key, bundle_id.encode())
    return key, {"mode": "recipient", "cipher": "AES-256-GCM",
                 "kdf": "x25519+hkdf-sha256", "salt": _b64(salt),
                 "recipient": recipient.fingerprint, "ephemeral": _b64(ephemeral_public),
                 "wrapped": _b64(wrapped)}


def _open_for(identity, bundle_id: str, encryption: dict) -> bytes:
    """The bundle key, unwrapped with this device's X25519 key (ValueError if it fails)."""
    salt = _unb64(encryption["salt"])
    ephemeral_public = _unb64(encryption["ephemeral"])
    shared = identity.exchange_private.exchange(
        X25519PublicKey.from_public_bytes(ephemeral_public))
    kek = _key_encryption_key(shared, salt, ephemeral_public, identity.exchange_public)
    try:
        return AESGCM(kek).decrypt(bytes(12), _unb64(encryption["wrapped"]), bundle_id.encode())
    except InvalidTag:
        raise ValueError("the bundle key does not open") from None


def _nonce(index: int) -> bytes:
    return b"\x00\x00\x00\x00" + index.to_bytes(8, "big")


def _aad(bundle_id: str, index: int, final: bool) -> bytes:
    return bundle_id.encode() + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def change_line(change: dict) -> bytes:
    return (json.dumps(change, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode("utf-8")


@dataclass
class Header:
    bundle_id: str
    format: int
    schema: list[str]
    sender: dict
    encryption: dict
    body_length: int
    chunks: int
    created_at: str
    raw: dict = field(default_factory=dict)

    @property
    def public_key(self) -> bytes:
        return _unb64(self.sender["public_key"])

    @property
    def fingerprint(self) -> str:
        return keys.fingerprint(self.public_key)

    @property
    def exchange_key(self) -> bytes | None:
        """The sender's X25519 public key (to encrypt bundles for it), if it sent one."""
        text = self.sender.get("exchange_key")
        try:
            key = _unb64(text) if text else None
        except ValueError:
            return None
        return key if key is not None and len(key) == 32 else None

    @property
    def recipient(self) -> str | None:
        """Fingerprint of the one device the bundle is encrypted for (None: passphrase)."""
        if self.encryption.get("mode") == "recipient":
            return str(self.encryption.get("recipient") or "")
        return None


class BundleWriter:
    """Write a bundle without holding it in memory: ``add()`` changes, then ``finish()``."""

    def __init__(self, path, identity: keys.DeviceIdentity, org_key: bytes | None, *,
                 schema: list[str], manifest: dict | None = None,
                 recipient: Recipient | None = None):
        self.path = Path(path)
        self.identity = identity
        self.bundle_id = new_id()
        self.salt = os.urandom(16)
        if recipient is not None:
            self.key, self.encryption = _seal_for(recipient, self.bundle_id, self.salt)
        else:
            if org_key is None:
                raise ValueError("a bundle needs a recipient or the organisation key")
            self.key, check = _derive(org_key, self.salt)
            self.encryption = {"mode": "passphrase", "cipher": "AES-256-GCM",
                               "kdf": "scrypt+hkdf-sha256", "salt": _b64(self.salt),
                               "check": _b64(check[:16])}
        self.aead = AESGCM(self.key)
        self.schema = schema
        self.manifest = dict(manifest or {})
        self.counts: dict[str, int] = {}
        self.changes = 0
        self._hash = hashlib.sha256()
        self._size = 0
        self._packed = 0
        self._zip = zlib.compressobj(6)
        self._pending = bytearray()
        self._index = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._body = tempfile.NamedTemporaryFile(
            dir=self.path.parent, prefix=".partial-", suffix=".body", delete=False)
        self._body_length = 0

    def add(self, change: dict) -> None:
        self.manifest["fields_last"] = False
        self.counts[change["t"]] = self.counts.get(change["t"], 0) + 1
        self.changes += 1
        self.write_raw(change_line(change))

    def add_line(self, table: str, line: bytes) -> None:
        """Add one change already serialised as a JSON line (ending in a newline)."""
        self.counts[table] = self.counts.get(table, 0) + 1
        self.changes += 1
        self.write_raw(line)

    def write_raw(self, data: bytes) -> None:
        self._hash.update(data)
        self._size += len(data)
        self._pending += self._zip.compress(data)
        while len(self._pending) >= CHUNK_SIZE:
            self._emit(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]

    def _emit(self, data: bytes, *, final: bool) -> None:
        self._index += 1
        self._packed += len(data)
        sealed = self.aead.encrypt(_nonce(self._index), data,
                                   _aad(self.bundle_id, self._index, final))
        self._body.write(CHUNK_LEN.pack(len(sealed)) + sealed)
        self._body_length += CHUNK_LEN.size + len(sealed)

    def abort(self) -> None:
        self._body.close()
        Path(self._body.name).unlink(missing_ok=True)

    def finish(self, **manifest_overrides) -> dict:
        """Seal the bundle; returns the manifest."""
        try:
            self._pending += self._zip.flush()
            self._emit(bytes(self._pending), final=True)
            self._body.flush()
            manifest = {
                **self.manifest,
                "bundle_id": self.bundle_id,
                "format": FORMAT_VERSION,
                "schema": self.schema,
                "sender_device": self.identity.device_id,
                "sender_office": self.identity.office_id,
                "created_at": utc_now(),
                "counts": self.counts,
                "changes": self.changes,
                "payload_sha256": self._hash.hexdigest(),
                "payload_size": self._size,
                "packed_size": self._packed,
                **manifest_overrides,
            }
            sealed_manifest = self.aead.encrypt(
                _nonce(0), json.dumps(manifest, sort_keys=True).encode("utf-8"),
                _aad(self.bundle_id, 0, False))
            manifest_block = CHUNK_LEN.pack(len(sealed_manifest)) + sealed_manifest
            header = {
                "bundle_id": self.bundle_id,
                "format": FORMAT_VERSION,
                "schema": self.schema,
                "created_at": manifest["created_at"],
                "sender": {
                    "device_id": self.identity.device_id,
                    "office_id": self.identity.office_id,
                    "office_code": self.identity.office_code,
                    "office_type": self.identity.office_type,
                    "name": self.identity.name,
                    "public_key": _b64(self.identity.public_key),
                    **({"exchange_key": _b64(self.identity.exchange_public)}
                       if self.identity.exchange_public else {}),
                },
                "encryption": self.encryption,
                "chunks": self._index,
                "body_length": len(manifest_block) + self._body_length,
                "compression": "zlib",
            }
            header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
            tmp = self.path.with_name(".partial-" + self.path.name)
            digest = hashlib.sha256()
            with open(tmp, "wb") as out:
                for block in (PREAMBLE.pack(MAGIC, FORMAT_VERSION, len(header_bytes)),
                              header_bytes, manifest_block):
                    out.write(block)
                    digest.update(block)
                with open(self._body.name, "rb") as body:
                    while True:
                        block = body.read(1024 * 1024)
                        if not block:
                            break
                        out.write(block)
                        digest.update(block)
                out.write(self.identity.sign(digest.digest()))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
            return manifest
        finally:
            self.abort()


# ---- reading ---------------------------------------------------------------------
def _parse_header(header_bytes: bytes, name: str) -> tuple[Header, bytes]:
    """The header and the sender's public key, or a "damaged" error."""
    try:
        raw = json.loads(header_bytes.decode("utf-8"))
        header = Header(raw["bundle_id"], int(raw["format"]), list(raw["schema"]),
                        dict(raw["sender"]), dict(raw["encryption"]),
                        int(raw["body_length"]), int(raw["chunks"]), raw["created_at"], raw)
        return header, header.public_key
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _damaged(name) from None


def _check_signature(fh, size: int, public_key: bytes, name: str) -> None:
    """The signature at the end of the file covers everything before it."""
    fh.seek(0)
    digest = hashlib.sha256()
    remaining = size - SIGNATURE_SIZE
    while remaining:
        block = fh.read(min(remaining, 1024 * 1024))
        if not block:
            raise _truncated(name)
        digest.update(block)
        remaining -= len(block)
    signature = fh.read(SIGNATURE_SIZE)
    if not keys.verify(public_key, signature, digest.digest()):
        raise _damaged(name)


def read_header(path) -> Header:
    """Check what can be checked without keys: a whole, signed bundle of a known format."""
    path = Path(path)
    name = _name(path)
    try:
        size = path.stat().st_size
        fh = open(path, "rb")
    except OSError as exc:
        raise BundleError("unreadable", _("The file {name} could not be read.").format(
            name=name)) from exc
    with fh:
        if size == 0:
            raise BundleError("empty", _("The file {name} is empty: it is not a bundle. "
                                         "Copy the bundle again from the sender.").format(
                                             name=name))
        start = fh.read(PREAMBLE.size)
        if len(start) < len(MAGIC) or start[:len(MAGIC)] != MAGIC:
            raise BundleError("not_bundle", _(
                "The file {name} is not a Hamroh sync bundle.").format(name=name))
        if len(start) < PREAMBLE.size:
            raise _truncated(name)
        _magic, version, header_len = PREAMBLE.unpack(start)
        if header_len > MAX_HEADER:
            raise _damaged(name)
        header_bytes = fh.read(header_len)
        if len(header_bytes) < header_len:
            raise _truncated(name)
        header, public_key = _parse_header(header_bytes, name)
        expected = PREAMBLE.size + header_len + header.body_length + SIGNATURE_SIZE
        if size < expected:
            raise _truncated(name)
        if size > expected:
            raise _damaged(name)
        _check_signature(fh, size, public_key, name)
    if header.format > FORMAT_VERSION or version > FORMAT_VERSION:
        raise BundleError("newer_format", _(
            "The bundle {name} was made by a newer version of Hamroh. Update Hamroh on this "
            "computer, then import it again.").format(name=name))
    return header


def _truncated(name: str) -> BundleError:
    return BundleError("truncated", _(
        "The bundle {name} is incomplete: the file was cut short, perhaps while copying. "
        "Copy it again from the sender.").format(name=name))


def _damaged(name: str) -> BundleError:
    return BundleError("damaged", _(
        "The bundle {name} is damaged or was changed after it was made (its signature does "
        "not match). Nothing was imported; ask the sender for a new bundle.").format(name=name))


def _fields_last(change, line: bytes) -> bool:
    """Is "f" the line's last key, with an object value, and its key written only once?
    Then its JSON text runs from that key to the end of the line."""
    return (isinstance(change, dict) and line.endswith(b"}}") and bool(change)
            and next(reversed(change)) == "f" and line.count(_FIELDS_KEY) == 1)


class BundleReader:
    """Decrypt and stream a bundle whose header passed :func:`read_header`."""

    def __init__(self, path, header: Header, org_key: bytes | None = None, *,
                 identity: keys.DeviceIdentity | None = None):
        """``org_key`` opens a passphrase bundle; ``identity`` (this device, with its
        X25519 key) a bundle addressed to one device."""
        self.path = Path(path)
        self.header = header
        self.name = _name(path)
        mode = header.encryption.get("mode")
        if mode == "recipient":
            key = self._recipient_key(identity)
        elif mode == "passphrase":
            key = self._passphrase_key(org_key)
        else:
            raise BundleError("unsupported", _(
                "The bundle {name} is encrypted in a way this version of Hamroh cannot open.")
                .format(name=self.name))
        self.aead = AESGCM(key)
        self.manifest: dict[str, Any] = {}
        self._fh = open(self.path, "rb")
        _m, _v, header_len = PREAMBLE.unpack(self._fh.read(PREAMBLE.size))
        self._fh.seek(PREAMBLE.size + header_len)
        try:
            self.manifest = json.loads(self._chunk(0, False).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            self.close()
            raise _damaged(self.name) from None
        declared = int(self.manifest.get("payload_size", 0))
        packed = max(int(self.manifest.get("packed_size", 0)), 1)
        if declared > MAX_RATIO * max(packed, CHUNK_SIZE // 4):
            self.close()
            raise self._bomb()

    def _passphrase_key(self, org_key: bytes | None) -> bytes:
        try:
            salt = _unb64(self.header.encryption["salt"])
            check = _unb64(self.header.encryption["check"])
        except (KeyError, ValueError):
            raise _damaged(self.name) from None
        if org_key is None:
            raise BundleError("no_passphrase", _(
                "No sync passphrase is set on this computer. Enter the organisation's sync "
                "passphrase on the Sync page (or give it with --passphrase-file)."))
        key, expected = _derive(org_key, salt)
        if not hmac.compare_digest(expected[:16], check):
            raise BundleError("wrong_passphrase", _(
                "The bundle {name} could not be opened: the sync passphrase on this computer "
                "is not the one it was made with. Check the passphrase with the sending "
                "office.").format(name=self.name))
        return key

    def _recipient_key(self, identity: keys.DeviceIdentity | None) -> bytes:
        recipient = self.header.recipient or ""  # a string in mode "recipient"
        if (identity is None or identity.exchange_private is None
                or keys.normalise_fingerprint(recipient) != identity.fingerprint):
            raise BundleError("other_device", _(
                "The bundle {name} is addressed to another device (fingerprint {recipient}): "
                "only that device can open it. Nothing was imported. Ask the sender for a "
                "bundle for this device (fingerprint {own}) or for one made with the "
                "organisation's passphrase.").format(
                    name=self.name, recipient=recipient,
                    own=identity.fingerprint if identity is not None else "-"),
                recipient=recipient)
        try:
            return _open_for(identity, self.header.bundle_id, self.header.encryption)
        except (KeyError, ValueError, TypeError):
            raise _damaged(self.name) from None

    def _bomb(self) -> BundleError:
        return BundleError("zip_bomb", _(
            "The bundle {name} unpacks to far more data than a real bundle could hold (it may "
            "be a malicious file). Nothing was imported.").format(name=self.name))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _chunk(self, index: int, final: bool) -> bytes:
        raw_len = self._fh.read(CHUNK_LEN.size)
        if len(raw_len) < CHUNK_LEN.size:
            raise _truncated(self.name)
        (length,) = CHUNK_LEN.unpack(raw_len)
        if length > MAX_CHUNK + 16:
            raise _damaged(self.name)
        sealed = self._fh.read(length)
        try:
            return self.aead.decrypt(_nonce(index), sealed, _aad(self.header.bundle_id, index,
                                                                   final))
        except InvalidTag:
            raise _damaged(self.name) from None

    def changes(self) -> Iterator[dict]:
        """Every change in the payload, streamed; checks size, count and hash at the end."""
        declared = int(self.manifest.get("payload_size", 0))
        unzip = zlib.decompressobj()
        digest = hashlib.sha256()
        total = 0
        count = 0
        tail = b""
        raw_fields = self.manifest.get("fields_last") is True
        chunks = self.header.chunks
        for index in range(1, chunks + 1):
            data = self._chunk(index, index == chunks)
            while data:
                try:
                    out = unzip.decompress(data, CHUNK_SIZE)
                except zlib.error:
                    raise _damaged(self.name) from None
                data = unzip.unconsumed_tail
                total += len(out)
                if total > declared:
                    raise self._bomb()
                digest.update(out)
                lines = (tail + out).split(b"\n")
                tail = lines.pop()
                for line in lines:
                    if not line:
                        continue
                    try:
                        change = _parse_line(line.decode("utf-8"))
                    except ValueError:
                        raise self._hash_error() from None
                    count += 1
                    if raw_fields and _fields_last(change, line):
                        at = line.find(_FIELDS_KEY) + len(_FIELDS_KEY) - 1
                        change[RAW_FIELDS] = line[at:-1].decode("utf-8")
                    yield change
        if tail.strip() or not unzip.eof:
            raise self._hash_error()
        if (digest.hexdigest() != self.manifest.get("payload_sha256") or total != declared
                or count != int(self.manifest.get("changes", -1))):
            raise self._hash_error()

    def _hash_error(self) -> BundleError:
        return BundleError("hash_mismatch", _(
            "The content of the bundle {name} does not match its checksum. Nothing was "
            "imported; ask the sender for a new bundle.").format(name=self.name))
