"""``hamroh init``: a new encrypted database with its office and first administrator."""
from __future__ import annotations

import os
import sys

from desktop_app.commands._login import ask_password
from desktop_app.i18n import Domain
from desktop_app.store.security.accounts import create_encrypted
from desktop_app.store.security.keys import WeakPassword

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("init", help=_("create a new encrypted database"))
    parser.add_argument("--db", required=True, help=_("database file"))
    parser.add_argument("--office", required=True, help=_("office code, e.g. GRM"))
    parser.add_argument("--office-name", default=None, help=_("office name"))
    parser.add_argument("--office-type", default="jrc",
                        choices=("jrc", "union_centre", "inspectorate", "coordinator"),
                        help=_("kind of office"))
    parser.add_argument("--admin", required=True, help=_("user name of the administrator"))
    parser.add_argument("--admin-name", default="", help=_("full name of the administrator"))
    parser.add_argument("--device-name", default="", help=_("name of this computer"))
    parser.add_argument("--recovery-file", default=None,
                        help=_("also write the recovery key to this file (print it, then "
                               "delete the file)"))
    parser.set_defaults(handler=run)


def _new_password() -> str:
    if "HAMROH_PASSWORD" in os.environ:
        return os.environ["HAMROH_PASSWORD"]
    first = ask_password(_("New administrator password: "))
    if ask_password(_("Repeat the password: ")) != first:
        raise WeakPassword(_("The two passwords differ."))
    return first


def run(args) -> int:
    made = create_encrypted(args.db, office_code=args.office,
                            office_name=args.office_name or args.office,
                            office_type=args.office_type, admin_username=args.admin,
                            admin_display_name=args.admin_name, password=_new_password(),
                            device_name=args.device_name)
    made.session.conn.close()
    print(_("Created the encrypted database {path} for office {office}.")
          .format(path=args.db, office=args.office))
    print(_("Keep the key file {path} next to the database: without it nobody can open it.")
          .format(path=str(args.db) + ".keys"))
    print(_("Recovery key (print it and keep it in a safe; it opens the database if every "
            "password is lost):"))
    print("    " + made.recovery_key)
    if args.recovery_file:
        with open(args.recovery_file, "w", encoding="utf-8") as fh:
            fh.write(made.recovery_key + "\n")
    sys.stdout.flush()
    return 0
