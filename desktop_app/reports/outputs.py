"""Aggregate report outputs: CSV, XLSX (a sheet per indicator group) and PDF.

Aggregate outputs contain codes, translated labels and numbers only: no names and no
record identifiers. Their fixed texts are in the report's language (``Report.language``),
whatever the window's.
"""
from __future__ import annotations

import contextlib
import csv
import os
from decimal import Decimal
from pathlib import Path

from desktop_app.domain.csv_safety import SafeWriter
from desktop_app.i18n import N_, Domain, format_datetime, format_money, format_number
from desktop_app.i18n.formats import rate_percent
from desktop_app.reports.indicators.base import GROUPS, TOTAL, translator
from desktop_app.reports.model import IndicatorResult, Report, Row
from desktop_app.reports.periods import time_zone_text

DOMAIN = Domain("reports")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext
pgettext = DOMAIN.pgettext

FORMATS = ("pdf", "xlsx", "csv")


class OutputError(Exception):
    """The output file could not be written; the message is fit to show."""


def report_title(language: str | None = None) -> str:
    _ = translator(language)
    return _("Indicator report")


def scope_text(report: Report, language: str | None = None) -> str:
    _ = translator(language)
    parts = [", ".join(report.scope) if report.scope else _("All offices")]
    if report.district_labels:
        parts.append(_("Districts: {names}").format(names=", ".join(report.district_labels)))
    return "; ".join(parts)


def duplicates_text(report: Report, language: str | None = None) -> str:
    _ = translator(language)
    ngettext = DOMAIN.in_language(language).ngettext if language else DOMAIN.ngettext
    if report.duplicates_unresolved == 0:
        return _("No possible duplicate people are waiting for review.")
    return ngettext(
        "{count} pair of possible duplicate people is still waiting for review: counts of "
        "people may be slightly too high.",
        "{count} pairs of possible duplicate people are still waiting for review: counts of "
        "people may be slightly too high.", report.duplicates_unresolved).format(
        count=format_number(report.duplicates_unresolved, language))


# the percentage as the language writes it (Babel): 2.7% in English, 2,7 % in Russian
RATIO_TEXT = N_("{percent} ({numerator} of {denominator})")
MEDIAN_TEXT = N_("{days} days; cases: {count}")


def value_text(result: IndicatorResult, row: Row, language: str | None = None) -> str:
    """A figure as the report in ``language`` prints it (the UI's language by default)."""
    kind = result.indicator.measure.kind
    if row.value is None:
        return "\u2014"
    tr = DOMAIN.in_language(language).gettext if language else _
    if kind == "ratio":
        # a share of money (portfolio at risk) names its amounts as money
        def part(v):
            if row.currency and v is not None:
                return format_money(v, row.currency, language)
            return format_number(v, language)
        return tr(RATIO_TEXT).format(
            percent=rate_percent(row.value, language),
            numerator=part(row.numerator), denominator=part(row.denominator))
    if kind == "money":
        if row.currency:
            return format_money(row.value, row.currency, language)
        return format_number(Decimal(row.value).quantize(Decimal("0.01")), language)
    if kind == "median":
        return tr(MEDIAN_TEXT).format(
            days=format_number(row.value, language), count=format_number(row.denominator,
                                                                          language))
    return format_number(row.value, language)


def flat_rows(report: Report):
    """(group, code, indicator, dimension code, dimension, bucket, label, currency, value,
    numerator, denominator) for every total and disaggregation row, in the report's
    language."""
    language = report.language
    _ = translator(language)
    for result in report.results:
        indicator = result.indicator
        title = indicator.title(language)
        if not result.available:
            yield (indicator.group, indicator.code, title, "", "", "",
                   _("Not recorded in this database"), "", "", "", "")
            continue
        for row in result.totals:
            yield (indicator.group, indicator.code, title, TOTAL, _("Total"),
                   TOTAL, _("Total"), row.currency or "", row.value,
                   row.numerator, row.denominator)
        for table in result.tables:
            for row in table.rows:
                yield (indicator.group, indicator.code, title, table.dimension,
                       table.title(language), row.bucket, row.label, row.currency or "",
                       row.value, row.numerator, row.denominator)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return value


def headers(language: str | None = None) -> list[str]:
    _ = translator(language)
    return [_("Group"), _("Indicator code"), _("Indicator"), _("Disaggregation code"),
            _("Disaggregation"), _("Value code"), _("Value label"), _("Currency"), _("Value"),
            _("Numerator"), _("Denominator")]


def cannot_write(path, exc: OSError) -> OutputError:
    return OutputError(_("Cannot write {path}: {reason}. Choose another folder or file name.")
                       .format(path=path, reason=exc.strerror or exc))


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike):
    """Yield a temporary path next to ``path``; move it into place only when writing
    succeeded, so a failed or cancelled export never leaves a half-written file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    tmp = path.with_name(f".{path.name}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


# ---- CSV ------------------------------------------------------------------------------
def write_csv(report: Report, path: str | os.PathLike) -> None:
    with atomic_target(path) as tmp, open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
        writer = SafeWriter(csv.writer(fh))
        period = report.request.period.code
        _ = translator(report.language)
        writer.writerow(headers(report.language) + [_("Period code")])
        for row in flat_rows(report):
            writer.writerow([_plain(v) for v in row] + [period])
        writer.writerow(["quality", "duplicates_unresolved", _("Possible duplicates not reviewed"),
                         TOTAL, _("Total"), TOTAL, _("Total"), "",
                         report.duplicates_unresolved, "", "", period])


# ---- XLSX -----------------------------------------------------------------------------
def sheet_name(text: str, used: set[str]) -> str:
    clean = "".join(c for c in text if c not in "[]:*?/\\")[:31] or "Sheet"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = clean[:31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def write_xlsx(report: Report, path: str | os.PathLike) -> None:
    with atomic_target(path) as tmp:
        _write_xlsx(report, tmp)


def _write_xlsx(report: Report, path: Path) -> None:
    import xlsxwriter  # deferred: ~90 ms, only for an XLSX file
    # every text is written as text: an office name or a district typed elsewhere that
    # starts with "=" must not become a formula, nor "http://..." a link
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    language = report.language
    _ = translator(language)
    try:
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        used: set[str] = set()
        summary = book.add_worksheet(sheet_name(
            DOMAIN.in_language(language).pgettext("spreadsheet", "Summary"), used))
        summary.set_column(0, 0, 36)
        summary.set_column(1, 1, 60)
        summary.write(0, 0, report_title(language), title)
        info = [
            (_("Period"), report.request.period.label(report.language)),
            (_("Period code"), report.request.period.code),
            (_("Time zone"), time_zone_text(report.time_zone, report.request.period.end,
                                            language)),
            (_("Scope"), scope_text(report, language)),
            (_("Generated"), format_datetime(report.generated_at, report.language)),
            (_("Possible duplicates not reviewed"), report.duplicates_unresolved),
            (_("Note"), duplicates_text(report, language)),
            (_("Numbers add up"), _("Yes") if report.adds_up() else _("No")),
        ]
        for n, (key, value) in enumerate(info, start=2):
            summary.write(n, 0, key, bold)
            summary.write(n, 1, value)
        row_no = len(info) + 3
        summary.write_row(row_no, 0, [_("Indicator code"), _("Indicator"), _("Definition")],
                          bold)
        for result in report.results:
            row_no += 1
            summary.write_row(row_no, 0, [result.indicator.code,
                                          result.indicator.title(language),
                                          result.indicator.describe(language)])
        by_group = report.by_group()
        for group in GROUPS:
            results = by_group.get(group)
            if not results:
                continue
            sheet = book.add_worksheet(sheet_name(_(GROUPS[group]), used))
            sheet.set_column(0, 0, 26)
            sheet.set_column(1, 1, 36)
            sheet.set_column(5, 5, 30)
            sheet.freeze_panes(1, 0)
            sheet.write_row(0, 0, headers(language)[1:], bold)
            sub = Report(report.request, results, report.duplicates_unresolved,
                         report.generated_at, report.language, report.scope,
                         report.district_labels, report.time_zone)
            for n, row in enumerate(flat_rows(sub), start=1):
                for col, value in enumerate(row[1:]):
                    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                        # Decimal goes into the file as its exact digits (no float)
                        sheet.write_number(n, col, value)
                    elif value is None or value == "":
                        continue
                    else:
                        sheet.write_string(n, col, str(value))
    finally:
        book.close()
