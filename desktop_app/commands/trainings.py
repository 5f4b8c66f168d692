"""``hamroh trainings ...``: list trainings, totals, import a participant list, certificates."""
from __future__ import annotations

import argparse
import sys

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.domain.trainings import hours_example, parse_hours
from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.i18n.formats import decimal_text
from desktop_app.store import reference
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.store.trainings import spreadsheet as ti

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("trainings", help=_("trainings, participants and certificates"))
    sub = parser.add_subparsers(dest="trainings_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help=_("list trainings"))
    add_db_argument(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("totals", help=_("count trainings, people, women, completion and outcomes"))
    add_db_argument(p)
    p.add_argument("--funding", help=_("only this funding source (code)"))
    p.add_argument("--from", dest="start", help=_("first start date (YYYY-MM-DD)"))
    p.add_argument("--to", dest="end", help=_("last start date (YYYY-MM-DD)"))
    p.set_defaults(handler=cmd_totals)

    p = sub.add_parser("courses", help=_("list courses with their completion rules"))
    add_db_argument(p)
    p.set_defaults(handler=cmd_courses)

    p = sub.add_parser("course", help=_("add or change a course (administrators)"))
    add_db_argument(p)
    p.add_argument("code", help=_("short code, e.g. tailoring"))
    for lang, text in (("en", _("Name in English")), ("ru", _("Name in Russian")),
                       ("tg", _("Name in Tajik")), ("uz", _("Name in Uzbek"))):
        p.add_argument(f"--{lang}", required=True, help=text)
    p.add_argument("--topic", help=_("topic code"))
    p.add_argument("--provider-type", help=_("provider type code"))
    p.add_argument("--sessions", type=int, help=_("usual number of sessions"))
    p.add_argument("--hours", help=_("usual hours per session"))
    p.add_argument("--min-share", help=_("share of sessions to attend, e.g. {example}").format(
        example=decimal_text("0.8")))
    p.add_argument("--min-hours", help=_("hours to attend"))
    p.set_defaults(handler=cmd_course)

    p = sub.add_parser("import", help=_("import a participant list (CSV or XLSX)"))
    add_db_argument(p)
    p.add_argument("--event", required=True, help=_("training id"))
    p.add_argument("--encoding", help=_("CSV encoding, e.g. cp1251 (default: detect)"))
    p.add_argument("--yes", action="store_true",
                   help=_("save after showing the preview (without it nothing is saved)"))
    p.add_argument("file")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("certificates", help=_("print the certificates of a training to one PDF"))
    add_db_argument(p)
    p.add_argument("--event", required=True, help=_("training id"))
    p.add_argument("--out", required=True, help=_("PDF file to write"))
    p.add_argument("--cert-lang", dest="cert_lang", choices=("ru", "tg", "uz", "en"),
                   help=_("one language for all (default: each participant's language)"))
    p.set_defaults(handler=cmd_certificates)


def _event_or_fail(session, event_id: str) -> dict | None:
    event = tr.TrainingEventRepository(session).get(event_id)
    if event is None:
        print(_("No training with the id {id}.").format(id=event_id), file=sys.stderr)
    return event


def cmd_list(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    lang = current_language()
    for e in tq.list_events(session.conn):
        course = reference.label(session.conn, "course", e["course_code"], lang)
        print("\t".join([e["id"], format_date(e["start_date"]), course, e.get("place") or "",
                         _("{people} participants, {completed} completed").format(
                             people=format_number(e["participants"]),
                             completed=format_number(e["completed_count"]))]))
    return 0


def cmd_courses(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    lang = current_language()
    for item in reference.items(session.conn, "course"):
        rule = tq.course_rule(session.conn, item.code).describe()
        print(f"{item.code}\t{item.label(lang)}\t{rule}")
    return 0


def cmd_course(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    try:
        minutes = parse_hours(args.hours) if args.hours else None
    except (ValueError, ArithmeticError):
        print(hours_example(), file=sys.stderr)
        return 1
    try:
        course = ts.save_course(
            session, args.code, {"en": args.en, "ru": args.ru, "tg": args.tg, "uz": args.uz},
            topic=args.topic, provider_type=args.provider_type, default_sessions=args.sessions,
            default_minutes=minutes, min_share_sessions=args.min_share, min_hours=args.min_hours)
    except ValidationError as exc:
        for message in exc.errors.values():
            print(message, file=sys.stderr)
        return 1
    except PermissionDenied as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(_("Course saved: {code}").format(code=course["code"]))
    return 0


def cmd_totals(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    t = tq.totals(session.conn, funding_source=args.funding, start=args.start, end=args.end)
    lang = current_language()
    print(_("Trainings: {count}").format(count=format_number(t.trainings)))
    print(_("Sessions: {count}").format(count=format_number(t.sessions)))
    print(_("People trained (each counted once): {count}").format(count=format_number(t.people)))
    print(_("Women: {count}").format(count=format_number(t.women)))
    print(_("Completed: {count}").format(count=format_number(t.completed)))
    for code, count in t.people_by_funding.items():
        label = (reference.label(session.conn, "funding_source", code, lang) if code
                 else _("not given"))
        print(_("People trained with {funding}: {count}").format(funding=label,
                                                                 count=format_number(count)))
    for code, count in t.outcomes.items():
        print(f"{reference.label(session.conn, 'training_outcome', code, lang)}: {count}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    session = open_for_cli(args)
    if _event_or_fail(session, args.event) is None:
        return 1
    try:
        preview = ti.preview_file(session.conn, args.event, args.file, encoding=args.encoding)
    except ti.ImportFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for row in preview.rows:
        detail = "; ".join(row.errors) or (row.candidates[0].label if row.candidates else "")
        print(f"{row.line}\t{ti.status_text(row.status)}\t{row.name}\t{detail}")
    print(_("{rows} rows, {save} to save ({encoding}).").format(
        rows=len(preview.rows), save=preview.to_save, encoding=preview.encoding or "xlsx"))
    if not args.yes:
        print(_("Nothing was saved. Run again with --yes to save."))
        return 0
    result = ti.apply_preview(session, args.event, preview)
    print(_("Saved: {new} new people registered, {linked} people from the register added.").format(
        new=format_number(result.registered), linked=format_number(result.linked)))
    return 0


def cmd_certificates(args: argparse.Namespace) -> int:
    from desktop_app.reports.trainings_certificates import (
        print_certificates,  # deferred: ReportLab, 0.3 s
    )
    session = open_for_cli(args)
    if _event_or_fail(session, args.event) is None:
        return 1
    ids = [p["id"] for p in tq.participants_of(session.conn, args.event) if p["completed"]]
    if not ids:
        print(_("Nobody has completed this training yet."), file=sys.stderr)
        return 1
    try:
        count = print_certificates(session, ids, args.out, language=args.cert_lang)
    except OSError as exc:
        print(_("The PDF could not be written: {error}").format(error=exc), file=sys.stderr)
        return 1
    print(_("{count} certificates saved to {path}").format(count=format_number(count),
                                                           path=args.out))
    return 0
