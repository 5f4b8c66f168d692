"""Commands for accounts, encryption, consent and a person's rights.

    hamroh user list|add|role|deactivate|activate|reset-password|passwd --db PATH ...
    hamroh security encrypt|recover|new-recovery-key|export-person|erase-person --db PATH ...
    hamroh consent add|list|expired|withdraw --db PATH ...
"""
from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from desktop_app.commands._common import add_db_argument, ask_password, fail, open_for_cli
from desktop_app.i18n import Domain, format_date, format_number
from desktop_app.store.offices import UserRepository
from desktop_app.store.people.identity import identity_ids
from desktop_app.store.repository import NotFound, ValidationError
from desktop_app.store.security import sensitive, signing
from desktop_app.store.security.accounts import (
    SENSITIVE_KEY_RIGHT,
    UserAdmin,
    encrypt_existing,
    recover,
)
from desktop_app.store.security.consent import ConsentRepository, expired_consents
from desktop_app.store.security.keys import KeyProblem
from desktop_app.store.security.rights import erase_person, export_person, write_json
from desktop_app.store.session import PermissionDenied, ReasonRequired

DOMAIN = Domain("security")
_ = DOMAIN.gettext

ROLE_CHOICES = ("field_officer", "case_worker", "inspector", "loan_officer", "coordinator",
                "administrator")


def register(subparsers) -> None:
    # ---- users
    user = subparsers.add_parser("user", help=_("manage the users of a database"))
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = usub.add_parser("list", help=_("list users and their roles"))
    add_db_argument(p)
    p.set_defaults(handler=user_list)
    p = usub.add_parser("add", help=_("add a user (the password comes from NEW_PASSWORD "
                                      "or is asked for)"))
    add_db_argument(p)
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES, help=_("role"))
    p.add_argument("--name", default="", help=_("full name"))
    p.set_defaults(handler=user_add)
    p = usub.add_parser("role", help=_("change a user's role"))
    add_db_argument(p)
    p.add_argument("username")
    p.add_argument("role", choices=ROLE_CHOICES)
    p.set_defaults(handler=user_role)
    for name, active in (("deactivate", False), ("activate", True)):
        p = usub.add_parser(name, help=_("stop a user from logging in") if not active
                            else _("let a user log in again"))
        add_db_argument(p)
        p.add_argument("username")
        p.set_defaults(handler=user_active, active=active)
    p = usub.add_parser("reset-password",
                        help=_("give a user a temporary password (NEW_PASSWORD or asked)"))
    add_db_argument(p)
    p.add_argument("username")
    p.set_defaults(handler=user_reset)
    p = usub.add_parser("passwd", help=_("change your own password (NEW_PASSWORD or asked)"))
    add_db_argument(p)
    p.set_defaults(handler=user_passwd)

    # ---- encryption, recovery, a person's rights
    sec = subparsers.add_parser("security", help=_("encryption, recovery and personal data"))
    ssub = sec.add_subparsers(dest="security_command", metavar="ACTION", required=True)
    p = ssub.add_parser("encrypt", help=_("encrypt a plain database (a backup is kept)"))
    p.add_argument("--db", required=True, help=_("database file"))
    p.add_argument("--admin", required=True, help=_("administrator who gets the password"))
    p.set_defaults(handler=sec_encrypt)
    p = ssub.add_parser("recover", help=_("open with the recovery key and set a new password"))
    p.add_argument("--db", required=True, help=_("database file"))
    p.add_argument("--user", required=True, help=_("user who gets the new password"))
    p.set_defaults(handler=sec_recover)
    p = ssub.add_parser("new-recovery-key", help=_("replace the recovery key"))
    add_db_argument(p)
    p.set_defaults(handler=sec_new_recovery)
    p = ssub.add_parser("sensitive-key", help=_(
        "seal sensitive cases with the organisation's sensitive-case passphrase (a backup "
        "is kept)"))
    add_db_argument(p)
    p.add_argument("--passphrase-file", help=_(
        "file holding the sensitive-case passphrase (else HAMROH_SENSITIVE_PASSPHRASE, or "
        "asked)"))
    p.set_defaults(handler=sec_sensitive_key)
    p = ssub.add_parser("export-person", help=_("everything held about one person"))
    add_db_argument(p)
    p.add_argument("person_id")
    p.add_argument("--out", required=True, help=_("output file (.json or .pdf)"))
    p.add_argument("--reason", help=_("why you export a sensitive case you are not "
                                      "assigned to (recorded)"))
    p.set_defaults(handler=sec_export_person)
    p = ssub.add_parser("erase-person", help=_("erase a person's personal data"))
    add_db_argument(p)
    p.add_argument("person_id")
    p.add_argument("--reason", required=True, help=_("why (recorded)"))
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    p.set_defaults(handler=sec_erase_person)

    # ---- consent
    con = subparsers.add_parser("consent", help=_("record and list consents"))
    csub = con.add_subparsers(dest="consent_command", metavar="ACTION", required=True)
    p = csub.add_parser("add", help=_("record a consent"))
    add_db_argument(p)
    p.add_argument("person_id")
    p.add_argument("--scope", required=True,
                   choices=("storage", "referral", "sharing", "photo", "all"))
    p.add_argument("--date", required=True, help=_("date given (YYYY-MM-DD or dd.mm.yyyy)"))
    p.add_argument("--expiry", default=None, help=_("end date, if any"))
    p.add_argument("--method", default="written", choices=("written", "oral", "electronic"))
    p.set_defaults(handler=consent_add)
    p = csub.add_parser("list", help=_("a person's consents"))
    add_db_argument(p)
    p.add_argument("person_id")
    p.set_defaults(handler=consent_list)
    p = csub.add_parser("expired", help=_("consents that ran out (people to ask again)"))
    add_db_argument(p)
    p.set_defaults(handler=consent_expired)
    p = csub.add_parser("withdraw", help=_("record that a person withdrew a consent"))
    add_db_argument(p)
    p.add_argument("consent_id")
    p.set_defaults(handler=consent_withdraw)


def _guarded(func):
    def run(args):
        try:
            return func(args)
        except ReasonRequired as exc:
            return fail(str(exc) + " " + _("Give a reason with --reason."))
        except (PermissionDenied, NotFound) as exc:
            return fail(str(exc))
        except ValidationError as exc:
            return fail("; ".join(exc.errors.values()))
    run.__name__ = func.__name__
    return run


def _new_password(prompt: str) -> str:
    if "NEW_PASSWORD" in os.environ:
        return os.environ["NEW_PASSWORD"]
    return ask_password(prompt) if sys.stdin.isatty() else os.environ.get("NEW_PASSWORD", "")


def _admin(args):
    session = open_for_cli(args)
    return session, UserAdmin(session, args.db)


def _user_id(session, username: str) -> str:
    user = UserRepository(session).by_username(username)
    if user is None:
        raise NotFound(_("There is no user {name}.").format(name=username))
    return user["id"]


@_guarded
def user_list(args) -> int:
    session, admin = _admin(args)
    session.require("manage_users", "app_user")
    for user in admin.list_users():
        state = _("active") if user["active"] else _("inactive")
        here = "" if user["can_log_in_here"] else _("no password on this computer")
        print("\t".join([user["username"], user["role"], state, user["display_name"] or "",
                         user["last_login_at"] or "", here]))
    if session.actor.role == signing.ADMIN:
        waiting = [u["username"] for u in admin.readers_waiting_for_key()]
        if waiting:
            # on stderr: the list itself stays one user per line for scripts
            print(sensitive.waiting_notice(waiting), file=sys.stderr)
    return 0


@_guarded
def user_add(args) -> int:
    session, admin = _admin(args)
    admin.add_user(args.username, _new_password(_("Password for the new user: ")), args.role,
                   args.name)
    print(_("Added {name}; they choose their own password at the first login.")
          .format(name=args.username))
    return 0


@_guarded
def user_role(args) -> int:
    session, admin = _admin(args)
    admin.set_role(_user_id(session, args.username), args.role)
    print(_("{name} is now {role}.").format(name=args.username, role=args.role))
    return 0


@_guarded
def user_active(args) -> int:
    session, admin = _admin(args)
    admin.set_active(_user_id(session, args.username), args.active)
    print(_("{name} can log in again; give them a password with reset-password.").format(
        name=args.username) if args.active else
        _("{name} can no longer log in.").format(name=args.username))
    return 0


@_guarded
def user_reset(args) -> int:
    session, admin = _admin(args)
    admin.reset_password(_user_id(session, args.username),
                         _new_password(_("Temporary password: ")))
    print(_("{name} has a temporary password and must change it at the next login.")
          .format(name=args.username))
    return 0


@_guarded
def user_passwd(args) -> int:
    session, admin = _admin(args)
    admin.change_own_password(ask_password(_("Current password: ")),
                              _new_password(_("New password: ")))
    print(_("Your password was changed."))
    return 0


@_guarded
def sec_encrypt(args) -> int:
    backup, recovery = encrypt_existing(args.db, admin_username=args.admin,
                                        password=ask_password(_("New administrator password: ")))
    print(_("The database is encrypted. The unencrypted backup {path} still holds every "
            "record: move it somewhere safe or delete it.").format(path=backup))
    print(_("Recovery key (print it and keep it in a safe; it opens the database if every "
            "password is lost):"))
    print("    " + recovery)
    return 0


@_guarded
def sec_recover(args) -> int:
    recovery = os.environ.get("HAMROH_RECOVERY_KEY") or ask_password(_("Recovery key: "))
    session = recover(args.db, recovery, args.user, _new_password(_("New password: ")))
    session.conn.close()
    print(_("{name} has a new password.").format(name=args.user))
    return 0


@_guarded
def sec_new_recovery(args) -> int:
    session, admin = _admin(args)
    print(_("New recovery key (the old one no longer works):"))
    print("    " + admin.new_recovery_key())
    return 0


def _sensitive_passphrase(args) -> str:
    if args.passphrase_file:
        try:
            return Path(args.passphrase_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyProblem(_("The passphrase file {path} cannot be read.").format(
                path=args.passphrase_file)) from exc
    if os.environ.get("HAMROH_SENSITIVE_PASSPHRASE"):
        return os.environ["HAMROH_SENSITIVE_PASSPHRASE"]
    if not sys.stdin.isatty():
        raise KeyProblem(_("The sensitive-case passphrase is needed: give it with "
                           "--passphrase-file or HAMROH_SENSITIVE_PASSPHRASE, or run the "
                           "command in a terminal."))
    return getpass.getpass(_("Sensitive-case passphrase: "))


@_guarded
def sec_sensitive_key(args) -> int:
    session, admin = _admin(args)
    session.require(*SENSITIVE_KEY_RIGHT)
    passphrase = _sensitive_passphrase(args)
    backup, sealed = admin.set_up_sensitive_key(ask_password(_("Your password: ")), passphrase)
    print(_("Sensitive cases are sealed ({count} sealed now); a backup was written to "
            "{path}.").format(count=sealed, path=backup))
    print(sensitive.backup_warning())
    print(_("Key fingerprint: {fingerprint}. Every office must show the same one.").format(
        fingerprint=sensitive.fingerprint(sensitive.public_key(session.conn) or "")))
    print(_("Case workers, coordinators and administrators whom an administrator added or "
            "gave a new password get the key at their next login after an administrator's; "
            "the others, once an administrator resets their password."))
    return 0


@_guarded
def sec_export_person(args) -> int:
    session = open_for_cli(args)
    if args.out.lower().endswith(".pdf"):
        from desktop_app.reports.security_export import (
            write_person_pdf,  # deferred: ReportLab, 0.3 s
        )
        write_person_pdf(export_person(session, args.person_id, "pdf", args.reason), args.out)
    else:
        write_json(export_person(session, args.person_id, "json", args.reason), args.out)
    print(_("Wrote {path}.").format(path=args.out))
    return 0


@_guarded
def sec_erase_person(args) -> int:
    session = open_for_cli(args)
    if not args.yes:
        answer = input(_("Erase the personal data of {id}? This cannot be undone. "
                         "Type yes: ").format(id=args.person_id))
        if answer.strip().lower() not in ("yes", _("yes")):
            print(_("Nothing was changed."))
            return 1
    marker = erase_person(session, args.person_id, args.reason)
    fields = json.loads(marker["fields"])
    print(_("Erased the personal data of {id} ({count} kinds of records).")
          .format(id=args.person_id, count=format_number(len(fields))))
    return 0


@_guarded
def consent_add(args) -> int:
    session = open_for_cli(args)
    record = ConsentRepository(session).create(dict(
        person_id=args.person_id, scope=args.scope, consent_date=args.date,
        expiry_date=args.expiry, method=args.method, taken_by=session.actor.user_id))
    print(record["id"])
    return 0


@_guarded
def consent_list(args) -> int:
    session = open_for_cli(args)
    for row in ConsentRepository(session).for_person(identity_ids(session.conn,
                                                                  args.person_id)):
        print("\t".join([row["id"], row["scope"] or "",
                         *(format_date(row[k]) for k in ("consent_date", "expiry_date",
                                                         "withdrawn_date"))]))
    return 0


@_guarded
def consent_expired(args) -> int:
    session = open_for_cli(args)
    rows = expired_consents(session.conn)
    for row in rows:
        name = " ".join(filter(None, [row["family_name"], row["given_name"]]))
        print("\t".join([row["expiry_date"], row["scope"], name, row["phones"] or "",
                         row["person_id"]]))
    print(_("{count} expired consents.").format(count=format_number(len(rows))), file=sys.stderr)
    return 0


@_guarded
def consent_withdraw(args) -> int:
    session = open_for_cli(args)
    ConsentRepository(session).withdraw(args.consent_id)
    print(_("The consent is withdrawn."))
    return 0
