"""The main window: module navigation, pages, status bar, language switching."""
from __future__ import annotations

from PySide6.QtCore import Qt
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

from desktop_app import i18n
from desktop_app.i18n import Domain
from desktop_app.i18n.qt import refresh
from desktop_app.store.people.listing import count_people
from desktop_app.ui import operations
from desktop_app.ui.context import AppContext
from desktop_app.ui.help import HelpActions
from desktop_app.ui.pages import PageSpec, discover_pages

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
        self.resize(1200, 760)

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

        self.office_label = QLabel()
        self.device_label = QLabel()
        self.count_label = QLabel()
        for label in (self.office_label, self.device_label, self.count_label):
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
        widget = self.page(self.specs[row].key)
        self.stack.setCurrentWidget(widget)

    @property
    def created_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    # ---- menus and status ------------------------------------------------------------
    def _build_menu(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)
        self.help_menu = self.menuBar().addMenu("")
        # user guide, diagnostics file, About (ui/help.py)
        self.help_actions = HelpActions(self, self.help_menu, self.ctx)
        self.about_action = self.help_actions.about_action

    def refresh_status(self) -> None:
        session = self.ctx.session
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
        for widget in self._pages.values():
            if hasattr(widget, "refresh") and widget is not self.stack.currentWidget():
                widget.refresh()

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

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.unsaved_pages():
            answer = QMessageBox.question(
                self, _("Unsaved changes"),
                _("Some changes have not been saved. Close Hamroh and lose them?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        i18n.remove_listener(self._language_changed)
        operations.shutdown(self.ctx)
        event.accept()
