"""What each stored field is called on screen: the label its form shows.

One mapping for every place that names a field by its column: the sync conflict list
("Field": Family name, not ``family_name``) and the audit log ("Role: Field officer →
Coordinator"). The texts are the forms' own messages, so a field reads the same in the
form, the conflict list and the log, in every language.
"""
from __future__ import annotations

from desktop_app.domain import loans, people, trainings
from desktop_app.domain.cases import from_minor
from desktop_app.i18n import N_, NP_, Domain, current_language, format_money
from desktop_app.store import reference

DOMAIN = Domain("security")
_ = DOMAIN.gettext

# field -> label, whatever the table (the people form's wording where a person has it)
FIELD_LABELS = {
    # people (ui/people/form.py, episodes.py)
    "family_name": N_("Family name"),
    "given_name": N_("Given name"),
    "patronymic": N_("Patronymic"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "birth_date_estimated": N_("Date of birth is estimated"),
    "phones": N_("Phones"),
    "document_number": N_("Document number"),
    "country": N_("Country"),
    "region": N_("Region"),
    "district": N_("District"),
    "jamoat": N_("Jamoat"),
    "village": N_("Village"),
    "city": N_("City"),
    "education": N_("Education"),
    "disability": N_("Has a disability"),
    "female_headed_household": N_("Female-headed household"),
    "household_notes": N_("Household notes"),
    "union_member": N_("Trade union member"),
    "migration_status": N_("Migration status"),
    "consent_date": N_("Consent given on"),
    "consent_scope": N_("Consent covers"),
    "notes": N_("Notes"),
    "destination_country": N_("Destination country"),
    "destination_city": N_("Destination city"),
    "sector": N_("Sector"),
    "employer_name": N_("Employer"),
    "departure_date": N_("Departure date"),
    "return_date": N_("Return date"),
    "work_permit": N_("Work permit"),
    "recruitment_channel": N_("Recruitment channel"),
    "merged_into": N_("Merged into"),
    # who or what a record belongs to
    "person_id": N_("Person"),
    "case_id": N_("Case"),
    "employer_id": N_("Employer"),
    "inspection_id": N_("Inspection"),
    "event_id": N_("Training"),
    "session_id": N_("Training session"),
    "participant_id": N_("Training participant"),
    "fund_id": N_("Fund"),
    "loan_id": N_("Loan"),
    "guarantor_person_id": N_("Guarantor"),
    "target_office_id": N_("Office"),
    # user accounts, offices, reference lists
    "username": N_("User name"),
    "display_name": N_("Full name"),
    "role": N_("Role"),
    "active": N_("Active"),
    "code": N_("Code"),
    "name": NP_("name of a thing", "Name"),
    "office_type": N_("Type of office"),
    "title": N_("Title"),
    "currency": N_("Currency"),
    "language": N_("Language"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "number": N_("Number"),
    "sort_order": N_("Order in lists"),
    "parent_code": N_("Belongs to"),
    "label_en": N_("Name in English"),
    "label_ru": N_("Name in Russian"),
    "label_tg": N_("Name in Tajik"),
    "label_uz": N_("Name in Uzbek"),
    "attributes": N_("Settings"),
    # consent
    "scope": N_("Consent to"),
    "method": N_("How given"),
    "taken_by": N_("Recorded by"),
    "expiry_date": N_("Ends on"),
    "withdrawn_date": N_("Withdrawn on"),
    # cases (ui/cases/intake.py, detail.py)
    "caller_name": N_("Caller"),
    "caller_phone": N_("Phone to call back"),
    "channel": N_("Came in by"),
    "category": N_("Category"),
    "subcategory": N_("Subcategory"),
    "assigned_to": N_("Assigned to"),
    "sensitive": N_("Sensitive case"),
    "sensitive_flag": N_("Sensitive case"),
    "risk_level": N_("Risk level"),
    "summary": N_("What happened"),
    "opened_on": N_("Opened on"),
    "resolved_on": N_("Resolved on"),
    "closed_on": N_("Closed on"),
    "outcome": N_("Outcome"),
    "wages_recovered_minor": N_("Wages recovered"),
    "wages_currency": N_("Currency of the wages"),
    "returned_home": N_("The person returned home"),
    "inspection_opened": N_("An inspection was opened"),
    "fine_imposed": N_("A fine was imposed"),
    "outcome_notes": N_("Notes on the outcome"),
    "event_on": N_("Date"),
    "text": N_("Text"),
    "from_status": N_("Status before"),
    "to_status": N_("Status after"),
    "due_on": N_("Due"),
    "action": N_("To do"),
    "done_on": N_("Done on"),
    "result": N_("Result"),
    "target": N_("Referred to"),
    "target_detail": N_("Referred to (details)"),
    "referred_on": N_("Referred on"),
    "answer": N_("Answer"),
    "answered_on": N_("Answered on"),
    "consent_override": N_("Referred without consent"),
    "override_reason": N_("Reason"),
    # employers and inspections (ui/inspections)
    "size": N_("Size"),
    "tax_number": N_("Tax number"),
    "union_present": N_("A trade union is present"),
    "collective_agreement": N_("Has a collective agreement"),
    "high_risk": N_("High-risk enterprise"),
    "attestation_date": N_("Attestation date"),
    "attestation_result": N_("Attestation result"),
    "inspector_id": N_("Inspector"),
    "inspector_name": N_("Inspector"),
    "inspected_on": N_("Date of the inspection"),
    "trigger": N_("Trigger"),
    "findings": N_("Findings"),
    "sanction": N_("Sanction"),
    "fine_minor": N_("Fine amount"),
    "fine_currency": N_("Currency of the fine"),
    "violation": N_("Violation"),
    "workers_affected": N_("Workers affected"),
    # loans (ui/loans/application.py)
    "product_code": N_("Loan product"),
    "purpose": N_("Purpose"),
    "purpose_note": N_("Purpose details"),
    "amount": N_("Amount"),
    "annual_rate": N_("Yearly rate, %"),
    "term": N_("Instalments"),
    "frequency": N_("Frequency"),
    "amortisation": N_("Amortisation"),
    "grace": N_("Grace (instalments)"),
    "tolerance_days": N_("Days of tolerance"),
    "late_fee_percent": N_("Late fee"),
    "allocation": N_("Order of allocation"),
    "guarantor_name": N_("Guarantor"),
    "guarantor_phone": N_("Guarantor's phone"),
    "borrower_language": N_("Borrower's language (repayment card)"),
    "applied_on": N_("Application date"),
    "decided_by": N_("Decided by"),
    "decided_on": N_("Decided on"),
    "decision_note": N_("Reason for the decision"),
    "disbursed_on": N_("Disbursement date"),
    "writeoff_requested_by": N_("Write-off asked by"),
    "writeoff_requested_on": N_("Write-off asked on"),
    "writeoff_reason": N_("Reason for the write-off"),
    "written_off_by": N_("Written off by"),
    "written_off_on": N_("Written off on"),
    "value_date": N_("Date"),
    "cash": N_("Cash"),
    "principal": N_("Principal"),
    "interest": N_("Interest"),
    "penalty": N_("Penalty"),
    "reverses_id": N_("Storno of"),
    "note": N_("Note"),
    "version": N_("Version"),
    "due_date": N_("Due date"),
    "cum_principal": N_("Principal to date"),
    "cum_interest": N_("Interest to date"),
    "effective_from": N_("In force from"),
    "reason": N_("Reason"),
    "base_paid_principal": N_("Principal paid before"),
    "base_paid_interest": N_("Interest paid before"),
    # trainings (ui/trainings)
    "course_code": N_("Course"),
    "provider_type": N_("Provider type"),
    "provider_name": N_("Provider"),
    "trainers": N_("Trainers"),
    "funding_source": N_("Funding source"),
    "place": N_("Place"),
    "start_date": N_("First day"),
    "end_date": N_("Last day"),
    "session_date": N_("Date"),
    "minutes": N_("Hours"),
    "topic": N_("Topic"),
    "present": N_("Present"),
    "completion_override": N_("Completion decided by hand"),
    "certificate_number": N_("Certificate number"),
    "certificate_date": N_("Certificate date"),
    "outcome_date": N_("Date"),
    # erasure of a person's data
    "erased_on": N_("Erased on"),
    "fields": N_("Erased fields"),
}
# where a table's form names a field otherwise than FIELD_LABELS
TABLE_FIELD_LABELS = {
    ("training_outcome", "outcome"): N_("Follow-up outcome"),
    ("case_followup", "result"): N_("Follow-up result"),
    ("hotline_case", "number"): N_("Case number"),
    ("loan", "number"): N_("Loan number"),
    ("loan", "person_id"): N_("Borrower"),
    ("loan", "method"): N_("Interest method"),
    ("loan_schedule", "method"): N_("Interest method"),
    ("loan_instalment", "number"): N_("No."),
    ("employer", "name"): N_("Enterprise name"),
    ("training_event", "title"): N_("Title (optional)"),
    ("training_event", "language"): N_("Language of the training"),
    ("training_participant", "language"): N_("Certificate language"),
    ("reference_item", "active"): N_("In use"),
    ("reference_item", "kind"): N_("List"),
    ("fund_entry", "kind"): N_("Entry"),
}

# fields whose stored value is a code of a reference list (field -> the list's kind)
REFERENCE_FIELDS = {
    "country": "country", "destination_country": "country", "region": "region",
    "district": "district", "jamoat": "jamoat", "education": "education", "sector": "sector",
    "recruitment_channel": "recruitment_channel", "course_code": "course",
    "funding_source": "funding_source", "provider_type": "training_provider_type",
    "category": "case_category", "subcategory": "case_subcategory", "channel": "case_channel",
    "purpose": "loan_purpose", "product_code": "loan_product", "trigger": "inspection_trigger",
    "violation": "violation", "sanction": "sanction", "size": "employer_size",
    "risk_level": "risk_level", "target": "referral_target", "city": "city",
    "scope": "consent_scope", "topic": "training_topic",
}
# where a table's field holds codes of a list of its own (a case's status, a referral's)
TABLE_REFERENCE_FIELDS = {
    ("hotline_case", "status"): "case_status",
    ("hotline_case", "outcome"): "case_outcome",
    ("case_event", "from_status"): "case_status",
    ("case_event", "to_status"): "case_status",
    ("case_referral", "status"): "referral_status",
    ("training_outcome", "outcome"): "training_outcome",
}
# where a field holds codes of a module's fixed list, not of a reference list: the labels
# that module's forms show, translated in its catalog ((table, field), or (None, field)
# whatever the table -> (catalog, code -> label))
INSPECTION_STATUSES = {"planned": NP_("inspection status", "Planned"),
                       "completed": NP_("inspection status", "Completed")}
CODED_FIELDS: dict[tuple[str | None, str], tuple[Domain, dict]] = {
    (None, "sex"): (people.DOMAIN, people.SEXES),
    (None, "migration_status"): (people.DOMAIN, people.MIGRATION_STATUSES),
    ("loan", "status"): (loans.DOMAIN, loans.STATUSES),
    ("training_participant", "completion_override"): (trainings.DOMAIN, trainings.OVERRIDES),
    ("inspection", "status"): (DOMAIN, INSPECTION_STATUSES),
}
# fields stored in minor units (diram, kopeck) -> the column naming their currency, on the
# record itself or, for a loan's schedule and instalments, on the loan
MONEY_FIELDS = {
    "wages_recovered_minor": "wages_currency", "fine_minor": "fine_currency",
    "amount": "currency", "cash": "currency", "principal": "currency", "interest": "currency",
    "penalty": "currency", "cum_principal": "currency", "cum_interest": "currency",
    "base_paid_principal": "currency", "base_paid_interest": "currency",
}
_CURRENCY_ON_LOAN = ("loan_schedule", "loan_instalment")
# fields stored as 0/1
YES_NO_FIELDS = {
    "active", "disability", "female_headed_household", "union_member", "sensitive",
    "sensitive_flag", "birth_date_estimated", "present", "union_present",
    "collective_agreement", "high_risk", "returned_home", "inspection_opened", "fine_imposed",
    "consent_override",
}


def field_message(table: str | None, field: str) -> str | None:
    """The untranslated label of ``table``'s ``field``; None for a field no form shows."""
    return TABLE_FIELD_LABELS.get((table or "", field)) or FIELD_LABELS.get(field)


def field_label(table: str | None, field: str) -> str:
    """``field`` of ``table`` as its form labels it, in the current language (the column
    name itself for a field no form shows)."""
    message = field_message(table, field)
    return _(message) if message else field


def reference_kind(table: str | None, field: str) -> str | None:
    """The reference list whose codes ``table``'s ``field`` holds (None: not a code)."""
    return TABLE_REFERENCE_FIELDS.get((table or "", field)) or REFERENCE_FIELDS.get(field)


def reference_text(conn, table: str | None, field: str, value) -> str | None:
    """A coded value as its list names it in the current language (``TJ-RASHT`` -> Rasht);
    None when ``field`` holds no codes. A code the list lacks shows as it is."""
    kind = reference_kind(table, field)
    if kind is None or value is None or value == "":
        return None
    return reference.label(conn, kind, str(value), current_language())


def code_text(table: str | None, field: str, value) -> str | None:
    """A code of a module's fixed list (``CODED_FIELDS``) as its forms name it in the
    current language (``disbursed`` -> Active); None when ``field`` holds no such codes or
    the list lacks ``value``."""
    found = CODED_FIELDS.get((table, field)) or CODED_FIELDS.get((None, field))
    message = found[1].get(str(value)) if found is not None else None
    return found[0].gettext(message) if message is not None else None


def record_currency(conn, table: str | None, record_id: str | None, field: str,
                    values: dict | None = None) -> str | None:
    """The currency of a money ``field`` (MONEY_FIELDS): from ``values`` (the record as
    written) if they name it, else from the stored record or its loan."""
    column = MONEY_FIELDS.get(field)
    if column is None:
        return None
    if values and values.get(column):
        return str(values[column])
    if not table or not record_id:
        return None
    if table in _CURRENCY_ON_LOAN:
        found = conn.execute(f"SELECT loan_id FROM {_table_with(conn, 'loan_id', table)}"
                             " WHERE id=?", (record_id,)).fetchone()
        table, column, record_id = "loan", "currency", (found[0] if found else None)
    row = conn.execute(f"SELECT {column} FROM {_table_with(conn, column, table)} WHERE id=?",
                       (record_id,)).fetchone() if record_id else None
    return str(row[0]) if row and row[0] else None


def _table_with(conn, column: str, table: str) -> str:
    """``table`` if it is a table with ``column``; else a query with no rows."""
    columns = {r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))}
    return table if column in columns else f"(SELECT NULL AS id, NULL AS {column} WHERE 0)"


def money_text(minor, currency: str | None) -> str | None:
    """An amount stored in minor units as money in the current language
    (``4500000``, RUB -> ``45 000,00 руб.``); None if it is not an amount in a currency."""
    if not currency or isinstance(minor, bool):
        return None
    try:
        amount = from_minor(int(minor), currency)
    except (TypeError, ValueError):
        return None
    return format_money(amount, currency) if amount is not None else None
