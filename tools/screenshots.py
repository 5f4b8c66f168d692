"""Grab every page of the main window, and every dialog its "…" buttons open, in each
language at 1366x768, offscreen, for the user guides and for looking at what users see.

    python tools/screenshots.py [--out screenshots] [--languages en,ru,tg,uz] [--people 300]

    python tools/screenshots.py --guides [docs/user] [--languages en,ru,tg,uz]

Writes ``<out>/<language>/<NN>-<page>.png`` and ``<NN>-<page>-<MM>-dialog.png``. A dialog
is closed (rejected) as soon as it is grabbed, so nothing is saved; the demo database is
made in a temporary folder and removed afterwards.

With ``--guides`` it writes instead the few pages the user guides show, under stable names
(``people.png``, ``cases.png`` …, see GUIDE_PAGES), into ``docs/user/<language>/images/``
(``docs/user/images/`` for English), scaled to 1024 px wide and reduced to 256 colours so
that each stays small in the repository.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768
SCREEN_CONFIG = (
    '{"screens": [{"name": "laptop", "x": 0, "y": 0, "width": %d, "height": %d, '
    '"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}' % (SCREEN_WIDTH, SCREEN_HEIGHT))


def _offscreen_laptop_screen(folder: Path) -> None:
    config = folder / "screen.json"
    config.write_text(SCREEN_CONFIG, encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


# page key -> file name used by the guides (docs/user/<language>/images/<name>.png)
GUIDE_PAGES = {
    "home": "home", "people": "people", "cases": "cases", "inspections": "inspections",
    "trainings": "trainings", "loans": "loans", "reports": "reports", "sync": "sync",
    "security": "security",
}
GUIDE_WIDTH = 1024
DEFAULT_GUIDES = Path(__file__).resolve().parent.parent / "docs" / "user"


def guide_folder(root: Path, language: str) -> Path:
    """docs/user/images for English, docs/user/<language>/images for the others."""
    return root / "images" if language == "en" else root / language / "images"


def _save_for_guide(pixmap, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    image = pixmap.toImage().scaledToWidth(GUIDE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_Indexed8,
                                  Qt.ImageConversionFlag.ThresholdDither
                                  | Qt.ImageConversionFlag.AvoidDither)
    image.save(str(target), "PNG", 0)  # for PNG, quality 0 is the strongest (lossless) compression


def _grab_guide_pages(window, settle, folder: Path) -> int:
    """Show each page the guides use and save it under its stable name; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for spec in window.specs:
        if spec.key in GUIDE_PAGES:
            window.show_page(spec.key)
            settle()
            _save_for_guide(window.grab(), folder / f"{GUIDE_PAGES[spec.key]}.png")
            written += 1
    return written


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "dialog"


class Grabber:
    """Saves what a page's buttons and its main list open, closing each at once (a dialog
    is rejected, so nothing is saved)."""

    def __init__(self, app, window, settle):
        self.app, self.window, self.settle = app, window, settle

    def what_opens(self, trigger, target: Path) -> bool:
        """Run ``trigger`` (a click, a row opened) and save what it opens: a modal dialog
        or a new window."""
        # deferred: Qt is loaded once main() has chosen the offscreen platform
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QDialog

        grabbed: list[bool] = []
        finished: list[bool] = []
        before = {id(w) for w in self.app.topLevelWidgets() if w.isVisible()}

        def poll(tries: int = 60) -> None:
            if finished:
                return      # this trigger opened no dialog: a later one is not ours
            modal = QApplication.activeModalWidget()
            if modal is None:
                if tries:
                    QTimer.singleShot(30, lambda: poll(tries - 1))
                return
            self.app.processEvents()
            modal.grab().save(str(target))
            grabbed.append(True)
            modal.reject() if isinstance(modal, QDialog) else modal.close()

        QTimer.singleShot(0, poll)
        trigger()
        self.settle()
        deadline = time.monotonic() + 1.5
        while not grabbed and time.monotonic() < deadline:
            self.app.processEvents()    # a dialog opened after background work
            time.sleep(0.03)
        finished.append(True)
        if not grabbed:
            for widget in [w for w in self.app.topLevelWidgets() if w.isVisible()
                           and id(w) not in before and w is not self.window]:
                widget.grab().save(str(target))
                grabbed.append(True)
                widget.close()
                self.settle()
        return bool(grabbed)

    def page_dialogs(self, page, stem: str, folder: Path) -> int:
        """What the page's buttons open ("…" says a dialog follows; its New button may open
        one), then the first row of its main list opened (a case window, a person's page
        beside the list)."""
        # deferred: Qt is loaded once main() has chosen the offscreen platform
        from PySide6.QtWidgets import QAbstractButton, QTableView

        written = 0
        new_button = getattr(page, "new_button", None)
        buttons = [b for b in page.findChildren(QAbstractButton) if b.isVisible()
                   and b.isEnabled() and (b.text().rstrip().endswith("…") or b is new_button)]
        index = 0
        for index, button in enumerate(buttons, start=1):
            name = f"{stem}-{index:02d}-{_slug(button.text().replace('&', ''))}.png"
            written += self.what_opens(button.click, folder / name)
            self.back_to_list(page)
        tables = [t for t in page.findChildren(QTableView)
                  if t.isVisible() and t.model() is not None and t.model().rowCount()]
        if tables:
            table = max(tables, key=lambda t: t.width() * t.height())
            target = folder / f"{stem}-{index + 1:02d}-first-row.png"
            first = table.model().index(0, 0)
            table.setCurrentIndex(first)
            if not self.what_opens(lambda: table.activated.emit(first), target):
                self.window.grab().save(str(target))
            written += 1
            self.back_to_list(page)
        return written

    def back_to_list(self, page) -> None:
        """A page that shows one thing at a time back on its list: New training or a row
        opened left the detail in its place, so that the next button was not there and the
        next language's screenshot showed the detail."""
        list_detail = getattr(page, "list_detail", None)
        if list_detail is not None and not list_detail.side_by_side():
            list_detail.show_list()
            self.settle()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument("--languages", default="en,ru,tg,uz")
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--no-dialogs", action="store_true", help="pages only")
    parser.add_argument("--guides", nargs="?", const=DEFAULT_GUIDES, type=Path, default=None,
                        metavar="DOCS", help="write the pages the user guides show into "
                        "DOCS/<language>/images/ (default docs/user)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="hamroh-screenshots-"))
    os.environ.setdefault("HAMROH_HOME", str(work / "home"))
    _offscreen_laptop_screen(work)

    # deferred: Qt reads QT_QPA_PLATFORM when the application object is made, just below

    from desktop_app import i18n
    from desktop_app.demo import ensure_demo_database
    from desktop_app.store.security.accounts import DEMO_USERS, login
    from desktop_app.ui import operations
    from desktop_app.ui.app import application, build_context
    from desktop_app.ui.main_window import MainWindow

    app = application()
    print(f"making a demo office with {args.people} people…", flush=True)
    path = ensure_demo_database(work / "demo.db", people=args.people, cases=args.people // 2,
                                loans=max(5, args.people // 10),
                                trainings=max(2, args.people // 100))
    username, _role, password, _name = DEMO_USERS[0]
    session = login(path, username, password)
    ctx = build_context(path, session, key=getattr(session, "db_key", None))
    window = MainWindow(ctx)
    window.showMaximized()

    def settle() -> None:
        app.processEvents()
        operations.wait_idle(ctx, 30000)
        app.processEvents()

    grabber = Grabber(app, window, settle)

    written = 0
    for language in args.languages.split(","):
        i18n.set_language(language)
        if args.guides is not None:
            folder = guide_folder(args.guides, language)
            written += _grab_guide_pages(window, settle, folder)
            print(f"{language}: {folder}", flush=True)
            continue
        folder = args.out / language
        folder.mkdir(parents=True, exist_ok=True)
        for number, spec in enumerate(window.specs, start=1):
            page = window.show_page(spec.key)
            settle()
            stem = f"{number:02d}-{spec.key}"
            window.grab().save(str(folder / f"{stem}.png"))
            written += 1
            if args.no_dialogs:
                continue
            written += grabber.page_dialogs(page, stem, folder)
        print(f"{language}: {folder}", flush=True)
    window.close()
    operations.shutdown(ctx)
    print(f"{written} screenshots in {args.guides if args.guides is not None else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
