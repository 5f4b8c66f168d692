"""Hotline cases: intake, status transitions, follow-ups, referrals, outcome and
employers, as functions taking the session: the service layer the UI and the CLI call
(each one a single transaction: all or nothing).
"""
from __future__ import annotations

from datetime import date

from desktop_app.domain import cases as dom
from desktop_app.domain import names
from desktop_app.i18n import Domain, format_date
from desktop_app.store.cases.queries import (
    office_name,
    person_name,
)
from desktop_app.store.cases.repositories import (
    CaseEventRepository,
    CaseRepository,
    ConsentRequired,
    EmployerRepository,
    FollowUpRepository,
    ReferralRepository,
    day_text,
    reference_codes,
)
from desktop_app.store.repository import ValidationError
from desktop_app.store.security import sensitive
from desktop_app.store.security.consent import has_consent
from desktop_app.store.sequences import next_number
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session

DOMAIN = Domain("cases")
_ = DOMAIN.gettext


def add_event(session: Session, case_id: str, kind: str, text: str | None = None, *,
              on=None, from_status: str | None = None, to_status: str | None = None) -> dict:
    if kind not in dom.EVENT_KINDS:
        raise ValueError(kind)
    errors: dict[str, str] = {}
    event_on = dom.clean_date(on or date.today(), "event_on", errors, required=True)
    case = CaseRepository(session).require(case_id)
    if event_on and event_on < case["opened_on"]:
        errors["event_on"] = _("This date is before the case was opened ({date}).").format(
            date=format_date(case["opened_on"]))
    # a note someone writes needs its text; the entry opening the case (with its status)
    # may have none and says "Case opened." in the reader's language (queries.event_text)
    if kind == "note" and not (text or "").strip() and not to_status:
        errors["text"] = _("Write what happened.")
    if errors:
        raise ValidationError(errors)
    return CaseEventRepository(session).create(dict(
        case_id=case_id, event_on=event_on, kind=kind, from_status=from_status,
        to_status=to_status, text=(text or "").strip() or None,
        office_id=case["office_id"]))


def open_case(session: Session, values: dict, *, year: int | None = None) -> dict:
    """Register a new case (a call in progress, a walk-in ...) with its number."""
    values = dict(values)
    opened = values.get("opened_on") or date.today().isoformat()
    values["opened_on"] = opened
    values.setdefault("status", "new")
    if values.get("wages_recovered") not in (None, ""):
        raise ValueError("record wages with record_outcome")
    repo = CaseRepository(session)
    with session.transaction():
        try:
            y = year or date.fromisoformat(dom.clean_date(opened, "opened_on", {}) or
                                           date.today().isoformat()).year
        except (TypeError, ValueError):
            y = date.today().year
        values["number"] = next_number(session, "case", y)
        record = repo.create(values)
        # the summary opens the timeline (sealed there too when the case is sensitive)
        summary = record.get("summary")
        if sensitive.is_sealed(summary):
            summary = " ".join(str(values.get("summary") or "").split())
        add_event(session, record["id"], "call" if record["channel"] == "hotline" else "note",
                  summary, on=record["opened_on"],
                  to_status=record["status"])
    return record


def change_status(session: Session, case_id: str, target: str, *, reason: str | None = None,
                  on=None) -> dict:
    """Move a case to ``target``; refused transitions raise TransitionRefused.

    Reopening (resolved/closed -> in progress) needs a reason and is written in the timeline.
    """
    repo = CaseRepository(session)
    with session.transaction():
        case = repo.require(case_id)
        current = case["status"]
        dom.check_transition(current, target)
        reopening = dom.is_reopening(current, target)
        reason = " ".join((reason or "").split()) or None
        if reopening and not reason:
            raise ValidationError({"reason": _("Say why the case is reopened.")})
        day = day_text(on)
        changes: dict = {"status": target}
        if target == "resolved":
            changes["resolved_on"] = day
        elif target == "closed":
            changes["closed_on"] = day
            if not case.get("resolved_on") and current != "new":
                pass
        if reopening:
            changes["resolved_on"] = None
            changes["closed_on"] = None
        if target in ("resolved", "closed") and day < case["opened_on"]:
            raise ValidationError({"on": _("This date is before the case was opened ({date}).")
                                   .format(date=format_date(case["opened_on"]))})
        record = repo.update(case_id, changes)
        add_event(session, case_id, "reopened" if reopening else "status", reason, on=day,
                  from_status=current, to_status=target)
    return record


def link_person(session: Session, case_id: str, person_id: str) -> dict:
    """Link an anonymous caller's case to a registered person (sensitivity recomputed)."""
    repo = CaseRepository(session)
    with session.transaction():
        before = repo.require(case_id)
        if not session.conn.execute("SELECT 1 FROM person WHERE id=? AND deleted=0",
                                    (person_id,)).fetchone():
            raise ValidationError({"person_id": _("Choose a registered person.")})
        record = repo.update(case_id, {"person_id": person_id})
        name = person_name(session.conn, person_id)
        if before.get("person_id") != person_id:
            add_event(session, case_id, "person_linked", name)
    return record


def add_followup(session: Session, case_id: str, due_on, action: str,
                 assigned_to: str | None = None) -> dict:
    case = CaseRepository(session).require(case_id)
    with session.transaction():
        record = FollowUpRepository(session).create(dict(
            case_id=case_id, due_on=due_on, action=action,
            assigned_to=assigned_to or case.get("assigned_to"), office_id=case["office_id"]))
    return record


def complete_followup(session: Session, followup_id: str, *, result: str | None = None,
                      on=None) -> dict:
    repo = FollowUpRepository(session)
    with session.transaction():
        before = repo.require(followup_id)
        day = day_text(on)
        record = repo.update(followup_id, {"done_on": day, "result": result})
        add_event(session, before["case_id"], "follow_up",
                  before["action"] + (f": {result}" if result else ""), on=day)
    return record


def can_override_consent(session: Session, case: dict) -> bool:
    try:
        session.require("override_consent", "hotline_case", case)
    except PermissionDenied:
        return False
    return True


def refer(session: Session, case_id: str, values: dict, *,
          override_reason: str | None = None) -> dict:
    """Refer the case (legal adviser, inspectorate, embassy ...).

    Without the person's referral consent (or for an anonymous caller) this raises
    ConsentRequired unless ``override_reason`` is given by a user allowed to
    ``override_consent``; the override is stored on the referral and audited.
    """
    cases = CaseRepository(session)
    case = cases.require(case_id)
    person_id = case.get("person_id")
    consented = bool(person_id and has_consent(session.conn, person_id, "referral"))
    override_reason = " ".join((override_reason or "").split()) or None
    if not consented:
        if override_reason is None:
            raise ConsentRequired(_(
                "The person has not agreed to be referred. Record their consent first, or "
                "an authorised user can refer anyway with a reason."))
        session.require("override_consent", "hotline_case", case)
    with session.transaction():
        record = ReferralRepository(session).create({
            **values, "case_id": case_id, "office_id": case["office_id"],
            "consent_override": 0 if consented else 1,
            "override_reason": None if consented else override_reason})
        if not consented:
            session.log("override_consent", "case_referral", record["id"],
                        detail={"reason": override_reason, "case_id": case_id})
        add_event(session, case_id, "referral",
                  " ".join(filter(None, [record["target"],
                                         office_name(session.conn, record.get("target_office_id")),
                                         record.get("target_detail")])),
                  on=record["referred_on"])
        if case["status"] in ("new", "in_progress"):
            change_status(session, case_id, "referred", on=record["referred_on"])
    return record


def answer_referral(session: Session, referral_id: str, status: str, *,
                    answer: str | None = None, on=None) -> dict:
    repo = ReferralRepository(session)
    with session.transaction():
        before = repo.require(referral_id)
        record = repo.update(referral_id, {"status": status, "answer": answer,
                                           "answered_on": day_text(on)})
        add_event(session, before["case_id"], "referral",
                  " ".join(filter(None, [status, answer])), on=record["answered_on"])
    return record


def record_outcome(session: Session, case_id: str, *, outcome: str,
                   wages_recovered=None, wages_currency: str | None = None,
                   returned_home: bool = False, inspection_opened: bool = False,
                   fine_imposed: bool = False, notes: str | None = None,
                   resolve: bool = True, on=None) -> dict:
    """Record the outcome (wages recovered as Decimal text or Decimal, with currency) and,
    unless ``resolve`` is false, resolve the case. Errors name their field; nothing is saved."""
    errors: dict[str, str] = {}
    if isinstance(wages_recovered, float):
        raise TypeError("money must be Decimal or text, never float")
    minor, currency = dom.validate_money(wages_recovered, wages_currency, "wages_recovered",
                                         "wages_currency", errors)
    if outcome not in reference_codes(session.conn, "case_outcome"):
        errors["outcome"] = _("Choose the outcome.")
    if errors:
        raise ValidationError(errors)
    repo = CaseRepository(session)
    with session.transaction():
        case = repo.require(case_id)
        changes = dict(outcome=outcome, wages_recovered_minor=minor, wages_currency=currency,
                       returned_home=returned_home, inspection_opened=inspection_opened,
                       fine_imposed=fine_imposed, outcome_notes=notes)
        set_aside = None
        if notes_sealed_for(session, case):
            # notes sealed for this user: they cannot replace (or see) them, so what they
            # wrote is kept as a timeline note, sealed with the case's other texts
            del changes["outcome_notes"]
            set_aside = (notes or "").strip() or None
        record = repo.update(case_id, changes)
        if set_aside:
            add_event(session, case_id, "note", set_aside, on=on)
        # the code and the amount as data ("resolved 45000.00 RUB"): shown in the reader's
        # language by queries.event_text
        text = outcome
        if minor is not None and currency:
            text += " " + dom.money_data(minor, currency)
        add_event(session, case_id, "outcome", text, on=on)
        if resolve and case["status"] in dom.OPEN_STATUSES:
            record = change_status(session, case_id, "resolved", on=on)
    return record


def notes_sealed_for(session: Session, case: dict) -> bool:
    """True when the case's outcome notes are sealed and ``session``'s user cannot open
    them (a role without the sensitive-case key)."""
    notes = case.get("outcome_notes")
    if not sensitive.is_sealed(notes):
        return False
    try:
        return sensitive.reveal(session, "hotline_case", case["id"], "outcome_notes",
                                notes) is None
    except sensitive.SealBroken:
        return True


def open_detail(session: Session, case_id: str, ask_reason=None) -> dict:
    """The case for its detail view, after the access check.

    On ReasonRequired, ``ask_reason()`` is called; a non-empty answer is logged and the
    case is shown; None re-raises.
    """
    case = CaseRepository(session).require(case_id)
    if case_id in session.granted_reasons:
        return case
    try:
        session.require("view_detail", "hotline_case", case)
    except ReasonRequired:
        reason = ask_reason() if ask_reason else None
        reason = " ".join((reason or "").split())
        if not reason:
            raise
        session.log("view_sensitive", "hotline_case", case_id, detail={"reason": reason})
        session.granted_reasons.add(case_id)
    return case


def find_or_create_employer(session: Session, name: str, **values) -> dict:
    key = names.full_name_key(name)
    row = session.conn.execute("SELECT id FROM employer WHERE name_key=? AND deleted=0",
                               (key,)).fetchone()
    repo = EmployerRepository(session)
    if row:
        return repo.require(row[0])
    return repo.create({"name": name, **values})

