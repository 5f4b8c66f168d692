"""The Home charts read at a glance: month labels that fit, a value on hover, one slice
said in words, a PNG of the chart."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF, QImage

from desktop_app import i18n
from desktop_app.ui.home.reports_home import month_labels, years_text


@pytest.fixture
def ctx(qtbot, session, db_path):
    from desktop_app.ui.app import build_context
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()


@pytest.fixture
def page(qtbot, ctx, world):
    from desktop_app.ui.home import PAGE
    home = PAGE.factory(ctx)
    qtbot.addWidget(home)
    home.resize(1300, 900)
    qtbot.waitUntil(lambda: home.data is not None or bool(home.last_error), timeout=20000)
    assert home.last_error == ""
    yield home
    i18n.set_language("en")


def test_month_labels_are_short_and_the_years_are_the_axis_title():
    months = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert month_labels(months, "en") == ["Nov", "Dec", "Jan", "Feb", "Mar"]
    assert years_text(months, "en") == "Nov 2025 \u2013 Mar 2026"
    assert years_text(["2026-01", "2026-12"], "tg") == "2026"
    tajik = month_labels(months, "tg")
    assert tajik[1] == i18n.format_date("2025-12-01", "tg", fmt="LLL")
    # thirteen months from one January to the next: every label is still distinct
    year = [f"2026-{m:02}" for m in range(1, 13)] + ["2027-01"]
    labels = month_labels(year, "ru")
    assert len(set(labels)) == 13 and labels[-1].endswith("2027")


def test_month_labels_fit_a_half_width_chart(page):
    """At 1366x768 the loans chart is half the page: no month name is cut ("И…")."""
    i18n.set_language("tg")
    page.resize(1366 - 200, 700)
    months = len(page.data.months)
    page._loans_chart(replace(page.data, loans_outstanding={"TJS": [Decimal(900)] * months},
                              par30={"TJS": [Decimal(2)] * months}))
    page.loans_chart.view.resize(545, 300)   # its size on the Home page at 1366x768
    page.loans_chart.view.grab()              # lays the chart out
    chart = page.loans_chart.chart()
    axis = chart.axes(Qt.Orientation.Horizontal)[0]
    slot = chart.plotArea().width() / len(axis.categories())
    metrics = QFontMetricsF(axis.labelsFont())
    widest = max(metrics.horizontalAdvance(label) for label in axis.categories())
    # Qt elides a category label well before it touches the next one (a 26.9 px label in
    # a 32.2 px slot was cut at 9 pt); 8 px of room is what the 7.5 pt labels leave
    assert widest + 8 <= slot, (widest, slot)
    assert axis.titleText() == years_text(page.data.months, "tg")


def test_a_single_slice_is_said_in_words(page):
    page._trainees_chart(replace(page.data, trainees_by_sex={"Female": 12, "Male": 0}))
    chart = page.trainees_chart.chart()
    assert chart.series() == []
    assert "All 12 people trained this year: Female" in chart.title()
    page._trainees_chart(replace(page.data, trainees_by_sex={"Female": 3, "Male": 1}))
    pie = page.trainees_chart.chart().series()[0]
    assert pie.count() == 2
    pie.slices()[1].hovered.emit(True)
    assert page.trainees_chart.hover_text == "Male: 1 (25.0%)"


def test_hovering_a_line_shows_the_month_and_money(page):
    i18n.set_language("tg")
    months = len(page.data.months)
    page._loans_chart(replace(page.data,
                              loans_outstanding={"TJS": [Decimal("46403.80")] * months},
                              par30={"TJS": [Decimal("2.5")] * months}))
    outstanding, par = page.loans_chart.chart().series()
    outstanding.hovered.emit(QPointF(months - 1, 46403.8), True)
    text = page.loans_chart.hover_text
    assert "46\xa0403,80\xa0сомонӣ" in text
    assert i18n.format_date(f"{page.data.months[-1]}-01", "tg", fmt="LLLL y") in text
    par.hovered.emit(QPointF(0, 2.5), True)
    assert "2,5%" in page.loans_chart.hover_text
    outstanding.hovered.emit(QPointF(0, 0), False)
    assert page.loans_chart.hover_text == ""


def test_stacked_bars_hover_and_palette(page):
    from desktop_app.reports.palette import CHART_COLOURS, OTHER_COLOUR
    months = len(page.data.months)
    categories = {f"Category {n:02}": [n + 1] * months for n in range(13)}
    categories["Other"] = [1] * months         # the reference list's own "Other"
    page._cases_chart(replace(page.data, cases_by_category=categories))
    chart = page.cases_chart.chart()
    series = chart.series()[0]
    colours = [bar.color().name().upper() for bar in series.barSets()]
    assert colours == [c.upper() for c in CHART_COLOURS] + [OTHER_COLOUR.upper()]
    legend = [marker.label() for marker in chart.legend().markers()]
    assert legend == [f"Category {n:02}" for n in range(12, 6, -1)] + ["Other"]
    # "Other" holds the seven smallest categories and the list's own "Other"
    assert series.barSets()[-1].at(0) == sum(range(1, 8)) + 1
    bar = series.barSets()[0]
    bar.hovered.emit(True, months - 1)
    assert page.cases_chart.hover_text == "Category 12 \u00b7 {}: 13".format(
        i18n.format_date(f"{page.data.months[-1]}-01", "en", fmt="LLLL y"))


def test_a_chart_is_saved_as_png_and_a_failure_leaves_nothing(page, tmp_path):
    target = tmp_path / "chart"
    assert page.cases_chart.save_image(str(target))
    image = QImage(str(tmp_path / "chart.png"))
    assert not image.isNull() and image.width() > 300
    missing = tmp_path / "no-such-folder" / "chart.png"
    assert not page.cases_chart.save_image(str(missing))
    assert not missing.parent.exists()
    assert str(missing) in page.cases_chart.hover_text
    assert str(missing) in page.status.text()           # said on the page, not only on hover
