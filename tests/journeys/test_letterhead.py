"""The administrator sets the organisation's letterhead on the Administration page: a file
that is not a real image is refused with a message in the user's language, a PNG logo is
kept, and the printed report carries both. English and Tajik."""
from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from desktop_app.reports.organisation import letterhead
from tests.journeys.driver import tr
from tests.journeys.test_coordinator import in_file_dialog

NAME = "Маркази захиравии ҷамоат, Ғарм"


@pytest.mark.parametrize("language", ["en", "tg"])
def test_administrator_sets_name_and_logo(log_in_as, tmp_path, language):
    journey = log_in_as("admin", language)
    page = journey.go(tr("security", "Administration"))
    tab = journey.tab(tr("reports", "Letterhead"), page)
    journey.check_window()

    journey.type_text(tr("reports", "Organisation name"), NAME, tab)
    journey.click(tr("reports", "Save name"), tab)
    journey.settle()
    assert tab.status.text() == tr("reports", "The organisation's name is saved.")

    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a" + b"\x00" * 64)       # a GIF dressed as a PNG
    with journey.dialog(in_file_dialog(str(fake))):
        journey.click(tr("reports", "Choose logo\u2026"), tab)
    journey.settle()
    refused = tr("reports", "The logo must be a PNG or JPEG image.")
    assert tab.status.text() == tr("reports", "Not saved: {reason}").format(reason=refused)
    assert not tab.has_logo

    real = tmp_path / "real.png"
    out = io.BytesIO()
    Image.new("RGB", (240, 80), "#0072B2").save(out, format="PNG")
    real.write_bytes(out.getvalue())
    with journey.dialog(in_file_dialog(str(real))):
        journey.click(tr("reports", "Choose logo\u2026"), tab)
    journey.settle()
    assert tab.status.text() == tr("reports", "The logo is saved."), tab.status.text()
    assert tab.has_logo and tab.preview.pixmap().height() > 0
    journey.check_window()
    if os.environ.get("HAMROH_SHOTS"):
        journey.window.grab().save(os.path.join(os.environ["HAMROH_SHOTS"],
                                                f"letterhead-{language}.png"))

    stored = letterhead(journey.window.ctx.session.conn)
    assert stored.organisation == NAME and stored.logo_png
    journey.click(tr("reports", "Remove logo"), tab)
    journey.settle()
    assert not tab.has_logo and letterhead(journey.window.ctx.session.conn).logo_png is None
    journey.assert_no_problems()
