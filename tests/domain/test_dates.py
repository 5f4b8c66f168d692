"""Date fields: typed as dd.mm.yyyy or ISO, or given as dates; text that is not a date (blank
spaces included) is a message on the field, never a crash."""
from datetime import date

import pytest

from desktop_app.domain.cases import validate_case
from desktop_app.domain.people import as_date, validate_episode, validate_person
from desktop_app.domain.trainings import validate_event

TODAY = date(2026, 6, 15)
WRITE_THE_DATE = "Write the date as dd.mm.yyyy"


@pytest.mark.parametrize("value", ["07.03.1991", "7/3/1991", "1991-03-07", date(1991, 3, 7)])
def test_as_date_reads_paper_and_iso_forms(value):
    assert as_date(value) == date(1991, 3, 7)


@pytest.mark.parametrize("value", ["", "   ", "March 1991", "31.02.1991"])
def test_as_date_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        as_date(value)


@pytest.mark.parametrize("field", ["birth_date", "consent_date"])
def test_a_blank_person_date_is_a_message(field):
    cleaned, errors = validate_person(
        {"family_name": "Rahmonova", "given_name": "Zarina", field: "   "}, today=TODAY)
    assert errors[field].startswith(WRITE_THE_DATE)


def test_person_dates_are_cleaned_to_iso():
    cleaned, errors = validate_person(
        {"family_name": "Rahmonova", "given_name": "Zarina", "birth_date": "07.03.1991",
         "consent_date": date(2026, 6, 1)}, today=TODAY)
    assert errors == {}
    assert (cleaned["birth_date"], cleaned["consent_date"]) == ("1991-03-07", "2026-06-01")


def test_a_blank_episode_case_or_training_date_is_a_message():
    _, errors = validate_episode({"person_id": "p", "departure_date": "  "}, today=TODAY)
    assert errors["departure_date"].startswith(WRITE_THE_DATE)
    _, errors = validate_case({"channel": "phone", "category": "wages", "opened_on": "  "},
                              categories={"wages"}, channels={"phone"}, today=TODAY)
    assert errors["opened_on"].startswith(WRITE_THE_DATE)
    _, errors = validate_event({"title": "Rights abroad", "start_date": "  "})
    assert errors["start_date"].startswith(WRITE_THE_DATE)
