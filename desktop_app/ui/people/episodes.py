"""A small table editor for a person's migration episodes."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.people import parse_date
from desktop_app.i18n import N_, Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.ui import style
from desktop_app.ui.people.widgets import FieldError
from desktop_app.ui.widgets import CodeCombo, RefCombo

DOMAIN = Domain("people")
_ = DOMAIN.gettext

EPISODE_COLUMNS = (
    ("destination_country", N_("Country")),
    ("destination_city", N_("City")),
    ("sector", N_("Sector")),
    ("employer_name", N_("Employer")),
    ("departure_date", N_("Departed")),
    ("return_date", N_("Returned")),
    ("work_permit", N_("Work permit")),
    ("recruitment_channel", N_("Recruitment channel")),
)
# codes stored in migration_episode.work_permit (the demo and imports use the same)
WORK_PERMITS = {
    "none": N_("No permit"),
    "patent": N_("Patent"),
    "work_permit": N_("Work permit"),
}
# the narrowest each column's editor is usable at; a title wider than this widens its column
MIN_WIDTHS = (104, 96, 116, 116, 96, 96, 110, 124)
EMPLOYER_COLUMN = 3
DATE_FIELDS = ("departure_date", "return_date")


def permit_label(code: str | None) -> str:
    message = WORK_PERMITS.get(code or "")
    return _(message) if message else (code or "")


def date_hint() -> str:
    """How to type a date (i18n.date_pattern: the same format in which dates are shown)."""
    return _("dd.mm.yyyy")


def to_display_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        d = parse_date(iso)
    except ValueError:
        return iso
    return format_date(d) if d else ""


class CityCombo(QComboBox):
    """Editable: pick a known city of the destination country or type another."""

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.setEditable(True)
        self._items: list[reference.RefItem] = []

    def load(self, country: str | None) -> None:
        text = self.value()
        self._items = reference.items(self.conn, "city", country) if country else []
        self.blockSignals(True)
        self.clear()
        self.addItem("", None)
        for item in self._items:
            self.addItem(item.label(current_language()), item.code)
        self.blockSignals(False)
        self.set_value(text)

    def value(self) -> str | None:
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text)
        if index > 0 and self.itemData(index):
            return self.itemData(index)
        return text

    def set_value(self, value: str | None) -> None:
        if not value:
            self.setCurrentIndex(0)
            self.setEditText("")
            return
        index = self.findData(value)
        if index > 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(value)

    def retranslate(self) -> None:
        value = self.value()
        for i, item in enumerate(self._items, start=1):
            self.setItemText(i, item.label(current_language()))
        self.set_value(value)


def two_lines(text: str) -> str:
    """``text`` broken at the space nearest its middle (unchanged without a space)."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    middle = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:middle] + "\n" + text[middle + 1:]


class EpisodesEditor(QWidget):
    """Rows of episodes with cell widgets; ``episodes()`` returns the values to save."""

    changed = Signal()

    def __init__(self, conn, parent=None):
        super().__init__(parent)
        self.conn = conn
        self.table = QTableWidget(0, len(EPISODE_COLUMNS), self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(120)
        self.add_button = QPushButton(self)
        self.remove_button = QPushButton(self)
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self.remove_selected)
        self.error = FieldError(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self._ids: list[str | None] = []
        self.retranslate()

    # ---- rows ------------------------------------------------------------------------
    def _mark_changed(self, *_args) -> None:
        self.changed.emit()      # a slot must return None (see form.PersonForm._mark_changed)

    def _add_clicked(self) -> None:
        self.add_row()

    def add_row(self, episode: dict | None = None) -> int:
        episode = episode or {}
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._ids.append(episode.get("id"))
        country = RefCombo(self.conn, "country", parent=self.table)
        city = CityCombo(self.conn, self.table)
        country.code_changed.connect(city.load)
        country.set_code(episode.get("destination_country"))
        city.load(country.code())
        city.set_value(episode.get("destination_city"))
        sector = RefCombo(self.conn, "sector", parent=self.table)
        sector.set_code(episode.get("sector"))
        channel = RefCombo(self.conn, "recruitment_channel", parent=self.table)
        channel.set_code(episode.get("recruitment_channel"))
        permit = CodeCombo(parent=self.table)
        permit.set_choices([(code, (lambda m=msg: _(m))) for code, msg in WORK_PERMITS.items()])
        permit.set_code(episode.get("work_permit"))
        widgets = {"destination_country": country, "destination_city": city, "sector": sector,
                   "recruitment_channel": channel, "work_permit": permit}
        for name in ("employer_name", "departure_date", "return_date"):
            edit = QLineEdit(self.table)
            value = episode.get(name) or ""
            edit.setText(to_display_date(value) if name in DATE_FIELDS else value)
            if name in DATE_FIELDS:
                edit.setPlaceholderText(date_hint())
            edit.textEdited.connect(self._mark_changed)
            widgets[name] = edit
        for combo in (country, sector, channel, permit):
            combo.code_changed.connect(self._mark_changed)
        city.editTextChanged.connect(self._mark_changed)
        for column, (name, _label) in enumerate(EPISODE_COLUMNS):
            self.table.setCellWidget(row, column, widgets[name])
        if episode == {}:
            self.changed.emit()
        return row

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = self.table.rowCount() - 1
        if row < 0:
            return
        self.table.removeRow(row)
        del self._ids[row]
        self.changed.emit()

    def set_episodes(self, episodes: list[dict]) -> None:
        self.table.setRowCount(0)
        self._ids = []
        for episode in episodes:
            self.add_row(episode)
        self.show_errors({})

    def cell(self, row: int, name: str):
        column = [n for n, _l in EPISODE_COLUMNS].index(name)
        return self.table.cellWidget(row, column)

    def episodes(self) -> list[dict]:
        result = []
        for row in range(self.table.rowCount()):
            values: dict = {"id": self._ids[row]}
            for name, _label in EPISODE_COLUMNS:
                widget = self.cell(row, name)
                if isinstance(widget, CodeCombo):
                    values[name] = widget.code()
                elif isinstance(widget, CityCombo):
                    values[name] = widget.value()
                else:
                    values[name] = widget.text().strip() or None
            result.append(values)
        return result

    def show_errors(self, rows: dict[int, dict[str, str]]) -> None:
        lines = []
        for index in sorted(rows):
            for message in rows[index].values():
                lines.append(_("Episode {number}: {message}").format(number=index + 1,
                                                                    message=message))
        for row in range(self.table.rowCount()):
            for name in DATE_FIELDS:
                bad = name in rows.get(row, {})
                self.cell(row, name).setStyleSheet("border: 1px solid #b00020;" if bad else "")
        self.error.show_error("\n".join(lines))

    def column_widths(self) -> list[int]:
        """Each column as wide as its editor needs and its title reads whole; room to spare
        goes to the employer's name (the last column stretches as well)."""
        header = self.table.horizontalHeader()
        widths = [max(least, header.sectionSizeFromContents(column).width())
                  for column, least in enumerate(MIN_WIDTHS)]
        spare = self.table.viewport().width() - sum(widths)
        if spare > 0:
            widths[EMPLOYER_COLUMN] += spare // 2
        return widths

    def _fit_columns(self) -> None:
        for column, width in enumerate(self.column_widths()):
            self.table.setColumnWidth(column, width)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_columns()

    def retranslate(self) -> None:
        # a title longer than its column's editor needs goes on two lines, so that the eight
        # columns fit the form in every language instead of scrolling sideways
        metrics = self.table.horizontalHeader().fontMetrics()
        titles = []
        for (_name, label), least in zip(EPISODE_COLUMNS, MIN_WIDTHS, strict=True):
            title = _(label)
            if metrics.horizontalAdvance(title) > least - 2 * style.GAP:
                title = two_lines(title)
            titles.append(title)
        self.table.setHorizontalHeaderLabels(titles)
        self._fit_columns()
        self.add_button.setText(_("Add episode"))
        self.remove_button.setText(_("Remove episode"))
        for row in range(self.table.rowCount()):
            for name, _label in EPISODE_COLUMNS:
                widget = self.cell(row, name)
                if hasattr(widget, "retranslate"):
                    widget.retranslate()
                elif name in DATE_FIELDS:
                    widget.setPlaceholderText(date_hint())
