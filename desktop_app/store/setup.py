"""First set-up of a new database: this device, its office, the first administrator."""
from __future__ import annotations

import hashlib

from desktop_app.domain.actors import SYSTEM, Actor
from desktop_app.domain.ids import new_id
from desktop_app.store.audit import utc_now
from desktop_app.store.offices import OfficeRepository, UserRepository, is_office_code
from desktop_app.store.session import Session, get_meta, set_meta

OFFICE_TYPES = ("jrc", "union_centre", "inspectorate", "coordinator")


# Crockford's base32 (no I, L, O, U): read out over the phone without confusion
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DEVICE_CODE_LENGTH = 6


def device_code_for(device_id: str) -> str:
    """The 4-hex-digit code devices set up before 6-letter codes had (and still have:
    their numbers stay as they are). Bundles from older versions do not say their code."""
    return device_id.replace("-", "")[-4:].upper()


def new_device_code(device_id: str) -> str:
    """The 6-character code of a device set up now: 30 bits of SHA-256 of its (random)
    id, so two devices share one with odds of about one in a billion, against one in
    65,536 for 4 hex digits. Clashes are also refused when a device is trusted and on
    import (desktop_app/sync)."""
    value = int.from_bytes(hashlib.sha256(device_id.encode("utf-8")).digest()[:8], "big")
    return "".join(CODE_ALPHABET[(value >> (5 * i)) & 31] for i in range(DEVICE_CODE_LENGTH))


def initialise(conn, *, office_code: str, office_name: str, office_type: str = "jrc",
               device_name: str = "", admin_username: str = "admin",
               admin_display_name: str = "", country: str = "TJ", region: str | None = None,
               district: str | None = None, jamoat: str | None = None,
               device_id: str | None = None) -> Session:
    """Give a freshly migrated database its device, office and administrator."""
    if get_meta(conn, "device_id"):
        raise RuntimeError("database is already set up")
    if not is_office_code(office_code):
        raise ValueError("office code must be 2-8 capital letters or digits")
    device_id = device_id or new_id()
    device_code = new_device_code(device_id)
    set_meta(conn, "device_id", device_id)
    set_meta(conn, "device_code", device_code)
    conn.execute("INSERT INTO device(id, code, office_id, name, is_self, created_at) "
                 "VALUES (?,?,?,?,1,?)", (device_id, device_code, None,
                                          device_name or office_code, utc_now()))
    session = Session(conn, SYSTEM)
    # The office row belongs to itself; written in the create so that it syncs that way.
    office_id = new_id()
    office = OfficeRepository(session).create(dict(
        code=office_code, name=office_name, office_type=office_type, country=country,
        region=region, district=district, jamoat=jamoat, office_id=office_id),
        record_id=office_id)
    conn.execute("UPDATE device SET office_id=? WHERE id=?", (office["id"], device_id))
    set_meta(conn, "office_id", office["id"])
    set_meta(conn, "office_code", office_code)
    session.office_id = office["id"]
    admin = UserRepository(session).create(dict(
        username=admin_username, display_name=admin_display_name or admin_username,
        role="administrator", active=1))
    actor = Actor(user_id=admin["id"], username=admin_username, role="administrator",
                  office_id=office["id"], display_name=admin["display_name"])
    return Session(conn, actor)
