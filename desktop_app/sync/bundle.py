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
import stat
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

try:
    import orjson
except ImportError:     # an environment set up before it was a dependency: json alone
    orjson = None  # type: ignore[assignment]

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

MAGIC = b"HAMROHB\x00"
FORMAT_VERSION = 1
PREAMBLE = struct.Struct(">8sHI")
CHUNK_LEN = struct.Struct(">I")
SIGNATURE_SIZE = 64
CHUNK_SIZE = 256 * 1024
# Bounds checked before anything is parsed: a header is a few hundred bytes, nested three
# levels; one change line holds one record's fields.
MAX_HEADER = 64 * 1024
MAX_NESTING = 16
MAX_CHUNK = 4 * 1024 * 1024
MAX_LINE = 8 * 1024 * 1024
# the largest bundle a watched folder or an import opens (a full export of a big office
# is a few hundred megabytes)
MAX_BUNDLE = 8 * 1024 ** 3
# A real payload (JSON Lines of records) packs 5-20 times; refuse anything declaring or
# unpacking to more than this many times its packed size.
MAX_RATIO = 100
SUFFIX = ".hamroh"
# Key under which :meth:`BundleReader.changes` hands over a change's line (when the writer
# put the fields last, manifest ``fields_last``): :func:`fields_text` cuts the fields' JSON
# text from it, so that the importer logs them without encoding them again (and only for
# the changes whose fields it logs).
RAW_FIELDS = "_line"
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


def parse_change_line(line: bytes):
    """One change line's JSON. orjson parses a line in a third of the json module's time
    (a third of an import's reading); a line it refuses (NaN, nesting past 1,024, text
    that is not UTF-8 ...) goes to the json module, so what is accepted or refused stays
    the json module's decision. One difference remains: an integer beyond 64 bits, which
    no database row holds, is read as a float instead of an int."""
    if orjson is not None:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    return _parse_line(line.decode("utf-8"))


def nesting_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped), without
    parsing it; linear in the length."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:      # backslash
                escaped = True
            elif byte == 0x22:      # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _reject_constant(name: str):
    raise ValueError(f"not JSON: {name}")


def bounded_json(data: bytes, limit: int = MAX_NESTING):
    """JSON from a file that may be hostile: nesting checked first, no NaN/Infinity,
    every failure a ValueError."""
    if nesting_depth(data) > limit:
        raise ValueError("nested too deeply")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (RecursionError, OverflowError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None


def _integer(value) -> int:
    """A JSON integer (not a float, a bool or a string), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


class LineSplitter:
    """Cut a stream of pieces into lines in linear time: a line that spans many pieces is
    kept as a list of pieces and joined once, when its end arrives (never re-joined per
    piece), and a line longer than ``limit`` stops the reading."""

    def __init__(self, limit: int | None = None):
        self.limit = MAX_LINE if limit is None else limit
        self._pieces: list[bytes] = []
        self._pending = 0

    def feed(self, data: bytes) -> list[bytes]:
        """The lines completed by ``data`` (without their newline); ValueError if the
        line being read grows beyond the limit."""
        lines = data.split(b"\n")
        rest = lines.pop()          # after the last newline: the start of the next line
        if lines:
            if self._pieces:
                if self._pending + len(lines[0]) > self.limit:
                    raise ValueError("line too long")
                self._pieces.append(lines[0])
                lines[0] = b"".join(self._pieces)
                self._pieces = []
                self._pending = 0
            if max(map(len, lines)) > self.limit:
                raise ValueError("line too long")
        if rest:
            self._pending += len(rest)
            if self._pending > self.limit:
                raise ValueError("line too long")
            self._pieces.append(rest)
        return lines

    @property
    def tail(self) -> bytes:
        """What is left after the last newline."""
        return b"".join(self._pieces)


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
    def addressee(self) -> dict | None:
        """Who the bundle is for (signed with the header): ``{"kind": "coordinator"}``,
        ``{"kind": "office", "office_id", "office_code"}`` or ``{"kind": "device",
        "device_id"}``; None for a bundle that does not say (older versions)."""
        to = self.raw.get("to")
        if not isinstance(to, dict) or to.get("kind") not in ("coordinator", "office",
                                                               "device"):
            return None
        return to

    @property
    def revoked(self) -> list[dict]:
        """Devices the sender has revoked (a coordinator's bundles list them, signed):
        ``[{"fingerprint", "device_id"}]``; malformed entries are left out."""
        entries = self.raw.get("revoked")
        if not isinstance(entries, list):
            return []
        return [{"fingerprint": str(e["fingerprint"]),
                 "device_id": str(e["device_id"]) if e.get("device_id") else None}
                for e in entries[:10_000]
                if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)]

    @property
    def origins(self) -> list[str]:
        """The devices whose changes the bundle carries (the sender's own and relayed)."""
        origins = self.raw.get("origins")
        return [str(o) for o in origins] if isinstance(origins, list) else []

    @property
    def path(self) -> list[str]:
        """Origin path: the offices the bundle's changes passed through, ending with the
        sender's (as the sender wrote it)."""
        path = self.raw.get("path")
        return [str(p) for p in path] if isinstance(path, list) else []

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
                 recipient: Recipient | None = None, addressee: dict | None = None,
                 device_code: str | None = None, revoked: list[dict] | None = None):
        self.path = Path(path)
        self.identity = identity
        self.addressee = dict(addressee or {"kind": "coordinator"})
        self.device_code = device_code
        self.revoked = list(revoked or [])
        self.origins: set[str] = set()
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
        self.origins.add(str(change.get("d")))
        self.counts[change["t"]] = self.counts.get(change["t"], 0) + 1
        self.changes += 1
        self.write_raw(change_line(change))

    def add_line(self, table: str, line: bytes, origin: str | None = None) -> None:
        """Add one change already serialised as a JSON line (ending in a newline)."""
        if origin is not None:
            self.origins.add(origin)
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
                "to": self.addressee,
                "origins": sorted(self.origins),
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
                    **({"device_code": self.device_code} if self.device_code else {}),
                    "public_key": _b64(self.identity.public_key),
                    **({"exchange_key": _b64(self.identity.exchange_public)}
                       if self.identity.exchange_public else {}),
                },
                "encryption": self.encryption,
                # addressee and origin path: signed with the rest of the header
                "to": self.addressee,
                "path": [self.identity.office_code or ""],
                "origins": sorted(self.origins),
                "chunks": self._index,
                "body_length": len(manifest_block) + self._body_length,
                "compression": "zlib",
                **({"revoked": self.revoked} if self.revoked else {}),
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
        raw = bounded_json(header_bytes)
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        header = Header(str(raw["bundle_id"]), _integer(raw["format"]),
                        [str(s) for s in raw["schema"]], dict(raw["sender"]),
                        dict(raw["encryption"]), _integer(raw["body_length"]),
                        _integer(raw["chunks"]), str(raw["created_at"]), raw)
        if header.body_length < 0 or header.chunks < 0:
            raise ValueError("negative length")
        return header, header.public_key
    except (ValueError, KeyError, TypeError, AttributeError):
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


def _open_regular(path: Path, name: str):
    """The file opened for reading and its size; only a regular file (never a FIFO, a
    device or a folder: opening does not block, and the type is checked on what was
    opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise BundleError("unreadable", _("The file {name} could not be read.").format(
            name=name)) from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BundleError("not_regular", _(
            "{name} is not an ordinary file (it may be a folder, a link or a pipe): it is "
            "not a bundle and was skipped.").format(name=name))
    if info.st_size > MAX_BUNDLE:
        os.close(fd)
        raise BundleError("too_large", _(
            "The file {name} is larger than any bundle Hamroh makes: it was not "
            "opened.").format(name=name))
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb"), info.st_size


def read_header(path) -> Header:
    """Check what can be checked without keys: a whole, signed bundle of a known format."""
    path = Path(path)
    name = _name(path)
    fh, size = _open_regular(path, name)
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


def fields_text(line: bytes) -> str | None:
    """The JSON text of the fields of a change line whose last key is "f" (as
    :meth:`BundleReader.changes` hands it over): from that key to the end of the line,
    when the key is written only once and its value is an object."""
    if not line.endswith(b"}}") or line.count(_FIELDS_KEY) != 1:
        return None
    at = line.find(_FIELDS_KEY) + len(_FIELDS_KEY) - 1
    return line[at:-1].decode("utf-8")


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
        self._fh, _size = _open_regular(self.path, self.name)
        _m, _v, header_len = PREAMBLE.unpack(self._fh.read(PREAMBLE.size))
        self._fh.seek(PREAMBLE.size + header_len)
        try:
            manifest = bounded_json(self._chunk(0, False))
            if not isinstance(manifest, dict):
                raise ValueError("not an object")
            self.manifest = manifest
            declared = _integer(self.manifest.get("payload_size", 0))
            packed = max(_integer(self.manifest.get("packed_size", 0)), 1)
            _integer(self.manifest.get("changes", 0))
        except (ValueError, TypeError):
            self.close()
            raise _damaged(self.name) from None
        except BundleError:
            self.close()
            raise
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
        splitter = LineSplitter()
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
                try:
                    lines = splitter.feed(out)
                except ValueError:
                    raise self._line_too_long() from None
                for line in lines:
                    if not line:
                        continue
                    count += 1
                    yield self._change(line, raw_fields)
        if splitter.tail.strip() or not unzip.eof:
            raise self._hash_error()
        if (digest.hexdigest() != self.manifest.get("payload_sha256") or total != declared
                or count != int(self.manifest.get("changes", -1))):
            raise self._hash_error()

    def _change(self, line: bytes, raw_fields: bool) -> dict:
        """One change line as a dict (with the line itself when the fields come last)."""
        try:
            change = parse_change_line(line)
        except (ValueError, RecursionError):
            raise self._hash_error() from None
        if type(change) is not dict:
            raise self._hash_error()
        if raw_fields and change and next(reversed(change)) == "f":
            change[RAW_FIELDS] = line
        return change

    def _line_too_long(self) -> BundleError:
        return BundleError("line_too_long", _(
            "The bundle {name} holds a record far larger than Hamroh ever writes (it may be a "
            "malicious file). Nothing was imported.").format(name=self.name))

    def _hash_error(self) -> BundleError:
        return BundleError("hash_mismatch", _(
            "The content of the bundle {name} does not match its checksum. Nothing was "
            "imported; ask the sender for a new bundle.").format(name=self.name))
