"""The Help menu: the user guide, a diagnostics file to send, and About.

The guides are the Markdown files of ``docs/user/`` shipped with the application; a
translation lives in ``docs/user/<language>/`` and is shown when it exists, else English.
They open in a window of their own (offline: no browser needed).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app import diagnostics, i18n, paths
from desktop_app.i18n import Domain
from desktop_app.ui import operations
from desktop_app.version import version

DOMAIN = Domain("core")
_ = DOMAIN.gettext

log = logging.getLogger(__name__)

# the order of the guides in the list (README's order); others follow by name
GUIDE_ORDER = ("people", "people-ui", "cases", "trainings", "loans", "reports", "sync",
               "security")


GUIDE_DIR = paths.bundle_root() / "docs" / "user"


def guide_root() -> Path:
    return GUIDE_DIR


def guide_folder(language: str | None = None) -> Path:
    """``docs/user/<language>/`` when it holds guides, else the English ``docs/user/``."""
    language = language or i18n.current_language()
    translated = guide_root() / language
    if language != i18n.SOURCE_LANGUAGE and any(translated.glob("*.md")):
        return translated
    return guide_root()


def guides(language: str | None = None) -> list[Path]:
    folder = guide_folder(language)
    found = {p.stem: p for p in folder.glob("*.md")}
    ordered = [found.pop(name) for name in GUIDE_ORDER if name in found]
    return ordered + [found[name] for name in sorted(found)]


def guide_title(path: Path) -> str:
    """The first heading of the guide (its title in the guide's own language)."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    except OSError:
        pass
    return path.stem


class GuideWindow(QDialog):
    """The guides: a list of them and the one chosen, rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("user-guide")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(900, 640)
        self.list = QListWidget()
        self.list.setObjectName("guides")
        self.list.setMaximumWidth(300)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guide-text")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.note = QLabel()
        self.note.setObjectName("guide-language-note")
        self.note.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(self.note)
        right.addWidget(self.browser, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self.list.currentItemChanged.connect(self._show_item)
        self.current: Path | None = None
        i18n.on_language_changed(self._language_changed)
        self.finished.connect(lambda _result: i18n.remove_listener(self._language_changed))
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        """List the guides of the current language and show ``keep`` (a guide's name) or
        the first."""
        self.setWindowTitle(_("User guide"))
        language = i18n.current_language()
        self.note.setText(_("This guide has not been translated into your language yet: it "
                            "is shown in English."))
        self.note.setVisible(language != i18n.SOURCE_LANGUAGE
                             and guide_folder(language) == guide_root())
        self.list.blockSignals(True)
        self.list.clear()
        for path in guides():
            item = QListWidgetItem(guide_title(path))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.list.count() == 0:
            self.current = None
            self.browser.setPlainText(_("The user guide is missing from this installation."))
            return
        row = next((i for i in range(self.list.count())
                    if Path(self.list.item(i).data(Qt.ItemDataRole.UserRole)).stem == keep), 0)
        self.list.setCurrentRow(row)
        self._show_item(self.list.currentItem())

    def show_guide(self, path: Path) -> None:
        self.current = path
        self.browser.setSearchPaths([str(path.parent)])
        self.browser.setMarkdown(path.read_text(encoding="utf-8"))

    def _show_item(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.show_guide(Path(item.data(Qt.ItemDataRole.UserRole)))

    def _follow(self, url: QUrl) -> None:
        """A link to another guide opens here; a link elsewhere in the system's viewer."""
        target = url.path()
        name = Path(target).name
        if name.endswith(".md"):
            for i in range(self.list.count()):
                if Path(self.list.item(i).data(Qt.ItemDataRole.UserRole)).name == name:
                    self.list.setCurrentRow(i)
                    return
        if url.isRelative() and url.hasFragment() and not target:
            self.browser.scrollToAnchor(url.fragment())
            return
        if not url.isRelative():
            QDesktopServices.openUrl(url)

    def _language_changed(self, _language: str) -> None:
        if not shiboken6.isValid(self):  # closed with the main window
            i18n.remove_listener(self._language_changed)
            return
        self.reload(keep=self.current.stem if self.current else None)


def about_text(db_path: Path | None) -> str:
    return _("Hamroh: offline-first case management for organisations that protect labour "
             "migrants.\n\nVersion: {version}\nData folder: {folder}\nDatabase: {path}").format(
        version=version(), folder=paths.data_dir(), path=db_path or "-")


class HelpActions:
    """The Help menu's entries for the main window: user guide, diagnostics file, About."""

    def __init__(self, window: QMainWindow, menu, ctx):
        self.window = window
        self.ctx = ctx
        self.guide_window: GuideWindow | None = None
        self.guide_action = QAction(window)
        self.guide_action.setShortcut("F1")
        self.guide_action.triggered.connect(self.open_guide)
        self.diagnostics_action = QAction(window)
        self.diagnostics_action.triggered.connect(self.save_diagnostics)
        self.about_action = QAction(window)
        self.about_action.triggered.connect(self.about)
        menu.addAction(self.guide_action)
        menu.addAction(self.diagnostics_action)
        menu.addSeparator()
        menu.addAction(self.about_action)

    def retranslate(self) -> None:
        self.guide_action.setText(_("&User guide"))
        self.diagnostics_action.setText(_("Save a &diagnostics file…"))
        self.about_action.setText(_("&About Hamroh"))

    def open_guide(self) -> GuideWindow:
        if self.guide_window is None:
            self.guide_window = GuideWindow(self.window)
            self.guide_window.finished.connect(self._forget_guide)
        self.guide_window.show()
        self.guide_window.raise_()
        return self.guide_window

    def _forget_guide(self) -> None:
        if self.guide_window is not None:
            self.guide_window.deleteLater()
        self.guide_window = None

    def about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, _("About Hamroh"),
                          about_text(self.ctx.db_path), QMessageBox.StandardButton.Ok,
                          self.window)
        box.setObjectName("about")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def save_diagnostics(self) -> None:
        target = ask_diagnostics_file(self.window)
        if target is None:
            return
        db_path = self.ctx.db_path

        def collect(conn):
            return diagnostics.report(conn, db_path)

        def written(text: str) -> None:
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                QMessageBox.warning(self.window, _("Save a diagnostics file"), _(
                    "The file could not be written: {error}").format(error=exc.strerror))
                return
            log.info("Diagnostics file written")
            self.ctx.status_message.emit(saved_message(target))

        operations.ReadOp(self.ctx, self.window, collect).on_own_connection() \
            .success(written).key("diagnostics").run()


def saved_message(target: Path) -> str:
    return _("Diagnostics saved to {path}. Send this file to your coordinator or "
             "administrator; it holds no personal data.").format(path=target)


def ask_diagnostics_file(parent: QWidget | None) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, _("Save a diagnostics file"),
        str(diagnostics.default_folder() / diagnostics.file_name()),
        _("Text files (*.txt)"))
    return Path(chosen) if chosen else None


def save_diagnostics_now(parent: QWidget | None,
                         source: Callable[[], tuple[Callable | None, Path | None]] | None
                         ) -> Path | None:
    """Ask where, then write the file at once (the crash dialog: no worker is trusted)."""
    target = ask_diagnostics_file(parent)
    if target is None:
        return None
    connect, db_path = source() if source is not None else (None, None)
    try:
        diagnostics.write_with_own_connection(target, connect, db_path)
    except OSError as exc:
        QMessageBox.warning(parent, _("Save a diagnostics file"), _(
            "The file could not be written: {error}").format(error=exc.strerror))
        return None
    QMessageBox.information(parent, _("Save a diagnostics file"), saved_message(target))
    return target

