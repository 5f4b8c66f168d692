"""The sensitive-case key: sealed fields that only the roles allowed can open.

Every user's password unwraps the same database key, so a field officer holding it can
read every column with an SQLite tool. Sensitive case content is therefore sealed a
second time, with an X25519 key pair that is the same in the whole organisation:

* the **private key** is derived (argon2id) from the organisation's *sensitive-case
  passphrase*, which administrators type once per database; it is then wrapped (like the
  signing key) only in the key slots of users whose role may read sensitive cases
  (:data:`READERS`), and unwrapped at their login for the session (:func:`held`);
* the **public key** is in ``meta`` (``sensitive_public_key``), so that *anyone* — a
  field officer taking a hotline call, an import run by any user — can seal a field
  without being able to open it again;
* a sealed field is ``hs1:`` + base64(ephemeral public key | nonce | AES-256-GCM
  ciphertext), the key from X25519 + HKDF-SHA256, the table, record id and field as
  associated data (a sealed value moved to another record or field does not open).

Sync carries sealed values as they are (bundles are encrypted end to end besides), so an
office and the coordinator exchange sensitive cases without either importer holding the
key, and last-writer-wins treats a sealed value like any other. See docs/dev/security.md,
"Sensitive-case key", for what is wired and what is not yet.
"""
from __future__ import annotations

import base64
import json
import os
import weakref

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from desktop_app.i18n import Domain
from desktop_app.store.security import keys
from desktop_app.store.security.keys import KeyFile, KeyProblem
from desktop_app.store.session import Session, get_meta, set_meta

DOMAIN = Domain("security")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

PURPOSE = "sensitive"                 # the entry in a key slot that wraps the private key
META_PUBLIC = "sensitive_public_key"
PREFIX = "hs1:"
READERS = frozenset({"administrator", "coordinator", "case_worker"})
PASSPHRASE_MIN_LENGTH = 12            # characters, spaces at either end not counted
# what is sealed of a sensitive case: the caller, what happened, how it ended, and the
# texts hanging off it (timeline entries, follow-up results, referral answers)
SEALED_FIELDS = {"hotline_case": ("caller_name", "caller_phone", "summary", "outcome_notes"),
                 "case_event": ("text",),
                 "case_followup": ("result",),
                 "case_referral": ("answer",)}
# the tables of texts about a case (``case_id``), sealed when their case is sensitive
CASE_TEXT_TABLES = ("case_event", "case_followup", "case_referral")
# the same passphrase gives the same key pair in every office: the salt is fixed
_SALT = b"hamroh sensitive-case key, v1"
_INFO = b"hamroh sealed field v1"
_PUBLIC_BYTES = 32
_NONCE_BYTES = 12


class SealBroken(KeyProblem):
    """A sealed value that does not open with the key (damaged, moved, or another key)."""


class WrongSensitivePassphrase(KeyProblem):
    pass


def may_hold(role: str) -> bool:
    return role in READERS


def long_enough(passphrase: str) -> bool:
    return len(passphrase.strip()) >= PASSPHRASE_MIN_LENGTH


def key_from_passphrase(passphrase: str) -> X25519PrivateKey:
    if not long_enough(passphrase):
        raise WrongSensitivePassphrase(_(
            "The sensitive-case passphrase must have at least 12 characters."))
    params = keys.kdf_params()
    raw = hash_secret_raw(passphrase.strip().encode("utf-8"), _SALT,
                          time_cost=int(params["t"]), memory_cost=int(params["m"]),
                          parallelism=int(params["p"]), hash_len=32, type=Type.ID)
    return X25519PrivateKey.from_private_bytes(raw)


def _raw_public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_text(key: X25519PrivateKey) -> str:
    return base64.b64encode(_raw_public(key)).decode("ascii")


def fingerprint(public: str) -> str:
    """Short groups administrators compare between offices (the same passphrase gives
    the same fingerprint everywhere)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(base64.b64decode(public))
    text = base64.b32encode(digest.finalize()[:10]).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def private_bytes(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_key(conn) -> str | None:
    return get_meta(conn, META_PUBLIC)


# ---- sealing --------------------------------------------------------------------------------
def _aad(table: str, record_id: str, field: str) -> bytes:
    return "\x1f".join((table, record_id, field)).encode("utf-8")


def _field_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=_INFO).derive(shared)


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(public: str, table: str, record_id: str, field: str, value: str) -> str:
    """``value`` sealed for the holders of the private key of ``public``."""
    recipient = base64.b64decode(public)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = _raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_field_key(shared, ephemeral_public, recipient)).encrypt(
        nonce, value.encode("utf-8"), _aad(table, record_id, field))
    return PREFIX + base64.b64encode(ephemeral_public + nonce + sealed).decode("ascii")


def open_sealed(key: X25519PrivateKey, table: str, record_id: str, field: str,
                text: str) -> str:
    try:
        raw = base64.b64decode(text[len(PREFIX):], validate=True)
        ephemeral = raw[:_PUBLIC_BYTES]
        nonce = raw[_PUBLIC_BYTES:_PUBLIC_BYTES + _NONCE_BYTES]
        shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        return AESGCM(_field_key(shared, ephemeral, _raw_public(key))).decrypt(
            nonce, raw[_PUBLIC_BYTES + _NONCE_BYTES:], _aad(table, record_id, field)
        ).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
        raise SealBroken(_("A sensitive field of this case cannot be opened with this "
                           "organisation's key.")) from exc


def seal_fields(conn, table: str, record_id: str, values: dict) -> dict:
    """``values`` with the fields of :data:`SEALED_FIELDS` sealed (already sealed and empty
    values are left as they are); unchanged when this database has no public key yet."""
    public = public_key(conn)
    if public is None:
        return values
    sealed = dict(values)
    for field in SEALED_FIELDS.get(table, ()):
        value = sealed.get(field)
        if isinstance(value, str) and value and not is_sealed(value):
            sealed[field] = seal(public, table, record_id, field, value)
    return sealed


# ---- the key held by a session ----------------------------------------------------------------
_HELD: "weakref.WeakKeyDictionary[Session, X25519PrivateKey]" = weakref.WeakKeyDictionary()


def hold(session: Session, key: X25519PrivateKey | None) -> None:
    if key is not None:
        _HELD[session] = key


def held(session: Session) -> X25519PrivateKey | None:
    return _HELD.get(session)


def reveal(session: Session, table: str, record_id: str, field: str, value):
    """What ``session``'s user may read of a stored value: plain values as they are, a
    sealed one opened with the key the user holds, else None (not theirs to read)."""
    if not is_sealed(value):
        return value
    key = held(session)
    if key is None:
        return None
    return open_sealed(key, table, record_id, field, value)


# ---- setting up and handing out the key -----------------------------------------------------
def check_same_key(conn, key: X25519PrivateKey) -> None:
    """WrongSensitivePassphrase unless ``key`` is this database's key or it has none yet."""
    known = public_key(conn)
    if known is not None and known != public_text(key):
        raise WrongSensitivePassphrase(_(
            "This is not the sensitive-case passphrase this database was set up with."))


def set_up(conn, kf: KeyFile, admin_id: str, derived: bytes,
           passphrase: str) -> X25519PrivateKey:
    """Derive the organisation's key from ``passphrase``, keep its public half in ``meta``
    and wrap it for administrator ``admin_id``. A database that has a public key already
    takes only the same passphrase."""
    key = key_from_passphrase(passphrase)
    check_same_key(conn, key)
    kf.wrap_for_user(admin_id, derived, PURPOSE, private_bytes(key))
    set_meta(conn, META_PUBLIC, public_text(key))
    return key


def grant(kf: KeyFile, key: X25519PrivateKey | None, user_id: str, role: str,
          derived: bytes) -> bool:
    """Wrap the key in ``user_id``'s slot if their role may read sensitive cases and the
    granting session holds it; True if it was wrapped."""
    if key is None or not may_hold(role):
        return False
    kf.wrap_for_user(user_id, derived, PURPOSE, private_bytes(key))
    return True


def unwrap_at_login(conn, kf: KeyFile, user_id: str, role: str,
                    derived: bytes) -> X25519PrivateKey | None:
    """The key from the user's slot, if their role (as signed and checked by the login)
    may hold it and it is this database's key; else None."""
    if not may_hold(role):
        return None
    raw = kf.unwrap_for_user(user_id, derived, PURPOSE)
    if raw is None:
        return None
    key = X25519PrivateKey.from_private_bytes(raw)
    return key if public_text(key) == public_key(conn) else None


# ---- records as a user may read them, and writes that keep what they cannot read ------------
UNREADABLE = "_sealed_unreadable"     # in a revealed record: the fields its reader cannot open


def reveal_record(session: Session, table: str, record: dict | None) -> dict | None:
    """``record`` with its sealed fields opened for ``session``'s user; the ones they cannot
    open are None and listed under :data:`UNREADABLE`."""
    if record is None:
        return None
    out = dict(record)
    hidden = []
    for field in SEALED_FIELDS.get(table, ()):
        value = out.get(field)
        if not is_sealed(value):
            continue
        try:
            out[field] = reveal(session, table, str(record["id"]), field, value)
        except SealBroken:
            out[field] = None
        if out[field] is None:
            hidden.append(field)
    out[UNREADABLE] = hidden
    return out


def unreadable_message() -> str:
    return _("Parts of this case are sealed (the caller, what happened, the notes on the "
             "outcome, the timeline, follow-up results and referral answers): only case "
             "workers, coordinators and administrators can read them.")


def waiting_notice(names: list[str]) -> str:
    """Told to administrators while readers wait for the key (:func:`readers_waiting`)."""
    return ngettext(
        "{names} may read sensitive cases but does not have the sensitive-case key yet, "
        "and will not get it without a new password. Reset this user's password: the key "
        "comes with the next login.",
        "{names} may read sensitive cases but do not have the sensitive-case key yet, and "
        "will not get it without a new password. Reset these users' passwords: the key "
        "comes with their next login.", len(names)).format(names=", ".join(names))


def backup_warning() -> str:
    """Said after the set-up: its backup was written before the sealing."""
    return _("This backup still holds the sensitive cases unsealed: keep it where only "
             "administrators can reach it, or delete it.")


def sealed_placeholder() -> str:
    """What a timeline entry, follow-up result or referral answer sealed for the reader
    shows instead of its text."""
    return _("(sealed: for case workers, coordinators and administrators)")


def sealed_short() -> str:
    """A sealed value in a short cell (the audit log, the Sync page's conflicts)."""
    return _("(sealed)")


def reveal_rows(session: Session, table: str, rows: list[dict]) -> list[dict]:
    """Rows of ``table`` as ``session``'s user may read them: sealed texts opened, or
    :func:`sealed_placeholder` for those they cannot open."""
    shown = []
    for row in rows:
        out = reveal_record(session, table, row) or row
        for field in out.pop(UNREADABLE, ()):
            out[field] = sealed_placeholder()
        shown.append(out)
    return shown


def keep_sealed(session: Session, table: str, before: dict, changes: dict) -> dict:
    """The changes an update really makes to sealed fields: a sealed value its user cannot
    open is left as it is (they cannot have meant to change what they could not read), and
    one they opened and sent back unchanged is not sealed again. The plain values of the
    fields that are sealed come along, so that a case that becomes sensitive has them
    sealed by the validation."""
    fields = SEALED_FIELDS.get(table, ())
    out = {f: before.get(f) for f in fields
           if isinstance(before.get(f), str) and before.get(f) and not is_sealed(before.get(f))}
    out.update(changes)
    for field in fields:
        if field not in changes or not is_sealed(before.get(field)):
            continue
        try:
            opened = reveal(session, table, str(before["id"]), field, before[field])
        except SealBroken:
            opened = None
        sent = changes[field]
        if opened is None or (sent or "").strip() == opened.strip():
            del out[field]
    return out



def plain_sensitive_case_ids(conn) -> list[str]:
    """Sensitive cases that still have a plain value in a field that is sealed."""
    fields = SEALED_FIELDS["hotline_case"]
    plain = " OR ".join(f"({f} IS NOT NULL AND {f} != '' AND {f} NOT LIKE '{PREFIX}%')"
                        for f in fields)
    return [r[0] for r in conn.execute(
        f"SELECT id FROM hotline_case WHERE sensitive=1 AND deleted=0 AND ({plain})")]


# ---- handing the key to readers who already have a password ----------------------------------
# An administrator can wrap the key into a user's slot only while they know that user's
# password (add user, reset password). For the others each reader has a *box*: an X25519
# pair, the private half wrapped in their slot, the public half in the key file. An
# administrator's session that holds the key seals it to the boxes of readers whose role
# is signed (a *grant*, in the key file); the reader's next login opens the grant, wraps
# the key in their own slot and deletes the grant.
# Anyone with the database key can write the key file, so a published box proves nothing:
# only a box an administrator signed gets a grant. An administrator signs the box they make
# while they know the reader's password (add user, reset password); a box made by the
# reader's own login stays unsigned and gets nothing.
BOX = "sensitive_box"
BOX_FORMAT = "hamroh-sensitive-box-1"
GRANT_AAD = ("sensitive_grant", "key")


def _section(kf: KeyFile) -> dict:
    return kf.data.get("sensitive") or {}


def _update_section(kf: KeyFile, change) -> None:
    def apply(data: dict) -> None:
        section = data.setdefault("sensitive", {})
        section.setdefault("boxes", {})
        section.setdefault("grants", {})
        section.setdefault("box_signatures", {})
        change(section)
    kf._update(apply)  # noqa: SLF001 - the key file's one locked read-change-write


def _has_key_wrapped(kf: KeyFile, user_id: str) -> bool:
    slots = [s for s in kf.user_slots() if s["user_id"] == user_id]
    return bool(slots and slots[-1].get(PURPOSE))


def box_statement(user_id: str, public: str) -> dict:
    """What an administrator signs of a reader's box."""
    return {"format": BOX_FORMAT, "user_id": user_id, "box": public}


def box_signature(kf: KeyFile, user_id: str) -> str | None:
    return (_section(kf).get("box_signatures") or {}).get(user_id)


def _publish_box(kf: KeyFile, user_id: str, box: X25519PrivateKey,
                 signature: str | None) -> None:
    def publish(section: dict) -> None:
        section["boxes"][user_id] = public_text(box)
        section["grants"].pop(user_id, None)       # sealed to an older box
        if signature is None:
            section["box_signatures"].pop(user_id, None)   # signed an older box
        else:
            section["box_signatures"][user_id] = signature
    _update_section(kf, publish)


def ensure_box(kf: KeyFile, user_id: str, role: str, derived: bytes) -> X25519PrivateKey | None:
    """The reader's box key (made unsigned, and its public half published, at first need).
    A box that opens keeps its signature; its public half is published again if someone
    replaced it in the key file."""
    if not may_hold(role):
        return None
    raw = kf.unwrap_for_user(user_id, derived, BOX)
    if raw is not None:
        box = X25519PrivateKey.from_private_bytes(raw)
        if (_section(kf).get("boxes") or {}).get(user_id) != public_text(box):
            def republish(section: dict) -> None:
                section["boxes"][user_id] = public_text(box)
                section["grants"].pop(user_id, None)
            _update_section(kf, republish)
        return box
    box = X25519PrivateKey.generate()
    kf.wrap_for_user(user_id, derived, BOX, private_bytes(box))
    _publish_box(kf, user_id, box, None)
    return box


def signed_box(kf: KeyFile, user_id: str, role: str, derived: bytes, sign) -> bool:
    """A new box for a reader whose password the administrator knows (``derived``), its
    public half signed with ``sign(statement) -> signature``; True if one was made."""
    if not may_hold(role):
        return False
    box = X25519PrivateKey.generate()
    kf.wrap_for_user(user_id, derived, BOX, private_bytes(box))
    _publish_box(kf, user_id, box, sign(box_statement(user_id, public_text(box))))
    return True


def grant_pending(conn, kf: KeyFile, key: X25519PrivateKey, role_is_signed,
                  box_is_signed) -> int:
    """Seal ``key`` to the box of every active reader who has neither the key nor a
    grant; ``role_is_signed(user_id)`` keeps out a role set outside Hamroh,
    ``box_is_signed(statement, signature)`` a box no administrator signed. Returns how
    many grants were made."""
    boxes = _section(kf).get("boxes") or {}
    grants = _section(kf).get("grants") or {}
    raw = base64.b64encode(private_bytes(key)).decode("ascii")
    made = {}
    for user_id, role in conn.execute(
            "SELECT id, role FROM app_user WHERE active=1 AND deleted=0"):
        if not may_hold(role) or user_id not in boxes or user_id in grants \
                or _has_key_wrapped(kf, user_id) or not role_is_signed(user_id) \
                or not box_is_signed(box_statement(user_id, boxes[user_id]),
                                     box_signature(kf, user_id)):
            continue
        made[user_id] = seal(boxes[user_id], GRANT_AAD[0], user_id, GRANT_AAD[1], raw)
    if made:
        _update_section(kf, lambda section: section["grants"].update(made))
    return len(made)


def readers_waiting(conn, kf: KeyFile, role_is_signed, box_is_signed) -> list[str]:
    """Active readers who will not get the key without a password reset: the database
    has the key, their slot does not hold it, no grant waits for them and they have no
    box an administrator signed (``box_is_signed(statement, signature)``, with a role
    ``role_is_signed(user_id)``) that the next administrator login holding the key
    would seal it to (a box made by their own login:
    a role changed to a reading one, a user who arrived by sync, a box lost with a slot;
    or no slot here at all). Their ids, by user name."""
    if public_key(conn) is None:
        return []
    section = _section(kf)
    boxes = section.get("boxes") or {}
    grants = section.get("grants") or {}
    waiting = []
    for user_id, role in conn.execute(
            "SELECT id, role FROM app_user WHERE active=1 AND deleted=0"
            " ORDER BY username COLLATE NOCASE"):
        if not may_hold(role) or user_id in grants or _has_key_wrapped(kf, user_id):
            continue
        if user_id in boxes and role_is_signed(user_id) \
                and box_is_signed(box_statement(user_id, boxes[user_id]),
                                  box_signature(kf, user_id)):
            continue
        waiting.append(user_id)
    return waiting


def take_grant(conn, kf: KeyFile, user_id: str, role: str,
               derived: bytes) -> X25519PrivateKey | None:
    """At a reader's login: the key from a grant made for them, now wrapped in their slot."""
    grant = (_section(kf).get("grants") or {}).get(user_id)
    box = ensure_box(kf, user_id, role, derived)
    if not grant or box is None:
        return None
    try:
        raw = base64.b64decode(open_sealed(box, GRANT_AAD[0], user_id, GRANT_AAD[1], grant))
        key = X25519PrivateKey.from_private_bytes(raw)
    except (SealBroken, ValueError):
        key = None
    if key is not None and public_text(key) == public_key(conn):
        kf.wrap_for_user(user_id, derived, PURPOSE, private_bytes(key))
    else:
        key = None
    _update_section(kf, lambda section: section["grants"].pop(user_id, None))
    return key


# ---- texts of sensitive cases in sync conflicts ---------------------------------------------
def conflict_is_sensitive(conn, table: str, record_id: str, field: str) -> bool:
    """True when the conflict is about a text that is sealed on a sensitive case (the
    caller, what happened, the notes; timeline texts, follow-up results, referral
    answers), whether or not its values are sealed."""
    if field not in SEALED_FIELDS.get(table, ()):
        return False
    if table == "hotline_case":
        row = conn.execute("SELECT sensitive FROM hotline_case WHERE id=?",
                           (record_id,)).fetchone()
    else:
        row = conn.execute(f"SELECT c.sensitive FROM {table} t JOIN hotline_case c"
                           f" ON c.id = t.case_id WHERE t.id=?", (record_id,)).fetchone()
    return bool(row and row[0])


def seal_conflicts(conn, bundle_id: str | None = None,
                   records: dict[str, list[str]] | None = None) -> int:
    """Seal the plain values of sensitive texts in conflict (from an office without the
    key), when this database has the key: those of one import's conflicts, those about
    ``records`` (table -> record ids), or all. Returns how many values were sealed."""
    public = public_key(conn)
    if public is None:
        return 0
    tables = sorted(SEALED_FIELDS)
    sql = (f"SELECT id, table_name, record_id, field, winner_value, loser_value"
           f" FROM sync_conflict WHERE table_name IN ({','.join('?' * len(tables))})")
    args: list = list(tables)
    if bundle_id is not None:
        sql += " AND bundle_id=?"
        args.append(bundle_id)
    if records is not None:
        found = []
        for table, ids in records.items():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                found += conn.execute(
                    sql + f" AND table_name=? AND record_id IN ({','.join('?' * len(chunk))})",
                    [*args, table, *chunk]).fetchall()
    else:
        found = conn.execute(sql, args).fetchall()
    sealed = 0
    for cid, table, record_id, field, *stored in found:
        if not conflict_is_sensitive(conn, table, record_id, field):
            continue
        values = [json.loads(v) if v else None for v in stored]
        plain = [isinstance(v, str) and v != "" and not is_sealed(v) for v in values]
        if not any(plain):
            continue
        values = [seal(public, table, record_id, field, v) if isinstance(v, str) and p else v
                  for v, p in zip(values, plain, strict=True)]
        conn.execute("UPDATE sync_conflict SET winner_value=?, loser_value=? WHERE id=?",
                     (*(json.dumps(v, ensure_ascii=False) for v in values), cid))
        sealed += sum(plain)
    return sealed
