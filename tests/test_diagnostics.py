"""The diagnostics file: versions, places, the database's check and the log's last lines,
with no personal data (other components' log lines, exception messages and the home
folder are left out)."""
import logging
from pathlib import Path

from desktop_app import diagnostics, logs
from desktop_app.version import version

NAME, PHONE = "Karimova Dilnoza", "+992 93 249 47 04"


def test_the_file_names_versions_places_and_the_database_check(session, db_path, log_home):
    logs.set_up("window")
    text = diagnostics.report(session.conn, db_path)
    assert f"Hamroh: {version()}" in text
    for label in ("Python:", "Platform:", "Qt (PySide6): 6.", "SQLite: 3.", "SQLCipher: 4."):
        assert label in text, label
    assert f"Data folder: {log_home.parent.parent}" in text
    assert "Database: " in text and "hamroh.db" in text
    assert "Schema: " in text and "0 pending" in text
    assert "db check: no problems found" in text
    assert "started: window" in text


def test_without_a_database_it_still_says_what_it_can(log_home):
    text = diagnostics.report(None, None)
    assert "(no database open)" in text and "Database: -" in text


def test_log_lines_keep_our_records_and_leave_out_personal_data(log_home):
    logs.set_up("window")
    logging.getLogger("desktop_app.sync.importer").info("Bundle imported: %d records", 12)
    logging.getLogger("some.library").warning("opened %s for %s", PHONE, NAME)
    try:
        raise ValueError(f"no such person: {NAME} {PHONE}")
    except ValueError:
        logging.getLogger("desktop_app.ui.excepthook").critical("Uncaught exception",
                                                                exc_info=True)
    lines = diagnostics.last_log_lines()
    text = "\n".join(lines)
    assert "Bundle imported: 12 records" in text
    assert "CRITICAL desktop_app.ui.excepthook [MainThread] Uncaught exception" in text
    assert "Traceback (most recent call last):" in text
    assert "in test_log_lines_keep_our_records_and_leave_out_personal_data" in text
    assert "ValueError: (message left out)" in text
    assert NAME not in text and "Karimova" not in text and "249 47 04" not in text
    assert "other lines left out" in text


def test_the_home_folder_is_written_as_a_tilde(monkeypatch, tmp_path, log_home):
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    text = diagnostics.report(None, tmp_path / "office" / "hamroh.db")
    assert str(tmp_path) not in text
    assert f"Database: {Path('~', 'office', 'hamroh.db')}" in text


def test_write_puts_the_report_in_one_file(session, db_path, log_home, tmp_path):
    target = diagnostics.write(tmp_path / diagnostics.file_name(), session.conn, db_path)
    assert target.name.startswith("hamroh-diagnostics-") and target.suffix == ".txt"
    assert "db check: no problems found" in target.read_text(encoding="utf-8")
