"""Import a participant list: choose the file, look at every row, then confirm."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop_app.i18n import Domain, format_date, format_number
from desktop_app.i18n.formats import rate_percent
from desktop_app.store.trainings import spreadsheet as ti
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import style_table

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

ENCODINGS = (("", "Automatic"), ("utf-8", "UTF-8"), ("cp1251", "Windows-1251"))
STATUS_COLOURS = {ti.ERROR: "#f6d5d5", ti.DUPLICATE: "#f3e6c8", ti.ALREADY: "#e6e6e6",
                  ti.POSSIBLE: "#fbf1c7", ti.MATCH: "#d8ecd9", ti.NEW: "#ffffff"}


def _date_text(value) -> str:
    """A checked date in the user's format; a wrong one as it was written in the file."""
    try:
        return format_date(value)
    except ValueError:
        return str(value)


class ImportDialog(QDialog):
    """Preview of a participant list; nothing is saved before Import is pressed."""

    def __init__(self, ctx, event_id: str, parent=None, path: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.event_id = event_id
        self.preview: ti.Preview | None = None
        self.result: ti.ImportResult | None = None
        self.resize(1180, 600)
        self.path_edit = QLineEdit(path or "")
        self.browse = QPushButton()
        self.browse.clicked.connect(self._browse)
        self.encoding = QComboBox()
        for code, name in ENCODINGS:
            self.encoding.addItem(name, code)
        self.encoding.currentIndexChanged.connect(lambda *_: self.load())
        self.encoding_label = QLabel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        style_table(self.table)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse)
        top.addWidget(self.encoding_label)
        top.addWidget(self.encoding)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.retranslate()
        if path:
            self.load()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import a participant list"))
        self.browse.setText(_("Choose file…"))
        self.encoding_label.setText(_("Encoding:"))
        self.encoding.setItemText(0, _("Automatic"))
        self.table.setHorizontalHeaderLabels([
            _("Line"), _("Name as written"), _("Date of birth"), _("Result of the check"),
            _("Details"), _("What to do")])
        if not self.table.rowCount():
            # no file yet: each column as wide as its title (100 px cut the Tajik ones)
            self.table.resizeColumnsToContents()
        self.buttons.button(QDialogButtonBox.Ok).setText(_("Import"))
        self._update_summary()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a participant list"), str(Path.home()),
            _("Lists (*.csv *.xlsx);;All files (*)"))
        if path:
            self.path_edit.setText(path)
            self.load()

    def load(self) -> None:
        path = self.path_edit.text().strip()
        self.preview = None
        self.table.setRowCount(0)
        if not path:
            self._update_summary()
            return
        try:
            self.preview = ti.preview_file(self.session.conn, self.event_id, path,
                                           encoding=self.encoding.currentData() or None)
        except ti.ImportFileError as exc:
            self.summary.setText(str(exc))
            self.buttons.button(QDialogButtonBox.Ok).setEnabled(False)
            return
        self._fill()
        self._update_summary()

    def _fill(self) -> None:
        rows = self.preview.rows
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            colour = QBrush(QColor(STATUS_COLOURS[row.status]))
            details = "; ".join(row.errors)
            if not details and row.candidates:
                best = row.candidates[0]
                details = _("{name} (similarity {score})").format(
                    name=best.label, score=rate_percent(int(best.score)))
            cells = [str(row.line), row.name or "", _date_text(row.values.get("birth_date")),
                     ti.status_text(row.status), details]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setBackground(colour)
                self.table.setItem(i, c, item)
            self.table.setCellWidget(i, 5, self._action_box(row))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(4, min(self.table.columnWidth(4), 320))
        self.table.setColumnWidth(5, max(self.table.columnWidth(5), 240))

    def _action_box(self, row: ti.PreviewRow) -> QComboBox:
        box = QComboBox()
        if row.status == ti.ERROR:
            box.addItem(_("Skip (fix the file)"), ("skip", None))
            box.setEnabled(False)
            return box
        box.addItem(_("Register as a new person"), ("new", None))
        for cand in row.candidates:
            box.addItem(_("Same as {name}").format(name=cand.label), ("link", cand.person_id))
        box.addItem(_("Skip"), ("skip", None))
        for i in range(box.count()):
            action, person_id = box.itemData(i)
            if action == row.action and (action != "link" or person_id == row.person_id):
                box.setCurrentIndex(i)
                break
        box.currentIndexChanged.connect(lambda _i, r=row, b=box: self._chosen(r, b))
        return box

    def _chosen(self, row: ti.PreviewRow, box: QComboBox) -> None:
        action, person_id = box.currentData()
        ti.choose(row, action, person_id)
        self._update_summary()

    def _update_summary(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.Ok)
        if self.preview is None:
            self.summary.setText(_("Choose a CSV or XLSX file. The first row names the columns: "
                                   "Family name, Given name, Patronymic, Sex, Date of birth, "
                                   "Phone, Language."))
            ok.setEnabled(False)
            return
        p = self.preview
        self.summary.setText(_(
            "{rows} rows: {new} new, {match} found in the register, {possible} to check, "
            "{errors} with errors, {repeated} repeated or already taking part. "
            "{save} will be saved when you press Import.").format(
            rows=format_number(len(p.rows)), new=format_number(p.count(ti.NEW)),
            match=format_number(p.count(ti.MATCH)),
            possible=format_number(p.count(ti.POSSIBLE)),
            errors=format_number(p.count(ti.ERROR)),
            repeated=format_number(p.count(ti.DUPLICATE) + p.count(ti.ALREADY)),
            save=format_number(p.to_save)))
        ok.setEnabled(p.to_save > 0)

    def save(self) -> None:
        if self.preview is None:
            return
        event_id, preview = self.event_id, self.preview
        WriteOp(self.ctx, self, lambda session: ti.apply_preview(session, event_id, preview),
                changes=("person", "training_participant")) \
            .success(self._imported).failure(self._not_imported).run()

    def _imported(self, result: ti.ImportResult) -> None:
        self.result = result
        self.accept()

    def _not_imported(self, exc: BaseException) -> None:
        # nothing was saved (one transaction)
        self.summary.setText(_("Nothing was imported: {error}").format(error=exc))
