"""``hamroh device``: this device's identity, the sync passphrase, trusted devices."""
from __future__ import annotations

import base64

from desktop_app.commands._common import add_db_argument, fail, with_session
from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store.session import get_meta, set_meta
from desktop_app.store.setup import new_device_code
from desktop_app.sync import bundle as fmt
from desktop_app.sync import keys

DOMAIN = Domain("sync")
_ = DOMAIN.gettext


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "device", help=_("this device's sync identity and trusted devices"))
    sub = parser.add_subparsers(dest="device_command", metavar="ACTION", required=True)

    show = sub.add_parser("show", help=_("show this device's id, office and key fingerprint"))
    add_db_argument(show)
    show.set_defaults(handler=cmd_show)

    trust = sub.add_parser("trust", help=_("accept bundles from a device"))
    add_db_argument(trust)
    group = trust.add_mutually_exclusive_group(required=True)
    group.add_argument("--fingerprint", help=_("the device's fingerprint, as shown on it"))
    group.add_argument("--from-bundle", metavar="FILE", help=_("a bundle made by the device"))
    trust.add_argument("--again", action="store_true",
                       help=_("trust a revoked device again (needs --reason; recorded in the "
                              "audit log)"))
    trust.add_argument("--reason", metavar="TEXT",
                       help=_("why a revoked device is trusted again"))
    trust.set_defaults(handler=cmd_trust)

    new_code = sub.add_parser(
        "new-code", help=_("give this device a new device code for its case and loan numbers"))
    add_db_argument(new_code)
    new_code.set_defaults(handler=cmd_new_code)

    revoke = sub.add_parser("revoke", help=_("refuse bundles from a device from now on"))
    add_db_argument(revoke)
    revoke.add_argument("fingerprint", help=_("the device's fingerprint"))
    revoke.set_defaults(handler=cmd_revoke)

    listing = sub.add_parser("list", help=_("list trusted and revoked devices"))
    add_db_argument(listing)
    listing.set_defaults(handler=cmd_list)

    passphrase = sub.add_parser("passphrase", help=_("set the organisation's sync passphrase"))
    add_db_argument(passphrase)
    passphrase.add_argument("--passphrase-file", required=True, metavar="FILE",
                            help=_("file holding the passphrase"))
    passphrase.set_defaults(handler=cmd_passphrase)


@with_session
def cmd_show(args, session) -> int:
    identity = keys.load_identity(session.conn)
    print(_("Device: {device}").format(device=identity.device_id))
    print(_("Device name: {name}").format(name=identity.name or "-"))
    print(_("Office: {office}").format(office=identity.office_code or "-"))
    print(_("Device code (in case and loan numbers): {code}").format(
        code=get_meta(session.conn, "device_code") or "-"))
    print(_("Fingerprint: {fingerprint}").format(fingerprint=identity.fingerprint))
    print(_("Encryption key (X25519): {key}").format(
        key=base64.b64encode(identity.exchange_public).decode("ascii")
        if identity.exchange_public else "-"))
    print(_("Sync passphrase: {state}").format(
        state=_("set") if keys.has_passphrase(session.conn) else _("not set")))
    return 0


@with_session
def cmd_trust(args, session) -> int:
    reason = (args.reason or "").strip()
    if args.again and not reason:
        return fail(_("Trusting a revoked device again needs a reason: give it with "
                      "--reason."))
    try:
        # the trust and its audit row are one transaction
        with session.transaction():
            fp, who, again = _trust(args, session)
            if again:
                session.log("sync_device_retrust", detail={"fingerprint": fp,
                                                           "reason": reason})
            else:
                session.log("sync_device_trust", detail={"fingerprint": fp})
    except (fmt.BundleError, keys.SyncSetupError) as exc:
        return fail(str(exc))
    print(_("Trusted device {device} (fingerprint {fingerprint}).").format(device=who,
                                                                         fingerprint=fp))
    return 0


def _trust(args, session) -> tuple[str, str, bool]:
    """(fingerprint, who, was revoked) of the device trusted by ``args``."""
    conn = session.conn
    if args.from_bundle:
        header = fmt.read_header(args.from_bundle)
        sender = header.sender
        was_revoked = keys.trust_status(conn, header.public_key) == "revoked"
        fp = keys.trust(conn, header.public_key, device_id=sender.get("device_id"),
                        office_id=sender.get("office_id"),
                        office_code=sender.get("office_code"), name=sender.get("name"),
                        actor=session.actor.user_id, exchange_key=header.exchange_key,
                        device_code=keys.sender_device_code(sender), again=args.again)
        who = _("{name} of office {office}").format(
            name=sender.get("name") or sender.get("device_id"),
            office=sender.get("office_code") or "?")
        return fp, who, was_revoked
    fp = keys.normalise_fingerprint(args.fingerprint)
    was_revoked = conn.execute("SELECT 1 FROM sync_trust WHERE fingerprint=? AND "
                               "status='revoked'", (fp,)).fetchone() is not None
    fp = keys.trust_fingerprint(conn, args.fingerprint, session.actor.user_id,
                                again=args.again)
    return fp, fp, was_revoked


@with_session
def cmd_new_code(args, session) -> int:
    conn = session.conn
    old = get_meta(conn, "device_code")
    code = new_device_code(new_id())
    with session.transaction():
        set_meta(conn, "device_code", code)
        conn.execute("UPDATE device SET code=? WHERE id=?", (code, get_meta(conn, "device_id")))
        session.log("sync_device_code", detail={"old": old, "new": code})
    print(_("This device now numbers new cases and loans with the code {code} (it was {old}); "
            "numbers already given stay as they are. Tell the coordinator.").format(
                code=code, old=old or "-"))
    return 0


@with_session
def cmd_revoke(args, session) -> int:
    try:
        fp = keys.revoke(session.conn, args.fingerprint, session.actor.user_id)
    except keys.SyncSetupError as exc:
        return fail(str(exc))
    session.log("sync_device_revoke", detail={"fingerprint": fp})
    print(_("Revoked device {fingerprint}: its bundles will be refused.").format(fingerprint=fp))
    return 0


@with_session
def cmd_list(args, session) -> int:
    status_names = {"trusted": _("trusted"), "revoked": _("revoked")}
    for device in keys.devices(session.conn):
        # "+": its encryption key is known, bundles can be addressed to it (--to-device)
        print(f"{device.fingerprint}  {status_names.get(device.status, device.status):<10} "
              f"{'+' if device.exchange_key else '-'} "
              f"{device.office_code or '-':<8} {device.name or device.device_id or ''}")
    return 0


@with_session
def cmd_passphrase(args, session) -> int:
    try:
        keys.set_passphrase(session.conn, keys.read_passphrase_file(args.passphrase_file))
    except keys.SyncSetupError as exc:
        return fail(str(exc))
    session.log("sync_passphrase_set")
    print(_("The sync passphrase is set."))
    return 0
