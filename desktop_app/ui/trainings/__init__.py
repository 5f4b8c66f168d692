"""Trainings: courses, events, participants, attendance grid, certificates, outcomes."""
from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec, PersonSection

DOMAIN = Domain("trainings")
_ = DOMAIN.gettext


def _page(ctx):
    from desktop_app.ui.trainings.page import (
        TrainingsPage,  # deferred: a page loads when first opened
    )
    return TrainingsPage(ctx)


def _section(ctx, person_ids):
    from desktop_app.ui.trainings.person_section import (
        PersonTrainings,  # deferred: a section loads when a person is first opened
    )
    return PersonTrainings(ctx, person_ids)


PAGE = PageSpec(key="trainings", order=30, title=lambda: _("Trainings"), factory=_page)
PERSON_SECTION = PersonSection(key="trainings", order=30, title=lambda: _("Trainings"),
                               factory=_section)
