"""The person page's section: the person's cases (all identity ids after merges)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from desktop_app.i18n import _
from desktop_app.store import cases as sc
from desktop_app.ui.cases.detail import open_case
from desktop_app.ui.cases.page import CASE_WIDTHS, case_columns, case_display
from desktop_app.ui.cases.widgets import SENSITIVE_BRUSH, LazyRowsModel, setup_table


class PersonCases(QWidget):
    def __init__(self, ctx, person_ids: list[str], parent=None):
        super().__init__(parent)
        self.ctx, self.person_ids = ctx, list(person_ids)
        self.model = LazyRowsModel(case_columns(), lambda ids: sc.case_rows(ctx.session, ids),
                                   case_display(ctx.conn),
                                   brush=lambda r: SENSITIVE_BRUSH if r.get("sensitive") else None)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, CASE_WIDTHS)
        self.table.doubleClicked.connect(lambda i: self.open_row(i.row()))
        self.empty = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        ctx.data_changed.connect(lambda table: table == "hotline_case" and self.refresh())
        self.retranslate()

    def retranslate(self) -> None:
        self.empty.setText(_("No cases."))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        ids = [c["id"] for c in sc.cases_of_person(self.ctx.conn, self.person_ids)]
        self.model.set_ids(ids)
        self.empty.setVisible(not ids)
        self.table.setVisible(bool(ids))

    def open_row(self, row: int):
        dialog = open_case(self.ctx, self.model.id_at(row), self)
        if dialog is not None:
            dialog.exec()
        return dialog
