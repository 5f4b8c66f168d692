"""Device identity, the organisation's bundle key and the list of trusted devices.

Choices (see docs/dev/sync.md):
- Each installation has an Ed25519 signing key, created on first use and kept in the
  local table ``sync_identity`` (never synced, never exported). The database itself is
  what protects it (SQLCipher encryption at rest when security is enabled).
- The organisation's sync passphrase is entered once; what is stored is the 32-byte key
  derived from it with scrypt (the passphrase itself cannot be read back). Each bundle
  gets its own AES-256-GCM key derived from that key and a random salt (HKDF).
- ``sync_trust`` lists devices by the fingerprint of their public key, trusted or
  revoked. This device always trusts itself.
- Each installation also has an X25519 key pair (``sync_identity('exchange_key')``,
  generated on first use like the signing key, not derived from it, so the two keys are
  independent). Its public half travels in the (signed) header of every bundle the device
  makes; a device that trusts the sender keeps it in ``sync_trust.exchange_key`` and can
  then make bundles only that device can open (``bundle.Recipient``).
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Literal, overload

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store.audit import utc_now
from desktop_app.store.offices import is_office_code
from desktop_app.store.session import get_meta
from desktop_app.store.setup import device_code_for

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

# scrypt parameters for the passphrase (about 0.1 s and 32 MB on a cheap laptop).
KDF_SALT = b"hamroh-sync-organisation-key-v1"
KDF_N, KDF_R, KDF_P = 2 ** 15, 8, 1
MIN_PASSPHRASE = 8


class SyncSetupError(Exception):
    """A set-up problem with a message fit to show."""


def fingerprint(public_key: bytes) -> str:
    """Short, readable fingerprint of a public key: 5 groups of 4 hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:20].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 20, 4))


def normalise_fingerprint(text: str) -> str:
    digits = "".join(c for c in text.upper() if c in "0123456789ABCDEF")
    return "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def derive_org_key(passphrase: str) -> bytes:
    passphrase = passphrase.strip()
    if len(passphrase) < MIN_PASSPHRASE:
        raise SyncSetupError(_("The sync passphrase must have at least {count} characters.")
                             .format(count=MIN_PASSPHRASE))
    kdf = Scrypt(salt=KDF_SALT, length=32, n=KDF_N, r=KDF_R, p=KDF_P)
    return kdf.derive(passphrase.encode("utf-8"))


def read_passphrase_file(path) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read().strip()
    except OSError as exc:
        raise SyncSetupError(_("The passphrase file {path} could not be read.")
                             .format(path=path)) from exc
    if not text:
        raise SyncSetupError(_("The passphrase file {path} is empty.").format(path=path))
    return text


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    office_id: str | None
    office_code: str | None
    office_type: str | None
    name: str
    private_key: Ed25519PrivateKey
    public_key: bytes
    # X25519: bundles addressed to this device are encrypted to it (None: not made yet)
    exchange_private: X25519PrivateKey | None = None
    exchange_public: bytes | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def _raw_public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def _raw_private(key) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


@overload
def load_identity(conn, *, create: Literal[True] = True) -> DeviceIdentity: ...


@overload
def load_identity(conn, *, create: bool) -> DeviceIdentity | None: ...


def load_identity(conn, *, create: bool = True) -> DeviceIdentity | None:
    """This device's identity; the keys are made (and committed) on first use."""
    rows = dict(conn.execute("SELECT name, secret FROM sync_identity WHERE name IN "
                             "('device_key', 'exchange_key')").fetchall())
    if len(rows) < 2 and create:
        signing = Ed25519PrivateKey.generate()
        new_exchange = X25519PrivateKey.generate()
        with dbmod.transaction(conn):
            conn.execute("INSERT OR IGNORE INTO sync_identity(name, secret, public, created_at)"
                         " VALUES ('device_key', ?, ?, ?)",
                         (_raw_private(signing), _raw_public(signing), utc_now()))
            conn.execute("INSERT OR IGNORE INTO sync_identity(name, secret, public, created_at)"
                         " VALUES ('exchange_key', ?, ?, ?)",
                         (_raw_private(new_exchange), _raw_public(new_exchange), utc_now()))
        rows = dict(conn.execute("SELECT name, secret FROM sync_identity WHERE name IN "
                                 "('device_key', 'exchange_key')").fetchall())
    if "device_key" not in rows:
        return None
    key = Ed25519PrivateKey.from_private_bytes(bytes(rows["device_key"]))
    exchange = (X25519PrivateKey.from_private_bytes(bytes(rows["exchange_key"]))
                if "exchange_key" in rows else None)
    device_id = get_meta(conn, "device_id") or "unset-device"
    office_id = get_meta(conn, "office_id")
    office = conn.execute("SELECT code, office_type FROM office WHERE id=?",
                          (office_id,)).fetchone() if office_id else None
    name_row = conn.execute("SELECT name FROM device WHERE id=?", (device_id,)).fetchone()
    return DeviceIdentity(device_id, office_id,
                          office[0] if office else get_meta(conn, "office_code"),
                          office[1] if office else None, name_row[0] if name_row else "",
                          key, _raw_public(key), exchange,
                          _raw_public(exchange) if exchange is not None else None)


def set_passphrase(conn, passphrase: str) -> None:
    """Derive and keep the organisation key (the passphrase itself is not stored)."""
    key = derive_org_key(passphrase)
    set_org_key(conn, key)


def set_org_key(conn, key: bytes) -> None:
    params = json.dumps({"kdf": "scrypt", "n": KDF_N, "r": KDF_R, "p": KDF_P,
                         "salt": base64.b64encode(KDF_SALT).decode()})
    with dbmod.transaction(conn):
        conn.execute("INSERT INTO sync_identity(name, secret, params, created_at) VALUES "
                     "('org_key', ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                     "secret=excluded.secret, params=excluded.params,"
                     " created_at=excluded.created_at",
                     (key, params, utc_now()))


def org_key(conn) -> bytes | None:
    row = conn.execute("SELECT secret FROM sync_identity WHERE name='org_key'").fetchone()
    return bytes(row[0]) if row else None


def has_passphrase(conn) -> bool:
    return org_key(conn) is not None


# ---- trust -------------------------------------------------------------------------
@dataclass(frozen=True)
class TrustedDevice:
    fingerprint: str
    public_key: bytes | None
    device_id: str | None
    office_id: str | None
    office_code: str | None
    name: str | None
    status: str
    changed_at: str
    exchange_key: bytes | None = None


def trust_status(conn, public_key: bytes) -> str | None:
    """'trusted', 'revoked' or None (unknown) for a sender's public key."""
    own = load_identity(conn, create=False)
    if own is not None and own.public_key == public_key:
        return "trusted"
    row = conn.execute("SELECT status FROM sync_trust WHERE fingerprint=?",
                       (fingerprint(public_key),)).fetchone()
    return row[0] if row else None


class RevokedDevice(SyncSetupError):
    """Trusting a revoked device again needs an explicit decision (``again=True``)."""


def _status_of(conn, fp: str) -> str | None:
    row = conn.execute("SELECT status FROM sync_trust WHERE fingerprint=?", (fp,)).fetchone()
    return row[0] if row else None


def _refuse_revoked(conn, fp: str, again: bool) -> bool:
    """Raise unless the device is not revoked or ``again`` says it is meant; True when
    the device was revoked (the caller audits the re-trust)."""
    if _status_of(conn, fp) != "revoked":
        return False
    if not again:
        raise RevokedDevice(_(
            "The device {fingerprint} was revoked on this computer. It is not trusted again "
            "by this: if it must be, an administrator decides so explicitly (hamroh device "
            "trust ... --again --reason \"...\"), and the decision is recorded in the audit "
            "log.").format(fingerprint=fp))
    return True


def valid_device_code(code) -> bool:
    return isinstance(code, str) and 4 <= len(code) <= 8 and code.isascii() \
        and code.isalnum() and code.upper() == code


def sender_device_code(sender: dict) -> str | None:
    """The device code a bundle's sender numbers its records with (older versions do not
    send it: theirs is the 4-hex-digit code derived from the device id)."""
    code = sender.get("device_code")
    if code is not None:
        return str(code)
    device_id = sender.get("device_id")
    return device_code_for(str(device_id)) if device_id else None


def code_clash(conn, device_id: str | None, office_code: str | None,
               device_code: str | None) -> str | None:
    """Another device (this one or a trusted one) of the same office that numbers its
    records with the same device code: its description, else None."""
    if not device_id or not office_code or not device_code:
        return None
    own_id = get_meta(conn, "device_id")
    if own_id and own_id != device_id and get_meta(conn, "office_code") == office_code \
            and get_meta(conn, "device_code") == device_code:
        return _("this computer")
    for fp, other_id, code, name in conn.execute(
            "SELECT fingerprint, device_id, device_code, name FROM sync_trust"
            " WHERE office_code=? AND device_id IS NOT NULL AND device_id != ?",
            (office_code, device_id)):
        if (code or device_code_for(other_id)) == device_code:
            return f"{name or other_id} ({fp})"
    return None


def clash_message(office_code: str, device_code: str, device: str, other: str) -> str:
    return _("The device \"{device}\" of office {office} numbers its cases and loans with the "
             "device code {code}, which {other} already uses: their numbers would be the same. "
             "Nothing was changed. On one of the two devices, give it a new code (hamroh device "
             "new-code), then try again.").format(device=device, office=office_code,
                                                  code=device_code, other=other)


def check_sender(conn, device_id, office_code, device_code, name) -> None:
    """Refuse (SyncSetupError) a sender whose office code is not valid or whose device
    code is already used by another device of its office."""
    if office_code is not None and not is_office_code(office_code):
        raise SyncSetupError(_(
            "The device \"{device}\" gives an office code that is not valid (an office code "
            "is 2 to 8 capital letters or digits). It was not trusted and nothing was "
            "imported.").format(device=name or device_id or "?"))
    if device_code is not None and not valid_device_code(device_code):
        raise SyncSetupError(_(
            "The device \"{device}\" gives a device code that is not valid. It was not "
            "trusted and nothing was imported.").format(device=name or device_id or "?"))
    other = code_clash(conn, device_id, office_code, device_code)
    if other is not None:
        raise SyncSetupError(clash_message(office_code or "?", device_code or "?",
                                           str(name or device_id), other))


def revocation_list(conn) -> list[dict]:
    """What a coordinator's bundles tell the offices: every device revoked here."""
    return [{"fingerprint": fp, "device_id": device_id} for fp, device_id in conn.execute(
        "SELECT fingerprint, device_id FROM sync_trust WHERE status='revoked'"
        " ORDER BY fingerprint")]


def adopt_revocations(conn, entries: list[dict], by: str | None) -> list[str]:
    """Revoke here the devices a coordinator revoked (inside the import transaction);
    never this device, never a trust (only revocations travel). Returns the fingerprints
    newly revoked."""
    own = load_identity(conn, create=False)
    done = []
    for entry in entries:
        fp = normalise_fingerprint(entry["fingerprint"])
        if len(fp) != 24 or (own is not None and own.fingerprint == fp):
            continue
        status = _status_of(conn, fp)
        if status == "revoked":
            continue
        if status is None:
            conn.execute("INSERT INTO sync_trust(fingerprint, device_id, status, changed_at,"
                         " changed_by) VALUES (?, ?, 'revoked', ?, ?)",
                         (fp, entry.get("device_id"), utc_now(), by))
        else:
            conn.execute("UPDATE sync_trust SET status='revoked', changed_at=?, changed_by=?,"
                         " device_id=coalesce(device_id, ?) WHERE fingerprint=?",
                         (utc_now(), by, entry.get("device_id"), fp))
        done.append(fp)
    return done


def revoked_devices(conn) -> set[str]:
    """Device ids revoked here (known from their bundles or from the relays' lines)."""
    return {r[0] for r in conn.execute(
        "SELECT device_id FROM sync_trust WHERE status='revoked' AND device_id IS NOT NULL")}


def trust(conn, public_key: bytes, *, device_id: str | None = None,
          office_id: str | None = None, office_code: str | None = None,
          name: str | None = None, actor: str | None = None,
          exchange_key: bytes | None = None, device_code: str | None = None,
          again: bool = False) -> str:
    """Trust a device by its public key. A revoked device raises :class:`RevokedDevice`
    unless ``again`` (an explicit decision the caller audits); an invalid office code or
    a device code another device of the office uses raises SyncSetupError."""
    fp = fingerprint(public_key)
    _refuse_revoked(conn, fp, again)
    check_sender(conn, device_id, office_code, device_code, name)
    with dbmod.transaction(conn):
        conn.execute(
            "INSERT INTO sync_trust(fingerprint, public_key, device_id, office_id, office_code,"
            " name, status, changed_at, changed_by, exchange_key, device_code)"
            " VALUES (?,?,?,?,?,?,'trusted',?,?,?,?) "
            "ON CONFLICT(fingerprint) DO UPDATE SET status='trusted',"
            " changed_at=excluded.changed_at,"
            " changed_by=excluded.changed_by, device_id=coalesce(excluded.device_id, device_id),"
            " office_id=coalesce(excluded.office_id, office_id),"
            " office_code=coalesce(excluded.office_code, office_code),"
            " name=coalesce(excluded.name, name),"
            " exchange_key=coalesce(excluded.exchange_key, exchange_key),"
            " device_code=coalesce(excluded.device_code, device_code)",
            (fp, public_key, device_id, office_id, office_code, name, utc_now(), actor,
             exchange_key, device_code))
    return fp


def trust_fingerprint(conn, fp: str, actor: str | None = None, *, again: bool = False) -> str:
    """Trust a device by the fingerprint its owner read out (its key comes with its bundles).
    A revoked device raises :class:`RevokedDevice` unless ``again``."""
    fp = normalise_fingerprint(fp)
    if len(fp) != 24:
        raise SyncSetupError(_("{fingerprint} is not a device fingerprint: it has 20 letters "
                               "and digits in groups of four, like 1A2B-3C4D-5E6F-7A8B-9C0D.")
                             .format(fingerprint=fp))
    _refuse_revoked(conn, fp, again)
    with dbmod.transaction(conn):
        conn.execute(
            "INSERT INTO sync_trust(fingerprint, status, changed_at, changed_by) "
            "VALUES (?, 'trusted', ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET "
            "status='trusted', changed_at=excluded.changed_at, changed_by=excluded.changed_by",
            (fp, utc_now(), actor))
    return fp


def record_sender(conn, public_key: bytes, *, device_id, office_id, office_code, name,
                  exchange_key: bytes | None = None, device_code: str | None = None) -> None:
    """Fill in what a trusted sender's bundle tells about it (inside the import transaction)."""
    conn.execute("UPDATE sync_trust SET public_key=coalesce(public_key, ?), device_id=?,"
                 " office_id=?, office_code=?, name=coalesce(name, ?),"
                 " exchange_key=coalesce(?, exchange_key),"
                 " device_code=coalesce(?, device_code) WHERE fingerprint=?",
                 (public_key, device_id, office_id, office_code, name, exchange_key,
                  device_code, fingerprint(public_key)))


def recipient_key(conn, fp: str) -> tuple[str, bytes]:
    """(fingerprint, X25519 public key) of a trusted device to encrypt a bundle for."""
    fp = normalise_fingerprint(fp)
    own = load_identity(conn, create=False)
    if own is not None and own.fingerprint == fp and own.exchange_public:
        return fp, own.exchange_public
    row = conn.execute("SELECT status, exchange_key FROM sync_trust WHERE fingerprint=?",
                       (fp,)).fetchone()
    if row is None or row[0] != "trusted":
        raise SyncSetupError(_("No trusted device has the fingerprint {fingerprint}. Trust the "
                               "device first (hamroh device trust).").format(fingerprint=fp))
    if not row[1]:
        raise SyncSetupError(_("The encryption key of device {fingerprint} is not known yet: it "
                               "comes with the device's bundles. Import a bundle from that "
                               "device first.").format(fingerprint=fp))
    return fp, bytes(row[1])


def revoke(conn, fp: str, actor: str | None = None) -> str:
    fp = normalise_fingerprint(fp)
    own = load_identity(conn, create=False)
    if own is not None and own.fingerprint == fp:
        raise SyncSetupError(_("This is the fingerprint of this device; it cannot be revoked."))
    with dbmod.transaction(conn):
        cur = conn.execute("UPDATE sync_trust SET status='revoked', changed_at=?, changed_by=? "
                           "WHERE fingerprint=?", (utc_now(), actor, fp))
    if cur.rowcount == 0:
        raise SyncSetupError(_("No device with fingerprint {fingerprint} is known here.")
                             .format(fingerprint=fp))
    return fp


def devices(conn) -> list[TrustedDevice]:
    return [TrustedDevice(r[0], bytes(r[1]) if r[1] else None, r[2], r[3], r[4], r[5], r[6], r[7],
                          bytes(r[8]) if r[8] else None)
            for r in conn.execute(
                "SELECT fingerprint, public_key, device_id, office_id, office_code, name, status,"
                " changed_at, exchange_key FROM sync_trust"
                " ORDER BY office_code, name, fingerprint")]


def verify(public_key: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
