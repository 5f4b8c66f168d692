"""``hamroh cases ...``: work lists, a case's file, status changes, the case PDF."""
from __future__ import annotations

import sys

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.domain.cases import EVENT_LABELS, STATUSES, TransitionRefused
from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.repository import ValidationError
from desktop_app.store.security import sensitive
from desktop_app.store.session import PermissionDenied, ReasonRequired

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("cases", help=_("hotline cases: lists, details, PDF"))
    sub = parser.add_subparsers(dest="cases_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help=_("list cases (newest first)"))
    add_db_argument(p)
    p.add_argument("--view", choices=("all", "open", "mine", "unassigned"), default="all",
                   help=_("which work list"))
    p.add_argument("--status", choices=STATUSES, action="append", help=_("only this status"))
    p.add_argument("--category", help=_("only this category code"))
    p.add_argument("--search", default="", help=_("name (any script), phone or case number"))
    p.add_argument("--limit", type=int, default=50, help=_("at most this many rows"))
    p.set_defaults(handler=_list)

    p = sub.add_parser("due", help=_("follow-ups due today and overdue"))
    add_db_argument(p)
    p.add_argument("--mine", action="store_true", help=_("only my follow-ups"))
    p.set_defaults(handler=_due)

    p = sub.add_parser("show", help=_("show one case with its timeline"))
    add_db_argument(p)
    p.add_argument("number", help=_("case number"))
    p.add_argument("--reason", help=_("why you open a sensitive case you are not assigned to"))
    p.set_defaults(handler=_show)

    p = sub.add_parser("status", help=_("change the status of a case"))
    add_db_argument(p)
    p.add_argument("number", help=_("case number"))
    p.add_argument("status", choices=STATUSES, help=_("new status"))
    p.add_argument("--reason", help=_("why (required when reopening)"))
    p.set_defaults(handler=_status)

    p = sub.add_parser("pdf", help=_("write a case file as PDF"))
    add_db_argument(p)
    p.add_argument("number", help=_("case number"))
    p.add_argument("--out", required=True, help=_("PDF file to write"))
    p.add_argument("--language", dest="pdf_lang", choices=("ru", "tg", "uz", "en"),
                   help=_("language of the PDF (default: the current language)"))
    p.add_argument("--include-sensitive", action="store_true",
                   help=_("include the caller, the summary and other sensitive details"))
    p.add_argument("--reason", help=_("why you open a sensitive case you are not assigned to"))
    p.set_defaults(handler=_pdf)

    p = sub.add_parser("stats", help=_("count cases by category, status or channel"))
    add_db_argument(p)
    p.add_argument("--by", choices=("category", "status", "channel"), default="category")
    p.set_defaults(handler=_stats)


def _find(session, number: str) -> dict | None:
    row = session.conn.execute(
        "SELECT id FROM hotline_case WHERE number=? AND deleted=0", (number.strip().upper(),)
    ).fetchone()
    return sensitive.reveal_record(session, "hotline_case",
                                   sc.CaseRepository(session).get(row[0]) if row else None)


def _err(message: str) -> int:
    print(_("Error: {message}").format(message=message), file=sys.stderr)
    return 1


def _refused(exc: PermissionDenied) -> int:
    if isinstance(exc, ReasonRequired):
        return _err(str(exc) + " " + _("Give a reason with --reason."))
    return _err(str(exc))


def _not_found(number: str) -> int:
    return _err(_("No case has the number {number}.").format(number=number))


def _list(args) -> int:
    session = open_for_cli(args)
    lang = current_language()
    flt = cq.CaseFilter(view=args.view, user_id=session.actor.user_id,
                        statuses=tuple(args.status or ()), category=args.category,
                        search=args.search, may_open=cq.opener(session))
    ids = cq.case_ids(session.conn, flt)
    for row in cq.case_rows(session, ids[:args.limit]):
        print("\t".join([row["number"], row["opened_on"],
                         reference.label(session.conn, "case_status", row["status"], lang),
                         reference.label(session.conn, "case_category", row["category"], lang),
                         row["who"], row["assigned"]]))
    print(_("{shown} of {count} cases").format(shown=format_number(min(len(ids), args.limit)),
                                               count=format_number(len(ids))),
          file=sys.stderr)
    return 0


def _due(args) -> int:
    session = open_for_cli(args)
    rows = cq.followups_due(session.conn, user_id=session.actor.user_id if args.mine else None)
    for r in rows:
        mark = _("OVERDUE") if r["overdue"] else _("today")
        print("\t".join([r["due_on"], mark, r["number"], r["action"]]))
    return 0


def _open(args, session) -> dict | None:
    case = _find(session, args.number)
    if case is None:
        return None
    cs.open_detail(session, case["id"], ask_reason=lambda: args.reason)
    return case


def _show(args) -> int:
    session = open_for_cli(args)
    lang = current_language()
    try:
        case = _open(args, session)
    except PermissionDenied as exc:
        return _refused(exc)
    if case is None:
        return _not_found(args.number)
    conn = session.conn
    sealed = case.get(sensitive.UNREADABLE) or ()
    who = (cq.person_name(conn, case["person_id"]) or case.get("caller_name")
           or ("•••" if "caller_name" in sealed else _("Anonymous caller")))
    print(f"{case['number']}  {who}")
    if sealed:
        print(sensitive.unreadable_message())
    print(f"{reference.label(conn, 'case_category', case['category'], lang)} · "
          f"{reference.label(conn, 'case_status', case['status'], lang)}")
    for e in cq.timeline(conn, case["id"], reader=session):
        print(f"  {format_date(e['event_on'], lang)}  {_(EVENT_LABELS.get(e['kind'], e['kind']))}: "
              f"{cq.event_text(conn, e, lang)}")
    money = cq.wages_recovered(case)
    if money:
        print(_("Wages recovered: {amount}").format(
            amount=cq.money_text(case["wages_recovered_minor"], case["wages_currency"], lang)))
    return 0


def _status(args) -> int:
    session = open_for_cli(args)
    case = _find(session, args.number)
    if case is None:
        return _not_found(args.number)
    try:
        cs.change_status(session, case["id"], args.status, reason=args.reason)
    except (TransitionRefused, PermissionDenied) as exc:
        return _err(str(exc))
    except ValidationError as exc:
        return _err(" ".join(exc.errors.values()))
    print(_("Case {number} is now: {status}").format(
        number=case["number"],
        status=reference.label(session.conn, "case_status", args.status, current_language())))
    return 0


def _pdf(args) -> int:
    from desktop_app.reports.case_file import write_case_pdf  # deferred: ReportLab, 0.3 s
    session = open_for_cli(args)
    try:
        case = _open(args, session)
    except PermissionDenied as exc:
        return _refused(exc)
    if case is None:
        return _not_found(args.number)
    try:
        path = write_case_pdf(session, case["id"], args.out,
                              language=args.pdf_lang or current_language(),
                              include_sensitive=args.include_sensitive)
    except OSError as exc:
        return _err(_("Could not write {path}: {reason}").format(path=args.out,
                                                                 reason=exc.strerror))
    print(_("Wrote {path}").format(path=path))
    return 0


def _stats(args) -> int:
    session = open_for_cli(args)
    kind = {"category": "case_category", "status": "case_status",
            "channel": "case_channel"}[args.by]
    for code, count in cq.count_by(session.conn, args.by):
        label = reference.label(session.conn, kind, code, current_language())
        print(f"{format_number(count):>8}  {label}")
    return 0
