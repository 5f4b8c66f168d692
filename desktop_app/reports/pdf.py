"""The indicator report as a PDF to hand to a ministry or a donor: a cover (logo,
organisation, period, offices, the date in words), one page of headline figures with small
charts, then per group each indicator with its definition, total, disaggregation tables and
a bar chart. Every page after the cover carries the letterhead and "Page n of N"
(reports/record_pdf.py). Fonts cover Russian, Tajik and Uzbek letters (reports/fonts.py)."""
from __future__ import annotations

import io
import os
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.i18n import LANGUAGES, Domain, format_date, format_datetime
from desktop_app.reports.fonts import register_fonts
from desktop_app.reports.indicators.base import GROUPS, translator
from desktop_app.reports.model import IndicatorResult, Report
from desktop_app.reports.organisation import Letterhead
from desktop_app.reports.outputs import (
    atomic_target,
    duplicates_text,
    report_title,
    scope_text,
    value_text,
)
from desktop_app.reports.palette import group_small
from desktop_app.reports.periods import time_zone_text
from desktop_app.reports.record_pdf import ACCENT_COLOUR, PageFrame, fit_text, table_style

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

ACCENT = ACCENT_COLOUR
MAX_CHART_BARS = 14
# the figures of the summary page, in this order, when the report has them
HEADLINE = ("people_reached", "people_registered", "cases_opened", "cases_resolved",
            "wages_recovered", "inspections", "violations", "fines_amount", "trainees",
            "training_completion_rate", "loans_disbursed", "loans_outstanding", "loans_par30")
# the small charts of the summary page: each one's first disaggregation
SUMMARY_CHARTS = ("people_reached", "cases_opened", "trainees", "loans_disbursed")
SUMMARY_CHART_BARS = 5


def _styles():
    regular, bold = register_fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=12.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10,
                                textColor=colors.HexColor("#444444")),
        "organisation": ParagraphStyle("organisation", parent=base, fontName=bold,
                                       fontSize=16, leading=21, textColor=ACCENT),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=26, leading=32,
                                textColor=ACCENT, spaceBefore=6 * mm, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=15, leading=20,
                                   spaceAfter=2 * mm),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=16, leading=20,
                             textColor=ACCENT, spaceBefore=4 * mm, spaceAfter=3 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=11.5, leading=15,
                             spaceBefore=4 * mm, spaceAfter=1 * mm),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=9.5, leading=12,
                             spaceBefore=2 * mm, spaceAfter=1 * mm),
        "info": ParagraphStyle("info", parent=base, fontSize=11, leading=16),
        "figure": ParagraphStyle("figure", parent=base, fontName=bold, fontSize=12,
                                 leading=15, textColor=ACCENT),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(result: IndicatorResult, table, styles, language) -> Table:
    _ = translator(language)
    data = [[_p(table.title(language), styles["h3"]), _p(_("Value"), styles["h3"])]]
    for row in table.rows:
        data.append([_p(row.label, styles["base"]),
                     _p(value_text(result, row, language), styles["base"])])
    for total in result.totals:
        data.append([_p(_("Total"), styles["h3"]),
                     _p(value_text(result, total, language), styles["h3"])])
    t = Table(data, colWidths=[95 * mm, 75 * mm], repeatRows=1)
    t.setStyle(table_style(len(data), len(result.totals)))
    return t


def _chartable(result: IndicatorResult, table) -> list | None:
    kind = result.indicator.measure.kind
    rows = [r for r in table.rows if r.value is not None]
    if kind not in ("count", "money", "ratio") or not rows:
        return None
    if kind == "money" and len({r.currency for r in rows}) > 1:
        return None
    return rows


def _bars(rows, kind: str, width: float, label_width: float, *, font_size: float = 7.5,
          colour_each: bool = False, bar_height: float = 14) -> Drawing:
    regular, _bold = register_fonts()
    height = 4 + bar_height * len(rows)
    drawing = Drawing(width, height + 10)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 5
    chart.width, chart.height = width - label_width - 10 * mm, height
    # bar lengths are drawing geometry: floats are fine here (tables show the exact Decimals)
    values = [int(v) if kind == "count" else float(v) for _label, v, _c in reversed(rows)]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [fit_text(label, regular, font_size, label_width - 3 * mm)
                                        for label, _v, _c in reversed(rows)]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = font_size
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = regular
    chart.valueAxis.labels.fontSize = font_size - 0.5
    chart.valueAxis.valueMin = 0
    top = max(values) if values else 0
    chart.valueAxis.valueMax = (top * 11 / 10) if top else 1
    if kind == "count" and top <= 10:
        chart.valueAxis.valueStep = 1
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    if colour_each:
        for n, (_label, _v, colour) in enumerate(reversed(rows)):
            chart.bars[(0, n)].fillColor = colors.HexColor(colour)
    chart.barLabelFormat = "%s" if kind == "count" else None
    chart.barLabels.fontName = regular
    chart.barLabels.fontSize = font_size - 0.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _chart(result: IndicatorResult, table) -> Drawing | None:
    """A horizontal bar chart of one disaggregation (counts and single-currency sums)."""
    rows = _chartable(result, table)
    if rows is None or len(rows) > MAX_CHART_BARS:
        return None
    return _bars([(r.label, r.value, "") for r in rows], result.indicator.measure.kind,
                 165 * mm, 60 * mm)


def _small_chart(result: IndicatorResult, styles, language: str) -> list | None:
    """The summary page's chart of an indicator's first disaggregation: the largest
    buckets each in its palette colour, the rest as one grey "Other" bar."""
    if not result.available or not result.tables:
        return None
    table = result.tables[0]
    rows = _chartable(result, table)
    if not rows or result.indicator.measure.kind == "ratio":
        return None
    grouped = group_small([(r.label, [float(r.value)]) for r in rows],
                          DOMAIN.in_language(language).pgettext("chart", "Other"),
                          keep=SUMMARY_CHART_BARS)
    bars = [(s.label, s.values[0], s.colour) for s in grouped]
    title = _p(f"{result.indicator.title(language)} \u00b7 {table.title(language)}",
               styles["h3"])
    return [title, _bars(bars, result.indicator.measure.kind, 82 * mm, 30 * mm,
                         font_size=7, colour_each=True, bar_height=12)]


def summary_results(report: Report) -> list[IndicatorResult]:
    found = {r.indicator.code: r for r in report.results}
    return [found[code] for code in HEADLINE if code in found and found[code].available]


def _summary(report: Report, styles, language) -> list:
    _ = translator(language)
    story: list = [_p(_("Summary"), styles["h1"]),
                   _p(_("{period}; {scope}").format(period=report.request.period.label(language),
                                                   scope=scope_text(report, language)),
                      styles["small"]),
                   Spacer(1, 3 * mm)]
    results = summary_results(report)
    if not results:
        results = [r for r in report.results if r.available][:8]
    rows = [[_p(r.indicator.title(language), styles["base"]),
             _p("; ".join(value_text(r, t, language) for t in r.totals) or "0",
                styles["figure"])] for r in results]
    if rows:
        figures = Table(rows, colWidths=[95 * mm, 75 * mm])
        figures.setStyle(TableStyle([
            ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.HexColor("#f1f5f9")]),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, ACCENT),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
        story.append(figures)
    found = {r.indicator.code: r for r in report.results}
    charts = [c for c in (_small_chart(found[code], styles, language) for code in SUMMARY_CHARTS
                          if code in found) if c]
    if charts:
        story.append(Spacer(1, 5 * mm))
        cells = [charts[n:n + 2] for n in range(0, len(charts), 2)]
        if len(cells[-1]) == 1:
            cells[-1].append("")
        grid = Table(cells, colWidths=[85 * mm, 85 * mm])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(grid)
    story.append(Spacer(1, 4 * mm))
    story.append(_p(duplicates_text(report, language), styles["small"]))
    return story


def _indicator(result: IndicatorResult, styles, language) -> list:
    _ = translator(language)
    indicator = result.indicator
    head = [_p(indicator.title(language), styles["h2"]),
            _p(indicator.describe(language), styles["small"])]
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
            block += [chart, Spacer(1, 3 * mm)]
        flow.append(KeepTogether(block))
    return flow


def _cover(report: Report, letterhead: Letterhead, styles, language, office_name: str,
           today: date) -> list:
    _ = translator(language)
    story: list = [Spacer(1, 12 * mm)]
    logo = letterhead.logo_reader()
    if logo is not None:
        w, h = logo.getSize()
        height = 28 * mm
        width = min(height * w / h, 120 * mm)
        story += [Image(io.BytesIO(letterhead.logo_png or b""), width=width,
                        height=width * h / w, hAlign="LEFT"),
                  Spacer(1, 6 * mm)]
    if letterhead.organisation:
        story.append(_p(letterhead.organisation, styles["organisation"]))
    story += [Spacer(1, 18 * mm), _p(report_title(language), styles["title"]),
              _p(report.request.period.label(language), styles["subtitle"]),
              _p(scope_text(report, language), styles["subtitle"]),
              _p(format_date(today, language, fmt="long"), styles["subtitle"]),
              Spacer(1, 40 * mm)]
    info = [
        (_("Period"), f"{report.request.period.label(language)} ({report.request.period.code})"),
        (_("Time zone"), time_zone_text(report.time_zone, report.request.period.end,
                                        language)),
        (_("Scope"), scope_text(report, language)),
        (_("Prepared by"), office_name or letterhead.organisation or "\u2014"),
        (_("Generated"), format_datetime(report.generated_at, language)),
        (_("Language"), LANGUAGES[language][1]),
    ]
    table = Table([[_p(k, styles["h3"]), _p(v, styles["base"])] for k, v in info],
                  colWidths=[45 * mm, 125 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    story.append(table)
    if report.adds_up():
        story.append(Spacer(1, 3 * mm))
        story.append(_p(_("Every disaggregation in this report adds up to its total; "
                          "missing values are shown as \u201cUnknown\u201d."), styles["small"]))
    story.append(_p(_("This report contains no names or other personal data."),
                    styles["small"]))
    return story


def write_pdf(report: Report, path: str | os.PathLike, *, office_name: str = "",
              letterhead: Letterhead | None = None, today: date | None = None) -> None:
    styles = _styles()
    language = report.language
    _ = translator(language)   # every fixed text in the report's language, not the window's
    letterhead = letterhead or Letterhead(organisation=office_name)
    story = _cover(report, letterhead, styles, language, office_name, today or date.today())
    story.append(PageBreak())
    story += _summary(report, styles, language)
    by_group = report.by_group()
    for group in GROUPS:
        results = by_group.get(group)
        if not results:
            continue
        story.append(PageBreak())
        story.append(_p(_(GROUPS[group]), styles["h1"]))
        for result in results:
            story += _indicator(result, styles, language)
    period = report.request.period
    frame = PageFrame(letterhead=letterhead, title=report_title(language), language=language,
                      reference=f"{period.label(language)} ({period.code})",
                      plain_first=True, margin=20 * mm)
    with atomic_target(path) as tmp:
        frame.build(tmp, story)

