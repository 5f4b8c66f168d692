"""The list of trainings (a table model)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from desktop_app.i18n import Domain, current_language, format_date, format_number
from desktop_app.store import reference
from desktop_app.store.trainings import queries as tq
from desktop_app.ui.widgets.columns import RIGHT

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext
pgettext = DOMAIN.pgettext
# participants and completed: figures, aligned right as in every list of the kit
COUNT_COLUMNS = (3, 4)


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
        if orientation == Qt.Horizontal and role == Qt.TextAlignmentRole:
            return RIGHT if section in COUNT_COLUMNS else None
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return (_("Starts"), _("Course"), _("Place"), _("Participants"),
                    pgettext("number of participants", "Completed"))[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if index.isValid() and role == Qt.TextAlignmentRole:
            return RIGHT if index.column() in COUNT_COLUMNS else None
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
            return format_number(row["participants"])
        return format_number(row["completed_count"])

    def event_id(self, row: int) -> str | None:
        return self.rows[row]["id"] if 0 <= row < len(self.rows) else None
