"""``hamroh report``, ``hamroh person-list`` and ``hamroh indicators``.

    hamroh report --db hamroh.db --period 2026-Q3 --format pdf --lang tg --out q3.pdf
    hamroh report --db hamroh.db --period 2026 --format xlsx --out 2026.xlsx --office GRM
    hamroh person-list --db hamroh.db --period 2026 --format xlsx --out people.xlsx
    hamroh indicators --lang ru
"""
from __future__ import annotations

import argparse
import sys
from datetime import date

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.i18n import Domain, format_number
from desktop_app.reports.indicators.base import DEFAULT_AGE_BANDS, DIMENSIONS, GROUPS
from desktop_app.reports.indicators.catalogue import by_group
from desktop_app.reports.model import Cancelled, ReportError, ReportRequest
from desktop_app.reports.outputs import FORMATS, OutputError
from desktop_app.reports.parallel import connection_factory
from desktop_app.reports.periods import Period, PeriodError, parse_period
from desktop_app.store.session import PermissionDenied

DOMAIN = Domain("reports")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

LANGS = ("ru", "tg", "uz", "en")
ALL_TIME = Period(date(1900, 1, 1), date(9998, 12, 31), "custom", "all")


def _age_bands(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("Write age bands as increasing ages separated by commas, e.g. 15,18,30,45.")
        ) from exc


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help=_("write an indicator report (PDF, XLSX or CSV)"))
    add_db_argument(p)
    p.add_argument("--period", required=True,
                   help=_("2026-Q3, 2026-07, 2026 or 2026-01-01..2026-03-31"))
    p.add_argument("--format", choices=FORMATS, default="pdf", help=_("output format"))
    p.add_argument("--lang", choices=LANGS, help=_("language of the report"))
    p.add_argument("--out", required=True, help=_("file to write"))
    p.add_argument("--office", action="append", metavar="CODE",
                   help=_("only this office (repeat for several)"))
    p.add_argument("--district", action="append", metavar="CODE",
                   help=_("only people of this district (repeat for several)"))
    p.add_argument("--indicator", action="append", metavar="CODE",
                   help=_("only this indicator (repeat; see `hamroh indicators`)"))
    p.add_argument("--by", action="append", metavar="DISAGGREGATION",
                   help=_("disaggregate by this (repeat; default: each indicator's own)"))
    p.add_argument("--age-bands", type=_age_bands, default=DEFAULT_AGE_BANDS,
                   metavar="15,18,30,45", help=_("lower ages of the age bands"))
    p.set_defaults(handler=run_report)

    p = subparsers.add_parser("person-list", help=_(
        "export the list of people with names (needs permission; audited)"))
    add_db_argument(p)
    p.add_argument("--period", help=_("people registered up to the end of this period"))
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx",
                   help=_("output format"))
    p.add_argument("--lang", choices=LANGS, help=_("language of the column headings"))
    p.add_argument("--out", required=True, help=_("file to write"))
    p.add_argument("--office", action="append", metavar="CODE",
                   help=_("only this office (repeat for several)"))
    p.add_argument("--district", action="append", metavar="CODE",
                   help=_("only people of this district (repeat for several)"))
    p.set_defaults(handler=run_person_list)

    p = subparsers.add_parser("indicators", help=_("list the indicators reports can contain"))
    p.add_argument("--lang", choices=LANGS, help=_("language of the list"))
    p.set_defaults(handler=run_indicators)


def _fail(message: str) -> int:
    print(_("Error: {message}").format(message=message), file=sys.stderr)
    return 2


def run_report(args) -> int:
    from desktop_app.reports.exports import export_report  # deferred: XLSX, PDF writers
    try:
        request = ReportRequest(parse_period(args.period), offices=args.office,
                                districts=args.district, indicators=args.indicator,
                                dimensions=args.by, age_bands=args.age_bands)
        for dim in args.by or ():
            if dim not in DIMENSIONS:
                raise ReportError(_("Unknown disaggregation {name}. Choose from: {names}.")
                                  .format(name=dim, names=", ".join(DIMENSIONS)))
        session = open_for_cli(args)
        try:
            report = export_report(session, request, args.format, args.out,
                                   connect=connection_factory(
                                       session.conn, getattr(session, "db_key", None)))
        finally:
            session.conn.close()
    except (PeriodError, ReportError, OutputError, PermissionDenied) as exc:
        return _fail(str(exc))
    missing = [r.indicator.title() for r in report.results if not r.available]
    print(_("Wrote {path}: period {period}, indicators: {count}.").format(
        path=args.out, count=format_number(len(report.results) - len(missing)),
        period=request.period.code))
    if report.duplicates_unresolved:
        print(ngettext("{count} pair of possible duplicate people is still waiting for review.",
                       "{count} pairs of possible duplicate people are still waiting for review.",
                       report.duplicates_unresolved).format(count=format_number(report.duplicates_unresolved)))
    return 0


def run_person_list(args) -> int:
    from desktop_app.reports.exports import export_person_list  # deferred: XLSX, PDF writers
    try:
        request = None
        if args.period or args.office or args.district:
            period = parse_period(args.period) if args.period else ALL_TIME
            request = ReportRequest(period, offices=args.office, districts=args.district)
        session = open_for_cli(args)
        try:
            count = export_person_list(session, args.format, args.out, request)
        finally:
            session.conn.close()
    except (PeriodError, ReportError, OutputError, PermissionDenied) as exc:
        return _fail(str(exc))
    except Cancelled:
        return _fail(_("Cancelled."))
    print(ngettext("Wrote {count} person to {path}.", "Wrote {count} people to {path}.",
                   count).format(count=format_number(count), path=args.out))
    return 0


def run_indicators(args) -> int:
    for group, title in GROUPS.items():
        print(f"== {_(title)}")
        for indicator in by_group(group):
            dims = ", ".join(indicator.disaggregations)
            print(f"  {indicator.code:<30} {indicator.title()}")
            print(f"  {'':<30} {_('by')}: {dims}")
    return 0
