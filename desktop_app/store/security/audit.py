"""Reading the audit log (viewer, CLI): filters, action labels, chain breaks in words.

Audit rows are local and hash-chained per database; ``store.audit.verify_chain`` checks
the chain and :func:`break_message` says what a break means.
"""
from __future__ import annotations

from dataclasses import dataclass

from desktop_app.i18n import N_, Domain
from desktop_app.store.audit import ChainBreak
from desktop_app.store.db import row_dict
from desktop_app.store.security import signing
from desktop_app.store.security.keys import KeyFile, KeyProblem

DOMAIN = Domain("security")
_ = DOMAIN.gettext

ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "erase": N_("Erased personal data"),
    "login": N_("Logged in"),
    "sync_audit_warning": N_("Audit log of another office not continued"),
    "logout": N_("Logged out"),
    "unlock": N_("Unlocked the window"),
    "failed_unlock": N_("Wrong password at the lock screen"),
    "failed_login": N_("Wrong password"),
    "recovery_login": N_("Opened with the recovery key"),
    "change_password": N_("Changed own password"),
    "reset_password": N_("Reset a password"),
    "new_recovery_key": N_("Made a new recovery key"),
    "view_sensitive": N_("Opened a sensitive record"),
    "export": N_("Exported"),
    "export_person": N_("Exported a person's data"),
    "import": N_("Imported"),
    "verify_audit": N_("Checked the audit log"),
    "encrypt_database": N_("Encrypted the database"),
    "sync_create": N_("Received (new)"),
    "sync_update": N_("Received (changed)"),
    "signing_set_up": N_("Set up the administrators' signing key"),
    "audit_accepted": N_("Accepted the audit log as it is (new signature)"),
    "sync_import": N_("Imported a sync bundle"),
    "sync_conflict_resolve": N_("Settled a sync conflict"),
    "sync_passphrase_set": N_("Set the sync passphrase"),
    "sync_device_trust": N_("Trusted a device"),
    "sync_device_revoke": N_("Revoked a device"),
    "demo_generate": N_("Made the demo data"),
    "drill_down": N_("Opened the records behind a report figure"),
    "employer_merge": N_("Merged two employers"),
    "export_case_pdf": N_("Printed a case"),
    "override_consent": N_("Went ahead without consent"),
    "repair_search": N_("Repaired the search index"),
    "db_compact": N_("Compacted the database"),
    "db_restore_schema": N_("Restored the database's indexes and triggers"),
}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def break_message(item: ChainBreak) -> str:
    return {
        "missing rows before this one": _("entries before this one were deleted"),
        "previous hash does not match": _("the link to the previous entry is broken"),
        "row content was changed": _("the content of this entry was changed"),
        "signed rows missing at the end": _(
            "the log ends before this entry, which an administrator signed: entries at the "
            "end were deleted"),
        "signed rows missing": _("entries up to this one, which an administrator signed, "
                                 "were deleted"),
        "signed head differs": _("this entry is not the one an administrator signed: the "
                                 "log was rewritten"),
        "anchor missing": _("the administrators' signature of the log is missing from the "
                            "key file"),
        "anchor signature invalid": _("the administrators' signature of the log is not "
                                      "valid"),
        "signing key replaced": _("the signing key in the database is not the one in the "
                                  "key file"),
        "role not signed": _("the role of {name} is not the one an administrator signed "
                             "here (changed outside Hamroh, or received from another "
                             "office): confirm it with hamroh user role").format(
                                 name=item.subject),
    }.get(item.reason, item.reason)


def verify_log(conn, db_path) -> list[ChainBreak]:
    """Every break of the chain, and what the administrators' signed anchor adds."""
    try:
        kf = KeyFile.for_database(db_path) if KeyFile.exists_for(db_path) else None
    except KeyProblem:
        kf = None
    return signing.verify_log(conn, kf)


def sign_as_it_is(session, db_path) -> bool:
    """An administrator accepts the log as it is now (after restoring a backup on purpose):
    the old anchor is kept in the log as the entry's detail, then the head is signed."""
    key = signing.held(session)
    if key is None or not KeyFile.exists_for(db_path):
        return False
    kf = KeyFile.for_database(db_path)
    old = signing.section(kf).get("anchor")
    session.log("audit_accepted", detail={"previous_anchor": (old or {}).get("statement")})
    signing.sign_anchor(session.conn, kf, key, session.actor.user_id)
    return True


def sign_if_intact(session, db_path) -> bool:
    """An administrator's check signs a new anchor when nothing is broken."""
    if signing.held(session) is None or not KeyFile.exists_for(db_path):
        return False
    return signing.sign_anchor_if_intact(session, KeyFile.for_database(db_path))


@dataclass
class AuditFilter:
    action: str | None = None
    username: str | None = None
    table_name: str | None = None
    record_id: str | None = None
    since: str | None = None       # ISO date or timestamp
    until: str | None = None
    text: str | None = None


def _where(flt: AuditFilter) -> tuple[str, list]:
    clauses, params = [], []
    if flt.action:
        clauses.append("a.action = ?")
        params.append(flt.action)
    if flt.username:
        clauses.append("u.username = ?")
        params.append(flt.username)
    if flt.table_name:
        clauses.append("a.table_name = ?")
        params.append(flt.table_name)
    if flt.record_id:
        clauses.append("a.record_id = ?")
        params.append(flt.record_id)
    if flt.since:
        clauses.append("a.at >= ?")
        params.append(flt.since)
    if flt.until:
        clauses.append("a.at < ?")
        params.append(flt.until + ("T99" if len(flt.until) == 10 else ""))
    if flt.text:
        clauses.append("(a.detail LIKE ? OR a.record_id LIKE ?)")
        params += [f"%{flt.text}%", f"%{flt.text}%"]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_entries(conn, flt: AuditFilter | None = None, limit: int = 200,
                  offset: int = 0) -> list[dict]:
    where, params = _where(flt or AuditFilter())
    cur = conn.execute(
        "SELECT a.seq, a.at, a.user_id, u.username, a.device_id, a.action, a.table_name,"
        " a.record_id, a.before, a.after, a.detail FROM audit_log a"
        " LEFT JOIN app_user u ON u.id = a.user_id" + where +
        " ORDER BY a.seq DESC LIMIT ? OFFSET ?", (*params, limit, offset))
    cols = [d[0] for d in cur.description]
    return [row_dict(cols, r) for r in cur]


def audit_actions(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
