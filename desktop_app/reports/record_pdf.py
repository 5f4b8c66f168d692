"""What the printed records (case file, inspection record) share: their paragraph styles
and their table, so both read as one family of documents."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Table, TableStyle

from desktop_app.reports.fonts import register_fonts


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
                          spaceAfter=4),
        h2=ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11.5, leading=15,
                          spaceBefore=10, spaceAfter=4),
        bold=ParagraphStyle("bold", parent=body, fontName=bold))


def record_table(rows, widths, header: bool = True) -> Table:
    """A grid with a shaded first row when ``header``."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(style))
    return table
