"""The organisation's name in the running header of every printed output is never cut: a
long name wraps to a second line (smaller if need be), read back from the PDF whole and
drawn above the header's rule."""
from __future__ import annotations

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.organisation import Letterhead
from desktop_app.reports.record_pdf import (
    HEADER_MIN_SIZE,
    HEADER_SIZE,
    PageFrame,
    header_lines,
    record_styles,
    wrap_text,
)
from tests.helpers.pdf import pdf_text, render_page

# 120 characters, Tajik letters in every word
LONG_NAME = ("Ҷамъияти ҷамъиятии «Ғамхорӣ ва ҳимояи ҳуқуқи муҳоҷирони меҳнатӣ» дар "
             "ноҳияҳои Рашт, Ҷиргатол ва Тавилдара (ҶТ), сол 2026")


def test_the_long_name_is_120_characters():
    assert len(LONG_NAME) == 120


def test_a_short_name_keeps_one_line_at_the_full_size():
    _regular, bold = register_fonts()
    assert header_lines("Ғамхорӣ", bold, 300) == (HEADER_SIZE, ["Ғамхорӣ"])


def test_a_long_name_wraps_to_two_lines_holding_every_word():
    _regular, bold = register_fonts()
    size, lines = header_lines(LONG_NAME, bold, 330)
    assert len(lines) == 2 and HEADER_MIN_SIZE <= size <= HEADER_SIZE
    assert " ".join(lines) == LONG_NAME
    assert all(stringWidth(line, bold, size) <= 330 for line in lines)


def test_a_name_too_long_for_two_lines_takes_a_third_at_the_smallest_size():
    _regular, bold = register_fonts()
    size, lines = header_lines(LONG_NAME, bold, 150)
    assert size == HEADER_MIN_SIZE and len(lines) > 2
    assert " ".join(lines) == LONG_NAME


def test_a_word_wider_than_the_line_is_broken_not_dropped():
    _regular, bold = register_fonts()
    word = "Ҳ" * 80
    lines = wrap_text(word, bold, 8, 100)
    assert "".join(lines) == word and len(lines) > 1
    assert all(stringWidth(line, bold, 8) <= 100 for line in lines)


def _name_bounds(path, text: str) -> list[tuple[float, float, float, float]]:
    """Boxes (left, bottom, right, top, in points) of the characters of ``text`` found on
    page 1."""
    document = pdfium.PdfDocument(str(path))
    try:
        page = document[0]
        text_page = page.get_textpage()
        whole = text_page.get_text_range()
        start = " ".join(whole.split()).find(text)
        assert start >= 0
        boxes = [text_page.get_charbox(i) for i in range(text_page.count_chars())
                 if not whole[i].isspace()]
        text_page.close()
        return boxes
    finally:
        document.close()


def test_the_running_header_shows_a_120_character_tajik_name_whole(tmp_path):
    frame = PageFrame(letterhead=Letterhead(organisation=LONG_NAME),
                      title="Парвандаи HR-2026-0001", language="tg", reference="HR-2026-0001")
    path = tmp_path / "record.pdf"
    body = record_styles().body
    frame.build(path, [Paragraph("Матни ҳуҷҷат.", body)])
    text = pdf_text(path, 1)
    assert LONG_NAME in text                       # whole: not one letter cut
    assert "Парвандаи HR-2026-0001" in text and "Саҳифаи 1 аз 1" in text
    # every letter of the header above its rule, inside the page
    width, height = A4
    rule = height - 8 * mm - 9 * mm - 1.5 * mm
    header_chars = [box for box in _name_bounds(path, LONG_NAME) if box[1] > rule - 2 * mm]
    assert len(header_chars) >= len(LONG_NAME.replace(" ", "")), "the name's letters"
    assert all(box[1] >= rule and box[3] <= height and box[2] <= width - 18 * mm + 1
               for box in header_chars)
    render_page(path, 1, dpi=110).save(tmp_path / "record-page-1.png")
