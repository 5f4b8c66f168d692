"""``hamroh letterhead show|set``: the organisation's name and logo printed on reports,
case files, inspection records, certificates and borrowers' cards."""
from __future__ import annotations

import sys

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.i18n import Domain
from desktop_app.reports.organisation import LetterheadError, letterhead, set_letterhead

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("letterhead", help=_(
        "the organisation's name and logo on printed documents"))
    sub = parser.add_subparsers(dest="letterhead_command", metavar="ACTION", required=True)
    show = sub.add_parser("show", help=_("print the organisation's name and whether a logo "
                                         "is set"))
    add_db_argument(show)
    show.set_defaults(handler=run_show)
    change = sub.add_parser("set", help=_("administrators: set the organisation's name and/or "
                                          "logo"))
    add_db_argument(change)
    change.add_argument("--name", help=_("the organisation's name as printed"))
    logo = change.add_mutually_exclusive_group()
    logo.add_argument("--logo", metavar="FILE", help=_(
        "a PNG or JPEG image of at most 2 MB and 4000 pixels a side"))
    logo.add_argument("--no-logo", action="store_true", help=_("remove the logo"))
    change.set_defaults(handler=run_set)


def _describe(head) -> None:
    print(_("Organisation: {name}").format(name=head.organisation or "\u2014"))
    print(_("Logo: set") if head.logo_png else _("Logo: none"))


def run_show(args) -> int:
    session = open_for_cli(args)
    try:
        _describe(letterhead(session.conn))
    finally:
        session.conn.close()
    return 0


def run_set(args) -> int:
    if args.name is None and args.logo is None and not args.no_logo:
        print(_("Error: {message}").format(message=_(
            "Nothing to change: give --name, --logo or --no-logo.")), file=sys.stderr)
        return 2
    session = open_for_cli(args)     # administrators only (commands._rights)
    try:
        head = set_letterhead(session, name=args.name, logo_path=args.logo,
                              remove_logo=args.no_logo)
    except LetterheadError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 2
    finally:
        session.conn.close()
    _describe(head)
    return 0
