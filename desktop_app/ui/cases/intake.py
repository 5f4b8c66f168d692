"""The intake form: a call in progress. Only channel and category are required; the caller
may stay anonymous and be linked to a registered person later."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import services as cs
from desktop_app.store.people.repositories import search_people
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations
from desktop_app.ui.cases.widgets import ErrorLabel, FieldErrors
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DateEntry, NotesEdit, RefCombo

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


class PersonPicker(QWidget):
    """Type a name in any script; pick a registered person from the list."""

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.search = QLineEdit()
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        self.search.textChanged.connect(self._find)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Name, phone or document, in any script"))

    def _find(self, text: str) -> None:
        self.results.clear()
        if len(text.strip()) < 2:
            return
        for hit in search_people(self.conn, text, limit=20):
            label = " ".join(p for p in (hit.family_name, hit.given_name, hit.patronymic) if p)
            if hit.birth_date:
                label += f" ({hit.birth_date[:4]})"
            item = QListWidgetItem(label)
            item.setData(256, hit.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def person_id(self) -> str | None:
        item = self.results.currentItem()
        return item.data(256) if item is not None else None


class IntakeDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.record: dict | None = None
        conn = ctx.conn
        self.errors = FieldErrors()
        self.channel = RefCombo(conn, "case_channel", blank=None)
        self.category = RefCombo(conn, "case_category", blank=lambda: _("— choose —"))
        self.subcategory = RefCombo(conn, "case_subcategory", all_if_no_parent=False)
        self.category.currentIndexChanged.connect(
            lambda: self.subcategory.load(self.category.code()))
        self.risk = RefCombo(conn, "risk_level", blank=None)
        self.risk.set_code("medium")
        self.opened = DateEntry()
        self.caller = QLineEdit()
        self.phone = QLineEdit()
        self.link = QCheckBox()
        self.person = PersonPicker(conn)
        self.sensitive = QCheckBox()
        self.summary = NotesEdit()
        self.summary.setMaximumHeight(90)
        self.employer = QLineEdit()
        self.country = RefCombo(conn, "country")
        self.city = QLineEdit()
        self.assign = QComboBox()
        self.assign.addItem("", None)
        for uid, name in cq.users(conn):
            self.assign.addItem(name, uid)
        form = QFormLayout()
        self.form = form
        rows = [("channel", self.channel), ("category", self.category),
                ("subcategory", self.subcategory), ("opened_on", self.opened),
                ("caller_name", self.caller), ("caller_phone", self.phone),
                ("link", self.link), ("person_id", self.person), ("risk_level", self.risk),
                ("sensitive_flag", self.sensitive), ("summary", self.summary),
                ("employer", self.employer), ("country", self.country), ("city", self.city),
                ("assigned_to", self.assign)]
        self.row_labels = {}
        for name, widget in rows:
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(self.errors.label(name))
            holder = QWidget()
            holder.setLayout(box)
            box.setContentsMargins(0, 0, 0, 0)
            label = QLabel()
            form.addRow(label, holder)
            self.row_labels[name] = label
        self.person_holder = self.person.parentWidget()
        for widget in (self.person_holder, self.row_labels["person_id"]):
            widget.setVisible(False)
            self.link.toggled.connect(widget.setVisible)
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
        self.setWindowTitle(_("New case"))
        titles = {"channel": _("Came in by"), "category": _("Category"),
                  "subcategory": _("Subcategory"), "opened_on": _("Date"),
                  "caller_name": _("Caller's name (may stay anonymous)"),
                  "caller_phone": _("Phone to call back"), "link": "",
                  "person_id": _("Registered person"), "risk_level": _("Risk level"),
                  "sensitive_flag": "", "summary": _("What happened"),
                  "employer": _("Employer"), "country": _("Country"), "city": _("City"),
                  "assigned_to": _("Assign to")}
        for name, label in self.row_labels.items():
            if label is not None:
                label.setText(titles[name])
        self.link.setText(_("The caller is a registered person"))
        self.sensitive.setText(_("Sensitive (only assigned workers see the details)"))
        self.employer.setPlaceholderText(_("Name of the company, as the caller says it"))
        for combo in (self.channel, self.category, self.subcategory, self.risk, self.country):
            combo.retranslate()

    def values(self) -> dict:
        values = dict(
            channel=self.channel.code(), category=self.category.code(),
            subcategory=self.subcategory.code(), opened_on=self.opened.iso(),
            caller_name=self.caller.text(), caller_phone=self.phone.text(),
            risk_level=self.risk.code(), sensitive_flag=self.sensitive.isChecked(),
            summary=self.summary.toPlainText(), country=self.country.code(),
            city=self.city.text(), assigned_to=self.assign.currentData())
        if self.link.isChecked():
            values["person_id"] = self.person.person_id()
        return values

    def save(self) -> None:
        values = self.values()
        if self.link.isChecked() and not values.get("person_id"):
            self.errors.show({"person_id": _("Find the person and pick them from the list, "
                                             "or untick the box.")})
            return
        name = self.employer.text().strip()

        def work(session):
            with session.transaction():
                if name:
                    employer = cs.find_or_create_employer(session, name,
                                                          country=values.get("country"))
                    values["employer_id"] = employer["id"]
                return cs.open_case(session, values)
        WriteOp(self.ctx, self, work, changes=("hotline_case",)).success(self._saved) \
            .failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        elif isinstance(exc, PermissionDenied):
            self.errors.show({"general": str(exc)})
        else:
            operations.show_error(self, exc)

    def _saved(self, record: dict) -> None:
        self.record = record
        self.errors.clear()
        self.ctx.status_message.emit(_("Case {number} saved.").format(
            number=self.record["number"]))
        self.accept()
