"""The person page's section: the person's cases (all identity ids after merges)."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from desktop_app.i18n import Domain
from desktop_app.store.cases import queries as cq
from desktop_app.ui.cases.detail import open_case
from desktop_app.ui.cases.page import CASE_WIDTHS, case_list_model
from desktop_app.ui.widgets import setup_table

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


class PersonCases(QWidget):
    def __init__(self, ctx, person_ids: list[str], parent=None):
        super().__init__(parent)
        self.ctx, self.person_ids = ctx, list(person_ids)
        self.model = case_list_model(ctx, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, CASE_WIDTHS)
        self.table.doubleClicked.connect(lambda i: self.open_row(i.row()))
        self.table.activated.connect(lambda i: self.open_row(i.row()))
        self.empty = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        ctx.data_changed.connect(self._data_changed)
        self.retranslate()

    def _data_changed(self, table: str) -> None:
        if table in ("hotline_case", "*"):
            self.refresh()

    def retranslate(self) -> None:
        self.empty.setText(_("No cases."))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        # a person has a handful of cases: one indexed read, in place
        rowids = cq.person_case_rowids(self.ctx.conn, self.person_ids)
        self.model.set_keys(rowids)
        self.empty.setVisible(not rowids)
        self.table.setVisible(bool(rowids))

    def open_row(self, row: int):
        record = self.model.row_data(row)
        dialog = open_case(self.ctx, record["id"], self) if record else None
        if dialog is not None:
            dialog.exec()
        return dialog
