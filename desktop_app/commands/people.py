"""``hamroh people import|search``: people registers from spreadsheets, search from a shell."""
from __future__ import annotations

import argparse
import json
import sys

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.store import reference
from desktop_app.store.people.repositories import search_people
from desktop_app.store.people.spreadsheet import ImportFileError, import_people
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied

DOMAIN = Domain("people")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("people", help=_("import and search people"))
    sub = parser.add_subparsers(dest="people_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import", help=_("import people from a .csv or .xlsx file"),
        description=_("Import people from a spreadsheet whose first row holds the column "
                      "titles (see the user guide for the accepted titles). Nothing is "
                      "imported unless every row is valid, or --skip-invalid is given."))
    add_db_argument(imp)
    imp.add_argument("file", metavar="FILE", help=_("a .csv or .xlsx file"))
    imp.add_argument("--skip-invalid", action="store_true",
                     help=_("import the valid rows and skip the rows with errors"))
    imp.add_argument("--dry-run", action="store_true",
                     help=_("only check the file; import nothing"))
    imp.set_defaults(handler=run_import)

    find = sub.add_parser("search", help=_("search people by name, phone or document"),
                          description=_("Search people by name in any script, by phone or by "
                                        "document number."))
    add_db_argument(find)
    find.add_argument("term", metavar="TERM", help=_("what to look for"))
    find.add_argument("--limit", type=int, default=20, help=_("at most this many results"))
    find.add_argument("--json", action="store_true", help=_("print the results as JSON"))
    find.set_defaults(handler=run_search)


def run_import(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    try:
        try:
            result = import_people(session, args.file, skip_invalid=args.skip_invalid,
                                   dry_run=args.dry_run)
        except ImportFileError as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            return 1
        except (PermissionDenied, ValidationError) as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            return 1
        _print_unknown_columns(result.unknown_columns)
        for error in result.errors:
            print(error.message, file=sys.stderr)
        total = len(result.rows)
        invalid = len(result.invalid_rows)
        repeated = len(result.repeated_rows)
        if repeated:
            print(ngettext(
                "{count} row is already in the register (or repeats an earlier row) and is "
                "not imported again.",
                "{count} rows are already in the register (or repeat an earlier row) and are "
                "not imported again.", repeated).format(count=format_number(repeated)),
                  file=sys.stderr)
        if args.dry_run:
            print(_("Checked {total} rows: {valid} can be imported, {invalid} have errors. "
                    "Nothing was imported (--dry-run).").format(
                total=format_number(total), valid=format_number(total - invalid),
                invalid=format_number(invalid)))
            return 0 if not invalid else 1
        if result.committed:
            print(ngettext("Imported {count} person.", "Imported {count} people.",
                           result.imported).format(count=format_number(result.imported)))
            if result.skipped:
                print(ngettext("Skipped {count} row with errors.",
                               "Skipped {count} rows with errors.",
                               result.skipped).format(count=format_number(result.skipped)))
            if result.possible_duplicates:
                print(ngettext(
                    "{count} pair of people may be the same person: it is on the list of "
                    "possible duplicates (Sync page) for review.",
                    "{count} pairs of people may be the same person: they are on the list "
                    "of possible duplicates (Sync page) for review.",
                    result.possible_duplicates).format(count=format_number(result.possible_duplicates)))
            return 0
        if not total:
            print(_("The file has no rows below the column titles: nothing to import."))
            return 1
        if repeated == total - invalid and (not invalid or args.skip_invalid):
            print(_("Nothing new to import: the valid rows are already in the register."))
            return 0 if not invalid else 1
        if invalid == total:
            print(_("Nothing was imported: every row has errors. Correct the file and "
                    "import it again."), file=sys.stderr)
        else:
            print(ngettext(
                "Nothing was imported: {count} row has errors. Correct it, or import again "
                "with --skip-invalid to import the {valid} valid rows.",
                "Nothing was imported: {count} rows have errors. Correct them, or import "
                "again with --skip-invalid to import the {valid} valid rows.",
                invalid).format(count=format_number(invalid),
                                valid=format_number(total - invalid)), file=sys.stderr)
        return 1
    finally:
        session.conn.close()


def _print_unknown_columns(titles: list[str], shown: int = 10) -> None:
    for title in titles[:shown]:
        print(_("Column {title} is not known and was ignored.").format(title=title),
              file=sys.stderr)
    if len(titles) > shown:
        more = len(titles) - shown
        print(ngettext("{count} more column is not known and was ignored.",
                       "{count} more columns are not known and were ignored.",
                       more).format(count=format_number(more)), file=sys.stderr)


def run_search(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    try:
        hits = search_people(session.conn, args.term, limit=max(1, args.limit))
        language = current_language()
        if args.json:
            print(json.dumps([{
                "id": h.id, "family_name": h.family_name, "given_name": h.given_name,
                "patronymic": h.patronymic, "birth_date": h.birth_date,
                "district": h.district, "jamoat": h.jamoat, "phones": h.phones,
                "score": round(h.score, 1)} for h in hits], ensure_ascii=False, indent=1))
            return 0
        if not hits:
            print(_("No one found for {term}.").format(term=args.term), file=sys.stderr)
            return 1
        for h in hits:
            name = " ".join(p for p in (h.family_name, h.given_name, h.patronymic) if p)
            place = ", ".join(p for p in (
                reference.label(session.conn, "district", h.district, language),
                reference.label(session.conn, "jamoat", h.jamoat, language)) if p)
            born = format_date(h.birth_date, fmt="dd.MM.yyyy") if h.birth_date else ""
            print("\t".join((name, born, place, h.phones or "", h.id)))
        return 0
    finally:
        session.conn.close()
