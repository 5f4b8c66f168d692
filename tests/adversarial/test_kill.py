"""Power cuts, simulated by SIGKILL at seeded random moments of every write a user sees as
one action: after each kill the database opens, passes ``db check`` and holds either the
state before the action or the state after it (issue 16, items 10-13).

Two kinds of kill points: a seeded random fraction of the command's own running time, and
the N-th durable file operation (``os.replace`` or ``os.fsync``, see ``_crash``), which
lands exactly between the steps of a multi-file write.
"""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from desktop_app.store import db as dbmod
from desktop_app.store.checks import backup_opens, check_database
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "brand-new-pass-2"
TIMED_KILLS = 2
IO_KILLS = 4


def _env(**extra) -> dict:
    return dict(os.environ, HAMROH_INSECURE_TEST_KDF="1", HAMROH_PASSWORD=TEST_PASSWORD,
                **extra)


def _command(limit: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "tests.adversarial._crash", str(limit), *args]


def _run(limit: int, args, env) -> subprocess.CompletedProcess:
    return subprocess.run(_command(limit, *args), cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


def _measure(args, env) -> tuple[float, int]:
    """(seconds, durable file operations) of one complete run."""
    started = time.monotonic()
    done = _run(-1, args, env)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return seconds, int(re.findall(r"CALLS (\d+)", done.stderr)[-1])


def _kill_after(seconds: float, args, env) -> None:
    process = subprocess.Popen(_command(0, *args), cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()


def _kills(seed: int, args, env, prepare, check) -> int:
    """Run ``args`` killed at seeded points; ``prepare()`` before and ``check()`` after each.
    Returns how many runs were really killed."""
    rng = random.Random(seed)
    prepare()
    seconds, operations = _measure(args, env)
    check()
    killed = 0
    for _ in range(TIMED_KILLS):
        prepare()
        _kill_after(rng.uniform(0.1, 1.0) * seconds, args, env)
        check()
    for limit in sorted(rng.sample(range(1, operations + 1), min(IO_KILLS, operations))):
        prepare()
        run = _run(limit, args, env)
        killed += run.returncode == -signal.SIGKILL
        check()
    return killed


def _healthy(path: Path, password: str = TEST_PASSWORD, user: str = "admin") -> int:
    """Opens (as a new process would), passes the integrity and schema checks; the number
    of people."""
    keys.forget_all_keys()
    session = security.login(path, user, password)
    try:
        assert dbmod.integrity_problems(session.conn) == []
        assert check_database(session.conn) == []
        return session.conn.execute("SELECT count(*) FROM person WHERE deleted=0").fetchone()[0]
    finally:
        session.conn.close()


def test_demo_killed_leaves_nothing_or_a_whole_demo(tmp_path):
    path = tmp_path / "demo.db"
    args = ["demo", "--db", str(path), "--people", "12", "--cases", "2", "--trainings", "1",
            "--loans", "2"]
    env = _env()
    env.pop("HAMROH_PASSWORD")
    outcomes: list[str] = []
    whole: list[int] = []        # the people of a complete demo (the first run is complete)

    def prepare():
        for leftover in tmp_path.iterdir():
            leftover.unlink()

    def check():
        if path.exists():
            whole.append(_healthy(path, "hamroh-admin"))
            assert whole[-1] == whole[0]
            outcomes.append("whole")
        else:
            outcomes.append("nothing")
            # what the killed run left is cleared by the next run, which succeeds
            again = _run(0, args, env)
            assert again.returncode == 0, again.stderr
            assert _healthy(path, "hamroh-admin") == whole[0]
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    assert _kills(10, args, env, prepare, check) > 0
    assert "nothing" in outcomes and "whole" in outcomes


def test_backup_killed_leaves_only_whole_backups(db_path):
    args = ["db", "backup", "--db", str(db_path), "--user", "admin"]
    folder = db_path.parent / "backups"
    people = _healthy(db_path)

    def check():
        assert _healthy(db_path) == people
        key = keys.known_key(db_path)
        for backup in folder.glob("*.db"):
            assert backup_opens(backup, key), backup
            assert keys.key_file_for(backup).exists()

    assert _kills(11, args, _env(), lambda: None, check) > 0


def test_password_change_killed_leaves_the_old_or_the_new_password(db_path, tmp_path):
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    keys.copy_database(db_path, pristine / "hamroh.db")
    args = ["user", "passwd", "--db", str(db_path), "--user", "admin"]

    def prepare():
        keys.forget_all_keys()
        keys.copy_database(pristine / "hamroh.db", db_path)
        for side in ("-wal", "-shm"):
            Path(f"{db_path}{side}").unlink(missing_ok=True)

    def check():
        works = []
        for password in (TEST_PASSWORD, NEW_PASSWORD):
            try:
                _healthy(db_path, password)
                works.append(password)
            except (keys.WrongPassword, security.LoginFailed):
                pass
        assert works, "neither the old nor the new password logs in"

    assert _kills(12, args, _env(NEW_PASSWORD=NEW_PASSWORD), prepare, check) > 0


def test_person_save_killed_leaves_the_person_saved_or_not(db_path):
    before = _healthy(db_path)
    counts = [before]

    def check():
        people = _healthy(db_path)
        assert people in (counts[-1], counts[-1] + 1)
        counts.append(people)

    args = ["save-person", str(db_path), "Rahimova"]
    _kills(13, args, _env(), lambda: None, check)
    assert counts[-1] > before


def test_encryption_killed_leaves_the_plain_or_the_encrypted_database(tmp_path):
    """``security encrypt`` killed anywhere: the file is still the plain database (and a
    new encryption succeeds), or it is encrypted and opens with the new password; never an
    encrypted file whose key file does not open it."""
    from desktop_app.store.access import open_database
    from desktop_app.store.people.repositories import PersonRepository
    from desktop_app.store.setup import initialise
    pristine = tmp_path / "pristine.db"
    conn = open_database(pristine, create=True)
    session = initialise(conn, office_code="TJB", office_name="Tojikobod", admin_username="root")
    for name in ("Saidov", "Karimova", "Rahimov"):
        PersonRepository(session).create({"family_name": name, "given_name": "Test"})
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    work = tmp_path / "work"
    work.mkdir()
    path = work / "hamroh.db"
    args = ["security", "encrypt", "--db", str(path), "--admin", "root"]
    env = _env()
    outcomes: list[str] = []

    def prepare():
        keys.forget_all_keys()
        for leftover in work.iterdir():
            if leftover.is_file():
                leftover.unlink()
        keys.copy_database(pristine, path)

    def people_in(conn) -> int:
        return conn.execute("SELECT count(*) FROM person WHERE deleted=0").fetchone()[0]

    def check():
        keys.forget_all_keys()
        if keys.is_encrypted_file(path):
            assert not keys.encrypting_name(path).exists()
            assert _healthy(path, TEST_PASSWORD, "root") == 3
            outcomes.append("encrypted")
            return
        conn = open_database(path)
        try:
            assert people_in(conn) == 3
        finally:
            conn.close()
        outcomes.append("plain")
        again = _run(0, args, env)
        assert again.returncode == 0, again.stderr
        assert _healthy(path, TEST_PASSWORD, "root") == 3

    assert _kills(14, args, env, prepare, check) > 0
    assert "plain" in outcomes and "encrypted" in outcomes


def test_encryption_cut_between_its_renames_is_finished_at_the_next_open(tmp_path):
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    path = tmp_path / "hamroh.db"
    conn = open_database(path, create=True)
    initialise(conn, office_code="TJB", office_name="Tojikobod", admin_username="root")
    conn.close()
    real_replace = security.files.replace
    calls: list[str] = []

    def cut_after_the_key_file(source, target):
        calls.append(str(target))
        if str(target) == str(path):
            raise KeyboardInterrupt        # the power goes between the two renames
        real_replace(source, target)

    security.files.replace = cut_after_the_key_file
    try:
        try:
            security.encrypt_existing(path, admin_username="root", password=TEST_PASSWORD)
        except KeyboardInterrupt:
            pass
    finally:
        security.files.replace = real_replace
    keys.forget_all_keys()
    assert calls[-2:] == [str(keys.key_file_for(path)), str(path)]
    assert keys.encrypting_name(path).exists()
    assert keys.is_encrypted_file(path)                 # the open finishes the swap
    assert not keys.encrypting_name(path).exists()
    assert _healthy(path, TEST_PASSWORD, "root") == 0
