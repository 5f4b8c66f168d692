"""The sensitive-case key: sealed fields open only with the key, which only the roles
allowed to read sensitive cases hold (docs/dev/security.md, "Sensitive-case key")."""
from __future__ import annotations

import pytest

from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.conftest import TEST_PASSWORD

PASSPHRASE = "olma-gilos-anor-shaftoli"
SUMMARY = "Трафик: паспортро корфармо гирифтааст"


def _admin(db_path):
    keys.forget_key(db_path)
    return security.login(db_path, "admin", TEST_PASSWORD)


def _set_up(db_path):
    admin = _admin(db_path)
    kf = keys.KeyFile.for_database(db_path)
    derived = kf.derive_for_user(admin.actor.user_id, TEST_PASSWORD)
    key = sensitive.set_up(admin.conn, kf, admin.actor.user_id, derived, PASSPHRASE)
    sensitive.hold(admin, key)
    return admin


def _log_in(db_path, username: str, password: str):
    keys.forget_key(db_path)
    return security.login(db_path, username, password)


def test_a_sealed_field_opens_only_with_the_key_and_only_where_it_was_sealed():
    key = sensitive.key_from_passphrase(PASSPHRASE)
    public = sensitive.public_text(key)
    sealed = sensitive.seal(public, "hotline_case", "case-1", "summary", SUMMARY)
    assert sensitive.is_sealed(sealed) and "паспорт" not in sealed
    assert sensitive.open_sealed(key, "hotline_case", "case-1", "summary", sealed) == SUMMARY
    with pytest.raises(sensitive.SealBroken):        # moved to another case
        sensitive.open_sealed(key, "hotline_case", "case-2", "summary", sealed)
    with pytest.raises(sensitive.SealBroken):        # moved to another field
        sensitive.open_sealed(key, "hotline_case", "case-1", "caller_name", sealed)
    other = sensitive.key_from_passphrase("another-long-passphrase")
    with pytest.raises(sensitive.SealBroken):
        sensitive.open_sealed(other, "hotline_case", "case-1", "summary", sealed)


def test_the_same_passphrase_gives_the_same_key_in_every_office():
    office = sensitive.key_from_passphrase(PASSPHRASE)
    coordinator = sensitive.key_from_passphrase("  " + PASSPHRASE + " ")
    assert sensitive.public_text(office) == sensitive.public_text(coordinator)
    sealed = sensitive.seal(sensitive.public_text(office), "hotline_case", "c", "summary", "x")
    assert sensitive.open_sealed(coordinator, "hotline_case", "c", "summary", sealed) == "x"
    with pytest.raises(sensitive.WrongSensitivePassphrase):
        sensitive.key_from_passphrase("short")


def test_only_roles_allowed_get_the_key_and_a_key_holder_without_it_reads_nothing(db_path):
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    public = sensitive.public_key(admin.conn)
    sealed = sensitive.seal_fields(admin.conn, "hotline_case", "case-1",
                                   {"summary": SUMMARY, "category": "trafficking",
                                    "caller_name": ""})
    assert sensitive.is_sealed(sealed["summary"]) and sealed["category"] == "trafficking"
    assert sealed["caller_name"] == ""
    admin.conn.close()

    worker = _log_in(db_path, "malika", "worker-pass-1")
    assert sensitive.held(worker) is not None
    assert sensitive.reveal(worker, "hotline_case", "case-1", "summary",
                            sealed["summary"]) == SUMMARY
    worker.conn.close()

    officer = _log_in(db_path, "jamshed", "field-pass-1")
    # the field officer holds the database key (any SQL is open to them) but not this one
    assert officer.db_key is not None and sensitive.held(officer) is None
    assert sensitive.reveal(officer, "hotline_case", "case-1", "summary",
                            sealed["summary"]) is None
    assert sensitive.public_key(officer.conn) == public       # they can still seal
    kf = keys.KeyFile.for_database(db_path)
    officer_slot = [s for s in kf.user_slots() if s["username"] == "jamshed"][0]
    assert sensitive.PURPOSE not in officer_slot
    officer.conn.close()


def test_the_key_survives_a_password_change_and_a_reset(db_path):
    admin = _set_up(db_path)
    security.UserAdmin(admin, db_path).add_user("malika", "worker-pass-1", "case_worker")
    admin.conn.close()
    worker = _log_in(db_path, "malika", "worker-pass-1")
    security.UserAdmin(worker, db_path).change_own_password("worker-pass-1", "worker-pass-2")
    worker.conn.close()
    assert sensitive.held(_log_in(db_path, "malika", "worker-pass-2")) is not None
    admin = _admin(db_path)
    assert sensitive.held(admin) is not None                  # unwrapped at login
    user_id = admin.conn.execute("SELECT id FROM app_user WHERE username='malika'").fetchone()[0]
    security.UserAdmin(admin, db_path).reset_password(user_id, "temporary-pass-3")
    admin.conn.close()
    assert sensitive.held(_log_in(db_path, "malika", "temporary-pass-3")) is not None


def test_a_database_takes_only_its_own_passphrase(db_path):
    admin = _set_up(db_path)
    kf = keys.KeyFile.for_database(db_path)
    derived = kf.derive_for_user(admin.actor.user_id, TEST_PASSWORD)
    with pytest.raises(sensitive.WrongSensitivePassphrase):
        sensitive.set_up(admin.conn, kf, admin.actor.user_id, derived, "not-the-same-phrase")
    admin.conn.close()
