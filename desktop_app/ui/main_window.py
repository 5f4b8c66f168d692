"""The main window: module navigation, pages, status bar, language switching."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from desktop_app import i18n, preferences
from desktop_app.i18n import Domain
from desktop_app.i18n.qt import refresh
from desktop_app.store.people.listing import count_people
from desktop_app.ui import operations
from desktop_app.ui.context import AppContext
from desktop_app.ui.help import HelpActions
from desktop_app.ui.pages import PageSpec, discover_pages
from desktop_app.ui.security.roles import role_label
from desktop_app.ui.widgets import fit_on_screen

DOMAIN = Domain("core")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, pages: list[PageSpec] | None = None):
        super().__init__()
        self.ctx = ctx
        self.specs = [s for s in (pages if pages is not None else discover_pages())
                      if s.visible(ctx)]
        self._pages: dict[str, QWidget] = {}
        self._stale: set[str] = set()     # pages to refresh when next shown
        # what File > Log out / Switch user do: set by ui.app (it builds the next window)
        self.on_switch_user: Callable[[MainWindow, str], None] | None = None
        self._closing_for_switch = False
        fit_on_screen(self, 1200, 760)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        for spec in self.specs:
            item = QListWidgetItem(spec.title())
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
            placeholder = QWidget()
            placeholder.setObjectName(f"placeholder-{spec.key}")
            self.stack.addWidget(placeholder)
        self.nav.currentRowChanged.connect(self._show_row)

        self.user_label = QLabel()
        self.user_label.setObjectName("logged_in_user")
        self.office_label = QLabel()
        self.device_label = QLabel()
        self.count_label = QLabel()
        for label in (self.user_label, self.office_label, self.device_label, self.count_label):
            self.statusBar().addPermanentWidget(label)
        ctx.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ctx.data_changed.connect(self._data_changed)

        self._build_menu()
        self._shortcuts = []
        for number in range(1, min(len(self.specs), 9) + 1):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(
                lambda _checked=False, row=number - 1: self.nav.setCurrentRow(row))
            self.addAction(action)
            self._shortcuts.append(action)

        i18n.on_language_changed(self._language_changed)
        self.retranslate()
        if self.specs:
            self.nav.setCurrentRow(0)

    # ---- pages -----------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """The page widget for ``key`` (created on first use)."""
        if key not in self._pages:
            index = next(i for i, s in enumerate(self.specs) if s.key == key)
            widget = self.specs[index].factory(self.ctx)
            widget.setObjectName(f"page-{key}")
            old = self.stack.widget(index)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(old)
            old.deleteLater()
            self._pages[key] = widget
        return self._pages[key]

    def show_page(self, key: str) -> QWidget:
        row = next(i for i, s in enumerate(self.specs) if s.key == key)
        self.nav.setCurrentRow(row)
        return self._pages[key]

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        key = self.specs[row].key
        widget = self.page(key)
        self.stack.setCurrentWidget(widget)
        if key in self._stale:
            self._stale.discard(key)
            widget.refresh()
        # a page's passing message ("1 of 3,001 people") does not belong to the next page
        self.statusBar().clearMessage()

    @property
    def created_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    # ---- menus and status ------------------------------------------------------------
    def _build_menu(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.quit_action = QAction(self)
        # Ctrl+Q spelled out: QKeySequence.Quit has no key on Windows (and offscreen), so the
        # menu showed no shortcut, or only "Q"
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.switch_user_action = QAction(self)
        self.switch_user_action.setObjectName("switch_user")
        self.switch_user_action.triggered.connect(lambda: self.switch_user("switch_user"))
        self.log_out_action = QAction(self)
        self.log_out_action.setObjectName("log_out")
        self.log_out_action.triggered.connect(lambda: self.switch_user("logout"))
        self.file_menu.addAction(self.switch_user_action)
        self.file_menu.addAction(self.log_out_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.help_menu = self.menuBar().addMenu("")
        # user guide, diagnostics file, About (ui/help.py)
        self.help_actions = HelpActions(self, self.help_menu, self.ctx)
        self.about_action = self.help_actions.about_action

    def refresh_status(self) -> None:
        session = self.ctx.session
        actor = session.actor
        self.user_label.setText(_("{name} ({role})").format(
            name=actor.display_name or actor.username, role=role_label(actor.role)))
        self.user_label.setToolTip(_("Logged in as {username}").format(username=actor.username))
        office_code = session.meta("office_code") or ""
        row = session.conn.execute("SELECT name FROM office WHERE id=?",
                                   (session.office_id,)).fetchone()
        office_name = row[0] if row else ""
        self.office_label.setText(_("Office: {name} ({code})").format(name=office_name,
                                                                       code=office_code))
        device = session.conn.execute("SELECT name, code FROM device WHERE is_self=1").fetchone()
        self.device_label.setText(_("Device: {name} ({code})").format(
            name=device[0] if device else "", code=device[1] if device else ""))
        count = count_people(session.conn)
        self.count_label.setText(ngettext("{count} person", "{count} people", count)
                                 .format(count=i18n.format_number(count)))

    def _data_changed(self, _table: str) -> None:
        self.refresh_status()
        # pages out of sight refresh when they are next shown, not now: refreshing them all
        # after each save (charts, lists) froze the window for a second on a full office
        for key, widget in self._pages.items():
            if hasattr(widget, "refresh") and widget is not self.stack.currentWidget():
                self._stale.add(key)

    # ---- language --------------------------------------------------------------------
    def _language_changed(self, _language: str) -> None:
        app = QApplication.instance()
        if app is not None:
            refresh(app)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Hamroh"))
        for row, spec in enumerate(self.specs):
            self.nav.item(row).setText(spec.title())
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.switch_user_action.setText(_("&Switch user…"))
        self.log_out_action.setText(_("&Log out"))
        self.help_menu.setTitle(_("&Help"))
        self.help_actions.retranslate()
        for widget in self._pages.values():
            if hasattr(widget, "retranslate"):
                widget.retranslate()
        self.refresh_status()

    # ---- closing ---------------------------------------------------------------------
    def unsaved_pages(self) -> list[str]:
        return [key for key, widget in self._pages.items()
                if getattr(widget, "has_unsaved_changes", lambda: False)()]

    def may_discard_changes(self, question: str) -> bool:
        """True when nothing is unsaved or the user agrees to lose it."""
        if not self.unsaved_pages():
            return True
        answer = QMessageBox.question(
            self, _("Unsaved changes"), question,
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def switch_user(self, how: str = "switch_user") -> bool:
        """File > Log out (``how="logout"``) or Switch user: ask about unsaved changes, close
        this window and its session; ``on_switch_user`` shows the login window and opens the
        main window of whoever logs in. False when the user kept working here."""
        if not self.may_discard_changes(
                _("Some changes have not been saved. Log out and lose them?")):
            return False
        self._closing_for_switch = True
        if not self.close():
            self._closing_for_switch = False
            return False
        if self.on_switch_user is not None:
            self.on_switch_user(self, how)
        return True

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self._closing_for_switch and not self.may_discard_changes(
                _("Some changes have not been saved. Close Hamroh and lose them?")):
            event.ignore()
            return
        self.save_placement()
        i18n.remove_listener(self._language_changed)
        operations.shutdown(self.ctx)
        event.accept()

    # ---- where the window is ---------------------------------------------------------
    def save_placement(self) -> None:
        preferences.save({"window": {
            "maximized": self.isMaximized(),
            "geometry": bytes(self.saveGeometry().toBase64().data()).decode("ascii")}})

    def show_as_left(self) -> None:
        """Maximised the first time; afterwards as the user left it."""
        placement = preferences.load().get("window")
        if not isinstance(placement, dict):
            self.showMaximized()
            return
        geometry = placement.get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        if placement.get("maximized"):
            self.showMaximized()
        else:
            self.show()
