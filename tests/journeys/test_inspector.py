"""The labour inspector's day through the real window: an inspection with violations and a
fine, linked to a hotline case, saved, opened again and its record printed."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from desktop_app.store import reference
from desktop_app.ui.inspections.page import InspectionDialog, InspectionView
from tests.helpers.pdf import pdf_text
from tests.journeys.driver import STALL_LIMIT, tr
from tests.journeys.work import closed, qt_translations, save_and_measure

__all__ = ["qt_translations"]


def employer_with_a_case(conn) -> tuple[str, str, str]:
    row = conn.execute(
        "SELECT e.id, e.name, c.number FROM hotline_case c JOIN employer e ON e.id ="
        " c.employer_id WHERE c.deleted=0 AND e.deleted=0 ORDER BY c.rowid DESC LIMIT 1"
    ).fetchone()
    return row[0], row[1], row[2]


@pytest.mark.parametrize("lang", ["en", "tg", "ru", "uz"])
def test_an_inspection_with_violations_linked_to_a_case_is_printed(log_in_as, lang, tmp_path,
                                                                   monkeypatch):
    pdf = tmp_path / "inspection.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(pdf), "PDF (*.pdf)")))
    journey = log_in_as("inspector", lang)
    page = journey.go(tr("inspections", "Inspections"))
    journey.check_window()
    conn = journey.window.ctx.conn
    employer_id, employer_name, case_number = employer_with_a_case(conn)
    stalls = {}

    def record(dialog) -> None:
        assert isinstance(dialog, InspectionDialog)
        dialog.employer.setCurrentIndex(dialog.employer.findData(employer_id))
        dialog.trigger.set_code("complaint")
        for n in range(dialog.violations.count()):
            item = dialog.violations.item(n)
            if item.data(Qt.ItemDataRole.UserRole) in ("wage_arrears", "no_contract"):
                item.setCheckState(Qt.CheckState.Checked)
        code, amount, currency = dialog.sanctions[0]
        code.set_code("fine")
        QTest.keyClicks(amount, "25000")
        currency.setCurrentIndex(currency.findData("RUB"))
        QTest.keyClicks(dialog.cases, case_number)
        QTest.keyClicks(dialog.findings, "Wages unpaid since March")
        journey.check_window(dialog)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        stalls["save"] = save_and_measure(journey, lambda: QTest.mouseClick(
            save, Qt.MouseButton.LeftButton))

    with journey.dialog(closed(record)):
        journey.click(tr("inspections", "New inspection (Ctrl+N)"))
    journey.settle()
    saved = conn.execute("SELECT id, number FROM inspection WHERE employer_id=? AND deleted=0"
                         " ORDER BY rowid DESC LIMIT 1", (employer_id,)).fetchone()
    assert saved is not None
    inspection_id, number = saved
    assert sorted(r[0] for r in conn.execute(
        "SELECT violation FROM inspection_violation WHERE inspection_id=? AND deleted=0",
        (inspection_id,))) == ["no_contract", "wage_arrears"]
    assert conn.execute("SELECT COUNT(*) FROM inspection_case l JOIN hotline_case c ON"
                        " c.id=l.case_id WHERE l.inspection_id=? AND c.number=?",
                        (inspection_id, case_number)).fetchone()[0] == 1

    # found again by its number, opened with Enter, printed
    journey.type_into_widget(page.search, number)
    journey.settle()
    assert journey.rows(page.table)[0][0] == number

    def look_and_print(view) -> None:
        assert isinstance(view, InspectionView)
        journey.check_window(view)
        violation = reference.label(conn, "violation", "wage_arrears", lang)
        assert violation in [r[0] for r in journey.rows(view.violations)]
        view.grab().save(f"/tmp/journey-inspection-{lang}.png")
        stalls["print"] = save_and_measure(
            journey, lambda: journey.click(tr("inspections", "Print / PDF… (Ctrl+P)"), view))
        view.reject()

    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with journey.dialog(look_and_print):
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert all(stall < STALL_LIMIT for stall in stalls.values()), stalls
    text = pdf_text(pdf)
    assert number in text and case_number in text
    assert reference.label(conn, "violation", "no_contract", lang) in text
    assert "Wages unpaid since March" in text
    journey.assert_no_problems()
