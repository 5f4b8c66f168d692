"""The packaged application, used as an office would: the built programs only, no Python.

Run by ``make dist`` after the build, with ``HAMROH_DIST_APP`` naming the built folder
(default ``dist/Hamroh``); ``make test`` does not collect this folder (pytest leaves
folders named ``dist`` out unless named on the command line). Qt runs offscreen.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.store import migrations
from desktop_app.version import version
from tests.helpers.pdf import pdf_text
from tests.helpers.upgrade import earlier_database

ROOT = Path(__file__).resolve().parents[2]
APP = Path(os.environ.get("HAMROH_DIST_APP") or ROOT / "dist" / "Hamroh").resolve()
EXE = ".exe" if sys.platform == "win32" else ""
WINDOW = APP / f"Hamroh{EXE}"
COMMAND = APP / f"hamroh-cli{EXE}"
# a hang guard for one program run, not a measure of speed
HANG_GUARD = 900


@pytest.fixture(scope="module", autouse=True)
def built_folder():
    if not COMMAND.is_file() or not WINDOW.is_file():
        pytest.fail(f"No built application at {APP}: run `make dist` (or set "
                    "HAMROH_DIST_APP to the built folder)")


def environment(home: Path | None, **extra: str) -> dict[str, str]:
    """The environment of an office's computer: none of the test run's settings (cheap
    password hashing, the test data folder, a password), Qt offscreen."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HAMROH_", "PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if home is not None:
        env["HAMROH_HOME"] = str(home)
    env.update(extra)
    return env


def run(program: Path, *args: str, home: Path | None, cwd: Path, **extra: str):
    return subprocess.run([str(program), *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=environment(home, **extra),
                          timeout=HANG_GUARD, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo database made by the packaged command (200 people)."""
    folder = tmp_path_factory.mktemp("demo")
    done = run(COMMAND, "demo", "--db", "demo.db", "--people", "200", "--cases", "40",
               "--trainings", "3", "--loans", "10", home=folder / "home", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "Demo database created" in done.stdout + done.stderr
    return folder / "demo.db"


def test_the_programs_say_their_version(tmp_path):
    # on Windows the window's program has no console to print to
    for program in (COMMAND,) if sys.platform == "win32" else (COMMAND, WINDOW):
        done = run(program, "--version", home=tmp_path, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Hamroh {version()}"


def test_search_finds_a_name_written_in_another_script(demo, tmp_path):
    done = run(COMMAND, "people", "search", "--db", str(demo), "--limit", "5", "Rakhmonov",
               home=tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Раҳмонов" in done.stdout or "Рахмонов" in done.stdout


def test_a_tajik_pdf_report_is_built_with_the_shipped_fonts(demo, tmp_path):
    out = tmp_path / "report.pdf"
    done = run(COMMAND, "report", "--db", str(demo), "--period", "2026", "--format", "pdf",
               "--lang", "tg", "--out", str(out), home=tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = pdf_text(out)
    assert any(letter in text for letter in "ғӣқӯҳҷ"), text[:300]


def test_db_check_runs_on_the_shipped_migrations(demo, tmp_path):
    done = run(COMMAND, "db", "check", "--db", str(demo), home=tmp_path, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No problems found" in done.stdout


def test_the_window_opens_the_demo_and_closes(demo, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(demo, home / "demo.db")
    shutil.copy2(demo.with_name("demo.db.keys"), home / "demo.db.keys")
    done = run(WINDOW, "--demo", "--lang", "tg", home=home, cwd=tmp_path,
               HAMROH_QUIT_AFTER_MS="4000")
    assert done.returncode == 0, done.stderr
    log = (home / "logs" / "hamroh.log").read_text(encoding="utf-8")
    assert "started: window" in log
    assert "Main window shown" in log and "Main window closed (exit code 0)" in log
    assert "Traceback" not in log


def test_a_database_of_an_earlier_version_is_updated_with_a_backup_first(tmp_path):
    old = tmp_path / "office.db"
    earlier = earlier_database(old, last="0062")
    before = old.read_bytes()
    home = tmp_path / "home"
    done = run(WINDOW, "--db", str(old), home=home, cwd=tmp_path, HAMROH_QUIT_AFTER_MS="4000")
    assert done.returncode == 0, done.stderr
    log = (home / "logs" / "hamroh.log").read_text(encoding="utf-8")
    assert "Schema updated:" in log and "Main window closed (exit code 0)" in log
    backups = list((tmp_path / "backups").glob("office.before-migration-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    conn = sqlite3.connect(old)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        assert names == {m.name for m in migrations.available()} and len(names) > earlier
        assert conn.execute("SELECT family_name FROM person").fetchall() == [("Karimova",)]
    finally:
        conn.close()


def test_a_portable_copy_keeps_its_data_beside_itself(tmp_path):
    marker = APP / "portable"
    data = APP / "data"
    assert not marker.exists() and not data.exists()
    marker.write_text("", encoding="utf-8")
    try:
        done = run(COMMAND, "demo", "--db", str(tmp_path / "d.db"), "--people", "5",
                   "--cases", "0", "--trainings", "0", "--loans", "0", home=None, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert (data / "logs" / "hamroh.log").is_file()
    finally:
        marker.unlink()
        shutil.rmtree(data, ignore_errors=True)

