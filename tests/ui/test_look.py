"""The main window as users see it at 1366x768 (tests/laptop_screen.json), driven as the
journeys drive it: navigation with icons and the current page highlighted, who is logged
in and where, a title that says where the user is, and main lists that never scroll
sideways in any language with the demo office's data."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop_app import i18n
from desktop_app.ui import style
from tests.journeys.conftest import demo_template, log_in_as, office_db
from tests.journeys.driver import tr
from tests.journeys.work import qt_translations

__all__ = ["demo_template", "log_in_as", "office_db", "qt_translations"]

# page (catalog domain, English title) -> its main list
MAIN_LISTS = {
    "people": (("people", "People"), lambda page: page.table),
    "cases": (("cases", "Cases"), lambda page: page.table),
    "inspections": (("inspections", "Inspections"), lambda page: page.table),
    "trainings": (("trainings", "Trainings"), lambda page: page.list),
    "loans": (("loans", "Loans"), lambda page: page.loans.table),
}


def _settle(journey) -> None:
    journey.settle()
    QApplication.processEvents()   # the columns are fitted on the next turn of the loop
    journey.settle()


def _sideways(view) -> str | None:
    header = view.horizontalHeader()
    total = sum(header.sectionSize(c) for c in range(header.count())
                if not header.isSectionHidden(c))
    if view.horizontalScrollBar().maximum() > 0 or total > view.viewport().width():
        return f"columns {total} px in a {view.viewport().width()} px list"
    return None


@pytest.mark.parametrize("lang", ["en", "ru", "tg", "uz"])
def test_main_lists_never_scroll_sideways_at_1366x768(log_in_as, lang):
    journey = log_in_as("admin", lang)
    problems = []
    for key, ((domain, title), list_of) in MAIN_LISTS.items():
        page = journey.go(tr(domain, title))
        _settle(journey)
        view = list_of(page)
        assert view.isVisible() and view.model().rowCount() > 0, key
        if (found := _sideways(view)) is not None:
            problems.append(f"{key}: {found}")
        if key == "people":
            # a person chosen: their page beside the list when both fit, else in its place
            view.selectRow(0)
            page.list_detail.show_detail()
            _settle(journey)
            assert page.detail.isVisible()
            if page.list_detail.side_by_side():
                if (found := _sideways(view)) is not None:
                    problems.append(f"people beside a person: {found}")
            else:
                assert not view.isVisible() and page.list_detail.back_button.isVisible()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_navigation_has_icons_highlights_the_page_and_names_it_in_the_title(log_in_as, lang):
    journey = log_in_as("admin", lang)
    window, nav = journey.window, journey.window.nav
    assert style.applied() is not None
    assert not window.windowIcon().isNull()
    keys = [spec.key for spec in window.specs]
    for row in range(nav.count()):
        assert not nav.item(row).icon().isNull(), nav.item(row).text()
    # who is logged in, and in which office, on top of the navigation
    assert window.user_label.isVisible() and window.office_label.isVisible()
    assert window.user_label.mapTo(window, QPoint(0, 0)).y() < nav.mapTo(window, QPoint(0, 0)).y()
    assert "GRM" in window.office_label.text()

    people = tr("people", "People")
    journey.go(people)
    row = keys.index("people")
    assert nav.currentRow() == row and nav.item(row).isSelected()
    assert window.windowTitle() == tr("core", "{page} — Hamroh").format(page=people)
    # the current page's row is drawn in the accent colour
    rect = nav.visualItemRect(nav.item(row))
    image = nav.viewport().grab().toImage()
    drawn = QColor(image.pixel(rect.right() - 10, rect.center().y()))
    accent = QColor(style.colours(style.applied() == "dark").accent)
    assert abs(drawn.red() - accent.red()) + abs(drawn.green() - accent.green()) \
        + abs(drawn.blue() - accent.blue()) < 30, drawn.name()

    cases = tr("cases", "Cases")
    journey.go(cases)
    assert window.windowTitle() == tr("core", "{page} — Hamroh").format(page=cases)
    journey.check_window()
    journey.assert_no_problems()


def test_the_title_follows_a_language_change(log_in_as):
    journey = log_in_as("admin", "en")
    journey.go("People")
    assert journey.window.windowTitle() == "People — Hamroh"
    i18n.set_language("tg")
    _settle(journey)
    assert journey.window.windowTitle() == tr("core", "{page} — Hamroh").format(
        page=tr("people", "People"))
    assert journey.window.windowTitle() != "People — Hamroh"


def test_navigation_folds_to_icons_on_a_narrow_window(log_in_as):
    journey = log_in_as("admin", "tg")
    window, nav = journey.window, journey.window.nav
    assert not nav.compact and window.nav_panel.width() > 150
    window.resize(1000, 700)
    _settle(journey)
    assert nav.compact and window.nav_panel.width() < 80
    assert not window.user_label.isVisible()
    # a folded row keeps its name for the tooltip, and still opens its page
    people = tr("people", "People")
    row = [nav.item(r).text() for r in range(nav.count())].index(people)
    assert nav.item(row).toolTip() == people
    journey.go(people)
    assert nav.currentRow() == row
    # unfolded by hand, and folded again by hand
    window.fold_button.click()
    assert not nav.compact
    window.fold_button.click()
    assert nav.compact
    window.resize(1366, 728)
    _settle(journey)
    assert not nav.compact and window.user_label.isVisible()


def test_the_loans_list_and_the_chosen_loan_share_the_height(log_in_as):
    journey = log_in_as("admin", "tg")
    page = journey.go(tr("loans", "Loans"))
    _settle(journey)
    table = page.loans.table
    for row in range(table.rowCount()):     # the first loan with a schedule
        table.selectRow(row)
        _settle(journey)
        if page.loans.schedule.model().rowCount() >= 3:
            break
    assert page.loans.schedule.model().rowCount() >= 3

    def rows_in_sight(view) -> int:
        return view.viewport().height() // view.verticalHeader().defaultSectionSize()
    # on the laptop screen, a chosen loan leaves seven loans in sight, and its schedule
    # shows three instalments
    assert rows_in_sight(table) >= 7
    assert rows_in_sight(page.loans.schedule) >= 3
