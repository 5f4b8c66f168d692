"""The organisation's letterhead: a logo file is hostile input (size, real PNG/JPEG, pixel
limit, re-encoded before it is stored); the CLI sets it, audited, with translated errors."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from desktop_app.cli import main as hamroh
from desktop_app.reports.organisation import (
    MAX_LOGO_BYTES,
    STORED_LOGO_SIDE,
    LetterheadError,
    clean_logo,
    letterhead,
    set_letterhead,
)


def picture(fmt: str, size=(300, 120), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#0072B2").save(out, format=fmt)
    return out.getvalue()


def test_a_jpeg_is_stored_as_a_fresh_small_png():
    stored = clean_logo(picture("JPEG", (1800, 600)))
    assert stored.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert max(image.size) == STORED_LOGO_SIDE and image.size[0] == 3 * image.size[1]


def test_bytes_after_the_image_are_not_kept():
    """A PNG with a ZIP (or a script) appended decodes as an image; what is stored is the
    image written again, without the passenger."""
    passenger = b"PK\x03\x04" + b"<script>alert(1)</script>" * 40
    stored = clean_logo(picture("PNG") + passenger)
    assert passenger not in stored and b"<script>" not in stored


@pytest.mark.parametrize("data,words", [
    (b"GIF89a" + b"\x00" * 100, "PNG or JPEG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50, "damaged"),
    (picture("PNG")[:60], "damaged"),
])
def test_what_is_not_a_real_png_or_jpeg_is_refused(data, words):
    with pytest.raises(LetterheadError, match=words):
        clean_logo(data)


def test_a_huge_picture_is_refused_before_it_is_decoded():
    # 6000 x 6000 one-bit pixels: a small file that would decode to 144 MB of RGBA
    big = picture("PNG", (6000, 6000), mode="1")
    assert len(big) < MAX_LOGO_BYTES
    with pytest.raises(LetterheadError, match="6000"):
        clean_logo(big)


def test_a_large_file_is_refused_without_reading_it_all(tmp_path, session):
    path = tmp_path / "logo.png"
    path.write_bytes(picture("PNG") + b"\x00" * MAX_LOGO_BYTES)
    with pytest.raises(LetterheadError, match="too large"):
        set_letterhead(session, name="Will not be kept", logo_path=path)
    # validated before anything was written: the name did not change either
    assert letterhead(session.conn).organisation != "Will not be kept"


def test_set_letterhead_is_kept_and_audited(session, tmp_path):
    path = tmp_path / "logo.jpg"
    path.write_bytes(picture("JPEG"))
    head = set_letterhead(session, name="  Ҷамъияти   «Ҳамроҳ»  ", logo_path=path)
    assert head.organisation == "Ҷамъияти «Ҳамроҳ»"
    assert head.logo_png and head.logo_reader().getSize() == (300, 120)
    action = session.conn.execute(
        "SELECT action FROM audit_log ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    assert action == "update_letterhead"
    assert set_letterhead(session, remove_logo=True).logo_png is None


def test_the_office_name_is_the_default(session):
    office = session.conn.execute(
        "SELECT o.name FROM office o JOIN meta m ON m.key = 'office_id' AND m.value = o.id"
    ).fetchone()[0]
    assert letterhead(session.conn).organisation == office


def test_cli_sets_and_shows_the_letterhead(db_path, tmp_path, capsys):
    logo = tmp_path / "logo.png"
    logo.write_bytes(picture("PNG"))
    assert hamroh(["letterhead", "set", "--db", str(db_path), "--name", "Ғамхорӣ",
                   "--logo", str(logo)]) == 0
    assert hamroh(["letterhead", "show", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Ғамхорӣ" in out and "Logo: set" in out


def test_cli_errors_are_in_the_users_language(db_path, tmp_path, capsys):
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"GIF89a" + b"\x00" * 50)
    assert hamroh(["--lang", "tg", "letterhead", "set", "--db", str(db_path),
                   "--logo", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "PNG" in err and "The logo" not in err
