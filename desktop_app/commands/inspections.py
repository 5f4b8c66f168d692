"""``hamroh inspections ...``: labour inspections and employers (repeat offenders first)."""
from __future__ import annotations

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.i18n import Domain, current_language, format_number
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.inspections import queries as iq

DOMAIN = Domain("inspections")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("inspections", help=_("labour inspections and employers"))
    sub = parser.add_subparsers(dest="inspections_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", help=_("list inspections (newest first)"))
    add_db_argument(p)
    p.add_argument("--search", default="", help=_("enterprise name (any script) or number"))
    p.add_argument("--limit", type=int, default=50, help=_("at most this many rows"))
    p.set_defaults(handler=_list)
    p = sub.add_parser("employers", help=_("employers with their cases and inspections"))
    add_db_argument(p)
    p.add_argument("--search", default="", help=_("enterprise name (any script)"))
    p.add_argument("--repeat", action="store_true", help=_("only repeat offenders"))
    p.set_defaults(handler=_employers)


def _list(args) -> int:
    session = open_for_cli(args)
    lang = current_language()
    ids = iq.inspection_ids(session.conn, search=args.search)
    for r in iq.inspection_rows(session.conn, ids[:args.limit]):
        print("\t".join([r["number"], r["inspected_on"], r["employer_name"] or "",
                         reference.label(session.conn, "inspection_trigger", r["trigger"], lang),
                         ngettext("{count} violation", "{count} violations",
                                  r["violations"]).format(count=format_number(r["violations"]))]))
    return 0


def _employers(args) -> int:
    session = open_for_cli(args)
    for r in cq.find_employers(session.conn, args.search, limit=10_000):
        if args.repeat and not r["repeat_offender"]:
            continue
        mark = _("repeat offender") if r["repeat_offender"] else ""
        print("\t".join([
            r["name"],
            ngettext("{count} case", "{count} cases",
                     r["cases"]).format(count=format_number(r["cases"])),
            ngettext("{count} inspection", "{count} inspections",
                     r["inspections"]).format(count=format_number(r["inspections"])),
            ngettext("{count} violation", "{count} violations",
                     r["violations"]).format(count=format_number(r["violations"])), mark]))
    return 0
