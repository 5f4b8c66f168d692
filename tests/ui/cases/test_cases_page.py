"""Click through the cases page offscreen: a hotline call end to end, bad input, the
consent override, the overdue list, the sensitive-case reason prompt."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QPushButton

from desktop_app.i18n import set_language
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import ReasonRequired
from desktop_app.ui import operations
from desktop_app.ui.app import build_context
from desktop_app.ui.cases import detail as detail_module
from desktop_app.ui.cases import page as page_module
from desktop_app.ui.cases.detail import CaseDetailDialog
from desktop_app.ui.cases.intake import IntakeDialog
from desktop_app.ui.cases.page import CasesPage
from desktop_app.ui.cases.widgets import OVERDUE_BRUSH, TODAY_BRUSH
from desktop_app.ui.context import AppContext
from tests.helpers.pdf import pdf_text

TODAY = date.today()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, the day the store and pages work on: the date taken at
    import would be yesterday's for a run that passes midnight before reaching the test."""
    global TODAY
    TODAY = date.today()


@pytest.fixture
def ctx(qtbot, session, db_path):
    """The application's context: lists are read on its DB worker."""
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()


@pytest.fixture
def bare_ctx(session, db_path):
    """No worker (a bare context): lists are read in place."""
    return AppContext(session, db_path)


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.LeftButton)
    assert operations.wait_idle()   # a save runs on the DB worker: wait for its answer


def test_hotline_call_end_to_end(qtbot, ctx, session):
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    # 1. a call comes in: the caller gives only a first name
    intake = IntakeDialog(ctx)
    qtbot.addWidget(intake)
    intake.category.set_code("unpaid_wages")
    intake.caller.setText("Алишер")  # QTest types ASCII only
    qtbot.keyClicks(intake.phone, "+992 93 555 1234")
    intake.summary.setPlainText("Не платят три месяца на стройке в Москве")
    intake.employer.setText("ООО СтройИнвест")
    click(qtbot, intake.buttons.button(QDialogButtonBox.Save))
    case = intake.record
    assert case is not None and case["person_id"] is None and case["employer_id"]
    assert page.wait_idle()
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 0)) == case["number"]
    assert page.model.data(page.model.index(0, 2)) == "Алишер"

    # 2. he comes to the office later, is registered (with consent) and linked
    person = PersonRepository(session).create(dict(
        family_name="Раҳмонов", given_name="Алишер", consent_date=TODAY.isoformat(),
        consent_scope="referral"))
    dialog = CaseDetailDialog(ctx, case["id"])
    qtbot.addWidget(dialog)
    click(qtbot, dialog.link_button)
    qtbot.keyClicks(dialog.picker.search, "Rakhmonov")
    assert dialog.picker.results.count() == 1
    click(qtbot, dialog.link_confirm)
    assert sc.CaseRepository(session).get(case["id"])["person_id"] == person["id"]

    # 3. referral to a legal adviser
    dialog.ref_target.set_code("legal_adviser")
    dialog.ref_detail.setText("Ассоциация юристов")
    click(qtbot, dialog.ref_add)
    [referral] = cq.referrals(session.conn, case["id"])
    assert referral["target"] == "legal_adviser" and referral["consent_override"] == 0
    assert dialog.referrals.rowCount() == 1
    assert sc.CaseRepository(session).get(case["id"])["status"] == "referred"

    # 4. wages recovered: a negative amount is refused at the field, nothing saved
    dialog.outcome.set_code("resolved")
    qtbot.keyClicks(dialog.wages, "-500")
    dialog.currency.setCurrentIndex(dialog.currency.findData("RUB"))
    click(qtbot, dialog.outcome_button)
    assert dialog.out_errors.text("wages_recovered") == "The amount cannot be negative."
    assert sc.CaseRepository(session).get(case["id"])["wages_recovered_minor"] is None
    dialog.wages.clear()
    qtbot.keyClicks(dialog.wages, "85000,50")
    click(qtbot, dialog.outcome_button)
    assert dialog.out_errors.text("wages_recovered") == ""
    stored = sc.CaseRepository(session).get(case["id"])
    assert stored["status"] == "resolved"
    assert (stored["wages_recovered_minor"], stored["wages_currency"]) == (8500050, "RUB")
    kinds = [e["kind"] for e in cq.timeline(session.conn, case["id"])]
    assert kinds[0] == "call" and "person_linked" in kinds and "referral" in kinds
    assert kinds[-2:] == ["outcome", "status"]
    assert dialog.timeline.rowCount() == len(kinds)

    # 5. the list shows the person's name now, and the case under "All cases"
    page.view.setCurrentIndex(page.view.findData("all"))
    assert page.wait_idle()
    assert page.model.data(page.model.index(0, 2)) == "Раҳмонов Алишер"


def test_intake_requires_a_category(qtbot, ctx, session):
    intake = IntakeDialog(ctx)
    qtbot.addWidget(intake)
    click(qtbot, intake.buttons.button(QDialogButtonBox.Save))
    assert intake.errors.text("category") == "Choose a category."
    assert intake.record is None
    assert session.conn.execute("SELECT COUNT(*) FROM hotline_case").fetchone()[0] == 0


def test_followup_before_opening_shows_at_the_field(qtbot, ctx, session):
    case = cs.open_case(session, dict(channel="walk_in", category="no_contract",
                                      opened_on=TODAY.isoformat()))
    dialog = CaseDetailDialog(ctx, case["id"])
    qtbot.addWidget(dialog)
    before = TODAY - timedelta(days=2)
    from PySide6.QtCore import QDate
    dialog.fu_due.setDate(QDate(before.year, before.month, before.day))
    qtbot.keyClicks(dialog.fu_action, "Call the employer")
    click(qtbot, dialog.fu_add)
    assert "before the case was opened" in dialog.fu_errors.text("due_on")
    assert cq.followups(session.conn, case["id"]) == []


def test_referral_without_consent_asks_for_an_override(qtbot, ctx, session, monkeypatch):
    case = cs.open_case(session, dict(channel="hotline", category="passport_confiscated"))
    dialog = CaseDetailDialog(ctx, case["id"])
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("Caller in danger, anonymous", True)))
    dialog.ref_target.set_code("police")
    click(qtbot, dialog.ref_add)
    [referral] = cq.referrals(session.conn, case["id"])
    assert referral["consent_override"] == 1
    assert referral["override_reason"] == "Caller in danger, anonymous"
    assert "override" in dialog.referrals.item(0, 4).text()


def test_overdue_follow_ups_highlighted(qtbot, ctx, session):
    a = cs.open_case(session, dict(channel="hotline", category="entry_ban",
                                   opened_on=(TODAY - timedelta(days=9)).isoformat()))
    late = cs.add_followup(session, a["id"], (TODAY - timedelta(days=4)).isoformat(),
                           "Ask the consulate")
    cs.add_followup(session, a["id"], TODAY.isoformat(), "Call back")
    cs.add_followup(session, a["id"], (TODAY + timedelta(days=4)).isoformat(), "Not yet")
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    page.view.setCurrentIndex(page.view.findData("due"))
    assert page.wait_idle()
    model = page.due_model
    assert model.rowCount() == 2
    assert model.data(model.index(0, 3)) == "Ask the consulate"
    assert model.data(model.index(0, 1)) == "overdue"
    assert model.data(model.index(0, 0), Qt.BackgroundRole) == OVERDUE_BRUSH
    assert model.data(model.index(1, 1)) == "today"
    assert model.data(model.index(1, 0), Qt.BackgroundRole) == TODAY_BRUSH
    assert page.count.text() == "2 follow-ups due, 1 overdue"
    # marking it done takes it off the list
    cs.complete_followup(session, late["id"], result="Consulate answered")
    ctx.data_changed.emit("case_followup")
    assert page.wait_idle()
    assert model.rowCount() == 1


def test_sensitive_case_asks_for_a_reason(qtbot, ctx, session, monkeypatch):
    case = cs.open_case(session, dict(channel="hotline", category="trafficking",
                                      caller_name="Нигина"))

    class Strict:
        def check(self, actor, action, table, row):
            if action == "view_detail" and row and row.get("sensitive") \
                    and row.get("id") not in session.granted_reasons:
                raise ReasonRequired("Give a reason", table, row.get("id"))

    session.policy = Strict()
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    page.view.setCurrentIndex(page.view.findData("all"))
    assert page.wait_idle()
    assert page.model.data(page.model.index(0, 2)) == "•••"
    # searched by the caller's name it is not shown at all; by its number it is
    page.search.setText("Нигина")
    page.refresh()
    assert page.wait_idle()
    assert page.model.rowCount() == 0
    page.search.setText(case["number"])
    page.refresh()
    assert page.wait_idle()
    assert page.model.rowCount() == 1
    page.search.clear()
    page.refresh()
    assert page.wait_idle()
    warnings = []
    monkeypatch.setattr(detail_module.QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: warnings.append(text)))
    monkeypatch.setattr(detail_module, "ask_reason", lambda parent: None)
    assert detail_module.open_case(ctx, case["id"]) is None
    assert warnings == ["Give a reason"]
    assert case["id"] not in session.granted_reasons
    monkeypatch.setattr(detail_module, "ask_reason", lambda parent: "Coordinator review")
    dialog = detail_module.open_case(ctx, case["id"])
    qtbot.addWidget(dialog)
    assert isinstance(dialog, CaseDetailDialog)
    assert case["id"] in session.granted_reasons


def test_page_switches_language(qtbot, ctx, session):
    cs.open_case(session, dict(channel="hotline", category="unpaid_wages"))
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    set_language("tg")
    page.retranslate()
    assert page.wait_idle()
    assert page.model.data(page.model.index(0, 3)) == "Музди меҳнати пардохтнашуда"
    assert page.model.data(page.model.index(0, 4)) == "Нав"


def test_lists_are_read_on_the_worker_and_search_any_script(qtbot, ctx, session, monkeypatch):
    import threading
    person = PersonRepository(session).create(dict(family_name="Раҳмонов",
                                                   given_name="Фарҳод"))
    mine = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      person_id=person["id"]))
    other = cs.open_case(session, dict(channel="walk_in", category="entry_ban",
                                       caller_name="Bahodir"))
    threads, limits, shown = [], [], []
    real = cq.list_cases

    def spy(conn, flt, limit=None):
        threads.append(threading.current_thread())
        limits.append(limit)
        shown.append(page.model.rowCount())
        return real(conn, flt, limit)
    monkeypatch.setattr(cq, "list_cases", spy)
    monkeypatch.setattr(page_module, "FIRST_ROWS", 1)
    page = CasesPage(ctx)
    qtbot.addWidget(page)
    assert page.wait_idle()
    limits.clear()
    shown.clear()
    page.view.setCurrentIndex(page.view.findData("all"))
    assert page.wait_idle()
    assert page.model.rowCount() == 2
    assert threads and threading.main_thread() not in threads
    # a list without a search: its first row shown, then the whole list read
    assert limits == [1, None] and shown[1] == 1
    # typing in the search box (Latin for a Tajik name), answered after the debounce
    page.search.setText("Rahmonov")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert page.model.data(page.model.index(0, 0)) == mine["number"]
    page.search.setText(other["number"])
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 0)) == other["number"],
                    timeout=5000)
    assert page.model.rowCount() == 1
    assert page.count.text() == "1 case"
    # a person renamed on the People page is found under the new name at once
    PersonRepository(session).update(person["id"], {"family_name": "Каримов"})
    page.search.setText("Karimov")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and
                    page.model.data(page.model.index(0, 0)) == mine["number"], timeout=5000)
    # Esc in the search box clears it: the whole list again
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key_Escape)
    assert page.search.text() == ""
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)


def test_lists_without_a_worker_and_the_person_section(qtbot, bare_ctx, session):
    from desktop_app.ui.cases.person import PersonCases
    person = PersonRepository(session).create(dict(family_name="Саидова", given_name="Зарина"))
    first = cs.open_case(session, dict(channel="hotline", category="no_contract",
                                       person_id=person["id"],
                                       opened_on=(TODAY - timedelta(days=3)).isoformat()))
    second = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                        person_id=person["id"]))
    cs.open_case(session, dict(channel="hotline", category="unpaid_wages"))
    page = CasesPage(bare_ctx)
    qtbot.addWidget(page)
    page.view.setCurrentIndex(page.view.findData("all"))
    assert page.model.rowCount() == 3          # read in place, no worker
    page.category.set_code("no_contract")
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 0)) == first["number"]
    section = PersonCases(bare_ctx, [person["id"]])
    qtbot.addWidget(section)
    assert [section.model.data(section.model.index(n, 0)) for n in range(2)] == [
        second["number"], first["number"]]


def test_referral_to_another_office_of_the_network(qtbot, ctx, session):
    from desktop_app.store.offices import OfficeRepository
    other = OfficeRepository(session).create(dict(code="TJB", name="Tojikobod JRC",
                                                    office_type="jrc"))
    person = PersonRepository(session).create(dict(
        family_name="Шарипов", given_name="Умед", consent_date=TODAY.isoformat(),
        consent_scope="referral"))
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      person_id=person["id"]))
    dialog = CaseDetailDialog(ctx, case["id"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ref_office.isHidden()
    dialog.ref_target.set_code(sc.NETWORK_OFFICE)
    assert not dialog.ref_office.isHidden()
    offices = [dialog.ref_office.itemData(n) for n in range(dialog.ref_office.count())]
    assert offices == [None, other["id"]]          # not the case's own office
    click(qtbot, dialog.ref_add)
    assert dialog.ref_errors.text("target_office_id") == \
        "Choose the office the case is referred to."
    assert cq.referrals(session.conn, case["id"]) == []
    dialog.ref_office.setCurrentIndex(dialog.ref_office.findData(other["id"]))
    click(qtbot, dialog.ref_add)
    [referral] = cq.referrals(session.conn, case["id"])
    assert (referral["target"], referral["target_office_id"]) == (sc.NETWORK_OFFICE,
                                                                 other["id"])
    assert dialog.ref_errors.text("target_office_id") == ""
    assert dialog.referrals.item(0, 1).text() == \
        "Another office of our network: TJB · Tojikobod JRC"
    assert "TJB · Tojikobod JRC" in dialog.timeline.item(
        dialog.timeline.rowCount() - 2, 2).text()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_pdf_button_saves_the_case_file(qtbot, ctx, session, tmp_path, monkeypatch,
                                            language):
    case = cs.open_case(session, {"category": "unpaid_wages", "channel": "hotline",
                                  "caller_name": "Алишер",
                                  "summary": "Не платят три месяца"})
    set_language(language)
    try:
        dialog = CaseDetailDialog(ctx, case["id"])
        qtbot.addWidget(dialog)
        target = tmp_path / f"{case['number']}.pdf"
        monkeypatch.setattr(detail_module.QFileDialog, "getSaveFileName",
                            lambda *args, **kwargs: (str(target), "PDF (*.pdf)"))
        [button] = [b for b in dialog.findChildren(QPushButton) if b.text() == "PDF…"]
        assert "Ctrl+P" in button.toolTip()
        qtbot.mouseClick(button, Qt.LeftButton)
        assert operations.wait_idle()       # written on the DB worker
        assert target.read_bytes().startswith(b"%PDF")
        assert case["number"] in pdf_text(target)
    finally:
        set_language("en")


def test_a_double_click_on_a_case_opens_it_once(qtbot, bare_ctx, session, monkeypatch):
    cs.open_case(session, dict(channel="hotline", category="unpaid_wages"))
    page = CasesPage(bare_ctx)
    qtbot.addWidget(page)
    page.show()
    page.view.setCurrentIndex(page.view.findData("all"))
    assert page.model.rowCount() == 1
    opened = []
    monkeypatch.setattr(page, "open_row", lambda row: opened.append(row))
    centre = page.table.visualRect(page.model.index(0, 0)).center()
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=centre)   # a double click is
    qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton, pos=centre)  # a press, then this
    assert opened == [0]


def test_an_empty_list_says_what_to_do_next(qtbot, bare_ctx, session):
    page = CasesPage(bare_ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.list_box.showing_empty() and page.empty.isVisible()
    assert "No cases in this list yet" in page.empty.message()
    assert page.empty.button.text() == "New case (Ctrl+N)" and page.empty.button.isVisible()
    page.search.setText("Rahmonov")
    page.refresh()
    assert "No case matches the search" in page.empty.message()
    assert not page.empty.button.isVisible()
