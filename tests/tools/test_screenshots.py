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


def test_a_page_is_back_on_its_list_after_its_buttons_and_first_row(qtbot, tmp_path):
    """New training and an opened row leave the detail in the list's place: the page went
    back to its list, so Courses… and the first row were grabbed, and the next language's
    People page showed the list with its New person button, not the last person."""
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    screenshots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshots)
    out = tmp_path / "shots"
    assert screenshots.main(["--out", str(out), "--languages", "en,tg", "--people", "40"]) == 0
    for language in ("en", "tg"):
        names = {p.stem for p in (out / language).glob("*.png")}
        keys = {s.key: n for n, s in enumerate(discover_pages(), start=1)}
        people, trainings = f"{keys['people']:02d}-people", f"{keys['trainings']:02d}-trainings"
        assert any(n.startswith(f"{people}-01-") for n in names), (language, sorted(names))
        assert any(n.startswith(trainings) and n.endswith("first-row") for n in names), \
            (language, sorted(names))
