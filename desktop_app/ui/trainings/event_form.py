"""The training's details and its sessions (the first tab of the Trainings page)."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.trainings import hours_example, hours_text, parse_hours
from desktop_app.i18n import Domain, format_date
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.ui import operations
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.trainings.dialogs import _error_label, language_box, problem_text
from desktop_app.ui.widgets import DateEntry, RefCombo, compact_combo, style_table, wrapping_row

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


class EventForm(QWidget):
    """The training's details and its sessions."""

    def __init__(self, ctx, on_saved, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.on_saved = on_saved
        self.current: dict | None = None
        conn = self.session.conn
        self.course = compact_combo(RefCombo(conn, "course"), 20)
        self.course.currentIndexChanged.connect(self._course_defaults)
        self.title = QLineEdit()
        self.provider_type = compact_combo(RefCombo(conn, "training_provider_type"), 20)
        self.provider_name = QLineEdit()
        self.trainers = QLineEdit()
        self.funding = compact_combo(RefCombo(conn, "funding_source"), 20)
        self.district = compact_combo(RefCombo(conn, "district"), 20)
        self.place = QLineEdit()
        self.start = DateEntry()
        self.end = DateEntry()
        self.language = language_box()
        self.notes = QLineEdit()
        self.sessions_count = QSpinBox()
        self.sessions_count.setRange(0, 200)
        self.session_hours = QLineEdit("4")
        self.labels = [QLabel() for _i in range(14)]
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for label in self.labels:
            label.setWordWrap(True)   # long Tajik labels take two lines, not the window's width
        widgets = (self.course, self.title, self.provider_type, self.provider_name, self.trainers,
                   self.funding, self.district, self.place, self.start, self.end, self.language,
                   self.notes, self.sessions_count, self.session_hours)
        for label, widget in zip(self.labels, widgets, strict=True):
            form.addRow(label, widget)
        self.rule = QLabel()
        self.error = _error_label()
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.sessions_table = QTableWidget(0, 3)
        style_table(self.sessions_table)   # the kit's 28 px rows, like every other list
        self.sessions_table.setEditTriggers(QTableWidget.DoubleClicked | QTableWidget.EditKeyPressed
                                            | QTableWidget.AnyKeyPressed)
        self.sessions_table.itemChanged.connect(self._session_edited)
        self.sessions_table.horizontalHeader().setStretchLastSection(True)
        self.add_session_button = QPushButton()
        self.add_session_button.clicked.connect(self.add_session)
        self.delete_session_button = QPushButton()
        self.delete_session_button.clicked.connect(self.delete_session)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.rule)
        left.addWidget(self.error)
        left.addWidget(self.save_button)
        left.addStretch(1)
        right = QVBoxLayout()
        self.sessions_label = QLabel()
        self.sessions_label.setWordWrap(True)
        right.addWidget(self.sessions_label)
        right.addWidget(self.sessions_table, 1)
        right.addWidget(wrapping_row(self.add_session_button, self.delete_session_button))
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.retranslate()
        self.load(None)

    def retranslate(self) -> None:
        texts = (_("Course"), _("Title (optional)"), _("Provider type"), _("Provider"),
                 _("Trainers"), _("Funding source"), _("District"), _("Place"), _("First day"),
                 _("Last day"), _("Language of the training"), _("Notes"),
                 _("Sessions to plan"), _("Hours per session"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.save_button.setText(_("Save the training (Ctrl+S)"))
        self.sessions_label.setText(_("Sessions"))
        self.add_session_button.setText(_("Add a session"))
        self.delete_session_button.setText(_("Delete the session"))
        self.sessions_table.setHorizontalHeaderLabels([_("No."), _("Date"), _("Hours")])
        for box in (self.course, self.provider_type, self.funding, self.district):
            box.retranslate()
        self._show_rule()

    def _show_rule(self) -> None:
        code = self.course.code()
        self.rule.setText(_("Completion: {rule}").format(
            rule=tq.course_rule(self.session.conn, code).describe()) if code else "")

    def _course_defaults(self) -> None:
        self._show_rule()
        if self.current is not None:
            return
        attrs = tq.course_attributes(self.session.conn, self.course.code())
        if attrs.get("default_sessions"):
            self.sessions_count.setValue(int(attrs["default_sessions"]))
        if attrs.get("default_minutes"):
            self.session_hours.setText(hours_text(int(attrs["default_minutes"])))
        if attrs.get("provider_type"):
            self.provider_type.set_code(attrs["provider_type"])

    def load(self, event: dict | None) -> None:
        self.current = event
        self.error.clear()
        planning = event is None
        self.labels[12].setVisible(planning)
        self.sessions_count.setVisible(planning)
        self.labels[13].setVisible(planning)
        self.session_hours.setVisible(planning)
        e = event or {}
        for box, key in ((self.course, "course_code"), (self.provider_type, "provider_type"),
                         (self.funding, "funding_source"), (self.district, "district")):
            box.blockSignals(True)
            box.set_code(e.get(key))
            box.blockSignals(False)
        self.language.setCurrentIndex(max(0, self.language.findData(e.get("language"))))
        for edit, key in ((self.title, "title"), (self.provider_name, "provider_name"),
                          (self.trainers, "trainers"), (self.place, "place"),
                          (self.notes, "notes")):
            edit.setText(e.get(key) or "")
        for entry, key in ((self.start, "start_date"), (self.end, "end_date")):
            entry.set_value(date.fromisoformat(e[key]) if e.get(key) else date.today())
        self._show_rule()
        self._load_sessions()

    def _load_sessions(self) -> None:
        rows = tq.sessions_of(self.session.conn, self.current["id"]) if self.current else []
        self.sessions_table.blockSignals(True)
        self.sessions_table.setRowCount(len(rows))
        for i, s in enumerate(rows):
            day = s["session_date"]
            for c, text in enumerate((str(i + 1), format_date(day),
                                      hours_text(s["minutes"]))):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, s["id"])
                if c == 0:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                self.sessions_table.setItem(i, c, item)
        self.sessions_table.blockSignals(False)
        self.add_session_button.setEnabled(self.current is not None)
        self.delete_session_button.setEnabled(bool(rows))

    def _session_edited(self, item: QTableWidgetItem) -> None:
        """A session's date (dd.mm.yyyy) or hours typed in the table: saved at once."""
        text = item.text().strip()
        try:
            if item.column() == 1:
                changes = {"session_date": text}
            else:
                changes = {"minutes": parse_hours(text)}
        except (ValueError, ArithmeticError):
            self.error.setText(hours_example())
            self._load_sessions()
            return
        session_id = item.data(Qt.UserRole)

        def saved(_record) -> None:
            self.error.clear()
            self.on_saved(self.current)
            self._load_sessions()

        def refused(exc: BaseException) -> None:
            self.error.setText(problem_text(exc))
            self._load_sessions()
        self._write(lambda session: tr.TrainingSessionRepository(session).update(
            session_id, changes), saved, refused)

    def _write(self, work, saved, refused=None) -> None:
        """Save through the operations layer; a refusal is shown in the form."""
        def failed(exc: BaseException) -> None:
            if not isinstance(exc, (ValidationError, PermissionDenied)):
                operations.show_error(self, exc)
            elif refused is not None:
                refused(exc)
            else:
                self.error.setText(problem_text(exc))
        WriteOp(self.ctx, self, work, changes=("training_event",)).success(saved) \
            .failure(failed).run()

    def is_dirty(self) -> bool:
        """Whether the form holds typed changes that are not saved."""
        values = self.values()
        if self.current is None:
            return any((values.get(k) or "").strip() for k in (
                "title", "provider_name", "trainers", "place", "notes"))
        def norm(value):
            return " ".join(str(value).split()) if value not in (None, "") else ""
        return any(norm(values[k]) != norm(self.current.get(k)) for k in values)

    def values(self) -> dict:
        return {
            "course_code": self.course.code(), "title": self.title.text(),
            "provider_type": self.provider_type.code(),
            "provider_name": self.provider_name.text(), "trainers": self.trainers.text(),
            "funding_source": self.funding.code(), "district": self.district.code(),
            "place": self.place.text(), "start_date": self.start.iso(),
            "end_date": self.end.iso(),
            "language": self.language.currentData(), "notes": self.notes.text(),
        }

    def save(self) -> dict | None:
        """Save the form; returns the saved training when it was saved at once (without a DB
        worker), else None (the form shows it when the answer comes)."""
        creating = self.current is None
        event_id = None if creating else self.current["id"]
        values = self.values()
        count = self.sessions_count.value()
        try:
            minutes = parse_hours(self.session_hours.text() or "0") if creating else None
        except (ValueError, ArithmeticError):
            self.error.setText(problem_text(ValidationError(
                {"minutes": hours_example()})))
            return None

        def work(session):
            repo = tr.TrainingEventRepository(session)
            if not creating:
                return repo.update(event_id, values)
            with session.transaction():
                event = repo.create(values)
                if count:
                    first = date.fromisoformat(event["start_date"])
                    last = date.fromisoformat(event["end_date"] or event["start_date"])
                    days = max((last - first).days, 0)
                    dates = [first + timedelta(days=(days * i // max(count - 1, 1))
                                               if count > 1 else 0) for i in range(count)]
                    ts.add_sessions(session, event["id"], dates, minutes)
            return event

        saved_event = []

        def saved(event: dict) -> None:
            saved_event.append(event)
            self.load(event)
            self.on_saved(event)
        self._write(work, saved)
        return saved_event[0] if saved_event else None

    def add_session(self) -> None:
        if self.current is None:
            return
        event_id = self.current["id"]
        rows = tq.sessions_of(self.session.conn, event_id)
        last = date.fromisoformat(rows[-1]["session_date"]) + timedelta(days=1) if rows else \
            date.fromisoformat(self.current["start_date"])
        minutes = rows[-1]["minutes"] if rows else 240
        self._write(lambda session: ts.add_sessions(session, event_id, [last], minutes),
                    self._sessions_changed)

    def delete_session(self) -> None:
        item = self.sessions_table.item(self.sessions_table.currentRow(), 0)
        if item is None:
            return
        session_id = item.data(Qt.UserRole)
        self._write(lambda session: tr.TrainingSessionRepository(session).delete(session_id),
                    self._sessions_changed)

    def _sessions_changed(self, _result) -> None:
        self._load_sessions()
        self.on_saved(self.current)
