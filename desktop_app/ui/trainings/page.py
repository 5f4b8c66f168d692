"""The Trainings page: list of trainings; details, participants with attendance, outcomes."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.store.session import PermissionDenied
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from desktop_app.ui import operations, style
from desktop_app.ui.operations import WriteOp
from desktop_app.ui.trainings.dialogs import CoursesDialog
from desktop_app.ui.trainings.event_form import EventForm
from desktop_app.ui.trainings.event_list import EventListModel
from desktop_app.ui.trainings.outcomes import OutcomesTab
from desktop_app.ui.trainings.participants import ParticipantsTab
from desktop_app.ui.widgets import (
    EmptyState,
    ListDetail,
    TableOrEmpty,
    confirm_discard,
    fit_columns,
    style_table,
    wanted_width,
)

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


class TrainingsPage(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        session = ctx.session
        self.session = session
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda *_: (self._explain_empty(), self._reload_list()))
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.new_event)
        style.primary(self.new_button)
        self.courses_button = QPushButton()
        self.courses_button.clicked.connect(self.edit_courses)
        self.courses_button.setVisible(ctx.can("create", "reference_item"))
        self.editable = ctx.can("create", "training_event")
        self.new_button.setVisible(self.editable)
        self.delete_button = QPushButton()
        self.delete_button.clicked.connect(self.delete_event)
        style.destructive(self.delete_button)
        self.delete_button.setVisible(ctx.can("delete", "training_event"))
        self.list_model = EventListModel(session.conn, self)
        self.list = QTableView()
        self.list.setModel(self.list_model)
        style_table(self.list)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setMinimumWidth(320)
        fit_columns(self.list, stretch=1)
        self.list.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.list.selectionModel().currentRowChanged.connect(self._open_row)
        self.list.clicked.connect(self._row_chosen)
        self.list.activated.connect(self._row_chosen)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.PlainText)    # a course named in another office
        style.section_title(self.heading)
        self.form = EventForm(ctx, self._saved)
        self.participants = ParticipantsTab(ctx, self._participants_changed)
        self.participants.set_editable(ctx.can("create", "training_participant"))
        self.outcomes = OutcomesTab(ctx)
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
        self.empty = EmptyState()
        self.empty.action_triggered.connect(self.new_event)
        self.list_box = TableOrEmpty(self.list, self.empty)
        left_layout.addWidget(self.list_box, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.courses_button)
        bottom.addStretch(1)
        bottom.addWidget(self.delete_button)
        left_layout.addLayout(bottom)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.tabs, 1)
        left_layout.setContentsMargins(0, 0, 0, 0)
        # beside the list when both fit (the list's columns whole, the sessions table
        # unscrolled), else one at a time with a Back button
        self.list_detail = ListDetail(left, right, list_width=self._list_width,
                                      detail_width=self._detail_width, list_view=self.list,
                                      list_share=1, detail_share=3)
        layout = QVBoxLayout(self)
        style.page_margins(layout)
        layout.addWidget(self.list_detail)
        # only while this page has the focus: other pages use the same keys
        for keys, slot in (("Ctrl+N", self.new_event), ("Ctrl+S", self.form.save),
                           ("Ctrl+F", self.search.setFocus)):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
        self.current_event: dict | None = None
        self.list_detail.layout_changed.connect(self._layout_changed)
        self.retranslate()
        self._reload_list()
        self._blank_event()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(_("Search trainings (title, place, provider)"))
        self.new_button.setText(_("New training (Ctrl+N)"))
        self.courses_button.setText(_("Courses…"))
        self.delete_button.setText(_("Delete the training…"))
        self.tabs.setTabText(0, _("Details and sessions"))
        self.tabs.setTabText(1, _("Participants and attendance"))
        self.tabs.setTabText(2, _("Outcomes"))
        self.list_detail.retranslate()
        self.form.retranslate()
        self.participants.retranslate()
        self.outcomes.retranslate()
        self.list_model.headerDataChanged.emit(Qt.Horizontal, 0, 4)
        self._explain_empty()
        self._update_heading()

    def _explain_empty(self) -> None:
        if self.search.text().strip():
            self.empty.set_message(_("No training matches the search."))
            self.empty.set_action(None)
        else:
            self.empty.set_message(_("No trainings yet. Plan the first one:"))
            self.empty.set_action(_("New training (Ctrl+N)") if self.editable else None)

    def refresh(self) -> None:
        """Reload after data changed elsewhere (e.g. a sync import): list and open training."""
        self._reload_list()
        if self.current_event is not None:
            event = tr.TrainingEventRepository(self.session).get(self.current_event["id"])
            if event is None:
                self._blank_event()
                self.list_detail.show_list()
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
        event_id = self.current_event["id"]
        WriteOp(self.ctx, self, lambda session: ts.delete_event(session, event_id),
                changes=("training_event",)).success(self._deleted) \
            .failure(self._delete_refused).run()

    def _deleted(self, _result) -> None:
        self.current_event = None
        self._reload_list()
        self._blank_event()
        self.list_detail.show_list()

    def _delete_refused(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionDenied):
            self.form.error.setText(str(exc))
        else:
            operations.show_error(self, exc)

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
        CoursesDialog(self.ctx, self).exec()
        self.form.course.load()
        self.form.retranslate()
        if self.current_event:
            self.open_event(self.current_event["id"])

    def new_event(self) -> None:
        """A blank training in the detail (the page's main view when one at a time)."""
        if not self._may_leave_form(None):
            self.list_detail.show_detail()
            return
        self._blank_event()
        self.list_detail.show_detail(focus=self.form.course)

    def _blank_event(self) -> None:
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

    def _may_leave_form(self, event_id: str | None) -> bool:
        """True unless the form holds unsaved changes to another training (or a new one)
        and the user keeps them."""
        shown = self.current_event["id"] if self.current_event else None
        if event_id is not None and event_id == shown:
            return True
        return not self.form.is_dirty() or confirm_discard(self)

    def _open_row(self, current: QModelIndex, _previous=None) -> None:
        # one at a time, moving along the list only chooses; Enter or a click opens
        if self.list_detail.side_by_side():
            self._open_chosen(current.row())

    def _row_chosen(self, index: QModelIndex) -> None:
        if self._open_chosen(index.row()):
            self.list_detail.show_detail(focus=self.tabs)

    def _open_chosen(self, row: int) -> bool:
        event_id = self.list_model.event_id(row)
        if not event_id:
            return False
        if not self._may_leave_form(event_id):
            # once the view has finished selecting the row it was given
            QTimer.singleShot(0, self._select_current_row)
            return False
        if self.current_event is None or self.current_event["id"] != event_id:
            self.open_event(event_id)
        return True

    def _select_current_row(self) -> None:
        """The list's selection back on the training the detail shows."""
        current = self.current_event["id"] if self.current_event else None
        self.list.blockSignals(True)
        self.list.selectionModel().blockSignals(True)
        try:
            self.list.clearSelection()
            self.list.setCurrentIndex(QModelIndex())
            for i, row in enumerate(self.list_model.rows):
                if row["id"] == current:
                    self.list.setCurrentIndex(self.list_model.index(i, 0))
                    self.list.selectRow(i)
                    break
        finally:
            self.list.selectionModel().blockSignals(False)
            self.list.blockSignals(False)

    def _layout_changed(self, side_by_side: bool) -> None:
        if side_by_side:
            self._select_current_row()

    def _list_width(self) -> int:
        """The list's columns whole (and the search row above them)."""
        return max(wanted_width(self.list), self.search.minimumSizeHint().width()
                   + self.new_button.sizeHint().width() + style.GAP)

    def _detail_width(self) -> int:
        """The details beside the sessions table with its columns whole."""
        return self.tabs.sizeHint().width()

    def _saved(self, event: dict) -> None:
        first = self.current_event is None
        self.current_event = event
        self._reload_list()
        self.participants.load(event["id"])
        self.outcomes.load(event["id"])
        self._update_heading()
        if first:
            self.tabs.setCurrentIndex(1)

    def _participants_changed(self) -> None:
        self._reload_list()
        self.outcomes.load(self.current_event["id"] if self.current_event else None)
