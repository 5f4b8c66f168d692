"""Possible duplicates of a new person, side by side with the entry, before anything is saved."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import N_, Domain
from desktop_app.ui.people.episodes import to_display_date
from desktop_app.ui.people.model import Labels, full_name, sex_label
from desktop_app.ui.widgets import fit_on_screen

DOMAIN = Domain("people")
_ = DOMAIN.gettext

ROWS = (
    ("name", N_("Full name")),
    ("sex", N_("Sex")),
    ("birth_date", N_("Date of birth")),
    ("phones", N_("Phones")),
    ("document_number", N_("Document number")),
    ("place", N_("District / jamoat")),
    ("village", N_("Village")),
)


def _same(a: str, b: str) -> bool:
    return bool(a) and a.strip().lower() == b.strip().lower()


class DuplicateDialog(QDialog):
    """``exec()`` returns OPEN_EXISTING (``chosen_id`` set), CREATE_ANYWAY or Rejected."""

    OPEN_EXISTING = 2
    CREATE_ANYWAY = 3

    def __init__(self, ctx, values: dict, candidates: list, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.values = values
        self.candidates = list(candidates)
        self.labels = Labels(ctx.conn)
        self.chosen_id: str | None = None
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.grid = QGridLayout()
        self.open_buttons: list[QPushButton] = []
        self.create_button = QPushButton(self)
        self.back_button = QPushButton(self)
        self.create_button.clicked.connect(self._create_anyway)
        self.back_button.clicked.connect(self.reject)
        body = QWidget(self)
        body.setLayout(self.grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.back_button.setDefault(True)
        fit_on_screen(self, 200 + 250 * (len(self.candidates) + 1), 480)
        self._cells: list[QLabel] = []
        self.retranslate()

    def _text(self, record: dict, key: str) -> str:
        if key == "name":
            return full_name(record)
        if key == "sex":
            return sex_label(record.get("sex"))
        if key == "birth_date":
            text = to_display_date(record.get("birth_date"))
            return f"~{text[-4:]}" if text and record.get("birth_date_estimated") else text
        if key == "place":
            parts = [self.labels.get("district", record.get("district")),
                     self.labels.get("jamoat", record.get("jamoat"))]
            return " / ".join(p for p in parts if p)
        return record.get(key) or ""

    def _fill(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.open_buttons = []
        header = QLabel(_("New entry"))
        header.setStyleSheet("font-weight: bold;")
        header.setWordWrap(True)
        self.grid.addWidget(header, 0, 1, Qt.AlignBottom)
        for row, (key, label) in enumerate(ROWS, start=1):
            caption = QLabel(_(label))
            caption.setStyleSheet("color: #555;")
            self.grid.addWidget(caption, row, 0, Qt.AlignTop)
            value = QLabel(self._text(self.values, key))
            value.setWordWrap(True)
            self.grid.addWidget(value, row, 1, Qt.AlignTop)
        for column, candidate in enumerate(self.candidates, start=2):
            person = candidate.person
            title = QLabel(_("Registered person, similarity {score}/100").format(
                score=int(round(candidate.score))))
            title.setStyleSheet("font-weight: bold;")
            title.setWordWrap(True)
            self.grid.addWidget(title, 0, column, Qt.AlignBottom)
            for row, (key, _label) in enumerate(ROWS, start=1):
                text = self._text(person, key)
                cell = QLabel(text)
                cell.setWordWrap(True)
                if _same(text, self._text(self.values, key)):
                    cell.setStyleSheet("font-weight: bold; background: #fff3c4;")
                self.grid.addWidget(cell, row, column, Qt.AlignTop)
            reasons = QLabel("\n".join(f"• {r}" for r in (candidate.reasons or [])))
            reasons.setWordWrap(True)
            reasons.setStyleSheet("color: #555;")
            self.grid.addWidget(reasons, len(ROWS) + 1, column, Qt.AlignTop)
            button = QPushButton(_("Open existing"))
            button.clicked.connect(lambda _c=False, pid=person["id"]: self._open(pid))
            self.open_buttons.append(button)
            self.grid.addWidget(button, len(ROWS) + 2, column)
        for column in range(1, len(self.candidates) + 2):
            self.grid.setColumnMinimumWidth(column, 220)
            self.grid.setColumnStretch(column, 1)

    def _create_anyway(self) -> None:
        self.done(self.CREATE_ANYWAY)

    def _open(self, person_id: str) -> None:
        self.chosen_id = person_id
        self.done(self.OPEN_EXISTING)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Possible duplicates"))
        self.intro.setText(_(
            "This person may already be registered. Compare the new entry with the registered "
            "people below: open an existing record, or create a new one if it is someone else."))
        self.create_button.setText(_("Create anyway"))
        self.back_button.setText(_("Back to the form"))
        self._fill()

