"""The People list model: an ordered list of row ids, rows fetched a page at a time
(ui.widgets.LazyTableModel with the People columns)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from desktop_app.domain.people import MIGRATION_STATUSES, SEXES, age_on
from desktop_app.i18n import N_, Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.store.people import listing as people_list
from desktop_app.ui.widgets import Column, LazyTableModel

DOMAIN = Domain("people")
_ = DOMAIN.gettext

COLUMNS = (
    ("name", N_("Full name")),
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


class PeopleModel(LazyTableModel):
    """Rows are ``person.rowid`` values in display order; data is read page by page."""

    def __init__(self, conn, parent=None):
        self.conn = conn
        self.labels = Labels(conn)
        self.today = date.today()
        self._positions: dict[int, int] | None = None
        columns = [Column(key, (lambda m=msgid: _(m)), (lambda row, k=key: self.display(row, k)))
                   for key, msgid in COLUMNS]
        super().__init__(columns, self._fetch, page_size=PAGE_SIZE,
                         cache_pages=MAX_CACHED_PAGES, parent=parent)

    def _fetch(self, rowids: list) -> dict:
        return people_list.fetch_rows(self.conn, rowids)

    # ---- contents --------------------------------------------------------------------
    def set_rowids(self, rowids: list[int]) -> None:
        self._positions = None
        self.set_keys(list(rowids))

    def rowid_at(self, row: int) -> int | None:
        return self.key_at(row)

    def row_of(self, rowid: int) -> int:
        if self._positions is None:      # built once per list, then O(1) look-ups
            self._positions = {key: row for row, key in enumerate(self._keys)}
        return self._positions.get(rowid, -1)

    def record(self, row: int) -> dict | None:
        return self.row_data(row)

    def data(self, index, role=Qt.DisplayRole):
        if role == Qt.ToolTipRole:
            role = Qt.DisplayRole
        return super().data(index, role)

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

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Vertical:
            return None
        return super().headerData(section, orientation, role)
