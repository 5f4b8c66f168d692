"""The Trainings page: list of trainings; details, participants with attendance, outcomes."""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QDateEdit, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QSplitter, QTableView, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget, QAbstractItemView)

from desktop_app.domain.trainings import OUTCOMES, parse_hours
from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.store.trainings import repositories as tr
from desktop_app.i18n.formats import full_name
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import services as ts
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied
from desktop_app.ui.trainings.attendance import AttendanceModel, AttendanceView
from desktop_app.ui.trainings.dialogs import (AddPersonDialog, CoursesDialog, OutcomeDialog,
                                              OverrideDialog,
                                              RegisterPersonDialog, _error_label, language_box,
                                              problem_text)
from desktop_app.ui.layout import compact_combo, wrapping_row
from desktop_app.ui.trainings.import_dialog import ImportDialog

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


def ref_box(conn, kind: str, empty: bool = True) -> QComboBox:
    box = compact_combo(QComboBox(), 20)
    fill_ref_box(conn, box, kind, empty)
    return box


def fill_ref_box(conn, box: QComboBox, kind: str, empty: bool = True) -> None:
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    if empty:
        box.addItem("", None)
    for item in reference.items(conn, kind):
        box.addItem(item.label(current_language()), item.code)
    index = box.findData(current)
    box.setCurrentIndex(index if index >= 0 else 0)
    box.blockSignals(False)


class EventListModel(QAbstractTableModel):
    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.rows: list[dict] = []

    def load(self, text: str | None = None) -> None:
        self.beginResetModel()
        self.rows = tq.list_events(self.conn, text=text or None)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 5

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return (_("Starts"), _("Course"), _("Place"), _("Participants"), _("Completed"))[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return format_date(row["start_date"])
        if col == 1:
            course = reference.label(self.conn, "course", row["course_code"], current_language())
            return f"{course} — {row['title']}" if row.get("title") else course
        if col == 2:
            return row.get("place") or reference.label(self.conn, "district", row.get("district"),
                                                       current_language())
        if col == 3:
            return str(row["participants"])
        return str(row["completed_count"])

    def event_id(self, row: int) -> str | None:
        return self.rows[row]["id"] if 0 <= row < len(self.rows) else None


class EventForm(QWidget):
    """The training's details and its sessions."""

    def __init__(self, session, on_saved, parent=None):
        super().__init__(parent)
        self.session = session
        self.on_saved = on_saved
        self.current: dict | None = None
        conn = session.conn
        self.course = ref_box(conn, "course")
        self.course.currentIndexChanged.connect(self._course_defaults)
        self.title = QLineEdit()
        self.provider_type = ref_box(conn, "training_provider_type")
        self.provider_name = QLineEdit()
        self.trainers = QLineEdit()
        self.funding = ref_box(conn, "funding_source")
        self.district = ref_box(conn, "district")
        self.place = QLineEdit()
        self.start = QDateEdit(QDate.currentDate())
        self.end = QDateEdit(QDate.currentDate())
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd.MM.yyyy")
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
        for label, widget in zip(self.labels, widgets):
            form.addRow(label, widget)
        self.rule = QLabel()
        self.error = _error_label()
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        self.sessions_table = QTableWidget(0, 3)
        self.sessions_table.verticalHeader().setVisible(False)
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
        for label, text in zip(self.labels, texts):
            label.setText(text)
        self.save_button.setText(_("Save the training (Ctrl+S)"))
        self.sessions_label.setText(_("Sessions"))
        self.add_session_button.setText(_("Add a session"))
        self.delete_session_button.setText(_("Delete the session"))
        self.sessions_table.setHorizontalHeaderLabels([_("No."), _("Date"), _("Hours")])
        conn = self.session.conn
        for box, kind in ((self.course, "course"), (self.provider_type, "training_provider_type"),
                          (self.funding, "funding_source"), (self.district, "district")):
            fill_ref_box(conn, box, kind)
        self._show_rule()

    def _show_rule(self) -> None:
        code = self.course.currentData()
        self.rule.setText(_("Completion: {rule}").format(
            rule=tq.course_rule(self.session.conn, code).describe()) if code else "")

    def _course_defaults(self) -> None:
        self._show_rule()
        if self.current is not None:
            return
        attrs = tq.course_attributes(self.session.conn, self.course.currentData())
        if attrs.get("default_sessions"):
            self.sessions_count.setValue(int(attrs["default_sessions"]))
        if attrs.get("default_minutes"):
            from desktop_app.domain.trainings import hours_text
            self.session_hours.setText(hours_text(int(attrs["default_minutes"])))
        if attrs.get("provider_type"):
            self.provider_type.setCurrentIndex(max(0, self.provider_type.findData(
                attrs["provider_type"])))

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
                         (self.funding, "funding_source"), (self.district, "district"),
                         (self.language, "language")):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(e.get(key))))
            box.blockSignals(False)
        for edit, key in ((self.title, "title"), (self.provider_name, "provider_name"),
                          (self.trainers, "trainers"), (self.place, "place"),
                          (self.notes, "notes")):
            edit.setText(e.get(key) or "")
        for edit, key in ((self.start, "start_date"), (self.end, "end_date")):
            edit.setDate(QDate.fromString(e[key], "yyyy-MM-dd") if e.get(key)
                         else QDate.currentDate())
        self._show_rule()
        self._load_sessions()

    def _load_sessions(self) -> None:
        rows = tq.sessions_of(self.session.conn, self.current["id"]) if self.current else []
        self.sessions_table.blockSignals(True)
        self.sessions_table.setRowCount(len(rows))
        from desktop_app.domain.trainings import hours_text
        for i, s in enumerate(rows):
            day = s["session_date"]
            for c, text in enumerate((str(i + 1), f"{day[8:10]}.{day[5:7]}.{day[:4]}",
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
            self.error.setText(_("Write the hours as a number, e.g. 4 or 1.5."))
            self._load_sessions()
            return
        try:
            tr.TrainingSessionRepository(self.session).update(item.data(Qt.UserRole), changes)
        except (ValidationError, PermissionDenied) as exc:
            self.error.setText(problem_text(exc))
        else:
            self.error.clear()
            self.on_saved(self.current)
        self._load_sessions()

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
            "course_code": self.course.currentData(), "title": self.title.text(),
            "provider_type": self.provider_type.currentData(),
            "provider_name": self.provider_name.text(), "trainers": self.trainers.text(),
            "funding_source": self.funding.currentData(), "district": self.district.currentData(),
            "place": self.place.text(), "start_date": self.start.date().toString("yyyy-MM-dd"),
            "end_date": self.end.date().toString("yyyy-MM-dd"),
            "language": self.language.currentData(), "notes": self.notes.text(),
        }

    def save(self) -> dict | None:
        repo = tr.TrainingEventRepository(self.session)
        try:
            if self.current is None:
                try:
                    minutes = parse_hours(self.session_hours.text() or "0")
                except (ValueError, ArithmeticError):
                    raise ValidationError({"minutes": _("Write the hours as a number, e.g. 4 "
                                                        "or 1.5.")}) from None
                with self.session.transaction():
                    event = repo.create(self.values())
                    count = self.sessions_count.value()
                    if count:
                        first = date.fromisoformat(event["start_date"])
                        last = date.fromisoformat(event["end_date"] or event["start_date"])
                        days = max((last - first).days, 0)
                        dates = [first + timedelta(days=(days * i // max(count - 1, 1))
                                                   if count > 1 else 0) for i in range(count)]
                        ts.add_sessions(self.session, event["id"], dates, minutes)
            else:
                event = repo.update(self.current["id"], self.values())
        except (ValidationError, PermissionDenied) as exc:
            self.error.setText(problem_text(exc))
            return None
        self.load(event)
        self.on_saved(event)
        return event

    def add_session(self) -> None:
        if self.current is None:
            return
        rows = tq.sessions_of(self.session.conn, self.current["id"])
        last = date.fromisoformat(rows[-1]["session_date"]) + timedelta(days=1) if rows else \
            date.fromisoformat(self.current["start_date"])
        minutes = rows[-1]["minutes"] if rows else 240
        try:
            ts.add_sessions(self.session, self.current["id"], [last], minutes)
        except PermissionDenied as exc:
            self.error.setText(str(exc))
            return
        self._load_sessions()
        self.on_saved(self.current)

    def delete_session(self) -> None:
        item = self.sessions_table.item(self.sessions_table.currentRow(), 0)
        if item is None:
            return
        try:
            tr.TrainingSessionRepository(self.session).delete(item.data(Qt.UserRole))
        except PermissionDenied as exc:
            self.error.setText(str(exc))
            return
        self._load_sessions()
        self.on_saved(self.current)


class ParticipantsTab(QWidget):
    """Participants and the attendance grid, with totals and certificates."""

    def __init__(self, session, on_changed, parent=None):
        super().__init__(parent)
        self.session = session
        self.on_changed = on_changed
        self.event_id: str | None = None
        self.model = AttendanceModel(session, self)
        self.grid = AttendanceView(self.model)
        self.model.saved.connect(self._update_totals)
        self.model.failed.connect(lambda msg: self.message.setText(msg))
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add_people)
        self.register_button = QPushButton()
        self.register_button.clicked.connect(self.register_person)
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_list)
        self.override_button = QPushButton()
        self.override_button.clicked.connect(self.override)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self._confirm_remove)
        self.certificates_button = QPushButton()
        self.certificates_button.clicked.connect(self.print_certificates)
        self.totals = QLabel()
        self.message = _error_label()
        self.help = QLabel()
        self.help.setWordWrap(True)
        bar = wrapping_row(self.add_button, self.register_button, self.import_button,
                           self.override_button, self.remove_button, self.certificates_button)
        self.totals.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.help)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.totals)
        layout.addWidget(self.message)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Add people…"))
        self.register_button.setText(_("Register new…"))
        self.import_button.setText(_("Import list…"))
        self.override_button.setText(_("Completion by hand…"))
        self.remove_button.setText(_("Remove participant"))
        self.certificates_button.setText(_("Print all certificates…"))
        self.help.setText(_("Arrows move between cells; Space marks present or absent (for all "
                            "selected cells). Each mark is saved at once."))
        self.model.headerDataChanged.emit(Qt.Horizontal, 0, max(self.model.columnCount() - 1, 0))
        self._update_totals()

    def set_editable(self, editable: bool) -> None:
        """Hide what the user may not do (view-only roles see the grid and totals)."""
        self.editable = editable
        self.model.read_only = not editable
        for b in (self.add_button, self.register_button, self.import_button,
                  self.override_button, self.remove_button):
            b.setVisible(editable)

    def load(self, event_id: str | None) -> None:
        self.event_id = event_id
        self.model.load(event_id)
        self.message.clear()
        enabled = event_id is not None
        for b in (self.add_button, self.register_button, self.import_button):
            b.setEnabled(enabled)
        self._update_totals()

    def _update_totals(self) -> None:
        if not self.event_id:
            self.totals.setText("")
            return
        t = tq.totals(self.session.conn, event_ids=[self.event_id])
        rate = t.completion_rate
        share = t.women_share
        self.totals.setText(_(
            "{people} participants ({women} women, {share}), {completed} completed "
            "({rate}); {sessions} sessions").format(
            people=t.people, women=t.women, completed=t.completed, sessions=t.sessions,
            share=_percent(share), rate=_percent(rate)))
        has_rows = bool(self.model.participants)
        self.override_button.setEnabled(has_rows)
        self.remove_button.setEnabled(has_rows)
        self.certificates_button.setEnabled(t.completed > 0)

    def _after_change(self) -> None:
        self.model.load(self.event_id)
        self._update_totals()
        self.on_changed()

    def current_participant(self) -> dict | None:
        row = self.grid.currentIndex().row()
        if 0 <= row < len(self.model.participants):
            return self.model.participants[row]
        return None

    def add_people(self) -> None:
        dialog = AddPersonDialog(self.session, self.event_id, self)
        dialog.exec()
        if dialog.added:
            self._after_change()

    def register_person(self) -> None:
        dialog = RegisterPersonDialog(self.session, self.event_id, self)
        if dialog.exec():
            self._after_change()

    def import_list(self) -> None:
        dialog = ImportDialog(self.session, self.event_id, self)
        if dialog.exec() and dialog.result:
            r = dialog.result
            self.message.setText(_("Imported: {new} new people registered, {linked} people "
                                   "from the register added.").format(new=r.registered,
                                                                     linked=r.linked))
            self._after_change()

    def override(self) -> None:
        participant = self.current_participant()
        if participant and OverrideDialog(self.session, participant, self).exec():
            self._after_change()

    def _confirm_remove(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        participant = self.current_participant()
        if participant is None:
            return
        answer = QMessageBox.question(
            self, _("Remove participant"),
            _("Remove {name} from this training? Their attendance here is no longer "
              "counted; the person stays in the register.").format(
                name=full_name(participant)))
        if answer == QMessageBox.Yes:
            self.remove_participant()

    def remove_participant(self) -> None:
        participant = self.current_participant()
        if participant:
            try:
                tr.TrainingParticipantRepository(self.session).delete(participant["id"])
            except PermissionDenied as exc:
                self.message.setText(str(exc))
                return
            self._after_change()

    def print_certificates(self, path: str | None = None) -> int:
        from desktop_app.reports.trainings_certificates import print_certificates
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Print all certificates"), str(Path.home() / "certificates.pdf"),
                _("PDF files (*.pdf)"))
        if not path:
            return 0
        ids = [p["id"] for p in self.model.participants if p["completed"]]
        # On the UI thread on purpose: numbering writes records, and writes go through the
        # UI session (a second session on the worker would reuse its change-log numbers).
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            count = print_certificates(self.session, ids, path)
        except OSError as exc:
            self.message.setText(_("The PDF could not be written: {error}").format(error=exc))
            return 0
        except PermissionDenied as exc:
            self.message.setText(str(exc))
            return 0
        finally:
            QApplication.restoreOverrideCursor()
        self.message.setText(_("{count} certificates saved to {path}").format(count=count,
                                                                             path=path))
        self._after_change()
        return count


def _percent(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{round(float(value) * 100)}%"


class OutcomesTab(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.event_id: str | None = None
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.add)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.add_button, 0, Qt.AlignLeft)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.retranslate()

    def retranslate(self) -> None:
        self.add_button.setText(_("Record an outcome…"))
        self.table.setHorizontalHeaderLabels([_("Date"), _("Participant"), _("Outcome"),
                                              _("Notes")])
        self.load(self.event_id)

    def load(self, event_id: str | None) -> None:
        self.event_id = event_id
        rows = tq.outcomes_of_event(self.session.conn, event_id) if event_id else []
        self.table.setRowCount(len(rows))
        for i, o in enumerate(rows):
            for c, text in enumerate((format_date(o["outcome_date"]), full_name(o),
                                      _(OUTCOMES.get(o["outcome"], o["outcome"])),
                                      o.get("notes") or "")):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.add_button.setEnabled(event_id is not None)
        if event_id:
            t = tq.totals(self.session.conn, event_ids=[event_id])
            self.summary.setText("; ".join(f"{_(label)}: {t.outcomes[code]}"
                                           for code, label in OUTCOMES.items()))
        else:
            self.summary.setText("")

    def add(self) -> None:
        participants = tq.participants_of(self.session.conn, self.event_id)
        if OutcomeDialog(self.session, self.event_id, participants, self).exec():
            self.load(self.event_id)


class TrainingsPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        session = ctx.session
        self.session = session
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda *_: self._reload_list())
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_event)
        self.courses_button = QPushButton()
        self.courses_button.clicked.connect(self.edit_courses)
        self.courses_button.setVisible(ctx.can("create", "reference_item"))
        self.editable = ctx.can("create", "training_event")
        self.new_button.setVisible(self.editable)
        self.delete_button = QPushButton()
        self.delete_button.clicked.connect(self.delete_event)
        self.delete_button.setVisible(ctx.can("delete", "training_event"))
        self.list_model = EventListModel(session.conn, self)
        self.list = QTableView()
        self.list.setModel(self.list_model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.verticalHeader().setVisible(False)
        self.list.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.list.setMinimumWidth(320)
        self.list.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.list.setWordWrap(False)
        self.list.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.list.selectionModel().currentRowChanged.connect(self._open_row)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.form = EventForm(session, self._saved)
        self.participants = ParticipantsTab(session, self._participants_changed)
        self.participants.set_editable(ctx.can("create", "training_participant"))
        self.outcomes = OutcomesTab(session)
        self.outcomes.add_button.setVisible(ctx.can("create", "training_outcome"))
        self.form.save_button.setVisible(self.editable)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, "")
        self.tabs.addTab(self.participants, "")
        self.tabs.addTab(self.outcomes, "")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.list, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.courses_button)
        bottom.addStretch(1)
        bottom.addWidget(self.delete_button)
        left_layout.addLayout(bottom)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([380, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        # only while this page has the focus: other pages use the same keys
        for keys, slot in (("Ctrl+N", self.new_event), ("Ctrl+S", self.form.save),
                           ("Ctrl+F", self.search.setFocus)):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
        self.current_event: dict | None = None
        self.retranslate()
        self._reload_list()
        self.new_event()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search trainings (title, place, provider)"))
        self.new_button.setText(_("New training (Ctrl+N)"))
        self.courses_button.setText(_("Courses…"))
        self.delete_button.setText(_("Delete the training…"))
        self.tabs.setTabText(0, _("Details and sessions"))
        self.tabs.setTabText(1, _("Participants and attendance"))
        self.tabs.setTabText(2, _("Outcomes"))
        self.form.retranslate()
        self.participants.retranslate()
        self.outcomes.retranslate()
        self.list_model.headerDataChanged.emit(Qt.Horizontal, 0, 4)
        self._update_heading()

    def refresh(self) -> None:
        """Reload after data changed elsewhere (e.g. a sync import): list and open training."""
        self._reload_list()
        if self.current_event is not None:
            event = tr.TrainingEventRepository(self.session).get(self.current_event["id"])
            if event is None:
                self.new_event()
            elif not self.form.is_dirty():
                self.open_event(event["id"])
            else:
                self.participants.load(event["id"])
                self.outcomes.load(event["id"])

    def _reload_list(self) -> None:
        current = self.current_event["id"] if self.current_event else None
        self.list_model.load(self.search.text())
        if current:
            for i, row in enumerate(self.list_model.rows):
                if row["id"] == current:
                    self.list.blockSignals(True)
                    self.list.selectRow(i)
                    self.list.blockSignals(False)
                    break

    def has_unsaved_changes(self) -> bool:
        # attendance, participants and outcomes save at once; only the form can be dirty
        return self.form.is_dirty()

    def delete_event(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        if self.current_event is None:
            return
        answer = QMessageBox.question(
            self, _("Delete the training"),
            _("Delete this training with its sessions, participants, attendance and "
              "outcomes? The people stay in the register."))
        if answer != QMessageBox.Yes:
            return
        self.delete_current()

    def delete_current(self) -> None:
        try:
            ts.delete_event(self.session, self.current_event["id"])
        except PermissionDenied as exc:
            self.form.error.setText(str(exc))
            return
        self.current_event = None
        self._reload_list()
        self.new_event()
        self.ctx.data_changed.emit("training_event")

    def _update_heading(self) -> None:
        if self.current_event is None:
            self.heading.setText(_("New training"))
        else:
            e = self.current_event
            course = reference.label(self.session.conn, "course", e["course_code"],
                                     current_language())
            self.heading.setText(f"{course} · {format_date(e['start_date'])}")
        has = self.current_event is not None
        self.delete_button.setEnabled(has)
        self.tabs.setTabEnabled(1, has)
        self.tabs.setTabEnabled(2, has)

    def edit_courses(self) -> None:
        CoursesDialog(self.session, self).exec()
        self.form.retranslate()
        if self.current_event:
            self.open_event(self.current_event["id"])

    def new_event(self) -> None:
        self.current_event = None
        self.list.clearSelection()
        self.form.load(None)
        self.participants.load(None)
        self.outcomes.load(None)
        self.tabs.setCurrentIndex(0)
        self._update_heading()

    def open_event(self, event_id: str) -> None:
        self.current_event = tr.TrainingEventRepository(self.session).get(event_id)
        self.form.load(self.current_event)
        self.participants.load(event_id)
        self.outcomes.load(event_id)
        self._update_heading()

    def _open_row(self, current: QModelIndex, _previous=None) -> None:
        event_id = self.list_model.event_id(current.row())
        if event_id:
            self.open_event(event_id)

    def _saved(self, event: dict) -> None:
        first = self.current_event is None
        self.current_event = event
        self._reload_list()
        self.ctx.data_changed.emit("training_event")
        self.participants.load(event["id"])
        self.outcomes.load(event["id"])
        self._update_heading()
        if first:
            self.tabs.setCurrentIndex(1)

    def _participants_changed(self) -> None:
        self._reload_list()
        self.ctx.data_changed.emit("training_participant")
        self.outcomes.load(self.current_event["id"] if self.current_event else None)
