"""The demo users' published passwords are wrapped with a light key derivation; a password
changed afterwards gets the full one."""
import argparse

from desktop_app.demo import create_demo
from desktop_app.store.security import accounts, keys


def test_demo_slots_are_light_and_a_changed_password_is_not(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.TEST_KDF_ENV)            # the parameters a user's laptop uses
    path = tmp_path / "demo.db"
    session = create_demo(path, argparse.Namespace(people=5, cases=0, trainings=0, loans=0))
    session.conn.close()
    kf = keys.KeyFile.for_database(path)
    slots = {s["username"]: s["kdf"] for s in kf.user_slots()}
    assert set(slots) == {u for u, _role, _password, _name in accounts.DEMO_USERS}
    assert all(kdf == accounts.DEMO_KDF for kdf in slots.values())

    keys.forget_key(path)
    field = accounts.login(path, "field", "hamroh-field")
    accounts.UserAdmin(field, path).change_own_password("hamroh-field", "a-real-Pass-2026")
    field.conn.close()
    slots = {s["username"]: s["kdf"] for s in keys.KeyFile.for_database(path).user_slots()}
    assert slots["field"] == keys.REAL_KDF
    assert slots["admin"] == accounts.DEMO_KDF
    keys.forget_key(path)
    assert accounts.login(path, "field", "a-real-Pass-2026").actor.username == "field"
