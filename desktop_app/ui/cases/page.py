"""The cases page: work lists (all, my open cases, new unassigned, follow-ups due), filters
by status and category, cross-script search, new case (Ctrl+N)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from desktop_app.i18n import _, current_language, format_date, ngettext
from desktop_app.store import cases as sc
from desktop_app.store import reference
from desktop_app.ui.cases.detail import open_case
from desktop_app.ui.cases.intake import IntakeDialog
from desktop_app.ui.cases.widgets import (OVERDUE_BRUSH, SENSITIVE_BRUSH, TODAY_BRUSH,
                                          LazyRowsModel, RefCombo, setup_table)

CASE_WIDTHS = [190, 90, 200, 240, 130, 160]
VIEWS = ("open", "mine", "unassigned", "due", "all")


def case_columns():
    return [("number", lambda: _("Number")), ("opened_on", lambda: _("Opened")),
            ("who", lambda: _("Person or caller")), ("category", lambda: _("Category")),
            ("status", lambda: _("Status")), ("assigned", lambda: _("Assigned to")),
            ("risk_level", lambda: _("Risk"))]


def case_display(conn):
    def display(row: dict, key: str) -> str:
        lang = current_language()
        value = row.get(key)
        if value is None:
            return ""
        if key == "opened_on" or key == "due_on":
            return format_date(value, lang, "short")
        kind = {"category": "case_category", "status": "case_status",
                "risk_level": "risk_level"}.get(key)
        if kind:
            return reference.label(conn, kind, value, lang)
        if key == "overdue":
            return _("overdue") if value else _("today")
        return str(value)
    return display


class CasesPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        conn = ctx.conn
        self.view = QComboBox()
        self.status = RefCombo(conn, "case_status", blank=lambda: _("Any status"))
        self.category = RefCombo(conn, "case_category", blank=lambda: _("Any category"))
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.new_button = QPushButton()
        self.count = QLabel()
        self.model = LazyRowsModel(case_columns(), self._fetch, case_display(conn),
                                   brush=lambda r: SENSITIVE_BRUSH if r.get("sensitive") else None)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, CASE_WIDTHS)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.due_model = LazyRowsModel(
            [("due_on", lambda: _("Due")), ("overdue", lambda: _("When")),
             ("number", lambda: _("Case")), ("action", lambda: _("To do"))],
            self._fetch_due, case_display(conn),
            brush=lambda r: OVERDUE_BRUSH if r.get("overdue") else TODAY_BRUSH)
        self._due_rows: dict[str, dict] = {}
        self.due_table = QTableView()
        self.due_table.setModel(self.due_model)
        setup_table(self.due_table, [100, 90, 190])
        self.due_table.doubleClicked.connect(lambda index: self.open_due(index.row()))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
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
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda: self._timer.start())
        self.view.currentIndexChanged.connect(self.refresh)
        self.status.currentIndexChanged.connect(self.refresh)
        self.category.currentIndexChanged.connect(self.refresh)
        self.new_button.clicked.connect(self.new_case)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_case)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.search.setFocus)
        ctx.data_changed.connect(self._on_data_changed)
        self.retranslate()

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
        self.status.fill()
        self.category.fill()
        self.search.setPlaceholderText(_("Search: name in any script, phone, case number, "
                                         "employer (Ctrl+F)"))
        self.new_button.setText(_("New case (Ctrl+N)"))
        self.model.retranslate()
        self.due_model.retranslate()
        self.refresh()

    # ---- lists -----------------------------------------------------------------------
    def current_filter(self) -> sc.CaseFilter:
        status = self.status.code()
        return sc.CaseFilter(view=self.view.currentData() or "open",
                             user_id=self.ctx.actor.user_id,
                             statuses=(status,) if status else (),
                             category=self.category.code(), search=self.search.text())

    def refresh(self) -> None:
        view = self.view.currentData() or "open"
        if view == "due":
            rows = sc.followups_due(self.ctx.conn)
            self._due_rows = {r["id"]: r for r in rows}
            self.due_model.set_ids([r["id"] for r in rows])
            self.stack.setCurrentWidget(self.due_table)
            overdue = sum(1 for r in rows if r["overdue"])
            self.count.setText(_("{count} follow-ups due, {overdue} overdue").format(
                count=len(rows), overdue=overdue))
            return
        ids = sc.case_ids(self.ctx.conn, self.current_filter())
        self.model.set_ids(ids)
        self.stack.setCurrentWidget(self.table)
        self.count.setText(ngettext("{count} case", "{count} cases", len(ids)).format(
            count=len(ids)))

    def _fetch(self, ids):
        return sc.case_rows(self.ctx.session, ids)

    def _fetch_due(self, ids):
        return [self._due_rows[i] for i in ids if i in self._due_rows]

    def _on_data_changed(self, table: str) -> None:
        if table in ("hotline_case", "case_followup", "person", "*"):
            self.refresh()

    # ---- actions ---------------------------------------------------------------------
    def new_case(self) -> dict | None:
        dialog = IntakeDialog(self.ctx, self)
        self.last_dialog = dialog
        if dialog.exec():
            return dialog.record
        return None

    def open_row(self, row: int):
        return self._open(self.model.id_at(row))

    def open_due(self, row: int):
        return self._open(self._due_rows[self.due_model.id_at(row)]["case_id"])

    def _open(self, case_id: str):
        dialog = open_case(self.ctx, case_id, self)
        self.last_dialog = dialog
        if dialog is not None:
            dialog.exec()
        return dialog
