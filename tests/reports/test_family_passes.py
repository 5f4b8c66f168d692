"""One grouped pass per family of indicators gives the same figures as each indicator
computed alone, merged duplicates count once, tombstones never count, and every
disaggregation adds up to its total."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_app.reports.builder import build_report
from desktop_app.reports.engine import _median, compute, make_query
from desktop_app.reports.identity import prepare_roots
from desktop_app.reports.indicators.base import DIMENSIONS
from desktop_app.reports.labels import Labels
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period
from desktop_app.store.people.repositories import PersonRepository
from tests.reports.test_module_indicators import case, modules  # noqa: F401  (fixture)

ALL_DIMS = sorted(DIMENSIONS)


def _summary(result):
    return ([(r.bucket, r.currency, r.value, r.numerator, r.denominator) for r in result.totals],
            [(t.dimension, [(r.bucket, r.currency, r.value, r.numerator, r.denominator)
                            for r in t.rows]) for t in result.tables])


def test_family_pass_equals_each_indicator_alone(session, modules):  # noqa: F811
    request = ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS)
    report = build_report(session.conn, request, language="en")
    assert report.adds_up()
    q = make_query(session.conn, request)
    labels = Labels(session.conn, "en")
    for result in report.results:
        if not result.available:
            continue
        alone = compute(session.conn, q, result.indicator, ALL_DIMS, labels)
        assert _summary(alone) == _summary(result), result.indicator.code


def test_every_disaggregation_adds_up_after_merges_and_deletes(session, modules, world):  # noqa: F811
    repo = PersonRepository(session)
    repo.update(world["B"], {"merged_into": world["C"]})
    repo.delete(world["G"])
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1"),
                                                      dimensions=ALL_DIMS))
    assert report.adds_up()
    for result in report.results:
        for table in result.tables:
            assert {r.currency for r in table.rows} <= {t.currency for t in result.totals}


def test_merged_duplicates_count_once_everywhere(session, modules, world):  # noqa: F811
    """E is merged into A: her case, training and loan are A's, and A counts once."""
    report = build_report(session.conn, ReportRequest(
        parse_period("2026-Q1"), indicators=["people_reached", "trainees", "loans_women_share",
                                             "cases_opened"], dimensions=["sex"]))
    r = {x.indicator.code: x for x in report.results}
    assert r["people_reached"].totals[0].value == 4          # A, B, C and G (case in Q1)
    assert r["trainees"].totals[0].value == 3                # A (and E), B, C
    assert r["loans_women_share"].totals[0].denominator == 2  # A (two loans via E), B
    sexes = {row.bucket: row.value for row in r["cases_opened"].tables[0].rows}
    assert sexes == {"female": 3, "male": 1, "unknown": 1}   # c2 (E's) counts as A's


def test_tombstoned_survivor_and_records_never_count(session, modules, world):  # noqa: F811
    PersonRepository(session).delete(world["A"])
    report = build_report(session.conn, ReportRequest(
        parse_period("2026-Q1"), indicators=["people_registered", "people_reached",
                                             "cases_opened"], dimensions=["sex"]))
    r = {x.indicator.code: x for x in report.results}
    assert r["people_registered"].totals[0].value == 2        # B, C
    assert r["people_reached"].totals[0].value == 3           # B, C, G
    # cases of a deleted person still count (the case is not deleted), without a sex
    sexes = {row.bucket: row.value for row in r["cases_opened"].tables[0].rows}
    assert sexes == {"unknown": 3, "male": 1, "female": 1}
    assert report.adds_up()


def test_roots_follow_chains_and_stop_at_cycles(session, world):
    repo = PersonRepository(session)
    repo.update(world["B"], {"merged_into": world["C"]})
    repo.update(world["C"], {"merged_into": world["D"]})
    conn = session.conn
    prepare_roots(conn)
    roots = dict(conn.execute("SELECT id, root FROM temp.rpt_root"))
    assert roots == {world["E"]: world["A"], world["B"]: world["D"], world["C"]: world["D"]}
    # a cycle (never made by a merge, but possible in damaged data) ends before it repeats
    conn.execute("UPDATE person SET merged_into = ? WHERE id = ?", (world["B"], world["D"]))
    prepare_roots(conn)
    roots = dict(conn.execute("SELECT id, root FROM temp.rpt_root"))
    assert roots[world["B"]] == world["D"] and roots[world["D"]] == world["C"]


def test_destination_of_survivor_without_merges(session, world):
    """With no merged duplicates the destination look-up reads the person's own episodes."""
    PersonRepository(session).update(world["E"], {"merged_into": None})
    report = build_report(session.conn, ReportRequest(
        parse_period("2026-Q1"), indicators=["people_registered"],
        dimensions=["destination_country"]))
    table = report.results[0].tables[0]
    # E, unmerged, is a registration of her own with her own episode
    assert {r.bucket: r.value for r in table.rows} == {"RU": 1, "KZ": 1, "unknown": 2}


@pytest.mark.parametrize("histogram, expected", [
    ({}, None), ({5: 1}, Decimal(5)), ({5: 1, 9: 1}, Decimal(7)), ({1: 2, 10: 1}, Decimal(1)),
    ({3: 2, 4: 2}, Decimal("3.5"))])
def test_median_from_histogram(histogram, expected):
    assert _median(histogram) == expected


def test_dashboard_cases_by_month_in_one_query(session, modules):  # noqa: F811
    from datetime import date

    from desktop_app.reports.dashboard import dashboard_data
    data = dashboard_data(session.conn, session.actor, today=date(2026, 3, 31), months=4,
                          language="en")
    assert data.months == ["2025-12", "2026-01", "2026-02", "2026-03"]
    per_month = [sum(v[n] for v in data.cases_by_category.values()) for n in range(4)]
    assert per_month == [1, 1, 1, 3]          # c6; c1 (c5 deleted); c2; c3, c4, c7
    assert sum(sum(v) for v in data.cases_by_category.values()) == 6


def test_counts_equal_the_records_behind_them(session, modules, world):  # noqa: F811
    """Every count of a grouped pass (total and each bucket) is the number of records the
    drill-down finds with the indicator's own rows and dimension expression, in SQL: an
    independent check of the grouping, the flag bits and the guarded keys."""
    from desktop_app.reports.drilldown import drill_down
    PersonRepository(session).update(world["B"], {"merged_into": world["C"]})
    request = ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS)
    report = build_report(session.conn, request)
    checked = 0
    for result in report.results:
        indicator = result.indicator
        if (not result.available or indicator.measure.kind != "count"
                or indicator.source.build is None):
            continue
        total = result.totals[0].value
        assert len(drill_down(session, request, indicator.code)) == total, indicator.code
        for table in result.tables:
            for row in table.rows:
                ids = drill_down(session, request, indicator.code, table.dimension, row.bucket)
                assert len(ids) == row.value, (indicator.code, table.dimension, row.bucket)
                checked += 1
    assert checked > 50


def test_a_report_uses_a_larger_page_cache_and_gives_it_back(session, world):
    from desktop_app.reports.parallel import REPORT_CACHE_KIB
    conn = session.conn
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    during = []
    build_report(conn, ReportRequest(parse_period("2026-Q1"), indicators=["people_reached"]),
                 progress=lambda *_a: during.append(
                     conn.execute("PRAGMA cache_size").fetchone()[0]))
    # at least REPORT_CACHE_KIB (a connection's own cache, sized from the memory, may be
    # larger already)
    assert during == [min(before, -REPORT_CACHE_KIB)]
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
    from desktop_app.reports.model import Cancelled
    with pytest.raises(Cancelled):
        build_report(conn, ReportRequest(parse_period("2026-Q1")), cancelled=lambda: True)
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
