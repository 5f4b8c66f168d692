"""Training indicators: trainings held, participants, people trained, completion rate,
share of women among trainees, outcomes."""
from __future__ import annotations

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    COUNT,
    Contact,
    Indicator,
    Query,
    Source,
    SourceSQL,
    client_join,
    known,
    person_dims,
    ratio,
)

DOMAIN = Domain("reports")

# a training that starts reaches each participant (people reached)
CONTACTS: tuple[Contact, ...] = (
    Contact(("training_participant", "training_event"),
            "SELECT tp.person_id, tp.office_id, te.start_date FROM "
            "training_participant tp JOIN training_event te ON te.id = tp.event_id "
            "WHERE tp.deleted = 0 AND te.deleted = 0"),)


def _trainings(q: Query) -> SourceSQL:
    return SourceSQL(
        "te.id",
        f"FROM training_event te WHERE te.deleted = 0 AND {q.within('te.start_date')} "
        f"AND {q.offices('te.office_id')} AND {q.district_in('te.district')}",
        {"course": known("te.course_code"), "district": known("te.district"),
         "office": known("te.office_id"), "funding_source": known("te.funding_source")})


COMPLETED = ("(CASE WHEN tp.completion_override = 'completed' THEN 1 "
             "WHEN tp.completion_override = 'not_completed' THEN 0 "
             "ELSE COALESCE(tp.completed, 0) END)")


def _participations(q: Query) -> SourceSQL:
    dims = person_dims(q)
    return SourceSQL(
        "tp.id",
        f"FROM training_participant tp JOIN training_event te ON te.id = tp.event_id "
        f"AND te.deleted = 0 {client_join('tp', 'person_id')} WHERE tp.deleted = 0 "
        f"AND {q.within('te.start_date')} AND {q.offices('te.office_id')} "
        f"AND {q.district_in('te.district')}",
        {"course": known("te.course_code"), "office": known("te.office_id"),
         "sex": dims["sex"], "age_band": dims["age_band"]},
        {"completed": COMPLETED})


def _trainees(q: Query) -> SourceSQL:
    """Distinct surviving identities who took part in a training that started in the period."""
    return SourceSQL(
        "p.id",
        f"FROM (SELECT DISTINCT COALESCE(r.root, tp.person_id) AS pid FROM "
        f"training_participant tp JOIN training_event te ON te.id = tp.event_id "
        f"AND te.deleted = 0 LEFT JOIN rpt_root r ON r.id = tp.person_id "
        f"WHERE tp.deleted = 0 AND {q.within('te.start_date')} "
        f"AND {q.offices('te.office_id')} AND {q.district_in('te.district')}) u "
        f"JOIN person p ON p.id = u.pid AND p.deleted = 0",
        {k: v for k, v in person_dims(q).items() if k != "migration_status"},
        {"female": "(p.sex = 'female')"})


def _outcomes(q: Query) -> SourceSQL:
    dims = person_dims(q)
    return SourceSQL(
        "o.id",
        f"FROM training_outcome o {client_join('o', 'person_id')} WHERE o.deleted = 0 "
        f"AND {q.within('o.outcome_date')} AND {q.offices('o.office_id')} "
        f"AND {q.district_in('p.district')}",
        {"outcome": known("o.outcome"), "sex": dims["sex"], "age_band": dims["age_band"],
         "office": known("o.office_id")})


PART = Source(("training_event", "training_participant"), "training_participant",
              _participations)
TRAINEES = Source(("training_event", "training_participant"), "person", _trainees)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "trainings_held", "trainings", N_("Trainings held"),
        N_("Training events that started in the period."),
        Source(("training_event",), "training_event", _trainings),
        COUNT, ("course", "district", "office", "funding_source"), ("course",)),
    Indicator(
        "training_participations", "trainings", N_("Training participants"),
        N_("Enrolments in trainings that started in the period (a person in two trainings "
           "counts twice)."),
        PART, COUNT, ("course", "office", "sex", "age_band"), ("course", "sex")),
    Indicator(
        "trainees", "trainings", N_("People trained"),
        N_("Distinct people who took part in a training that started in the period, each "
           "identity once."),
        TRAINEES, COUNT, ("sex", "age_band", "district", "jamoat", "destination_country"),
        ("sex", "age_band")),
    Indicator(
        "training_completion_rate", "trainings", N_("Completion rate"),
        N_("Share of the enrolments of the period that completed the course (attendance rule "
           "or a recorded decision)."),
        PART, ratio("completed"), ("course", "sex", "office"), ("course", "sex")),
    Indicator(
        "trainees_women_share", "trainings", N_("Share of women among trainees"),
        N_("Women among the distinct people trained in the period."),
        TRAINEES, ratio("female"), ("age_band", "district"), ()),
    Indicator(
        "training_outcomes", "trainings", N_("Training outcomes"),
        N_("Follow-up outcomes recorded in the period: a job, legal migration with a contract, "
           "a business started, a loan received."),
        Source(("training_outcome",), "training_outcome", _outcomes),
        COUNT, ("outcome", "sex", "age_band", "office"), ("outcome", "sex")),
)
