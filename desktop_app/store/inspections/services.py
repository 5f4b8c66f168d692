"""Labour inspections: saving an inspection with its violations, sanctions and linked cases,
linking cases, merging employers entered twice; functions taking the session."""
from __future__ import annotations

from datetime import date

from desktop_app.domain import cases as dom
from desktop_app.i18n import Domain
from desktop_app.store.cases.repositories import (
    CaseRepository,
    EmployerRepository,
    reference_codes,
)
from desktop_app.store.cases.services import add_event
from desktop_app.store.inspections.queries import sanctions_of, violations_of
from desktop_app.store.inspections.repositories import (
    InspectionCaseRepository,
    InspectionRepository,
    SanctionRepository,
    ViolationRepository,
)
from desktop_app.store.repository import ValidationError
from desktop_app.store.sequences import next_number
from desktop_app.store.session import PermissionDenied, Session

DOMAIN = Domain("inspections")
_ = DOMAIN.gettext


def _check(session: Session, values: dict, violations, sanctions, case_ids):
    """Validate an inspection with its violations, sanctions and linked cases; raise
    ValidationError with per-field messages, else return the rows to write."""
    conn = session.conn
    errors: dict[str, str] = {}
    known_violations = reference_codes(conn, "violation")
    known_sanctions = reference_codes(conn, "sanction")
    violation_rows = []
    for code in violations:
        if code not in known_violations:
            errors["violations"] = _("Unknown violation: {code}.").format(code=code)
        elif code not in violation_rows:
            violation_rows.append(code)
    sanction_rows = []
    for n, item in enumerate(sanctions):
        code, amount, currency = (tuple(item) + (None, None))[:3]
        if code not in known_sanctions:
            errors[f"sanction_{n}"] = _("Unknown sanction: {code}.").format(code=code)
            continue
        if isinstance(amount, float):
            raise TypeError("money must be Decimal or text, never float")
        minor, cur = dom.validate_money(amount, currency, f"fine_{n}", f"currency_{n}", errors)
        if code == "fine" and minor is None and f"fine_{n}" not in errors \
                and f"currency_{n}" not in errors:
            errors[f"fine_{n}"] = _("Enter the amount of the fine.")
        sanction_rows.append((code, minor, cur))
    for case_id in case_ids:
        if CaseRepository(session).get(case_id) is None:
            errors["case_ids"] = _("A linked case was not found.")
    cleaned, problems = dom.validate_inspection(values, reference_codes(conn, "inspection_trigger"))
    errors.update(problems)
    if errors:
        raise ValidationError(errors)
    return cleaned, violation_rows, sanction_rows


def record_inspection(session: Session, values: dict, *, violations=(), sanctions=(),
                      case_ids=()) -> dict:
    """Save an inspection with its violations (codes), sanctions ((code, fine amount or
    None, currency or None)) and linked cases, all or nothing.

    Errors are reported per field: ``violations``, ``sanction_<n>`` and ``fine_<n>`` /
    ``currency_<n>`` for the n-th sanction.
    """
    cleaned, violation_rows, sanction_rows = _check(session, values, violations, sanctions,
                                                    case_ids)
    with session.transaction():
        day = cleaned["inspected_on"]
        values = dict(values)
        values["number"] = "INS-" + next_number(session, "inspection", int(day[:4]))
        record = InspectionRepository(session).create(values)
        ViolationRepository(session).create_many(
            [dict(inspection_id=record["id"], violation=v) for v in violation_rows])
        SanctionRepository(session).create_many(
            [dict(inspection_id=record["id"], sanction=s, fine_minor=m, fine_currency=c)
             for s, m, c in sanction_rows])
        for case_id in case_ids:
            link_case(session, record["id"], case_id)
    return record


EDITABLE = ("employer_id", "inspector_id", "inspector_name", "inspected_on", "trigger",
            "status", "findings")


def update_inspection(session: Session, inspection_id: str, values: dict, *, violations=(),
                      sanctions=(), case_ids=()) -> dict:
    """Edit a saved inspection: its fields, and the violations, sanctions and linked cases
    now wanted (rows no longer wanted are deleted, new ones added, unchanged ones kept).
    All or nothing, with the same per-field errors as ``record_inspection``."""
    repo = InspectionRepository(session)
    before = repo.require(inspection_id)
    merged = {**{k: before.get(k) for k in EDITABLE}, **values}
    _cleaned, violation_rows, sanction_rows = _check(session, merged, violations, sanctions,
                                                     case_ids)
    conn = session.conn
    with session.transaction():
        record = repo.update(inspection_id, {k: merged.get(k) for k in EDITABLE})
        violation_repo = ViolationRepository(session)
        have = {}
        for row in violations_of(conn, inspection_id):
            if row["violation"] in violation_rows and row["violation"] not in have:
                have[row["violation"]] = row
            else:
                violation_repo.delete(row["id"])
        for code in violation_rows:
            if code not in have:
                violation_repo.create(dict(inspection_id=inspection_id, violation=code))
        sanction_repo = SanctionRepository(session)
        wanted = list(sanction_rows)
        for row in sanctions_of(conn, inspection_id):
            key = (row["sanction"], row["fine_minor"], row["fine_currency"])
            if key in wanted:
                wanted.remove(key)
            else:
                sanction_repo.delete(row["id"])
        for code, minor, currency in wanted:
            sanction_repo.create(dict(inspection_id=inspection_id, sanction=code,
                                      fine_minor=minor, fine_currency=currency))
        link_repo = InspectionCaseRepository(session)
        for link in conn.execute(
                "SELECT id, case_id FROM inspection_case WHERE inspection_id=? AND deleted=0",
                (inspection_id,)).fetchall():
            if link[1] not in case_ids:
                link_repo.delete(link[0])
        for case_id in case_ids:
            link_case(session, inspection_id, case_id)
    return record


def link_case(session: Session, inspection_id: str, case_id: str) -> dict:
    with session.transaction():
        existing = session.conn.execute(
            "SELECT id FROM inspection_case WHERE inspection_id=? AND case_id=? AND deleted=0",
            (inspection_id, case_id)).fetchone()
        if existing:
            return InspectionCaseRepository(session).require(existing[0])
        inspection = InspectionRepository(session).require(inspection_id)
        cases = CaseRepository(session)
        case = cases.require(case_id)
        link = InspectionCaseRepository(session).create(
            dict(inspection_id=inspection_id, case_id=case_id))
        # An inspector may link a case without rights to edit it: the link is what counts
        # (reports read inspection_case); the case's flag and timeline follow when allowed.
        try:
            session.require("update", "hotline_case", case)
            session.require("create", "case_event", {"case_id": case_id,
                                                     "office_id": case["office_id"]})
        except PermissionDenied:
            return link
        if not case.get("inspection_opened"):
            cases.update(case_id, {"inspection_opened": 1})
        day = max(inspection["inspected_on"], case["opened_on"])
        if day > date.today().isoformat():
            day = date.today().isoformat()
        add_event(session, case_id, "inspection", inspection["number"], on=day)
    return link


def merge_employers(session: Session, keep_id: str, other_id: str) -> tuple[int, int]:
    """One enterprise entered twice (two spellings): the cases and inspections of
    ``other_id`` move to ``keep_id``, which takes the details it lacks (and a flag either
    record has), and ``other_id`` is deleted. All or nothing, through the repositories, so
    it is audited and syncs. Returns (cases moved, inspections moved)."""
    employers = EmployerRepository(session)
    keep, other = employers.get(keep_id), employers.get(other_id)
    if keep_id == other_id or keep is None or other is None:
        raise ValidationError({"employer": _("Choose two different employers to merge.")})
    conn = session.conn
    with session.transaction():
        taken = {field: other[field] for field in EmployerRepository.fields
                 if field != "name" and other.get(field) not in (None, "", 0)
                 and keep.get(field) in (None, "", 0)}
        if taken:
            employers.update(keep_id, taken)
        case_ids = [r[0] for r in conn.execute(
            "SELECT id FROM hotline_case WHERE employer_id=? AND deleted=0", (other_id,))]
        cases = CaseRepository(session)
        for case_id in case_ids:
            cases.update(case_id, {"employer_id": keep_id})
        inspection_ids_ = [r[0] for r in conn.execute(
            "SELECT id FROM inspection WHERE employer_id=? AND deleted=0", (other_id,))]
        inspections = InspectionRepository(session)
        for inspection_id in inspection_ids_:
            inspections.update(inspection_id, {"employer_id": keep_id})
        employers.delete(other_id)
        session.log("employer_merge", "employer", keep_id, detail={
            "merged": other_id, "name": other["name"], "cases": len(case_ids),
            "inspections": len(inspection_ids_)})
    return len(case_ids), len(inspection_ids_)
