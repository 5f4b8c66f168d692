"""Trainings: courses, events, participants, attendance grid, certificates, outcomes."""
from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection
from desktop_app.ui.trainings.page import TrainingsPage
from desktop_app.ui.trainings.person_section import PersonTrainings

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


PAGE = PageSpec(key="trainings", order=30, title=lambda: _("Trainings"),
                factory=TrainingsPage)
PERSON_SECTION = PersonSection(key="trainings", order=30, title=lambda: _("Trainings"),
                               factory=PersonTrainings)
