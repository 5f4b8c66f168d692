"""People indicators: registered, on the register, reached. One family: every one of them
reads the register once (the people base) and the people reached by another contact
(temp table ``rpt_reach``, from the contacts of the cases, trainings and loans groups)."""
from __future__ import annotations

from typing import Callable

from desktop_app.i18n import N_, Domain
from desktop_app.reports.indicators.base import (
    COUNT,
    PERSON_DIMS,
    Contact,
    Indicator,
    Query,
    Source,
    SourceSQL,
    known,
    person_dims,
)
from desktop_app.reports.indicators.cases import CONTACTS as CASE_CONTACTS
from desktop_app.reports.indicators.loans import CONTACTS as LOAN_CONTACTS
from desktop_app.reports.indicators.trainings import CONTACTS as TRAINING_CONTACTS

DOMAIN = Domain("reports")

# The registration of a duplicate merged into a survivor reaches the survivor. It comes
# first: its column names are those of the union of contacts (prepare_reach).
MERGED_REGISTRATION = Contact(
    (), "SELECT id AS pid, office_id, created_at AS at FROM person WHERE deleted = 0 "
        "AND merged_into IS NOT NULL AND merged_into != ''")
CONTACTS: tuple[Contact, ...] = (
    (MERGED_REGISTRATION,) + CASE_CONTACTS + TRAINING_CONTACTS + LOAN_CONTACTS)


def _people_base(q: Query) -> str:
    """Surviving identities on the register by the end of the period, plus those reached
    through another contact (temp table rpt_reach, see prepare_reach)."""
    return (f"FROM person p LEFT JOIN temp.rpt_reach rr ON rr.pid = p.id "
            f"WHERE p.deleted = 0 AND COALESCE(p.merged_into, '') = '' "
            f"AND {q.district_in('p.district')} AND (({q.before_end_instant('p.created_at')} "
            f"AND {q.offices('p.office_id')}) OR {REACHED})")


# reached by another contact (rpt_reach joined once per person by the people base)
REACHED = "rr.pid IS NOT NULL"


def _people(when: Callable[[Query], str], office: bool = True):
    def build(q: Query) -> SourceSQL:
        dims = person_dims(q)
        if office:
            dims["office"] = known("p.office_id")
        return SourceSQL("p.id", _people_base(q), dims, when=when(q))
    return build


def _registered_when(q: Query) -> str:
    return f"{q.within_instant('p.created_at')} AND {q.offices('p.office_id')}"


_people_registered = _people(_registered_when)
_people_on_register = _people(
    lambda q: f"{q.before_end_instant('p.created_at')} AND {q.offices('p.office_id')}")
_people_reached = _people(
    lambda q: f"({_registered_when(q)}) OR {REACHED}",
    office=False)


def prepare_reach(conn, q: Query) -> None:
    """(Re)fill temp table ``rpt_reach``: surviving identities reached in the period by a
    contact other than their own registration (see reach_events), in the office scope."""
    if q.cache.get("reach_ready"):
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS rpt_reach(pid TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.rpt_reach")
    union = " UNION ALL ".join(reach_events(q))
    conn.execute(
        f"INSERT OR IGNORE INTO temp.rpt_reach(pid) SELECT COALESCE(r.root, ev.pid) "
        f"FROM ({union}) ev LEFT JOIN temp.rpt_root r ON r.id = ev.pid "
        f"WHERE ev.pid IS NOT NULL AND {q.within_day_or_instant('ev.at')} "
        f"AND {q.offices('ev.office_id')}")
    q.cache["reach_ready"] = True


def reach_events(q: Query) -> list[str]:
    """SELECTs of (pid, office_id, at) of every contact that reaches a person other than
    the registration of the surviving record itself (which the people base reads): the
    registration of a merged duplicate, a case opened, a training start, a disbursement;
    those whose tables this database has."""
    return [c.select for c in CONTACTS if q.has(*c.requires)]


P = Source(("person",), "person", _people_registered, prepare=prepare_reach)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "people_registered", "people", N_("People registered"),
        N_("People whose record was created in the period, each identity once (merged "
           "duplicates count as the surviving record; deleted records never count)."),
        P, COUNT, PERSON_DIMS + ("office",), ("sex", "age_band", "district")),
    Indicator(
        "people_on_register", "people", N_("People on the register"),
        N_("Every person registered up to the end of the period, each identity once."),
        Source(("person",), "person", _people_on_register, prepare=prepare_reach), COUNT,
        PERSON_DIMS + ("office",), ("sex", "migration_status")),
    Indicator(
        "people_reached", "people", N_("People reached"),
        N_("Distinct people registered, counselled (a case opened), trained or given a loan "
           "in the period, each identity once."),
        Source(("person",), "person", _people_reached, prepare=prepare_reach), COUNT, PERSON_DIMS,
        ("sex", "age_band", "district", "destination_country")),
)
