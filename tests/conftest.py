"""Shared fixtures: fresh databases built once per test run and copied per test."""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

# Windows are tested on the screen of the users' laptops: 1366x768
_SCREEN = Path(__file__).resolve().parent / "laptop_screen.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"
# cheap argon2 parameters for test databases only (real ones are memory-hard)
os.environ["HAMROH_INSECURE_TEST_KDF"] = "1"

from desktop_app.i18n import set_language  # noqa: E402
from desktop_app.store.access import open_database  # noqa: E402
from desktop_app.store.security.accounts import create_encrypted  # noqa: E402
from desktop_app.store.security.keys import copy_database, remember_key  # noqa: E402
from desktop_app.store.session import Session  # noqa: E402

# The template database is encrypted like a real one; its administrator "admin" logs in
# with TEST_PASSWORD. Copies made by ``db_path`` (or ``copy_database``) open without a
# password in the test process (the key is remembered); ``store.security.accounts.login(path,
# "admin", TEST_PASSWORD)`` logs in as a real user would.
TEST_PASSWORD = "test-password-1"
_TEMPLATE_RECOVERY: dict = {}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated, set-up, encrypted database (office GRM, user admin) to copy from."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    made = create_encrypted(path, office_code="GRM", office_name="Gharm JRC",
                            device_name="test laptop", admin_username="admin",
                            password=TEST_PASSWORD, district="TJ-RASHT",
                            jamoat="TJ-RASHT-GARM", region="TJ-RR")
    _TEMPLATE_RECOVERY["key"] = made.recovery_key
    _TEMPLATE_RECOVERY["db_key"] = made.session.db_key
    made.session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    made.session.conn.close()
    return path


@pytest.fixture
def template_recovery_key(template_db) -> str:
    """The printed recovery key of the template database (and of every copy)."""
    return _TEMPLATE_RECOVERY["key"]


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    """A private copy of the template database (with its key file) for one test."""
    target = copy_database(template_db, tmp_path / "hamroh.db")
    remember_key(target, _TEMPLATE_RECOVERY["db_key"])
    return target


@pytest.fixture
def session(db_path) -> Session:
    """A session on a private database as its administrator."""
    from desktop_app.store.access import default_actor
    conn = open_database(db_path)
    s = Session(conn, default_actor(conn))
    yield s
    conn.close()


@pytest.fixture(scope="session", autouse=True)
def private_data_dir(tmp_path_factory):
    """Preferences, log files and the demo database of the test run stay out of the user's
    real data directory (commands run in a subprocess inherit it too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HAMROH_HOME", str(tmp_path_factory.mktemp("hamroh-home")))
        yield


@pytest.fixture(autouse=True)
def restore_exception_hooks():
    """``run_gui`` installs the window's exception hooks; the next test must not inherit them."""
    hooks = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = hooks


@pytest.fixture
def log_home(tmp_path, monkeypatch) -> Path:
    """A data directory of this test's own for ``logs.set_up``; the log handler that the
    test installs is removed afterwards. The answer is where the log file goes."""
    import logging

    from desktop_app import logs
    monkeypatch.setenv("HAMROH_HOME", str(tmp_path))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield logs.log_file()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def query_plans(conn, run, mentioning: str) -> dict[str, list[str]]:
    """The SELECTs that ``run()`` sends through ``conn`` and that contain ``mentioning``,
    each with its EXPLAIN QUERY PLAN steps (for tests that a query stays on its index)."""
    queries: list[str] = []
    conn.set_trace_callback(queries.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    return {q: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + q)]
            for q in queries if q.startswith("SELECT") and mentioning in q}


def dump_of(path) -> str:
    """`hamroh db dump` of the database file at ``path`` (opened and closed here)."""
    from desktop_app.sync.dump import dump_text
    conn = open_database(path)
    try:
        return dump_text(conn)
    finally:
        conn.close()


# Fixtures shared by tests in several folders (a module's store, reports and UI tests).
from tests.helpers.replicas import make_replicas, replica_templates  # noqa: E402,F401
from tests.helpers.report_world import world  # noqa: E402,F401
from tests.helpers.signed_bundles import signed_office  # noqa: E402,F401
