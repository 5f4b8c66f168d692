"""A person's trainings and follow-up outcomes, shown on their page."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.domain.trainings import OUTCOMES
from desktop_app.i18n import Domain, current_language, format_date
from desktop_app.store import reference
from desktop_app.store.trainings import queries as tq
from desktop_app.ui.widgets import DataTable, EmptyState, TableOrEmpty

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


class PersonTrainings(QWidget):
    def __init__(self, ctx, person_ids: list[str], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.person_ids = list(person_ids)
        self.trainings = DataTable(5)
        self.outcomes = DataTable(3)
        self.outcomes_label = QLabel()
        self.empty = EmptyState()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(TableOrEmpty(self.trainings, self.empty))
        layout.addWidget(self.outcomes_label)
        layout.addWidget(self.outcomes)
        self.retranslate()

    def retranslate(self) -> None:
        self.trainings.setHorizontalHeaderLabels(
            [_("Dates"), _("Course"), _("Attended"), _("Completed"), _("Certificate")])
        self.outcomes.setHorizontalHeaderLabels([_("Date"), _("Outcome"), _("Course")])
        self.outcomes_label.setText(_("Follow-up outcomes"))
        self.empty.set_message(_("No trainings yet."))
        self.refresh()

    def refresh(self) -> None:
        conn = self.ctx.session.conn
        lang = current_language()
        rows = tq.trainings_of_person(conn, self.person_ids)
        cells = []
        for r in rows:
            dates = format_date(r["start_date"])
            if r.get("end_date") and r["end_date"] != r["start_date"]:
                dates += " – " + format_date(r["end_date"])
            cells.append((dates, reference.label(conn, "course", r["course_code"], lang),
                          f"{r['attended_sessions']}/{r['sessions']}",
                          _("yes") if r["completed"] else _("no"),
                          r.get("certificate_number") or ""))
        self.trainings.set_rows(cells)
        self.trainings.resizeColumnsToContents()
        outcomes = tq.outcomes_of_person(conn, self.person_ids)
        self.outcomes.set_rows([(format_date(o["outcome_date"]),
                                 _(OUTCOMES.get(o["outcome"], o["outcome"])),
                                 reference.label(conn, "course", o.get("course_code"), lang))
                                for o in outcomes])
        self.outcomes.resizeColumnsToContents()
        self.outcomes.setVisible(bool(outcomes))
        self.outcomes_label.setVisible(bool(outcomes))
