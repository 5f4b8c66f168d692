"""Sanctions, fines (count and amount per currency) and child labour, against a small
hand-computed world (period 2026-Q1)."""
from __future__ import annotations

import csv
from decimal import Decimal

from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import describe_records, drill_down
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period
from tests.helpers.pdf import pdf_text
from tests.reports.test_module_indicators import case, insert  # noqa: F401


def _world(session, world):
    conn = session.conn
    em = insert(conn, "employer", name="Stroi", sector="construction", region="TJ-SU")
    farm = insert(conn, "employer", name="Agro", sector="agriculture")
    i1 = insert(conn, "inspection", number="I1", employer_id=em, inspected_on="2026-02-10",
                trigger="complaint", status="completed")
    i2 = insert(conn, "inspection", number="I2", employer_id=farm, inspected_on="2026-03-01",
                trigger="planned", status="completed")
    i3 = insert(conn, "inspection", number="I3", employer_id=farm, inspected_on="2026-04-02",
                trigger="planned", status="completed")          # next quarter
    i4 = insert(conn, "inspection", number="I4", employer_id=em, inspected_on="2026-03-03",
                trigger="complaint", status="completed", deleted=1)
    ids = {}
    for key, inspection, sanction, fine, currency, deleted in (
            ("s1", i1, "fine", 500_000, "TJS", 0), ("s2", i1, "order", None, None, 0),
            ("s3", i2, "fine", 120_000, "TJS", 0), ("s4", i2, "fine", 30_000, "USD", 0),
            ("s5", i2, "fine", 99_900, "TJS", 1), ("s6", i3, "fine", 70_000, "TJS", 0),
            ("s7", i4, "fine", 10_000, "TJS", 0), ("s8", i2, "warning", 0, "TJS", 0)):
        ids[key] = insert(conn, "inspection_sanction", inspection_id=inspection,
                          sanction=sanction, fine_minor=fine, fine_currency=currency,
                          deleted=deleted)
    for inspection, violation, deleted in ((i1, "child_labour", 0), (i2, "child_labour", 0),
                                           (i2, "child_labour", 1), (i2, "no_contract", 0),
                                           (i4, "child_labour", 0)):
        insert(conn, "inspection_violation", inspection_id=inspection, violation=violation,
               deleted=deleted)
    case(conn, world["B"], "child_labour", "hotline", "2026-02-02")
    case(conn, world["E"], "child_labour", "outreach", "2026-03-02")  # E is merged into A
    case(conn, world["B"], "child_labour", "hotline", "2026-02-03", deleted=1)
    case(conn, world["B"], "child_labour", "hotline", "2026-04-03")    # next quarter
    case(conn, world["A"], "unpaid_wages", "hotline", "2026-02-04")
    return ids


CODES = ["sanctions", "fines_imposed", "fines_amount", "child_labour_cases",
         "child_labour_violations", "violations"]


def _report(session, **kw):
    report = build_report(session.conn, ReportRequest(
        parse_period("2026-Q1"), indicators=CODES,
        dimensions=["sanction", "sector", "trigger", "age_band", "sex", "channel"], **kw),
        language="en")
    assert report.adds_up()
    return {r.indicator.code: r for r in report.results}


def _by(result, dim):
    table = next(t for t in result.tables if t.dimension == dim)
    return {(r.bucket, r.currency) if r.currency else r.bucket: r.value for r in table.rows}


def test_sanctions_and_fines(session, world):
    _world(session, world)
    r = _report(session)
    assert r["sanctions"].totals[0].value == 5        # s1 s2 s3 s4 s8
    assert _by(r["sanctions"], "sanction") == {"fine": 3, "order": 1, "warning": 1}
    assert r["fines_imposed"].totals[0].value == 3    # s1 s3 s4 (s8 has no amount)
    assert _by(r["fines_imposed"], "trigger") == {"complaint": 1, "planned": 2}
    amounts = {t.currency: t.value for t in r["fines_amount"].totals}
    assert amounts == {"TJS": Decimal("6200.00"), "USD": Decimal("300.00")}
    assert all(isinstance(v, Decimal) for v in amounts.values())
    assert _by(r["fines_amount"], "sector") == {
        ("construction", "TJS"): Decimal("5000.00"), ("agriculture", "TJS"): Decimal("1200.00"),
        ("agriculture", "USD"): Decimal("300.00")}


def test_child_labour(session, world):
    _world(session, world)
    r = _report(session)
    assert r["child_labour_cases"].totals[0].value == 2
    # B is 15; E's case is A's (25): merged duplicates count as the survivor
    assert _by(r["child_labour_cases"], "age_band") == {"15-17": 1, "18-29": 1}
    assert r["child_labour_violations"].totals[0].value == 2
    assert _by(r["child_labour_violations"], "sector") == {"construction": 1, "agriculture": 1}
    assert r["violations"].totals[0].value == 3


def test_drill_down_to_fines(session, world):
    ids = _world(session, world)
    request = ReportRequest(parse_period("2026-Q1"))
    found = drill_down(session, request, "fines_amount", "sector", "agriculture", "TJS")
    assert found == [ids["s3"]]
    lines = describe_records(session.conn, "inspection_sanction", found)
    assert lines[0][1].startswith("I2 \u00b7 2026-03-01")


def test_new_indicators_in_every_output(session, world, tmp_path):
    from openpyxl import load_workbook

    from desktop_app.reports.outputs import write_csv, write_xlsx
    from desktop_app.reports.pdf import write_pdf
    _world(session, world)
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1"),
                                                      indicators=CODES), language="en")
    write_csv(report, tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert any("fines_amount" in row and "6200.00" in row for row in rows)
    assert any("child_labour_cases" in row for row in rows)
    write_xlsx(report, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None}
    assert {"Fines imposed", "Amount of fines imposed", "Child labour cases"} <= cells
    write_pdf(report, tmp_path / "r.pdf")
    pdf = pdf_text(tmp_path / "r.pdf")
    assert "Amount of fines imposed" in pdf and "Child labour cases" in pdf
