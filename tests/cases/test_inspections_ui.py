"""Click through the inspections page: a new inspection with a fine and a linked case,
a bad fine refused at its field, employers with repeat offenders highlighted."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.store import cases as sc
from desktop_app.store import inspections as si
from desktop_app.ui.cases.widgets import REPEAT_BRUSH
from desktop_app.ui.context import AppContext
from desktop_app.ui.inspections.page import EmployerView, InspectionDialog, InspectionsPage


@pytest.fixture
def ctx(session, db_path):
    return AppContext(session, db_path)


def fill(dialog, employer_id, fine="25000", currency="RUB", cases=""):
    dialog.employer.setCurrentIndex(dialog.employer.findData(employer_id))
    dialog.trigger.set_code("complaint")
    for n in range(dialog.violations.count()):
        item = dialog.violations.item(n)
        if item.data(Qt.UserRole) in ("wage_arrears", "no_contract"):
            item.setCheckState(Qt.Checked)
    code, amount, cur = dialog.sanctions[0]
    code.set_code("fine")
    amount.setText(fine)
    cur.setCurrentIndex(cur.findData(currency))
    dialog.cases.setText(cases)


def test_new_inspection_with_fine_and_linked_case(qtbot, ctx, session):
    firm = sc.EmployerRepository(session).create(dict(name="ООО «СтройИнвест»", city="RU-MOSCOW"))
    case = sc.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      employer_id=firm["id"],
                                      opened_on=(date.today() - timedelta(days=5)).isoformat()))
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    dialog = InspectionDialog(ctx, page)
    qtbot.addWidget(dialog)
    fill(dialog, firm["id"], fine="-10")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.errors.text("fine_0") == "The amount cannot be negative."
    assert session.conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0] == 0
    fill(dialog, firm["id"], fine="25000", cases=case["number"].lower())
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    record = dialog.record
    assert record is not None
    assert [(s["sanction"], s["fine_minor"], s["fine_currency"])
            for s in si.sanctions_of(session.conn, record["id"])] == [("fine", 2500000, "RUB")]
    assert {v["violation"] for v in si.violations_of(session.conn, record["id"])} == {
        "wage_arrears", "no_contract"}
    assert [c["id"] for c in si.cases_of(session.conn, record["id"])] == [case["id"]]
    page.refresh()
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 2)) == "ООО «СтройИнвест»"


def test_unknown_case_number_is_refused(qtbot, ctx, session):
    firm = sc.EmployerRepository(session).create(dict(name="Stroy"))
    dialog = InspectionDialog(ctx)
    qtbot.addWidget(dialog)
    fill(dialog, firm["id"], cases="GRM-XXXX-2026-99999")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.errors.text("case_ids") == "No case has the number GRM-XXXX-2026-99999."
    assert dialog.record is None


def test_employers_tab_shows_repeat_offenders(qtbot, ctx, session):
    bad = sc.EmployerRepository(session).create(dict(name="Stroy Invest"))
    sc.EmployerRepository(session).create(dict(name="Clean Yard"))
    for _n in range(2):
        si.record_inspection(session, dict(employer_id=bad["id"], trigger="planned",
                                           inspected_on=date.today().isoformat(),
                                           inspector_name="Saidov"), violations=["osh"])
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    page.tabs.setCurrentIndex(1)
    assert page.employers.rowCount() == 2
    assert page.employers.item(0, 0).text() == "Stroy Invest"
    assert page.employers.item(0, 5).text() == "repeat offender"
    assert page.employers.item(0, 0).background() == REPEAT_BRUSH
    page.repeat_only.setChecked(True)
    assert page.employers.rowCount() == 1
    view = EmployerView(ctx, bad["id"], page)
    qtbot.addWidget(view)
    assert view.inspection_list.rowCount() == 2
    assert "repeat offender" in view.header.text()
