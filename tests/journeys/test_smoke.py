"""Every role logs in through the login window and sees its pages, translated."""
import re

import pytest

from desktop_app.store.security.accounts import DEMO_USERS
from tests.journeys.driver import SCREEN_HEIGHT, SCREEN_WIDTH


@pytest.mark.parametrize("language", ["en", "tg"])
@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_every_role_logs_in_and_opens_each_of_its_pages(log_in_as, username, language):
    journey = log_in_as(username, language)
    assert journey.window.ctx.session.actor.username == username
    # the demo's staff are called by their own names, as the Gharm office writes them
    full_name = next(name for user, _role, _password, name in DEMO_USERS if user == username)
    assert full_name in journey.window.user_label.text()
    assert re.fullmatch(r"[А-Яа-яЁёҒғӢӣҚқӮӯҲҳҶҷ ]+", full_name), full_name
    nav = journey.window.nav
    titles = [nav.item(row).text() for row in range(nav.count())]
    assert titles
    for title in titles:
        journey.go(title)
        journey.check_window()
    assert journey.window.width() <= SCREEN_WIDTH
    assert journey.window.height() <= SCREEN_HEIGHT
    journey.assert_no_problems()
