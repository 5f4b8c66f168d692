"""The attendance grid: participants x sessions, entered by keyboard.

Arrows move, Space marks the current cell (or every selected cell) present or absent, and
each change is saved at once through the repository. The last column shows each
participant's attended sessions and completion; the last row counts who was present.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desktop_app.domain.trainings import hours_text
from desktop_app.i18n import Domain, format_date, format_number
from desktop_app.i18n.formats import full_name
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.ui import style
from desktop_app.ui.operations import WriteOp, error_message

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext

PRESENT = "\u2713"   # ✓
ABSENT = "\u00b7"    # ·
PRESENT_BG = QColor("#d8ecd9")
TOTALS_BG = QColor("#eef1f5")
FUTURE_BG = QColor("#f0f0f0")     # a session that has not taken place yet


class AttendanceModel(QAbstractTableModel):
    """Rows: participants, then one totals row. Columns: sessions, then attended, completed."""

    saved = Signal()
    failed = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.read_only = False
        self.event_id: str | None = None
        self.sessions: list[dict] = []
        self.participants: list[dict] = []
        self.cells: dict[tuple[int, int], int] = {}      # (row, col) -> present 0/1
        self._present_per_session: list[int] = []
        self.future_columns: set[int] = set()
        self._bold = QFont()
        self._bold.setBold(True)

    # ---- loading ---------------------------------------------------------------------
    def load(self, event_id: str | None) -> None:
        self.beginResetModel()
        self.event_id = event_id
        conn = self.session.conn
        if event_id:
            self.sessions = tq.sessions_of(conn, event_id)
            self.participants = tq.participants_of(conn, event_id)
            marks = tq.attendance_of(conn, event_id)
        else:
            self.sessions, self.participants, marks = [], [], {}
        today = date.today().isoformat()
        self.future_columns = {c for c, s in enumerate(self.sessions)
                               if s["session_date"] > today}
        col_of = {s["id"]: c for c, s in enumerate(self.sessions)}
        row_of = {p["id"]: r for r, p in enumerate(self.participants)}
        self.cells = {}
        for (pid, sid), present in marks.items():
            if pid in row_of and sid in col_of:
                self.cells[(row_of[pid], col_of[sid])] = present
        self._count_present()
        self.endResetModel()

    def _count_present(self) -> None:
        counts = [0] * len(self.sessions)
        for (_row, col), present in self.cells.items():
            if present:
                counts[col] += 1
        self._present_per_session = counts

    # ---- shape -----------------------------------------------------------------------
    @property
    def n_sessions(self) -> int:
        return len(self.sessions)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or not self.participants else len(self.participants) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.sessions) + 2

    def is_cell(self, index: QModelIndex) -> bool:
        return (index.isValid() and index.row() < len(self.participants)
                and index.column() < len(self.sessions))

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        return Qt.ItemIsEnabled | Qt.ItemIsSelectable

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if role == Qt.DisplayRole:
                if section < len(self.sessions):
                    s = self.sessions[section]
                    return f"{section + 1}\n{format_date(s['session_date'], fmt='MMMd')}"
                if section == len(self.sessions):
                    return _("Attended")
                return _("Completed")
            if role == Qt.ToolTipRole and section < len(self.sessions):
                s = self.sessions[section]
                text = _("Session {number}: {date}, {hours} h").format(
                    number=section + 1, date=format_date(s["session_date"]),
                    hours=hours_text(s["minutes"]))
                if s["session_date"] > date.today().isoformat():
                    text += "\n" + _("Not taken place yet: attendance is marked on the day "
                                     "or later.")
                return text
        else:
            if role == Qt.DisplayRole:
                if section < len(self.participants):
                    return full_name(self.participants[section])
                return _("Present")
            if role == Qt.FontRole and section == len(self.participants):
                return self._bold
        return None

    def _totals_data(self, col: int, role):
        n_cols = len(self.sessions)
        if role == Qt.DisplayRole:
            if col < n_cols:
                return format_number(self._present_per_session[col])
            if col == n_cols:
                return format_number(sum(p["attended_sessions"] for p in self.participants))
            return format_number(sum(p["completed"] for p in self.participants))
        if role == Qt.BackgroundRole:
            return QBrush(TOTALS_BG)
        if role == Qt.FontRole:
            return self._bold
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        return None

    def _cell_data(self, row: int, col: int, role):
        """A participant's attendance at one session."""
        present = self.cells.get((row, col))
        if role == Qt.DisplayRole:
            return PRESENT if present else (ABSENT if present == 0 else "")
        if role == Qt.BackgroundRole and present:
            return QBrush(PRESENT_BG)
        if role == Qt.BackgroundRole and col in self.future_columns:
            return QBrush(FUTURE_BG)
        if role == Qt.ToolTipRole and col in self.future_columns:
            return _("Not taken place yet: attendance is marked on the day or later.")
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        if role == Qt.AccessibleTextRole:
            return _("present") if present else _("absent")
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        n_rows, n_cols = len(self.participants), len(self.sessions)
        if row == n_rows:                                     # totals row
            return self._totals_data(col, role)
        if col < n_cols:
            return self._cell_data(row, col, role)
        part = self.participants[row]
        if col == n_cols:
            if role == Qt.DisplayRole:
                return f"{part['attended_sessions']}/{n_cols}"
            if role == Qt.TextAlignmentRole:
                return int(Qt.AlignCenter)
            return None
        if role == Qt.DisplayRole:
            mark = _("yes") if part["completed"] else _("no")
            return mark + (" *" if part.get("completion_override") else "")
        if role == Qt.ToolTipRole and part.get("completion_override"):
            return _("Decided by hand: {reason}").format(reason=part.get("override_reason") or "")
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignCenter)
        return None

    # ---- editing ---------------------------------------------------------------------
    def present(self, row: int, col: int) -> bool:
        return bool(self.cells.get((row, col)))

    def set_cells(self, cells: list[tuple[int, int]], present: bool) -> bool:
        """Mark these (row, col) cells; save them in one transaction. False on failure."""
        cells = [(r, c) for r, c in cells if r < len(self.participants) and c < len(self.sessions)]
        if not cells or not self.event_id:
            return False
        if self.read_only:
            self.failed.emit(_("You can see the attendance but not change it."))
            return False
        today = date.today().isoformat()
        future = sorted(self.sessions[c]["session_date"] for _r, c in cells
                        if self.sessions[c]["session_date"] > today)
        if future:
            self.failed.emit(_("The session of {date} has not taken place yet: attendance "
                               "can be marked on the day of the session or later.").format(
                                   date=format_date(future[0])))
            return False
        event_id = self.event_id
        marks = {(self.sessions[c]["id"], self.participants[r]["id"]): present
                 for r, c in cells}

        def save(session) -> None:
            repo = tr.TrainingAttendanceRepository(session)
            if len(marks) == 1:
                ((session_id, participant_id), mark), = marks.items()
                repo.mark(event_id, session_id, participant_id, mark)
            else:
                repo.mark_many(event_id, marks)

        def saved(_result) -> None:
            if self.event_id == event_id:       # not another training loaded meanwhile
                self._show_marks(cells, present)
        saved_at_once = []
        # the grid shows its own marks; nothing else is announced (as many writes as keys)
        WriteOp(self.ctx, self, save, changes=()) \
            .success(lambda result: (saved(result), saved_at_once.append(True))) \
            .failure(lambda exc: self.failed.emit(error_message(exc))).run()   # nothing saved
        return bool(saved_at_once)

    def _show_marks(self, cells: list[tuple[int, int]], present: bool) -> None:
        for r, c in cells:
            self.cells[(r, c)] = 1 if present else 0
        self._refresh_rows({r for r, _c in cells})
        self._count_present()
        top = self.index(min(r for r, _ in cells), 0)
        bottom = self.index(len(self.participants), self.columnCount() - 1)
        self.dataChanged.emit(top, bottom)
        self.saved.emit()

    def toggle(self, cells: list[tuple[int, int]], anchor: tuple[int, int] | None = None) -> bool:
        """Space: the anchor cell flips; every other selected cell takes its new value."""
        if not cells:
            return False
        anchor = anchor if anchor in cells else cells[0]
        return self.set_cells(cells, not self.present(*anchor))

    def _refresh_rows(self, rows: set[int]) -> None:
        ids = [self.participants[r]["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        fresh = {r[0]: r for r in self.session.conn.execute(
            f"SELECT id, attended_sessions, attended_minutes, completed FROM "
            f"training_participant WHERE id IN ({marks})", ids)}
        for r in rows:
            part = self.participants[r]
            row = fresh.get(part["id"])
            if row:
                part["attended_sessions"], part["attended_minutes"], part["completed"] = row[1:]


class AttendanceView(QTableView):
    """Keyboard-first grid: arrows move, Space marks, Home/End jump within the row."""

    def __init__(self, model: AttendanceModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.horizontalHeader().setDefaultSectionSize(54)
        self.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.verticalHeader().setDefaultSectionSize(style.ROW_HEIGHT)
        self.horizontalHeader().setMinimumHeight(40)
        self.setFocusPolicy(Qt.StrongFocus)
        model.modelReset.connect(self._after_reset)
        # the titles change with the language: the columns follow
        model.headerDataChanged.connect(lambda *_a: self._fit_titles())

    def attendance_model(self) -> AttendanceModel:
        return self.model()

    def _fit_titles(self) -> None:
        """Each column as wide as its title: a session's number over its date ("27 июн.")
        whole (54 px cut the day in Russian and Tajik), Attended and Completed at least 90."""
        model = self.attendance_model()
        header = self.horizontalHeader()
        for col in range(model.n_sessions):
            header.resizeSection(col, max(header.defaultSectionSize(),
                                          header.sectionSizeHint(col)))
        if model.n_sessions:
            for col in (model.n_sessions, model.n_sessions + 1):
                header.resizeSection(col, max(90, header.sectionSizeHint(col)))

    def _after_reset(self) -> None:
        model = self.attendance_model()
        self._fit_titles()
        if model.rowCount() and model.n_sessions:
            self.setCurrentIndex(model.index(0, 0))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Space and not event.modifiers() & ~Qt.KeypadModifier:
            self.toggle_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def toggle_selection(self) -> bool:
        model = self.attendance_model()
        current = self.currentIndex()
        chosen = [(i.row(), i.column()) for i in self.selectionModel().selectedIndexes()
                  if model.is_cell(i)]
        if model.is_cell(current) and (current.row(), current.column()) not in chosen:
            chosen.append((current.row(), current.column()))
        anchor = (current.row(), current.column()) if current.isValid() else None
        return model.toggle(chosen, anchor)
