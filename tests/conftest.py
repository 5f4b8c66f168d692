"""Shared fixtures: fresh databases built once per test run and copied per test."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.i18n import set_language  # noqa: E402
from desktop_app.store.access import open_database  # noqa: E402
from desktop_app.store.session import Session  # noqa: E402
from desktop_app.store.setup import initialise  # noqa: E402


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated, set-up database (office GRM, user admin) to copy from."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    conn = open_database(path, create=True)
    initialise(conn, office_code="GRM", office_name="Gharm JRC", device_name="test laptop",
               admin_username="admin", district="TJ-RASHT", jamoat="TJ-RASHT-GARM",
               region="TJ-RR")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def db_path(template_db, tmp_path) -> Path:
    """A private copy of the template database for one test."""
    target = tmp_path / "hamroh.db"
    shutil.copyfile(template_db, target)
    return target


@pytest.fixture
def session(db_path) -> Session:
    """A session on a private database as its administrator."""
    from desktop_app.store.access import default_actor
    conn = open_database(db_path)
    s = Session(conn, default_actor(conn))
    yield s
    conn.close()


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")
