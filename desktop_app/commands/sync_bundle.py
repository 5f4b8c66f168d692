"""``hamroh bundle``: export and import sync bundles, watch a sync folder, history."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from desktop_app.commands._common import add_db_argument, fail, with_session
from desktop_app.i18n import Domain, format_datetime, format_number
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, keys
from desktop_app.sync.folder import SyncFolder

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser("bundle", help=_("exchange sync bundles with other offices"))
    sub = parser.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)

    export = sub.add_parser("export", help=_("write a bundle of the changes a peer has not seen"))
    add_db_argument(export)
    export.add_argument("--to", required=True, metavar="FILE", help=_("bundle file to write"))
    export.add_argument("--for", dest="target", default="coordinator", metavar="TARGET",
                        help=_("'coordinator' (default) or an office code"))
    export.add_argument("--full", action="store_true",
                        help=_("everything, not only what the peer has not acknowledged"))
    export.add_argument("--passphrase-file", metavar="FILE", help=_("file holding the passphrase"))
    export.add_argument("--to-device", metavar="FINGERPRINT",
                        help=_("encrypt the bundle for this trusted device alone (its key, "
                               "no passphrase)"))
    export.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", help=_("import one or more bundles"))
    add_db_argument(imp)
    imp.add_argument("files", nargs="+", metavar="FILE", help=_("bundle files"))
    imp.add_argument("--passphrase-file", metavar="FILE", help=_("file holding the passphrase"))
    imp.set_defaults(handler=cmd_import)

    watch = sub.add_parser("watch", help=_("import from and write to a sync folder"))
    add_db_argument(watch)
    watch.add_argument("--folder", required=True, help=_("the shared sync folder"))
    watch.add_argument("--interval", type=float, default=10.0, help=_("seconds between checks"))
    watch.add_argument("--once", action="store_true", help=_("check once and stop"))
    watch.add_argument("--passphrase-file", metavar="FILE", help=_("file holding the passphrase"))
    watch.set_defaults(handler=cmd_watch)

    quarantine = sub.add_parser(
        "quarantine", help=_("changes made on revoked devices, set aside for a decision"))
    add_db_argument(quarantine)
    decision = quarantine.add_mutually_exclusive_group()
    decision.add_argument("--release", metavar="DEVICE",
                          help=_("apply the changes set aside from this device"))
    decision.add_argument("--discard", metavar="DEVICE",
                          help=_("delete the changes set aside from this device"))
    quarantine.add_argument("--reason", metavar="TEXT",
                            help=_("why (recorded in the audit log)"))
    quarantine.set_defaults(handler=cmd_quarantine)

    hist = sub.add_parser("history", help=_("bundles imported and exported, and peers"))
    add_db_argument(hist)
    hist.set_defaults(handler=cmd_history)


def _org_key(args) -> bytes | None:
    if getattr(args, "passphrase_file", None):
        return keys.derive_org_key(keys.read_passphrase_file(args.passphrase_file))
    return None


@with_session
def cmd_export(args, session) -> int:
    try:
        result = exchange.export_bundle(session.conn, args.to, target=args.target,
                                        full=args.full, org_key=_org_key(args),
                                        actor=session.actor, to_device=args.to_device)
    except (exchange.SyncError, keys.SyncSetupError) as exc:
        return fail(str(exc))
    print(_("Wrote {file}: {count} changes for {target}.").format(
        file=result.path, count=format_number(result.changes), target=result.target))
    return 0


def print_summary(summary: exchange.ImportSummary, name: str) -> None:
    if summary.already_imported:
        print(_("{file}: already imported, nothing changed.").format(file=name))
        return
    print(_("{file}: {new} new, {updated} updated, {unchanged} unchanged, {conflicts} "
            "conflicts, {duplicates} possible duplicates.").format(
        file=name, new=format_number(summary.new), updated=format_number(summary.updated),
        unchanged=format_number(summary.unchanged),
        conflicts=format_number(summary.conflicts), duplicates=format_number(summary.duplicates)))
    if summary.quarantined:
        print(_("{file}: {count} changes made on revoked devices were set aside, not "
                "applied; review them with hamroh bundle quarantine.").format(
                    file=name, count=format_number(summary.quarantined)))
    for warning in summary.audit_warnings:
        print(_("Warning: {message}").format(message=warning))


@with_session
def cmd_quarantine(args, session) -> int:
    device = args.release or args.discard
    if device:
        try:
            count = exchange.settle_quarantine(session.conn, device,
                                               release=bool(args.release),
                                               reason=args.reason or "", actor=session.actor)
        except (fmt.BundleError, exchange.SyncError) as exc:
            return fail(str(exc))
        message = (_("{count} changes from device {device} were applied.") if args.release
                   else _("{count} changes from device {device} were deleted."))
        print(message.format(count=format_number(count), device=device))
        return 0
    rows = exchange.quarantined(session.conn)
    if not rows:
        print(_("No changes are set aside."))
    for row in rows:
        print(_("Device {device} ({name}, office {office}): {count} changes set aside, "
                "received {first} to {last}.").format(
                    device=row["device_id"], name=row["name"] or "-",
                    office=row["office_code"] or "?", count=format_number(row["changes"]),
                    first=format_datetime(row["first_at"]), last=format_datetime(row["last_at"])))
    return 0


class ImportProgress:
    """An import's progress on stderr: the stage and the changes applied of the bundle's
    total, when it starts, then at most every ``every`` seconds, and when every change
    is applied (the duplicate check and the saving follow)."""

    def __init__(self, name: str, every: float = 1.0, stream=None):
        self.name = name
        self.every = every
        self.stream = stream
        self.last: float | None = None
        self.finished = False

    def __call__(self, done: int, total: int) -> bool:
        now = time.monotonic()
        final = bool(total) and done >= total
        if final and self.finished or (not final and self.last is not None
                                       and now - self.last < self.every):
            return True
        self.last = now
        self.finished = final
        if final:
            text = _("{file}: {total} changes applied; looking for possible duplicates and "
                     "saving").format(file=self.name, total=format_number(total))
        else:
            text = _("{file}: applying changes, {done} of {total}").format(
                file=self.name, done=format_number(done), total=format_number(total))
        print(text, file=self.stream or sys.stderr, flush=True)
        return True

    def undoing(self, done: int, total: int) -> None:
        """A big import stopped half-way is taken back (its chunks were committed)."""
        now = time.monotonic()
        if done < total and self.last is not None and now - self.last < self.every:
            return
        self.last = now
        print(_("{file}: the import stopped; taking back what it saved, {done} of "
                "{total}").format(file=self.name, done=format_number(done),
                                  total=format_number(total)),
              file=self.stream or sys.stderr, flush=True)


@with_session
def cmd_import(args, session) -> int:
    try:
        org_key = _org_key(args)
    except keys.SyncSetupError as exc:
        return fail(str(exc))
    failures = 0
    for file in args.files:
        try:
            progress = ImportProgress(Path(file).name)
            summary = exchange.import_bundle(session.conn, file, actor=session.actor,
                                             org_key=org_key, progress=progress,
                                             undo_progress=progress.undoing)
        except (fmt.BundleError, exchange.SyncError) as exc:
            print(_("Error: {message}").format(message=exc), file=sys.stderr)
            failures += 1
            continue
        print_summary(summary, Path(file).name)
    return 1 if failures else 0


@with_session
def cmd_watch(args, session) -> int:
    try:
        org_key = _org_key(args)
    except keys.SyncSetupError as exc:
        return fail(str(exc))
    folder = SyncFolder(session.conn, args.folder, actor=session.actor, org_key=org_key)
    failures = 0

    def report(result) -> None:
        nonlocal failures
        for summary in result.imported:
            print_summary(summary, summary.bundle_id)
        for _name, message in result.failed:
            failures += 1
            print(_("Error: {message}").format(message=message), file=sys.stderr)
        for written in result.written:
            print(_("Wrote {file}: {count} changes for {target}.").format(
                file=written.path, count=format_number(written.changes), target=written.target))

    if args.once:
        report(folder.poll_once())
        return 1 if failures else 0
    print(_("Watching {folder}; press Ctrl+C to stop.").format(folder=args.folder))
    folder.watch(args.interval, on_result=report)
    return 0


@with_session
def cmd_history(args, session) -> int:
    directions = {"in": _("in"), "out": _("out")}
    for row in exchange.history(session.conn):
        direction = directions.get(row['direction'], row['direction'])
        print(f"{format_datetime(row['at'])}  {direction:<4} {row['peer'] or '-':<12} "
              f"{format_number(row['changes']):>7}  {row['result']}  {row['file_name']}")
    for peer in exchange.peers(session.conn):
        print(_("Peer {office} ({device}): last bundle in {last_in}, out {last_out}; "
                "{count} of our changes not acknowledged.").format(
            office=peer["office_code"] or "?", device=peer["fingerprint"] or peer["device_id"],
            last_in=format_datetime(peer["last_in_at"]) or "-",
            last_out=format_datetime(peer["last_out_at"]) or "-",
            count=format_number(peer["not_acknowledged"])))
    return 0
