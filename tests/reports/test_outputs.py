"""Report files: CSV, XLSX read back with openpyxl, PDF text and a rendered
page read back; the `hamroh report` command in every format and language."""
from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from desktop_app.cli import main as hamroh
from tests.helpers.pdf import pdf_text, render_page


def _audit(conn, action):
    return [json.loads(d) for (d,) in conn.execute(
        "SELECT detail FROM audit_log WHERE action = ? ORDER BY seq", (action,))]


def test_csv_totals_and_no_personal_data(session, world, db_path, tmp_path):
    out = tmp_path / "q1.csv"
    code = hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format", "csv",
                   "--out", str(out), "--indicator", "people_registered", "--by", "sex",
                   "--by", "district"])
    assert code == 0
    with open(out, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][1] == "Indicator code"
    body = {(r[1], r[3], r[5]): r[8] for r in rows[1:]}
    assert body[("people_registered", "total", "total")] == "3"
    assert body[("people_registered", "sex", "female")] == "2"
    assert body[("people_registered", "district", "unknown")] == "1"
    assert body[("duplicates_unresolved", "total", "total")] == "0"
    assert {r[11] for r in rows[1:]} == {"2026-Q1"}
    text = out.read_text(encoding="utf-8-sig")
    for name in ("Aziza", "Bahrom", "Rahmonov", world["A"]):
        assert name not in text
    assert _audit(session.conn, "export")[-1]["kind"] == "aggregate_report"


def test_xlsx_sheet_per_group_read_back(session, world, db_path, tmp_path):
    out = tmp_path / "q1.xlsx"
    assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format", "xlsx",
                   "--lang", "ru", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[0] == "Сводка"
    assert "Люди" in book.sheetnames
    rows = list(book["Люди"].iter_rows(values_only=True))
    assert rows[0][0] == "Код показателя"
    by_key = {(r[0], r[2], r[4]): r for r in rows[1:]}
    total = by_key[("people_registered", "total", "total")]
    assert total[1] == "Зарегистрировано людей" and total[7] == 3
    female = by_key[("people_registered", "sex", "female")]
    assert female[3] == "Пол" and female[7] == 2
    summary = list(book["Сводка"].iter_rows(values_only=True))
    assert any(r[0] == "Период" and r[1] == "2026-Q1" or (r[0] == "Код периода" and
                                                          r[1] == "2026-Q1") for r in summary)


@pytest.mark.parametrize("lang,title,band", [
    ("en", "Indicator report", "Age band"),
    ("ru", "Отчёт по показателям", "Возрастная группа"),
    ("tg", "Ҳисобот оид ба нишондиҳандаҳо", "Гурӯҳи синнӣ"),
    ("uz", "Koʻrsatkichlar boʻyicha hisobot", "Yosh guruhi"),
])
def test_pdf_in_every_language(session, world, db_path, tmp_path, lang, title, band):
    out = tmp_path / f"q1-{lang}.pdf"
    assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format", "pdf",
                   "--lang", lang, "--out", str(out)]) == 0
    text = pdf_text(out)
    assert title in text
    assert band in text
    assert "Aziza" not in text and "Rahmonov" not in text
    # a rendered page is not blank
    image = render_page(out, 2).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 500


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("lang", ["en", "ru", "tg", "uz"])
def test_cli_every_format_and_language(session, world, db_path, tmp_path, fmt, lang):
    out = tmp_path / f"r.{fmt}"
    code = hamroh(["report", "--db", str(db_path), "--period", "2026", "--format", fmt,
                   "--lang", lang, "--out", str(out), "--office", "GRM"])
    assert code == 0 and out.stat().st_size > 0
    assert not list(tmp_path.glob(".*.part"))


def test_cli_errors_are_clear_and_write_nothing(session, world, db_path, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q7", "--format", "csv",
                   "--out", str(out)]) == 2
    assert "not understood" in capsys.readouterr().err
    assert hamroh(["report", "--db", str(db_path), "--period", "2026", "--format", "csv",
                   "--out", str(out), "--office", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert hamroh(["report", "--db", str(db_path), "--period", "2026", "--format", "csv",
                   "--lang", "tg", "--out", str(out), "--by", "shoe_size"]) == 2
    assert "shoe_size" in capsys.readouterr().err
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert hamroh(["report", "--db", str(db_path), "--period", "2026", "--format", "csv",
                   "--lang", "en", "--out", str(blocked / "r.csv")]) == 2
    assert "Cannot write" in capsys.readouterr().err
    assert not out.exists()


def test_person_list_export_audited(session, world, db_path, tmp_path):
    out = tmp_path / "people.xlsx"
    assert hamroh(["person-list", "--db", str(db_path), "--format", "xlsx", "--out",
                   str(out), "--period", "2026-Q1"]) == 0
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][2] == "Family name"
    assert sorted(r[3] for r in rows[1:]) == ["Aziza", "Bahrom", "Chehra", "Gulnora"]
    detail = _audit(session.conn, "export")[-1]
    assert detail["kind"] == "person_list" and detail["count"] == 4
    out_csv = tmp_path / "people.csv"
    assert hamroh(["person-list", "--db", str(db_path), "--format", "csv", "--out",
                   str(out_csv)]) == 0
    with open(out_csv, encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) == 1 + 5  # + D registered in April


def test_indicator_list(capsys):
    assert hamroh(["indicators", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "people_reached" in out and "cases_opened" in out


def test_person_list_rolls_over_to_new_sheets(session, world, tmp_path, monkeypatch):
    from desktop_app.reports import exports
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)  # header + 2 people per sheet
    monkeypatch.setattr(exports, "PAGE", 2)
    out = tmp_path / "people.xlsx"
    count = exports.export_person_list(session, "xlsx", out)
    assert count == 5
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["People", "People 2", "People 3"]
    names = [r[3] for ws in book.worksheets for r in list(ws.iter_rows(values_only=True))[1:]]
    assert sorted(names) == ["Aziza", "Bahrom", "Chehra", "Davron", "Gulnora"]


def test_person_list_needs_permission(session, world, tmp_path):
    from desktop_app.reports.exports import export_person_list
    from desktop_app.store.session import PermissionDenied

    class NoList:
        def check(self, actor, action, table, row):
            if action == "view_person_list":
                raise PermissionDenied("no")

    session.policy = NoList()
    with pytest.raises(PermissionDenied):
        export_person_list(session, "csv", tmp_path / "p.csv")
    assert not (tmp_path / "p.csv").exists()
    assert _audit(session.conn, "export") == []


def test_cancelled_person_list_leaves_no_file(session, world, tmp_path):
    from desktop_app.reports.exports import export_person_list
    from desktop_app.reports.model import Cancelled
    with pytest.raises(Cancelled):
        export_person_list(session, "xlsx", tmp_path / "p.xlsx", cancelled=lambda: True)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("hamroh.db")] == []


def test_money_and_ratio_charts_take_decimal_values():
    from decimal import Decimal
    from types import SimpleNamespace

    from reportlab.graphics import renderPDF

    from desktop_app.reports.pdf import _chart
    for kind, values in (("money", [Decimal("1250.50"), Decimal("300.25")]),
                         ("ratio", [Decimal("0.034"), Decimal("0.5")])):
        rows = [SimpleNamespace(value=v, currency="TJS", label=f"row {i}")
                for i, v in enumerate(values)]
        result = SimpleNamespace(indicator=SimpleNamespace(measure=SimpleNamespace(kind=kind)))
        drawing = _chart(result, SimpleNamespace(rows=rows))
        assert drawing is not None
        assert renderPDF.drawToString(drawing).startswith(b"%PDF")


def test_money_figures_read_as_money_in_the_users_language():
    """Report and Home figures: an amount is money (digit groups, two decimals, the local
    currency name), also inside a share of money such as PAR30."""
    from decimal import Decimal
    from types import SimpleNamespace

    from desktop_app.reports.outputs import value_text

    def result(kind):
        return SimpleNamespace(indicator=SimpleNamespace(measure=SimpleNamespace(kind=kind)))
    money = SimpleNamespace(value=Decimal("46403.8"), currency="TJS", numerator=None,
                            denominator=None)
    assert value_text(result("money"), money, "tg") == "46\xa0403,80\xa0сомонӣ"
    assert value_text(result("money"), money, "en") == "46,403.80\xa0somoni"
    par = SimpleNamespace(value=Decimal("2.1"), currency="TJS", numerator=Decimal("973.01"),
                          denominator=Decimal("46403.8"))
    assert value_text(result("ratio"), par, "ru") == \
        "2,1\xa0% (973,01\xa0сомони из 46\xa0403,80\xa0сомони)"
    count_share = SimpleNamespace(value=Decimal("50"), currency=None, numerator=3,
                                  denominator=6)
    assert value_text(result("ratio"), count_share, "en") == "50% (3 of 6)"
    assert value_text(result("ratio"), count_share, "tg") == "50% (3 аз 6)"
