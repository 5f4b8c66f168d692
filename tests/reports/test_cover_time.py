"""The report cover says when it was made as people write it, not as a raw timestamp."""
import re

from desktop_app.reports.builder import build_report
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period
from tests.helpers.pdf import pdf_text


def test_the_cover_shows_the_time_it_was_generated_in_the_language_format(session, tmp_path):
    from desktop_app.reports.pdf import write_pdf
    report = build_report(session.conn, ReportRequest(parse_period("2026-Q1")), language="ru")
    write_pdf(report, tmp_path / "r.pdf")
    cover = pdf_text(tmp_path / "r.pdf", page=1)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", cover)
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", cover)
