"""The report builder: choose a period, offices, indicator groups and disaggregations;
see the result tables; double-click a number to see the records behind it; export."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain, format_number
from desktop_app.reports.builder import build_report
from desktop_app.reports.drilldown import describe_records, drill_down
from desktop_app.reports.exports import export_person_list, export_report
from desktop_app.reports.indicators.base import DEFAULT_AGE_BANDS, DIMENSIONS, GROUPS
from desktop_app.reports.indicators.catalogue import CATALOGUE
from desktop_app.reports.labels import Labels
from desktop_app.reports.lookups import list_districts, list_offices, parse_age_bands
from desktop_app.reports.model import Cancelled, ReportError, ReportRequest
from desktop_app.reports.outputs import OutputError, duplicates_text, value_text
from desktop_app.reports.periods import PeriodError, current_period, parse_period
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import style
from desktop_app.ui.operations import ReadOp
from desktop_app.ui.widgets import CheckList

DOMAIN = Domain("reports")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext

ROLE = Qt.ItemDataRole.UserRole
# the choices' panel: the form, the lists to tick and the Build button
LEFT_WIDTH = 400
USER_ERRORS = (PeriodError, ReportError, OutputError, PermissionDenied, Cancelled)


class DrillDownDialog(QDialog):
    """The records behind one number (names: only for users allowed to see the list)."""

    def __init__(self, title: str, records: list[tuple[str, str]], total: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        shown = len(records)
        text = ngettext("{count} record", "{count} records", total).format(
            count=format_number(total))
        if shown < total:
            text += " " + _("(the first {shown} are listed)").format(shown=format_number(shown))
        self.summary = QLabel(text)
        layout.addWidget(self.summary)
        self.list = QListWidget()
        for record_id, line in records:
            item = QListWidgetItem(line)
            item.setData(ROLE, record_id)
            self.list.addItem(item)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)


class ReportsPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._op: ReadOp | None = None          # the long work the Cancel button stops
        self._running: list[ReadOp] = []
        self.report = None
        self.request = None
        self.last_error = ""
        self.last_dialog: DrillDownDialog | None = None

        self.period_label = QLabel()
        self.period_edit = QLineEdit(current_period("quarter").code)
        self.office_label = QLabel()
        self.office_combo = QComboBox()
        self.district_label = QLabel()
        self.district_combo = QComboBox()
        self.bands_label = QLabel()
        self.bands_edit = QLineEdit(",".join(str(b) for b in DEFAULT_AGE_BANDS))
        self.groups_label = QLabel()
        self.groups = CheckList()
        self.dims_label = QLabel()
        self.dims = CheckList()
        for group in GROUPS:
            self.groups.add(group, checked=True)
        for dim in DIMENSIONS:
            self.dims.add(dim, checked=False)
        self.build_button = QPushButton()
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(lambda _checked=False: self.build())
        self.period_edit.returnPressed.connect(self.build)
        self.export_buttons = {fmt: QPushButton() for fmt in ("pdf", "xlsx", "csv")}
        for fmt, button in self.export_buttons.items():
            button.clicked.connect(lambda _checked=False, f=fmt: self.export(f))
            button.setEnabled(False)
        self.people_button = QPushButton()
        self.people_button.clicked.connect(lambda _checked=False: self.export_people())
        self.people_button.setVisible(ctx.can("view_person_list", "person"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(lambda _checked=False: self.cancel())
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.results = QTreeWidget()
        self.results.setColumnCount(2)
        self.results.setAlternatingRowColors(True)
        self.results.setUniformRowHeights(True)
        self.results.header().setStretchLastSection(True)
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        # itemActivated covers Enter and a double click; itemDoubleClicked as well would
        # open two windows of the same records
        self.results.itemActivated.connect(self._activated)

        form = QFormLayout()
        form.addRow(self.period_label, self.period_edit)
        form.addRow(self.office_label, self.office_combo)
        form.addRow(self.district_label, self.district_combo)
        form.addRow(self.bands_label, self.bands_edit)
        self.dims_label.setWordWrap(True)
        self.groups_label.setWordWrap(True)
        left = QWidget()
        left.setMaximumWidth(LEFT_WIDTH)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(style.GAP)
        left_layout.addLayout(form)
        left_layout.addSpacing(style.GAP)
        left_layout.addWidget(self.groups_label)
        left_layout.addWidget(self.groups)
        left_layout.addSpacing(style.GAP)
        left_layout.addWidget(self.dims_label)
        left_layout.addWidget(self.dims)
        left_layout.addStretch(1)
        left_layout.addWidget(self.build_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(style.GAP)
        right_layout.addWidget(self.status)
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.progress, 1)
        busy_row.addWidget(self.cancel_button)
        right_layout.addLayout(busy_row)
        right_layout.addWidget(self.results, 1)
        right_layout.addWidget(self.hint)
        row = QHBoxLayout()
        self.save_label = QLabel()
        row.addWidget(self.save_label)
        for button in self.export_buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.people_button)
        right_layout.addLayout(row)
        splitter = QSplitter()
        splitter.setHandleWidth(style.SECTION)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([LEFT_WIDTH, 720])
        layout = QVBoxLayout(self)
        style.page_margins(layout)
        layout.addWidget(splitter)
        self._load_offices()
        self.retranslate()

    # ---- page contract ------------------------------------------------------------
    def retranslate(self) -> None:
        self.period_label.setText(_("Period"))
        self.period_edit.setPlaceholderText(_("2026-Q3, 2026-07, 2026 or 2026-01-01..2026-03-31"))
        self.office_label.setText(_("Office"))
        self.office_combo.setItemText(0, _("All offices"))
        self.district_label.setText(_("District"))
        self.bands_label.setText(_("Age bands"))
        self.bands_edit.setToolTip(_("Lower ages of the age bands, e.g. 15,18,30,45"))
        self._load_districts()
        self.groups_label.setText(_("Indicator groups"))
        self.dims_label.setText(_("Disaggregate by (none ticked: each indicator's own)"))
        for group, message in GROUPS.items():
            self.groups.set_text(group, _(message))
        for dim, message in DIMENSIONS.items():
            self.dims.set_text(dim, _(message))
        self.build_button.setText(_("Build report"))
        self.cancel_button.setText(_("Cancel"))
        self.save_label.setText(_("Save as:"))
        self.export_buttons["pdf"].setText("PDF\u2026")
        self.export_buttons["xlsx"].setText("Excel\u2026")
        self.export_buttons["csv"].setText("CSV\u2026")
        self.people_button.setText(_("Export list of people\u2026"))
        self.results.setHeaderLabels([_("Indicator"), _("Value")])
        self._fit_results()
        self.hint.setText(_("Double-click a number to see the records behind it."))
        if self.report is not None and not self.busy:
            self.build()

    def refresh(self) -> None:
        self._load_offices()

    def has_unsaved_changes(self) -> bool:
        return False

    # ---- building -----------------------------------------------------------------
    def _load_offices(self) -> None:
        current = self.office_combo.currentData()
        self.office_combo.clear()
        self.office_combo.addItem(_("All offices"), None)
        own = None
        for code, name, office_id in list_offices(self.ctx.conn):
            self.office_combo.addItem(f"{name} ({code})", code)
            if office_id == self.ctx.actor.office_id:
                own = code
        if current is None and own and self.ctx.actor.role not in ("coordinator",
                                                                   "administrator"):
            current = own  # office-scoped roles start on their own office
        index = self.office_combo.findData(current)
        self.office_combo.setCurrentIndex(max(index, 0))

    def _load_districts(self) -> None:
        current = self.district_combo.currentData()
        self.district_combo.clear()
        self.district_combo.addItem(_("All districts"), None)
        for code, label in list_districts(self.ctx.conn):
            self.district_combo.addItem(label, code)
        self.district_combo.setCurrentIndex(max(self.district_combo.findData(current), 0))

    def current_request(self) -> ReportRequest:
        period = parse_period(self.period_edit.text())
        groups = self.groups.checked()
        if not groups:
            raise ReportError(_("Tick at least one indicator group."))
        dims = self.dims.checked()
        office = self.office_combo.currentData()
        codes = [i.code for i in CATALOGUE.values() if i.group in groups]
        district = self.district_combo.currentData()
        return ReportRequest(period, offices=[office] if office else None,
                             districts=[district] if district else None, indicators=codes,
                             dimensions=dims or None,
                             age_bands=parse_age_bands(self.bands_edit.text()))

    def build(self) -> None:
        try:
            request = self.current_request()
        except USER_ERRORS as exc:
            self._show_error(exc)
            return
        self.build_button.setEnabled(False)
        self.status.setText(_("Computing the report\u2026"))
        self._busy(True)
        # the people indicators run on a second connection beside the others
        connect = getattr(self.ctx, "connection_factory", None)
        self._op = self._run(ReadOp(self.ctx, self, lambda conn, progress: build_report(
            conn, request, progress=progress, cancelled=progress.cancelled, connect=connect))
            .progress(self._progress).success(lambda report: self._show(request, report))
            .failure(self._failed))

    def _run(self, op: ReadOp) -> ReadOp:
        """Run ``op`` off the UI thread (on a thread of its own without a DB worker)."""
        self._running = [o for o in self._running if not o.done] + [op]
        return op.off_ui_thread().run()

    @property
    def busy(self) -> bool:
        return any(not op.done for op in self._running)

    def cancel(self) -> None:
        if self._op is not None:
            self._op.cancel()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setRange(0, 0)

    def _progress(self, done: int, total: int, _stage: str = "") -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _failed(self, exc) -> None:
        self.build_button.setEnabled(True)
        self._busy(False)
        self._show_error(exc)

    def _show_error(self, exc) -> None:
        if isinstance(exc, USER_ERRORS):
            message = str(exc) or _("Cancelled.")
        else:
            message = _("The report could not be computed: {reason}").format(reason=exc)
        self.last_error = message
        self.status.setText(message)

    def _show(self, request, report) -> None:
        self.build_button.setEnabled(True)
        self._busy(False)
        self.request, self.report = request, report
        self.last_error = ""
        self.results.clear()
        for result in report.results:
            indicator = result.indicator
            top = QTreeWidgetItem([indicator.title(), ""])
            top.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            top.setToolTip(0, indicator.describe())
            if not result.available:
                top.setText(1, _("Not recorded in this database"))
                top.setDisabled(True)
            else:
                top.setText(1, "; ".join(value_text(result, t) for t in result.totals) or "0")
                top.setData(0, ROLE, (indicator.code, None, None, None))
                for table in result.tables:
                    head = QTreeWidgetItem([table.title(), ""])
                    top.addChild(head)
                    for row in table.rows:
                        item = QTreeWidgetItem([row.label, value_text(result, row)])
                        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight
                                              | Qt.AlignmentFlag.AlignVCenter)
                        item.setData(0, ROLE, (indicator.code, table.dimension, row.bucket,
                                               row.currency))
                        head.addChild(item)
            self.results.addTopLevelItem(top)
        # the kit's row height (uniform rows: every row as high as the first)
        if self.results.topLevelItemCount():
            self.results.topLevelItem(0).setSizeHint(0, QSize(0, style.ROW_HEIGHT))
        self.results.expandAll()
        self._fit_results()
        status = [request.period.label(), duplicates_text(report)]
        if not report.adds_up():
            status.append(_("Warning: some disaggregations do not add up to their totals."))
        self.status.setText(" \u00b7 ".join(status))
        for button in self.export_buttons.values():
            button.setEnabled(True)

    def _fit_results(self) -> None:
        """The indicators' column as wide as its longest title (and never narrower than
        its own title), within two thirds of the tree; the values take the rest."""
        header = self.results.header()
        self.results.resizeColumnToContents(0)
        wanted = max(self.results.columnWidth(0), header.sectionSizeHint(0),
                     header.sectionSizeFromContents(0).width() + style.GAP)
        room = self.results.viewport().width() * 2 // 3
        self.results.setColumnWidth(0, min(wanted, room) if room > 0 else wanted)

    # ---- drill-down ---------------------------------------------------------------
    def _activated(self, item, _column=0) -> None:
        key = item.data(0, ROLE)
        if key:
            self.drill(*key)

    def drill(self, code, dimension, bucket, currency) -> None:
        """Find the records behind a number off the UI thread, then list them."""
        if self.request is None:
            return
        request, language = self.request, self.report.language
        indicator = CATALOGUE[code]

        def work(session):
            conn = session.conn
            ids = drill_down(session, request, code, dimension, bucket, currency)
            title = indicator.title()
            if dimension:
                title += " \u00b7 " + Labels(conn, language).label(dimension, bucket)
            return title, ids, describe_records(conn, indicator.source.unit_table, ids)

        def show(found):
            title, ids, records = found
            self.last_dialog = DrillDownDialog(title, records, len(ids), self)
            self.last_dialog.open()

        def failed(exc):
            self._show_error(exc)
            QMessageBox.information(self, _("Reports"), self.last_error)

        self._run(ReadOp(self.ctx, self, work).in_session().success(show).failure(failed))

    # ---- exports ------------------------------------------------------------------
    def export(self, fmt: str, path: str | None = None) -> None:
        if self.request is None:
            return
        if path is None:
            filters = {"pdf": _("PDF files (*.pdf)"), "xlsx": _("Excel workbooks (*.xlsx)"),
                       "csv": _("CSV files (*.csv)")}
            path, _selected = QFileDialog.getSaveFileName(
                self, _("Save the report"), f"report-{self.request.period.code}.{fmt}",
                filters[fmt])
            if not path:
                return
        request = self.request
        self.status.setText(_("Writing {path}\u2026").format(path=path))
        connect = getattr(self.ctx, "connection_factory", None)
        self._run(ReadOp(self.ctx, self, lambda session: export_report(
            session, request, fmt, path, connect=connect)).in_session()
            .success(lambda _report: self.status.setText(_("Saved {path}.").format(path=path)))
            .failure(self._show_error))

    def export_people(self, fmt: str | None = None, path: str | None = None) -> None:
        try:
            request = self.current_request()
        except USER_ERRORS as exc:
            self._show_error(exc)
            return
        if path is None:
            path, selected = QFileDialog.getSaveFileName(
                self, _("Export list of people"), "people.xlsx",
                ";;".join([_("Excel workbooks (*.xlsx)"), _("CSV files (*.csv)")]))
            if not path:
                return
        fmt = fmt or ("csv" if path.lower().endswith(".csv") else "xlsx")
        self.status.setText(_("Writing {path}\u2026").format(path=path))
        self._busy(True)

        def done(count):
            self._busy(False)
            self.status.setText(ngettext(
                "Wrote {count} person to {path}.", "Wrote {count} people to {path}.",
                count).format(count=format_number(count), path=path))

        def failed(exc):
            self._busy(False)
            self._show_error(exc)

        self._op = self._run(ReadOp(self.ctx, self, lambda session, progress: export_person_list(
            session, fmt, path, request, progress=lambda n: progress(0, 0),
            cancelled=progress.cancelled)).in_session().progress(self._progress)
            .success(done).failure(failed))
