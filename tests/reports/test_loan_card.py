"""Repayment card in the borrower's language; translated messages and page."""
from datetime import date

from desktop_app.cli import main
from desktop_app.domain import loans as L
from desktop_app.i18n import set_language
from desktop_app.reports.loan_card import card_texts, write_card
from desktop_app.store.loans import services
from tests.helpers.loans import TODAY, active_loan, borrower, fund_with_capital, second_user


def test_card_is_written_in_the_borrowers_language(session, tmp_path):
    fund = fund_with_capital(session)
    loan = active_loan(session, second_user(session), fund, borrower(session))
    session.conn.execute("UPDATE loan SET borrower_language='tg' WHERE id=?", (loan["id"],))
    path = write_card(session.conn, loan["id"], tmp_path / "card.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data   # the embedded Cyrillic font
    tg = card_texts("tg")
    assert tg["title"] == "Корти пардохти қарз"
    assert tg["late_fee"].count("{days}") == 1 and "{percent}" in tg["late_fee"]
    assert card_texts("uz")["borrower"] == "Qarz oluvchi"
    assert card_texts("ru")["guarantor"] == "Поручитель"
    assert card_texts("ru")["total"] == "Итого"   # the loans wording, even printed from reports/
    # the UI language does not change the card's language
    set_language("ru")
    assert card_texts("tg")["title"] == "Корти пардохти қарз"
    # a card for an application (no schedule yet) is built from its terms
    pending = services.apply(session, person_id=loan["person_id"], fund_id=fund["id"],
                             amount="900", purpose="trade", product_code="weekly_trade",
                             borrower_language="uz", today=TODAY)
    assert write_card(session.conn, pending["id"], tmp_path / "pending.pdf").stat().st_size > 1000


def test_errors_are_translated(session):
    fund = fund_with_capital(session)
    loan = active_loan(session, second_user(session), fund, borrower(session))
    set_language("tg")
    try:
        services.repay(session, loan["id"], "100", date(2026, 1, 1), today=TODAY)
    except L.LoanError as exc:
        assert "пеш аз додани қарз" in str(exc)
    else:
        raise AssertionError("a repayment before disbursement was accepted")
    set_language("uz")
    try:
        services.repay(session, loan["id"], "100", date(2026, 2, 10), currency="USD", today=TODAY)
    except L.LoanError as exc:
        assert "oʻtkazing" in str(exc) and "USD" in str(exc)
    else:
        raise AssertionError("a repayment in another currency was accepted")


def test_cli_schedule_in_russian(capsys):
    assert main(["--lang", "ru", "loan", "schedule", "--amount", "1000", "--currency", "RUB",
                 "--rate", "12", "--term", "2", "--frequency", "monthly", "--method", "flat",
                 "--start", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "Основной долг" in out and "На первоначальную сумму" in out
    assert "12\xa0% годовых" in out


def test_the_late_fee_is_written_as_the_borrowers_language_writes_numbers(session, tmp_path):
    from tests.helpers.pdf import pdf_text
    fund = fund_with_capital(session)
    loan = active_loan(session, second_user(session), fund, borrower(session))
    session.conn.execute("UPDATE loan SET borrower_language='ru', late_fee_percent='2.5'"
                         " WHERE id=?", (loan["id"],))
    text = " ".join(pdf_text(write_card(session.conn, loan["id"], tmp_path / "ru.pdf")).split())
    assert "2,5 %" in text.replace("\xa0", " ") and "2.5" not in text
    session.conn.execute("UPDATE loan SET borrower_language='en' WHERE id=?", (loan["id"],))
    text = " ".join(pdf_text(write_card(session.conn, loan["id"], tmp_path / "en.pdf")).split())
    assert "2.5 percent" in text


def test_names_with_markup_are_printed_as_typed(session, tmp_path):
    """A borrower's, guarantor's or office's name that arrived from another office is
    text: ReportLab's markup in it neither breaks the card nor reads a file of this
    computer into it (<img src=...>) nor adds a link."""
    from tests.helpers.pdf import pdf_text
    fund = fund_with_capital(session)
    loan = active_loan(session, second_user(session), fund, borrower(session))
    family = 'Karimov <img src="/etc/hostname"/> & Sons'
    guarantor = 'Ali <a href="http://evil.example">click</a> <b>1 < 2'
    session.conn.execute("UPDATE person SET family_name=? WHERE id=?",
                         (family, loan["person_id"]))
    session.conn.execute("UPDATE loan SET guarantor_name=?, borrower_language='en' WHERE id=?",
                         (guarantor, loan["id"]))
    session.conn.execute("UPDATE office SET name='Gharm <font size=40>JRC</font>'")
    path = write_card(session.conn, loan["id"], tmp_path / "card.pdf")
    text = " ".join(pdf_text(path).split())
    assert 'Karimov <img src="/etc/hostname"/> & Sons' in text
    assert 'Ali <a href="http://evil.example">click</a> <b>1 < 2' in text
    assert "Gharm <font size=40>JRC</font>" in text
    assert b"/URI" not in path.read_bytes()
