"""`make screenshots` grabs every page the administrator sees, in each language asked for."""
import importlib.util
from pathlib import Path

from PySide6.QtGui import QImage

from desktop_app.ui.pages import discover_pages

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"


def test_every_page_is_grabbed_at_laptop_size(qtbot, tmp_path):
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    screenshots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshots)
    out = tmp_path / "shots"
    assert screenshots.main(["--out", str(out), "--languages", "tg", "--people", "40",
                             "--no-dialogs"]) == 0
    pages = sorted((out / "tg").glob("*.png"))
    assert [p.stem.split("-", 1)[1] for p in pages] == [s.key for s in discover_pages()]
    image = QImage(str(pages[0]))
    assert image.width() <= 1366 and image.height() <= 768 and image.width() > 1000
