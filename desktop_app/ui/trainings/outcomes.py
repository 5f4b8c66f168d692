"""The outcomes of a training (the third tab of the Trainings page)."""
from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain.trainings import OUTCOMES
from desktop_app.i18n import Domain, format_date
from desktop_app.i18n.formats import full_name, share_percent
from desktop_app.store.trainings import queries as tq
from desktop_app.ui.trainings.dialogs import OutcomeDialog
from desktop_app.ui.widgets import DataTable

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


def percent_text(value: Fraction | None, language: str | None = None) -> str:
    """A share of participants as a whole percentage in the user's language (33 %, 33%)."""
    return share_percent(value, language)


class OutcomesTab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = ctx.session
        self.event_id: str | None = None
        self.table = DataTable(4)
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
        self.table.set_rows([(format_date(o["outcome_date"]), full_name(o),
                              _(OUTCOMES.get(o["outcome"], o["outcome"])), o.get("notes") or "")
                             for o in rows], keys=[o["id"] for o in rows])
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
        if OutcomeDialog(self.ctx, self.event_id, participants, self).exec():
            self.load(self.event_id)
