"""People indicators against the hand-computed world of conftest.py."""
from __future__ import annotations

import json

from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import drill_down
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period


def _result(report, code):
    return next(r for r in report.results if r.indicator.code == code)


def _table(result, dim):
    table = next(t for t in result.tables if t.dimension == dim)
    return {row.bucket: row.value for row in table.rows}


def _report(session, period="2026-Q1", **kw):
    kw.setdefault("indicators", ["people_registered", "people_on_register", "people_reached"])
    kw.setdefault("dimensions", ["sex", "age_band", "district", "jamoat", "migration_status",
                                 "destination_country", "office"])
    return build_report(session.conn, ReportRequest(parse_period(period), **kw))


def test_registered_counts_survivors_in_period_only(session, world):
    report = _report(session)
    registered = _result(report, "people_registered")
    assert registered.totals[0].value == 3  # A, B, C (E merged into A, F deleted, D/G outside)
    assert _table(registered, "sex") == {"female": 2, "male": 1}
    assert _table(registered, "age_band") == {"18-29": 1, "15-17": 1, "unknown": 1}
    assert _table(registered, "district") == {"TJ-RASHT": 2, "unknown": 1}
    assert _table(registered, "migration_status") == {"abroad": 1, "returned": 1, "unknown": 1}
    # A's latest destination comes through her merged duplicate E
    assert _table(registered, "destination_country") == {"KZ": 1, "unknown": 2}
    assert report.adds_up()


def test_on_register_and_reached(session, world):
    report = _report(session)
    assert _result(report, "people_on_register").totals[0].value == 4  # A, B, C, G
    reached = _result(report, "people_reached")
    # E's registration in January reaches A: one identity, counted once
    assert reached.totals[0].value == 3
    assert _table(reached, "age_band") == {"18-29": 1, "15-17": 1, "unknown": 1}


def test_next_quarter_and_deleted_survivor(session, world):
    from desktop_app.store.people.repositories import PersonRepository
    report = _report(session, "2026-Q2")
    assert _result(report, "people_registered").totals[0].value == 1  # D
    assert _table(_result(report, "people_on_register"), "age_band") == {
        "18-29": 1, "15-17": 1, "30-44": 1, "45+": 1, "unknown": 1}
    PersonRepository(session).delete(world["A"])
    report = _report(session)
    assert _result(report, "people_registered").totals[0].value == 2
    assert _result(report, "people_reached").totals[0].value == 2  # E's contact went to A


def test_configurable_age_bands(session, world):
    report = _report(session, indicators=["people_on_register"], dimensions=["age_band"],
                     age_bands=(18, 40))
    assert _table(_result(report, "people_on_register"), "age_band") == {
        "0-17": 1, "18-39": 1, "40+": 1, "unknown": 1}
    labels = [r.label for r in _result(report, "people_on_register").tables[0].rows]
    assert labels == ["under 18", "18-39", "40 and over", "Unknown"]


def test_office_scope(session, world):
    report = _report(session, offices=["GRM"])
    assert _result(report, "people_registered").totals[0].value == 3
    assert report.scope == ["Gharm JRC (GRM)"]


def test_drill_down_returns_ids_and_is_audited(session, world):
    request = ReportRequest(parse_period("2026-Q1"))
    ids = drill_down(session, request, "people_registered", "sex", "female")
    assert sorted(ids) == sorted([world["A"], world["C"]])
    total = drill_down(session, request, "people_reached")
    assert sorted(total) == sorted([world["A"], world["B"], world["C"]])
    action, detail = session.conn.execute(
        "SELECT action, detail FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    assert action == "drill_down"
    assert json.loads(detail)["count"] == 3 and json.loads(detail)["indicator"] == "people_reached"


def test_progress_and_cancel(session, world):
    import pytest

    from desktop_app.reports.model import Cancelled
    seen = []
    build_report(session.conn, ReportRequest(parse_period("2026-Q1"),
                                             indicators=["people_registered", "people_reached"]),
                 progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    with pytest.raises(Cancelled):
        build_report(session.conn, ReportRequest(parse_period("2026-Q1")),
                     cancelled=lambda: True)


def test_chained_merges_and_unknown_office(session, world):
    import pytest

    from desktop_app.reports.model import ReportError
    from desktop_app.store.people.repositories import PersonRepository
    # B merged into C, which is then merged into A: everything is A
    repo = PersonRepository(session)
    repo.update(world["C"], {"merged_into": world["A"]})
    repo.update(world["B"], {"merged_into": world["C"]})
    report = _report(session)
    assert _result(report, "people_registered").totals[0].value == 1
    assert _result(report, "people_reached").totals[0].value == 1
    with pytest.raises(ReportError, match="XYZ"):
        _report(session, offices=["XYZ"])


def test_drill_down_follows_the_role_matrix(session, world):
    import pytest

    from desktop_app.domain.actors import Actor
    from desktop_app.store.offices import OfficeRepository
    from desktop_app.store.security.policy import RolePolicy
    from desktop_app.store.session import PermissionDenied, Session
    OfficeRepository(session).create(dict(code="TJB", name="Tojikobod JRC", office_type="jrc"))
    request = ReportRequest(parse_period("2026-Q1"))
    own = ReportRequest(parse_period("2026-Q1"), offices=["GRM"])
    officer = Session(session.conn, Actor("u1", "nigora", role="field_officer",
                                          office_id=session.office_id), policy=RolePolicy())
    with pytest.raises(PermissionDenied):   # all offices: other offices' people too
        drill_down(officer, request, "people_registered", "sex", "female")
    assert sorted(drill_down(officer, own, "people_registered", "sex", "female")) == sorted(
        [world["A"], world["C"]])
    inspector = Session(session.conn, Actor("u2", "karim", role="inspector",
                                            office_id=session.office_id), policy=RolePolicy())
    with pytest.raises(PermissionDenied):   # inspectors see no lists of people with names
        drill_down(inspector, own, "people_registered")
    coordinator = Session(session.conn, Actor("u3", "dilnoza", role="coordinator",
                                              office_id=session.office_id), policy=RolePolicy())
    assert len(drill_down(coordinator, request, "people_registered")) == 3
