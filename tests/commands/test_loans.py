import csv
import io
from decimal import Decimal

from desktop_app.cli import main


def test_schedule_csv_matches_the_amount(capsys):
    code = main(["loan", "schedule", "--amount", "5000", "--currency", "TJS", "--rate", "24",
                 "--term", "6", "--frequency", "monthly", "--method", "declining",
                 "--start", "2026-01-15", "--csv"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6
    assert sum(Decimal(r["principal"]) for r in rows) == Decimal("5000.00")
    assert rows[0]["due_date"] == "2026-02-15" and rows[0]["payment"] == "892.63"
    assert rows[-1]["balance"] == "0.00" and rows[0]["currency"] == "TJS"


def test_schedule_table_with_grace_and_equal_principal(capsys):
    code = main(["loan", "schedule", "--amount", "1200", "--currency", "usd", "--rate", "12",
                 "--term", "4", "--frequency", "fortnightly", "--method", "declining",
                 "--amortisation", "equal-principal", "--grace", "1", "--start", "2026-01-01"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Equal principal" in out and "USD" in out
    lines = [line for line in out.splitlines() if line.strip().startswith(("1 ", "2 ", "3 ", "4 "))]
    assert len(lines) == 4
    assert "400.00" in lines[1] and "1200.00" in out


def test_schedule_bad_input_gives_one_clear_message(capsys):
    code = main(["loan", "schedule", "--amount", "10.005", "--currency", "TJS", "--rate", "24",
                 "--term", "6", "--frequency", "monthly", "--method", "flat"])
    assert code == 2
    err = capsys.readouterr().err
    assert "more decimals" in err and "Traceback" not in err
    code = main(["loan", "schedule", "--amount", "100", "--currency", "XYZ", "--rate", "24",
                 "--term", "6", "--frequency", "monthly", "--method", "flat"])
    assert code == 2 and "Unknown currency XYZ" in capsys.readouterr().err




def test_portfolio_command_lists_overdue_loans_with_phones(session, db_path, capsys):

    from tests.helpers.loans import active_loan, borrower, fund_with_capital, second_user
    fund = fund_with_capital(session)
    active_loan(session, second_user(session), fund, borrower(session))
    session.conn.close()
    assert main(["loan", "portfolio", "--db", str(db_path), "--as-of", "2026-05-01",
                 "--office", "GRM"]) == 0
    out = capsys.readouterr().out
    assert "1 active loans" in out and "PAR30 100.0%" in out and "PAR90 0.0%" in out
    assert "+992 93 111 22 33" in out and "80 days" in out
    assert "Women borrowers: 100.0%" in out
    assert main(["loan", "portfolio", "--db", str(db_path), "--office", "NOPE"]) == 2
    assert "no office NOPE" in capsys.readouterr().err
    assert main(["loan", "portfolio", "--db", str(db_path), "--as-of", "1.5.2026"]) == 2


def test_portfolio_command_writes_amounts_as_money_in_the_language(session, db_path, capsys):
    """«12 000,00 сомонӣ», not the stored «12000.00» or «3404.16 TJS»."""
    from tests.helpers.loans import active_loan, borrower, fund_with_capital, second_user
    fund = fund_with_capital(session)
    active_loan(session, second_user(session), fund, borrower(session))
    session.conn.close()
    try:
        assert main(["--lang", "tg", "loan", "portfolio", "--db", str(db_path),
                     "--as-of", "2026-05-01", "--office", "GRM"]) == 0
    finally:
        from desktop_app.i18n import set_language
        set_language("en")
    out = capsys.readouterr().out.replace("\xa0", " ").replace("\u202f", " ")
    assert "бақияи қарзи асосӣ 12 000,00 сомонӣ" in out
    assert "80 рӯз, 3 404,16 сомонӣ" in out and "TJS" not in out.split(":", 1)[1]
