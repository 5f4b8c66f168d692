"""``hamroh audit verify|list``: check the audit log's hash chain, read the log."""
from __future__ import annotations

import json
import sys

from desktop_app.commands._common import add_db_argument, open_for_cli
from desktop_app.i18n import Domain, format_number
from desktop_app.store.security.audit import (
    AuditFilter,
    audit_entries,
    break_message,
    sign_as_it_is,
    sign_if_intact,
    verify_log,
)

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("audit", help=_("check or read the audit log"))
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = sub.add_parser("verify", help=_("report any break in the audit log's hash chain"))
    add_db_argument(verify)
    verify.set_defaults(handler=run_verify)
    accept = sub.add_parser("sign", help=_(
        "administrators: sign the audit log as it is now, after restoring a backup on "
        "purpose (the old signature is kept in the log)"))
    add_db_argument(accept)
    accept.set_defaults(handler=run_sign)
    listing = sub.add_parser("list", help=_("print audit entries, newest first"))
    add_db_argument(listing)
    listing.add_argument("--action", help=_("only this action, e.g. login or export_person"))
    listing.add_argument("--username", help=_("only this user"))
    listing.add_argument("--since", help=_("only from this date (YYYY-MM-DD)"))
    listing.add_argument("--limit", type=int, default=50, help=_("how many entries"))
    listing.set_defaults(handler=run_list)


def run_verify(args) -> int:
    session = open_for_cli(args)       # refuses roles without view_audit (commands._rights)
    total = session.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    breaks = verify_log(session.conn, args.db)
    session.log("verify_audit", detail={"breaks": len(breaks)})
    if not breaks:
        sign_if_intact(session, args.db)
        print(_("The audit log is intact ({count} entries).").format(count=format_number(total)))
        return 0
    for item in breaks:
        if item.seq:
            print(_("Entry {seq}: {problem}").format(seq=item.seq, problem=break_message(item)))
        else:
            message = break_message(item)
            print(message[:1].upper() + message[1:] + ".")
    print(_("The audit log was changed outside Hamroh at {count} places.")
          .format(count=format_number(len(breaks))))
    return 1


def run_sign(args) -> int:
    session = open_for_cli(args)       # administrators only (commands._rights)
    if not sign_as_it_is(session, args.db):
        print(_("Error: {message}").format(message=_(
            "Only an administrator who holds this database's signing key can sign the audit "
            "log. Ask another administrator to reset your password, then log in again.")),
            file=sys.stderr)
        return 1
    print(_("The audit log is signed as it is now; the previous signature is kept in the "
            "log."))
    return 0


def run_list(args) -> int:
    session = open_for_cli(args)       # refuses roles without view_audit (commands._rights)
    rows = audit_entries(session.conn, AuditFilter(action=args.action, username=args.username,
                                                   since=args.since), limit=args.limit)
    for row in rows:
        detail = json.loads(row["detail"]) if row["detail"] else None
        print("\t".join(str(x) for x in (row["at"], row["username"] or row["user_id"] or "",
                                         row["action"], row["table_name"] or "",
                                         row["record_id"] or "",
                                         json.dumps(detail, ensure_ascii=False) if detail
                                         else "")))
    return 0
