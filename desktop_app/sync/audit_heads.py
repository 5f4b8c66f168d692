"""Each bundle carries its device's audit-log head, so that whoever imports it notices a
log that was cut short or rewritten since an earlier bundle (see docs/dev/security.md,
"Audit heads in bundles").

What a bundle carries (in its manifest, which the sender's device key signs with the rest
of the file): ``signing.office_audit_head`` (the head now, the last anchor an
administrator signed and the public key that signed it) and *checkpoints*: the hash the
chain has now at the head of each of the last bundles this device sent, and at the
signed anchor. The importer keeps, per sending device, the last head it accepted
(``meta`` key ``audit_head_seen:<device>``) and asks of a newer bundle: does its chain
still have, at the old head's entry, the hash seen then? A log cut short, deleted,
rewritten and re-chained, or restored from an older copy answers no.
"""
from __future__ import annotations

import json
from typing import Any

from desktop_app.i18n import Domain
from desktop_app.store.audit import GENESIS
from desktop_app.store.security import signing
from desktop_app.store.session import get_meta, set_meta

DOMAIN = Domain("sync")
_ = DOMAIN.gettext

SENT_KEY = "audit_heads_sent"          # seqs of the heads this device's bundles carried
SEEN_PREFIX = "audit_head_seen:"       # + sending device id: the last head accepted here
KEEP_SENT = 32
AUDIT_ACTION = "sync_audit_warning"


# ---- the sending side -------------------------------------------------------------------
def _sent_seqs(conn) -> list[int]:
    try:
        seqs = json.loads(get_meta(conn, SENT_KEY) or "[]")
    except ValueError:
        return []
    return [int(s) for s in seqs if isinstance(s, int)][-KEEP_SENT:]


def _hash_at(conn, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = conn.execute("SELECT hash FROM audit_log WHERE seq=?", (seq,)).fetchone()
    return row[0] if row else None


def outgoing(conn) -> dict:
    """What the next bundle carries about this device's audit log."""
    head = signing.office_audit_head(conn, signing.key_file_of(conn))
    statement = (head.get("anchor") or {}).get("statement") or {}
    seqs = set(_sent_seqs(conn)) | {int(head["head"]["seq"])}
    if statement:
        seqs.add(int(statement.get("seq") or 0))
    return {**head, "checkpoints": {str(seq): _hash_at(conn, seq) for seq in sorted(seqs)}}


def remember_sent(conn, audit: dict) -> None:
    """After a bundle is written: its head is one whose hash later bundles carry too."""
    seqs = [s for s in _sent_seqs(conn) if s != int(audit["head"]["seq"])]
    seqs.append(int(audit["head"]["seq"]))
    set_meta(conn, SENT_KEY, json.dumps(seqs[-KEEP_SENT:]))


# ---- the receiving side -----------------------------------------------------------------
def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _well_formed(audit: Any) -> dict | None:
    if not isinstance(audit, dict) or not isinstance(audit.get("head"), dict):
        return None
    checkpoints = audit.get("checkpoints")
    audit = dict(audit)
    audit["checkpoints"] = {str(k): v for k, v in checkpoints.items()} \
        if isinstance(checkpoints, dict) else {}
    if not isinstance(audit.get("anchor"), dict):
        audit["anchor"] = None
    return audit


def _seen(conn, device_id: str) -> dict | None:
    try:
        seen = json.loads(get_meta(conn, SEEN_PREFIX + device_id) or "null")
    except ValueError:
        return None
    return seen if isinstance(seen, dict) else None


def head_problems(seen: dict | None, received: dict | None,
                  created_at: str) -> tuple[list[str], bool]:
    """The problem codes of ``received`` against ``seen`` (both as kept here), and whether
    ``received`` is newer than ``seen`` (then it becomes the head kept).

    Codes: ``missing`` (no head where earlier bundles had one), ``truncated`` (shorter
    than before, or than its signed anchor), ``deleted`` (entries missing between the old
    head and the new), ``rewritten`` (an entry seen before, or signed, has another hash),
    ``unproven`` (the chain's hash at the old head is not given), ``key_changed``,
    ``anchor_invalid``, ``anchor_older``.
    """
    if received is None:
        return (["missing"] if seen and seen.get("head") else []), False
    codes = [p.code for p in signing.check_office_head(
        None, received, (seen or {}).get("public_key"))]
    checkpoints = received["checkpoints"]
    statement = (received.get("anchor") or {}).get("statement") or {}
    signed_seq = str(_int(statement.get("seq")))
    if statement and signed_seq in checkpoints \
            and checkpoints[signed_seq] != statement.get("hash"):
        codes.append("rewritten")
    if not seen or not seen.get("head"):
        return codes, True
    if created_at < str(seen.get("created_at") or ""):
        # an older bundle arriving late: its head must be one the newer bundle vouched for
        head = received["head"]
        vouched = (seen.get("checkpoints") or {}).get(str(_int(head.get("seq"))))
        if vouched is not None and vouched != head.get("hash"):
            codes.append("rewritten")
        return codes, False
    codes += _against_seen(seen, received, statement)
    return list(dict.fromkeys(codes)), True


def _against_seen(seen: dict, received: dict, statement: dict) -> list[str]:
    """Does the newer ``received`` continue the chain whose head was ``seen``?"""
    codes = []
    head, checkpoints, old = received["head"], received["checkpoints"], seen["head"]
    seq, count = _int(head.get("seq")), _int(head.get("count"))
    old_seq, old_count = _int(old.get("seq")), _int(old.get("count"))
    if seq < old_seq:
        codes.append("truncated")
    elif seq == old_seq:
        if head.get("hash") != old.get("hash"):
            codes.append("rewritten")
    elif str(old_seq) not in checkpoints:
        codes.append("unproven")
    elif checkpoints[str(old_seq)] != old.get("hash"):
        codes.append("rewritten")
    if seq >= old_seq and count - old_count < seq - old_seq:
        codes.append("deleted")
    old_statement = (seen.get("anchor") or {}).get("statement") or {}
    if _int(statement.get("seq")) < _int(old_statement.get("seq")):
        codes.append("anchor_older")
    return codes


def problem_message(code: str, device: str, office: str) -> str:
    what = {
        "missing": _("The bundle from device {device} of office {office} carries no audit "
                     "log head, although its earlier bundles did."),
        "truncated": _("The audit log of device {device} of office {office} is shorter than "
                       "in its earlier bundles: entries at its end were deleted, or its "
                       "database was put back to an older copy."),
        "deleted": _("Entries of the audit log of device {device} of office {office} were "
                     "deleted since its earlier bundle."),
        "rewritten": _("The audit log of device {device} of office {office} was rewritten: "
                       "entries already received, or signed by its administrator, have "
                       "changed."),
        "unproven": _("The bundle from device {device} of office {office} cannot show that "
                      "its audit log continues the one received before; it may have been "
                      "rewritten."),
        "key_changed": _("The administrators' signing key of device {device} of office "
                         "{office} is not the one its earlier bundles carried."),
        "anchor_invalid": _("The administrator's signature on the audit log of device "
                            "{device} of office {office} is not valid."),
        "anchor_older": _("The audit log of device {device} of office {office} carries an "
                          "older administrator's signature than before: its database was "
                          "put back to an older copy."),
    }.get(code)
    if what is None:
        what = _("The audit log of device {device} of office {office} does not continue the "
                 "one received before.")
    return what.format(device=device, office=office)


def warning_text(messages: list[str], office: str) -> str:
    return " ".join(messages) + " " + _(
        "The bundle was imported; this warning is kept in the audit log here. Ask office "
        "{office} what happened to its log before trusting what it says.").format(
            office=office)


def check_incoming(session, header, manifest: dict, actor_id: str | None) -> list[str]:
    """Inside the import's transaction: compare the bundle's audit head with the last one
    accepted from its device, keep the newer head, and audit and return the warnings
    (translated sentences; empty when the log continues the one seen before)."""
    conn = session.conn
    sender = header.sender
    device_id = str(sender.get("device_id") or "")
    if not device_id:
        return []
    seen = _seen(conn, device_id)
    received = _well_formed(manifest.get("audit"))
    codes, newer = head_problems(seen, received, str(header.created_at))
    if received is not None and newer:
        pinned = (seen or {}).get("public_key") or received.get("public_key")
        set_meta(conn, SEEN_PREFIX + device_id, json.dumps({
            "head": received["head"], "anchor": received.get("anchor"),
            "checkpoints": received["checkpoints"], "public_key": pinned,
            "created_at": str(header.created_at), "bundle_id": header.bundle_id}))
    if not codes:
        return []
    device = str(sender.get("name") or device_id)
    office = str(sender.get("office_code") or "?")
    session.audit.record(actor_id, AUDIT_ACTION, None, None, detail={
        "bundle_id": header.bundle_id, "from_device": device_id, "office": office,
        "problems": codes, "head": (received or {}).get("head"),
        "previous_head": (seen or {}).get("head")})
    return [warning_text([problem_message(code, device, office) for code in codes], office)]
