"""The main window: module navigation (icons and labels, who is logged in and where; it
folds to icons on a narrow window), pages, status bar, language switching."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt
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
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import i18n, preferences
from desktop_app.i18n import Domain
from desktop_app.i18n.qt import refresh
from desktop_app.store.people.listing import count_people
from desktop_app.ui import icons, operations, style
from desktop_app.ui.context import AppContext
from desktop_app.ui.help import HelpActions
from desktop_app.ui.pages import PageSpec, discover_pages
from desktop_app.ui.security.roles import role_label
from desktop_app.ui.widgets import fit_on_screen
from desktop_app.ui.widgets.combos import refit_to_language

DOMAIN = Domain("core")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

NAV_WIDTH = 200          # the navigation with labels
NAV_COMPACT_WIDTH = 56   # folded to icons
# below this window width the navigation folds to icons by itself (the pages need the room)
FOLD_BELOW = 1100


class _NavDelegate(QStyledItemDelegate):
    """Draws a navigation row as icon and label, or the icon alone when folded (the label
    stays the item's text: it is the tooltip then, and what screen readers say)."""

    def __init__(self, nav: "Navigation"):
        super().__init__(nav)
        self.nav = nav

    def initStyleOption(self, option, index):  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        if self.nav.compact:
            option.text = ""
            option.displayAlignment = Qt.AlignmentFlag.AlignCenter
            option.decorationPosition = option.Position.Top


class Navigation(QListWidget):
    """The list of pages: an icon and a label each, the current page highlighted."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.compact = False
        self.setObjectName("navigation")
        self.setIconSize(QSize(style.ICON, style.ICON))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setItemDelegate(_NavDelegate(self))

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        for row in range(self.count()):
            item = self.item(row)
            item.setToolTip(item.text() if compact else "")
        self.ensurePolished()
        self.doItemsLayout()
        self.viewport().update()


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

        self.setWindowIcon(icons.app_icon())
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = Navigation()
        self.stack = QStackedWidget()
        layout.addWidget(self._navigation_panel())
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        for spec in self.specs:
            item = QListWidgetItem(icons.page_icon(spec.key, spec.icon), spec.title())
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
            placeholder = QWidget()
            placeholder.setObjectName(f"placeholder-{spec.key}")
            self.stack.addWidget(placeholder)
        self.nav.currentRowChanged.connect(self._show_row)

        self.device_label = QLabel()
        # office and device names come from other offices' bundles: text, never HTML
        self.device_label.setTextFormat(Qt.PlainText)
        self.count_label = QLabel()
        for label in (self.device_label, self.count_label):
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

    # ---- navigation ------------------------------------------------------------------
    def _navigation_panel(self) -> QWidget:
        """Who is logged in and in which office on top, the pages, the fold button below."""
        self.nav_panel = QWidget()
        self.nav_panel.setObjectName("navigation_panel")
        column = QVBoxLayout(self.nav_panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.nav_header = QWidget()
        self.nav_header.setObjectName("navigation_header")
        header = QVBoxLayout(self.nav_header)
        header.setContentsMargins(style.MARGIN, style.MARGIN, style.GAP, style.GAP)
        header.setSpacing(style.UNIT)
        self.user_label = QLabel()
        self.user_label.setTextFormat(Qt.PlainText)
        self.user_label.setObjectName("logged_in_user")
        self.user_label.setWordWrap(True)
        self.office_label = QLabel()
        self.office_label.setTextFormat(Qt.PlainText)
        self.office_label.setObjectName("navigation_office")
        self.office_label.setWordWrap(True)
        header.addWidget(self.user_label)
        header.addWidget(self.office_label)
        self.nav_footer = QWidget()
        self.nav_footer.setObjectName("navigation_footer")
        footer = QHBoxLayout(self.nav_footer)
        footer.setContentsMargins(style.GAP, style.UNIT, style.GAP, style.GAP)
        self.fold_button = QToolButton()
        self.fold_button.setObjectName("fold_navigation")
        self.fold_button.setAutoRaise(True)
        self.fold_button.setIconSize(QSize(style.ICON, style.ICON))
        self.fold_button.clicked.connect(lambda: self.set_navigation_folded(
            not self.nav.compact, by_hand=True))
        footer.addWidget(self.fold_button)
        footer.addStretch(1)
        column.addWidget(self.nav_header)
        column.addWidget(self.nav, 1)
        column.addWidget(self.nav_footer)
        self._folded_by_hand: bool | None = None
        self._apply_fold(False)
        return self.nav_panel

    def set_navigation_folded(self, folded: bool, by_hand: bool = False) -> None:
        """Icons only (``folded``) or icons and labels; a choice made by hand holds until
        the window's width crosses FOLD_BELOW again."""
        if by_hand:
            self._folded_by_hand = folded
        self._apply_fold(folded)

    def _apply_fold(self, folded: bool) -> None:
        self.nav.set_compact(folded)
        width = NAV_COMPACT_WIDTH if folded else NAV_WIDTH
        self.nav_panel.setFixedWidth(width)
        self.nav_header.setVisible(not folded)
        self.fold_button.setIcon(icons.icon("panel-left-open" if folded else "panel-left-close"))
        self.fold_button.setToolTip(_("Show the page names") if folded
                                    else _("Show icons only"))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        # the system went dark or light: icons are drawn in the palette's colours
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) \
                and hasattr(self, "fold_button") \
                and self.nav.count() == len(self.specs):
            for row, spec in enumerate(self.specs):
                self.nav.item(row).setIcon(icons.page_icon(spec.key, spec.icon))
            self._apply_fold(self.nav.compact)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        narrow = event.size().width() < FOLD_BELOW
        if narrow != (event.oldSize().width() < FOLD_BELOW) or event.oldSize().width() < 0:
            self._folded_by_hand = None
        folded = self._folded_by_hand if self._folded_by_hand is not None else narrow
        if folded != self.nav.compact:
            self._apply_fold(folded)

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
        self._update_title()

    def _update_title(self) -> None:
        """"People — Hamroh": the page the user is on, then the application."""
        row = self.nav.currentRow()
        if 0 <= row < len(self.specs):
            self.setWindowTitle(_("{page} — Hamroh").format(page=self.specs[row].title()))
        else:
            self.setWindowTitle(_("Hamroh"))

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
        self.nav_header.setToolTip(self.user_label.text())
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
        for row, spec in enumerate(self.specs):
            self.nav.item(row).setText(spec.title())
        self.nav.set_compact(self.nav.compact)
        self._apply_fold(self.nav.compact)
        self._update_title()
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.switch_user_action.setText(_("&Switch user…"))
        self.log_out_action.setText(_("&Log out"))
        self.help_menu.setTitle(_("&Help"))
        self.help_actions.retranslate()
        for widget in self._pages.values():
            if hasattr(widget, "retranslate"):
                widget.retranslate()
        refit_to_language(self)
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
