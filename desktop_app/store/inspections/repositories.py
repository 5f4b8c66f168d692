"""Labour inspections: the repositories of inspections, their violations, sanctions (fines
in Decimal minor units) and the cases an inspection came from or closed.

Saving an inspection with its parts is ``services``; lists and look-ups are ``queries``.
"""
from __future__ import annotations

from desktop_app.domain import cases as dom
from desktop_app.i18n import Domain
from desktop_app.store.cases.repositories import reference_codes
from desktop_app.store.repository import Repository, ValidationError

DOMAIN = Domain("inspections")
_ = DOMAIN.gettext


class InspectionRepository(Repository):
    table = "inspection"
    fields = ("number", "employer_id", "inspector_id", "inspector_name", "inspected_on",
              "trigger", "status", "findings")
    defaults = {"status": "completed"}

    def validate(self, values, existing):
        cleaned, errors = dom.validate_inspection(
            values, reference_codes(self.conn, "inspection_trigger"))
        if cleaned.get("employer_id") and not self.conn.execute(
                "SELECT 1 FROM employer WHERE id=? AND deleted=0",
                (cleaned["employer_id"],)).fetchone():
            errors["employer_id"] = _("Choose the enterprise that was inspected.")
        if errors:
            raise ValidationError(errors)
        return cleaned


class ViolationRepository(Repository):
    table = "inspection_violation"
    fields = ("inspection_id", "violation", "workers_affected", "notes")


class SanctionRepository(Repository):
    table = "inspection_sanction"
    fields = ("inspection_id", "sanction", "fine_minor", "fine_currency", "notes")


class InspectionCaseRepository(Repository):
    table = "inspection_case"
    fields = ("inspection_id", "case_id")
