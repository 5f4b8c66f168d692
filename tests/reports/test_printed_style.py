"""What the printed outputs contain, read back with pypdfium2: the report's cover and
summary, "Page n of N" and the letterhead on every page after the cover, the logo, Tajik
letters; the records (case file, inspection record, card) in the same frame; the chart
palette and the grouping of small categories."""
from __future__ import annotations

import io
from datetime import date

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from desktop_app.cli import main as hamroh
from desktop_app.i18n import TAJIK_MONTHS_IN_DATE, Domain, format_date
from desktop_app.reports.palette import (
    CHART_COLOURS,
    MIN_CONTRAST,
    OTHER_COLOUR,
    contrast_ratio,
    group_small,
)
from tests.helpers.pdf import page_count, pdf_text

ORGANISATION = "Ҷамъияти ҷамъиятии «Ғамхорӣ» — Ҳуқуқи муҳоҷирон"
TAJIK_LETTERS = set("ғӣқӯҳҷ")


def image_count(path, page: int) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(list(document[page - 1].get_objects(
            filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)))
    finally:
        document.close()


@pytest.fixture
def report_pdf(session, world, db_path, tmp_path):
    """The 2026-Q1 report of the report world in a language, after an administrator set
    the organisation's name and logo."""
    logo = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (200, 80), "#C17A00").save(out, format="PNG")
    logo.write_bytes(out.getvalue())
    assert hamroh(["letterhead", "set", "--db", str(db_path), "--name", ORGANISATION,
                   "--logo", str(logo)]) == 0

    def build(language: str):
        path = tmp_path / f"q1-{language}.pdf"
        assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format",
                       "pdf", "--lang", language, "--out", str(path)]) == 0
        return path
    return build


@pytest.mark.parametrize("language", ["en", "tg"])
def test_report_cover_summary_and_page_frame(report_pdf, language):
    path = report_pdf(language)
    tr = Domain("reports").in_language(language)
    total = page_count(path)
    assert total >= 4
    cover = pdf_text(path, 1)
    assert ORGANISATION in cover
    assert tr.gettext("Indicator report") in cover
    assert tr.gettext("Quarter {quarter} of {year}").format(quarter=1, year=2026) in cover
    # the date in words, as Babel writes it in the report's language
    assert " ".join(format_date(date.today(), language, fmt="long").split()) in cover
    if language == "tg":   # "7 декабри 2026", not CLDR's "07 Декабр 2026"
        today = date.today()
        assert f" {today.day} {TAJIK_MONTHS_IN_DATE[today.month - 1]} {today.year}" \
            in " " + " ".join(cover.split())
    assert tr.gettext("Page {number} of {total}").format(number=1, total=total) not in cover
    assert image_count(path, 1) == 1                        # the logo on the cover
    summary = pdf_text(path, 2)
    assert tr.gettext("Summary") in summary
    assert tr.gettext("People reached") in summary and tr.gettext("Cases opened") in summary
    for page in range(2, total + 1):
        text = pdf_text(path, page)
        assert tr.gettext("Page {number} of {total}").format(number=page, total=total) in text
        assert ORGANISATION[:20] in text                     # the running header
        assert image_count(path, page) >= 1                  # its logo


def test_tajik_letters_survive_in_the_report(report_pdf):
    path = report_pdf("tg")
    text = pdf_text(path)
    assert TAJIK_LETTERS <= set(text)
    assert "Саҳифаи" in pdf_text(path, 2)


def test_without_a_letterhead_the_office_heads_the_pages(session, world, db_path, tmp_path):
    office = session.conn.execute(
        "SELECT o.name FROM office o JOIN meta m ON m.key = 'office_id' AND m.value = o.id"
    ).fetchone()[0]
    path = tmp_path / "plain.pdf"
    assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format", "pdf",
                   "--out", str(path)]) == 0
    assert office in pdf_text(path, 1) and office in pdf_text(path, 3)
    assert image_count(path, 1) == 0


def test_records_share_the_frame(session, tmp_path):
    from desktop_app.reports.case_file import write_case_pdf
    from desktop_app.reports.organisation import set_letterhead
    from tests.reports.test_case_file import make_case
    set_letterhead(session, name=ORGANISATION)
    case = make_case(session)
    path = write_case_pdf(session, case["id"], tmp_path / "case.pdf", language="tg")
    text = pdf_text(path, 1)
    assert ORGANISATION in text
    assert "Саҳифаи 1 аз 1" in text and case["number"] in text


def test_palette_reads_on_white_and_other_is_apart():
    assert len(set(CHART_COLOURS)) == len(CHART_COLOURS) and OTHER_COLOUR not in CHART_COLOURS
    for colour in CHART_COLOURS + (OTHER_COLOUR,):
        assert contrast_ratio(colour) >= MIN_CONTRAST, colour


def test_small_categories_are_grouped_into_one_other():
    categories = [(f"c{n:02}", [n, 1]) for n in range(13)]   # 13 categories, as on Home
    grouped = group_small(categories, "Other")
    assert [s.label for s in grouped] == ["c12", "c11", "c10", "c09", "c08", "c07", "Other"]
    assert [s.colour for s in grouped] == list(CHART_COLOURS) + [OTHER_COLOUR]
    # nothing is lost: "Other" is the sum of the rest, month by month
    assert grouped[-1].values == (sum(range(7)), 7)
    assert sum(sum(s.values) for s in grouped) == sum(sum(v) for _l, v in categories)


def test_the_reference_lists_other_is_not_listed_twice():
    grouped = group_small([("Unpaid wages", [5]), ("Дигар", [2]), ("Passport", [1])], "Дигар")
    assert [s.label for s in grouped] == ["Unpaid wages", "Passport", "Дигар"]
    assert grouped[-1].values == (2,) and grouped[-1].is_other
    few = group_small([("a", [1]), ("b", [2])], "Other")
    assert [s.label for s in few] == ["b", "a"] and not any(s.is_other for s in few)


def test_the_pdf_fonts_carry_every_tajik_and_uzbek_letter():
    """Text extraction would read back a letter the font cannot draw (ReportLab prints a
    blank box for it): check the fonts' own character maps."""
    from reportlab.pdfbase import pdfmetrics

    from desktop_app.reports.fonts import register_fonts
    letters = "ғӣқӯҳҷҒӢҚӮҲҶёЁъЪ" + "\u02bb\u02bc" + "ЎўҚқҒғҲҳ"
    for name in register_fonts():
        mapped = pdfmetrics.getFont(name).face.charToGlyph
        assert [c for c in letters if ord(c) not in mapped] == [], name


def _logo_file(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (200, 80), "#009E73").save(out, format="PNG")
    path = tmp_path / "logo.png"
    path.write_bytes(out.getvalue())
    return path


def test_the_borrowers_card_carries_the_letterhead(session, tmp_path):
    from desktop_app.reports.loan_card import write_card
    from desktop_app.reports.organisation import set_letterhead
    from tests.helpers.loans import active_loan, borrower, fund_with_capital, second_user
    set_letterhead(session, name=ORGANISATION, logo_path=_logo_file(tmp_path))
    loan = active_loan(session, second_user(session), fund_with_capital(session),
                       borrower(session))
    path = write_card(session.conn, loan["id"], tmp_path / "card.pdf", language="tg")
    text = pdf_text(path, 1)
    assert ORGANISATION[:20] in text and "Саҳифаи 1 аз 1" in text
    assert "Маблағҳо бо сомонӣ." in text
    assert image_count(path, 1) == 1


def test_certificates_carry_the_organisation_and_its_logo(session, tmp_path):
    from desktop_app.reports import trainings_certificates as certs
    from desktop_app.reports.organisation import set_letterhead
    from tests.reports.test_trainings_certificates import training as make_training
    set_letterhead(session, name=ORGANISATION, logo_path=_logo_file(tmp_path))
    _event, ids, _dropout = make_training.__wrapped__(session)
    path = tmp_path / "certificates.pdf"
    assert certs.print_certificates(session, ids, path) == len(ids)
    for page in range(1, len(ids) + 1):
        assert ORGANISATION in pdf_text(path, page)
        assert image_count(path, page) == 1
