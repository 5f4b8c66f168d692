"""A report asked in one language is written wholly in it, whatever the window's language:
cover, headings, table heads, notes, bucket labels and the spreadsheet's sheets."""
from __future__ import annotations

import openpyxl
import pytest

from desktop_app.i18n import current_language, set_language
from desktop_app.reports.builder import build_report
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.outputs import write_xlsx
from desktop_app.reports.pdf import write_pdf
from desktop_app.reports.periods import parse_period
from tests.helpers.pdf import pdf_text

# fixed texts of the English PDF: none may appear in a Tajik one
ENGLISH = ("Indicator report", "Quarter 1 of 2026", "Summary", "Time zone", "Prepared by",
           "Generated", "Scope", "Value", "Total", "Unknown", "Age band",
           "This report contains no names", "No possible duplicate people",
           "days and periods follow", "Page 2 of")


@pytest.fixture
def tajik_report(session, world):
    set_language("en")
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1")), language="tg")
    assert current_language() == "en"
    return report


def test_a_tajik_pdf_from_an_english_window_is_all_tajik(tajik_report, tmp_path):
    path = tmp_path / "q1-tg.pdf"
    write_pdf(tajik_report, path, office_name="Gharm JRC")
    text = pdf_text(path)
    assert current_language() == "en"                 # the window keeps its language
    for tajik in ("Ҳисобот оид ба нишондиҳандаҳо",    # title
                  "Семоҳаи 1-уми соли 2026",          # the period
                  "Хулоса",                           # summary page
                  "Минтақаи вақт",                    # cover: time zone
                  "Гурӯҳи синнӣ",                     # a disaggregation's head
                  "Номаълум",                         # a bucket label
                  "саҳифаи 2 аз"):                    # running footer
        assert tajik.lower() in text.lower(), tajik
    for english in ENGLISH:
        assert english not in text, english


def test_the_english_pdf_still_reads_english(session, world, tmp_path):
    set_language("tg")
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1")), language="en")
    path = tmp_path / "q1-en.pdf"
    write_pdf(report, path)
    text = pdf_text(path)
    assert "Indicator report" in text and "Time zone" in text and "Age band" in text
    assert "Ҳисобот" not in text and "Минтақаи вақт" not in text


def test_a_tajik_workbook_from_an_english_window(tajik_report, tmp_path):
    path = tmp_path / "q1-tg.xlsx"
    write_xlsx(tajik_report, path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert "Summary" not in book.sheetnames and "People" not in book.sheetnames
    summary = [cell for row in book[book.sheetnames[0]].iter_rows(values_only=True)
               for cell in row if isinstance(cell, str)]
    assert "Ҳисобот оид ба нишондиҳандаҳо" in summary
    assert not any(text in ENGLISH for text in summary)
    people = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert "Indicator code" not in people[0] and "Total" not in {r[5] for r in people[1:]}
