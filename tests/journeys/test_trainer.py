"""The trainer's day through the real window (field officers plan trainings, see
domain/security.py): a training planned with its sessions, participants added by search,
attendance marked with the keyboard (a session still to come refused with the reason),
certificates printed for those who completed."""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_app.i18n import format_date
from desktop_app.i18n.formats import share_percent
from tests.helpers.pdf import pdf_text
from tests.journeys.driver import STALL_LIMIT, tr
from tests.journeys.work import closed, qt_translations, save_and_measure

__all__ = ["qt_translations"]


def people_with_phones(conn, count: int) -> list[dict]:
    return [{"id": r[0], "family_name": r[1], "phone": r[2]} for r in conn.execute(
        "SELECT id, family_name, phones FROM person WHERE deleted=0 AND phones LIKE '+992%'"
        " ORDER BY id LIMIT ?", (count,))]


@pytest.mark.parametrize("lang", ["en", "tg", "ru", "uz"])
def test_a_training_planned_attended_and_certified(log_in_as, lang, tmp_path, monkeypatch):
    pdf = tmp_path / "certificates.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(pdf), "PDF (*.pdf)")))
    journey = log_in_as("field", lang)
    page = journey.go(tr("trainings", "Trainings"))
    journey.check_window()
    conn = journey.window.ctx.conn
    stalls = {}

    # plan: three sessions, the last one tomorrow
    journey.click(tr("trainings", "New training (Ctrl+N)"))
    form = page.form
    form.course.set_code("siyb")
    QTest.keyClicks(form.title, "Journey SIYB")
    QTest.keyClicks(form.place, "Garm")
    form.start.set_value(date.today() - timedelta(days=3))
    form.end.set_value(date.today() + timedelta(days=1))
    form.sessions_count.setValue(3)
    stalls["plan"] = save_and_measure(
        journey, lambda: journey.click(tr("trainings", "Save the training (Ctrl+S)")))
    event = conn.execute("SELECT id FROM training_event WHERE title='Journey SIYB'").fetchone()
    assert event is not None, form.error.text()
    event_id = event[0]
    assert conn.execute("SELECT COUNT(*) FROM training_session WHERE event_id=? AND deleted=0",
                        (event_id,)).fetchone()[0] == 3

    # participants, found by phone
    journey.tab(tr("trainings", "Participants and attendance"))
    people = people_with_phones(conn, 2)

    def add(dialog) -> None:
        for person in people:
            digits = "".join(c for c in person["phone"] if c.isdigit())
            QTest.keyClicks(dialog.search, digits[-9:])
            QTest.qWait(300)
            journey.settle()
            assert dialog.results.count() >= 1
            QTest.keyClick(dialog.search, Qt.Key.Key_Return)
            journey.settle()
            dialog.search.clear()
        dialog.accept()

    with journey.dialog(closed(add)):
        journey.click(tr("trainings", "Add people…"))
    tab = page.participants
    assert len(tab.model.participants) == 2

    # attendance: the two sessions held are marked, the one to come is refused with why
    grid = tab.grid
    grid.setFocus()
    for row in range(2):
        for column in range(2):
            grid.setCurrentIndex(tab.model.index(row, column))
            stalls[f"mark {row} {column}"] = save_and_measure(
                journey, lambda: QTest.keyClick(grid, Qt.Key.Key_Space))
    grid.setCurrentIndex(tab.model.index(0, 2))
    QTest.keyClick(grid, Qt.Key.Key_Space)
    journey.settle()
    assert tab.message.text(), "the refused mark says nothing"
    assert conn.execute("SELECT COUNT(*) FROM training_attendance WHERE event_id=? AND"
                        " present=1", (event_id,)).fetchone()[0] == 4
    # the certificates wait for the last session, and say so
    button = journey.button(tr("trainings", "Print all certificates…"))
    assert not button.isEnabled() and button.toolTip()
    journey.window.grab().save(f"/tmp/journey-trainings-{lang}.png")

    # the last session moves to today (it was held early): everyone completed, printed
    last = conn.execute("SELECT id FROM training_session WHERE event_id=? ORDER BY"
                        " session_date DESC LIMIT 1", (event_id,)).fetchone()[0]
    journey.tab(tr("trainings", "Details and sessions"))
    table = form.sessions_table
    item = table.item(2, 1)
    assert item.data(Qt.ItemDataRole.UserRole) == last
    today = date.today()
    stalls["move session"] = save_and_measure(
        journey, lambda: item.setText(f"{today.day:02d}.{today.month:02d}.{today.year}"))
    journey.tab(tr("trainings", "Participants and attendance"))
    for row in range(2):
        grid.setCurrentIndex(tab.model.index(row, 2))
        QTest.keyClick(grid, Qt.Key.Key_Space)
        journey.settle()
    assert [p["completed"] for p in tab.model.participants] == [1, 1]
    # the totals say the completion rate as the language writes a percentage (100 %, 100%)
    assert f"({share_percent(Fraction(1), lang)})" in tab.totals.text()
    journey.tab(tr("trainings", "Details and sessions"))
    days = [r[0] for r in conn.execute("SELECT session_date FROM training_session WHERE"
                                       " event_id=? AND deleted=0 ORDER BY session_date",
                                       (event_id,))]
    assert [table.item(i, 1).text() for i in range(3)] == [format_date(d, lang) for d in days]
    journey.tab(tr("trainings", "Participants and attendance"))
    stalls["certificates"] = save_and_measure(
        journey, lambda: journey.click(tr("trainings", "Print all certificates…")))
    numbers = [r[0] for r in conn.execute(
        "SELECT certificate_number FROM training_participant WHERE event_id=? AND deleted=0",
        (event_id,))]
    assert all(numbers) and len(numbers) == 2
    text = pdf_text(pdf)
    assert all(number in text for number in numbers)
    assert all(stall < STALL_LIMIT for stall in stalls.values()), stalls
    journey.check_window()
    journey.assert_no_problems()
