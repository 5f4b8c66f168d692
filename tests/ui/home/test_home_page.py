"""The home dashboard, offscreen."""
from __future__ import annotations

from datetime import date

import pytest

from desktop_app.reports.dashboard import dashboard_data, office_sync
from desktop_app.store.offices import OfficeRepository


@pytest.fixture
def ctx(qtbot, session, db_path):
    """The application's context: the session plus the real DB worker."""
    from desktop_app.ui.app import build_context
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()


def test_dashboard_figures_for_scope(session, world):
    data = dashboard_data(session.conn, session.actor, today=date(2026, 3, 31))
    figures = {f.code: f for f in data.figures}
    assert figures["people_on_register"].value == 4      # A, B, C, G
    assert figures["people_reached"].value == 3          # A, B, C this year to date
    assert data.scope_office_ids is None                  # an administrator sees everything
    assert len(data.months) == 12 and data.months[-1] == "2026-03"


def test_field_officer_sees_own_office(session, world):
    from desktop_app.domain.actors import Actor
    other = OfficeRepository(session).create(
        dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))
    actor = Actor("u2", "nigora", role="field_officer", office_id=other["id"])
    data = dashboard_data(session.conn, actor, today=date(2026, 3, 31))
    assert data.scope_office_ids == [other["id"]]
    assert {f.code: f.value for f in data.figures}["people_on_register"] == 0
    assert data.office_sync == []  # only coordinators and administrators see office sync


def test_office_sync_without_sync_tables(session):
    OfficeRepository(session).create(dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))
    rows = office_sync(session.conn, date(2026, 3, 31))
    assert [(r.office_code, r.last_in, r.silent) for r in rows] == [("TJB", None, True)]


def test_home_page_shows_figures(qtbot, ctx, world):
    from desktop_app.ui.home import PAGE
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=20000)
    assert page.last_error == ""
    titles = {c.title.text(): c.value.text() for c in page.cards if c.isVisibleTo(page)}
    assert "People on the register \u00b7 today" in titles
    page.grab().save("/tmp/reports-home.png")


def test_people_list_does_not_wait_behind_the_dashboard(qtbot, ctx, world, monkeypatch):
    """The dashboard computes on its own thread and connection: a People list job submitted
    to the shared DB worker meanwhile finishes first. The dashboard here cannot finish
    before the People list has (it waits for it), so on the shared worker this would never
    complete; no timing is measured."""
    import threading

    from desktop_app.reports import dashboard
    from desktop_app.store.people.listing import PeopleQuery, list_ids
    from desktop_app.ui.home import PAGE
    order: list[str] = []
    people_done = threading.Event()
    dashboard_started = threading.Event()
    real = dashboard.dashboard_data

    def slow_dashboard(conn, actor=None, **kw):
        dashboard_started.set()
        assert conn is not ctx.session.conn   # a connection of its own
        people_done.wait(10)
        result = real(conn, actor, **kw)
        order.append("dashboard")
        return result

    monkeypatch.setattr(dashboard, "dashboard_data", slow_dashboard)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(dashboard_started.is_set, timeout=10000)

    def people_list(conn):
        ids = list_ids(conn, PeopleQuery())
        order.append("people")
        people_done.set()
        return ids
    ctx.worker.submit(people_list)
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=30000)
    ctx.worker.wait_idle()
    assert order == ["people", "dashboard"]
    assert page.last_error == ""
    assert {f.code for f in page.data.figures} >= {"people_on_register", "people_reached"}


def test_chart_ticks_are_round_and_cover_the_top():
    from desktop_app.ui.home.reports_home import nice_ticks
    assert nice_ticks(755254) == [0, 200000, 400000, 600000, 800000]
    assert nice_ticks(83) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(8.4) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(5) == [0, 1, 2, 3, 4, 5]
    assert nice_ticks(0) == [0, 1]


def test_chart_axis_numbers_are_written_in_the_language(qtbot):
    """Axis labels come from the application's number formatting (digit groups), not
    from printf formats that printed 755254."""
    from desktop_app.i18n import format_number, set_language
    from desktop_app.ui.home.reports_home import _number_axis
    set_language("ru")
    try:
        axis = _number_axis(755254)
        assert axis.categoriesLabels() == [format_number(v) for v in
                                           (0, 200000, 400000, 600000, 800000)]
        assert axis.categoriesLabels()[-1] != "800000" and axis.max() == 800000
        assert _number_axis(3.2, percent=True).categoriesLabels()[-1] == "4\xa0%"
        # a percentage as each language writes it (Babel), not a number and " %"
        set_language("tg")
        assert _number_axis(3.2, percent=True).categoriesLabels()[-1] == "4%"
        set_language("en")
        assert _number_axis(3.2, percent=True).categoriesLabels() == ["0%", "1%", "2%", "3%",
                                                                       "4%"]
    finally:
        set_language("en")


def test_first_figures_equal_the_whole_overview(session, world):
    from desktop_app.domain.actors import Actor
    from desktop_app.reports.dashboard import FIRST, first_figures
    today = date(2026, 3, 31)
    office = session.conn.execute("SELECT office_id FROM person LIMIT 1").fetchone()[0]
    for actor in (session.actor, Actor("u2", "nigora", role="field_officer", office_id=office)):
        first = {f.code: (f.value, f.text, f.when)
                 for f in first_figures(session.conn, actor, today=today).figures}
        whole = {f.code: (f.value, f.text, f.when)
                 for f in dashboard_data(session.conn, actor, today=today).figures}
        assert set(first) == set(FIRST) & set(whole)
        assert first == {code: whole[code] for code in first}
        assert first["people_on_register"][0] > 0


def test_first_figures_are_shown_before_the_overview_is_computed(qtbot, ctx, world,
                                                                   monkeypatch):
    """The cheap cards appear while the whole overview is still being computed (it waits
    here until the cards are on screen); no timing is measured."""
    import threading

    from desktop_app.reports import dashboard
    from desktop_app.ui.home import PAGE
    shown = threading.Event()
    real = dashboard.dashboard_data

    def waiting_dashboard(conn, actor=None, **kw):
        assert shown.wait(20)
        return real(conn, actor, **kw)

    monkeypatch.setattr(dashboard, "dashboard_data", waiting_dashboard)
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)

    def cards():
        return {c.title.text(): c.value.text() for c in page.cards if c.isVisibleTo(page)}
    qtbot.waitUntil(lambda: "People on the register \u00b7 today" in cards(), timeout=20000)
    assert page.data is None and "People reached \u00b7 this year" not in cards()
    shown.set()
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=30000)
    assert page.last_error == ""
    assert "People reached \u00b7 this year" in cards()


def test_refreshes_share_one_warm_connection_closed_with_the_page(qtbot, ctx, world):
    from desktop_app.ui.home import PAGE
    from tests.reports.test_parallel_report import Opener
    opener = Opener(ctx.session.conn.execute("PRAGMA database_list").fetchone()[2])
    ctx.connection_factory = opener
    page = PAGE.factory(ctx)
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=30000)
    page.data = None
    page.refresh()
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=30000)
    assert page.last_error == ""
    assert len(opener.opened) == 1 and not opener.all_closed()   # 4 runs, one connection
    page.deleteLater()
    qtbot.waitUntil(opener.all_closed, timeout=10000)


def test_chart_legends_name_the_currency_as_users_do(qtbot, ctx, world):
    from desktop_app import i18n
    from desktop_app.ui.home import PAGE
    i18n.set_language("tg")
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=20000)
    from dataclasses import replace
    from decimal import Decimal
    months = len(page._month_labels(page.data))
    page._loans_chart(replace(page.data, loans_outstanding={"TJS": [Decimal(900)] * months},
                              par30={"TJS": [Decimal(2)] * months}))
    names = [series.name() for series in page.loans_chart.chart().series()]
    assert names and all("сомонӣ" in name and "TJS" not in name for name in names), names


def test_home_page_keeps_the_loan_figures_it_computed(qtbot, ctx, world):
    """The page's own read connection stores the month-end loan figures (a short write
    beside the worker's), so the next open computes only the dates not kept."""
    from desktop_app.reports.dashboard import _last_months
    from desktop_app.store.loans import balance_cache
    from desktop_app.ui.home import PAGE
    page = PAGE.factory(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None or bool(page.last_error), timeout=20000)
    assert page.last_error == ""
    from desktop_app.reports.periods import office_today
    today = office_today(ctx.session.conn)      # the page's today: the offices' date
    assert balance_cache.as_of_dates(ctx.session.conn) == sorted(
        {m.end for m in _last_months(today, 12)} | {today})
