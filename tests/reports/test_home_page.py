"""The home dashboard, offscreen."""
from __future__ import annotations

from datetime import date

import pytest

from desktop_app.reports.dashboard import dashboard_data, office_sync
from desktop_app.store.offices import OfficeRepository


@pytest.fixture
def ctx(session, db_path):
    from desktop_app.ui.context import AppContext
    return AppContext(session, db_path)


def test_dashboard_figures_for_scope(session, world):
    data = dashboard_data(session.conn, session.actor, today=date(2026, 3, 31))
    figures = {f.code: f for f in data.figures}
    assert figures["people_on_register"].value == 4      # A, B, C, G
    assert figures["people_reached"].value == 3          # A, B, C this year to date
    assert data.scope_office_ids is None                  # an administrator sees everything
    assert len(data.months) == 12 and data.months[-1] == "2026-03"


def test_field_officer_sees_own_office(session, world):
    from desktop_app.domain.actors import Actor
    other = OfficeRepository(session).create(dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))
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
    assert "People on the register" in titles
    page.grab().save("/tmp/reports-home.png")
