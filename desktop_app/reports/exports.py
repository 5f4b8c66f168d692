"""Exports: an aggregate report to a file, and the person-level list.

Both are audited (``session.log("export", ...)``). The person-level list contains names
and so needs the ``view_person_list`` permission; it is streamed (server-side cursor in
pages, xlsxwriter ``constant_memory``), so a million rows are written in bounded memory.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

from desktop_app.domain.csv_safety import SafeWriter
from desktop_app.i18n import Domain
from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import require_person_list
from desktop_app.reports.engine import office_ids_for
from desktop_app.reports.identity import prepare_roots
from desktop_app.reports.indicators.base import Query
from desktop_app.reports.model import Cancelled, Report, ReportError, ReportRequest
from desktop_app.reports.organisation import letterhead as stored_letterhead
from desktop_app.reports.outputs import FORMATS, atomic_target, write_csv, write_xlsx
from desktop_app.reports.periods import office_time_zone

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

XLSX_MAX_ROWS = 1_048_576
PAGE = 5000


def write_report(report: Report, fmt: str, path, *, office_name: str = "",
                 letterhead=None) -> None:
    if fmt == "csv":
        write_csv(report, path)
    elif fmt == "xlsx":
        write_xlsx(report, path)
    elif fmt == "pdf":
        from desktop_app.reports.pdf import write_pdf  # deferred: reportlab, ~130 ms
        write_pdf(report, path, office_name=office_name, letterhead=letterhead)
    else:
        raise ReportError(_("Unknown format {format}: choose pdf, xlsx or csv.").format(
            format=fmt))


def office_name(conn) -> str:
    row = conn.execute("SELECT o.name, o.code FROM office o JOIN meta m ON m.key = 'office_id' "
                       "AND m.value = o.id").fetchone()
    return f"{row[0]} ({row[1]})" if row else ""


def export_report(session, request: ReportRequest, fmt: str, path, *,
                  progress: Callable[[int, int], None] | None = None,
                  connect: Callable[[], object] | None = None) -> Report:
    """Build the report, write it (nothing is left behind on failure) and audit the export.
    ``connect``: see build_report (a second connection for the people indicators)."""
    if fmt not in FORMATS:
        raise ReportError(_("Unknown format {format}: choose pdf, xlsx or csv.").format(
            format=fmt))
    report = build_report(session.conn, request, progress=progress, connect=connect)
    write_report(report, fmt, path, office_name=office_name(session.conn),
                 letterhead=stored_letterhead(session.conn))
    session.log("export", None, None, detail={
        "kind": "aggregate_report", "format": fmt, "period": request.period.code,
        "offices": request.offices, "districts": request.districts,
        "indicators": [r.indicator.code for r in report.results],
        "language": report.language, "file": Path(path).name})
    return report


# ---- person-level list ----------------------------------------------------------------
PERSON_COLUMNS = (
    ("id", "p.id"), ("office", "o.code"), ("family_name", "p.family_name"),
    ("given_name", "p.given_name"), ("patronymic", "p.patronymic"), ("sex", "p.sex"),
    ("birth_date", "p.birth_date"), ("phones", "p.phones"), ("country", "p.country"),
    ("district", "p.district"), ("jamoat", "p.jamoat"), ("village", "p.village"),
    ("migration_status", "p.migration_status"), ("registered", "substr(p.created_at, 1, 10)"),
)


def person_headers() -> list[str]:
    return [_("Record id"), _("Office"), _("Family name"), _("Given name"), _("Patronymic"),
            _("Sex"), _("Date of birth"), _("Phones"), _("Country"), _("District"),
            _("Jamoat"), _("Village"), _("Migration status"), _("Registered on")]


def _person_cursor(conn, request: ReportRequest | None):
    """Surviving, not deleted people in the scope, in storage order: no ORDER BY, so that
    nothing on the way to the file holds every row (a sort would)."""
    where = ["p.deleted = 0", "COALESCE(p.merged_into, '') = ''"]
    if request is not None:
        offices = office_ids_for(conn, request.offices)
        q = Query(request.period, offices,
                  list(request.districts) if request.districts else None,
                  time_zone=office_time_zone(conn, offices))
        where += [q.before_end_instant("p.created_at"), q.offices("p.office_id"),
                  q.district_in("p.district")]
    cols = ", ".join(expr for _name, expr in PERSON_COLUMNS)
    return conn.execute(
        f"SELECT {cols} FROM person p LEFT JOIN office o ON o.id = p.office_id "
        f"WHERE {' AND '.join(where)}")


def export_person_list(session, fmt: str, path, request: ReportRequest | None = None, *,
                       progress: Callable[[int], None] | None = None,
                       cancelled: Callable[[], bool] | None = None) -> int:
    """Write every person in scope (registered up to the period end) with names; audited.

    Returns the number of people written. Needs ``view_person_list``."""
    require_person_list(session, request)
    if fmt not in ("csv", "xlsx"):
        raise ReportError(_("The list of people can be exported as xlsx or csv."))
    conn = session.conn
    prepare_roots(conn)
    cursor = _person_cursor(conn, request)
    count = 0

    def pages():
        nonlocal count
        while True:
            if cancelled and cancelled():
                raise Cancelled()
            rows = cursor.fetchmany(PAGE)
            if not rows:
                return
            count += len(rows)
            if progress:
                progress(count)
            yield rows

    with atomic_target(path) as tmp:
        if fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
                writer = SafeWriter(csv.writer(fh))
                writer.writerow(person_headers())
                for rows in pages():
                    writer.writerows(rows)
        else:
            _person_xlsx(tmp, pages())
    session.log("export", "person", None, detail={
        "kind": "person_list", "format": fmt, "count": count,
        "period": request.period.code if request else None,
        "offices": request.offices if request else None,
        "districts": request.districts if request else None, "file": Path(path).name})
    return count


def _person_xlsx(path: Path, pages) -> None:
    import xlsxwriter  # deferred: ~90 ms, only for an XLSX file
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    try:
        bold = book.add_format({"bold": True})
        sheet, row_no, part = None, XLSX_MAX_ROWS, 0
        for rows in pages:
            for row in rows:
                if row_no >= XLSX_MAX_ROWS:  # a sheet holds 1,048,576 rows: go on in the next
                    part += 1
                    title = _("People") if part == 1 else f"{_('People')} {part}"
                    sheet = book.add_worksheet(title[:31])
                    sheet.write_row(0, 0, person_headers(), bold)
                    sheet.freeze_panes(1, 0)
                    row_no = 1
                for col, value in enumerate(row):
                    if value is not None:
                        sheet.write_string(row_no, col, str(value))
                row_no += 1
        if sheet is None:
            sheet = book.add_worksheet(_("People")[:31])
            sheet.write_row(0, 0, person_headers(), bold)
    finally:
        book.close()


__all__ = ["export_report", "export_person_list", "write_report"]
