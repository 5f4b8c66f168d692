"""Scope of office bundles: a case referred to another office of the network travels to
that office with its person, employer and history; other offices' cases do not."""
from __future__ import annotations

from datetime import date

import pytest

from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.offices import OfficeRepository, UserRepository
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.store.security.consent import ConsentRepository
from tests.helpers.replicas import exchange_files


def case_with_person(replica, family_name, **extra):
    # one date for the consent, the opening and the follow-up (read here, not at import:
    # a run passing midnight would open the case today with a follow-up due yesterday)
    today = date.today().isoformat()
    person = PersonRepository(replica.session).create(dict(
        family_name=family_name, given_name="Фарҳод", consent_date=today,
        consent_scope="referral"))
    employer = cs.find_or_create_employer(replica.session, f"ООО {family_name}Строй")
    case = cs.open_case(replica.session, dict(channel="hotline", category="unpaid_wages",
                                              person_id=person["id"], opened_on=today,
                                              employer_id=employer["id"], **extra))
    cs.add_followup(replica.session, case["id"], today, "Call back")
    MigrationEpisodeRepository(replica.session).create(dict(
        person_id=person["id"], destination_country="RU", employer_name="ООО Вектор"))
    ConsentRepository(replica.session).create(dict(
        person_id=person["id"], consent_date=today, scope="referral", method="written"))
    return person, employer, case


def office_id(replica, code):
    return OfficeRepository(replica.session).by_code(code)["id"]


def history(replica, case_id):
    conn = replica.conn
    return (len(cq.timeline(conn, case_id)), len(cq.followups(conn, case_id)),
            len(cq.referrals(conn, case_id)))


def network(make_replicas, tmp_path):
    """Gharm and Tojikobod offices and the Dushanbe coordinator; the coordinator's office
    list has reached Gharm, so Gharm can refer to Tojikobod."""
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    folder = tmp_path / "b"
    exchange_files(grm, dsh, folder, target="coordinator")
    exchange_files(tjb, dsh, folder, target="coordinator")
    exchange_files(dsh, grm, folder, target="GRM")
    return grm, tjb, dsh, folder


def people_records(replica, person_id):
    conn = replica.conn
    return tuple(conn.execute(f"SELECT count(*) FROM {table} WHERE person_id=?",
                              (person_id,)).fetchone()[0]
                 for table in ("migration_episode", "consent"))


def test_bundle_for_an_office_carries_the_cases_referred_to_it(make_replicas, tmp_path):
    grm, tjb, dsh, folder = network(make_replicas, tmp_path)
    person, employer, referred = case_with_person(grm, "Раҳмонов")
    other_person, _employer, kept = case_with_person(grm, "Каримов")
    with pytest.raises(ValidationError) as err:     # the office must be named
        cs.refer(grm.session, referred["id"], {"target": sc.NETWORK_OFFICE})
    assert set(err.value.errors) == {"target_office_id"}
    with pytest.raises(ValidationError):            # and not be the case's own office
        cs.refer(grm.session, referred["id"], {"target": sc.NETWORK_OFFICE,
                                               "target_office_id": office_id(grm, "GRM")})
    referral = cs.refer(grm.session, referred["id"], {
        "target": sc.NETWORK_OFFICE, "target_office_id": office_id(grm, "TJB")})
    assert referral["target_office_id"] == office_id(grm, "TJB")
    exchange_files(grm, dsh, folder, target="coordinator")
    assert sc.CaseRepository(dsh.session).get(kept["id"]) is not None

    exchange_files(dsh, tjb, folder, target="TJB")
    at_tjb = sc.CaseRepository(tjb.session).get(referred["id"])
    assert at_tjb is not None and at_tjb["number"] == referred["number"]
    assert PersonRepository(tjb.session).get(person["id"])["family_name"] == "Раҳмонов"
    assert sc.EmployerRepository(tjb.session).get(employer["id"]) is not None
    assert history(tjb, referred["id"]) == history(grm, referred["id"]) == (3, 1, 1)
    # with the person's migration history and consent (to refer onward)
    assert people_records(tjb, person["id"]) == people_records(grm, person["id"]) == (1, 1)
    assert people_records(tjb, other_person["id"]) == (0, 0)
    # nothing else of Gharm's leaves the coordinator
    assert sc.CaseRepository(tjb.session).get(kept["id"]) is None
    assert PersonRepository(tjb.session).get(other_person["id"]) is None
    assert cq.followups(tjb.conn, kept["id"]) == []
    # the receiving office works on the case; its notes reach Gharm through the coordinator
    cs.add_event(tjb.session, referred["id"], "note", "Принят в Tojikobod")
    exchange_files(grm, dsh, folder, target="coordinator")
    exchange_files(tjb, dsh, folder, target="coordinator")
    exchange_files(dsh, grm, folder, target="GRM")
    assert history(grm, referred["id"]) == (4, 1, 1)


def test_a_case_referred_later_brings_its_whole_history(make_replicas, tmp_path):
    """Tojikobod acknowledged Gharm's changes past the case (through shared records) before
    the case was referred to it: the incremental bundle still brings the case."""
    grm, tjb, dsh, folder = network(make_replicas, tmp_path)
    person, _employer, case = case_with_person(grm, "Назаров")
    UserRepository(grm.session).create(dict(username="field2", display_name="Field 2",
                                            role="field_officer", active=1))
    exchange_files(grm, dsh, folder, target="coordinator")
    exchange_files(dsh, tjb, folder, target="TJB")       # the new user, not the case
    assert UserRepository(tjb.session).by_username("field2") is not None
    assert sc.CaseRepository(tjb.session).get(case["id"]) is None
    exchange_files(tjb, dsh, folder, target="coordinator")   # acknowledges all of that

    cs.refer(grm.session, case["id"], {"target": sc.NETWORK_OFFICE,
                                       "target_office_id": office_id(grm, "TJB"),
                                       "target_detail": "Semyon"})
    exchange_files(grm, dsh, folder, target="coordinator")
    summary = exchange_files(dsh, tjb, folder, target="TJB")
    assert sc.CaseRepository(tjb.session).get(case["id"])["status"] == "referred"
    assert PersonRepository(tjb.session).get(person["id"]) is not None
    assert history(tjb, case["id"]) == history(grm, case["id"])
    assert people_records(tjb, person["id"]) == (1, 1)
    assert summary.new >= 7
    # the next bundle does not send the history again
    cs.answer_referral(grm.session, cq.referrals(grm.conn, case["id"])[0]["id"], "accepted")
    exchange_files(grm, dsh, folder, target="coordinator")
    again = exchange_files(dsh, tjb, folder, target="TJB")
    assert again.new == 1 and again.updated >= 1
