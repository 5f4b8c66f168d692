"""The organisation's letterhead on printed outputs: its name and an optional logo, set by an
administrator (``hamroh letterhead set``) and kept in the database's ``meta`` table (encrypted
with the rest of the data, changed in one transaction with its audit entry).

A logo file is hostile input: at most ``MAX_LOGO_BYTES``, it must decode as a real PNG or
JPEG of at most ``MAX_LOGO_SIDE`` pixels a side, and what is stored is not the file but the
decoded pixels written again as a small PNG (no metadata, no trailing bytes, no second image
format reaching ReportLab)."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from desktop_app.i18n import Domain
from desktop_app.store.session import get_meta, set_meta

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

NAME_KEY = "organisation_name"
LOGO_KEY = "organisation_logo_png"
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_SIDE = 4000            # decoded size allowed in; larger is refused before decoding
STORED_LOGO_SIDE = 600          # what is kept (a logo prints at about 25 mm)
MAX_NAME_LENGTH = 200
_SIGNATURES = {"PNG": b"\x89PNG\r\n\x1a\n", "JPEG": b"\xff\xd8\xff"}


class LetterheadError(ValueError):
    """A letterhead setting that cannot be kept; the message is for the user."""


@dataclass(frozen=True)
class Letterhead:
    organisation: str                # the name printed on every page ("" when unknown)
    logo_png: bytes | None = None    # validated, re-encoded PNG

    def logo_reader(self):
        """The logo for ReportLab (None without a logo)."""
        if not self.logo_png:
            return None
        from reportlab.lib.utils import ImageReader  # deferred: reportlab, only to print
        return ImageReader(io.BytesIO(self.logo_png))


def _office_name(conn) -> str:
    row = conn.execute("SELECT o.name FROM office o JOIN meta m ON m.key = 'office_id' "
                       "AND m.value = o.id").fetchone()
    return row[0] if row else ""


def letterhead(conn) -> Letterhead:
    """The letterhead of this database: the organisation's name as set (else the name of
    this database's office) and its logo. A stored logo that no longer decodes is left out
    rather than failing a print."""
    name = (get_meta(conn, NAME_KEY) or "").strip() or _office_name(conn)
    logo = None
    encoded = get_meta(conn, LOGO_KEY)
    if encoded:
        try:
            logo = clean_logo(base64.b64decode(encoded, validate=True))
        except (LetterheadError, ValueError):
            logo = None
    return Letterhead(organisation=name, logo_png=logo)


def clean_logo(data: bytes) -> bytes:
    """The image in ``data`` as a fresh PNG at most ``STORED_LOGO_SIDE`` pixels a side, or
    LetterheadError when it is not a real PNG or JPEG within the limits."""
    if len(data) > MAX_LOGO_BYTES:
        raise LetterheadError(_("The logo file is too large ({size} KB); the limit is "
                                "{limit} KB.").format(size=len(data) // 1024,
                                                      limit=MAX_LOGO_BYTES // 1024))
    kind = next((k for k, magic in _SIGNATURES.items() if data.startswith(magic)), None)
    if kind is None:
        raise LetterheadError(_("The logo must be a PNG or JPEG image."))
    from PIL import Image, UnidentifiedImageError  # deferred: Pillow, only for a logo
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            width, height = image.size
            if width < 1 or height < 1 or max(width, height) > MAX_LOGO_SIDE:
                raise LetterheadError(_(
                    "The logo is {width} \u00d7 {height} pixels; at most {limit} pixels a side "
                    "are accepted.").format(width=width, height=height, limit=MAX_LOGO_SIDE))
            image.load()
            picture = image.convert("RGBA")
    except LetterheadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise LetterheadError(_("The logo file is damaged or not a PNG or JPEG image.")) \
            from exc
    picture.thumbnail((STORED_LOGO_SIDE, STORED_LOGO_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def read_logo_file(path: str | Path) -> bytes:
    """Read a logo file without reading more than the limit allows."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError as exc:
        raise LetterheadError(_("The logo file cannot be read: {reason}").format(
            reason=exc.strerror or exc)) from exc
    return clean_logo(data)


def set_letterhead(session, *, name: str | None = None, logo_path: str | Path | None = None,
                   remove_logo: bool = False) -> Letterhead:
    """Change the organisation's name and/or logo (None: unchanged) and audit it, in one
    transaction. Everything is validated before anything is written. Administrators only
    (the letterhead is the organisation's, like its reference lists)."""
    session.require("manage_reference", "reference_item")
    if name is not None:
        name = " ".join(name.split())
        if len(name) > MAX_NAME_LENGTH:
            raise LetterheadError(_("The organisation's name is longer than {limit} "
                                    "characters.").format(limit=MAX_NAME_LENGTH))
    logo = read_logo_file(logo_path) if logo_path is not None else None
    conn = session.conn
    changed = []
    with session.transaction():
        if name is not None:
            set_meta(conn, NAME_KEY, name)
            changed.append("name")
        if logo is not None:
            set_meta(conn, LOGO_KEY, base64.b64encode(logo).decode("ascii"))
            changed.append("logo")
        elif remove_logo:
            conn.execute("DELETE FROM meta WHERE key = ?", (LOGO_KEY,))
            changed.append("logo_removed")
        session.log("update_letterhead", "meta", None, detail={"changed": changed})
    return letterhead(conn)
