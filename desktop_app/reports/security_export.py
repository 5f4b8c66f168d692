"""PDF of everything held about one person (the person's right of access)."""
from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop_app.reports.fonts import register_fonts
from desktop_app.store.security.rights import export_texts, sealed_fields_of

FLAGS = {"birth_date_estimated", "disability", "female_headed_household", "union_member"}
SKIP = {"hlc", "office_id", "created_by", "updated_by", "deleted", "name_key", "phone_key",
        "document_key"}


def write_person_pdf(data: dict, path, texts: dict | None = None) -> None:
    """``texts``: the translated headings (store.security.rights.export_texts)."""
    if texts is None:
        texts = export_texts(data)
    titles = texts["tables"]
    fields = texts["fields"]
    regular, bold = register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.grey)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=8,
                        spaceAfter=3)
    story = []
    person = data["people"][0] if data["people"] else {}
    name = " ".join(filter(None, [person.get("family_name"), person.get("given_name"),
                                  person.get("patronymic")]))
    story.append(Paragraph(escape(texts["title"].format(name=name)), h1))
    story.append(Paragraph(escape(texts["intro"]), small))
    if texts.get("erased"):
        story.append(Paragraph(escape(texts["erased"]), body))
    sections = [("person", data["people"])] + sorted(data["records"].items())
    for table, rows in sections:
        story.append(Paragraph(escape(titles.get(table, table.replace("_", " ").capitalize())),
                               h2))
        for row in rows:
            # a field sealed for the exporter says so instead of being left out
            hidden = sealed_fields_of(data, table, row.get("id", ""))
            row = {**row, **{name: texts.get("sealed", "") for name in hidden}}
            cells = [[Paragraph(escape(fields.get(k, k)), small),
                      Paragraph(escape(str(v)), body)]
                     for k, v in row.items()
                     if k not in SKIP and v not in (None, "") and not (k in FLAGS and not v)]
            if not cells:
                continue
            grid = Table(cells, colWidths=[45 * mm, 125 * mm])
            grid.setStyle(TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]))
            story.append(grid)
            story.append(Spacer(1, 3 * mm))
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title=texts["document"], author="Hamroh")
    doc.build(story)
