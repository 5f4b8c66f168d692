"""Signed role grants and the signed audit anchor (issue 16, items 5 and 6)."""
from __future__ import annotations

import pytest

from desktop_app.store.audit import GENESIS, row_hash, verify_chain
from desktop_app.store.security import accounts, keys, signing
from desktop_app.store.security.audit import verify_log

PASSWORD = "test-password-1"


def _admin(db_path):
    return accounts.login(db_path, "admin", PASSWORD)


def _with_field_officer(db_path):
    session = _admin(db_path)
    accounts.UserAdmin(session, db_path).add_user("ali", "field-pass-123", "field_officer")
    session.conn.close()
    keys.forget_key(db_path)


def _raw(db_path):
    """The database opened with its key and no login (what a key holder can do)."""
    from desktop_app.store import db as dbmod
    return dbmod.connect(db_path, keys.KeyFile.for_database(db_path).unlock(
        "admin", PASSWORD).key, wal=False)


def _recompute(conn):
    """Rewrite every hash so the chain holds again (no secret needed)."""
    prev = GENESIS
    rows = conn.execute("SELECT seq, id, at, user_id, device_id, action, table_name, record_id,"
                        " before, after, detail FROM audit_log ORDER BY seq").fetchall()
    for seq, *rest in rows:
        digest = row_hash(prev, *rest)
        conn.execute("UPDATE audit_log SET prev_hash=?, hash=? WHERE seq=?", (prev, digest, seq))
        prev = digest


def _breaks(db_path):
    conn = _raw(db_path)
    try:
        return [b.reason for b in verify_log(conn, db_path)]
    finally:
        conn.close()


def test_a_new_database_is_signed_and_intact(db_path):
    _admin(db_path).conn.close()
    kf = keys.KeyFile.for_database(db_path)
    assert signing.is_set_up(kf) and signing.section(kf)["anchor"]
    assert _breaks(db_path) == []


@pytest.mark.parametrize("tamper", ["delete_last", "delete_all", "edit_recompute",
                                    "delete_renumber"])
def test_tampering_the_log_is_found_by_the_signed_anchor(db_path, tamper):
    _with_field_officer(db_path)
    _admin(db_path).conn.close()                 # signs the anchor over every row so far
    conn = _raw(db_path)
    last = conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    if tamper == "delete_last":
        conn.execute("DELETE FROM audit_log WHERE seq > ?", (last - 2,))
    elif tamper == "delete_all":
        conn.execute("DELETE FROM audit_log")
    elif tamper == "edit_recompute":
        conn.execute("UPDATE audit_log SET action='nothing' WHERE seq=2")
        _recompute(conn)
    else:
        conn.execute("DELETE FROM audit_log WHERE seq=2")
        conn.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")
        _recompute(conn)
    assert verify_chain(conn), tamper           # the viewer's and db check's verifier too
    conn.close()
    assert _breaks(db_path), tamper
    # an administrator logging in afterwards does not sign the tampered log as good
    _admin(db_path).conn.close()
    assert _breaks(db_path), tamper


def test_the_unsigned_tail_after_the_anchor_is_checked_as_a_chain(db_path):
    _admin(db_path).conn.close()
    conn = _raw(db_path)
    conn.execute("UPDATE audit_log SET action='x' WHERE seq=(SELECT MAX(seq) FROM audit_log)")
    conn.close()
    assert "row content was changed" in _breaks(db_path)


def test_a_role_set_outside_hamroh_does_not_log_in(db_path):
    _with_field_officer(db_path)
    conn = _raw(db_path)
    conn.execute("UPDATE app_user SET role='administrator' WHERE username='ali'")
    conn.close()
    with pytest.raises(accounts.LoginFailed, match="not the one an administrator signed"):
        accounts.login(db_path, "ali", "field-pass-123")
    keys.forget_key(db_path)
    assert "role not signed" in _breaks(db_path)           # audit verify is not "intact"
    conn = _raw(db_path)
    why = conn.execute("SELECT detail FROM audit_log WHERE action='failed_login' ORDER BY seq"
                       " DESC LIMIT 1").fetchone()[0]
    conn.close()
    assert "role not signed" in why


def test_a_role_changed_by_an_administrator_logs_in(db_path):
    _with_field_officer(db_path)
    session = _admin(db_path)
    admin = accounts.UserAdmin(session, db_path)
    admin.set_role(next(u["id"] for u in admin.list_users() if u["username"] == "ali"),
                   "case_worker")
    session.conn.close()
    keys.forget_key(db_path)
    ali = accounts.login(db_path, "ali", "field-pass-123")
    assert ali.actor.role == "case_worker"
    ali.conn.close()


def test_a_replaced_signing_key_is_refused(db_path):
    _with_field_officer(db_path)
    kf = keys.KeyFile.for_database(db_path)
    forged = signing.new_key()
    conn = _raw(db_path)
    conn.execute("UPDATE app_user SET role='administrator' WHERE username='ali'")
    conn.execute("UPDATE meta SET value=? WHERE key=?", (signing.public_text(forged),
                                                      signing.META_PUBLIC))
    kf.data["signing"]["public"] = signing.public_text(forged)
    kf.save()
    signing.sign_all_grants(conn, kf, forged)
    conn.close()
    # the forger's own grant now verifies, but the administrator's key is not the published one
    with pytest.raises(accounts.LoginFailed, match="signing key"):
        accounts.login(db_path, "admin", PASSWORD)


def test_an_older_database_gets_signatures_at_the_next_administrator_login(db_path):
    kf = keys.KeyFile.for_database(db_path)
    kf.data.pop("signing")
    kf.save()
    conn = _raw(db_path)
    conn.execute("DELETE FROM meta WHERE key=?", (signing.META_PUBLIC,))
    conn.close()
    assert _breaks(db_path) == []              # nothing to check against yet
    session = _admin(db_path)
    assert signing.held(session) is not None
    session.conn.close()
    assert signing.is_set_up(keys.KeyFile.for_database(db_path))
    conn = _raw(db_path)
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action='signing_set_up'"
                        ).fetchone()[0] == 1
    conn.close()


def test_password_changes_and_recovery_keep_the_signing_key(db_path, template_recovery_key):
    session = _admin(db_path)
    accounts.UserAdmin(session, db_path).change_own_password(PASSWORD, "new-admin-pass-1")
    session.conn.close()
    keys.forget_key(db_path)
    session = accounts.login(db_path, "admin", "new-admin-pass-1")
    assert signing.held(session) is not None
    session.conn.close()
    keys.forget_key(db_path)
    session = accounts.recover(db_path, template_recovery_key, "admin", "third-pass-123")
    assert signing.held(session) is not None
    session.conn.close()


def test_the_coordinator_finds_a_truncated_or_rewritten_office_log(db_path):
    session = _admin(db_path)
    kf = keys.KeyFile.for_database(db_path)
    first = signing.office_audit_head(session.conn, kf)
    pinned = first["public_key"]
    assert signing.check_office_head(None, first, pinned) == []
    session.log("export")
    second = signing.office_audit_head(session.conn, kf)
    assert signing.check_office_head(first, second, pinned) == []
    session.conn.execute("DELETE FROM audit_log WHERE seq=(SELECT MAX(seq) FROM audit_log)")
    session.conn.execute("DELETE FROM audit_log WHERE seq=(SELECT MAX(seq) FROM audit_log)")
    third = signing.office_audit_head(session.conn, kf)
    assert {p.code for p in signing.check_office_head(second, third, pinned)} >= {"truncated"}
    forged = dict(second, public_key=signing.public_text(signing.new_key()))
    assert "key_changed" in {p.code for p in signing.check_office_head(first, forged, pinned)}
    session.conn.close()


def test_an_administrator_accepts_a_restored_log_and_the_old_anchor_stays_in_it(db_path,
                                                                              monkeypatch,
                                                                              capsys):
    from desktop_app.cli import main as hamroh
    _admin(db_path).conn.close()
    conn = _raw(db_path)
    conn.execute("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 2 FROM audit_log)")
    conn.close()
    assert _breaks(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", PASSWORD)
    base = ["--db", str(db_path), "--user", "admin"]

    def run(*argv):
        keys.forget_key(db_path)            # each command logs in, as in its own process
        return hamroh([*argv, *base])
    assert run("audit", "verify") == 1
    assert run("audit", "sign") == 0
    assert run("audit", "verify") == 0, capsys.readouterr().out
    conn = _raw(db_path)
    kept = conn.execute("SELECT detail FROM audit_log WHERE action='audit_accepted'").fetchone()
    conn.close()
    assert "previous_anchor" in kept[0]
