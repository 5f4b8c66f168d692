"""Encryption at rest: key slots, recovery key, throttling, nothing readable in the file."""
import json
import multiprocessing
import sqlite3
import time

import pytest

from desktop_app.store import db as dbmod
from desktop_app.store.access import open_database
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys
from desktop_app.store.security.policy import RolePolicy
from tests.conftest import TEST_PASSWORD


def _add_worker(db_path, username="dilnoza", password="worker-pass-1", role="case_worker"):
    session = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(session, db_path).add_user(username, password, role)
    session.conn.close()


def test_each_user_unlocks_and_gets_own_role(db_path):
    _add_worker(db_path)
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    assert admin.actor.role == "administrator"
    admin.conn.close()
    keys.forget_key(db_path)
    worker = security.login(db_path, "dilnoza", "worker-pass-1")
    assert worker.actor.username == "dilnoza" and worker.actor.role == "case_worker"
    assert isinstance(worker.policy, RolePolicy)
    actions = [r[0] for r in worker.conn.execute(
        "SELECT action FROM audit_log WHERE user_id=? ORDER BY seq", (worker.actor.user_id,))]
    assert actions[-1] == "login"


def test_wrong_password_does_not_unlock_and_is_audited_later(db_path):
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "admin", "not-the-password")
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "nobody", TEST_PASSWORD)
    keys.forget_all_keys()
    with pytest.raises(dbmod.DatabaseError):
        open_database(db_path)          # no key known: stays locked
    session = security.login(db_path, "admin", TEST_PASSWORD)
    failed = session.conn.execute(
        "SELECT detail FROM audit_log WHERE action='failed_login' ORDER BY seq").fetchall()
    assert [json.loads(d[0])["username"] for d in failed] == ["admin", "nobody"]
    # the counter was reset by the successful login
    assert keys.KeyFile.for_database(db_path).wait_seconds("admin") == 0


def test_growing_delay_after_wrong_passwords(db_path):
    kf = keys.KeyFile.for_database(db_path)
    now = 1_000_000.0
    for _ in range(keys.FREE_ATTEMPTS):
        with pytest.raises(keys.WrongPassword):
            kf.unlock("admin", "wrong-password", now=now)
    first_wait = kf.wait_seconds("admin", now)
    assert first_wait > 0
    with pytest.raises(keys.LoginThrottled):
        kf.unlock("admin", TEST_PASSWORD, now=now)     # even the right password waits
    with pytest.raises(keys.WrongPassword):
        kf.unlock("admin", "wrong-password", now=now + first_wait)
    assert kf.wait_seconds("admin", now + first_wait) > first_wait
    later = now + first_wait + keys.MAX_DELAY
    assert kf.unlock("admin", TEST_PASSWORD, now=later).key


def test_recovery_key_unlocks_and_sets_new_password(db_path, template_recovery_key):
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.recover(db_path, keys.new_recovery_key(), "admin", "brand-new-pass")
    session = security.recover(db_path, template_recovery_key.lower().replace("-", " "),
                               "admin", "brand-new-pass")
    session.conn.close()
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "admin", TEST_PASSWORD)
    assert security.login(db_path, "admin", "brand-new-pass").actor.username == "admin"


def test_file_is_unreadable_without_key_and_hides_names(db_path):
    session = security.login(db_path, "admin", TEST_PASSWORD)
    PersonRepository(session).create(dict(family_name="Qurbonzoda", given_name="Shahlo",
                                          phones="+992 93 555 0101"))
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0        # the new row is in the WAL now
    for path in (db_path, wal):
        data = path.read_bytes()
        assert b"Qurbonzoda" not in data and "Qurbonzoda".encode("utf-16-le") not in data
        assert b"555 0101" not in data
    assert not db_path.read_bytes().startswith(b"SQLite format 3")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Qurbonzoda" not in db_path.read_bytes()
    plain = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM person").fetchall()
    plain.close()
    # the key file holds no key and no name either
    sidecar = keys.key_file_for(db_path).read_text()
    assert "Qurbonzoda" not in sidecar and session.db_key.hex() not in sidecar


def test_slot_moved_to_another_user_does_not_open(db_path):
    _add_worker(db_path, "farrukh", "worker-pass-2", "field_officer")
    path = keys.key_file_for(db_path)
    data = json.loads(path.read_text())
    slots = {s.get("username"): s for s in data["slots"]}
    forged = dict(slots["farrukh"], username="admin", user_id=slots["admin"]["user_id"])
    data["slots"] = [s for s in data["slots"] if s.get("username") != "admin"] + [forged]
    path.write_text(json.dumps(data))
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "admin", "worker-pass-2")


def test_change_and_reset_password_rewrap(db_path):
    _add_worker(db_path)
    worker = security.login(db_path, "dilnoza", "worker-pass-1")
    assert security.must_change_password(worker)          # set by the administrator
    admin_tools = security.UserAdmin(worker, db_path)
    with pytest.raises(keys.WrongPassword):
        admin_tools.change_own_password("wrong-old-pass", "another-pass-9")
    with pytest.raises(keys.WeakPassword):
        admin_tools.change_own_password("worker-pass-1", "short")
    admin_tools.change_own_password("worker-pass-1", "another-pass-9")
    assert not security.must_change_password(worker)
    worker.conn.close()
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "dilnoza", "worker-pass-1")
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    user_id = admin.conn.execute("SELECT id FROM app_user WHERE username='dilnoza'").fetchone()[0]
    security.UserAdmin(admin, db_path).reset_password(user_id, "temporary-pass-3")
    admin.conn.close()
    keys.forget_key(db_path)
    again = security.login(db_path, "dilnoza", "temporary-pass-3")
    assert security.must_change_password(again)


def test_deactivated_user_cannot_log_in_and_last_admin_stays(db_path):
    _add_worker(db_path)
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    tools = security.UserAdmin(admin, db_path)
    users = {u["username"]: u for u in tools.list_users()}
    tools.set_active(users["dilnoza"]["id"], False)
    with pytest.raises(security.PermissionDenied):
        tools.set_active(users["admin"]["id"], False)
    with pytest.raises(security.PermissionDenied):
        tools.set_role(users["admin"]["id"], "coordinator")
    admin.conn.close()
    keys.forget_key(db_path)
    with pytest.raises(keys.WrongPassword):
        security.login(db_path, "dilnoza", "worker-pass-1")


def test_plain_database_is_encrypted_after_backup(tmp_path):
    from desktop_app.store.setup import initialise
    path = tmp_path / "plain.db"
    conn = open_database(path, create=True)
    session = initialise(conn, office_code="TJB", office_name="Tojikobod", admin_username="root")
    PersonRepository(session).create(dict(family_name="Saidov", given_name="Rustam"))
    conn.close()
    backup, recovery = security.encrypt_existing(path, admin_username="root",
                                                 password="root-pass-123")
    assert backup.read_bytes().startswith(b"SQLite format 3")      # the plain backup
    assert b"Saidov" not in path.read_bytes()
    keys.forget_key(path)
    with pytest.raises(dbmod.DatabaseError):
        open_database(path)
    session = security.login(path, "root", "root-pass-123")
    assert session.conn.execute("SELECT family_name FROM person").fetchone()[0] == "Saidov"
    assert session.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert security.audit_ok(session.conn)
    session.conn.close()
    keys.forget_key(path)
    assert security.recover(path, recovery, "root", "root-pass-456").actor.username == "root"


def test_encrypted_database_with_missing_key_file_says_so(db_path):
    keys.key_file_for(db_path).unlink()
    keys.forget_key(db_path)
    with pytest.raises(keys.NoKeyFile) as err:
        security.login(db_path, "admin", TEST_PASSWORD)
    assert ".keys" in str(err.value)


def test_real_kdf_parameters_outside_tests(monkeypatch):
    monkeypatch.delenv(keys.TEST_KDF_ENV)
    assert keys.kdf_params() == keys.REAL_KDF
    assert keys.REAL_KDF["name"] == "argon2id" and keys.REAL_KDF["m"] >= 65536


def test_copy_of_an_unlocked_database_opens_in_the_same_process(db_path, tmp_path):
    import shutil
    session = security.login(db_path, "admin", TEST_PASSWORD)
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy.db"
    shutil.copyfile(db_path, copy)          # e.g. a backup, without its key file
    conn = open_database(copy)
    assert conn.execute("SELECT count(*) FROM app_user").fetchone()[0] == 1
    conn.close()
    keys.forget_all_keys()
    with pytest.raises(dbmod.DatabaseError):
        open_database(copy)


def _hold_key_file_lock(path: str, seconds: float, ready) -> None:
    from desktop_app.store import files
    with files.locked(keys.key_file_for(path)):
        ready.set()
        time.sleep(seconds)


def _lock_held_elsewhere(db_path, seconds: float):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_key_file_lock, args=(str(db_path), seconds, ready))
    holder.start()
    assert ready.wait(60)
    return holder


def test_a_wait_for_the_key_file_is_shown_with_its_end(db_path):
    keys.forget_key(db_path)
    told: list[str] = []
    keys.set_wait_reporter(told.append)
    holder = _lock_held_elsewhere(db_path, 2.0)
    try:
        session = security.login(db_path, "admin", TEST_PASSWORD)
        session.conn.close()
    finally:
        keys.set_wait_reporter(None)
        holder.join()
    assert told == [keys.wait_started_message(60), keys.wait_ended_message()]


def test_a_wait_for_the_key_file_that_runs_out_is_one_sentence(db_path):
    told: list[str] = []
    keys.set_wait_reporter(told.append)
    holder = _lock_held_elsewhere(db_path, 3.0)
    try:
        with pytest.raises(keys.KeyFileBusy) as err:
            with keys.key_file_lock(keys.key_file_for(db_path), timeout=1.0):
                pass
    finally:
        keys.set_wait_reporter(None)
        holder.join()
    assert told == [keys.wait_started_message(1.0), keys.wait_failed_message()]
    assert "try again" in str(err.value) and "\n" not in str(err.value)
