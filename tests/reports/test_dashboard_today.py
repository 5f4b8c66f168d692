"""The Home page counts "as of today" by the offices' calendar, not by the zone the
computer's clock is set to."""
from __future__ import annotations

from datetime import date, datetime, timezone

from desktop_app.reports import dashboard, periods
from tests.helpers.report_world import add_person


def _value(data, code):
    return next(f.value for f in data.figures if f.code == code)


def test_people_registered_in_a_utc_evening_count_on_the_offices_date(session, monkeypatch):
    """At 22:30 UTC it is already 8 December in Dushanbe (the offices' zone): three people
    registered at 22:00 UTC are on the register today and reached this year, whatever
    date the computer's own clock gives (set to UTC, it still says 7 December)."""
    conn = session.conn
    assert periods.office_time_zone(conn) == "Asia/Dushanbe"
    for n in range(3):
        add_person(session, "2026-12-07T22:00:00Z", given_name=f"Шодмон {n}")
    monkeypatch.setattr(periods, "utc_now",
                        lambda: datetime(2026, 12, 7, 22, 30, tzinfo=timezone.utc))
    assert periods.office_today(conn) == date(2026, 12, 8)

    on_the_8th = dashboard.dashboard_data(conn, None, date(2026, 12, 8), language="en")
    on_the_7th = dashboard.dashboard_data(conn, None, date(2026, 12, 7), language="en")
    for code in ("people_on_register", "people_reached"):
        assert _value(on_the_8th, code) - _value(on_the_7th, code) == 3, code
    first = dashboard.first_figures(conn, None, language="en")
    whole = dashboard.dashboard_data(conn, None, language="en")
    assert _value(first, "people_on_register") == _value(on_the_8th, "people_on_register")
    for code in ("people_on_register", "people_reached"):
        assert _value(whole, code) == _value(on_the_8th, code), code
