"""Small dialogs of the trainings page: add a person, register one, completion by hand."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout)

from desktop_app.domain.people import SEXES, validate_person
from desktop_app.domain.trainings import CERTIFICATE_LANGUAGES, OUTCOMES, OVERRIDES
from desktop_app.i18n import LANGUAGES, _, format_date
from desktop_app.store import trainings as tr
from desktop_app.store import trainings_import as ti
from desktop_app.store.people import PersonRepository, search_people
from desktop_app.store.repository import ValidationError


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #a31515;")
    return label


def language_box(include_empty: bool = True) -> QComboBox:
    box = QComboBox()
    if include_empty:
        box.addItem("", None)
    for code in CERTIFICATE_LANGUAGES:
        box.addItem(LANGUAGES[code][1], code)
    return box


class AddPersonDialog(QDialog):
    """Find an existing person by name, phone or document (any script) and add them."""

    def __init__(self, session, event_id: str, parent=None):
        super().__init__(parent)
        self.session = session
        self.event_id = event_id
        self.added: list[str] = []
        self.search = QLineEdit()
        self.results = QListWidget()
        self.language = language_box()
        self.error = _error_label()
        self.hint = QLabel()
        self.language_label = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Close)
        self.buttons.accepted.connect(self.add_current)
        self.buttons.rejected.connect(self.accept)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda *_: self._timer.start())
        self.search.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(lambda *_: self.add_current())
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, 420)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Add participants"))
        self.hint.setText(_("Type a name, phone or passport number; press Enter to add the "
                            "selected person."))
        self.search.setPlaceholderText(_("Search people"))
        self.language_label.setText(_("Certificate language"))
        self.buttons.button(QDialogButtonBox.Ok).setText(_("Add"))

    def _enter(self) -> None:
        self._timer.stop()
        self.run_search()
        if self.results.count():
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)
            self.add_current()

    def run_search(self) -> None:
        self.results.clear()
        for hit in search_people(self.session.conn, self.search.text(), limit=30):
            text = tr.full_name(hit.__dict__)
            extra = ", ".join(p for p in (format_date(hit.birth_date), hit.phones or "") if p)
            item = QListWidgetItem(f"{text} — {extra}" if extra else text)
            item.setData(Qt.UserRole, hit.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def add_current(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        try:
            tr.add_participant(self.session, self.event_id, item.data(Qt.UserRole),
                               self.language.currentData())
        except ValidationError as exc:
            self.error.setText(" ".join(exc.errors.values()))
            return
        self.added.append(item.data(Qt.UserRole))
        self.error.setText(_("Added: {name}").format(name=item.text().split(" — ")[0]))
        self.search.selectAll()
        self.search.setFocus()


class RegisterPersonDialog(QDialog):
    """Register a new person and add them; warns first when they may be registered already."""

    def __init__(self, session, event_id: str, parent=None):
        super().__init__(parent)
        self.session = session
        self.event_id = event_id
        self.person_id: str | None = None
        self._checked_for: tuple | None = None
        self.family = QLineEdit()
        self.given = QLineEdit()
        self.patronymic = QLineEdit()
        self.sex = QComboBox()
        self.sex.addItem("", None)
        for code in SEXES:
            self.sex.addItem("", code)
        self.birth = QLineEdit()
        self.phones = QLineEdit()
        self.language = language_box()
        self.candidates = QListWidget()
        self.candidates.setVisible(False)
        self.candidates.itemActivated.connect(lambda *_: self.use_candidate())
        self.error = _error_label()
        self.labels = [QLabel() for _i in range(7)]
        form = QFormLayout()
        for label, widget in zip(self.labels, (self.family, self.given, self.patronymic, self.sex,
                                               self.birth, self.phones, self.language)):
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.use_button = self.buttons.addButton("", QDialogButtonBox.ActionRole)
        self.use_button.setVisible(False)
        self.use_button.clicked.connect(self.use_candidate)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.candidates)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Register a new participant"))
        for label, text in zip(self.labels, (_("Family name"), _("Given name"), _("Patronymic"),
                                             _("Sex"), _("Date of birth"), _("Phone"),
                                             _("Certificate language"))):
            label.setText(text)
        for i, code in enumerate(SEXES, start=1):
            self.sex.setItemText(i, _(SEXES[code]))
        self.birth.setPlaceholderText(_("dd.mm.yyyy"))
        self.use_button.setText(_("Use the selected person"))

    def values(self) -> dict:
        return {"family_name": self.family.text(), "given_name": self.given.text(),
                "patronymic": self.patronymic.text() or None, "sex": self.sex.currentData(),
                "birth_date": self.birth.text() or None, "phones": self.phones.text() or None}

    def save(self) -> None:
        if self.person_id:
            return
        values = self.values()
        key = tuple(sorted((k, v or "") for k, v in values.items()))
        if self._checked_for != key:
            # first press: look for the same person before registering a duplicate
            cleaned, errors = validate_person(values)
            if errors:
                self.error.setText(" ".join(errors.values()))
                return
            self._checked_for = key
            found = ti.find_candidates(self.session.conn, cleaned)
            if found:
                self.candidates.clear()
                for cand in found:
                    item = QListWidgetItem(cand.label)
                    item.setData(Qt.UserRole, cand.person_id)
                    self.candidates.addItem(item)
                self.candidates.setCurrentRow(0)
                self.candidates.setVisible(True)
                self.use_button.setVisible(True)
                self.error.setText(_("This person may be registered already. Choose them and "
                                     "press \u201cUse the selected person\u201d, or press Save "
                                     "again to register a new person."))
                return
        try:
            with self.session.transaction():
                person = PersonRepository(self.session).create(values)
                tr.add_participant(self.session, self.event_id, person["id"],
                                   self.language.currentData())
        except ValidationError as exc:
            self._checked_for = None
            self.error.setText(" ".join(exc.errors.values()))
            return
        self.person_id = person["id"]
        self.accept()

    def use_candidate(self) -> None:
        item = self.candidates.currentItem()
        if item is None:
            return
        try:
            tr.add_participant(self.session, self.event_id, item.data(Qt.UserRole),
                               self.language.currentData())
        except ValidationError as exc:
            self.error.setText(" ".join(exc.errors.values()))
            return
        self.person_id = item.data(Qt.UserRole)
        self.accept()


class OverrideDialog(QDialog):
    """Decide completion by hand (a reason is required) or go back to the course rule."""

    def __init__(self, session, participant: dict, parent=None):
        super().__init__(parent)
        self.session = session
        self.participant = participant
        self.choice = QComboBox()
        self.choice.addItem("", None)
        for code in OVERRIDES:
            self.choice.addItem("", code)
        self.choice.setCurrentIndex(max(0, self.choice.findData(participant.get("completion_override"))))
        self.reason = QLineEdit(participant.get("override_reason") or "")
        self.error = _error_label()
        self.name = QLabel(tr.full_name(participant))
        self.labels = [QLabel(), QLabel()]
        form = QFormLayout()
        form.addRow(self.name)
        form.addRow(self.labels[0], self.choice)
        form.addRow(self.labels[1], self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Completion decided by hand"))
        self.choice.setItemText(0, _("By the course rule"))
        for i, code in enumerate(OVERRIDES, start=1):
            self.choice.setItemText(i, _(OVERRIDES[code]))
        self.labels[0].setText(_("Completion"))
        self.labels[1].setText(_("Reason"))

    def save(self) -> None:
        try:
            tr.TrainingParticipantRepository(self.session).set_override(
                self.participant["id"], self.choice.currentData(), self.reason.text())
        except ValidationError as exc:
            self.error.setText(" ".join(exc.errors.values()))
            return
        self.accept()


class OutcomeDialog(QDialog):
    """Record a dated follow-up outcome of a participant."""

    def __init__(self, session, event_id: str, participants: list[dict], parent=None):
        super().__init__(parent)
        self.session = session
        self.event_id = event_id
        self.person = QComboBox()
        for p in participants:
            self.person.addItem(tr.full_name(p), (p["person_id"], p["id"]))
        self.outcome = QComboBox()
        for code in OUTCOMES:
            self.outcome.addItem("", code)
        self.when = QDateEdit(QDate.currentDate())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("dd.MM.yyyy")
        self.notes = QLineEdit()
        self.error = _error_label()
        self.labels = [QLabel() for _i in range(4)]
        form = QFormLayout()
        for label, widget in zip(self.labels, (self.person, self.outcome, self.when, self.notes)):
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Follow-up outcome"))
        for i, code in enumerate(OUTCOMES):
            self.outcome.setItemText(i, _(OUTCOMES[code]))
        for label, text in zip(self.labels, (_("Participant"), _("Outcome"), _("Date"),
                                             _("Notes"))):
            label.setText(text)

    def save(self) -> None:
        data = self.person.currentData()
        if data is None:
            self.error.setText(_("Add participants first."))
            return
        person_id, participant_id = data
        try:
            tr.TrainingOutcomeRepository(self.session).create({
                "person_id": person_id, "participant_id": participant_id,
                "event_id": self.event_id, "outcome": self.outcome.currentData(),
                "outcome_date": self.when.date().toString("yyyy-MM-dd"),
                "notes": self.notes.text() or None})
        except ValidationError as exc:
            self.error.setText(" ".join(exc.errors.values()))
            return
        self.accept()
