"""Labour inspections and employers: lists, a new inspection (violations, sanctions with
fines, linked cases), employers with their cases and inspections (repeat offenders first)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QTableView, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from desktop_app.domain.cases import CURRENCIES
from desktop_app.i18n import _, current_language, format_date, ngettext
from desktop_app.store import cases as sc
from desktop_app.store import inspections as si
from desktop_app.store import reference
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui.cases.widgets import (REPEAT_BRUSH, ErrorLabel, FieldErrors, RefCombo,
                                          by_id, date_edit, iso, lazy_model, setup_table)


def _inspection_display(conn):
    def display(row, key):
        lang = current_language()
        value = row.get(key)
        if value is None:
            return ""
        if key == "inspected_on":
            return format_date(value, lang, "short")
        if key == "trigger":
            return reference.label(conn, "inspection_trigger", value, lang)
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
        self.new_button = QPushButton()
        self.model = lazy_model(
            [("number", lambda: _("Number")), ("inspected_on", lambda: _("Date")),
             ("employer_name", lambda: _("Enterprise")), ("trigger", lambda: _("Trigger")),
             ("violations", lambda: _("Violations")), ("cases", lambda: _("Linked cases"))],
            lambda ids: by_id(si.inspection_rows(conn, ids)), _inspection_display(conn),
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
        box.addWidget(self.table)
        self.tabs.addTab(page, "")
        # employers
        self.emp_search = QLineEdit()
        self.emp_search.setClearButtonEnabled(True)
        self.repeat_only = QCheckBox()
        self.new_employer = QPushButton()
        self.employers = QTableWidget(0, 6)
        setup_table(self.employers, [300, 130, 80, 90, 90])
        self.employers.setEditTriggers(QTableWidget.NoEditTriggers)
        self.employers.doubleClicked.connect(
            lambda i: self.open_employer(self.employers.item(i.row(), 0).data(Qt.UserRole)))
        page = QWidget()
        box = QVBoxLayout(page)
        bar = QHBoxLayout()
        bar.addWidget(self.emp_search, 1)
        bar.addWidget(self.repeat_only)
        bar.addWidget(self.new_employer)
        box.addLayout(bar)
        box.addWidget(self.employers)
        self.tabs.addTab(page, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

        self.search.textChanged.connect(self.refresh)
        self.emp_search.textChanged.connect(self.refresh_employers)
        self.repeat_only.toggled.connect(self.refresh_employers)
        self.new_button.clicked.connect(self.new_inspection)
        self.new_employer.clicked.connect(self.add_employer)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_inspection)
        ctx.data_changed.connect(lambda t: t in ("inspection", "employer", "*") and self.refresh())
        self.retranslate()

    def retranslate(self) -> None:
        self.tabs.setTabText(0, _("Inspections"))
        self.tabs.setTabText(1, _("Employers"))
        self.search.setPlaceholderText(_("Enterprise (any script) or inspection number"))
        self.emp_search.setPlaceholderText(_("Enterprise name, any script"))
        self.new_button.setText(_("New inspection (Ctrl+N)"))
        self.new_employer.setText(_("New employer"))
        self.repeat_only.setText(_("Repeat offenders only"))
        self.employers.setHorizontalHeaderLabels([
            _("Enterprise"), _("City"), _("Cases"), _("Inspections"), _("Violations"), ""])
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        self.model.set_keys(si.inspection_ids(self.ctx.conn, search=self.search.text()))
        self.refresh_employers()

    def refresh_employers(self) -> None:
        lang = current_language()
        rows = sc.find_employers(self.ctx.conn, self.emp_search.text(), limit=2000)
        if self.repeat_only.isChecked():
            rows = [r for r in rows if r["repeat_offender"]]
        self.employer_rows = rows
        self.employers.setRowCount(len(rows))
        for n, r in enumerate(rows):
            city = reference.label(self.ctx.conn, "city", r["city"], lang) if r["city"] else ""
            cells = [r["name"], city, r["cases"], r["inspections"], r["violations"],
                     _("repeat offender") if r["repeat_offender"] else ""]
            for c, value in enumerate(cells):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.UserRole, r["id"])
                if r["repeat_offender"]:
                    item.setBackground(REPEAT_BRUSH)
                self.employers.setItem(n, c, item)

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
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.record = None
        conn = ctx.conn
        self.errors = FieldErrors()
        self.name = QLineEdit()
        self.country = RefCombo(conn, "country", blank=lambda: "")
        self.city = RefCombo(conn, "city", blank=lambda: "")
        self.sector = RefCombo(conn, "sector", blank=lambda: "")
        self.size = RefCombo(conn, "employer_size", blank=lambda: "")
        self.union = QCheckBox()
        self.agreement = QCheckBox()
        self.high_risk = QCheckBox()
        self.tax = QLineEdit()
        form = QFormLayout()
        self.labels = [QLabel() for _i in range(6)]
        name_box = QVBoxLayout()
        name_box.addWidget(self.name)
        name_box.addWidget(self.errors.label("name"))
        form.addRow(self.labels[0], name_box)
        form.addRow(self.labels[1], self.country)
        form.addRow(self.labels[2], self.city)
        form.addRow(self.labels[3], self.sector)
        form.addRow(self.labels[4], self.size)
        form.addRow(self.labels[5], self.tax)
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
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("New employer"))
        for label, text in zip(self.labels, (_("Enterprise name"), _("Country"), _("City"), _("Sector"),
                                             _("Size"), _("Tax number"))):
            label.setText(text)
        self.union.setText(_("A trade union is present"))
        self.agreement.setText(_("Has a collective agreement"))
        self.high_risk.setText(_("High-risk enterprise"))

    def save(self) -> None:
        try:
            self.record = sc.EmployerRepository(self.ctx.session).create(dict(
                name=self.name.text(), country=self.country.code(), city=self.city.code(),
                sector=self.sector.code(), size=self.size.code(), tax_number=self.tax.text(),
                union_present=self.union.isChecked(),
                collective_agreement=self.agreement.isChecked(),
                high_risk=self.high_risk.isChecked()))
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except PermissionDenied as exc:
            self.errors.show({"general": str(exc)})
            return
        self.ctx.data_changed.emit("employer")
        self.accept()


class InspectionDialog(QDialog):
    """A new inspection: enterprise, date, trigger, inspector, violations, sanctions, cases."""

    SANCTION_ROWS = 3

    def __init__(self, ctx, parent=None, employer_id: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.record = None
        conn = ctx.conn
        self.errors = FieldErrors()
        self.employer = QComboBox()
        self.employer.setEditable(False)
        self.employer.addItem("", None)
        for r in sc.find_employers(conn, limit=5000):
            self.employer.addItem(r["name"], r["id"])
        if employer_id:
            self.employer.setCurrentIndex(self.employer.findData(employer_id))
        self.date = date_edit()
        self.trigger = RefCombo(conn, "inspection_trigger", blank=lambda: "")
        self.inspector = QLineEdit(ctx.actor.display_name or ctx.actor.username)
        self.violations = QListWidget()
        self.violations.setMaximumHeight(150)
        self.sanctions = []
        sanction_box = QVBoxLayout()
        for n in range(self.SANCTION_ROWS):
            code = RefCombo(conn, "sanction", blank=lambda: "")
            amount = QLineEdit()
            amount.setMinimumWidth(110)
            currency = QComboBox()
            currency.addItem("", None)
            for c in CURRENCIES:
                currency.addItem(c, c)
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
        for label, (name, widget) in zip(self.labels, fields):
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
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("New inspection"))
        for label, text in zip(self.labels, (
                _("Enterprise"), _("Date"), _("Trigger"), _("Inspector"),
                _("Violations that were found"), _("Sanctions (fine: amount and currency)"),
                _("Linked case numbers"), _("Findings"))):
            label.setText(text)
        self.cases.setPlaceholderText(_("Case numbers separated by commas"))
        checked = self.checked_violations()
        self.violations.clear()
        for item in reference.items(self.ctx.conn, "violation"):
            row = QListWidgetItem(item.label(current_language()))
            row.setData(Qt.UserRole, item.code)
            row.setFlags(row.flags() | Qt.ItemIsUserCheckable)
            row.setCheckState(Qt.Checked if item.code in checked else Qt.Unchecked)
            self.violations.addItem(row)
        for code, amount, _currency in self.sanctions:
            code.fill()
            amount.setPlaceholderText(_("Fine amount"))

    def checked_violations(self) -> list[str]:
        return [self.violations.item(n).data(Qt.UserRole) for n in range(self.violations.count())
                if self.violations.item(n).checkState() == Qt.Checked]

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
        try:
            self.record = si.record_inspection(
                self.ctx.session,
                dict(employer_id=self.employer.currentData(), inspected_on=iso(self.date),
                     trigger=self.trigger.code(), inspector_name=self.inspector.text(),
                     inspector_id=self.ctx.actor.user_id if self.ctx.actor.role == "inspector"
                     else None, findings=self.findings.text()),
                violations=self.checked_violations(), sanctions=sanctions, case_ids=case_ids)
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return
        except PermissionDenied as exc:
            self.errors.show({"general": str(exc)})
            return
        self.ctx.data_changed.emit("inspection")
        self.ctx.data_changed.emit("hotline_case")
        self.accept()


class InspectionView(QDialog):
    def __init__(self, ctx, inspection_id: str, parent=None):
        super().__init__(parent)
        conn, lang = ctx.conn, current_language()
        record = si.InspectionRepository(ctx.session).require(inspection_id)
        employer = sc.EmployerRepository(ctx.session).get(record["employer_id"]) or {}
        self.setWindowTitle(_("Inspection {number}").format(number=record["number"]))
        lines = [f"{record['number']} · {format_date(record['inspected_on'], lang)}",
                 employer.get("name", ""),
                 reference.label(conn, "inspection_trigger", record["trigger"], lang),
                 _("Inspector: {name}").format(name=record.get("inspector_name") or
                                               sc.user_name(conn, record.get("inspector_id")))]
        violations = [reference.label(conn, "violation", v["violation"], lang)
                      for v in si.violations_of(conn, inspection_id)]
        lines.append(_("Violations: {list}").format(list=", ".join(violations) or "—"))
        for s in si.sanctions_of(conn, inspection_id):
            text = reference.label(conn, "sanction", s["sanction"], lang)
            if s.get("fine_minor") is not None:
                text += " " + sc.money_text(s["fine_minor"], s["fine_currency"], lang)
            lines.append(_("Sanction: {text}").format(text=text))
        cases = si.cases_of(conn, inspection_id)
        lines.append(_("Linked cases: {list}").format(
            list=", ".join(c["number"] for c in cases) or "—"))
        if record.get("findings"):
            lines.append(record["findings"])
        self.text = QLabel("\n".join(lines))
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)


class EmployerView(QDialog):
    """An employer with its cases and inspections."""

    def __init__(self, ctx, employer_id: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        conn, lang = ctx.conn, current_language()
        summary = sc.employer_summary(conn, employer_id)
        self.resize(760, 520)
        self.setWindowTitle(summary["name"])
        head = [summary["name"]]
        if summary.get("city"):
            head.append(reference.label(conn, "city", summary["city"], lang))
        head.append(ngettext("{count} case", "{count} cases", summary["cases"]).format(
            count=summary["cases"]))
        head.append(ngettext("{count} inspection", "{count} inspections",
                             summary["inspections"]).format(count=summary["inspections"]))
        head.append(ngettext("{count} violation", "{count} violations",
                             summary["violations"]).format(count=summary["violations"]))
        if summary["repeat_offender"]:
            head.append(_("repeat offender"))
        self.header = QLabel(" · ".join(head))
        self.case_list = QTableWidget(0, 4)
        setup_table(self.case_list, [190, 90, 220])
        self.case_list.setHorizontalHeaderLabels([_("Number"), _("Opened"), _("Category"),
                                                  _("Status")])
        ids = sc.case_ids(conn, sc.CaseFilter(employer_id=employer_id))
        rows = sc.case_rows(ctx.session, ids)
        self.case_list.setRowCount(len(rows))
        for n, r in enumerate(rows):
            for c, value in enumerate([r["number"], format_date(r["opened_on"], lang, "short"),
                                       reference.label(conn, "case_category", r["category"], lang),
                                       reference.label(conn, "case_status", r["status"], lang)]):
                self.case_list.setItem(n, c, QTableWidgetItem(value))
        self.inspection_list = QTableWidget(0, 4)
        setup_table(self.inspection_list, [210, 90, 160])
        self.inspection_list.setHorizontalHeaderLabels([_("Number"), _("Date"), _("Trigger"),
                                                        _("Violations")])
        irows = si.inspection_rows(conn, si.inspection_ids(conn, employer_id=employer_id))
        self.inspection_list.setRowCount(len(irows))
        for n, r in enumerate(irows):
            for c, value in enumerate([r["number"], format_date(r["inspected_on"], lang, "short"),
                                       reference.label(conn, "inspection_trigger", r["trigger"],
                                                       lang), str(r["violations"])]):
                self.inspection_list.setItem(n, c, QTableWidgetItem(value))
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        self.cases_label = QLabel(_("Cases"))
        layout.addWidget(self.cases_label)
        layout.addWidget(self.case_list)
        self.inspections_label = QLabel(_("Inspections"))
        layout.addWidget(self.inspections_label)
        layout.addWidget(self.inspection_list)
