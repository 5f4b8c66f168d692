"""The People list model: an ordered list of row ids, rows fetched a page at a time."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from desktop_app.domain.people import MIGRATION_STATUSES, SEXES, age_on
from desktop_app.i18n import N_, _, current_language, format_date
from desktop_app.store import people_list, reference

COLUMNS = (
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("age", N_("Age")),
    ("place", N_("District / jamoat")),
    ("status", N_("Migration status")),
    ("phone", N_("Phone")),
    ("registered", N_("Registered on")),
)
PAGE_SIZE = 200
MAX_CACHED_PAGES = 50


def full_name(row: dict) -> str:
    return " ".join(p for p in (row.get("family_name"), row.get("given_name"),
                                row.get("patronymic")) if p)


def sex_label(code: str | None) -> str:
    message = SEXES.get(code or "")
    return _(message) if message else ""


def status_label(code: str | None) -> str:
    message = MIGRATION_STATUSES.get(code or "")
    return _(message) if message else ""


def age_text(row: dict, today: date | None = None) -> str:
    if not row.get("birth_date"):
        return ""
    age = age_on(date.fromisoformat(row["birth_date"]), today or date.today())
    return f"~{age}" if row.get("birth_date_estimated") else str(age)


class Labels:
    """Reference labels (district, jamoat ...) in the current language, cached per language."""

    def __init__(self, conn):
        self.conn = conn
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    def get(self, kind: str, code: str | None) -> str:
        if not code:
            return ""
        language = current_language()
        table = self._cache.get((kind, language))
        if table is None:
            table = {item.code: item.label(language)
                     for item in reference.items(self.conn, kind, active_only=False)}
            self._cache[(kind, language)] = table
        return table.get(code, code)


class PeopleModel(QAbstractTableModel):
    """Rows are ``person.rowid`` values in display order; data is read page by page."""

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.labels = Labels(conn)
        self._rowids: list[int] = []
        self._pages: dict[int, dict[int, dict]] = {}
        self.today = date.today()

    # ---- contents --------------------------------------------------------------------
    def set_rowids(self, rowids: list[int]) -> None:
        self.beginResetModel()
        self._rowids = list(rowids)
        self._pages.clear()
        self.endResetModel()

    def invalidate(self) -> None:
        """Forget fetched rows (after an edit); the ids stay."""
        self._pages.clear()
        if self._rowids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rowids) - 1, len(COLUMNS) - 1))

    def rowid_at(self, row: int) -> int | None:
        return self._rowids[row] if 0 <= row < len(self._rowids) else None

    def row_of(self, rowid: int) -> int:
        try:
            return self._rowids.index(rowid)
        except ValueError:
            return -1

    def record(self, row: int) -> dict | None:
        if not 0 <= row < len(self._rowids):
            return None
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            if len(self._pages) >= MAX_CACHED_PAGES:
                self._pages.pop(next(iter(self._pages)))
            ids = self._rowids[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
            rows = people_list.fetch_rows(self.conn, ids)
            self._pages[page] = rows
        return rows.get(self._rowids[row])

    # ---- Qt model --------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rowids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return _(COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        record = self.record(index.row())
        if record is None:
            return None
        key = COLUMNS[index.column()][0]
        return self.display(record, key)

    def display(self, record: dict, key: str) -> str:
        if key == "name":
            return full_name(record)
        if key == "sex":
            return sex_label(record.get("sex"))
        if key == "age":
            return age_text(record, self.today)
        if key == "place":
            parts = [self.labels.get("district", record.get("district")),
                     self.labels.get("jamoat", record.get("jamoat"))]
            return " / ".join(p for p in parts if p)
        if key == "status":
            return status_label(record.get("migration_status"))
        if key == "phone":
            return (record.get("phones") or "").split(";")[0].strip()
        if key == "registered":
            return format_date(record.get("created_at"))
        return ""

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Horizontal, 0, len(COLUMNS) - 1)
        if self._rowids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rowids) - 1, len(COLUMNS) - 1))
