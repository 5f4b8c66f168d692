"""Reading the audit log (viewer, CLI) and handing it to sync.

Audit rows are local and hash-chained per database. Sync carries them to the coordinator
with :func:`audit_rows_since`: the exporter passes the last ``seq`` it sent (its mark) and
puts the rows it gets into the bundle; the coordinator stores them with
:func:`store_remote_audit` in ``remote_audit`` keyed by (device, seq), so each office's
chain can be checked there too (:func:`verify_remote_chain`).
"""
from __future__ import annotations

from dataclasses import dataclass

from desktop_app.i18n import N_, Domain
from desktop_app.store.audit import ChainBreak, GENESIS, row_hash

DOMAIN = Domain("security")
_ = DOMAIN.gettext

AUDIT_COLUMNS = ("seq", "id", "at", "user_id", "device_id", "action", "table_name",
                 "record_id", "before", "after", "detail", "prev_hash", "hash")
ACTION_LABELS = {
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "erase": N_("Erased personal data"),
    "login": N_("Logged in"),
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
}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def break_message(item: ChainBreak) -> str:
    return {
        "missing rows before this one": _("entries before this one were deleted"),
        "previous hash does not match": _("the link to the previous entry is broken"),
        "row content was changed": _("the content of this entry was changed"),
    }.get(item.reason, item.reason)


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
    return [dict(zip(cols, r)) for r in cur]


def audit_actions(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def audit_rows_since(conn, mark: int = 0, limit: int = 50_000) -> tuple[list[dict], int]:
    """Audit rows with ``seq > mark`` (oldest first) and the new mark, for sync bundles."""
    cur = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE seq > ?"
                       " ORDER BY seq LIMIT ?", (mark, limit))
    rows = [dict(zip(AUDIT_COLUMNS, r)) for r in cur]
    return rows, (rows[-1]["seq"] if rows else mark)


REMOTE_TABLE = """CREATE TABLE IF NOT EXISTS remote_audit (
    device_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL,
    user_id TEXT, action TEXT NOT NULL, table_name TEXT, record_id TEXT, before TEXT,
    after TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (device_id, seq))"""


def store_remote_audit(conn, rows: list[dict]) -> int:
    """Keep another device's audit rows (idempotent); run inside the importer's transaction."""
    conn.execute(REMOTE_TABLE)
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO remote_audit(device_id, seq, id, at, user_id, action, table_name,"
        " record_id, before, after, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(r["device_id"], r["seq"], r["id"], r["at"], r["user_id"], r["action"],
          r["table_name"], r["record_id"], r["before"], r["after"], r["detail"],
          r["prev_hash"], r["hash"]) for r in rows])
    return conn.total_changes - before


def verify_remote_chain(conn, device_id: str) -> list[ChainBreak]:
    conn.execute(REMOTE_TABLE)
    breaks, prev, expected = [], None, None
    for (seq, row_id, at, user_id, action, table_name, record_id, before, after, detail,
         prev_hash, digest) in conn.execute(
            "SELECT seq, id, at, user_id, action, table_name, record_id, before, after, detail,"
            " prev_hash, hash FROM remote_audit WHERE device_id=? ORDER BY seq", (device_id,)):
        if expected is not None and seq != expected:
            breaks.append(ChainBreak(seq, "missing rows before this one"))
        if prev is None and seq == 1 and prev_hash != GENESIS:
            breaks.append(ChainBreak(seq, "previous hash does not match"))
        expected = seq + 1
        if prev is not None and prev_hash != prev:
            breaks.append(ChainBreak(seq, "previous hash does not match"))
        if row_hash(prev_hash, row_id, at, user_id, device_id, action, table_name, record_id,
                    before, after, detail) != digest:
            breaks.append(ChainBreak(seq, "row content was changed"))
        prev = digest
    return breaks
