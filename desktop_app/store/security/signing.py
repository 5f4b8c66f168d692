"""The administrators' signing key: signed role grants and the signed audit anchor.

Every user's password unwraps the same database key, so whoever logs in can also change
the file with any SQLite tool. What they cannot do without an administrator's password is
sign. One Ed25519 key per database (the *signing key*) is wrapped in each administrator's
key slot (and in the recovery slot); its public half is kept in the key file and in the
database's ``meta`` table. It signs:

* **role grants** — ``{user id, user name, role, office, active}`` of every user, written
  when an administrator adds a user or changes a role or access. ``login`` refuses a user
  whose row does not match a valid grant (a role set outside Hamroh);
* **the audit anchor** — ``{database, last seq, number of rows, head hash}`` of the audit
  chain, kept in the key file (outside the log), signed at every administrator login and
  ``hamroh audit verify``. ``verify_log`` finds rows deleted at the end or everywhere, a
  chain recomputed after an edit, rows deleted and renumbered, up to the anchor.

A database made before signing existed gets its key at the next administrator login
(:func:`set_up_if_missing`); the grants signed then are the roles as they are at that
moment. See docs/dev/security.md for what this answers and what it does not.
"""
from __future__ import annotations

import base64
import json
import weakref
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from desktop_app.store.audit import (
    GENESIS,
    ChainBreak,
    register_chain_check,
    row_hash,
    utc_now,
    verify_chain,
)
from desktop_app.store.security.keys import KeyFile, KeyProblem
from desktop_app.store.session import Session, get_meta, set_meta

PURPOSE = "signing"            # the entry in a key slot that wraps the private key
META_PUBLIC = "signing_public_key"
GRANT_FORMAT = "hamroh-role-grant"
ANCHOR_FORMAT = "hamroh-audit-anchor"
HEAD_FORMAT = "hamroh-audit-head"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(statement: dict) -> bytes:
    return json.dumps(statement, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def public_text(key: Ed25519PrivateKey) -> str:
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def load_private(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(key: Ed25519PrivateKey, statement: dict) -> str:
    return _b64(key.sign(_canonical(statement)))


def verify(public: str | None, statement: dict, signature: str | None) -> bool:
    if not public or not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
            base64.b64decode(signature), _canonical(statement))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# ---- the key an administrator's login unwrapped, held for their session ------------------
_HELD: "weakref.WeakKeyDictionary[Session, Ed25519PrivateKey]" = weakref.WeakKeyDictionary()


def hold(session: Session, key: Ed25519PrivateKey | None) -> None:
    if key is not None:
        _HELD[session] = key


def held(session: Session) -> Ed25519PrivateKey | None:
    return _HELD.get(session)


# ---- the key file's signing section ---------------------------------------------------------
def section(kf: KeyFile) -> dict:
    return kf.data.get("signing") or {}


def public_key(kf: KeyFile) -> str | None:
    return section(kf).get("public")


def is_set_up(kf: KeyFile) -> bool:
    return bool(public_key(kf))


def _write_section(kf: KeyFile, **values) -> None:
    """Change the signing section on the key file as it is on disk now (another process
    may have counted a wrong password since ``kf`` was read), and in ``kf``."""
    def change(data: dict) -> None:
        data["signing"] = {**(data.get("signing") or {}), **values}
    kf._update(change)  # noqa: SLF001 - the key file's one locked read-change-write


def set_up(conn, kf: KeyFile, admin_id: str, derived: bytes,
           recovery_text: str | None = None) -> Ed25519PrivateKey:
    """A new signing key for this database, wrapped for administrator ``admin_id``."""
    key = new_key()
    kf.wrap_for_user(admin_id, derived, PURPOSE, private_bytes(key))
    if recovery_text:
        kf.wrap_for_recovery(recovery_text, PURPOSE, private_bytes(key))
    _write_section(kf, public=public_text(key), grants={}, anchor=None)
    set_meta(conn, META_PUBLIC, public_text(key))
    sign_all_grants(conn, kf, key)
    return key


def unwrap(kf: KeyFile, user_id: str, derived: bytes) -> Ed25519PrivateKey | None:
    """The signing key from ``user_id``'s slot if it is there and matches the published key."""
    raw = kf.unwrap_for_user(user_id, derived, PURPOSE)
    if raw is None:
        return None
    key = load_private(raw)
    return key if public_text(key) == public_key(kf) else None


def wrap_for(kf: KeyFile, key: Ed25519PrivateKey, user_id: str, derived: bytes) -> None:
    kf.wrap_for_user(user_id, derived, PURPOSE, private_bytes(key))


# ---- at login ------------------------------------------------------------------------------
ADMIN = "administrator"


def check_at_login(conn, kf: KeyFile, user_id: str, role: str, derived: bytes) -> str:
    """What the signatures say about a login that passed the password checks:
    ``ok``, ``refused`` (the role is not the signed one), ``set_up`` (an older database got
    its signing key now), ``key_mismatch`` (the administrator's key is not the published
    one: the key file or the database was changed), ``unsigned`` (no signatures yet).
    An administrator's signing key is held for the session by :func:`finish_login`."""
    if not is_set_up(kf):
        return "set_up" if role == ADMIN else "unsigned"
    if not grant_holds(conn, kf, user_id):
        return "refused"
    if role == ADMIN and kf.unwrap_for_user(user_id, derived, PURPOSE) is not None \
            and unwrap(kf, user_id, derived) is None:
        return "key_mismatch"
    return "ok"


def finish_login(session: Session, kf: KeyFile, status: str, derived: bytes) -> None:
    """After the login row: hold an administrator's key and sign a new anchor when the log
    is intact since the last one (a broken log keeps its old anchor as evidence)."""
    actor = session.actor
    if actor.role != ADMIN:
        return
    if status == "set_up":
        key = set_up(session.conn, kf, actor.user_id, derived)
        hold(session, key)
        sign_anchor(session.conn, kf, key, actor.user_id)
        return
    hold(session, unwrap(kf, actor.user_id, derived))
    sign_anchor_if_intact(session, kf)


def sign_anchor_if_intact(session: Session, kf: KeyFile) -> bool:
    key = held(session)
    if key is None or recent_breaks(session.conn, kf):
        return False
    sign_anchor(session.conn, kf, key, session.actor.user_id)
    return True


# ---- role grants ------------------------------------------------------------------------
def grant_statement(row: dict) -> dict:
    return {"format": GRANT_FORMAT, "user_id": row["id"], "username": row["username"],
            "role": row["role"], "office_id": row.get("office_id"),
            "active": int(row.get("active") or 0), "deleted": int(row.get("deleted") or 0)}


def _user_rows(conn, user_id: str | None = None) -> list[dict]:
    sql = "SELECT id, username, role, office_id, active, deleted FROM app_user"
    cur = conn.execute(sql + (" WHERE id=?" if user_id else ""), (user_id,) if user_id else ())
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


def sign_grant(conn, kf: KeyFile, key: Ed25519PrivateKey, user_id: str) -> None:
    grants = dict(section(kf).get("grants") or {})
    for row in _user_rows(conn, user_id):
        grants[row["id"]] = sign(key, grant_statement(row))
    _write_section(kf, grants=grants)


def sign_all_grants(conn, kf: KeyFile, key: Ed25519PrivateKey) -> None:
    _write_section(kf, grants={row["id"]: sign(key, grant_statement(row))
                               for row in _user_rows(conn)})


def grant_holds(conn, kf: KeyFile, user_id: str) -> bool:
    """True when the user's row matches a grant signed by this database's signing key
    (and the key in the database is the key in the key file)."""
    public = public_key(kf)
    if public is None or get_meta(conn, META_PUBLIC) != public:
        return False
    rows = _user_rows(conn, user_id)
    signature = (section(kf).get("grants") or {}).get(user_id)
    return bool(rows) and verify(public, grant_statement(rows[0]), signature)


# ---- the audit anchor and head ------------------------------------------------------------
def audit_head(conn) -> dict:
    """Where the audit chain ends now: ``{database, seq, count, hash}`` (not signed)."""
    seq, count = conn.execute("SELECT MAX(seq), count(*) FROM audit_log").fetchone()
    row = conn.execute("SELECT hash FROM audit_log WHERE seq=?", (seq,)).fetchone() \
        if seq is not None else None
    return {"format": HEAD_FORMAT, "database": get_meta(conn, "device_id"),
            "seq": seq or 0, "count": count, "hash": row[0] if row else GENESIS}


def sign_anchor(conn, kf: KeyFile, key: Ed25519PrivateKey, by: str | None = None) -> dict:
    """Sign the chain's head now and keep it in the key file (outside the log)."""
    statement = {**audit_head(conn), "format": ANCHOR_FORMAT, "at": utc_now(), "by": by}
    anchor = {"statement": statement, "signature": sign(key, statement)}
    _write_section(kf, anchor=anchor)
    return anchor


def anchor_breaks(conn, kf: KeyFile | None) -> list[ChainBreak]:
    """What the signed anchor says is wrong with the log (empty: nothing)."""
    if kf is None or not is_set_up(kf):
        return []
    public = public_key(kf)
    if get_meta(conn, META_PUBLIC) != public:
        return [ChainBreak(0, "signing key replaced")]
    anchor = section(kf).get("anchor")
    if not anchor:
        return [ChainBreak(0, "anchor missing")]
    statement = anchor.get("statement") or {}
    if not verify(public, statement, anchor.get("signature")):
        return [ChainBreak(0, "anchor signature invalid")]
    return _compare_with_anchor(conn, statement)


def _compare_with_anchor(conn, statement: dict) -> list[ChainBreak]:
    seq, count, digest = int(statement["seq"]), int(statement["count"]), statement["hash"]
    if seq == 0:
        return []
    last = conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0] or 0
    if last < seq:
        return [ChainBreak(seq, "signed rows missing at the end")]
    found = conn.execute("SELECT hash FROM audit_log WHERE seq=?", (seq,)).fetchone()
    up_to = conn.execute("SELECT count(*) FROM audit_log WHERE seq<=?", (seq,)).fetchone()[0]
    breaks = []
    if up_to != count:
        breaks.append(ChainBreak(seq, "signed rows missing"))
    if found is None or found[0] != digest:
        breaks.append(ChainBreak(seq, "signed head differs"))
    return breaks


def recent_breaks(conn, kf: KeyFile) -> list[ChainBreak]:
    """The anchor's checks and the chain from the anchor on (what a login can afford to
    check before it signs a new anchor; ``verify_log`` reads the whole chain)."""
    breaks = anchor_breaks(conn, kf)
    if breaks:
        return breaks
    statement = (section(kf).get("anchor") or {}).get("statement") or {}
    start = int(statement.get("seq") or 0)
    prev = statement.get("hash") or GENESIS
    expected = start + 1 if start else None
    for row in conn.execute(
            "SELECT seq, id, at, user_id, device_id, action, table_name, record_id, before,"
            " after, detail, prev_hash, hash FROM audit_log WHERE seq>? ORDER BY seq",
            (start,)):
        seq, digest = row[0], row[12]
        if expected is not None and seq != expected:
            breaks.append(ChainBreak(seq, "missing rows before this one"))
        if row[11] != prev:
            breaks.append(ChainBreak(seq, "previous hash does not match"))
        if row_hash(row[11], *row[1:11]) != digest:
            breaks.append(ChainBreak(seq, "row content was changed"))
        expected, prev = seq + 1, digest
    return breaks


def grant_breaks(conn, kf: KeyFile | None) -> list[ChainBreak]:
    """Users whose role, office or access is not the one an administrator signed here."""
    if kf is None or not is_set_up(kf):
        return []
    grants = section(kf).get("grants") or {}
    public = public_key(kf)
    return [ChainBreak(0, "role not signed", row["username"]) for row in _user_rows(conn)
            if row["id"] in grants
            and not verify(public, grant_statement(row), grants[row["id"]])]


def verify_log(conn, kf: KeyFile | None) -> list[ChainBreak]:
    """The chain's breaks, the signed anchor's (``verify_chain`` runs
    :func:`anchor_check`) and users whose role is not the signed one."""
    return verify_chain(conn) + grant_breaks(conn, kf)


def _key_file_of(conn) -> KeyFile | None:
    main = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not main or not KeyFile.exists_for(main):
        return None
    try:
        return KeyFile.for_database(main)
    except KeyProblem:
        return None


key_file_of = _key_file_of      # the key file beside the database ``conn`` has open, if any


def anchor_check(conn) -> list[ChainBreak]:
    """``store.audit.verify_chain``'s check against the anchor in the database's key file."""
    return anchor_breaks(conn, _key_file_of(conn))


register_chain_check(anchor_check)


# ---- heads carried by bundles (sync calls these; see docs/dev/security.md) -----------------
def office_audit_head(conn, kf: KeyFile | None) -> dict:
    """What a bundle carries about its office's audit log: the head now and the last
    anchor an administrator signed, with the public key that signed it."""
    signing = section(kf) if kf is not None else {}
    return {"head": audit_head(conn), "anchor": signing.get("anchor"),
            "public_key": signing.get("public")}


@dataclass
class HeadProblem:
    code: str         # key_changed, anchor_invalid, anchor_rewritten, anchor_older, truncated
    detail: str


def check_office_head(previous: dict | None, received: dict,
                      pinned_public_key: str | None) -> list[HeadProblem]:
    """At the coordinator: does ``received`` (``office_audit_head`` of a new bundle) follow
    from ``previous`` (the last one accepted from the same database)? The first public key
    seen is pinned by the caller and passed as ``pinned_public_key``."""
    problems: list[HeadProblem] = []
    public = received.get("public_key")
    if pinned_public_key and public != pinned_public_key:
        problems.append(HeadProblem("key_changed", "the office's signing key changed"))
    anchor = received.get("anchor")
    statement = (anchor or {}).get("statement") or {}
    if anchor and not verify(pinned_public_key or public, statement, anchor.get("signature")):
        problems.append(HeadProblem("anchor_invalid", "the anchor's signature is not valid"))
    head = received.get("head") or {}
    if int(head.get("seq") or 0) < int(statement.get("seq") or 0):
        problems.append(HeadProblem("truncated", "the log ends before its signed anchor"))
    if previous:
        problems += _against_previous(previous, head, statement)
    return problems


def _against_previous(previous: dict, head: dict, statement: dict) -> list[HeadProblem]:
    problems = []
    old_head = previous.get("head") or {}
    old_statement = (previous.get("anchor") or {}).get("statement") or {}
    if int(head.get("seq") or 0) < int(old_head.get("seq") or 0) or \
            int(head.get("count") or 0) < int(old_head.get("count") or 0):
        problems.append(HeadProblem("truncated", "the log is shorter than in an earlier bundle"))
    if head.get("seq") == old_head.get("seq") and head.get("hash") != old_head.get("hash"):
        problems.append(HeadProblem("anchor_rewritten", "the same entry has another hash"))
    if int(statement.get("seq") or 0) < int(old_statement.get("seq") or 0):
        problems.append(HeadProblem("anchor_older", "the signed anchor went back"))
    elif statement.get("seq") == old_statement.get("seq") and \
            statement.get("hash") != old_statement.get("hash"):
        problems.append(HeadProblem("anchor_rewritten", "the signed anchor was rewritten"))
    return problems
