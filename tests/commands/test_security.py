"""The hamroh commands of this module, run as a user would (new process, env password)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.cli import main as hamroh
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys


def _run(*args, env=None, input_text=None):
    full_env = dict(os.environ, HAMROH_INSECURE_TEST_KDF="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], env=full_env,
                          capture_output=True, text=True, input=input_text,
                          cwd=Path(__file__).resolve().parents[2])


def test_init_users_audit_verify_end_to_end(tmp_path):
    db = str(tmp_path / "office.db")
    pw = {"HAMROH_PASSWORD": "boss-pass-123"}
    made = _run("init", "--db", db, "--office", "GRM", "--admin", "boss", env=pw)
    assert made.returncode == 0, made.stderr
    recovery = made.stdout.strip().splitlines()[-1].strip()
    assert len(recovery.replace("-", "")) == 32
    added = _run("user", "add", "--db", db, "--user", "boss", "--role", "field_officer", "ali",
                 env=pw | {"NEW_PASSWORD": "field-pass-123"})
    assert added.returncode == 0, added.stderr
    # a field officer may not read the audit log; the message says so, nothing crashes
    denied = _run("audit", "verify", "--db", db, "--user", "ali",
                  env={"HAMROH_PASSWORD": "field-pass-123"})
    assert denied.returncode != 0 and "permission" in denied.stderr
    wrong = _run("audit", "verify", "--db", db, "--user", "boss",
                 env={"HAMROH_PASSWORD": "nope-nope-nope"})
    assert wrong.returncode == 2 and "password is wrong" in wrong.stderr
    ok = _run("audit", "verify", "--db", db, "--user", "boss", env=pw)
    assert ok.returncode == 0 and "intact" in ok.stdout, ok.stderr
    listed = _run("audit", "list", "--db", db, "--user", "boss", "--action", "failed_login",
                  env=pw)
    assert "failed_login" in listed.stdout and "boss" in listed.stdout
    # several users now: --user is needed
    ambiguous = _run("audit", "verify", "--db", db, env=pw)
    assert ambiguous.returncode == 2 and "--user" in ambiguous.stderr


def test_audit_verify_reports_tampering(db_path, capsys, monkeypatch):
    conn = security.login(db_path, "admin", "test-password-1").conn
    conn.execute("UPDATE audit_log SET action='nothing' WHERE seq=2")
    conn.close()
    keys.forget_key(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", "test-password-1")
    assert hamroh(["audit", "verify", "--db", str(db_path), "--user", "admin"]) == 1
    out = capsys.readouterr().out
    assert "Entry 2: the content of this entry was changed" in out
    assert "Entry 3: the link to the previous entry is broken" not in out


def test_consent_and_person_commands(db_path, capsys, monkeypatch, tmp_path):
    from desktop_app.store.people.repositories import PersonRepository
    session = security.login(db_path, "admin", "test-password-1")
    person = PersonRepository(session).create(dict(family_name="Latipova", given_name="Gulnora"))
    session.conn.close()
    keys.forget_key(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", "test-password-1")
    base = ["--db", str(db_path), "--user", "admin"]
    assert hamroh(["consent", "add", *base, person["id"], "--scope", "storage",
                   "--date", "2024-01-01", "--expiry", "2025-01-01"]) == 0
    assert hamroh(["consent", "expired", *base]) == 0
    assert "Latipova" in capsys.readouterr().out
    assert hamroh(["consent", "list", *base, person["id"]]) == 0
    listed = capsys.readouterr().out
    assert "01.01.2024\t01.01.2025" in listed and "2024-01-01" not in listed
    out = tmp_path / "person.json"
    assert hamroh(["security", "export-person", *base, person["id"], "--out", str(out)]) == 0
    assert json.loads(out.read_text())["people"][0]["family_name"] == "Latipova"
    assert hamroh(["security", "erase-person", *base, person["id"], "--reason",
                   "asked in person", "--yes"]) == 0
    bad = hamroh(["consent", "add", *base, person["id"], "--scope", "storage",
                  "--date", "31.02.2024"])
    assert bad == 1 and "dd.mm.yyyy" in capsys.readouterr().err


def test_demo_database_is_encrypted_with_a_user_per_role(tmp_path):
    from desktop_app.demo import create_demo
    from desktop_app.store.access import open_database
    path = tmp_path / "demo.db"
    from desktop_app.demo import default_arguments
    session = create_demo(path, default_arguments(people=10, cases=2, trainings=1, loans=1))
    session.conn.close()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    keys.forget_key(path)
    conn = open_database(path)        # demo: opens with its published administrator login
    conn.close()
    roles = set()
    for username, _role, password, _name in security.DEMO_USERS:
        keys.forget_key(path)
        s = security.login(path, username, password)
        roles.add(s.actor.role)
        s.conn.close()
    from desktop_app.domain.actors import ROLES
    assert roles == set(ROLES)
