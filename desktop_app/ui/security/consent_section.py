"""A person's consents, and their data rights (export, erase), on the person's page."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.store.repository import ValidationError
from desktop_app.store.security.consent import METHODS, SCOPES, ConsentRepository
from desktop_app.store.security.rights import erase_person, export_person, write_json
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DataTable, DateEntry, wrapping_row

DOMAIN = Domain("security")
_ = DOMAIN.gettext

def _method_label(code: str | None) -> str:
    return {"written": _("Written"), "oral": _("Oral"),
            "electronic": _("Electronic")}.get(code or "", code or "")


def _pair(*widgets: QWidget) -> QWidget:
    """Widgets that belong together (a label and its date) kept on one line."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    return pair


class ConsentSection(QWidget):
    def __init__(self, ctx, person_ids: list[str], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_ids = list(person_ids)
        self.person_id = self.person_ids[0]
        self.repo = ConsentRepository(ctx.session)
        self.table = DataTable(5, fit_columns=True)
        self.table.setObjectName("consents")
        self.scope = QComboBox()
        self.scope.setObjectName("scope")
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.given = DateEntry()
        self.given.setObjectName("given")
        self.has_expiry = QCheckBox()
        self.has_expiry.setObjectName("has_expiry")
        self.expiry = DateEntry()
        self.expiry.setDate(QDate.currentDate().addYears(1))
        self.expiry.setObjectName("expiry")
        self.expiry.setEnabled(False)
        self.has_expiry.toggled.connect(self.expiry.setEnabled)
        self.add_button = QPushButton()
        self.add_button.setObjectName("add_consent")
        self.add_button.clicked.connect(self.add)
        self.withdraw_button = QPushButton()
        self.withdraw_button.setObjectName("withdraw")
        self.withdraw_button.clicked.connect(self.withdraw)
        self.export_button = QPushButton()
        self.export_button.setObjectName("export_person")
        self.export_button.clicked.connect(self.export)
        self.erase_button = QPushButton()
        self.erase_button.setObjectName("erase_person")
        self.erase_button.clicked.connect(self.erase)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        # rows that wrap: the person's page is a narrow column on a 1366-pixel screen and
        # the Tajik and Russian labels are long; a plain row made the page wider than the
        # screen and cut off its buttons
        self.given_label, self.expiry_label = QLabel(), QLabel()
        self.given_pair = _pair(self.given_label, self.given)
        self.expiry_pair = _pair(self.has_expiry, self.expiry_label, self.expiry)
        self.form_row = wrapping_row(self.scope, self.method, self.given_pair, self.expiry_pair,
                                     self.add_button)
        self.form_row.setObjectName("consent_form")
        self.rights_row = wrapping_row(self.withdraw_button, self.export_button,
                                       self.erase_button)
        self.rights_row.setObjectName("data_rights")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.form_row)
        layout.addWidget(self.error)
        layout.addWidget(self.rights_row)
        can_write = ctx.can("create", "consent", {"office_id": ctx.actor.office_id})
        for widget in (self.scope, self.method, self.given, self.has_expiry, self.expiry,
                       self.add_button, self.withdraw_button, self.given_pair,
                       self.expiry_pair, self.form_row):
            widget.setVisible(can_write)
        self.export_button.setVisible(ctx.can("export_person", "person"))
        self.erase_button.setVisible(ctx.can("erase_person", "person"))
        self.retranslate()

    def _scope_label(self, code: str) -> str:
        row = self.ctx.conn.execute(
            f"SELECT label_{current_language()} FROM reference_item WHERE kind='consent_scope'"
            " AND code=?", (code,)).fetchone()
        return row[0] if row else code

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_("Consent to"), _("Given on"), _("Ends on"),
                                              _("How given"), _("Withdrawn on")])
        for combo, codes, label in ((self.scope, SCOPES, self._scope_label),
                                    (self.method, METHODS, _method_label)):
            current = combo.currentData()
            combo.clear()
            for code in codes:
                combo.addItem(label(code), code)
            if current:
                combo.setCurrentIndex(combo.findData(current))
        self.given_label.setText(_("Given on"))
        self.has_expiry.setText(_("Ends"))
        self.expiry_label.setText("")
        self.add_button.setText(_("Record consent"))
        self.withdraw_button.setText(_("Consent withdrawn"))
        self.export_button.setText(_("Export this person's data…"))
        self.erase_button.setText(_("Erase this person's data…"))
        self.refresh()

    def refresh(self) -> None:
        self.rows = self.repo.for_person(self.person_ids)
        rows = [(self._scope_label(row["scope"]), format_date(row["consent_date"]),
                 format_date(row["expiry_date"]), _method_label(row["method"]),
                 format_date(row["withdrawn_date"])) for row in self.rows]
        keys: list[str | None] = [row["id"] for row in self.rows]
        # consent ticked in the registration form (the person's own consent fields): the
        # same consent has_consent counts, so it is listed here too
        for given, scope in self._form_consents():
            rows.append((self._scope_label(scope), format_date(given), "",
                         _("In the registration form"), ""))
            keys.append(None)
        self.table.set_rows(rows, keys=keys)

    def _form_consents(self) -> list[tuple[str, str]]:
        marks = ",".join("?" * len(self.person_ids))
        found = []
        for given, scopes in self.ctx.conn.execute(
                f"SELECT consent_date, consent_scope FROM person WHERE id IN ({marks})"
                " AND deleted=0 AND consent_date IS NOT NULL AND consent_date<>''",
                self.person_ids):
            codes = [c.strip() for c in (scopes or "").split(",") if c.strip()]
            for code in (["all"] if "all" in codes else codes):
                found.append((given, code))
        return found

    def add(self) -> None:
        values = dict(person_id=self.person_id, scope=self.scope.currentData(),
                      method=self.method.currentData(),
                      consent_date=self.given.iso(),
                      expiry_date=self.expiry.iso() if self.has_expiry.isChecked() else None,
                      taken_by=self.ctx.actor.user_id)
        WriteOp(self.ctx, self, lambda session: ConsentRepository(session).create(values),
                changes=("consent",)).success(self._saved).failure(self._refused).run()

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.error.setText(" ".join(exc.errors.values()))
        elif isinstance(exc, PermissionDenied):
            self.error.setText(str(exc))
        else:
            operations.show_error(self, exc)

    def _saved(self, _result=None) -> None:
        self.error.clear()
        self.refresh()

    def withdraw(self) -> None:
        consent_id = self.table.selected_key()
        if consent_id is None:
            return
        WriteOp(self.ctx, self, lambda session: ConsentRepository(session).withdraw(
            consent_id, date.today()), changes=("consent",)) \
            .success(lambda _result: self.refresh()).failure(self._withdraw_refused).run()

    def _withdraw_refused(self, exc: BaseException) -> None:
        if isinstance(exc, (ValidationError, PermissionDenied)):
            self.error.setText(str(exc))
        else:
            operations.show_error(self, exc)

    def export(self, path: str | None = None) -> None:
        if path is None:
            path, _selected = QFileDialog.getSaveFileName(
                self, _("Export this person's data…"), "person.pdf",
                _("PDF document (*.pdf);;JSON data (*.json)"))
            if not path:
                return
        try:
            if path.lower().endswith(".json"):
                write_json(export_person(self.ctx.session, self.person_id, "json"), path)
            else:
                from desktop_app.reports.security_export import (  # deferred: ReportLab
                    write_person_pdf,
                )
                write_person_pdf(export_person(self.ctx.session, self.person_id, "pdf"), path)
        except (PermissionDenied, OSError) as exc:
            QMessageBox.warning(self, _("Not saved"), str(exc))
            return
        self.ctx.status_message.emit(_("Wrote {path}.").format(path=path))

    def erase(self, reason: str | None = None) -> bool:
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, _("Erase this person's data…"),
                _("Names, phones, documents and notes are blanked everywhere and cannot be "
                  "brought back; counts for reports stay. Why (recorded)?"))
            if not ok:
                return False
        person_id = self.person_id
        erased = []

        def done(_result) -> None:
            erased.append(True)
            self.refresh()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, PermissionDenied):
                QMessageBox.warning(self, _("Not saved"), str(exc))
            else:
                operations.show_error(self, exc)
        WriteOp(self.ctx, self, lambda session: erase_person(session, person_id, reason),
                changes=("person",)).success(done).failure(refused).run()
        # whether it was erased at once (without a DB worker)
        return bool(erased)
