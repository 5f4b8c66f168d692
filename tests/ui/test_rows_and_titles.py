"""What users see at 1366x768 in English and Tajik, as the journeys drive the window: the
navigation's rows apart from the first paint, every list in the kit's 28 px rows (the
training's sessions, its attendance grid, a person's migration episodes, the violations of
an inspection), and column titles whole where nothing else competes for their width."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCalendarWidget, QTableView

from desktop_app.ui import style
from tests.journeys.conftest import demo_template, log_in_as, office_db
from tests.journeys.driver import tr
from tests.journeys.work import qt_translations

__all__ = ["demo_template", "log_in_as", "office_db", "qt_translations"]


def _settle(journey) -> None:
    journey.settle()
    QApplication.processEvents()
    journey.settle()


def _click_row(journey, view, row: int = 0) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _settle(journey)


def _open_first_training(journey):
    page = journey.go(tr("trainings", "Trainings"))
    _settle(journey)
    _click_row(journey, page.list)
    assert page.current_event is not None and page.tabs.isVisible()
    return page


def _lists_in_sight(root) -> list[QTableView]:
    """The tables a user sees (a date field's calendar is not a list)."""
    found = []
    for view in root.findChildren(QTableView):
        parent, inside_calendar = view.parentWidget(), False
        while parent is not None:
            inside_calendar = inside_calendar or isinstance(parent, QCalendarWidget)
            parent = parent.parentWidget()
        if view.isVisible() and not inside_calendar:
            found.append(view)
    return found


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_navigation_rows_stand_apart_from_the_first_paint(log_in_as, lang):
    """The rows were laid out before the stylesheet's padding reached the list: each 40 px
    row started 22 px below the last, the labels drawn over one another until a language
    switch laid them out again."""
    journey = log_in_as("admin", lang)
    nav = journey.window.nav
    rects = [nav.visualItemRect(nav.item(row)) for row in range(nav.count())]
    assert all(rect.height() >= style.ROW_HEIGHT for rect in rects)
    for row, (above, below) in enumerate(zip(rects, rects[1:], strict=False)):
        assert below.top() > above.bottom(), \
            f"{nav.item(row + 1).text()!r} drawn over {nav.item(row).text()!r}"
    # and the page a user clicks is the page under the pointer
    journey.go(tr("trainings", "Trainings"))
    assert journey.window.specs[nav.currentRow()].key == "trainings"
