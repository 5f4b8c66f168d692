"""The person form (registration and editing) and its dialog with the unsaved-changes guard."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.people import (
    MAX_AGE,
    MIGRATION_STATUSES,
    SEXES,
    age_on,
    birth_date_from_age,
    validate_episode,
    validate_person,
)
from desktop_app.i18n import N_, Domain
from desktop_app.store.people import duplicates as people_duplicates
from desktop_app.store.people import listing as people_list
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.people.duplicates import DuplicateDialog
from desktop_app.ui.people.episodes import EpisodesEditor, date_hint, to_display_date
from desktop_app.ui.people.widgets import FieldError
from desktop_app.ui.widgets import CodeCombo, NotesEdit, RefCombo, fit_on_screen

DOMAIN = Domain("people")
_ = DOMAIN.gettext

CONSENT_SCOPES = (
    ("storage", N_("Storing their data")),
    ("referral", N_("Referrals to other organisations")),
    ("sharing", N_("Sharing with other offices")),
)
TEXT_FIELDS = ("family_name", "given_name", "patronymic", "phones", "document_number",
               "village")


def default_duplicate_finder(conn, values: dict, limit: int = 5) -> list:
    return people_duplicates.find_duplicates(conn, values, limit=limit)


class PersonForm(QWidget):
    """Every field of a person; ``values()`` gives what the repository takes."""

    changed = Signal()

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self._labels: list[tuple[QLabel | QGroupBox | QCheckBox, str]] = []
        self.errors: dict[str, FieldError] = {}
        self.inputs: dict[str, QWidget] = {}
        self._snapshot = None
        self._loaded_estimated_birth: str | None = None
        self._other_scopes: list[str] = []

        for name in TEXT_FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(name)
            edit.textEdited.connect(self._mark_changed)
            self.inputs[name] = edit
        self.sex = CodeCombo(parent=self)
        self.sex.set_choices([(code, (lambda m=msg: _(m))) for code, msg in SEXES.items()])
        self.birth_date = QLineEdit(self)
        self.birth_date.setObjectName("birth_date")
        self.birth_date.textEdited.connect(self._mark_changed)
        self.age = QSpinBox(self)
        self.age.setRange(0, MAX_AGE)
        self.age.setObjectName("age")
        self.age.setMinimumWidth(120)
        self.age.valueChanged.connect(self._mark_changed)
        self.country = RefCombo(conn, "country", parent=self)
        self.region = RefCombo(conn, "region", all_if_no_parent=False, parent=self)
        self.district = RefCombo(conn, "district", all_if_no_parent=False, parent=self)
        self.jamoat = RefCombo(conn, "jamoat", all_if_no_parent=False, parent=self)
        self.country.code_changed.connect(self._country_changed)
        self.region.code_changed.connect(self._region_changed)
        self.district.code_changed.connect(self._district_changed)
        self.education = RefCombo(conn, "education", parent=self)
        self.status = CodeCombo(parent=self)
        self.status.set_choices([(code, (lambda m=msg: _(m)))
                                 for code, msg in MIGRATION_STATUSES.items()])
        for combo in (self.sex, self.country, self.region, self.district, self.jamoat,
                      self.education, self.status):
            combo.code_changed.connect(self._mark_changed)
        self.disability = QCheckBox(self)
        self.female_headed = QCheckBox(self)
        self.union_member = QCheckBox(self)
        self.household_notes = NotesEdit(self)
        self.household_notes.setMaximumHeight(70)
        self.household_notes.textChanged.connect(self._mark_changed)
        self.consent_date = QLineEdit(self)
        self.consent_date.setObjectName("consent_date")
        self.consent_date.textEdited.connect(self._mark_changed)
        self.consent_scopes: dict[str, QCheckBox] = {}
        for code, _msg in CONSENT_SCOPES:
            self.consent_scopes[code] = QCheckBox(self)
        for box in (self.disability, self.female_headed, self.union_member,
                    *self.consent_scopes.values()):
            box.toggled.connect(self._mark_changed)
        self.episodes = EpisodesEditor(conn, self)
        self.episodes.changed.connect(self._mark_changed)
        self.inputs.update(sex=self.sex, birth_date=self.birth_date, country=self.country,
                           region=self.region, district=self.district, jamoat=self.jamoat,
                           education=self.education, migration_status=self.status,
                           consent_date=self.consent_date)
        self.form_error = FieldError(self)
        self._build()
        self.retranslate()
        self.mark_clean()

    def _country_changed(self, code) -> None:
        self.region.load(code)

    def _region_changed(self, code) -> None:
        self.district.load(code)

    def _district_changed(self, code) -> None:
        self.jamoat.load(code)

    def _mark_changed(self, *_args) -> None:
        # Slots return None: PySide6 drops a reference of whatever a slot returns, and
        # signal.emit() returns True, so a lambda around emit() would wear True out.
        self.changed.emit()

    # ---- layout ----------------------------------------------------------------------
    def _row(self, form: QFormLayout, label: str, widget: QWidget, *fields: str) -> None:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(widget)
        for name in fields:
            error = FieldError(box)
            self.errors[name] = error
            layout.addWidget(error)
        caption = QLabel(self)
        caption.setBuddy(widget)
        self._labels.append((caption, label))
        form.addRow(caption, box)

    def _group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(self)
        self._labels.append((group, title))
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        return group, form

    def _build(self) -> None:
        name_group, form = self._group(N_("Person"))
        self._row(form, N_("Family name"), self.inputs["family_name"], "family_name")
        self._row(form, N_("Given name"), self.inputs["given_name"], "given_name")
        self._row(form, N_("Patronymic"), self.inputs["patronymic"], "patronymic")
        self._row(form, N_("Sex"), self.sex, "sex")
        birth = QWidget(self)
        birth_layout = QHBoxLayout(birth)
        birth_layout.setContentsMargins(0, 0, 0, 0)
        birth_layout.addWidget(self.birth_date, 2)
        self.age_caption = QLabel(self)
        self._labels.append((self.age_caption, N_("or age")))
        birth_layout.addWidget(self.age_caption)
        birth_layout.addWidget(self.age, 1)
        self._row(form, N_("Date of birth"), birth, "birth_date")
        self._row(form, N_("Phones"), self.inputs["phones"], "phones")
        self._row(form, N_("Document number"), self.inputs["document_number"],
                  "document_number")

        home_group, form = self._group(N_("Home"))
        self._row(form, N_("Country"), self.country, "country")
        self._row(form, N_("Region"), self.region, "region")
        self._row(form, N_("District"), self.district, "district")
        self._row(form, N_("Jamoat"), self.jamoat, "jamoat")
        self._row(form, N_("Village"), self.inputs["village"], "village")

        house_group, form = self._group(N_("Household and situation"))
        self._row(form, N_("Education"), self.education, "education")
        flags = QWidget(self)
        flags_layout = QVBoxLayout(flags)
        flags_layout.setContentsMargins(0, 0, 0, 0)
        for box, text in ((self.disability, N_("Has a disability")),
                          (self.female_headed, N_("Female-headed household")),
                          (self.union_member, N_("Trade union member"))):
            self._labels.append((box, text))
            flags_layout.addWidget(box)
        form.addRow(flags)
        self._row(form, N_("Household notes"), self.household_notes, "household_notes")
        self._row(form, N_("Migration status"), self.status, "migration_status")

        consent_group, form = self._group(N_("Consent"))
        self._row(form, N_("Consent given on"), self.consent_date, "consent_date")
        scopes = QWidget(self)
        scopes_layout = QVBoxLayout(scopes)
        scopes_layout.setContentsMargins(0, 0, 0, 0)
        for code, text in CONSENT_SCOPES:
            self._labels.append((self.consent_scopes[code], text))
            scopes_layout.addWidget(self.consent_scopes[code])
        self._row(form, N_("Consent covers"), scopes, "consent_scope")

        episodes_group = QGroupBox(self)
        self._labels.append((episodes_group, N_("Migration episodes")))
        QVBoxLayout(episodes_group).addWidget(self.episodes)

        grid = QGridLayout(self)
        grid.addWidget(self.form_error, 0, 0, 1, 2)
        grid.addWidget(name_group, 1, 0)
        grid.addWidget(home_group, 1, 1)
        grid.addWidget(house_group, 2, 0)
        grid.addWidget(consent_group, 2, 1)
        grid.addWidget(episodes_group, 3, 0, 1, 2)
        grid.setRowStretch(3, 1)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Tab follows the form as it reads (the fields were created in another order, so
        Tab jumped from Patronymic to Phones past Sex, Date of birth and Age)."""
        order: list[QWidget] = [
            self.inputs["family_name"], self.inputs["given_name"], self.inputs["patronymic"],
            self.sex, self.birth_date, self.age, self.inputs["phones"],
            self.inputs["document_number"], self.country, self.region, self.district,
            self.jamoat, self.inputs["village"], self.education, self.disability,
            self.female_headed, self.union_member, self.household_notes, self.status,
            self.consent_date, *self.consent_scopes.values()]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # ---- values ----------------------------------------------------------------------
    def load(self, person: dict | None, episodes: list[dict] | None = None) -> None:
        person = person or {}
        for name in TEXT_FIELDS:
            self.inputs[name].setText(person.get(name) or "")
        self.sex.set_code(person.get("sex"))
        self._loaded_estimated_birth = None
        if person.get("birth_date") and person.get("birth_date_estimated"):
            self._loaded_estimated_birth = person["birth_date"]
            self.birth_date.setText("")
            self.age.setValue(age_on(date.fromisoformat(person["birth_date"]), date.today()))
        else:
            self.birth_date.setText(to_display_date(person.get("birth_date")))
            self.age.setValue(0)
        self.country.set_code(person.get("country"))
        self.region.load(self.country.code())
        self.region.set_code(person.get("region"))
        self.district.load(self.region.code())
        self.district.set_code(person.get("district"))
        self.jamoat.load(self.district.code())
        self.jamoat.set_code(person.get("jamoat"))
        self.education.set_code(person.get("education"))
        self.status.set_code(person.get("migration_status"))
        self.disability.setChecked(bool(person.get("disability")))
        self.female_headed.setChecked(bool(person.get("female_headed_household")))
        self.union_member.setChecked(bool(person.get("union_member")))
        self.household_notes.setPlainText(person.get("household_notes") or "")
        self.consent_date.setText(to_display_date(person.get("consent_date")))
        scopes = [s.strip() for s in (person.get("consent_scope") or "").split(",") if s.strip()]
        # scopes this form does not show (added by other modules) are kept as they are
        self._other_scopes = [s for s in scopes if s not in self.consent_scopes]
        for code, box in self.consent_scopes.items():
            box.setChecked("all" in scopes or code in scopes)
        self.episodes.set_episodes(episodes or [])
        self.show_errors({})
        self.mark_clean()

    def values(self) -> dict:
        """The person fields as the repository takes them (dates as typed)."""
        values = {name: self.inputs[name].text() for name in TEXT_FIELDS}
        values["sex"] = self.sex.code()
        birth = self.birth_date.text().strip()
        values["birth_date_estimated"] = 0
        if birth:
            values["birth_date"] = birth
        elif self.age.value() > 0:
            if (self._loaded_estimated_birth and age_on(
                    date.fromisoformat(self._loaded_estimated_birth), date.today())
                    == self.age.value()):
                values["birth_date"] = self._loaded_estimated_birth
            else:
                values["birth_date"] = birth_date_from_age(self.age.value(),
                                                           date.today()).isoformat()
            values["birth_date_estimated"] = 1
        else:
            values["birth_date"] = None
        values.update(country=self.country.code(), region=self.region.code(),
                      district=self.district.code(), jamoat=self.jamoat.code(),
                      education=self.education.code(), migration_status=self.status.code(),
                      disability=int(self.disability.isChecked()),
                      female_headed_household=int(self.female_headed.isChecked()),
                      union_member=int(self.union_member.isChecked()),
                      household_notes=self.household_notes.toPlainText().strip() or None,
                      consent_date=self.consent_date.text().strip() or None)
        chosen = [code for code, box in self.consent_scopes.items() if box.isChecked()]
        if "all" in self._other_scopes and len(chosen) == len(self.consent_scopes):
            values["consent_scope"] = "all"
        else:
            others = [s for s in self._other_scopes if s != "all"]
            values["consent_scope"] = ",".join(chosen + others) or None
        return values

    def _state(self):
        return (self.values(), self.episodes.episodes())

    def mark_clean(self) -> None:
        self._snapshot = self._state()

    def is_dirty(self) -> bool:
        return self._state() != self._snapshot

    def show_errors(self, errors: dict[str, str], episode_errors=None) -> None:
        for name, label in self.errors.items():
            label.show_error(errors.get(name))
        known = set(self.errors)
        other = [msg for name, msg in errors.items()
                 if name not in known and not name.startswith("episode")]
        self.form_error.show_error("\n".join(other))
        self.episodes.show_errors(episode_errors or {})
        first = next((n for n in errors if n in self.inputs), None)
        if first:
            self.inputs[first].setFocus()

    def retranslate(self) -> None:
        for widget, msgid in self._labels:
            if isinstance(widget, QGroupBox):
                widget.setTitle(_(msgid))
            else:
                widget.setText(_(msgid))
        self.birth_date.setPlaceholderText(date_hint())
        self.consent_date.setPlaceholderText(date_hint())
        self.age.setSpecialValueText(_("unknown"))
        self.inputs["phones"].setPlaceholderText(_("+992 93 123 45 67; several separated by ;"))
        for combo in (self.sex, self.country, self.region, self.district, self.jamoat,
                      self.education, self.status):
            combo.retranslate()
        self.episodes.retranslate()


class PersonDialog(QDialog):
    """Register or edit one person. Emits ``saved(id)`` or ``open_existing(id)``."""

    saved = Signal(str)
    open_existing = Signal(str)

    def __init__(self, ctx, person_id: str | None = None, parent=None,
                 duplicate_finder: Callable | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_id = person_id
        self.duplicate_finder = duplicate_finder or default_duplicate_finder
        self.guard: QMessageBox | None = None
        self.form = PersonForm(ctx.conn, self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        self.buttons.accepted.connect(self._save_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence.Save, self, activated=self._save_clicked)
        fit_on_screen(self, 980, 760)
        if person_id:
            person, episodes = people_list.load_person(ctx.conn, person_id)
            self.form.load(person, episodes)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Edit person") if self.person_id else _("Register a person"))
        self.buttons.button(QDialogButtonBox.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(_("Cancel"))
        self.form.retranslate()

    # ---- saving ----------------------------------------------------------------------
    def _save_clicked(self) -> None:
        # slots return nothing: a returned bool upsets PySide's reference counting
        self.save()

    def save(self) -> bool:
        values = self.form.values()
        episodes = self.form.episodes.episodes()
        # check everything first so that every problem shows at once
        _cleaned, errors = validate_person(values)
        episode_errors = {}
        for index, episode in enumerate(episodes):
            _e, problems = validate_episode({**episode, "person_id": self.person_id or "new"})
            if problems:
                episode_errors[index] = problems
        if errors or episode_errors:
            self.form.show_errors(errors, episode_errors)
            return False
        if self.person_id is None:
            candidates = self.duplicate_finder(self.ctx.conn, values, limit=5)
            if candidates:
                dialog = DuplicateDialog(self.ctx, values, candidates, self)
                self.duplicates_dialog = dialog
                choice = dialog.exec()
                self.duplicates_dialog = None
                if choice == DuplicateDialog.OPEN_EXISTING:
                    self.form.mark_clean()
                    self.open_existing.emit(dialog.chosen_id)
                    self.done(QDialog.Rejected)
                    return False
                if choice != DuplicateDialog.CREATE_ANYWAY:
                    return False
        person_id = self.person_id
        saved = []

        def done(person: dict) -> None:
            saved.append(person)
            self.person_id = person["id"]
            self.form.mark_clean()
            self.saved.emit(person["id"])
            self.accept()
        WriteOp(self.ctx, self, lambda session: people_list.save_person(
            session, values, episodes, person_id), changes=("person",)) \
            .success(done).failure(self._refused).run()
        # True when saved at once (without a DB worker); else the dialog closes when saved
        return bool(saved)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, people_list.EpisodeErrors):
            self.form.show_errors({}, exc.rows)
        elif isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors)
        elif isinstance(exc, PermissionDenied):
            self.form.show_errors({"_": str(exc)})
        else:
            operations.show_error(self, exc)

    # ---- guard -----------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """Ask about unsaved changes; True when the dialog may close."""
        if not self.form.is_dirty():
            return True
        box = QMessageBox(QMessageBox.Warning, _("Unsaved changes"),
                          _("This person has changes that are not saved."),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        box.setInformativeText(_("Save them, discard them, or go back to the form?"))
        box.button(QMessageBox.Save).setText(_("Save"))
        box.button(QMessageBox.Discard).setText(_("Discard"))
        box.button(QMessageBox.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.Cancel)
        self.guard = box
        answer = box.exec()
        self.guard = None
        if answer == QMessageBox.Save:
            return self.save()
        if answer == QMessageBox.Discard:
            self.form.mark_clean()
            return True
        return False

    def reject(self) -> None:
        if self.confirm_close() and self.result() != QDialog.Accepted:
            super().reject()

    def closeEvent(self, event) -> None:
        if self.result() == QDialog.Accepted or self.confirm_close():
            event.accept()
        else:
            event.ignore()

    def has_unsaved_changes(self) -> bool:
        return self.form.is_dirty()
