"""The indicator report as a PDF: a title page, then per group each indicator with its
definition, total, disaggregation tables and a bar chart. Fonts cover Russian, Tajik and
Uzbek letters (reports/fonts.py)."""
from __future__ import annotations

import os
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.i18n import LANGUAGES, Domain, format_datetime
from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.indicators.base import GROUPS
from desktop_app.reports.model import IndicatorResult, Report
from desktop_app.reports.outputs import (
    atomic_target,
    duplicates_text,
    report_title,
    scope_text,
    value_text,
)
from desktop_app.reports.periods import time_zone_text

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

ACCENT = colors.HexColor("#1f5f8b")
MAX_CHART_BARS = 14


def _styles():
    regular, bold = register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10,
                                textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=24, leading=30,
                                textColor=ACCENT, spaceAfter=10 * mm),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=16, leading=20,
                             textColor=ACCENT, spaceBefore=4 * mm, spaceAfter=3 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11.5, leading=15,
                             spaceBefore=4 * mm, spaceAfter=1 * mm),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=9.5, leading=12,
                             spaceBefore=2 * mm, spaceAfter=1 * mm),
        "info": ParagraphStyle("info", parent=base, fontSize=11, leading=16),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(result: IndicatorResult, table, styles, language) -> Table:
    regular, bold = register_fonts()
    data = [[_p(table.title(), styles["h3"]), _p(_("Value"), styles["h3"])]]
    for row in table.rows:
        data.append([_p(row.label, styles["base"]),
                     _p(value_text(result, row, language), styles["base"])])
    for total in result.totals:
        data.append([_p(_("Total"), styles["h3"]),
                     _p(value_text(result, total, language), styles["h3"])])
    t = Table(data, colWidths=[95 * mm, 70 * mm], repeatRows=1)
    t.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEABOVE", (0, len(data) - len(result.totals)), (-1, len(data) - len(result.totals)),
         0.6, colors.grey),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1 - len(result.totals)),
         [colors.white, colors.HexColor("#f1f5f9")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return t


def _chart(result: IndicatorResult, table) -> Drawing | None:
    """A horizontal bar chart of one disaggregation (counts and single-currency sums)."""
    kind = result.indicator.measure.kind
    rows = [r for r in table.rows if r.value is not None]
    if kind not in ("count", "money", "ratio") or not rows or len(rows) > MAX_CHART_BARS:
        return None
    if kind == "money" and len({r.currency for r in rows}) > 1:
        return None
    regular, _bold = register_fonts()
    height = 14 + 14 * len(rows)
    drawing = Drawing(165 * mm, height + 10)
    chart = HorizontalBarChart()
    chart.x, chart.y = 60 * mm, 5
    chart.width, chart.height = 95 * mm, height
    # bar lengths are drawing geometry: floats are fine here (tables show the exact Decimals)
    chart.data = [[int(r.value) if kind == "count" else float(r.value) for r in reversed(rows)]]
    chart.categoryAxis.categoryNames = [r.label[:40] for r in reversed(rows)]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = float(max(r.value for r in rows))
    chart.valueAxis.valueMax = (top * 11 / 10) if top else 1
    if kind == "count" and top <= 10:
        chart.valueAxis.valueStep = 1
    chart.bars[0].fillColor = ACCENT
    chart.barLabelFormat = "%s" if kind == "count" else None
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _indicator(result: IndicatorResult, styles, language) -> list:
    indicator = result.indicator
    head = [_p(indicator.title(), styles["h2"]), _p(indicator.describe(), styles["small"])]
    if not result.available:
        return [KeepTogether(head + [_p(_("Not recorded in this database."),
                                        styles["base"])])]
    totals = "; ".join(value_text(result, t, language) for t in result.totals) or "0"
    head.append(_p(_("Total: {value}").format(value=totals), styles["base"]))
    flow: list = [KeepTogether(head)]
    for n, table in enumerate(result.tables):
        block = [Spacer(1, 2 * mm), _table(result, table, styles, language)]
        chart = _chart(result, table) if n == 0 else None
        if chart is not None:
            block.append(chart)
        flow.append(KeepTogether(block))
    return flow


def write_pdf(report: Report, path: str | os.PathLike, *, office_name: str = "") -> None:
    styles = _styles()
    language = report.language
    story: list = [Spacer(1, 30 * mm), _p(report_title(), styles["title"])]
    info = [
        (_("Period"), f"{report.request.period.label(language)} ({report.request.period.code})"),
        (_("Time zone"), time_zone_text(report.time_zone, report.request.period.end)),
        (_("Scope"), scope_text(report)),
        (_("Prepared by"), office_name or "\u2014"),
        (_("Generated"), format_datetime(report.generated_at, language)),
        (_("Language"), LANGUAGES[language][1]),
    ]
    table = Table([[_p(k, styles["h3"]), _p(v, styles["info"])] for k, v in info],
                  colWidths=[45 * mm, 120 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    story += [table, Spacer(1, 8 * mm), _p(duplicates_text(report), styles["info"])]
    if report.adds_up():
        story.append(_p(_("Every disaggregation in this report adds up to its total; "
                          "missing values are shown as \u201cUnknown\u201d."), styles["info"]))
    story.append(Spacer(1, 4 * mm))
    story.append(_p(_("This report contains no names or other personal data."),
                    styles["small"]))
    by_group = report.by_group()
    for group in GROUPS:
        results = by_group.get(group)
        if not results:
            continue
        story.append(PageBreak())
        story.append(_p(_(GROUPS[group]), styles["h1"]))
        for result in results:
            story += _indicator(result, styles, language)

    regular, _bold = register_fonts()
    title = report_title()
    period = report.request.period.code

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 10 * mm, f"Hamroh \u00b7 {title} \u00b7 {period}")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm,
                               _("Page {number}").format(number=doc.page))
        canvas.restoreState()

    with atomic_target(path) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                topMargin=18 * mm, bottomMargin=18 * mm, title=title,
                                author="Hamroh")
        doc.build(story, onFirstPage=footer, onLaterPages=footer)

