"""What every printed output shares: the letterhead (organisation name and logo, see
reports/organisation.py) in a running header, "Page 3 of 19" in the footer, paragraph
styles in fonts that carry Tajik and Uzbek letters, and the record table, so that the
quarterly report, case file, inspection record, borrower's card and certificates read as
one family of documents."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from desktop_app.i18n import Domain
from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.organisation import Letterhead
from desktop_app.reports.palette import ACCENT

DOMAIN = Domain("reports")

ACCENT_COLOUR = colors.HexColor(ACCENT)
HEADER_BACKGROUND = colors.HexColor("#eef3f7")
HEADER_LOGO_HEIGHT = 9 * mm


def page_of(language: str, number: int, total: int) -> str:
    return DOMAIN.in_language(language).gettext("Page {number} of {total}").format(
        number=number, total=total)


@dataclass(frozen=True)
class PageFrame:
    """The running header and footer of a document. ``reference`` is printed at the
    bottom left (a case number, the report's period); ``plain_first`` leaves the first
    page (a cover) without them."""
    letterhead: Letterhead
    title: str
    language: str
    reference: str = ""
    plain_first: bool = False
    margin: float = 18 * mm

    def draw(self, canvas: Canvas, number: int, total: int) -> None:
        if self.plain_first and number == 1:
            return
        regular, bold = register_fonts()
        width, height = canvas._pagesize
        left, right = self.margin, width - self.margin
        top = height - 8 * mm
        canvas.saveState()
        x = left
        logo = self.letterhead.logo_reader()
        if logo is not None:
            w, h = logo.getSize()
            shown = HEADER_LOGO_HEIGHT * w / h
            canvas.drawImage(logo, left, top - HEADER_LOGO_HEIGHT, width=shown,
                             height=HEADER_LOGO_HEIGHT, mask="auto")
            x = left + shown + 3 * mm
        # the document's title whole when it takes at most half the line, the
        # organisation's name in what is left: on two lines, smaller if need be, never cut
        room = right - x - 6 * mm
        title_width = min(stringWidth(self.title, regular, 8), room / 2)
        size, lines = header_lines(self.letterhead.organisation, bold, room - title_width)
        leading = size * 1.15
        first = top - 4 * mm if len(lines) < 2 else top - 1.5 * mm - size * 0.3
        canvas.setFillColor(ACCENT_COLOUR)
        canvas.setFont(bold, size)
        for number_of_line, line in enumerate(lines):
            canvas.drawString(x, first - number_of_line * leading, line)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.setFont(regular, 8)
        canvas.drawRightString(right, first if len(lines) > 1 else top - 4 * mm,
                               fit_text(self.title, regular, 8, title_width))
        canvas.setStrokeColor(ACCENT_COLOUR)
        canvas.setLineWidth(0.6)
        canvas.line(left, top - HEADER_LOGO_HEIGHT - 1.5 * mm, right,
                    top - HEADER_LOGO_HEIGHT - 1.5 * mm)
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.grey)
        if self.reference:
            canvas.drawString(left, 10 * mm, self.reference)
        canvas.drawRightString(right, 10 * mm, page_of(self.language, number, total))
        canvas.restoreState()

    def canvas_class(self) -> type[Canvas]:
        """A Canvas that keeps its pages until saved, then draws the frame on each with
        the page count known."""
        frame = self

        class FramedCanvas(Canvas):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self._kept_pages: list[dict] = []

            def showPage(self):  # noqa: N802 - ReportLab's name
                self._kept_pages.append(dict(self.__dict__))
                self._startPage()

            def save(self):
                total = len(self._kept_pages)
                for state in self._kept_pages:
                    self.__dict__.update(state)
                    frame.draw(self, self._pageNumber, total)
                    Canvas.showPage(self)
                Canvas.save(self)

        return FramedCanvas

    def build(self, path, story: list, *, pagesize=A4, author: str = "Hamroh",
              top: float = 24 * mm, bottom: float = 18 * mm,
              on_page: Callable | None = None) -> None:
        doc = SimpleDocTemplate(str(path), pagesize=pagesize, leftMargin=self.margin,
                                rightMargin=self.margin, topMargin=top, bottomMargin=bottom,
                                title=self.title, author=self.letterhead.organisation or author)
        hook = on_page or (lambda _canvas, _doc: None)
        doc.build(story, onFirstPage=hook, onLaterPages=hook, canvasmaker=self.canvas_class())


HEADER_SIZE = 8.5          # the organisation's name in the running header
HEADER_MIN_SIZE = 6.5      # the smallest it is set before a third line is taken
HEADER_LINES = 2


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points, between words, or inside a
    word longer than a whole line; nothing is dropped."""
    lines: list[str] = []
    for line in simpleSplit(text, font, size, width) if text else []:
        while stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def header_lines(text: str, font: str, width: float) -> tuple[float, list[str]]:
    """The size and lines of the organisation's name in a running header ``width`` points
    wide: one line, else two, at the largest size from ``HEADER_SIZE`` down to
    ``HEADER_MIN_SIZE`` that holds it; a name longer still takes a third line."""
    size = HEADER_SIZE
    while size >= HEADER_MIN_SIZE:
        lines = wrap_text(text, font, size, width)
        if len(lines) <= HEADER_LINES:
            return size, lines
        size -= 0.5
    return HEADER_MIN_SIZE, wrap_text(text, font, HEADER_MIN_SIZE, width)


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


@dataclass(frozen=True)
class RecordStyles:
    regular: str          # the font name (carries Tajik and Uzbek letters)
    body: ParagraphStyle
    small: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    bold: ParagraphStyle


def record_styles() -> RecordStyles:
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12)
    return RecordStyles(
        regular=regular, body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, textColor=colors.grey),
        h1=ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=19,
                          spaceAfter=4, textColor=ACCENT_COLOUR),
        h2=ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11.5, leading=15,
                          spaceBefore=10, spaceAfter=4, textColor=ACCENT_COLOUR),
        bold=ParagraphStyle("bold", parent=body, fontName=bold))


def record_table(rows, widths, header: bool = True) -> Table:
    """A grid with a shaded first row when ``header``."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND))
    table.setStyle(TableStyle(style))
    return table


def table_style(rows: int, totals: int = 0) -> TableStyle:
    """The report's tables: an accent rule under the header, banded rows, a rule above the
    total rows."""
    style = [("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT_COLOUR),
             ("ROWBACKGROUNDS", (0, 1), (-1, -1 - totals),
              [colors.white, colors.HexColor("#f1f5f9")]),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    if totals:
        style.append(("LINEABOVE", (0, rows - totals), (-1, rows - totals), 0.6, colors.grey))
    return TableStyle(style)
