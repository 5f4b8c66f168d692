"""What a referral to another office of the network carries there (a sync scope).

A case with a live referral whose ``target_office_id`` is an office (migration 0032)
travels to that office with its person (and the person's migration episodes, consents
and erasure markers), its employer and its history (timeline, follow-ups, referrals,
inspection links). ``REFERRED`` says how each table's records hang off such a case;
``cases.repositories`` registers :class:`ReferralScope` with the base ``Repository`` and
``sync.scope`` reads it from there.
"""
from __future__ import annotations

# Cases referred to the office (a subquery; ``{office}`` is the office parameter).
REFERRED_CASES = ("SELECT case_id FROM case_referral WHERE target_office_id = {office}"
                  " AND deleted = 0")
# Cases referred to the office by a referral change it has not acknowledged (``{acked}``:
# acknowledged sequence numbers per origin device): they entered its scope since.
NEWLY_REFERRED_CASES = (
    "SELECT r.case_id FROM case_referral r JOIN change_log rc"
    " ON rc.table_name = 'case_referral' AND rc.record_id = r.id"
    " LEFT JOIN {acked} ra ON ra.device = rc.origin_device"
    " WHERE r.target_office_id = {office} AND r.deleted = 0"
    " AND rc.origin_seq > coalesce(ra.seq, 0)"
    # only the changes that set the target office, not every later answer
    # (a creation, fields NULL, writes every field)
    " AND (rc.fields IS NULL OR instr(rc.fields, '\"target_office_id\"') > 0)")
_PEOPLE = "SELECT person_id FROM hotline_case WHERE id IN ({cases}) AND person_id IS NOT NULL"
# table -> SQL giving the ids of that table's records that belong to the cases in
# ``{cases}``: the records a referral carries to the office it names.
REFERRED = {
    "hotline_case": "{cases}",
    "case_event": "SELECT id FROM case_event WHERE case_id IN ({cases})",
    "case_followup": "SELECT id FROM case_followup WHERE case_id IN ({cases})",
    "case_referral": "SELECT id FROM case_referral WHERE case_id IN ({cases})",
    "inspection_case": "SELECT id FROM inspection_case WHERE case_id IN ({cases})",
    "person": _PEOPLE,
    # the person's migration history (where and for whom they worked), consents (the
    # receiving office may refer onward only with one) and erasure markers (an erased
    # person is blanked there too)
    "migration_episode": f"SELECT id FROM migration_episode WHERE person_id IN ({_PEOPLE})",
    "consent": f"SELECT id FROM consent WHERE person_id IN ({_PEOPLE})",
    "person_erasure": f"SELECT id FROM person_erasure WHERE person_id IN ({_PEOPLE})",
    "employer": "SELECT employer_id FROM hotline_case WHERE id IN ({cases})"
                " AND employer_id IS NOT NULL",
}


def _carried(table: str, cases: str) -> str | None:
    shape = REFERRED.get(table)
    if shape is None:
        return None
    return f"c.record_id IN ({shape.format(cases=cases)})"


class ReferralScope:
    """The records of cases referred to an office (see ``Repository.SyncScope``)."""

    def condition(self, table: str, office_param: str) -> str | None:
        return _carried(table, REFERRED_CASES.format(office=office_param))

    def entering(self, table: str, office_param: str, acked: str) -> str | None:
        return _carried(table, NEWLY_REFERRED_CASES.format(office=office_param, acked=acked))
