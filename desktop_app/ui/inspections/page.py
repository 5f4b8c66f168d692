"""Labour inspections and employers: lists, a new inspection (violations, sanctions with
fines, linked cases), employers with their cases and inspections (repeat offenders first)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.cases import CURRENCIES
from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.inspections import queries as iq
from desktop_app.store.inspections import repositories as si
from desktop_app.store.inspections import services as isv
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations, style
from desktop_app.ui.cases.detail import open_case
from desktop_app.ui.cases.readable import keep_readable
from desktop_app.ui.cases.widgets import REPEAT_BRUSH, ErrorLabel, FieldErrors
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import (
    CheckList,
    DataTable,
    DateEntry,
    EmptyState,
    MoneyEntry,
    RefCombo,
    TableOrEmpty,
    by_id,
    lazy_model,
    setup_table,
)

DOMAIN = Domain("inspections")
COUNT_COLUMNS = (2, 3, 4)    # of the employers list: cases, inspections, violations
FIGURE = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


def _show_refusal(dialog, errors: FieldErrors, exc: BaseException) -> None:
    """A refused save shown at the form's fields; anything else in a message box."""
    if isinstance(exc, ValidationError):
        errors.show(exc.errors)
    elif isinstance(exc, PermissionDenied):
        errors.show({"general": str(exc)})
    else:
        operations.show_error(dialog, exc)


def _inspection_display(conn):
    def display(row, key):
        lang = current_language()
        value = row.get(key)
        if value is None:
            return ""
        if key == "inspected_on":
            return format_date(value, lang)
        if key == "trigger":
            return reference.label(conn, "inspection_trigger", value, lang)
        if isinstance(value, int):   # violations, linked cases
            return format_number(value, lang)
        return str(value)
    return display


class InspectionsPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        conn = ctx.conn
        self.tabs = QTabWidget()
        # inspections
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.new_button = style.primary(QPushButton())
        self.model = lazy_model(
            [("number", lambda: _("Number")), ("inspected_on", lambda: _("Date")),
             ("employer_name", lambda: _("Enterprise")), ("trigger", lambda: _("Trigger")),
             ("violations", lambda: _("Violations")), ("cases", lambda: _("Linked cases"))],
            lambda ids: by_id(iq.inspection_rows(conn, ids)), _inspection_display(conn),
            parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        setup_table(self.table, [210, 90, 260, 160, 90])
        self.table.doubleClicked.connect(lambda i: self.open_inspection(self.model.key_at(i.row())))
        self.table.activated.connect(lambda i: self.open_inspection(self.model.key_at(i.row())))
        page = QWidget()
        box = QVBoxLayout(page)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        box.addLayout(bar)
        self.empty = EmptyState()
        self.empty.action_triggered.connect(self.new_inspection)
        self.list_box = TableOrEmpty(self.table, self.empty)
        box.addWidget(self.list_box)
        self.tabs.addTab(page, "")
        # employers
        self.emp_search = QLineEdit()
        self.emp_search.setClearButtonEnabled(True)
        self.repeat_only = QCheckBox()
        self.new_employer = style.primary(QPushButton())
        self.merge_employers = QPushButton()
        self.merge_employers.setEnabled(False)
        self.employer_message = QLabel()
        self.employer_message.setWordWrap(True)
        self.employers = QTableWidget(0, 6)
        setup_table(self.employers, [300, 130, 80, 90, 90])
        self.employers.setEditTriggers(QTableWidget.NoEditTriggers)
        # two rows chosen (Ctrl+click, Shift+arrows) can be merged
        self.employers.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.employers.itemSelectionChanged.connect(
            lambda: self.merge_employers.setEnabled(len(self.selected_employers()) == 2))
        self.employers.doubleClicked.connect(
            lambda i: self.open_employer(self.employers.item(i.row(), 0).data(Qt.UserRole)))
        self.employers.activated.connect(
            lambda i: self.open_employer(self.employers.item(i.row(), 0).data(Qt.UserRole)))
        page = QWidget()
        box = QVBoxLayout(page)
        bar = QHBoxLayout()
        bar.addWidget(self.emp_search, 1)
        bar.addWidget(self.repeat_only)
        bar.addWidget(self.new_employer)
        bar.addWidget(self.merge_employers)
        box.addLayout(bar)
        box.addWidget(self.employers)
        box.addWidget(self.employer_message)
        self.tabs.addTab(page, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self.search.textChanged.connect(self.refresh)
        self.emp_search.textChanged.connect(self.refresh_employers)
        self.repeat_only.toggled.connect(self.refresh_employers)
        self.new_button.clicked.connect(lambda _checked=False: self.new_inspection())
        # Ctrl+F: the search of the tab shown (as on the other lists)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)
        self.new_employer.clicked.connect(self.add_employer)
        self.merge_employers.clicked.connect(lambda _checked=False: self.merge_selected())
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_inspection)
        ctx.data_changed.connect(lambda t: t in ("inspection", "employer", "*") and self.refresh())
        self.retranslate()
        keep_readable(self)   # titles and choices read whole in every language

    def focus_search(self) -> None:
        search = self.search if self.tabs.currentIndex() == 0 else self.emp_search
        search.setFocus(Qt.ShortcutFocusReason)
        search.selectAll()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Inspections"))
        self.tabs.setTabText(1, _("Employers"))
        self.search.setPlaceholderText(_("Enterprise (any script) or inspection number"))
        self.emp_search.setPlaceholderText(_("Enterprise name, any script"))
        self.new_button.setText(_("New inspection (Ctrl+N)"))
        self.new_employer.setText(_("New employer"))
        self.merge_employers.setText(_("Merge the two selected…"))
        self.merge_employers.setToolTip(_(
            "One enterprise entered twice: choose both rows (Ctrl+click), then the name "
            "to keep. Cases and inspections of the other move to it."))
        self.repeat_only.setText(_("Repeat offenders only"))
        self.employers.setHorizontalHeaderLabels([
            _("Enterprise"), _("City"), _("Cases"), _("Inspections"), _("Violations"), ""])
        header = self.employers.horizontalHeader()
        for column in COUNT_COLUMNS:    # counts: as wide as the header in the language
            # figures read right-aligned, their titles above them, as in every list
            self.employers.horizontalHeaderItem(column).setTextAlignment(FIGURE)
            self.employers.setColumnWidth(column, max(
                80, header.sectionSizeFromContents(column).width() + 8))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        self._explain_empty()
        self.model.set_keys(iq.inspection_ids(self.ctx.conn, search=self.search.text()))
        self.refresh_employers()

    def _explain_empty(self) -> None:
        if self.search.text().strip():
            self.empty.set_message(_("No inspection matches the search. Try the enterprise's "
                                     "name in another spelling or the inspection number."))
            self.empty.set_action(None)
        else:
            self.empty.set_message(_("No inspections yet. Record the first one:"))
            self.empty.set_action(_("New inspection (Ctrl+N)")
                                  if self.ctx.can("create", "inspection") else None)

    def refresh_employers(self) -> None:
        lang = current_language()
        rows = cq.find_employers(self.ctx.conn, self.emp_search.text(), limit=2000)
        if self.repeat_only.isChecked():
            rows = [r for r in rows if r["repeat_offender"]]
        self.employer_rows = rows
        self.employers.setRowCount(len(rows))
        for n, r in enumerate(rows):
            city = reference.label(self.ctx.conn, "city", r["city"], lang) if r["city"] else ""
            cells = [r["name"], city, format_number(r["cases"]),
                     format_number(r["inspections"]), format_number(r["violations"]),
                     _("repeat offender") if r["repeat_offender"] else ""]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.UserRole, r["id"])
                if r["repeat_offender"]:
                    item.setBackground(REPEAT_BRUSH)
                if c in COUNT_COLUMNS:
                    item.setTextAlignment(FIGURE)
                self.employers.setItem(n, c, item)

    def selected_employers(self) -> list[dict]:
        rows = sorted({index.row() for index in self.employers.selectionModel().selectedRows()})
        return [self.employer_rows[n] for n in rows if n < len(self.employer_rows)]

    def merge_selected(self, keep_first: bool | None = None) -> None:
        """Merge the two selected employers; ``keep_first`` answers the question which
        record to keep (None: ask)."""
        chosen = self.selected_employers()
        if len(chosen) != 2:
            return
        first, second = chosen
        if keep_first is None:
            # names on lines of their own: many carry their own «» already
            box = QMessageBox(QMessageBox.Icon.Question, _("Merge employers"), _(
                "These two become one employer with the cases and inspections of both:\n"
                "{first}\n{second}\n\nWhich name should stay?").format(
                    first=first["name"], second=second["name"]),
                QMessageBox.StandardButton.NoButton, self)
            box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
            keep_first_button = box.addButton(first["name"], QMessageBox.ButtonRole.AcceptRole)
            keep_second_button = box.addButton(second["name"], QMessageBox.ButtonRole.AcceptRole)
            box.exec()
            if box.clickedButton() not in (keep_first_button, keep_second_button):
                return
            keep_first = box.clickedButton() is keep_first_button
        keep, other = (first, second) if keep_first else (second, first)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, (ValidationError, PermissionDenied)):
                self.employer_message.setText(str(exc) if isinstance(exc, PermissionDenied)
                                              else " ".join(exc.errors.values()))
            else:
                operations.show_error(self, exc)

        def merged(moved) -> None:
            moved_cases, moved_inspections = moved
            self.employer_message.setText(_(
                "Merged into {keep}: {other} ({cases} and {inspections} moved).").format(
                    other=other["name"], keep=keep["name"],
                    cases=ngettext("{count} case", "{count} cases", moved_cases).format(
                        count=format_number(moved_cases)),
                    inspections=ngettext("{count} inspection", "{count} inspections",
                                         moved_inspections).format(count=format_number(moved_inspections))))
            self.refresh()
        keep_id, other_id = keep["id"], other["id"]
        WriteOp(self.ctx, self, lambda session: isv.merge_employers(session, keep_id, other_id),
                changes=("employer",)).success(merged).failure(refused).run()

    def new_inspection(self, employer_id: str | None = None):
        dialog = InspectionDialog(self.ctx, self, employer_id=employer_id)
        self.last_dialog = dialog
        if dialog.exec():
            self.refresh()
        return dialog

    def add_employer(self):
        dialog = EmployerDialog(self.ctx, self)
        self.last_dialog = dialog
        if dialog.exec():
            self.refresh_employers()
        return dialog

    def open_employer(self, employer_id: str):
        dialog = EmployerView(self.ctx, employer_id, self)
        self.last_dialog = dialog
        dialog.exec()
        return dialog

    def open_inspection(self, inspection_id: str):
        dialog = InspectionView(self.ctx, inspection_id, self)
        self.last_dialog = dialog
        dialog.exec()
        return dialog


class EmployerDialog(QDialog):
    """A new employer, or an employer edited after it was saved (``employer_id``)."""

    def __init__(self, ctx, parent=None, employer_id: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.employer_id = employer_id
        self.record = None
        conn = ctx.conn
        self.errors = FieldErrors()
        self.name = QLineEdit()
        self.country = RefCombo(conn, "country")
        self.city = RefCombo(conn, "city")
        self.sector = RefCombo(conn, "sector")
        self.size = RefCombo(conn, "employer_size")
        self.union = QCheckBox()
        self.agreement = QCheckBox()
        self.high_risk = QCheckBox()
        self.tax = QLineEdit()
        self.notes = QLineEdit()
        form = QFormLayout()
        self.labels = [QLabel() for _i in range(7)]
        fields = [("name", self.name), ("country", self.country), ("city", self.city),
                  ("sector", self.sector), ("size", self.size), ("tax_number", self.tax),
                  ("notes", self.notes)]
        for label, (name, widget) in zip(self.labels, fields, strict=True):
            label.setBuddy(widget)
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(self.errors.label(name))
            form.addRow(label, box)
        form.addRow("", self.union)
        form.addRow("", self.agreement)
        form.addRow("", self.high_risk)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.errors.general = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        if employer_id:
            self.load(sc.EmployerRepository(ctx.session).require(employer_id))
        self.retranslate()

    def load(self, record: dict) -> None:
        self.name.setText(record.get("name") or "")
        self.country.set_code(record.get("country"))
        self.city.set_code(record.get("city"))
        self.sector.set_code(record.get("sector"))
        self.size.set_code(record.get("size"))
        self.tax.setText(record.get("tax_number") or "")
        self.notes.setText(record.get("notes") or "")
        self.union.setChecked(bool(record.get("union_present")))
        self.agreement.setChecked(bool(record.get("collective_agreement")))
        self.high_risk.setChecked(bool(record.get("high_risk")))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit employer") if self.employer_id else _("New employer"))
        for label, text in zip(self.labels, (_("Enterprise name"), _("Country"), _("City"),
                                             _("Sector"), _("Size"), _("Tax number"),
                                             _("Notes")), strict=True):
            label.setText(text)
        self.union.setText(_("A trade union is present"))
        self.agreement.setText(_("Has a collective agreement"))
        self.high_risk.setText(_("High-risk enterprise"))
        for combo in (self.country, self.city, self.sector, self.size):
            combo.retranslate()

    def values(self) -> dict:
        return dict(name=self.name.text(), country=self.country.code(), city=self.city.code(),
                    sector=self.sector.code(), size=self.size.code(),
                    tax_number=self.tax.text(), notes=self.notes.text(),
                    union_present=self.union.isChecked(),
                    collective_agreement=self.agreement.isChecked(),
                    high_risk=self.high_risk.isChecked())

    def save(self) -> None:
        employer_id, values = self.employer_id, self.values()

        def work(session):
            repo = sc.EmployerRepository(session)
            return repo.update(employer_id, values) if employer_id else repo.create(values)
        WriteOp(self.ctx, self, work, changes=("employer",)).success(self._saved) \
            .failure(lambda exc: _show_refusal(self, self.errors, exc)).run()

    def _saved(self, record: dict) -> None:
        self.record = record
        self.errors.clear()
        self.accept()


class InspectionDialog(QDialog):
    """A new inspection (enterprise, date, trigger, inspector, violations, sanctions, cases),
    or a saved one edited (``inspection_id``): violations found later, a fine added."""

    SANCTION_ROWS = 3

    def __init__(self, ctx, parent=None, employer_id: str | None = None,
                 inspection_id: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.inspection_id = inspection_id
        self.record = None
        conn = ctx.conn
        existing = si.InspectionRepository(ctx.session).require(inspection_id) \
            if inspection_id else None
        saved_sanctions = iq.sanctions_of(conn, inspection_id) if inspection_id else []
        self.sanction_rows = max(self.SANCTION_ROWS, len(saved_sanctions) + 1)
        if existing:
            employer_id = existing["employer_id"]
        self.errors = FieldErrors()
        self.employer = QComboBox()
        self.employer.setEditable(False)
        self.employer.addItem("", None)
        for r in cq.find_employers(conn, limit=5000):
            self.employer.addItem(r["name"], r["id"])
        if employer_id:
            self.employer.setCurrentIndex(self.employer.findData(employer_id))
        self.date = DateEntry()
        self.trigger = RefCombo(conn, "inspection_trigger")
        self.inspector = QLineEdit(ctx.actor.display_name or ctx.actor.username)
        # the kit's list to tick: 28 px rows (a plain list drew them 14 px, the boxes touching)
        self.violations = CheckList()
        self.sanctions = []
        sanction_box = QVBoxLayout()
        for n in range(self.sanction_rows):
            code = RefCombo(conn, "sanction")
            amount = MoneyEntry()
            amount.setMinimumWidth(110)
            currency = QComboBox()
            currency.addItem("", None)
            for c in CURRENCIES:
                currency.addItem(c, c)
            currency.currentIndexChanged.connect(
                lambda _index, a=amount, c=currency: a.set_currency(c.currentData()))
            row = QHBoxLayout()
            row.addWidget(code, 2)
            row.addWidget(amount, 1)
            row.addWidget(currency)
            sanction_box.addLayout(row)
            sanction_box.addWidget(self.errors.label(f"sanction_{n}"))
            sanction_box.addWidget(self.errors.label(f"fine_{n}"))
            sanction_box.addWidget(self.errors.label(f"currency_{n}"))
            self.sanctions.append((code, amount, currency))
        self.cases = QLineEdit()
        self.findings = QLineEdit()
        form = QFormLayout()
        self.labels = [QLabel() for _i in range(8)]
        fields = [("employer_id", self.employer), ("inspected_on", self.date),
                  ("trigger", self.trigger), ("inspector_name", self.inspector),
                  ("violations", self.violations), (None, sanction_box),
                  ("case_ids", self.cases), ("findings", self.findings)]
        for label, (name, widget) in zip(self.labels, fields, strict=True):
            box = QVBoxLayout()
            if isinstance(widget, QWidget):
                box.addWidget(widget)
            else:
                box.addLayout(widget)
            if name:
                box.addWidget(self.errors.label(name))
            form.addRow(label, box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.errors.general = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.errors.general)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        self._checked: set[str] = set()
        if existing:
            self.load(existing, saved_sanctions)
        self.retranslate()

    def load(self, record: dict, sanctions: list[dict]) -> None:
        conn = self.ctx.conn
        self.date.set_value(date.fromisoformat(record["inspected_on"]))
        self.trigger.set_code(record["trigger"])
        self.inspector.setText(record.get("inspector_name") or "")
        self.findings.setText(record.get("findings") or "")
        self._checked = {v["violation"] for v in iq.violations_of(conn, record["id"])}
        # the form keeps one more (empty) row than there are saved sanctions
        for (code, amount, currency), row in zip(self.sanctions, sanctions, strict=False):
            code.set_code(row["sanction"])
            currency.setCurrentIndex(max(0, currency.findData(row.get("fine_currency"))))
            if row.get("fine_minor") is not None and row.get("fine_currency"):
                amount.set_minor(row["fine_minor"], row["fine_currency"])
            else:
                amount.clear()
        self.cases.setText(", ".join(c["number"] for c in iq.cases_of(conn, record["id"])))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit inspection") if self.inspection_id else _("New inspection"))
        for label, text in zip(self.labels, (
                _("Enterprise"), _("Date"), _("Trigger"), _("Inspector"),
                _("Violations that were found"), _("Sanctions (fine: amount and currency)"),
                _("Linked case numbers"), _("Findings")), strict=True):
            label.setText(text)
        self.cases.setPlaceholderText(_("Case numbers separated by commas"))
        checked = set(self.checked_violations()) | self._checked
        self._checked = set()
        self.violations.clear()
        for item in reference.items(self.ctx.conn, "violation"):
            self.violations.add(item.code, item.code in checked, item.label(current_language()))
        for code, amount, _currency in self.sanctions:
            code.retranslate()
            amount.setPlaceholderText(_("Fine amount"))

    def checked_violations(self) -> list[str]:
        return self.violations.checked()

    def save(self) -> None:
        conn = self.ctx.conn
        case_ids, errors = [], {}
        for number in [n.strip().upper() for n in self.cases.text().split(",") if n.strip()]:
            row = conn.execute("SELECT id FROM hotline_case WHERE number=? AND deleted=0",
                               (number,)).fetchone()
            if row is None:
                errors["case_ids"] = _("No case has the number {number}.").format(number=number)
            else:
                case_ids.append(row[0])
        if errors:
            self.errors.show(errors)
            return
        sanctions = [(code.code(), amount.text().strip() or None, currency.currentData())
                     for code, amount, currency in self.sanctions if code.code()]
        values = dict(employer_id=self.employer.currentData(), inspected_on=self.date.iso(),
                      trigger=self.trigger.code(), inspector_name=self.inspector.text(),
                      findings=self.findings.text())
        inspection_id, violations = self.inspection_id, self.checked_violations()
        if not inspection_id:
            values["inspector_id"] = self.ctx.actor.user_id \
                if self.ctx.actor.role == "inspector" else None

        def work(session):
            if inspection_id:
                return isv.update_inspection(session, inspection_id, values,
                                            violations=violations, sanctions=sanctions,
                                            case_ids=case_ids)
            return isv.record_inspection(session, values, violations=violations,
                                        sanctions=sanctions, case_ids=case_ids)
        WriteOp(self.ctx, self, work, changes=("inspection", "hotline_case")) \
            .success(self._saved).failure(lambda exc: _show_refusal(self, self.errors, exc)) \
            .run()

    def _saved(self, record: dict) -> None:
        self.record = record
        self.accept()


class InspectionView(QDialog):
    """A saved inspection, read-only: its facts, the violations and sanctions in tables,
    the linked cases and the findings; "Print / PDF…" (Ctrl+P) saves the inspection record,
    "Edit…" (Ctrl+E) changes it."""

    def __init__(self, ctx, inspection_id: str, parent=None):
        super().__init__(parent)
        self.ctx, self.inspection_id = ctx, inspection_id
        self.last_dialog = None
        self.resize(780, 560)
        self.header = QLabel()
        self.header.setTextFormat(Qt.PlainText)
        self.header.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.facts = QFormLayout()
        self.fact_labels = [QLabel() for _i in range(5)]
        self.fact_values = [QLabel() for _i in range(5)]
        for label, value in zip(self.fact_labels, self.fact_values, strict=True):
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setTextFormat(Qt.PlainText)
            self.facts.addRow(label, value)
        self.violations_label, self.sanctions_label = QLabel(), QLabel()
        self.violations = DataTable(2)
        self.sanctions = DataTable(2)
        self.findings_label = QLabel()
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.PlainText)
        self.findings.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(lambda _checked=False: self.print_record())
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit)
        self.can_edit = ctx.can("update", "inspection", si.InspectionRepository(
            ctx.session).require(inspection_id))
        self.edit_button.setVisible(self.can_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.facts)
        layout.addWidget(self.violations_label)
        layout.addWidget(self.violations, 2)
        layout.addWidget(self.sanctions_label)
        layout.addWidget(self.sanctions, 1)
        layout.addWidget(self.findings_label)
        layout.addWidget(self.findings)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_record)
        self.retranslate()

    def retranslate(self) -> None:
        self.edit_button.setText(_("Edit… (Ctrl+E)"))
        self.print_button.setText(_("Print / PDF… (Ctrl+P)"))
        self.print_button.setToolTip(_("Save the inspection record as a PDF to print or "
                                       "send"))
        for label, text in zip(self.fact_labels, (_("Enterprise"), _("Date"), _("Trigger"),
                                                  _("Inspector"), _("Linked cases")),
                               strict=True):
            label.setText(text)
        self.violations_label.setText(_("Violations that were found"))
        self.sanctions_label.setText(_("Sanctions"))
        self.findings_label.setText(_("Findings"))
        self.violations.setHorizontalHeaderLabels([_("Violation"), _("Workers affected")])
        self.sanctions.setHorizontalHeaderLabels([_("Sanction"), _("Fine")])
        self.refresh()

    def refresh(self) -> None:
        ctx, inspection_id = self.ctx, self.inspection_id
        conn, lang = ctx.conn, current_language()
        record = si.InspectionRepository(ctx.session).require(inspection_id)
        employer = sc.EmployerRepository(ctx.session).get(record["employer_id"]) or {}
        self.record = record
        self.setWindowTitle(_("Inspection {number}").format(number=record["number"]))
        self.header.setText(f"{record['number']} · {employer.get('name', '')}")
        cases = iq.cases_of(conn, inspection_id)
        values = [employer.get("name", ""), format_date(record["inspected_on"], lang),
                  reference.label(conn, "inspection_trigger", record["trigger"], lang),
                  record.get("inspector_name") or cq.user_name(conn, record.get("inspector_id")),
                  ", ".join(c["number"] for c in cases) or "—"]
        for label, value in zip(self.fact_values, values, strict=True):
            label.setText(value or "—")
        found = iq.violations_of(conn, inspection_id)
        self.violations.set_rows(
            [(reference.label(conn, "violation", v["violation"], lang),
              v.get("workers_affected") or "") for v in found], right={1})
        self.violations.resizeColumnToContents(0)
        self.violations.setColumnHidden(1, not any(v.get("workers_affected") for v in found))
        sanctions = iq.sanctions_of(conn, inspection_id)
        self.sanctions.set_rows(
            [(reference.label(conn, "sanction", s["sanction"], lang),
              cq.money_text(s["fine_minor"], s["fine_currency"], lang)
              if s.get("fine_minor") is not None else "") for s in sanctions], right={1})
        self.sanctions.resizeColumnToContents(0)
        self.findings.setText(record.get("findings") or "—")

    def print_record(self, path: str | None = None) -> str | None:
        """Save the inspection record as a PDF (asks where unless ``path`` is given); the
        path once written (at once without a DB worker)."""
        if not isinstance(path, str) or not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Save the inspection record"), f"{self.record['number']}.pdf",
                "PDF (*.pdf)")
            if not path:
                return None
        inspection_id, language, written = self.inspection_id, current_language(), []

        def work(session):
            from desktop_app.reports.inspection_record import (  # deferred: ReportLab
                write_inspection_pdf,
            )
            return write_inspection_pdf(session, inspection_id, path, language=language)

        def done(_result) -> None:
            written.append(path)
            self.message.setStyleSheet("")
            self.message.setText(_("Saved to {path}").format(path=path))

        def failed(exc: BaseException) -> None:
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(_("The PDF could not be written: {error}").format(
                error=exc.strerror if isinstance(exc, OSError) else
                operations.error_message(exc)))
        self.message.setText(_("Writing the PDF…"))
        # drawn on the DB worker; the export is written in the audit log
        WriteOp(self.ctx, self, work, changes=()).success(done).failure(failed).run()
        return path if written else None

    def edit(self):
        if not self.can_edit:
            return None
        dialog = InspectionDialog(self.ctx, self, inspection_id=self.inspection_id)
        self.last_dialog = dialog
        if dialog.exec():
            self.refresh()
        return dialog


class EmployerView(QDialog):
    """An employer with its cases and inspections (repeat offenders stand out); "Edit…"
    (Ctrl+E), "New inspection" (Ctrl+N); Enter or a double click opens a case or an
    inspection."""

    def __init__(self, ctx, employer_id: str, parent=None):
        super().__init__(parent)
        self.ctx, self.employer_id = ctx, employer_id
        self.last_dialog = None
        self.resize(780, 560)
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.PlainText)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit)
        self.can_edit = ctx.can("update", "employer", sc.EmployerRepository(
            ctx.session).require(employer_id))
        self.edit_button.setVisible(self.can_edit)
        self.inspect_button = QPushButton()
        self.inspect_button.clicked.connect(self.new_inspection)
        self.can_inspect = ctx.can("create", "inspection")
        self.inspect_button.setVisible(self.can_inspect)
        self.case_list = QTableWidget(0, 4)
        setup_table(self.case_list, [190, 90, 220])
        self.case_list.setEditTriggers(QTableWidget.NoEditTriggers)
        self.case_list.doubleClicked.connect(lambda i: self.open_case(i.row()))
        self.case_list.activated.connect(lambda i: self.open_case(i.row()))
        self.inspection_list = QTableWidget(0, 4)
        setup_table(self.inspection_list, [210, 90, 160])
        self.inspection_list.setEditTriggers(QTableWidget.NoEditTriggers)
        self.inspection_list.doubleClicked.connect(lambda i: self.open_inspection(i.row()))
        self.inspection_list.activated.connect(lambda i: self.open_inspection(i.row()))
        self.cases_label = QLabel()
        self.inspections_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.inspect_button)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.cases_label)
        layout.addWidget(self.case_list)
        layout.addWidget(self.inspections_label)
        layout.addWidget(self.inspection_list)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_inspection)
        self.retranslate()

    def retranslate(self) -> None:
        self.edit_button.setText(_("Edit… (Ctrl+E)"))
        self.inspect_button.setText(_("New inspection (Ctrl+N)"))
        self.cases_label.setText(_("Cases"))
        self.inspections_label.setText(_("Inspections"))
        self.case_list.setHorizontalHeaderLabels([_("Number"), _("Opened"), _("Category"),
                                                  _("Status")])
        self.inspection_list.setHorizontalHeaderLabels([_("Number"), _("Date"), _("Trigger"),
                                                        _("Violations")])
        self.refresh()

    def refresh(self) -> None:
        ctx, employer_id = self.ctx, self.employer_id
        conn, lang = ctx.conn, current_language()
        summary = cq.employer_summary(conn, employer_id)
        self.setWindowTitle(summary["name"])
        head = [summary["name"]]
        if summary.get("city"):
            head.append(reference.label(conn, "city", summary["city"], lang))
        if summary.get("sector"):
            head.append(reference.label(conn, "sector", summary["sector"], lang))
        if summary.get("tax_number"):
            head.append(_("Tax number {number}").format(number=summary["tax_number"]))
        head.append(ngettext("{count} case", "{count} cases", summary["cases"]).format(
            count=format_number(summary["cases"])))
        head.append(ngettext("{count} inspection", "{count} inspections",
                             summary["inspections"]).format(count=format_number(summary["inspections"])))
        head.append(ngettext("{count} violation", "{count} violations",
                             summary["violations"]).format(count=format_number(summary["violations"])))
        if summary["repeat_offender"]:
            head.append(_("repeat offender"))
        self.header.setText(" · ".join(head))
        self.header.setStyleSheet("background: #f8d7da; padding: 4px;"
                                  if summary["repeat_offender"] else "")
        ids = cq.case_ids(conn, cq.CaseFilter(employer_id=employer_id))
        rows = cq.case_rows(ctx.session, ids)
        self.case_list.setRowCount(len(rows))
        for n, r in enumerate(rows):
            for c, value in enumerate([r["number"], format_date(r["opened_on"], lang),
                                       reference.label(conn, "case_category", r["category"], lang),
                                       reference.label(conn, "case_status", r["status"], lang)]):
                item = QTableWidgetItem(value)
                item.setData(Qt.UserRole, r["id"])
                self.case_list.setItem(n, c, item)
        irows = iq.inspection_rows(conn, iq.inspection_ids(conn, employer_id=employer_id))
        self.inspection_list.setRowCount(len(irows))
        for n, r in enumerate(irows):
            for c, value in enumerate([r["number"], format_date(r["inspected_on"], lang),
                                       reference.label(conn, "inspection_trigger", r["trigger"],
                                                       lang), format_number(r["violations"])]):
                item = QTableWidgetItem(value)
                item.setData(Qt.UserRole, r["id"])
                if r["violations"]:
                    item.setBackground(REPEAT_BRUSH)
                self.inspection_list.setItem(n, c, item)

    def edit(self):
        if not self.can_edit:
            return None
        dialog = EmployerDialog(self.ctx, self, employer_id=self.employer_id)
        self.last_dialog = dialog
        if dialog.exec():
            self.refresh()
        return dialog

    def new_inspection(self):
        if not self.can_inspect:
            return None
        dialog = InspectionDialog(self.ctx, self, employer_id=self.employer_id)
        self.last_dialog = dialog
        if dialog.exec():
            self.refresh()
        return dialog

    def open_case(self, row: int):
        item = self.case_list.item(row, 0)
        dialog = open_case(self.ctx, item.data(Qt.UserRole), self) if item else None
        self.last_dialog = dialog
        if dialog is not None:
            dialog.exec()
            self.refresh()
        return dialog

    def open_inspection(self, row: int):
        item = self.inspection_list.item(row, 0)
        if item is None:
            return None
        dialog = InspectionView(self.ctx, item.data(Qt.UserRole), self)
        self.last_dialog = dialog
        dialog.exec()
        self.refresh()
        return dialog
