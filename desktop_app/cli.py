"""The ``hamroh`` command.

``hamroh`` opens the app; ``hamroh --db PATH`` on another file; ``hamroh --demo`` on the
demo database (created on first use). Subcommands are discovered from
``desktop_app/commands/``: each module there defines ``register(subparsers)``.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from desktop_app import commands, logs
from desktop_app.i18n import Domain, set_language
from desktop_app.store.db import DatabaseError, damaged_file_error, user_error
from desktop_app.version import version

DOMAIN = Domain("core")
_ = DOMAIN.gettext

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hamroh", description=_(
        "Hamroh: case management for organisations protecting labour migrants."))
    parser.add_argument("--version", action="version", version=f"Hamroh {version()}",
                        help=_("print the version of Hamroh and stop"))
    parser.add_argument("--db", help=_("database file to open"))
    parser.add_argument("--demo", action="store_true",
                        help=_("open the demo database (created on first use)"))
    parser.add_argument("--lang", choices=("ru", "tg", "uz", "en"),
                        help=_("language of messages"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language_from(argv)
    if lang:
        set_language(lang)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from desktop_app.ui.app import run_gui  # deferred: commands run without Qt
        return run_gui(db=args.db, demo=args.demo)
    # only the command's name: its arguments may hold names, documents or passwords
    logs.set_up(f"command {args.command}")
    try:
        return int(args.handler(args) or 0)
    except DatabaseError as exc:
        # a full disk or a busy database may come wrapped in another message
        print(_("Error: {message}").format(message=user_error(exc) or exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("Cancelled."), file=sys.stderr)
        return 130
    except Exception as exc:
        known = user_error(exc) or damaged_file_error(exc, getattr(args, "db", None))
        if known is None:
            log.exception("Command %s failed", args.command)
            raise
        log.warning("Command %s failed: %s", args.command, exc)
        print(_("Error: {message}").format(message=known), file=sys.stderr)
        return 2


def _language_from(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    env = os.environ.get("HAMROH_LANG")
    return env if env in ("ru", "tg", "uz", "en") else None


if __name__ == "__main__":
    sys.exit(main())
