"""A demo office database (one user per role, see README) built once per test run; each
journey works on its own copy."""
from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.demo import ensure_demo_database
from desktop_app.store.security.accounts import DEMO_USERS
from desktop_app.store.security.keys import copy_database

PASSWORDS = {username: password for username, _role, password, _name in DEMO_USERS}
JOURNEY_PEOPLE = 3000   # the demo's own size: what an office has after a year or two


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    return ensure_demo_database(tmp_path_factory.mktemp("journeys") / "office.db",
                                people=JOURNEY_PEOPLE)


@pytest.fixture
def office_db(demo_template, tmp_path) -> Path:
    return copy_database(demo_template, tmp_path / "office.db")


@pytest.fixture
def log_in_as(qtbot, office_db):
    """``log_in_as("field", "tg")``: the main window after that user's login."""
    from tests.journeys.driver import log_in
    journeys = []

    def start(username: str, language: str = "en"):
        journey = log_in(qtbot, office_db, username, PASSWORDS[username], language)
        journeys.append(journey)
        return journey

    yield start
    for journey in journeys:
        journey.window.close()
