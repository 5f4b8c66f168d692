"""The hotline case worker's day through the real window: a call comes in, the case is
referred, followed up, resolved with its outcome, and its file printed as a PDF.

Every save is measured with a heartbeat on the UI thread (a stall over a second on the
3,000-person demo fails) and checked in the database as well as on the screen.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from desktop_app.domain import cases as dom
from desktop_app.i18n import format_money
from desktop_app.store import reference
from desktop_app.ui.cases import page as cases_page
from desktop_app.ui.cases.detail import CaseDetailDialog
from tests.helpers.pdf import pdf_text
from tests.journeys.driver import STALL_LIMIT, qt_text, tr
from tests.journeys.work import closed, qt_translations, save_and_measure

__all__ = ["qt_translations"]   # the fixture, used by every test here



def referable_person(conn) -> dict:
    """A registered person who agreed to referrals, found by phone (typed in any script)."""
    row = conn.execute(
        "SELECT id, family_name, phones FROM person WHERE deleted=0 AND phones IS NOT NULL"
        " AND consent_date IS NOT NULL AND (consent_scope='all' OR consent_scope LIKE"
        " '%referral%') ORDER BY id LIMIT 1").fetchone()
    return {"id": row[0], "family_name": row[1], "phone": row[2]}


def intake(journey, person: dict, lang: str):
    conn = journey.window.ctx.conn
    category = reference.label(conn, "case_category", "unpaid_wages", lang)

    def fill(dialog) -> None:
        journey.pick(tr("cases", "Category"), category, dialog)
        journey.tick(tr("cases", "The caller is a registered person"), dialog)
        digits = "".join(c for c in person["phone"] if c.isdigit())
        journey.type_text(tr("cases", "Registered person"), digits[-9:], dialog)
        journey.type_text(tr("cases", "What happened"),
                          "Not paid for three months on a building site", dialog)
        journey.type_text(tr("cases", "Employer"), "Stroy Invest Journey", dialog)
        journey.check_window(dialog)
        journey.click(qt_text("Save"), dialog)

    with journey.dialog(closed(fill)):
        journey.click(tr("cases", "New case (Ctrl+N)"))
    journey.settle()
    row = conn.execute("SELECT id, number, status FROM hotline_case WHERE person_id=?"
                       " ORDER BY rowid DESC LIMIT 1", (person["id"],)).fetchone()
    assert row is not None and row[2] == "new", "the new case was not stored"
    return row[0], row[1]


def outcome_text(conn, lang: str) -> str:
    """The timeline's words for the outcome saved below: «Ҳал шуд 45 000,00 рубл»."""
    return (f"{reference.label(conn, 'case_outcome', 'resolved', lang)} "
            f"{format_money(Decimal('45000'), 'RUB', lang)}")


def work_in_case_window(journey, case_number: str, lang: str, stalls: dict) -> None:
    conn = journey.window.ctx.conn
    target = reference.label(conn, "referral_target", "legal_adviser", lang)
    organisation = "Legal Aid Centre of the Sughd Region, Khujand branch"

    def act(dialog) -> None:
        assert isinstance(dialog, CaseDetailDialog)
        assert case_number in dialog.windowTitle()
        # referral
        journey.tab(tr("cases", "Referrals"), dialog)
        dialog.ref_target.setCurrentIndex(dialog.ref_target.findText(target))
        QTest.keyClicks(dialog.ref_detail, organisation)
        stalls["refer"] = save_and_measure(
            journey, lambda: journey.click(tr("cases", "Refer"), dialog))
        rows = journey.rows(dialog.referrals)
        assert len(rows) == 1 and organisation in rows[0][1]
        # the organisation's name is readable in its column (not cut)
        column = 1
        needed = dialog.referrals.fontMetrics().horizontalAdvance(rows[0][1])
        assert dialog.referrals.columnWidth(column) >= needed, "the Referred to column cuts"
        # follow-up, then done
        journey.tab(tr("cases", "Follow-ups"), dialog)
        QTest.keyClicks(dialog.fu_action, "Call the legal adviser")
        stalls["follow-up"] = save_and_measure(
            journey, lambda: journey.click(tr("cases", "Add follow-up"), dialog))
        assert [r[1] for r in journey.rows(dialog.followups)] == ["Call the legal adviser"]
        dialog.followups.selectRow(0)

        def result(box) -> None:
            assert isinstance(box, QInputDialog)
            box.setTextValue("Adviser took the case")
            box.accept()
        with journey.dialog(result):
            stalls["follow-up done"] = save_and_measure(
                journey, lambda: journey.click(tr("cases", "Mark selected done"), dialog))
        assert journey.rows(dialog.followups)[0][3] == "Adviser took the case"
        # outcome
        journey.tab(tr("cases", "Outcome"), dialog)
        # the example in the amount's hint is written as the language types amounts
        assert dom.amount_text(dom.AMOUNT_EXAMPLE, lang) in dialog.wages.placeholderText()
        assert "12500.50" not in dialog.wages.placeholderText() or lang == "en"
        dialog.outcome.set_code("resolved")
        dialog.currency.setCurrentIndex(dialog.currency.findData("RUB"))
        QTest.keyClicks(dialog.wages, "45000")
        stalls["outcome"] = save_and_measure(
            journey, lambda: journey.click(tr("cases", "Save outcome and resolve"), dialog))
        assert reference.label(conn, "case_status", "resolved", lang) in dialog.header.text()
        # the timeline names the outcome and its amount in the user's language
        journey.tab(tr("cases", "Timeline"), dialog)
        outcome_rows = [r for r in journey.rows(dialog.timeline)
                        if r[1] == tr("cases", "Outcome recorded")]
        assert [r[2] for r in outcome_rows] == [outcome_text(conn, lang)]
        journey.check_window(dialog)
        dialog.grab().save(f"/tmp/journey-case-{lang}.png")
        # the case file
        stalls["pdf"] = save_and_measure(
            journey, lambda: journey.click(tr("cases", "PDF…"), dialog))
        dialog.reject()

    with journey.dialog(closed(act)):
        QTest.keyClick(journey.window.stack.currentWidget().table, Qt.Key.Key_Return)


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_a_hotline_case_from_intake_to_its_pdf(log_in_as, lang, tmp_path, monkeypatch):
    pdf = tmp_path / "case.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(pdf), "PDF (*.pdf)")))
    journey = log_in_as("caseworker", lang)
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    journey.check_window()
    conn = journey.window.ctx.conn
    person = referable_person(conn)
    case_id, number = intake(journey, person, lang)

    # the new case is found by its number and opened with Enter
    journey.type_into_widget(page.search, number)
    page.wait_idle()
    assert journey.rows(page.table)[0][0] == number
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    stalls: dict[str, float] = {}
    work_in_case_window(journey, number, lang, stalls)
    assert all(stall < STALL_LIMIT for stall in stalls.values()), stalls

    # what was stored
    case = conn.execute("SELECT status, outcome, wages_recovered_minor, wages_currency"
                        " FROM hotline_case WHERE id=?", (case_id,)).fetchone()
    assert tuple(case) == ("resolved", "resolved", 4500000, "RUB")
    assert conn.execute("SELECT COUNT(*) FROM case_referral WHERE case_id=? AND deleted=0",
                        (case_id,)).fetchone()[0] == 1
    assert conn.execute("SELECT done_on IS NOT NULL, result FROM case_followup"
                        " WHERE case_id=?", (case_id,)).fetchone() == (1, "Adviser took the case")

    # the printed file, in the user's language
    text = pdf_text(pdf)
    assert number in text
    assert reference.label(conn, "case_category", "unpaid_wages", lang) in text
    assert "Legal Aid Centre" in text
    assert f"{tr('cases', 'Outcome recorded')}: {' '.join(outcome_text(conn, lang).split())}" \
        in text
    assert "45000.00" not in text and "RUB" not in text
    journey.assert_no_problems()


@pytest.mark.parametrize("lang", ["ru", "uz"])
def test_the_cases_page_and_a_case_window_read_in_russian_and_uzbek(log_in_as, lang):
    journey = log_in_as("caseworker", lang)
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    journey.check_window()

    def look(dialog) -> None:
        for title in ("Timeline", "Follow-ups", "Referrals", "Outcome"):
            journey.tab(tr("cases", title), dialog)
            journey.check_window(dialog)
        dialog.reject()
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with journey.dialog(look):
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    journey.assert_no_problems()


def test_saves_in_the_case_window_show_a_busy_sign_and_read_the_list_once(
        log_in_as, monkeypatch):
    """Each save used to make the cases page behind the window read its whole list again
    (twice: first rows, then all) and repaint it; now the list is read once, after the
    window closes, and the window says it is saving."""
    reads = []
    list_cases = cases_page.cq.list_cases
    monkeypatch.setattr(cases_page.cq, "list_cases",
                        lambda *args, **kwargs: reads.append(1) or list_cases(*args, **kwargs))
    journey = log_in_as("caseworker", "en")
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    seen = {}

    def act(dialog) -> None:
        reads.clear()
        journey.tab(tr("cases", "Timeline"), dialog)
        for n in range(3):
            QTest.keyClicks(dialog.note, f"Called the employer ({n + 1})")
            journey.button(tr("cases", "Add to timeline"), dialog).click()
            # at once, before the save has come back
            seen.setdefault("saving", dialog.saving.isVisible())
            seen.setdefault("enabled", dialog.note_button.isEnabled())
            journey.settle()
        seen["reads while open"] = len(reads)
        seen["after"] = (dialog.saving.isVisible(), dialog.note_button.isEnabled())
        dialog.reject()

    with journey.dialog(act):
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    journey.settle()
    page.wait_idle()
    assert seen["saving"] and not seen["enabled"]
    assert seen["after"] == (False, True)
    assert seen["reads while open"] == 0
    assert 1 <= len(reads) <= 2     # once after closing (first rows, then the whole list)
    journey.assert_no_problems()
