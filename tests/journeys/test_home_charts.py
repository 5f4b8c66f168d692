"""The Home page's charts through the real main window at 1366x768: a coordinator reads a
value on hover and saves the cases chart as a PNG image, in English and Tajik."""
from __future__ import annotations

import os

import pytest
from PySide6.QtGui import QImage

from desktop_app.i18n import Domain
from tests.journeys.driver import click_scrolled, scroll_to, tr
from tests.journeys.test_coordinator import in_file_dialog


@pytest.mark.parametrize("language", ["en", "tg"])
def test_coordinator_saves_a_home_chart_as_png(log_in_as, tmp_path, language):
    journey = log_in_as("coordinator", language)
    home = journey.go(Domain("reports").pgettext("page", "Home"))
    journey.qtbot.waitUntil(lambda: home.data is not None or bool(home.last_error),
                            timeout=60000)
    journey.settle()
    assert home.last_error == ""
    shots = os.environ.get("HAMROH_SHOTS")
    if shots:
        journey.window.grab().save(os.path.join(shots, f"home-{language}.png"))
    panel = home.cases_chart
    scroll_to(panel)
    journey.check_window()

    # the legend lists what is drawn: at most six categories and "Other"
    series = panel.chart().series()[0]
    labels = [bar.label() for bar in series.barSets()]
    legend = [marker.label() for marker in panel.chart().legend().markers()]
    assert legend == labels and 1 <= len(labels) <= 7, legend
    assert len({bar.color().name() for bar in series.barSets()}) == len(labels)

    # a value on hover: the category, the month in words and the count
    last = series.barSets()[0]
    index = len(home.data.months) - 1
    last.hovered.emit(True, index)
    assert last.label() in panel.hover_text
    assert str(int(last.at(index))) in panel.hover_text.replace("\xa0", "")

    target = tmp_path / "cases-chart.png"
    with journey.dialog(in_file_dialog(str(target))):
        click_scrolled(journey, tr("reports", "Save chart as image\u2026"), panel)
    assert target.exists(), panel.hover_text
    image = QImage(str(target))
    assert not image.isNull() and image.width() >= 400 and image.height() >= 250
    assert not list(tmp_path.glob("*.part"))
    if shots:
        scroll_to(home.loans_chart.save_button)
        journey.window.grab().save(os.path.join(shots, f"home-charts-{language}.png"))
    journey.assert_no_problems()
