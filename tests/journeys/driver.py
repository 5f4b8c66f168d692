"""Drive the real main window as a user does: log in through the login window, move
between pages with the navigation, find controls by their visible (translated) text.

A journey fails when a control it needs is hidden or outside the visible part of the
window, when a button shows no text, or when English shows in a translated window.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from desktop_app import i18n
from desktop_app.i18n import Domain
from desktop_app.ui import operations
from desktop_app.ui.app import application, open_main_window
from desktop_app.ui.main_window import MainWindow

SCREEN_WIDTH, SCREEN_HEIGHT = 1366, 768


def plain(text: str) -> str:
    """A label as the user reads it: no mnemonic ampersands, no shortcut hint."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").split("\t")[0].strip()


def tr(domain: str, message: str) -> str:
    """``message`` in the current language, as the window shows it."""
    return Domain(domain).gettext(message)


def qt_text(message: str, context: str = "QPlatformTheme") -> str:
    """One of Qt's own texts (OK, Save, Cancel ...) as the window shows it."""
    return QApplication.translate(context, message)


# The longest the window may freeze during a save on the 3,000-person demo (seconds).
STALL_LIMIT = 1.0


def english_messages() -> set[str]:
    """Every message of our catalogs whose translation in the current language differs
    from the English: seeing one of them in a translated window is a missed translation."""
    language = i18n.current_language()
    found: set[str] = set()
    if language == "en":
        return found
    for mo in i18n.Catalogs(language).by_domain.values():
        for key, value in mo._catalog.items():
            if isinstance(key, str) and key and value and value != key and len(key) > 3:
                found.add(plain(key))
    return found


ACCESS_KEY = re.compile(r"&([^&\s])")


def shared_access_keys(root: QWidget) -> dict[str, list[str]]:
    """Access keys that more than one visible label or button of ``root`` uses."""
    seen: dict[str, list[str]] = {}
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, (QAbstractButton, QLabel, QGroupBox)) or not widget.isVisible():
            continue
        text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
        found = ACCESS_KEY.search(text.replace("&&", ""))
        if found:
            seen.setdefault(found.group(1).lower(), []).append(text)
    return {key: texts for key, texts in seen.items() if len(texts) > 1}


def _visible_to_user(widget: QWidget) -> bool:
    """Shown, inside its window and not clipped away by a parent (e.g. a scroll area)."""
    if not widget.isVisible() or widget.visibleRegion().isEmpty():
        return False
    window = widget.window()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    inside = window.rect().intersected(widget.rect().translated(top_left))
    return inside.width() >= min(8, widget.width()) and inside.height() >= min(8, widget.height())


_INPUTS = (QLineEdit, QComboBox, QPlainTextEdit, QAbstractSpinBox, QCheckBox)


def _texts_of(widget: QWidget) -> list[str]:
    if isinstance(widget, (QAbstractButton, QLabel)):
        return [widget.text()]
    if isinstance(widget, QGroupBox):
        return [widget.title()]
    if isinstance(widget, QTabWidget):
        return [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QHeaderView) and widget.model() is not None:
        model, orientation = widget.model(), widget.orientation()
        count = model.columnCount() if orientation == Qt.Orientation.Horizontal \
            else min(model.rowCount(), 0)
        return [str(model.headerData(i, orientation) or "") for i in range(count)]
    return []


@dataclass
class Journey:
    """One user in the main window."""
    qtbot: object
    window: MainWindow
    language: str
    problems: list[str] = field(default_factory=list)

    # ---- where the user is ------------------------------------------------------------
    def top(self) -> QWidget:
        """The window the user is looking at: the open dialog, else the main window."""
        modal = QApplication.activeModalWidget()
        return modal if modal is not None else self.window

    def go(self, title: str) -> QWidget:
        """Click the page ``title`` in the navigation; the page widget."""
        nav = self.window.nav
        titles = [nav.item(row).text() for row in range(nav.count())]
        assert title in titles, f"no page {title!r} in the navigation: {titles}"
        row = titles.index(title)
        rect = nav.visualItemRect(nav.item(row))
        QTest.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.settle()
        return self.window.stack.currentWidget()

    # ---- finding controls -------------------------------------------------------------
    def find(self, kind: type, text: str, within: QWidget | None = None) -> QWidget:
        """The visible control of ``kind`` whose text reads ``text``."""
        root = within or self.top()
        wanted = plain(text)
        candidates = [w for w in root.findChildren(kind)
                      if w.isVisible() and plain(_texts_of(w)[0] if _texts_of(w) else "")
                      == wanted]
        if not candidates:
            shown = sorted({plain(t) for w in root.findChildren(kind) if w.isVisible()
                            for t in _texts_of(w)})
            raise AssertionError(f"no visible {kind.__name__} {text!r} in "
                                 f"{type(root).__name__}: {shown}")
        control = candidates[0]
        assert _visible_to_user(control), f"{text!r} is outside the visible part of the window"
        return control

    def button(self, text: str, within: QWidget | None = None) -> QAbstractButton:
        return self.find(QAbstractButton, text, within)

    def click(self, text: str, within: QWidget | None = None) -> None:
        button = self.button(text, within)
        assert button.isEnabled(), f"{text!r} is disabled"
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        self.settle()

    def field(self, label: str, within: QWidget | None = None) -> QWidget:
        """The input a form label names (its buddy, or its field in a QFormLayout)."""
        root = within or self.top()
        wanted = plain(label).rstrip(":")
        for candidate in root.findChildren(QLabel):
            if not candidate.isVisible() or plain(candidate.text()).rstrip(":") != wanted:
                continue
            if candidate.buddy() is not None:
                return candidate.buddy()
            for form in root.findChildren(QFormLayout):
                for row in range(form.rowCount()):
                    item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                    if item is not None and item.widget() is candidate:
                        found = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                        if found is not None and found.widget() is not None:
                            return found.widget()
        raise AssertionError(f"no field labelled {label!r}")

    def type_into_widget(self, widget: QWidget, text: str) -> None:
        """Type into an input that has no label (a search box shows a placeholder)."""
        assert _visible_to_user(widget), f"{type(widget).__name__} is outside the visible area"
        widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()
            widget.del_()
            if not text.isascii():
                widget.insert(text)
                return
        QTest.keyClicks(widget, text)

    def entry(self, label: str, within: QWidget | None = None) -> QWidget:
        """The input a form label names, looking inside the box a form row may hold (an
        input with its error line under it)."""
        widget = self.field(label, within)
        if isinstance(widget, _INPUTS):
            return widget
        for child in widget.findChildren(QWidget):
            if isinstance(child, _INPUTS) and child.isVisible():
                return child
        raise AssertionError(f"no input in the field labelled {label!r}")

    def type_text(self, label: str, text: str, within: QWidget | None = None) -> QWidget:
        """Type ``text`` into the input ``label`` names (any script: characters QTest cannot
        type are inserted as an input method would)."""
        widget = self.entry(label, within)
        assert _visible_to_user(widget), f"field {label!r} is outside the visible area"
        target = widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() \
            else widget
        if isinstance(target, QAbstractSpinBox):
            target = target.findChild(QLineEdit)
        target.setFocus()
        if isinstance(target, QLineEdit):
            target.selectAll()
            target.del_()
        if text.isascii():
            QTest.keyClicks(target, text)
        elif isinstance(target, QLineEdit):
            target.insert(text)
        elif isinstance(target, QPlainTextEdit):
            target.insertPlainText(text)
        else:
            raise AssertionError(f"cannot type into {type(target).__name__}")
        return widget

    def pick(self, label: str, item_text: str, within: QWidget | None = None) -> QComboBox:
        """Choose ``item_text`` in the list ``label`` names (inside a form row's box too)."""
        combo = self.entry(label, within)
        assert isinstance(combo, QComboBox), f"{label!r} is not a list to choose from"
        index = combo.findText(item_text)
        assert index >= 0, f"{item_text!r} not in {label!r}: " \
            f"{[combo.itemText(i) for i in range(combo.count())]}"
        assert _visible_to_user(combo), f"list {label!r} is outside the visible area"
        combo.setCurrentIndex(index)
        return combo

    def tick(self, text: str, within: QWidget | None = None, on: bool = True) -> QCheckBox:
        box = self.find(QCheckBox, text, within)
        if box.isChecked() != on:
            QTest.mouseClick(box, Qt.MouseButton.LeftButton)
        assert box.isChecked() == on
        return box

    def tab(self, text: str, within: QWidget | None = None) -> QWidget:
        """Click the tab ``text`` of a visible tab widget; the page it shows."""
        root = within or self.top()
        wanted = plain(text)
        shown = []
        for tabs in root.findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            bar = tabs.tabBar()
            for index in range(tabs.count()):
                shown.append(plain(tabs.tabText(index)))
                if plain(tabs.tabText(index)) == wanted:
                    rect = bar.tabRect(index)
                    assert _visible_to_user(bar) and bar.rect().contains(rect.center()), \
                        f"tab {text!r} is outside the visible area"
                    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
                    self.settle()
                    assert tabs.currentIndex() == index
                    return tabs.widget(index)
        raise AssertionError(f"no visible tab {text!r}: {shown}")

    @staticmethod
    def rows(view: QAbstractItemView) -> list[list[str]]:
        """The cell texts of a table as the user reads them."""
        model = view.model()
        return [[str(model.data(model.index(row, column)) or "")
                 for column in range(model.columnCount())]
                for row in range(model.rowCount())]

    @staticmethod
    def headers(view: QAbstractItemView) -> list[str]:
        model = view.model()
        return [str(model.headerData(column, Qt.Orientation.Horizontal) or "")
                for column in range(model.columnCount())]

    # ---- dialogs ----------------------------------------------------------------------
    @contextmanager
    def dialog(self, act: Callable[[QDialog], None]) -> Iterator[None]:
        """Run the block (which opens a modal dialog) while ``act`` works in that dialog.

        ``act`` receives the dialog once it is shown; it must close it (accept or reject).
        """
        errors: list[BaseException] = []
        before = QApplication.activeModalWidget()

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if modal is None or modal is before:
                QTimer.singleShot(20, poll)
                return
            try:
                self.check_window(modal)
                act(modal)
            except BaseException as exc:  # noqa: BLE001 - reported after the dialog closes
                errors.append(exc)
                modal.reject() if isinstance(modal, QDialog) else modal.close()

        QTimer.singleShot(0, poll)
        yield
        if errors:
            raise errors[0]

    def answer_message(self, button_text: str) -> Callable[[QDialog], None]:
        """An ``act`` for ``dialog``: press ``button_text`` in the message box."""
        def act(box: QDialog) -> None:
            assert isinstance(box, QMessageBox), f"expected a message, got {type(box).__name__}"
            self.click(button_text, box)
        return act

    # ---- what the user sees -----------------------------------------------------------
    def check_window(self, root: QWidget | None = None) -> None:
        """No blank buttons, no English in a translated window, nothing wider than the
        screen. Problems are collected; ``assert_no_problems`` reports them."""
        root = root or self.top()
        english = english_messages()
        if root.isWindow() and (root.width() > SCREEN_WIDTH or root.height() > SCREEN_HEIGHT):
            self.problems.append(f"{type(root).__name__} is {root.width()}x{root.height()}")
        for button in root.findChildren(QAbstractButton):
            if button.isVisible() and not plain(button.text()) and button.icon().isNull() \
                    and type(button).__name__ not in ("QCheckBox", "QRadioButton") \
                    and button.objectName() != "qt_scrollarea_hcontainer":
                if button.parent() is not None and type(button).__name__ == "QPushButton":
                    self.problems.append(f"a blank button in {type(root).__name__}")
        for widget in root.findChildren(QWidget):
            if not widget.isVisible():
                continue
            for text in _texts_of(widget):
                if plain(text) in english:
                    self.problems.append(f"English in {self.language}: {plain(text)!r}")
        for key, texts in shared_access_keys(root).items():
            self.problems.append(f"Alt+{key} is the access key of {texts}")

    def assert_no_problems(self) -> None:
        assert not self.problems, "\n".join(dict.fromkeys(self.problems))

    def settle(self, timeout_ms: int = 30000) -> None:
        """Let the window and its background work finish what the last action started."""
        QApplication.processEvents()
        operations.wait_idle(self.window.ctx, timeout_ms)
        QApplication.processEvents()


def use_qt_translations() -> None:
    """Qt's own texts (OK, Save, Cancel ...) in the chosen language, as ``run_gui`` sets the
    application up (``log_in`` opens the main window as ``open_main_window`` does, which
    leaves that to ``run_gui``)."""
    application()


def log_in(qtbot, db_path: Path, username: str, password: str, language: str) -> Journey:
    """Open the database as the app does: the login window, then the main window."""
    use_qt_translations()
    i18n.set_language(language)
    errors: list[BaseException] = []

    def fill_login() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, fill_login)
            return
        try:
            journey = Journey(qtbot, None, language)  # type: ignore[arg-type]
            QTest.keyClicks(journey.field(tr("security", "User name"), modal), username)
            QTest.keyClicks(journey.field(tr("security", "Password"), modal), password)
            ok = [b for b in modal.findChildren(QAbstractButton)
                  if plain(b.text()) == plain(QApplication.translate("QPlatformTheme", "OK"))]
            assert ok, "the login window has no OK button"
            QTest.mouseClick(ok[0], Qt.MouseButton.LeftButton)
        except BaseException as exc:  # noqa: BLE001 - reported after the dialog closes
            errors.append(exc)
            modal.reject()

    QTimer.singleShot(0, fill_login)
    window = open_main_window(db_path)
    if errors:
        raise errors[0]
    assert window is not None, "the login was refused"
    qtbot.addWidget(window)
    window.resize(SCREEN_WIDTH, SCREEN_HEIGHT - 40)
    journey = Journey(qtbot, window, language)
    journey.settle()
    return journey


class StallMeter(QObject):
    """The longest time the UI thread did not run its event loop while measuring: a timer
    ticks every 10 ms; a gap between two ticks is a stall the user saw as a frozen window."""

    def __init__(self) -> None:
        super().__init__()
        self.longest = 0.0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    @contextmanager
    def measure(self) -> Iterator["StallMeter"]:
        self._last = time.perf_counter()
        self._timer.start()
        try:
            yield self
        finally:
            QApplication.processEvents()
            self._tick()
            self._timer.stop()


# ---- additions: typing any script, scrolling to a control, switching user ------------------
def type_text(widget: QWidget, text: str) -> None:
    """Type any-script text as key events (QTest.keyClicks types ASCII only)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    for ch in text:
        key = Qt.Key.Key_Space if ch == " " else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier,
                                                     ch))


def type_any(journey: Journey, label: str, text: str, within: QWidget | None = None) -> QWidget:
    """``Journey.type_into`` for text in any script (Cyrillic names)."""
    widget = journey.field(label, within)
    target = widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() \
        else widget
    assert _visible_to_user(widget), f"field {label!r} is outside the visible area"
    if isinstance(target, QLineEdit):
        target.clear()
    target.setFocus()
    type_text(target, text)
    return widget


def scroll_to(widget: QWidget) -> None:
    """Scroll every scroll area holding ``widget`` until it shows, as a user would."""
    from PySide6.QtWidgets import QScrollArea
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    QApplication.processEvents()


def click_scrolled(journey: Journey, text: str, within: QWidget | None = None) -> None:
    """Click the button ``text`` after scrolling it into view (it must then be fully visible)."""
    root = within or journey.top()
    wanted = plain(text)
    found = [b for b in root.findChildren(QAbstractButton)
             if b.isVisible() and plain(b.text()) == wanted]
    assert found, f"no visible button {text!r}"
    scroll_to(found[0])
    journey.click(text, found[0].parentWidget())


def answer_login(username: str, password: str) -> list[BaseException]:
    """Fill the next login window (after Switch user or Log out) from a timer; the list
    collects what went wrong there."""
    errors: list[BaseException] = []

    def fill() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, fill)
            return
        try:
            journey = Journey(None, None, i18n.current_language())  # type: ignore[arg-type]
            QTest.keyClicks(journey.field(tr("security", "User name"), modal), username)
            QTest.keyClicks(journey.field(tr("security", "Password"), modal), password)
            ok = [b for b in modal.findChildren(QAbstractButton)
                  if plain(b.text()) == plain(QApplication.translate("QPlatformTheme", "OK"))]
            assert ok, "the login window has no OK button"
            QTest.mouseClick(ok[0], Qt.MouseButton.LeftButton)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            modal.reject()

    QTimer.singleShot(0, fill)
    return errors
