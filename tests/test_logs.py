"""The log file: in the data directory, rotated, one handler however often it is set up, and
a command's unexpected failure written with its traceback."""
import logging

import pytest

from desktop_app import logs
from desktop_app.cli import main as hamroh
from desktop_app.commands import db as db_command


def test_log_file_lives_in_the_data_directory_and_is_set_up_once(log_home, tmp_path):
    path = logs.set_up("test")
    assert path == log_home == tmp_path / "logs" / "hamroh.log"
    logging.getLogger("desktop_app.somewhere").info("first line")
    assert logs.set_up("test again") == path
    logging.getLogger("desktop_app.somewhere").warning("second line")
    logging.getLogger("desktop_app.somewhere").debug("not kept")

    text = path.read_text(encoding="utf-8")
    assert text.count("first line") == 1 and text.count("second line") == 1
    assert text.count("started: test (") == 1 and text.count("started: test again (") == 1
    assert "not kept" not in text
    assert "WARNING desktop_app.somewhere [MainThread] second line" in text


def test_log_file_rotates_and_keeps_a_few_files(log_home, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.set_up("test")
    for i in range(200):
        logging.getLogger("desktop_app.test").info("line %d of a long run", i)
    kept = sorted(p.name for p in path.parent.iterdir())
    assert kept == ["hamroh.log"] + [f"hamroh.log.{n}" for n in range(1, logs.BACKUP_COUNT + 1)]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "line 199 of a long run" in path.read_text(encoding="utf-8")


def test_an_unwritable_data_directory_does_not_stop_the_program(log_home, monkeypatch, tmp_path):
    not_a_folder = tmp_path / "occupied"
    not_a_folder.write_text("a file where the log folder should be")
    monkeypatch.setattr(logs, "log_file", lambda: not_a_folder / "hamroh.log")
    assert logs.set_up("test") is None
    logging.getLogger("desktop_app.test").info("still fine")


def test_a_command_that_fails_unexpectedly_leaves_its_traceback_in_the_log(log_home, tmp_path,
                                                                          monkeypatch):
    def broken_check(args):
        raise RuntimeError("index out of shape")
    monkeypatch.setattr(db_command, "check", broken_check)
    database = tmp_path / "Karimova Dilnoza.db"

    with pytest.raises(RuntimeError, match="index out of shape"):
        hamroh(["db", "check", "--db", str(database)])

    text = log_home.read_text(encoding="utf-8")
    assert "started: command db" in text
    assert "ERROR desktop_app.cli [MainThread] Command db failed" in text
    assert "Traceback (most recent call last)" in text and "in broken_check" in text
    assert "RuntimeError: index out of shape" in text
    # a command's arguments (here a file named after a person) are not logged
    assert "Karimova" not in text


def test_an_expected_command_error_is_not_logged_as_a_failure(log_home, tmp_path, capsys):
    missing = tmp_path / "missing" / "office.db"
    assert hamroh(["db", "check", "--db", str(missing)]) == 2
    assert "Error:" in capsys.readouterr().err
    assert "failed" not in log_home.read_text(encoding="utf-8")
