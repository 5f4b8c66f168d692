"""Small dialogs of the trainings page: add a person, register one, completion by hand."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop_app.domain.people import SEXES, validate_person
from desktop_app.domain.trainings import (
    CERTIFICATE_LANGUAGES,
    OUTCOMES,
    OVERRIDES,
    hours_example,
    hours_text,
    parse_hours,
)
from desktop_app.i18n import LANGUAGES, Domain, current_language, format_date
from desktop_app.i18n.formats import decimal_text, full_name
from desktop_app.store import reference
from desktop_app.store.people.repositories import PersonRepository, search_people
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.store.trainings import spreadsheet as ti
from desktop_app.ui import operations
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.widgets import DateEntry, fit_columns, style_table

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


def problem_text(exc) -> str:
    """One line for the user from a validation or permission problem."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.errors.values())
    return str(exc)


def refused_in(label: QLabel, then=None):
    """A failure callback: a validation or permission problem is written into ``label``
    (then ``then()``); anything else is reported in the operations layer's message box."""
    def failed(exc: BaseException) -> None:
        if not isinstance(exc, (ValidationError, PermissionDenied)):
            operations.show_error(label, exc)
            return
        label.setText(problem_text(exc))
        if then is not None:
            then()
    return failed


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

    def __init__(self, ctx, event_id: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
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
        self.search.installEventFilter(self)
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

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        # Enter in the search field adds, and goes no further: passed on to the dialog it
        # would press the default button (Add) and add the same person a second time
        if watched is self.search and event.type() == QEvent.KeyPress \
                and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self._enter()
            return True
        return super().eventFilter(watched, event)

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
            text = full_name(hit.__dict__)
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
        event_id, person_id = self.event_id, item.data(Qt.UserRole)
        language, name = self.language.currentData(), item.text().split(" — ")[0]

        def added(_participant) -> None:
            self.added.append(person_id)
            self.error.setText(_("Added: {name}").format(name=name))
            self.search.selectAll()
            self.search.setFocus()
        WriteOp(self.ctx, self, lambda session: ts.add_participant(
            session, event_id, person_id, language), changes=("training_participant",)) \
            .success(added).failure(refused_in(self.error)).run()


class RegisterPersonDialog(QDialog):
    """Register a new person and add them; warns first when they may be registered already."""

    def __init__(self, ctx, event_id: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
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
        widgets = (self.family, self.given, self.patronymic, self.sex, self.birth, self.phones,
                   self.language)
        for label, widget in zip(self.labels, widgets, strict=True):
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
                                             _("Certificate language")), strict=True):
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
        event_id, language = self.event_id, self.language.currentData()

        def register(session) -> dict:
            with session.transaction():
                person = PersonRepository(session).create(values)
                ts.add_participant(session, event_id, person["id"], language)
            return person

        def forget_check() -> None:
            self._checked_for = None
        WriteOp(self.ctx, self, register, changes=("person", "training_participant")) \
            .success(lambda person: self._added(person["id"])) \
            .failure(refused_in(self.error, forget_check)).run()

    def _added(self, person_id: str) -> None:
        self.person_id = person_id
        self.accept()

    def use_candidate(self) -> None:
        item = self.candidates.currentItem()
        if item is None:
            return
        event_id, person_id = self.event_id, item.data(Qt.UserRole)
        language = self.language.currentData()
        WriteOp(self.ctx, self, lambda session: ts.add_participant(
            session, event_id, person_id, language), changes=("training_participant",)) \
            .success(lambda _participant: self._added(person_id)) \
            .failure(refused_in(self.error)).run()


class OverrideDialog(QDialog):
    """Decide completion by hand (a reason is required) or go back to the course rule."""

    def __init__(self, ctx, participant: dict, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.participant = participant
        self.choice = QComboBox()
        self.choice.addItem("", None)
        for code in OVERRIDES:
            self.choice.addItem("", code)
        self.choice.setCurrentIndex(
            max(0, self.choice.findData(participant.get("completion_override"))))
        self.reason = QLineEdit(participant.get("override_reason") or "")
        self.error = _error_label()
        self.name = QLabel(full_name(participant))
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
        participant_id = self.participant["id"]
        choice, reason = self.choice.currentData(), self.reason.text()
        WriteOp(self.ctx, self, lambda session: tr.TrainingParticipantRepository(
            session).set_override(participant_id, choice, reason),
            changes=("training_participant",)) \
            .success(lambda _participant: self.accept()).failure(refused_in(self.error)).run()


class OutcomeDialog(QDialog):
    """Record a dated follow-up outcome of a participant."""

    def __init__(self, ctx, event_id: str, participants: list[dict], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.event_id = event_id
        self.person = QComboBox()
        for p in participants:
            self.person.addItem(full_name(p), (p["person_id"], p["id"]))
        self.outcome = QComboBox()
        for code in OUTCOMES:
            self.outcome.addItem("", code)
        self.when = DateEntry()
        self.notes = QLineEdit()
        self.error = _error_label()
        self.labels = [QLabel() for _i in range(4)]
        form = QFormLayout()
        widgets = (self.person, self.outcome, self.when, self.notes)
        for label, widget in zip(self.labels, widgets, strict=True):
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
                                             _("Notes")), strict=True):
            label.setText(text)

    def save(self) -> None:
        data = self.person.currentData()
        if data is None:
            self.error.setText(_("Add participants first."))
            return
        person_id, participant_id = data
        values = {"person_id": person_id, "participant_id": participant_id,
                  "event_id": self.event_id, "outcome": self.outcome.currentData(),
                  "outcome_date": self.when.iso(),
                  "notes": self.notes.text() or None}
        WriteOp(self.ctx, self, lambda session: tr.TrainingOutcomeRepository(session).create(
            values), changes=("training_outcome",)) \
            .success(lambda _outcome: self.accept()).failure(refused_in(self.error)).run()


class CoursesDialog(QDialog):
    """Courses (reference data) with their completion rules; an administrator adds or edits."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.table = QTableWidget(0, 3)
        style_table(self.table)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        fit_columns(self.table, stretch=2)
        self.table.currentCellChanged.connect(lambda row, *_: self._pick(row))
        self.code = QLineEdit()
        self.names = {lang: QLineEdit() for lang in ("en", "ru", "tg", "uz")}
        self.sessions = QLineEdit()
        self.hours = QLineEdit()
        self.min_share = QLineEdit()
        self.min_hours = QLineEdit()
        self.error = _error_label()
        self.labels = [QLabel() for _i in range(9)]
        form = QFormLayout()
        widgets = [self.code, *self.names.values(), self.sessions, self.hours, self.min_share,
                   self.min_hours]
        for label, widget in zip(self.labels, widgets, strict=True):
            form.addRow(label, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Close)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(940, 640)
        self.items: list = []
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Courses"))
        self.table.setHorizontalHeaderLabels([_("Code"), _("Course"), _("Completion")])
        texts = (_("Code"), _("Name in English"), _("Name in Russian"), _("Name in Tajik"),
                 _("Name in Uzbek"), _("Usual number of sessions"), _("Usual hours per session"),
                 _("Share of sessions to attend (0-1)"), _("Hours to attend"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.load()

    def load(self) -> None:
        self.items = reference.items(self.session.conn, "course", active_only=False)
        self.table.setRowCount(len(self.items))
        for i, item in enumerate(self.items):
            rule = tq.course_rule(self.session.conn, item.code).describe()
            for c, text in enumerate((item.code, item.label(current_language()), rule)):
                self.table.setItem(i, c, QTableWidgetItem(text))

    def _pick(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        self.code.setText(item.code)
        for lang, edit in self.names.items():
            edit.setText(item.labels.get(lang) or "")
        attrs = item.attributes
        rule = attrs.get("completion", {})
        self.sessions.setText(str(attrs.get("default_sessions") or ""))
        self.hours.setText(hours_text(attrs["default_minutes"]) if attrs.get("default_minutes")
                           else "")
        for edit, key in ((self.min_share, "min_share_sessions"), (self.min_hours, "min_hours")):
            value = rule.get(key)
            edit.setText(decimal_text(value) if value not in (None, "") else "")

    def save(self) -> None:
        existing = {i.code: i for i in self.items}.get(self.code.text().strip().lower())
        attrs = existing.attributes if existing else {}
        try:
            sessions = int(self.sessions.text()) if self.sessions.text().strip() else None
            minutes = parse_hours(self.hours.text()) if self.hours.text().strip() else None
        except (ValueError, ArithmeticError):
            self.error.setText(hours_example())
            return
        code = self.code.text()
        names = {lang: edit.text() for lang, edit in self.names.items()}
        rule = dict(topic=attrs.get("topic"), provider_type=attrs.get("provider_type"),
                    default_sessions=sessions, default_minutes=minutes,
                    min_share_sessions=self.min_share.text().strip() or None,
                    min_hours=self.min_hours.text().strip() or None,
                    sort_order=existing.sort_order if existing else 100)

        def saved(_course) -> None:
            self.error.setText(_("Course saved: {code}").format(code=code.strip().lower()))
            self.load()
        WriteOp(self.ctx, self, lambda session: ts.save_course(session, code, names, **rule),
                changes=("reference_item",)).success(saved) \
            .failure(refused_in(self.error)).run()
