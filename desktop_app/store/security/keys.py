"""Database keys: one random SQLCipher key per database file, wrapped once per user.

The 32-byte database key never leaves memory unwrapped. It is stored in a small JSON
sidecar file next to the database (``<db>.keys``), once per *key slot*:

* a **user slot** wraps it with a key derived from that user's password by argon2id
  (memory-hard) and AES-256-GCM; the slot's username and user id are the GCM associated
  data, so a slot copied onto another user's name does not open;
* the **recovery slot** wraps it with a key derived (HKDF-SHA256) from a printable
  recovery key (160 random bits as base32, ``ABCD-EFGH-...``) that the administrator
  prints and keeps in a safe.

The sidecar has to be readable before the database is decrypted, which is why it is a
separate file: copy ``hamroh.db`` *and* ``hamroh.db.keys`` together when moving or backing
up a database. Wrong passwords are counted per user name in the sidecar too (the
database is still locked then) and make that name's next attempt wait longer; they are
written into the audit log at the next successful login (so are logins made while another
process held the database's write lock). The sidecar is changed under an operating-system
lock and written atomically (``store.files``).

Keys unlocked in this process are remembered by file path (:func:`remember_key`), so
code that opens the same file again (a worker thread, a report) needs no password.

Cheap KDF parameters are used only when ``HAMROH_INSECURE_TEST_KDF=1`` (the test suite);
every slot records its own parameters so a database always opens with the ones it was
made with.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import filelock
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store import files
from desktop_app.store.db import DatabaseError

DOMAIN = Domain("security")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

FORMAT = "hamroh-keys"
VERSION = 1
KEY_BYTES = 32
RECOVERY_BYTES = 20           # 160 bits -> 32 base32 characters
TEST_KDF_ENV = "HAMROH_INSECURE_TEST_KDF"
# argon2id: 3 passes over 64 MiB, 2 lanes (about a third of a second on a cheap laptop)
REAL_KDF = {"name": "argon2id", "t": 3, "m": 65536, "p": 2}
TEST_KDF = {"name": "argon2id", "t": 1, "m": 64, "p": 1}
FREE_ATTEMPTS = 3             # wrong passwords allowed without waiting
MAX_DELAY = 300               # seconds
T = TypeVar("T")


class KeyProblem(DatabaseError):
    """Base of key problems; the message is fit to show a user."""


class NoKeyFile(KeyProblem):
    pass


class WrongPassword(KeyProblem):
    pass


class LoginThrottled(KeyProblem):
    def __init__(self, message: str, wait_seconds: int):
        super().__init__(message)
        self.wait_seconds = wait_seconds


class WeakPassword(KeyProblem):
    pass


def kdf_params() -> dict:
    return dict(TEST_KDF if os.environ.get(TEST_KDF_ENV) == "1" else REAL_KDF)


def key_file_for(db_path: str | os.PathLike) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".keys")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def derive_password_key(password: str, salt: bytes, params: dict) -> bytes:
    if params.get("name") != "argon2id":
        raise KeyProblem(_("The key file uses an unknown method; install a newer Hamroh."))
    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=int(params["t"]),
                           memory_cost=int(params["m"]), parallelism=int(params["p"]),
                           hash_len=KEY_BYTES, type=Type.ID)


def _derive_recovery_key(recovery: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt,
                info=b"hamroh recovery slot").derive(recovery)


def password_verifier(derived: bytes, user_id: str) -> str:
    """A value stored inside the (encrypted) database that proves the password again.

    It ties a sidecar slot to the database: a slot rewritten outside Hamroh does not
    match the verifier kept in the local ``user_credential`` table.
    """
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"hamroh verifier " + user_id.encode("utf-8")).derive(derived).hex()


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < 8:
        raise WeakPassword(_("The password must have at least 8 characters."))
    if username and password.strip().lower() == username.strip().lower():
        raise WeakPassword(_("The password must not be the user name."))


# ---- recovery key text -----------------------------------------------------------------
def new_recovery_key() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(c for c in text.upper() if c.isalnum())
    # people mistype O/0 and I/1 when copying from paper; base32 has neither 0 nor 1
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")
    try:
        raw = base64.b32decode(cleaned)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != RECOVERY_BYTES:
        raise WrongPassword(_("This is not a recovery key: it has 8 groups of 4 letters and "
                              "digits, as printed when the database was created."))
    return raw


# ---- the sidecar ------------------------------------------------------------------------
MAX_COUNTED = 32              # wrong passwords kept per user name (the delay is capped anyway)
MAX_PENDING = 1000            # login events waiting for the audit log


@dataclass
class UnlockResult:
    key: bytes
    user_id: str
    username: str
    verifier: str
    # login events not yet in the audit log (wrong passwords, logins made while the
    # database was busy): dicts with id, action, username, user_id, at; see
    # KeyFile.audited
    failures: list
    slot_id: str = ""
    other_slots: int = 0      # more slots of this user: a password change was interrupted
    # the password-derived key of the slot: opens what else the slot wraps (signing key)
    derived: bytes = b""


def _stamp(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


class KeyFileBusy(KeyProblem):
    """Another process held the key file's lock for the whole wait."""

    def __init__(self, path: Path, seconds: float):
        super().__init__(_(
            "The key file {path} stayed in use by another Hamroh program for {seconds} "
            "seconds. Wait for it to finish (an import or a backup) or close the other "
            "Hamroh windows, then try again; nothing was changed.").format(
                path=path.name, seconds=int(seconds)))


# The key file's lock is held for milliseconds; a wait longer than QUICK_WAIT is shown to
# the user (start and end) through the reporter: the CLI prints it on stderr, the window
# shows it in its login dialog (``set_wait_reporter``).
QUICK_WAIT = 0.5


def _print_wait(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_wait_reporter: list[Callable[[str], None]] = [_print_wait]


def set_wait_reporter(report: Callable[[str], None] | None) -> None:
    """Who is told that the key file is being waited for, and when the wait ends
    (None: back to printing on stderr)."""
    _wait_reporter[0] = report or _print_wait


def wait_started_message(seconds: float) -> str:
    return _("Another Hamroh program is using the key file; waiting up to {seconds} "
             "seconds…").format(seconds=int(seconds))


def wait_ended_message() -> str:
    return _("The key file is free again; continuing.")


def wait_failed_message() -> str:
    return _("Stopped waiting for the key file.")


@contextlib.contextmanager
def key_file_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """The key file's OS lock: taken at once, or after a wait the user is told about from
    start to end; a wait that runs out raises :class:`KeyFileBusy` (one sentence)."""
    timeout = files.LOCK_TIMEOUT if timeout is None else timeout
    held = files.locked(path, timeout=min(QUICK_WAIT, timeout))
    try:
        held.__enter__()
    except filelock.Timeout:
        _wait_reporter[0](wait_started_message(timeout))
        held = files.locked(path, timeout=max(timeout - QUICK_WAIT, 0))
        try:
            held.__enter__()
        except filelock.Timeout:
            _wait_reporter[0](wait_failed_message())
            raise KeyFileBusy(Path(path), timeout) from None
        _wait_reporter[0](wait_ended_message())
    try:
        yield
    finally:
        held.__exit__(None, None, None)


class KeyFile:
    """The ``<db>.keys`` sidecar: key slots and the wrong-password counter.

    Every change is made under the file's operating-system lock (``files.locked``) on a
    fresh read of the file, then written atomically (``files.write_atomic``), so that
    processes logging in at the same time never lose each other's updates and a power cut
    leaves the old or the new file.
    """

    def __init__(self, path: Path, data: dict):
        self.path = Path(path)
        self.data = data

    # -- loading / saving
    @classmethod
    def for_database(cls, db_path) -> "KeyFile":
        return cls.load(key_file_for(db_path))

    @staticmethod
    def _read(path: Path) -> dict:
        if not path.exists():
            raise NoKeyFile(_("The key file {path} is missing. Copy it from where the database "
                              "came from (it always travels with the database file).")
                            .format(path=path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            if dbmod.is_disk_full(exc):
                raise dbmod.DiskFull(path) from exc
            raise NoKeyFile(_("The key file {path} is damaged. Restore it from a backup.")
                            .format(path=path)) from exc
        except ValueError as exc:
            raise NoKeyFile(_("The key file {path} is damaged. Restore it from a backup.")
                            .format(path=path)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise NoKeyFile(_("The key file {path} is damaged. Restore it from a backup.")
                            .format(path=path))
        if int(data.get("version", 0)) > VERSION:
            raise NoKeyFile(_("The key file {path} was written by a newer version of Hamroh.")
                            .format(path=path))
        data.setdefault("slots", [])
        data.setdefault("failures", {})
        if "pending_audit" not in data:
            # files written before the audit queue: every counted failure is unaudited
            data["pending_audit"] = [
                {"id": secrets.token_hex(8), "action": "failed_login", "username": name,
                 "user_id": None, "at": stamp}
                for name, entries in data["failures"].items() for stamp, _t in entries]
        return data

    @classmethod
    def load(cls, path) -> "KeyFile":
        path = Path(path)
        return cls(path, cls._read(path))

    @classmethod
    def exists_for(cls, db_path) -> bool:
        return key_file_for(db_path).exists()

    @classmethod
    def create(cls, db_path, db_key: bytes) -> tuple["KeyFile", str]:
        """A new sidecar for ``db_key`` with its recovery slot; returns (file, recovery key).

        An existing key file at that place is replaced (it belongs to no database yet).
        """
        kf = cls(key_file_for(db_path), {"format": FORMAT, "version": VERSION, "slots": [],
                                          "failures": {}, "pending_audit": []})
        slot, recovery = cls._recovery_slot(db_key)
        kf.data["slots"].append(slot)
        kf.save()
        return kf, recovery

    def save(self) -> None:
        """Write the whole file atomically (temporary name, fsync, rename, fsync folder)."""
        files.write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True),
                           mode=0o600)

    def _update(self, change: Callable[[dict], T]) -> T:
        """Apply ``change`` to a fresh read of the file under its lock and write it back."""
        with key_file_lock(self.path):
            if self.path.exists():
                self.data = self._read(self.path)
            result = change(self.data)
            self.save()
        return result

    def copy_to(self, db_path) -> "KeyFile":
        other = KeyFile(key_file_for(db_path), json.loads(json.dumps(self.data)))
        other.save()
        return other

    # -- slots
    def user_slots(self) -> list[dict]:
        return [s for s in self.data["slots"] if s["kind"] == "user"]

    def usernames(self) -> list[str]:
        return list(dict.fromkeys(s["username"] for s in self.user_slots()))

    def _slots_of(self, username: str) -> list[dict]:
        wanted = username.strip().lower()
        return [s for s in self.user_slots() if s["username"].lower() == wanted]

    def has_user(self, username: str) -> bool:
        return bool(self._slots_of(username))

    @staticmethod
    def _aad(kind: str, user_id: str | None, username: str | None) -> bytes:
        return json.dumps([FORMAT, kind, user_id, username]).encode("utf-8")

    def make_user_slot(self, db_key: bytes, user_id: str, username: str, password: str,
                       params: dict | None = None) -> tuple[dict, str]:
        """A slot wrapping ``db_key`` for a user (not yet written); returns (slot, verifier)."""
        params = params or kdf_params()
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        derived = derive_password_key(password, salt, params)
        wrapped = AESGCM(derived).encrypt(nonce, db_key, self._aad("user", user_id, username))
        slot = {"kind": "user", "id": secrets.token_hex(8), "user_id": user_id,
                "username": username, "kdf": params, "salt": _b64(salt),
                "nonce": _b64(nonce), "wrapped": _b64(wrapped)}
        return slot, password_verifier(derived, user_id)

    def put_user_slot(self, slot: dict, *, keep_others: bool = False) -> None:
        """Write ``slot``; the user's other slots go unless ``keep_others`` (the first step
        of a password change: the old password keeps working until the database holds
        the new verifier)."""
        def change(data: dict) -> None:
            data["slots"] = [s for s in data["slots"] if s.get("id") != slot["id"] and (
                keep_others or not (s["kind"] == "user" and s["user_id"] == slot["user_id"]))]
            data["slots"].append(slot)
            if not keep_others:
                data["failures"].pop(slot["username"].lower(), None)
        self._update(change)

    def set_user(self, db_key: bytes, user_id: str, username: str, password: str,
                 params: dict | None = None) -> str:
        """Wrap ``db_key`` for a user (new slot or a new password); returns the verifier."""
        slot, verifier = self.make_user_slot(db_key, user_id, username, password, params)
        self.put_user_slot(slot)
        return verifier

    def remove_user(self, user_id: str) -> None:
        def change(data: dict) -> None:
            data["slots"] = [s for s in data["slots"]
                             if not (s["kind"] == "user" and s["user_id"] == user_id)]
        self._update(change)

    def remove_slot(self, slot_id: str) -> None:
        def change(data: dict) -> None:
            data["slots"] = [s for s in data["slots"] if s.get("id") != slot_id]
        self._update(change)

    def keep_only_slot(self, user_id: str, slot_id: str) -> None:
        """Drop the user's other slots (left by an interrupted password change), if the
        slot ``slot_id`` is still there."""
        def change(data: dict) -> None:
            if any(s.get("id") == slot_id for s in data["slots"]):
                data["slots"] = [s for s in data["slots"] if not (
                    s["kind"] == "user" and s["user_id"] == user_id
                    and s.get("id") != slot_id)]
        self._update(change)

    @classmethod
    def _recovery_slot(cls, db_key: bytes) -> tuple[dict, str]:
        text = new_recovery_key()
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapping = _derive_recovery_key(parse_recovery_key(text), salt)
        wrapped = AESGCM(wrapping).encrypt(nonce, db_key, cls._aad("recovery", None, None))
        return {"kind": "recovery", "salt": _b64(salt), "nonce": _b64(nonce),
                "wrapped": _b64(wrapped)}, text

    def set_recovery(self, db_key: bytes) -> str:
        """A new recovery key (the old one stops working)."""
        slot, text = self._recovery_slot(db_key)

        def change(data: dict) -> None:
            data["slots"] = [s for s in data["slots"] if s["kind"] != "recovery"]
            data["slots"].append(slot)
        self._update(change)
        return text

    # -- unlocking
    def wait_seconds(self, username: str, now: float | None = None) -> int:
        entry = self.data["failures"].get(username.strip().lower())
        if not entry:
            return 0
        count = len(entry)
        if count < FREE_ATTEMPTS:
            return 0
        delay = min(MAX_DELAY, 2 ** (count - FREE_ATTEMPTS + 1))
        last = entry[-1][1]
        now = time.time() if now is None else now
        return max(0, int(round(last + delay - now)))

    def _throttle(self, username: str, now: float | None) -> None:
        wait = self.wait_seconds(username, now)
        if wait > 0:
            raise LoginThrottled(ngettext(
                "Too many wrong passwords. Wait {seconds} second and try again.",
                "Too many wrong passwords. Wait {seconds} seconds and try again.",
                wait).format(seconds=wait), wait)

    def _fail(self, username: str, now: float | None) -> None:
        """Count a wrong password (the caller holds the lock and has just read the file)."""
        now = time.time() if now is None else now
        name = username.strip().lower()
        entries = self.data["failures"].setdefault(name, [])
        entries.append([_stamp(now), now])
        del entries[:-MAX_COUNTED]
        self._queue(self.data, {"action": "failed_login", "username": username.strip(),
                                "user_id": None, "at": _stamp(now)})
        self.save()

    @staticmethod
    def _queue(data: dict, event: dict) -> None:
        pending = data.setdefault("pending_audit", [])
        pending.append({"id": secrets.token_hex(8), **event})
        del pending[:-MAX_PENDING]

    def _open_slots(self, username: str, password: str) -> tuple[UnlockResult | None, int]:
        slots = self._slots_of(username)
        if not slots:
            # same work for an unknown name, so timing does not tell which names exist
            derive_password_key(password, b"\0" * 16, kdf_params())
            return None, 0
        for slot in slots:
            derived = derive_password_key(password, _unb64(slot["salt"]), slot["kdf"])
            try:
                key = AESGCM(derived).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]),
                                              self._aad("user", slot["user_id"],
                                                        slot["username"]))
            except InvalidTag:
                continue
            others = sum(1 for s in self.user_slots() if s["user_id"] == slot["user_id"]) - 1
            return UnlockResult(key, slot["user_id"], slot["username"],
                                password_verifier(derived, slot["user_id"]), [],
                                slot.get("id", ""), others, derived), others
        return None, 0

    def unlock(self, username: str, password: str, *, now: float | None = None) -> UnlockResult:
        """The database key for ``username``/``password``, or WrongPassword / LoginThrottled.

        The whole attempt (the delay check, the password, the count) runs under the key
        file's lock on a fresh read: attempts made at the same time by several processes
        wait for each other and each one is counted. A success resets only this user's
        count; the events still to be audited are in ``failures`` of the answer.
        """
        with key_file_lock(self.path):
            self.data = self._read(self.path)
            self._throttle(username, now)
            result, _others = self._open_slots(username, password)
            if result is None:
                self._fail(username, now)
                raise WrongPassword(_("The user name or the password is wrong."))
            if self.data["failures"].pop(username.strip().lower(), None):
                self.save()
        result.failures = [dict(e) for e in self.data.get("pending_audit", [])]
        return result

    def queue_audit(self, action: str, username: str, user_id: str | None,
                    detail: dict | None = None, now: float | None = None) -> None:
        """Keep a login event for the audit log when the database is busy (see login)."""
        event: dict[str, Any] = {"action": action, "username": username, "user_id": user_id,
                 "at": _stamp(time.time() if now is None else now)}
        if detail:
            event["detail"] = detail
        self._update(lambda data: self._queue(data, event))

    def audited(self, event_ids: list[str]) -> None:
        """The events ``event_ids`` are in the audit log now: drop them from the queue."""
        if not event_ids:
            return
        done = set(event_ids)

        def change(data: dict) -> None:
            data["pending_audit"] = [e for e in data.get("pending_audit", [])
                                     if e.get("id") not in done]
        self._update(change)

    def unlock_with_recovery(self, recovery_text: str) -> bytes:
        raw = parse_recovery_key(recovery_text)
        for slot in self.data["slots"]:
            if slot["kind"] != "recovery":
                continue
            wrapping = _derive_recovery_key(raw, _unb64(slot["salt"]))
            try:
                return AESGCM(wrapping).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]),
                                                self._aad("recovery", None, None))
            except InvalidTag:
                break
        raise WrongPassword(_("The recovery key is wrong."))

    # -- secrets wrapped beside the database key (the administrators' signing key) --------
    def _user_slot(self, user_id: str) -> dict | None:
        """The user's newest slot (during a password change the new one sits after the old)."""
        found = [s for s in self.user_slots() if s["user_id"] == user_id]
        return found[-1] if found else None

    @staticmethod
    def _purpose_key(base: bytes, purpose: str) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                    info=b"hamroh slot secret " + purpose.encode("ascii")).derive(base)

    def derive_for_user(self, user_id: str, password: str) -> bytes | None:
        """The password-derived key of ``user_id``'s slot (None: no slot)."""
        slot = self._user_slot(user_id)
        if slot is None:
            return None
        return derive_password_key(password, _unb64(slot["salt"]), slot["kdf"])

    def wrap_for_user(self, user_id: str, derived: bytes, purpose: str, secret: bytes) -> None:
        """Keep ``secret`` in ``user_id``'s slot, opened by the same password (``derived``).

        ``set_user`` writes a new slot without it: wrap again after a password is set."""
        nonce = secrets.token_bytes(12)
        aad = json.dumps([FORMAT, purpose, user_id]).encode("utf-8")
        entry = {"nonce": _b64(nonce), "wrapped": _b64(
            AESGCM(self._purpose_key(derived, purpose)).encrypt(nonce, secret, aad))}

        def change(_data: dict) -> None:
            slot = self._user_slot(user_id)
            if slot is None:
                raise NoKeyFile(_("The key file has no entry for this user."))
            slot[purpose] = entry
        self._update(change)

    def unwrap_for_user(self, user_id: str, derived: bytes, purpose: str) -> bytes | None:
        slot = self._user_slot(user_id)
        entry = (slot or {}).get(purpose)
        if not entry or not derived:
            return None
        aad = json.dumps([FORMAT, purpose, user_id]).encode("utf-8")
        try:
            return AESGCM(self._purpose_key(derived, purpose)).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["wrapped"]), aad)
        except InvalidTag:
            return None

    def _recovery_entry(self) -> dict | None:
        return next((s for s in self.data["slots"] if s["kind"] == "recovery"), None)

    def wrap_for_recovery(self, recovery_text: str, purpose: str, secret: bytes) -> None:
        """Keep ``secret`` in the recovery slot too (the recovery key opens it)."""
        def change(_data: dict) -> None:
            slot = self._recovery_entry()
            if slot is None:
                raise NoKeyFile(_("The key file has no recovery entry."))
            base = _derive_recovery_key(parse_recovery_key(recovery_text), _unb64(slot["salt"]))
            nonce = secrets.token_bytes(12)
            aad = json.dumps([FORMAT, purpose, "recovery"]).encode("utf-8")
            slot[purpose] = {"nonce": _b64(nonce), "wrapped": _b64(
                AESGCM(self._purpose_key(base, purpose)).encrypt(nonce, secret, aad))}
        self._update(change)

    def unwrap_for_recovery(self, recovery_text: str, purpose: str) -> bytes | None:
        slot = self._recovery_entry()
        entry = (slot or {}).get(purpose)
        if slot is None or not entry:
            return None
        base = _derive_recovery_key(parse_recovery_key(recovery_text), _unb64(slot["salt"]))
        aad = json.dumps([FORMAT, purpose, "recovery"]).encode("utf-8")
        try:
            return AESGCM(self._purpose_key(base, purpose)).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["wrapped"]), aad)
        except InvalidTag:
            return None

    # -- demo databases only
    def set_demo_login(self, username: str, password: str) -> None:
        """Demo databases carry their documented administrator login for ``hamroh --demo``."""
        self.data["demo_login"] = {"username": username, "password": password}
        self.save()

    def demo_login(self) -> tuple[str, str] | None:
        entry = self.data.get("demo_login")
        return (entry["username"], entry["password"]) if entry else None


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# ---- keys remembered in this process (kept in store.db, which every connection uses) ------
remember_key = dbmod.remember_key
forget_key = dbmod.forget_key
known_key = dbmod.known_key
forget_all_keys = dbmod.forget_all_keys


def encrypting_name(db_path) -> Path:
    """Where ``encrypt_existing`` builds the encrypted copy (and its key file) before the swap."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".encrypting")


def _has_plain_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(16) == dbmod.SQLITE_HEADER


def finish_interrupted_encryption(db_path) -> bool:
    """Finish an encryption that was cut between its two renames; True if it did.

    ``encrypt_existing`` completes the encrypted copy and its key file under
    :func:`encrypting_name`, renames the key file into place and then the copy. Found
    with the plain file, the new key file in place and the copy still beside it, the copy
    is complete (its key file was renamed only once it was): the second rename is done now.
    Before the first rename nothing is done: the plain file is still the database (the
    next encryption clears the copy).
    """
    db_path = Path(db_path)
    staged = encrypting_name(db_path)
    if not staged.exists() or key_file_for(staged).exists() \
            or not key_file_for(db_path).exists():
        return False
    if not db_path.exists() or not _has_plain_header(db_path) or _has_plain_header(staged):
        return False
    for side in ("-wal", "-shm"):
        Path(str(db_path) + side).unlink(missing_ok=True)
    files.replace(staged, db_path)
    return True


def is_encrypted_file(path) -> bool:
    """True for an existing non-empty file without the plain SQLite header."""
    path = Path(path)
    finish_interrupted_encryption(path)
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb") as fh:
        return fh.read(16) != dbmod.SQLITE_HEADER


def key_without_login(path) -> bytes | None:
    """The key of ``path`` if it was unlocked in this process, or of a demo database
    (whose administrator password is published); else None."""
    key = known_key(path)
    if key is not None or not is_encrypted_file(path) or not KeyFile.exists_for(path):
        return key
    try:
        kf = KeyFile.for_database(path)
    except KeyProblem:
        return None
    demo = kf.demo_login()
    if demo is None:
        return None
    key = kf.unlock(*demo).key
    remember_key(path, key)
    return key


def new_demo_key(path) -> bytes:
    key = new_database_key()
    remember_key(path, key)
    return key


# ---- opening for code that has no login (tests, tools) -------------------------------------
def copy_database(source, target) -> Path:
    """Copy a database file with its key file (and remember the key of the copy)."""
    source, target = Path(source), Path(target)
    files.copy_atomic(source, target)
    if KeyFile.exists_for(source):
        files.copy_atomic(key_file_for(source), key_file_for(target))
    key = known_key(source)
    if key is not None:
        remember_key(target, key)
    return target
