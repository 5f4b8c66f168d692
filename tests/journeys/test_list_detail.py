"""Pages that use the screen, through the real main window: the Trainings and People pages
show the list and the chosen item side by side only when both fit; otherwise the list, then
the item as the page's main view with a "Back to the list" button (Alt+Left, Escape) that
returns to the list with the focus on the row. An unsaved edit survives going back."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.journeys.driver import qt_text, tr
from tests.journeys.test_pages_fit import cut_titles
from tests.journeys.work import qt_translations

__all__ = ["qt_translations"]

WIDE = (1920, 1040)          # a 1920x1080 screen less the taskbar
NARROW = (1000, 700)


def _settle(journey) -> None:
    journey.settle()
    QApplication.processEvents()      # the layout is decided on the next turn of the loop
    journey.settle()


def _click_row(journey, view, row: int) -> None:
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(view.model().index(row, 0)).center())
    _settle(journey)


def _back(journey) -> str:
    return tr("core", "Back to the list")


def _sideways(view) -> bool:
    return view.horizontalScrollBar().maximum() > 0


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_trainings_one_at_a_time_at_1366_with_back_and_no_edit_lost(log_in_as, lang):
    journey = log_in_as("admin", lang)
    page = journey.go(tr("trainings", "Trainings"))
    try:
        _trainings_one_at_a_time(journey, page)
    finally:
        page.form.load(None)        # nothing unsaved left to ask about when the window closes


def _trainings_one_at_a_time(journey, page) -> None:
    _settle(journey)
    split, view = page.list_detail, page.list
    # 1366x768 is too narrow for the list's columns and the training beside them
    assert not split.side_by_side()
    assert view.isVisible() and not page.tabs.isVisible()
    assert not cut_titles(page), cut_titles(page)
    assert not _sideways(view)
    journey.check_window()

    _click_row(journey, view, 0)
    assert page.tabs.isVisible() and not view.isVisible()
    back = journey.button(_back(journey))
    assert back.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert not _sideways(page.form.sessions_table), "the sessions table scrolls sideways"
    journey.check_window()
    opened = page.current_event["id"]

    # an edit not saved yet, then back to the list: the edit is still there
    place = journey.field(tr("trainings", "Place"))
    journey.type_into_widget(place, "Ҳавлии ҷамоат")
    assert page.has_unsaved_changes()
    journey.click(_back(journey))
    assert view.isVisible() and not page.tabs.isVisible()
    assert journey.window.focusWidget() is view and view.currentIndex().row() == 0
    assert page.has_unsaved_changes()
    _click_row(journey, view, 0)
    assert page.tabs.isVisible() and page.current_event["id"] == opened
    assert journey.field(tr("trainings", "Place")).text() == "Ҳавлии ҷамоат"

    # the keys: Alt+Left and Escape go back too (shortcuts act in the active window)
    journey.window.activateWindow()
    journey.qtbot.waitUntil(journey.window.isActiveWindow)
    for key, modifier in ((Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),
                          (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)):
        place = journey.field(tr("trainings", "Place"))
        place.setFocus()
        QTest.keyClick(place, key, modifier)
        _settle(journey)
        assert view.isVisible() and not page.tabs.isVisible(), key
        assert journey.window.focusWidget() is view
        QTest.keyClick(view, Qt.Key.Key_Return)        # Enter opens the chosen training
        _settle(journey)
        assert page.tabs.isVisible()

    # another training chosen while the edit is unsaved: asked, and Cancel keeps it
    journey.click(_back(journey))
    with journey.dialog(journey.answer_message(qt_text("Cancel"))):
        _click_row(journey, view, 1)
    _settle(journey)
    assert page.current_event["id"] == opened and page.has_unsaved_changes()
    assert page.form.place.text() == "Ҳавлии ҷамоат"

    # New training: the blank form is the main view (after agreeing to drop the edit)
    with journey.dialog(journey.answer_message(qt_text("Discard"))):
        journey.click(tr("trainings", "New training (Ctrl+N)"))
    _settle(journey)
    assert page.tabs.isVisible() and page.current_event is None
    assert not page.has_unsaved_changes()
    journey.assert_no_problems()


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_trainings_side_by_side_on_a_wide_screen(log_in_as, lang):
    journey = log_in_as("admin", lang)
    journey.window.resize(*WIDE)
    page = journey.go(tr("trainings", "Trainings"))
    _settle(journey)
    split, view = page.list_detail, page.list
    assert split.side_by_side()
    _click_row(journey, view, 0)
    assert view.isVisible() and page.tabs.isVisible()
    assert not split.back_button.isVisible()
    assert not cut_titles(page), cut_titles(page)
    # the list's cells whole beside the training
    header = view.horizontalHeader()
    fitter = view._column_fitter
    content, _titles, _texty = fitter.wanted()
    assert all(header.sectionSize(c) >= content[c] for c in range(header.count()))
    assert not _sideways(page.form.sessions_table)
    # narrowed to a laptop's width: one at a time, the training still in front
    journey.window.resize(1366, 728)
    _settle(journey)
    assert not split.side_by_side()
    assert page.tabs.isVisible() and not view.isVisible()
    journey.button(_back(journey))
    journey.assert_no_problems()


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_people_one_at_a_time_in_a_narrow_window(log_in_as, lang):
    journey = log_in_as("admin", lang)
    journey.window.resize(*NARROW)
    page = journey.go(tr("people", "People"))
    page.wait_idle()
    _settle(journey)
    split, view = page.list_detail, page.table
    assert not split.side_by_side()
    assert view.isVisible() and not page.detail.isVisible()
    _click_row(journey, view, 3)
    chosen = page.current_id()
    assert page.detail.isVisible() and not view.isVisible()
    assert page.detail.person["id"] == chosen
    journey.check_window()
    journey.click(_back(journey))
    assert view.isVisible() and not page.detail.isVisible()
    assert journey.window.focusWidget() is view and page.current_id() == chosen
    # widened: the person's page beside the list
    journey.window.resize(*WIDE)
    _settle(journey)
    assert split.side_by_side()
    assert view.isVisible() and page.detail.isVisible()
    assert page.detail.person["id"] == chosen
    assert not split.back_button.isVisible()
    assert not cut_titles(page), cut_titles(page)
    journey.assert_no_problems()
