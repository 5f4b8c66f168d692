"""Click through the loans page: apply, approve as another user, disburse, repay late, PAR30."""
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.store.loans import queries, services
from desktop_app.store.loans import repositories as S
from desktop_app.ui.context import AppContext
from desktop_app.ui.loans import PAGE, PERSON_SECTION
from desktop_app.ui.loans.page import LoansPage
from tests.helpers.loans import borrower, second_user


def _select(table, text):
    for row in range(table.rowCount()):
        if table.item(row, 0).text() == text:
            table.selectRow(row)
            return row
    raise AssertionError(f"{text} not in table")


def test_apply_approve_disburse_repay_late_shows_in_par30(qtbot, session, db_path):
    borrower(session)
    ctx = AppContext(session, db_path)
    page = PAGE.factory(ctx)
    assert isinstance(page, LoansPage)
    qtbot.addWidget(page)
    page.show()
    # a fund with capital, through the Funds tab
    funds = page.funds
    qtbot.keyClicks(funds.name, "Gharm revolving fund")
    funds.currency.setCurrentIndex(funds.currency.findData("TJS"))
    qtbot.mouseClick(funds.create_button, Qt.LeftButton)
    assert funds.table.rowCount() == 1
    dialog = funds.open_capital()
    dialog.on.set_value(date.today() - timedelta(days=200))
    qtbot.keyClicks(dialog.amount, "50000")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not dialog.isVisible()
    assert "50,000.00\N{NO-BREAK SPACE}somoni" in funds.table.item(0, 6).text()

    # application by the administrator
    tab = page.loans
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    app = tab.dialog
    app.search.setText("Рахимова")   # Russian spelling finds the Tajik name (typed text)
    assert app.people.count() == 1
    app.product.setCurrentIndex(app.product.findData("jrc_business"))
    qtbot.keyClicks(app.amount, "abc")
    assert app.amount.text() == ""          # letters cannot be typed into an amount
    qtbot.mouseClick(app.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert app.isVisible() and "not an amount" in app.error.text()
    app.amount.setText("6000")
    app.applied_on.set_value(date.today() - timedelta(days=130))
    app.guarantor.setText("Саидов Карим")
    qtbot.mouseClick(app.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert not app.isVisible()
    loan = queries.loans_list(session.conn)[0]
    assert loan["status"] == "applied" and loan["guarantor_name"] == "Саидов Карим"
    row = _select(tab.table, loan["number"])
    assert tab.schedule.rowCount() == 12  # schedule shown before approval

    # the maker cannot approve
    qtbot.mouseClick(tab.approve_button, Qt.LeftButton)
    assert "another user must approve" in tab.message.text()
    assert S.LoanRepository(session).get(loan["id"])["status"] == "applied"

    # another user approves
    ctx.session = second_user(session)
    _select(tab.table, loan["number"])
    qtbot.mouseClick(tab.approve_button, Qt.LeftButton)
    assert "approved" in tab.message.text()
    assert tab.table.item(row, 4).text() == "Approved"

    # disbursed 120 days ago
    qtbot.mouseClick(tab.disburse_button, Qt.LeftButton)
    d = tab.dialog
    d.on.set_value(date.today() - timedelta(days=120))
    qtbot.mouseClick(d.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not d.isVisible()
    assert S.LoanRepository(session).get(loan["id"])["status"] == "disbursed"

    # one late repayment: only part of the first instalment, 40 days after it fell due
    qtbot.mouseClick(tab.repay_button, Qt.LeftButton)
    r = tab.dialog
    r.on.set_value(date.today() - timedelta(days=50))
    assert "late" in r.owed.text()
    qtbot.keyClicks(r.amount, "100000")
    qtbot.mouseClick(r.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert r.isVisible() and "whole loan" in r.error.text()
    r.amount.setText("4000")
    qtbot.mouseClick(r.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert r.isVisible() and r.prepay_button.isVisible()  # asks: prepay or not
    r.amount.setText("300")
    qtbot.mouseClick(r.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert not r.isVisible()
    assert tab.ledger.rowCount() == 2

    # PAR30 on the portfolio tab
    portfolio = page.portfolio
    page.tabs.setCurrentWidget(portfolio)
    portfolio.as_of.set_value(date.today())
    text = portfolio.figures.text()
    assert "PAR30 100.0%" in text
    assert "more than 30 days" in portfolio.definition.text()
    assert portfolio.overdue.rowCount() == 1
    assert portfolio.overdue.item(0, 2).text() == "+992 93 111 22 33"
    assert int(portfolio.overdue.item(0, 3).text()) > 30
    # looking back to before the first due date, nothing was at risk
    portfolio.as_of.set_value(date.today() - timedelta(days=100))
    assert "PAR30 0.0%" in portfolio.figures.text()
    assert portfolio.overdue.rowCount() == 0


def test_portfolio_is_computed_on_the_worker_and_the_latest_choice_wins(qtbot, session,
                                                                         db_path):
    """With the application's DB worker the figures arrive through it (the page stays
    responsive on a large portfolio); only the answer for the latest date is shown."""
    from desktop_app.ui.app import build_context
    from tests.helpers.loans import active_loan, fund_with_capital
    checker = second_user(session)
    fund = fund_with_capital(session, amount="200000")
    active_loan(session, checker, fund, borrower(session), amount="6000")
    ctx = build_context(db_path, session=session)
    try:
        page = PAGE.factory(ctx)
        qtbot.addWidget(page)
        portfolio = page.portfolio
        page.tabs.setCurrentWidget(portfolio)
        # unpaid since the first due date: at risk a year on, not the day after disbursing
        portfolio.as_of.set_value(date(2027, 1, 10))
        portfolio.as_of.set_value(date(2026, 1, 11))
        assert portfolio.figures.text() == "Loading…"
        qtbot.waitUntil(lambda: "PAR30" in portfolio.figures.text(), timeout=10_000)
        assert ctx.worker.wait_idle(10_000)   # the older answer too: it is not shown
        assert "PAR30 0.0%" in portfolio.figures.text()
        assert portfolio.overdue.rowCount() == 0
        portfolio.as_of.set_value(date(2027, 1, 10))
        qtbot.waitUntil(lambda: "PAR30 100.0%" in portfolio.figures.text(), timeout=10_000)
        assert portfolio.overdue.rowCount() == 1
    finally:
        ctx.worker.stop()


def test_person_section_lists_loans(qtbot, session, db_path):
    person = borrower(session)
    ctx = AppContext(session, db_path)
    fund = services.create_fund(session, "Fund", "USD")
    services.add_capital(session, fund["id"], "1000", date.today())
    services.apply(session, person_id=person["id"], fund_id=fund["id"], amount="500",
                   purpose="trade", product_code="travel_costs")
    section = PERSON_SECTION.factory(ctx, [person["id"]])
    qtbot.addWidget(section)
    assert section.table.rowCount() == 1
    assert section.table.item(0, 2).text() == "Applied"
    assert section.empty.isHidden()
    empty = PERSON_SECTION.factory(ctx, ["nobody"])
    qtbot.addWidget(empty)
    assert empty.table.rowCount() == 0 and not empty.empty.isHidden()
    assert empty.table.isHidden() and empty.empty.message() == "No loans."


def test_schedule_preview_updates_and_reports_bad_input(qtbot, session, db_path):
    page = LoansPage(AppContext(session, db_path))
    qtbot.addWidget(page)
    preview = page.preview
    preview.product.setCurrentIndex(preview.product.findData("jrc_business"))
    preview.amount.setText("12000")
    assert preview.table.rowCount() == 12
    assert preview.rate.text() == "24"
    preview.amount.setText("12000.001")
    assert preview.table.rowCount() == 0 and "decimals" in preview.totals.text()
    preview.amount.clear()
    qtbot.keyClicks(preview.amount, "12000.001")     # the currency has two decimals
    assert preview.amount.text() == "12000.00" and preview.table.rowCount() == 12
    preview.amount.setText("12000")
    preview.term.setValue(6)
    assert preview.table.rowCount() == 6


def _loan_disbursed_190_days_ago(session):
    """(the loan, the second user who approved it)."""
    from tests.helpers.loans import active_loan, fund_with_capital
    today = date.today()
    checker = second_user(session)
    return active_loan(session, checker, fund_with_capital(session), borrower(session),
                       applied=today - timedelta(days=200),
                       disbursed=today - timedelta(days=190), today=today), checker


def test_reschedule_and_write_off_through_the_page(qtbot, session, db_path):
    loan, checker = _loan_disbursed_190_days_ago(session)
    ctx = AppContext(session, db_path)
    page = LoansPage(ctx)
    qtbot.addWidget(page)
    tab = page.loans
    _select(tab.table, loan["number"])
    assert tab.version.count() == 1
    qtbot.mouseClick(tab.reschedule_button, Qt.LeftButton)
    d = tab.dialog
    d.term.setValue(24)
    d.rate.setText("12")
    d.reason.setText("harvest failed")
    qtbot.mouseClick(d.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not d.isVisible(), d.error.text()
    assert "rescheduled" in tab.message.text()
    assert tab.version.count() == 2 and tab.schedule.rowCount() == 24
    tab.version.setCurrentIndex(0)
    assert tab.schedule.rowCount() == 12          # the old version is still there
    # write-off: asked by one user, approved by another
    qtbot.mouseClick(tab.writeoff_button, Qt.LeftButton)
    w = tab.dialog
    qtbot.mouseClick(w.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert w.isVisible() and w.error.text()           # a reason is required
    w.reason.setText("moved away")
    qtbot.mouseClick(w.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert not w.isVisible()
    qtbot.mouseClick(tab.approve_writeoff_button, Qt.LeftButton)
    assert "another user" in tab.message.text()
    ctx.session = checker
    _select(tab.table, loan["number"])
    qtbot.mouseClick(tab.approve_writeoff_button, Qt.LeftButton)
    assert S.LoanRepository(session).get(loan["id"])["status"] == "written_off"
    page.funds.refresh()
    assert "12,000.00\N{NO-BREAK SPACE}somoni" in page.funds.table.item(0, 5).text()   # written off


def test_loan_list_search_finds_borrowers_in_any_script(qtbot, session, db_path):
    fund = services.create_fund(session, "Fund", "TJS")
    woman = borrower(session)
    man = borrower(session, sex="male", family="Karimov", given="Aziz")
    a = services.apply(session, person_id=woman["id"], fund_id=fund["id"], amount="500",
                       purpose="trade", product_code="jrc_business")
    services.apply(session, person_id=man["id"], fund_id=fund["id"], amount="700", purpose="trade",
                   product_code="jrc_business")
    page = LoansPage(AppContext(session, db_path))
    qtbot.addWidget(page)
    tab = page.loans
    assert tab.table.rowCount() == 2
    tab.search.setText("Rahimova")          # Latin spelling of Раҳимова
    assert tab.table.rowCount() == 1 and tab.table.item(0, 1).text() == "Раҳимова Нигора"
    tab.search.setText(a["number"][-5:])
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == a["number"]
    tab.search.setText("")
    assert tab.table.rowCount() == 2


def test_loan_actions_wrap_on_a_small_laptop_screen(qtbot, session, db_path):
    from desktop_app.i18n import set_language
    set_language("ru")   # Russian labels are the longest
    page = PAGE.factory(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    tab = page.loans
    assert page.minimumSizeHint().width() <= 1000
    actions = [tab.approve_button, tab.reject_button, tab.disburse_button, tab.repay_button,
               tab.reverse_button, tab.reschedule_button, tab.writeoff_button,
               tab.approve_writeoff_button, tab.card_button]
    row = tab.approve_button.parentWidget()
    qtbot.waitUntil(lambda: row.width() > 0)
    for button in actions:
        assert button.text()
        assert button.geometry().right() <= row.width(), button.text()
    tops = {button.geometry().top() for button in actions}
    assert len(tops) > 1, "nine Russian labels cannot fit on one line in 1000 px"


def test_dialogs_write_dates_in_the_language_and_amounts_in_the_fund_currency(qtbot, session,
                                                                               db_path):
    from desktop_app.i18n import set_language
    set_language("ru")
    person = borrower(session)
    services.create_fund(session, "Сомони", "TJS")
    dollars = services.create_fund(session, "Доллары", "USD")
    page = LoansPage(AppContext(session, db_path))
    qtbot.addWidget(page)
    app = page.loans.open_application(person["id"])
    app.applied_on.set_value(date(2026, 3, 2))
    assert app.applied_on.text() == "02.03.2026"
    assert app.product.code() and app.purpose.code()      # no blank entry: one is chosen
    app.fund.setCurrentIndex(app.fund.findData(dollars["id"]))
    assert app.amount.currency() == "USD"
    app.product.set_code("jrc_business")
    qtbot.keyClicks(app.amount, "1 500,505")               # a third decimal cannot be typed
    assert app.amount.text() == "1 500,50"
    qtbot.mouseClick(app.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert not app.isVisible(), app.error.text()
    loan = queries.loans_list(session.conn)[0]
    assert (loan["amount"], loan["currency"], loan["applied_on"]) == (150050, "USD",
                                                                      "2026-03-02")
    assert S.LoanRepository(session).get(loan["id"])["product_code"] == "jrc_business"
    preview = page.preview
    chosen = preview.product.code()
    assert chosen and preview.product.itemText(0) not in ("", "(own terms)")
    set_language("en")
    page.retranslate()      # relabelled, the choice kept
    assert preview.product.itemText(0) == "(own terms)" and preview.product.code() == chosen


def test_repayment_dialog_says_what_is_missing_and_its_messages_do_not_overlap(qtbot, session,
                                                                            db_path):
    from desktop_app.ui.loans.repayment import RepayDialog
    from tests.helpers.loans import active_loan, fund_with_capital
    checker = second_user(session)
    loan = active_loan(session, checker, fund_with_capital(session), borrower(session),
                       applied=date.today() - timedelta(days=100),
                       disbursed=date.today() - timedelta(days=95), today=date.today())
    dialog = RepayDialog(AppContext(session, db_path), loan)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # Enter with nothing typed: the dialog says what is missing (it used to do nothing)
    dialog.amount.setFocus()
    qtbot.keyClick(dialog.amount, Qt.Key_Return)
    assert dialog.isVisible()
    assert dialog.error.text() == "Enter the amount repaid." and dialog.error.isVisible()
    assert not [e for e in queries.ledger(session.conn, loan_id=loan["id"])
                if e["kind"] == "repayment"]
    # far more than due: the long message and "Due on this date" are both read whole
    qtbot.keyClicks(dialog.amount, "9000")
    qtbot.keyClick(dialog.amount, Qt.Key_Return)
    assert dialog.isVisible() and dialog.error.text()
    qtbot.wait(50)
    owed, error = dialog.owed.geometry(), dialog.error.geometry()
    assert owed.bottom() < error.top(), (owed, error)
    for label in (dialog.owed, dialog.error):
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert dialog.prepay_button.isVisible()
    assert dialog.prepay_button.geometry().top() > error.bottom()
    assert dialog.width() >= 460 and dialog.height() <= 768
    dialog.grab().save("/tmp/repayment-en.png")


def test_an_empty_loan_list_says_what_to_do_next_and_a_fund_names_its_currency_once(
        qtbot, session, db_path):
    services.create_fund(session, "Фонди гардони МЗҶ (TJS)", "TJS")
    services.create_fund(session, "Gharm fund", "USD")
    page = LoansPage(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.show()
    tab = page.loans
    assert tab.list_box.showing_empty()
    assert "No loans yet" in tab.empty.message()
    assert tab.empty.button.text() == "New application…"
    qtbot.mouseClick(tab.empty.button, Qt.LeftButton)
    funds = [tab.dialog.fund.itemText(i) for i in range(tab.dialog.fund.count())]
    assert "Фонди гардони МЗҶ (TJS)" in funds and "Gharm fund (USD)" in funds
    tab.dialog.reject()
    portfolio = [page.portfolio.fund.itemText(i) for i in range(page.portfolio.fund.count())]
    assert "Фонди гардони МЗҶ (TJS)" in portfolio


def test_a_rate_to_edit_is_shown_with_the_languages_decimal_sign(qtbot, session, db_path):
    """The rate typed as «12,5» in Russian comes back as «12,5» when the loan is rescheduled
    again, not as the stored «12.5»."""
    from desktop_app.i18n import set_language
    loan, _checker = _loan_disbursed_190_days_ago(session)
    set_language("ru")
    try:
        page = LoansPage(AppContext(session, db_path))
        qtbot.addWidget(page)
        tab = page.loans
        _select(tab.table, loan["number"])
        qtbot.mouseClick(tab.reschedule_button, Qt.LeftButton)
        d = tab.dialog
        d.rate.setText("12,5")
        d.reason.setText("неурожай")
        qtbot.mouseClick(d.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
        assert not d.isVisible(), d.error.text()
        qtbot.mouseClick(tab.reschedule_button, Qt.LeftButton)
        assert tab.dialog.rate.text() == "12,5"
        tab.dialog.reject()
    finally:
        set_language("en")


def test_ctrl_n_opens_a_new_application_in_any_language(qtbot, session, db_path):
    """The guide's "New application… (Ctrl+N)": the key works, also after the language
    changed (a button's setText() used to drop its shortcut)."""
    from desktop_app import i18n

    services.create_fund(session, "Gharm fund", "TJS")
    page = LoansPage(AppContext(session, db_path))
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    tab = page.loans
    for language in ("ru", "en"):
        i18n.set_language(language)
        page.retranslate()
        tab.table.setFocus()
        qtbot.keyClick(tab.table, Qt.Key_N, Qt.ControlModifier)
        assert tab.dialog is not None and tab.dialog.isVisible(), language
        tab.dialog.reject()
        tab.dialog = None
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow)
