"""A person's page: their data, migration episodes and the sections other modules add."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import N_, Domain, format_date
from desktop_app.store.people import listing as people_list
from desktop_app.store.people.identity import identity_ids
from desktop_app.ui.pages import discover_person_sections
from desktop_app.ui.people.episodes import EPISODE_COLUMNS, permit_label, to_display_date
from desktop_app.ui.people.form import CONSENT_SCOPES
from desktop_app.ui.people.model import Labels, age_text, full_name, sex_label, status_label
from desktop_app.ui.people.widgets import yes_no
from desktop_app.ui.widgets import style_table

DOMAIN = Domain("people")
_ = DOMAIN.gettext

FACTS = (
    ("sex", N_("Sex")),
    ("birth", N_("Date of birth")),
    ("phones", N_("Phones")),
    ("document_number", N_("Document number")),
    ("home", N_("Home")),
    ("village", N_("Village")),
    ("education", N_("Education")),
    ("disability", N_("Has a disability")),
    ("female_headed_household", N_("Female-headed household")),
    ("union_member", N_("Trade union member")),
    ("household_notes", N_("Household notes")),
    ("migration_status", N_("Migration status")),
    ("consent", N_("Consent")),
    ("registered", N_("Registered on")),
)


class PersonDetail(QWidget):
    """Shows one person; ``edit_requested(id)`` when the user asks to edit."""

    edit_requested = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.labels = Labels(ctx.conn)
        self.person: dict | None = None
        self.episodes: list[dict] = []
        self.sections: list[tuple[object, QGroupBox, QWidget]] = []
        self._specs = None
        # what a person's record holds is text, never HTML (it may come from a bundle)
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.PlainText)
        self.title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.edit_button = QPushButton(self)
        self.edit_button.clicked.connect(self._edit_clicked)
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.facts_box = QGroupBox(self)
        self.facts = QFormLayout(self.facts_box)
        self.facts.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.facts.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.fact_labels: dict[str, tuple[QLabel, QLabel]] = {}
        for key, _msg in FACTS:
            caption, value = QLabel(self), QLabel(self)
            caption.setStyleSheet("color: #555;")
            value.setTextFormat(Qt.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.facts.addRow(caption, value)
            self.fact_labels[key] = (caption, value)
        self.episodes_box = QGroupBox(self)
        self.episodes_table = QTableWidget(0, len(EPISODE_COLUMNS), self)
        self.episodes_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        style_table(self.episodes_table)
        self.episodes_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeToContents)
        self.episodes_table.setMaximumHeight(160)
        QVBoxLayout(self.episodes_box).addWidget(self.episodes_table)
        self.sections_host = QVBoxLayout()
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.edit_button, 0, Qt.AlignTop)
        body_layout.addLayout(head)
        body_layout.addWidget(self.facts_box)
        body_layout.addWidget(self.episodes_box)
        body_layout.addLayout(self.sections_host)
        body_layout.addStretch(1)
        self.body = body
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self.scroll = scroll
        self.show_person(None)

    def _edit_clicked(self) -> None:
        if self.person:
            self.edit_requested.emit(self.person["id"])

    def show_person(self, person_id: str | None) -> None:
        self.person, self.episodes = (people_list.load_person(self.ctx.conn, person_id)
                                      if person_id else (None, []))
        self.empty.setVisible(self.person is None)
        self.scroll.setVisible(self.person is not None)
        self._build_sections()
        self._fill()
        # the scroll area sizes its page when the page asks for a new layout; it did not
        # while hidden (no person chosen yet), and then squeezed the whole page into the
        # visible height: ask it again now that the page is filled
        self.scroll.setWidgetResizable(True)

    def _build_sections(self) -> None:
        for _spec, box, _widget in self.sections:
            # hide and detach, not setParent(None): reparenting a visible child makes it a
            # top-level window for a moment and the page's window loses activation
            box.hide()
            self.sections_host.removeWidget(box)
            box.deleteLater()
        self.sections = []
        if self.person is None:
            return
        ids = identity_ids(self.ctx.conn, self.person["id"])
        if self._specs is None:
            self._specs = discover_person_sections()
        for spec in self._specs:
            box = QGroupBox(self.body)
            widget = spec.factory(self.ctx, ids)
            QVBoxLayout(box).addWidget(widget)
            self.sections_host.addWidget(box)
            self.sections.append((spec, box, widget))

    def _fact(self, key: str) -> str:
        p = self.person
        if key == "sex":
            return sex_label(p.get("sex"))
        if key == "birth":
            if not p.get("birth_date"):
                return ""
            if p.get("birth_date_estimated"):
                return _("about {age} years old (estimated)").format(age=age_text(p)[1:])
            return _("{date} ({age} years old)").format(date=to_display_date(p["birth_date"]),
                                                         age=age_text(p))
        if key == "home":
            parts = [self.labels.get(kind, p.get(kind))
                     for kind in ("country", "region", "district", "jamoat")]
            return ", ".join(x for x in parts if x)
        if key == "education":
            return self.labels.get("education", p.get("education"))
        if key in ("disability", "female_headed_household", "union_member"):
            return yes_no(p.get(key))
        if key == "migration_status":
            return status_label(p.get("migration_status"))
        if key == "consent":
            if not p.get("consent_date"):
                return _("No consent recorded")
            scopes = {s.strip() for s in (p.get("consent_scope") or "").split(",")}
            names = [_(label) for code, label in CONSENT_SCOPES
                     if "all" in scopes or code in scopes]
            return _("Given on {date}: {scope}").format(
                date=to_display_date(p["consent_date"]), scope="; ".join(names) or "-")
        if key == "registered":
            return format_date(p.get("created_at"))
        return p.get(key) or ""

    def _fill(self) -> None:
        self.empty.setText(_("Choose a person in the list to see their page."))
        self.edit_button.setText(_("Edit"))
        self.facts_box.setTitle(_("Details"))
        self.episodes_box.setTitle(_("Migration episodes"))
        self.episodes_table.setHorizontalHeaderLabels([_(m) for _n, m in EPISODE_COLUMNS])
        if self.person is None:
            return
        self.title.setText(full_name(self.person))
        self.edit_button.setVisible(self.ctx.can("update", "person", self.person))
        for key, msgid in FACTS:
            caption, value = self.fact_labels[key]
            caption.setText(_(msgid))
            value.setText(self._fact(key))
        self.episodes_table.setRowCount(len(self.episodes))
        kinds = {"destination_country": "country", "destination_city": "city",
                 "sector": "sector", "recruitment_channel": "recruitment_channel"}
        for row, episode in enumerate(self.episodes):
            for column, (name, _m) in enumerate(EPISODE_COLUMNS):
                value = episode.get(name)
                if name in kinds:
                    text = self.labels.get(kinds[name], value)
                elif name == "work_permit":
                    text = permit_label(value)
                elif name in ("departure_date", "return_date"):
                    text = to_display_date(value)
                else:
                    text = value or ""
                self.episodes_table.setItem(row, column, QTableWidgetItem(text))
        for spec, box, _widget in self.sections:
            box.setTitle(spec.title())

    def retranslate(self) -> None:
        self._fill()
        for _spec, _box, widget in self.sections:
            if hasattr(widget, "retranslate"):
                widget.retranslate()
