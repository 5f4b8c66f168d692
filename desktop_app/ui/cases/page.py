"""The cases page: work lists (open, my open cases, new unassigned, follow-ups due and
overdue, all), filters by status and category, cross-script search, new case (Ctrl+N).

Lists are the shared ``ui.widgets.LazyTableModel`` over case rowids: the ordered rowid
list is read by a ReadOp (on the application's DB worker), the visible rows a page of
200 at a time on the UI thread, so a list of 300,000 cases never freezes the window.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.ui import operations, style
from desktop_app.ui.cases.detail import open_case
from desktop_app.ui.cases.intake import IntakeDialog
from desktop_app.ui.cases.readable import keep_readable
from desktop_app.ui.cases.widgets import OVERDUE_BRUSH, SENSITIVE_BRUSH, TODAY_BRUSH
from desktop_app.ui.operations import ReadOp
from desktop_app.ui.widgets import EmptyState, RefCombo, TableOrEmpty, lazy_model, setup_table

DOMAIN = Domain("cases")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

CASE_WIDTHS = [190, 90, 200, 240, 130, 160]
VIEWS = ("open", "mine", "unassigned", "due", "all")
SEARCH_DELAY_MS = 250
FIRST_ROWS = 200           # shown while the whole list is read


def case_columns():
    return [("number", lambda: _("Number")), ("opened_on", lambda: _("Opened")),
            ("who", lambda: _("Person or caller")), ("category", lambda: _("Category")),
            ("status", lambda: _("Status")), ("assigned", lambda: _("Assigned to")),
            ("risk_level", lambda: _("Risk"))]


def case_display(conn):
    """Cell text of list rows; reference labels are cached per language."""
    labels: dict[tuple[str, str, str], str] = {}

    def label(kind: str, code: str, lang: str) -> str:
        key = (kind, code, lang)
        if key not in labels:
            labels[key] = reference.label(conn, kind, code, lang)
        return labels[key]

    def display(row: dict, key: str) -> str:
        lang = current_language()
        value = row.get(key)
        if value is None:
            return ""
        if key == "opened_on" or key == "due_on":
            return format_date(value, lang)
        kind = {"category": "case_category", "status": "case_status",
                "risk_level": "risk_level"}.get(key)
        if kind:
            return label(kind, value, lang)
        if key == "overdue":
            return _("overdue") if value else _("today")
        return str(value)
    return display


def case_list_model(ctx, parent=None):
    """A case list over rowids (``store.cases.queries.list_cases``), sensitive rows tinted."""
    return lazy_model(case_columns(), lambda rowids: cq.fetch_case_rows(ctx.session, rowids),
                      case_display(ctx.conn),
                      brush=lambda r: SENSITIVE_BRUSH if r.get("sensitive") else None,
                      parent=parent)


class CasesPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        conn = ctx.conn
        self._request = 0
        self._loading = False
        self._whole_list_due = False
        # while a case window of this page is open the list behind it cannot be used:
        # writes made there mark it stale and it is read once the window closes
        self._windows_open = 0
        self._stale = False
        self.view = QComboBox()
        self.view.setObjectName("cases_view")
        self.status = RefCombo(conn, "case_status", blank=lambda: _("Any status"))
        self.category = RefCombo(conn, "case_category", blank=lambda: _("Any category"))
        self.search = QLineEdit()
        self.search.setObjectName("cases_search")
        self.search.setClearButtonEnabled(True)
        self.new_button = style.primary(QPushButton())
        self.count = QLabel()
        self.model = case_list_model(ctx, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, CASE_WIDTHS)
        # activated: Enter, and a double click (or the platform's single click); doubleClicked
        # as well would open the case a second time
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        self.due_model = lazy_model(
            [("due_on", lambda: _("Due")), ("overdue", lambda: _("When")),
             ("number", lambda: _("Case")), ("action", lambda: _("To do"))],
            lambda rowids: cq.fetch_followup_rows(ctx.conn, rowids), case_display(conn),
            brush=lambda r: OVERDUE_BRUSH if r.get("overdue") else TODAY_BRUSH, parent=self)
        self.due_table = QTableView()
        self.due_table.setModel(self.due_model)
        setup_table(self.due_table, [100, 150, 190])
        self.due_table.activated.connect(lambda index: self.open_due(index.row()))
        # an empty list says what to do next instead of showing a blank table
        self.empty = EmptyState()
        self.empty.action_triggered.connect(self.new_case)
        self.list_box = TableOrEmpty(self.table, self.empty)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_box)
        self.stack.addWidget(self.due_table)

        bar = QHBoxLayout()
        bar.addWidget(self.view)
        bar.addWidget(self.status)
        bar.addWidget(self.category)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda: self._timer.start())
        self.view.currentIndexChanged.connect(self.refresh)
        self.status.currentIndexChanged.connect(self.refresh)
        self.category.currentIndexChanged.connect(self.refresh)
        self.new_button.clicked.connect(self.new_case)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_case)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        self.search.installEventFilter(self)
        ctx.data_changed.connect(self._on_data_changed)
        self.retranslate()
        keep_readable(self)   # titles and choices read whole in every language

    def retranslate(self) -> None:
        current = self.view.currentData()
        self.view.blockSignals(True)
        self.view.clear()
        titles = {"open": _("Open cases"), "mine": _("My open cases"),
                  "unassigned": _("New, unassigned"), "due": _("Follow-ups due"),
                  "all": _("All cases")}
        for key in VIEWS:
            self.view.addItem(titles[key], key)
        self.view.setCurrentIndex(max(0, self.view.findData(current)))
        self.view.blockSignals(False)
        self.status.retranslate()
        self.category.retranslate()
        self.search.setPlaceholderText(_("Search: name in any script, phone, case number, "
                                         "employer (Ctrl+F)"))
        self.new_button.setText(_("New case (Ctrl+N)"))
        self.model.retranslate()
        self.due_model.retranslate()
        self._explain_empty()
        self.refresh()

    # ---- lists -----------------------------------------------------------------------
    def current_filter(self) -> cq.CaseFilter:
        status = self.status.code()
        return cq.CaseFilter(view=self.view.currentData() or "open",
                             user_id=self.ctx.actor.user_id,
                             statuses=(status,) if status else (),
                             category=self.category.code(), search=self.search.text(),
                             may_open=cq.opener(self.ctx.session))

    def refresh(self) -> None:
        """Read the chosen list (off the UI thread when there is a DB worker; a newer
        request replaces an older one). While a case window of this page is open, only
        remember to read it when the window closes."""
        self._timer.stop()
        if self._windows_open:
            self._stale = True
            return
        self._stale = False
        self._request += 1
        request = self._request
        due = (self.view.currentData() or "open") == "due"
        flt = self.current_filter()
        for widget in (self.status, self.category, self.search):
            widget.setEnabled(not due)

        def work(conn):
            return cq.list_followups_due(conn) if due else cq.list_cases(conn, flt)

        def read_whole_list():
            ReadOp(self.ctx, self, work).key("cases-list") \
                .success(lambda result: self._show(due, result)) \
                .failure(self._list_failed).run()

        if operations.runs_in_place(self.ctx):
            read_whole_list()
            return
        self._set_loading(True)

        def whole_list():
            self._whole_list_due = False
            if request == self._request:
                read_whole_list()

        def first(result):
            self.model.set_keys(result.rowids)
            self.stack.setCurrentWidget(self.list_box)
            # the whole list once the first rows are painted (not competing with them)
            self._whole_list_due = True
            QTimer.singleShot(0, self, whole_list)

        if not due and not flt.search.strip():
            # a long list: its first page at once, then the whole list
            ReadOp(self.ctx, self, lambda conn: cq.list_cases(conn, flt, limit=FIRST_ROWS)) \
                .key("cases-list").success(first).failure(self._list_failed).run()
        else:
            read_whole_list()

    def _explain_empty(self) -> None:
        if self.search.text().strip():
            self.empty.set_message(_("No case matches the search. Try another spelling, a "
                                     "phone or a case number, or look in All cases."))
            self.empty.set_action(None)
        else:
            self.empty.set_message(_("No cases in this list yet. A call or a visit starts "
                                     "one:"))
            self.empty.set_action(_("New case (Ctrl+N)")
                                  if self.ctx.can("create", "hotline_case") else None)

    def _list_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self.count.setText(_("The list could not be read: {error}").format(
            error=operations.error_message(exc)))

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if loading:
            QTimer.singleShot(300, self._show_loading)

    def _show_loading(self) -> None:
        if self._loading:
            self.count.setText(_("Loading…"))

    def _show(self, due: bool, result) -> None:
        self._set_loading(False)
        if due:
            self.due_model.set_keys(result.rowids)
            self.stack.setCurrentWidget(self.due_table)
            count = len(result.rowids)
            self.count.setText(_("{count} follow-ups due, {overdue} overdue").format(
                count=format_number(count), overdue=format_number(result.overdue)))
            return
        self._explain_empty()
        self.model.set_keys(result.rowids)
        self.stack.setCurrentWidget(self.list_box)
        count = len(result.rowids)
        text = ngettext("{count} case", "{count} cases", count).format(
            count=format_number(count))
        if result.capped:
            text += " " + _("(only the newest matches are shown; type more to narrow the "
                            "search)")
        self.count.setText(text)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Wait until the list asked for last has arrived (tests, closing)."""
        deadline = time.monotonic() + msecs / 1000
        while time.monotonic() < deadline:
            if not operations.wait_idle(self.ctx,
                                        int(max(1, deadline - time.monotonic()) * 1000)):
                return False
            if not self._whole_list_due:
                return True
            QCoreApplication.processEvents()
        return False

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        # Esc in the search box clears the search
        if watched is self.search and event.type() == QEvent.KeyPress \
                and event.key() == Qt.Key_Escape and self.search.text():
            self.search.clear()
            return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_data_changed(self, table: str) -> None:
        if table in ("hotline_case", "case_followup", "person", "employer", "*"):
            if self._windows_open:
                self._stale = True
                return
            self.model.invalidate()
            self.due_model.invalidate()
            self.refresh()

    # ---- actions ---------------------------------------------------------------------
    def new_case(self) -> dict | None:
        dialog = IntakeDialog(self.ctx, self)
        self.last_dialog = dialog
        if self._run_window(dialog):
            return dialog.record
        return None

    def _run_window(self, dialog) -> int:
        """Show a modal case window; the list is read again once, after it closed, if
        anything was written meanwhile (not after each save made in it)."""
        self._windows_open += 1
        try:
            return dialog.exec()
        finally:
            self._windows_open -= 1
            if not self._windows_open and self._stale:
                self.model.invalidate()
                self.due_model.invalidate()
                self.refresh()

    def open_row(self, row: int):
        record = self.model.row_data(row)
        return self._open(record["id"]) if record else None

    def open_due(self, row: int):
        record = self.due_model.row_data(row)
        return self._open(record["case_id"]) if record else None

    def _open(self, case_id: str):
        dialog = open_case(self.ctx, case_id, self)
        self.last_dialog = dialog
        if dialog is not None:
            self._run_window(dialog)
        return dialog
