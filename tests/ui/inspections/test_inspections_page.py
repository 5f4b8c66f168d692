"""Click through the inspections page: a new inspection with a fine and a linked case,
a bad fine refused at its field, employers with repeat offenders highlighted."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.inspections import queries as iq
from desktop_app.store.inspections import services as isv
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


def wage_case(session, employer_id):
    return cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      employer_id=employer_id,
                                      opened_on=(date.today() - timedelta(days=5)).isoformat()))


def test_new_inspection_with_fine_and_linked_case(qtbot, ctx, session):
    firm = sc.EmployerRepository(session).create(dict(name="ООО «СтройИнвест»", city="RU-MOSCOW"))
    case = wage_case(session, firm["id"])
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
            for s in iq.sanctions_of(session.conn, record["id"])] == [("fine", 2500000, "RUB")]
    assert {v["violation"] for v in iq.violations_of(session.conn, record["id"])} == {
        "wage_arrears", "no_contract"}
    assert [c["id"] for c in iq.cases_of(session.conn, record["id"])] == [case["id"]]
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
        isv.record_inspection(session, dict(employer_id=bad["id"], trigger="planned",
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


def test_employer_edited_with_messages_at_the_field(qtbot, ctx, session):
    from desktop_app.ui.inspections.page import EmployerDialog
    firm = sc.EmployerRepository(session).create(dict(name="Stroy Invest", city="RU-MOSCOW"))
    dialog = EmployerDialog(ctx, employer_id=firm["id"])
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit employer"
    assert dialog.name.text() == "Stroy Invest" and dialog.city.code() == "RU-MOSCOW"
    dialog.name.clear()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.errors.text("name") == "Enter the employer's name."
    assert sc.EmployerRepository(session).get(firm["id"])["name"] == "Stroy Invest"
    qtbot.keyClicks(dialog.name, "Stroy Invest Plus")
    qtbot.keyClicks(dialog.tax, "020304050")
    dialog.high_risk.setChecked(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.name, Qt.Key_S, Qt.ControlModifier)     # Ctrl+S saves
    stored = sc.EmployerRepository(session).get(firm["id"])
    assert (stored["name"], stored["tax_number"], stored["high_risk"]) == (
        "Stroy Invest Plus", "020304050", 1)
    assert dialog.errors.text("name") == ""


def test_employer_page_edits_and_opens_inspections(qtbot, ctx, session, monkeypatch):
    from desktop_app.ui.inspections.page import EmployerDialog, InspectionView
    firm = sc.EmployerRepository(session).create(dict(name="Clean Yard"))
    case = wage_case(session, firm["id"])
    inspection = isv.record_inspection(session, dict(
        employer_id=firm["id"], trigger="planned", inspected_on=date.today().isoformat(),
        inspector_name="Saidov"), violations=["osh"])
    view = EmployerView(ctx, firm["id"])
    qtbot.addWidget(view)
    assert view.case_list.rowCount() == 1
    assert view.case_list.item(0, 0).text() == case["number"]
    assert view.inspection_list.item(0, 0).text() == inspection["number"]

    def rename(dialog):           # the user renames the firm in the edit dialog
        dialog.name.setText("Clean Yard Services")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
        return dialog.result()
    monkeypatch.setattr(EmployerDialog, "exec", rename)
    view.edit()
    assert view.header.text().startswith("Clean Yard Services")
    assert view.windowTitle() == "Clean Yard Services"

    def add_fine(dialog):         # a fine added to the inspection after saving it
        assert dialog.windowTitle() == "Edit inspection"
        assert dialog.checked_violations() == ["osh"]
        code, amount, currency = dialog.sanctions[0]
        code.set_code("fine")
        amount.setText("12000")
        currency.setCurrentIndex(currency.findData("RUB"))
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
        return dialog.result()
    monkeypatch.setattr(InspectionDialog, "exec", add_fine)
    monkeypatch.setattr(InspectionView, "exec", lambda dialog: dialog.edit() and 0)
    view.open_inspection(0)
    assert [(s["sanction"], s["fine_minor"]) for s in iq.sanctions_of(
        session.conn, inspection["id"])] == [("fine", 1200000)]
    assert view.last_dialog.sanctions.item(0, 0).text() == "Fine"


def test_two_employers_selected_are_merged_keeping_the_chosen_name(qtbot, ctx, session):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    alpha = sc.EmployerRepository(session).create(dict(name="ООО Альфа-Строй"))
    typo = sc.EmployerRepository(session).create(dict(name="Alfa Stroy", tax_number="5511"))
    case = wage_case(session, typo["id"])
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    page.tabs.setCurrentIndex(1)
    page.show()
    qtbot.waitExposed(page)
    assert page.employers.rowCount() == 2 and not page.merge_employers.isEnabled()
    viewport = page.employers.viewport()
    first = page.employers.visualItemRect(page.employers.item(0, 0)).center()
    second = page.employers.visualItemRect(page.employers.item(1, 0)).center()
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=first)
    assert not page.merge_employers.isEnabled()
    qtbot.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier, pos=second)
    assert page.merge_employers.isEnabled()
    names = [row["name"] for row in page.selected_employers()]

    def keep_the_cyrillic_name():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "Which name should stay?" in box.text()
        button = next(b for b in box.buttons() if b.text() == "ООО Альфа-Строй")
        button.click()

    QTimer.singleShot(0, keep_the_cyrillic_name)
    qtbot.mouseClick(page.merge_employers, Qt.LeftButton)
    assert sorted(names) == sorted(["ООО Альфа-Строй", "Alfa Stroy"])
    assert page.employer_message.text() == (
        "Merged into ООО Альфа-Строй: Alfa Stroy (1 case and 0 inspections moved).")
    assert page.employers.rowCount() == 1
    assert page.employers.item(0, 0).text() == "ООО Альфа-Строй"
    assert page.employers.item(0, 2).text() == "1"
    assert sc.CaseRepository(session).get(case["id"])["employer_id"] == alpha["id"]
    assert sc.EmployerRepository(session).get(alpha["id"])["tax_number"] == "5511"


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_employer_count_headers_are_not_cut(qtbot, ctx, language):
    from desktop_app.i18n import set_language
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    set_language(language)
    try:
        page.retranslate()
        header = page.employers.horizontalHeader()
        for column in (2, 3, 4):
            assert page.employers.columnWidth(column) >= \
                header.sectionSizeFromContents(column).width(), (language, column)
    finally:
        set_language("en")


def test_an_empty_inspection_list_says_what_to_do_next(qtbot, session, db_path):
    from desktop_app.ui.context import AppContext as _Context
    from desktop_app.ui.inspections.page import InspectionsPage as _Page
    page = _Page(_Context(session, db_path))
    qtbot.addWidget(page)
    page.show()
    assert page.list_box.showing_empty()
    assert "No inspections yet" in page.empty.message()
    assert page.empty.button.text() == "New inspection (Ctrl+N)"


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_inspection_view_shows_the_record_and_prints_it(qtbot, ctx, session, tmp_path,
                                                             language):
    from desktop_app.i18n import set_language
    from desktop_app.store import reference
    from desktop_app.ui.inspections.page import InspectionView
    from tests.helpers.pdf import pdf_text
    firm = sc.EmployerRepository(session).create(dict(name="ООО «СтройИнвест»",
                                                      tax_number="7701234567"))
    case = wage_case(session, firm["id"])
    inspection = isv.record_inspection(session, dict(
        employer_id=firm["id"], trigger="complaint", inspected_on=date.today().isoformat(),
        inspector_name="Saidov", findings="Wages unpaid since March."),
        violations=["wage_arrears", "no_contract"], sanctions=[("fine", "25000", "RUB")],
        case_ids=[case["id"]])
    set_language(language)
    try:
        view = InspectionView(ctx, inspection["id"])
        qtbot.addWidget(view)
        view.show()
        violation = reference.label(session.conn, "violation", "wage_arrears", language)
        assert violation in [view.violations.item(r, 0).text()
                             for r in range(view.violations.rowCount())]
        assert view.sanctions.rowCount() == 1
        assert case["number"] in [v.text() for v in view.fact_values]
        view.grab().save(f"/tmp/inspection-view-{language}.png")
        target = tmp_path / "record.pdf"
        assert view.print_record(str(target)) == str(target)
        text = pdf_text(target)
        assert inspection["number"] in text and "7701234567" in text
        assert violation in text and case["number"] in text
        assert "Wages unpaid since March." in text
        assert reference.label(session.conn, "inspection_trigger", "complaint", language) in text
        assert session.conn.execute("SELECT COUNT(*) FROM audit_log WHERE action="
                                    "'export_inspection_pdf'").fetchone()[0] == 1
    finally:
        set_language("en")


def test_ctrl_f_goes_to_the_search_of_the_tab_shown(qtbot, ctx):
    page = InspectionsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.table.setFocus()
    page.search.setText("Строй")
    qtbot.keyClick(page.table, Qt.Key_F, Qt.ControlModifier)
    assert page.search.hasFocus()
    assert page.search.selectedText() == "Строй"     # typing replaces the last search
    page.tabs.setCurrentIndex(1)
    page.employers.setFocus()
    qtbot.keyClick(page.employers, Qt.Key_F, Qt.ControlModifier)
    assert page.emp_search.hasFocus()
