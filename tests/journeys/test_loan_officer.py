"""The loan officer's day through the real window: an application entered, approved by a
second user (the coordinator logs in), disbursed, a repayment (more than due: recorded as
early repayment after the question), loans in arrears on the portfolio, the borrower's
repayment card."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_app.i18n import Domain
from tests.helpers.pdf import pdf_text
from tests.journeys.driver import STALL_LIMIT, qt_text, tr
from tests.journeys.work import qt_translations, save_and_measure

__all__ = ["qt_translations"]


def borrower(conn) -> dict:
    row = conn.execute(
        "SELECT id, phones FROM person WHERE deleted=0 AND phones LIKE '+992%' AND id NOT IN"
        " (SELECT person_id FROM loan) ORDER BY id LIMIT 1").fetchone()
    return {"id": row[0], "phone": row[1]}


def open_loans(journey, number: str | None = None):
    page = journey.go(tr("loans", "Loans"))
    journey.tab(tr("loans", "Loans"))
    tab = page.loans
    if number:
        journey.type_into_widget(tab.search, number)
        journey.settle()
        tab.select(tab.table.key(0))
        assert journey.rows(tab.table)[0][0] == number
    return page, tab


def finish(journey) -> None:
    journey.assert_no_problems()
    journey.window.close()


@pytest.mark.parametrize("lang", ["en", "tg", "ru", "uz"])
def test_a_loan_from_application_to_repayment_card(log_in_as, lang, tmp_path, monkeypatch):
    card = tmp_path / "card.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(card), "PDF (*.pdf)")))
    stalls = {}
    # 1. the loan officer enters the application
    journey = log_in_as("loans", lang)
    page, tab = open_loans(journey)
    journey.check_window()
    conn = journey.window.ctx.conn
    person = borrower(conn)
    journey.click(tr("loans", "New application…"))
    dialog = tab.dialog
    journey.check_window(dialog)
    digits = "".join(c for c in person["phone"] if c.isdigit())
    QTest.keyClicks(dialog.search, digits[-9:])
    journey.settle()
    assert dialog.people.count() >= 1
    dialog.people.setCurrentRow(0)
    QTest.keyClicks(dialog.amount, "5000")
    stalls["apply"] = save_and_measure(journey, lambda: journey.click(qt_text("Save"), dialog))
    assert not dialog.isVisible(), dialog.error.text()
    loan = conn.execute("SELECT id, number, status FROM loan WHERE person_id=?",
                        (person["id"],)).fetchone()
    assert loan is not None and loan[2] == "applied"
    loan_id, number = loan[0], loan[1]
    finish(journey)

    # 2. a second user approves it
    journey = log_in_as("coordinator", lang)
    page, tab = open_loans(journey, number)
    stalls["approve"] = save_and_measure(journey, lambda: journey.click(tr("loans", "Approve")))
    assert journey.window.ctx.conn.execute("SELECT status FROM loan WHERE id=?",
                                           (loan_id,)).fetchone()[0] == "approved"
    finish(journey)

    # 3. the loan officer disburses it, takes a repayment and prints the card
    journey = log_in_as("loans", lang)
    conn = journey.window.ctx.conn
    page, tab = open_loans(journey, number)
    journey.click(tr("loans", "Disburse…"))
    stalls["disburse"] = save_and_measure(
        journey, lambda: journey.click(qt_text("OK"), tab.dialog))
    assert conn.execute("SELECT status FROM loan WHERE id=?", (loan_id,)).fetchone()[0] \
        == "disbursed"
    journey.settle()
    # the status a loan has, not the word for an active user account
    shown = {tab.table.item(r, 4).text() for r in range(tab.table.rowCount())}
    assert Domain("loans").pgettext("loan status", "Active") in shown
    if lang == "ru":                                    # «Действующий», not «Активный»
        assert Domain("security").gettext("Active") not in shown
    journey.click(tr("loans", "Repayment…"))
    repay = tab.dialog
    journey.check_window(repay)
    repay.amount.setFocus()
    QTest.keyClick(repay.amount, Qt.Key.Key_Return)       # nothing typed: says what is missing
    assert repay.error.text() == tr("loans", "Enter the amount repaid.")
    QTest.keyClicks(repay.amount, "500")
    save_and_measure(journey, lambda: journey.click(qt_text("Save"), repay))
    assert repay.isVisible() and repay.prepay_button.isVisible()    # more than due now
    assert repay.owed.geometry().bottom() < repay.error.geometry().top()
    repay.grab().save(f"/tmp/journey-repayment-{lang}.png")
    stalls["repay"] = save_and_measure(journey, lambda: journey.click(
        tr("loans", "Record the difference as early repayment"), repay))
    assert not repay.isVisible()
    assert conn.execute("SELECT -SUM(principal) FROM fund_entry WHERE loan_id=? AND"
                        " kind='repayment'", (loan_id,)).fetchone()[0] == 50000
    stalls["card"] = save_and_measure(
        journey, lambda: journey.click(tr("loans", "Repayment card (PDF)…")))
    assert number in pdf_text(card)

    # 4. loans in arrears show on the portfolio
    journey.tab(tr("loans", "Portfolio"))
    journey.settle()
    overdue = journey.rows(page.portfolio.overdue)
    assert overdue and all(int(row[3]) > 0 for row in overdue)
    journey.window.grab().save(f"/tmp/journey-portfolio-{lang}.png")
    assert all(stall < STALL_LIMIT for stall in stalls.values()), stalls
    finish(journey)
