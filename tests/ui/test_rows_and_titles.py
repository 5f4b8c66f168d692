"""What users see at 1366x768 in English and Tajik, as the journeys drive the window: the
navigation's rows apart from the first paint, every list in the kit's 28 px rows (the
training's sessions, its attendance grid, a person's migration episodes, the violations of
an inspection), and column titles whole where nothing else competes for their width."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCalendarWidget, QListWidget, QTableView

from desktop_app.ui import style
from tests.journeys.conftest import demo_template, log_in_as, office_db
from tests.journeys.driver import qt_text, tr
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


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_every_list_in_sight_has_the_kits_rows(log_in_as, lang):
    journey = log_in_as("admin", lang)
    problems: list[str] = []

    def look(where: str) -> None:
        for view in _lists_in_sight(journey.window):
            heights = {view.verticalHeader().defaultSectionSize()}
            if view.model() is not None and view.model().rowCount():
                heights.add(view.rowHeight(0))
            if heights != {style.ROW_HEIGHT}:
                problems.append(f"{where}: {type(view.parentWidget()).__name__} rows "
                                f"{sorted(heights)} px")

    for spec in journey.window.specs:
        journey.go(spec.title())
        _settle(journey)
        look(spec.key)
    page = _open_first_training(journey)
    for title in ("Details and sessions", "Participants and attendance", "Outcomes"):
        journey.tab(tr("trainings", title), within=page)
        look(f"training: {title}")
    people = journey.go(tr("people", "People"))
    _settle(journey)
    _click_row(journey, people.table)
    people.list_detail.show_detail()
    _settle(journey)
    assert people.detail.isVisible()
    look("a person's page")
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("lang", ["en", "tg", "ru"])
def test_attendance_session_titles_read_whole(log_in_as, lang):
    """Each session's column shows its number over its date: "27 июн." was cut to "7 Июн"
    in a 54 px column."""
    journey = log_in_as("admin", lang)
    page = _open_first_training(journey)
    journey.tab(tr("trainings", "Participants and attendance"), within=page)
    grid = page.participants.grid
    assert grid.isVisible()
    model, header = grid.model(), grid.horizontalHeader()
    assert model.n_sessions > 0
    for column in range(model.n_sessions + 2):
        title = model.headerData(column, Qt.Orientation.Horizontal).replace("\n", " / ")
        assert header.sectionSize(column) >= header.sectionSizeHint(column), \
            f"{title!r}: {header.sectionSize(column)} px, needs {header.sectionSizeHint(column)}"


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_the_import_of_a_participant_list_shows_its_column_titles_whole(log_in_as, lang):
    journey = log_in_as("admin", lang)
    page = _open_first_training(journey)
    journey.tab(tr("trainings", "Participants and attendance"), within=page)
    seen: list[str] = []

    def look(dialog) -> None:
        [view] = _lists_in_sight(dialog)
        header = view.horizontalHeader()
        assert view.verticalHeader().defaultSectionSize() == style.ROW_HEIGHT
        for column in range(header.count() - 1):    # the last one stretches
            seen.append(str(view.model().headerData(column, Qt.Orientation.Horizontal)))
            assert header.sectionSize(column) >= header.sectionSizeHint(column), seen[-1]
        journey.click(qt_text("Cancel"), dialog)

    with journey.dialog(look):
        journey.click(tr("trainings", "Import list…"), page)
    assert len(seen) == 5
    journey.assert_no_problems()


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_the_violations_of_a_new_inspection_are_rows_to_tick(log_in_as, lang):
    """The violations found were a plain list of 14 px rows, the boxes touching."""
    journey = log_in_as("inspector", lang)
    page = journey.go(tr("inspections", "Inspections"))
    _settle(journey)
    rows: list[int] = []

    def look(dialog) -> None:
        violations = [w for w in dialog.findChildren(QListWidget) if w.isVisible()]
        assert len(violations) == 1
        listed = violations[0]
        assert listed.count() >= 5
        rects = [listed.visualItemRect(listed.item(n)) for n in range(3)]
        rows.extend(rect.height() for rect in rects)
        assert rects[1].top() > rects[0].bottom() and rects[2].top() > rects[1].bottom()
        journey.click(qt_text("Cancel"), dialog)

    with journey.dialog(look):
        journey.click(tr("inspections", "New inspection (Ctrl+N)"), page)
    assert rows == [style.ROW_HEIGHT] * 3
    journey.assert_no_problems()


@pytest.mark.parametrize("lang", ["en", "tg", "ru"])
def test_home_writes_percentages_as_the_language_does(log_in_as, lang):
    """The PAR30 card and the PAR30 axis wrote "2.7 %" in every language: English and
    Tajik write 2.7% and 2,7%, Russian 2,7 % (Babel's CLDR data)."""
    import re

    from desktop_app.i18n.formats import rate_percent
    def as_written(text: str) -> str:
        number = re.sub(r"[^\d.,]", "", text).replace(",", ".")
        return rate_percent(number)

    journey = log_in_as("admin", lang)
    page = journey.go(journey.window.specs[0].title())   # Home
    _settle(journey)
    cards = [card.value.text() for card in page.cards if card.value.isVisible()]
    ratios = [text.split(" (")[0] for text in cards if "(" in text]
    assert ratios, cards
    assert [as_written(shown) for shown in ratios] == ratios
    axis = next(a for a in page.loans_chart.chart().axes(Qt.Orientation.Vertical)
                if a.alignment() == Qt.AlignmentFlag.AlignRight)
    labels = axis.categoriesLabels()
    assert len(labels) > 2 and [as_written(label) for label in labels] == labels


@pytest.mark.parametrize("lang", ["en", "tg"])
@pytest.mark.parametrize("where", ["person", "case"])
def test_tab_leaves_a_notes_field_for_the_next_one(log_in_as, lang, where):
    """Household notes (new person) and What happened (new case) kept the keyboard: Tab
    typed a tab character, so the fields below and Save could not be reached without a
    mouse."""
    journey = log_in_as("admin", lang)
    if where == "person":
        page, domain, button, label = (journey.go(tr("people", "People")), "people",
                                       "New person", "Household notes")
    else:
        page, domain, button, label = (journey.go(tr("cases", "Cases")), "cases",
                                       "New case (Ctrl+N)", "What happened")
    _settle(journey)
    reached: list[tuple[str, str]] = []

    def walk(dialog) -> None:
        notes = journey.entry(tr(domain, label), dialog)
        notes.setFocus()
        QApplication.processEvents()
        assert notes.hasFocus()
        QTest.keyClicks(notes, "x")
        QTest.keyClick(notes, Qt.Key.Key_Tab)
        QApplication.processEvents()
        reached.append((notes.toPlainText(), type(QApplication.focusWidget()).__name__))
        dialog.done(0)     # closed unsaved without the question a changed form asks

    with journey.dialog(walk):
        journey.click(tr(domain, button), page)
    assert reached and reached[0][0] == "x", f"Tab typed into the field: {reached}"
    assert reached[0][1] not in ("NotesEdit", "QPlainTextEdit"), reached


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_the_employers_counts_read_right_aligned_under_their_titles(log_in_as, lang):
    journey = log_in_as("inspector", lang)
    page = journey.go(tr("inspections", "Inspections"))
    journey.tab(tr("inspections", "Employers"), within=page)
    _settle(journey)
    [view] = [v for v in _lists_in_sight(page)]
    model = view.model()
    titles = [tr("inspections", t) for t in ("Cases", "Inspections", "Violations")]
    columns = [c for c in range(model.columnCount())
               if model.headerData(c, Qt.Orientation.Horizontal) in titles]
    assert len(columns) == 3 and model.rowCount() > 0
    right = Qt.AlignmentFlag.AlignRight
    for column in columns:
        title_alignment = model.headerData(column, Qt.Orientation.Horizontal,
                                           Qt.ItemDataRole.TextAlignmentRole)
        assert Qt.AlignmentFlag(int(title_alignment)) & right, column
        for row in range(min(model.rowCount(), 5)):
            cell = model.data(model.index(row, column), Qt.ItemDataRole.TextAlignmentRole)
            assert cell is not None and Qt.AlignmentFlag(int(cell)) & right, (row, column)
