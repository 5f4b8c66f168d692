"""Hotline cases: intake, status transitions, timeline, follow-ups, referrals, outcome,
employers, work lists and cross-script search.

Every write goes through a Repository subclass; the functions here are the service layer
the UI and the CLI call (each one a single transaction: all or nothing).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.domain import cases as dom
from desktop_app.domain import names
from desktop_app.i18n import Domain, format_money
from desktop_app.store import reference
from desktop_app.store.cases import search as cases_search
from desktop_app.store.cases.scope import ReferralScope
from desktop_app.store.db import row_dict
from desktop_app.store.repository import Repository, ValidationError
from desktop_app.store.security.consent import has_consent
from desktop_app.store.sequences import next_number
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session

DOMAIN = Domain("cases")
_ = DOMAIN.gettext

CASE_FIELDS = (
    "number", "person_id", "caller_name", "caller_phone", "channel", "category", "subcategory",
    "status", "assigned_to", "sensitive", "sensitive_flag", "risk_level", "summary", "country",
    "city", "employer_id", "opened_on", "resolved_on", "closed_on", "outcome",
    "wages_recovered_minor", "wages_currency", "returned_home", "inspection_opened",
    "fine_imposed", "outcome_notes",
)
# Fields left out of a case PDF (and of lists) unless the user includes sensitive details.
SENSITIVE_FIELDS = ("caller_name", "caller_phone", "summary", "person_id")


def _codes(conn, kind: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT code FROM reference_item WHERE kind=? AND deleted=0", (kind,))}


def _row(cur) -> dict | None:
    row = cur.fetchone()
    if row is None:
        return None
    return row_dict(cur.description, row)


def _rows(cur) -> list[dict]:
    cols = [d[0] for d in cur.description]
    return [row_dict(cols, r) for r in cur]


def person_birth_date(conn, person_id: str | None) -> str | None:
    if not person_id:
        return None
    row = conn.execute("SELECT birth_date FROM person WHERE id=?", (person_id,)).fetchone()
    return row[0] if row else None


Repository.register_after_insert("person", cases_search.mark_cases_of_new_people)


class ConsentRequired(PermissionDenied):
    """A referral of a person without referral consent: an authorised user may override it
    with a reason."""


# ---- repositories -------------------------------------------------------------------
class EmployerRepository(Repository):
    table = "employer"
    fields = ("name", "country", "city", "region", "sector", "size", "tax_number",
              "union_present", "collective_agreement", "high_risk", "attestation_date",
              "attestation_result", "notes")
    defaults = {"union_present": 0, "collective_agreement": 0, "high_risk": 0}

    validator = staticmethod(dom.validate_employer)

    def after_write(self, record, before):
        self.after_write_many([record])
        if before is not None and before.get("name") != record.get("name"):
            cases_search.refresh_employer(self.conn, [record["id"]])

    def after_write_many(self, records):
        self.conn.executemany("UPDATE employer SET name_key=? WHERE id=?", [
            (names.full_name_key(r.get("name")), r["id"]) for r in records])


class CaseRepository(Repository):
    table = "hotline_case"
    fields = CASE_FIELDS
    defaults = {"status": "new", "sensitive": 0, "sensitive_flag": 0, "risk_level": "medium",
                "returned_home": 0, "inspection_opened": 0, "fine_imposed": 0}
    def _vocab(self) -> tuple[set, set]:
        cache = self.session.cache
        if "case vocabulary" not in cache:
            cache["case vocabulary"] = (_codes(self.conn, "case_category"),
                                        _codes(self.conn, "case_channel"))
        return cache["case vocabulary"]

    def validate(self, values, existing):
        categories, channels = self._vocab()
        cleaned, errors = dom.validate_case(values, categories=categories, channels=channels)
        if existing is not None and cleaned.get("status") != existing.get("status"):
            try:
                dom.check_transition(existing["status"], cleaned["status"])
            except dom.TransitionRefused as exc:
                errors["status"] = str(exc)
        if not cleaned.get("number"):
            errors["number"] = _("The case has no number.")
        if errors:
            raise ValidationError(errors)
        birth = cleaned.pop("_birth_date", None) or person_birth_date(
            self.conn, cleaned.get("person_id"))
        cleaned["sensitive"] = dom.compute_sensitive(
            cleaned.get("sensitive_flag"), cleaned.get("category"), birth, cleaned.get("opened_on"))
        return cleaned

    def update(self, record_id, changes):
        # ``sensitive`` is derived (flag, category, the person's age): always rewrite it
        return super().update(record_id, {**changes, "sensitive": None})

    def after_write(self, record, before):
        self.after_write_many([record])

    def after_write_many(self, records):
        self.conn.executemany("UPDATE hotline_case SET caller_key=? WHERE id=?", [
            (names.full_name_key(r.get("caller_name")) or None, r["id"]) for r in records])
        cases_search.refresh(self.conn, [r["id"] for r in records])
        cases_search.flush_stale(self.conn)


class CaseEventRepository(Repository):
    table = "case_event"
    fields = ("case_id", "event_on", "kind", "from_status", "to_status", "text")
    append_only = True


class FollowUpRepository(Repository):
    table = "case_followup"
    fields = ("case_id", "due_on", "action", "assigned_to", "done_on", "result")

    def validate(self, values, existing):
        opened = self.conn.execute("SELECT opened_on FROM hotline_case WHERE id=?",
                                   (values.get("case_id"),)).fetchone()
        cleaned, errors = dom.validate_followup(values, opened[0] if opened else None)
        if errors:
            raise ValidationError(errors)
        return cleaned


# The referral target "another office of our network": ``target_office_id`` names the
# office, which then receives the case, its person and its history (cases.scope).
NETWORK_OFFICE = "network_office"


class ReferralRepository(Repository):
    table = "case_referral"
    fields = ("case_id", "target", "target_detail", "referred_on", "status", "answer",
              "answered_on", "consent_override", "override_reason", "target_office_id")
    defaults = {"status": "sent", "consent_override": 0}

    def validate(self, values, existing):
        case = self.conn.execute("SELECT opened_on, office_id FROM hotline_case WHERE id=?",
                                 (values.get("case_id"),)).fetchone()
        cleaned, errors = dom.validate_referral(values, case[0] if case else None,
                                                _codes(self.conn, "referral_target"))
        if cleaned.get("target") == NETWORK_OFFICE:
            office = cleaned.get("target_office_id") or None
            if not office or not self.conn.execute(
                    "SELECT 1 FROM office WHERE id=? AND deleted=0", (office,)).fetchone():
                errors["target_office_id"] = _("Choose the office the case is referred to.")
            elif case and office == case[1]:
                errors["target_office_id"] = _("The case is already at this office; choose "
                                               "another office.")
            cleaned["target_office_id"] = office
        else:
            cleaned["target_office_id"] = None
        if errors:
            raise ValidationError(errors)
        return cleaned


Repository.register_sync_scope(ReferralScope())


# ---- the service ----------------------------------------------------------------------
def _today(on) -> str:
    if on is None:
        return date.today().isoformat()
    return on.isoformat() if isinstance(on, date) else str(on)


def add_event(session: Session, case_id: str, kind: str, text: str | None = None, *,
              on=None, from_status: str | None = None, to_status: str | None = None) -> dict:
    if kind not in dom.EVENT_KINDS:
        raise ValueError(kind)
    errors: dict[str, str] = {}
    event_on = dom.clean_date(on or date.today(), "event_on", errors, required=True)
    case = CaseRepository(session).require(case_id)
    if event_on and event_on < case["opened_on"]:
        errors["event_on"] = _("This date is before the case was opened ({date}).").format(
            date=case["opened_on"])
    if kind == "note" and not (text or "").strip():
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
        add_event(session, record["id"], "call" if record["channel"] == "hotline" else "note",
                  record.get("summary") or _("Case opened."), on=record["opened_on"],
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
        day = _today(on)
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
                                   .format(date=case["opened_on"])})
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
        day = _today(on)
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
                                           "answered_on": _today(on)})
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
    if outcome not in _codes(session.conn, "case_outcome"):
        errors["outcome"] = _("Choose the outcome.")
    if errors:
        raise ValidationError(errors)
    repo = CaseRepository(session)
    with session.transaction():
        case = repo.require(case_id)
        changes = dict(outcome=outcome, wages_recovered_minor=minor, wages_currency=currency,
                       returned_home=returned_home, inspection_opened=inspection_opened,
                       fine_imposed=fine_imposed, outcome_notes=notes)
        record = repo.update(case_id, changes)
        text = outcome
        if minor is not None:
            text += f" {dom.from_minor(minor, currency)} {currency}"
        add_event(session, case_id, "outcome", text, on=on)
        if resolve and case["status"] in dom.OPEN_STATUSES:
            record = change_status(session, case_id, "resolved", on=on)
    return record


def wages_recovered(case: dict) -> dom.Money | None:
    amount = dom.from_minor(case.get("wages_recovered_minor"), case.get("wages_currency"))
    return None if amount is None else dom.Money(amount, case["wages_currency"])


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


# ---- reading --------------------------------------------------------------------------
_EVENT_CODE_KINDS = {"referral": ("referral_target", "referral_status"),
                     "outcome": ("case_outcome",)}


def event_text(conn, event: dict, language: str) -> str:
    """What a timeline entry says, in ``language``: status changes as labels, codes that
    system entries start with (referral target or answer, outcome) as labels."""
    text = event.get("text") or ""
    if event["kind"] in ("status", "reopened") and event.get("to_status"):
        moved = " → ".join(reference.label(conn, "case_status", s, language)
                           for s in (event.get("from_status"), event.get("to_status")) if s)
        return moved + (f": {text}" if text else "")
    kinds = _EVENT_CODE_KINDS.get(event["kind"])
    if kinds and text:
        code, _sep, rest = text.partition(" ")
        for kind in kinds:
            row = conn.execute("SELECT 1 FROM reference_item WHERE kind=? AND code=?",
                               (kind, code)).fetchone()
            if row:
                return " ".join(filter(None, [reference.label(conn, kind, code, language), rest]))
    return text


def person_name(conn, person_id: str | None) -> str:
    if not person_id:
        return ""
    row = conn.execute("SELECT family_name, given_name, patronymic FROM person WHERE id=?",
                       (person_id,)).fetchone()
    return " ".join(p for p in row if p) if row else ""


def office_name(conn, office_id: str | None) -> str:
    """``GRM · Gharm JRC`` for an office id ("" for none)."""
    if not office_id:
        return ""
    row = conn.execute("SELECT code, name FROM office WHERE id=?", (office_id,)).fetchone()
    return " · ".join(p for p in row if p) if row else ""


def network_offices(conn, exclude: str | None = None) -> list[tuple[str, str]]:
    """(id, "CODE · name") of the offices of the network a case can be referred to."""
    return [(r[0], " · ".join(p for p in (r[1], r[2]) if p)) for r in conn.execute(
        "SELECT id, code, name FROM office WHERE deleted=0 AND id IS NOT ? ORDER BY code",
        (exclude,))]


def user_name(conn, user_id: str | None) -> str:
    if not user_id:
        return ""
    row = conn.execute("SELECT display_name, username FROM app_user WHERE id=?",
                       (user_id,)).fetchone()
    return (row[0] or row[1]) if row else ""


def users(conn) -> list[tuple[str, str]]:
    return [(r[0], r[1] or r[2]) for r in conn.execute(
        "SELECT id, display_name, username FROM app_user WHERE deleted=0 AND active=1 "
        "ORDER BY display_name, username")]


def timeline(conn, case_id: str) -> list[dict]:
    return _rows(conn.execute(
        "SELECT * FROM case_event WHERE case_id=? AND deleted=0 ORDER BY event_on, created_at, id",
        (case_id,)))


def followups(conn, case_id: str) -> list[dict]:
    return _rows(conn.execute(
        "SELECT * FROM case_followup WHERE case_id=? AND deleted=0 ORDER BY due_on, created_at",
        (case_id,)))


def referrals(conn, case_id: str) -> list[dict]:
    return _rows(conn.execute(
        "SELECT * FROM case_referral WHERE case_id=? AND deleted=0"
        " ORDER BY referred_on, created_at",
        (case_id,)))


def person_case_rowids(conn, person_ids: list[str]) -> list[int]:
    """Rowids of the cases of these person records, newest first."""
    if not person_ids:
        return []
    marks = ",".join("?" * len(person_ids))
    return [r[0] for r in conn.execute(
        f"SELECT rowid FROM hotline_case WHERE person_id IN ({marks}) AND deleted=0 "
        f"ORDER BY opened_on DESC, number DESC", list(person_ids))]


@dataclass
class CaseFilter:
    """What a case work list shows. ``view``: all | mine | unassigned | open."""
    view: str = "all"
    user_id: str | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None
    search: str = ""
    employer_id: str | None = None
    # may this user open a sensitive case (see ``opener``)? A search shows a sensitive
    # case the user may not open only when it found it by its number: matched by a name or
    # a word of the description, even a row of ••• would tell that such a case exists
    may_open: Callable[[dict], bool] | None = None


@dataclass
class CaseIds:
    """A work list: case rowids in display order, and whether search capped them."""
    rowids: list[int] = field(default_factory=list)
    capped: bool = False


OPEN_SQL = "c.status IN ('new', 'in_progress', 'referred')"
# view -> (index that serves it in display order, its extra condition)
_VIEW_INDEX = {
    "all": ("hotline_case_order", ""),
    "open": ("hotline_case_open_order", OPEN_SQL),
    "mine": ("hotline_case_mine", OPEN_SQL),
    "unassigned": ("hotline_case_order", "c.assigned_to IS NULL AND c.status = 'new'"),
}
ORDER_SQL = "c.opened_on DESC, c.number DESC"


def case_query(conn, flt: CaseFilter, rowids: list[int] | None = None) -> tuple[str, str, list]:
    """(source with index hint, WHERE, args) of a work list (the search term aside). With
    ``rowids`` the list is limited to them and the planner reads those rows by rowid."""
    index, extra = _VIEW_INDEX.get(flt.view, _VIEW_INDEX["all"])
    where = ["c.deleted = 0"]
    args: list[object] = []
    if extra:
        where.append(extra)
    if flt.view == "mine":
        where.append("c.assigned_to = ?")
        args.append(flt.user_id)
    if flt.statuses:
        where.append(f"c.status IN ({','.join('?' * len(flt.statuses))})")
        args.extend(flt.statuses)
        if flt.view == "all" and len(flt.statuses) == 1:
            index = "hotline_case_status_order"
    if flt.category:
        where.append("c.category = ?")
        args.append(flt.category)
        if flt.view == "all" and not flt.statuses:
            index = "hotline_case_category_order"
    if flt.employer_id:
        where.append("c.employer_id = ?")
        args.append(flt.employer_id)
        index = "hotline_case_employer_order"
    if rowids is not None:
        where.append(f"c.rowid IN ({','.join('?' * len(rowids))})")
        args.extend(rowids)
        source = "hotline_case c"
    else:
        source = f"hotline_case c INDEXED BY {index}"
    return source, " AND ".join(where), args


def list_cases(conn, flt: CaseFilter | None = None, limit: int | None = None) -> CaseIds:
    """Rowids of the cases a work list shows (for the lazy list model).

    Without a search: newest opened first, read from an index whose order is the display
    order (no sort, no table rows); ``limit`` gives the first rows of a long list at once.
    With a search: the newest registered matches (at most ``cases_search.SEARCH_LIMIT``),
    filters included, answered by the case search index alone.
    """
    flt = flt or CaseFilter()
    if flt.search.strip():
        source, where, args = case_query(conn, flt)
        rowids, capped = cases_search.search_rowids(
            conn, flt.search, limit or cases_search.SEARCH_LIMIT,
            filters=_search_filters(flt), check_sql=(where, args))
        if flt.may_open is not None:
            rowids = _withhold_sensitive(conn, rowids, flt.search, flt.may_open)
        return CaseIds(rowids, capped and not limit)
    source, where, args = case_query(conn, flt)
    sql = f"SELECT c.rowid FROM {source} WHERE {where} ORDER BY {ORDER_SQL}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return CaseIds([r[0] for r in conn.execute(sql, args)], False)


def _withhold_sensitive(conn, rowids: list[int], term: str, may_open) -> list[int]:
    withheld = set()
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        for rowid, *case in conn.execute(
                f"SELECT rowid, id, number, category, assigned_to, office_id FROM hotline_case"
                f" WHERE sensitive = 1 AND rowid IN ({','.join('?' * len(chunk))})", chunk):
            cid, number, category, assigned, office = case
            if not cases_search.matches_number(term, number) and not may_open(
                    {"id": cid, "sensitive": 1, "category": category, "assigned_to": assigned,
                     "office_id": office}):
                withheld.add(rowid)
    return [r for r in rowids if r not in withheld] if withheld else rowids


def opener(session: Session) -> Callable[[dict], bool]:
    """Whether the session's user may open a sensitive case (its id, sensitive, category,
    assigned_to, office_id) without giving a reason first: the check behind the •••
    names of work lists and the search above. Reads no database, so a worker thread may
    call it."""
    def may_open(case: dict) -> bool:
        if case["id"] in session.granted_reasons:
            return True
        try:
            session.require("view_detail", "hotline_case", case)
        except PermissionDenied:
            return False
        return True
    return may_open


def _search_filters(flt: CaseFilter) -> str | None:
    statuses = list(flt.statuses)
    if flt.view in ("open", "mine"):
        statuses = [s for s in statuses if s in dom.OPEN_STATUSES] if statuses \
            else list(dom.OPEN_STATUSES)
        if not statuses:
            statuses = ["-"]          # an open view filtered by a closed status: nothing
    if flt.view == "unassigned":
        statuses = [s for s in statuses if s == "new"] if statuses else ["new"]
        statuses = statuses or ["-"]
    return cases_search.filter_query(
        statuses=statuses, category=flt.category,
        assigned_to=flt.user_id if flt.view == "mine" else None,
        unassigned=flt.view == "unassigned", employer_id=flt.employer_id)


def case_ids(conn, flt: CaseFilter | None = None, limit: int | None = None) -> list[str]:
    """Ids (not rowids) of a work list, for short lists (an employer's cases, tests)."""
    rowids = list_cases(conn, flt, limit).rowids
    found: dict[int, str] = {}
    for start in range(0, len(rowids), 500):
        chunk = rowids[start:start + 500]
        found.update(conn.execute(
            f"SELECT rowid, id FROM hotline_case WHERE rowid IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    return [found[r] for r in rowids if r in found]


def case_rowid(conn, case_id: str) -> int | None:
    row = conn.execute("SELECT rowid FROM hotline_case WHERE id=?", (case_id,)).fetchone()
    return row[0] if row else None


LIST_COLUMNS = ("number", "opened_on", "who", "category", "status", "assigned", "risk_level",
                "sensitive")


def _display_rows(session: Session, where: str, args: list) -> list[tuple[int, dict]]:
    cur = session.conn.execute(
        f"SELECT c.rowid, c.id, c.number, c.opened_on, c.person_id, c.caller_name, c.category,"
        f" c.status, c.assigned_to, c.risk_level, c.sensitive, c.office_id,"
        f" p.family_name, p.given_name, u.display_name, u.username"
        f" FROM hotline_case c LEFT JOIN person p ON p.id=c.person_id"
        f" LEFT JOIN app_user u ON u.id=c.assigned_to WHERE {where}", args)
    out = []
    may_open = opener(session)
    for r in cur:
        (rowid, cid, number, opened, person_id, caller, category, status, assigned, risk,
         sensitive, office, family, given, uname, ulogin) = r
        who = " ".join(p for p in (family, given) if p) if person_id else (caller or "")
        if sensitive and not may_open({"id": cid, "sensitive": sensitive, "category": category,
                                       "assigned_to": assigned, "office_id": office}):
            who = "•••"
        out.append((rowid, dict(id=cid, number=number, opened_on=opened, who=who,
                                category=category, status=status,
                                assigned=uname or ulogin or "", assigned_to=assigned,
                                risk_level=risk, sensitive=sensitive)))
    return out


def fetch_case_rows(session: Session, rowids: list[int]) -> dict[int, dict]:
    """Display rows of a page of a work list, keyed by rowid; names of sensitive cases the
    user may not open are shown as •••."""
    found: dict[int, dict] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start:start + 500])
        found.update(_display_rows(session, f"c.rowid IN ({','.join('?' * len(chunk))})",
                                   chunk))
    return found


def case_rows(session: Session, ids: list[str], language: str = "en") -> list[dict]:
    """Display rows for ``ids`` (case ids) in that order."""
    if not ids:
        return []
    rows = {row["id"]: row for _rowid, row in _display_rows(
        session, f"c.id IN ({','.join('?' * len(ids))})", list(ids))}
    return [rows[i] for i in ids if i in rows]


@dataclass
class DueList:
    """Open follow-ups due today or earlier: rowids (overdue first), counts."""
    rowids: list[int] = field(default_factory=list)
    overdue: int = 0


def list_followups_due(conn, today: str | date | None = None, *,
                       user_id: str | None = None) -> DueList:
    """Rowids of open follow-ups due on or before ``today``, oldest due first, read from
    the open follow-up index (cases deleted meanwhile left out)."""
    day = _today(today)
    sql = ("SELECT f.rowid, f.due_on < ? FROM case_followup f INDEXED BY case_followup_open"
           " WHERE f.done_on IS NULL AND f.deleted = 0 AND f.due_on <= ?"
           " AND f.case_id NOT IN (SELECT id FROM hotline_case WHERE deleted = 1)")
    args: list = [day, day]
    if user_id:
        sql += (" AND COALESCE(f.assigned_to, (SELECT c.assigned_to FROM hotline_case c"
                " WHERE c.id = f.case_id)) = ?")
        args.append(user_id)
    sql += " ORDER BY f.due_on, f.rowid"
    rows = conn.execute(sql, args).fetchall()
    return DueList([r[0] for r in rows], sum(1 for r in rows if r[1]))


def fetch_followup_rows(conn, rowids: list[int], today: str | date | None = None
                        ) -> dict[int, dict]:
    """Display rows of due follow-ups with their case, keyed by follow-up rowid."""
    day = _today(today)
    found: dict[int, dict] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start:start + 500])
        cur = conn.execute(
            "SELECT f.rowid, f.id, f.case_id, f.due_on, f.action, f.assigned_to, c.number,"
            " c.status, c.sensitive, c.category, c.office_id, c.assigned_to AS case_assigned_to,"
            " (f.due_on < ?) AS overdue FROM case_followup f"
            " JOIN hotline_case c ON c.id=f.case_id"
            f" WHERE f.rowid IN ({','.join('?' * len(chunk))})", [day, *chunk])
        cols = [d[0] for d in cur.description]
        for r in cur:
            found[r[0]] = row_dict(cols[1:], r[1:])
    return found


def followups_due(conn, today: str | date | None = None, *, user_id: str | None = None,
                  limit: int | None = None) -> list[dict]:
    """Open follow-ups due today or earlier (overdue first), with their case."""
    due = list_followups_due(conn, today, user_id=user_id)
    rowids = due.rowids[:limit] if limit else due.rowids
    rows = fetch_followup_rows(conn, rowids, today)
    return [rows[r] for r in rowids if r in rows]


def count_by(conn, column: str) -> list[tuple[str, int]]:
    if column not in ("category", "status", "channel"):
        raise ValueError(column)
    return [(r[0], r[1]) for r in conn.execute(
        f"SELECT {column}, COUNT(*) FROM hotline_case WHERE deleted=0 GROUP BY {column} "
        f"ORDER BY COUNT(*) DESC")]


# ---- employers ------------------------------------------------------------------------
def find_employers(conn, term: str = "", limit: int = 200) -> list[dict]:
    """Employers with their counts of cases, inspections and violations (repeat offenders:
    two or more inspections with violations, or five or more cases)."""
    where, args = "e.deleted=0", []
    keys = names.query_keys(term or "")
    for k in keys:
        where += " AND (' ' || e.name_key) LIKE ?"
        args.append(f"% {k}%")
    sql = f"""
        SELECT e.id, e.name, e.city, e.country, e.sector, e.high_risk,
          (SELECT COUNT(*) FROM hotline_case c WHERE c.employer_id=e.id AND c.deleted=0) AS cases,
          (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0)
            AS inspections,
          (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0
             AND EXISTS (SELECT 1 FROM inspection_violation v WHERE v.inspection_id=i.id
                         AND v.deleted=0)) AS inspections_with_violations,
          (SELECT COUNT(*) FROM inspection_violation v JOIN inspection i ON i.id=v.inspection_id
             WHERE i.employer_id=e.id AND v.deleted=0 AND i.deleted=0) AS violations
        FROM employer e WHERE {where}
        ORDER BY violations DESC, cases DESC, e.name LIMIT {int(limit)}"""
    rows = _rows(conn.execute(sql, args))
    for r in rows:
        r["repeat_offender"] = is_repeat_offender(r)
    return rows


def is_repeat_offender(summary: dict) -> bool:
    return summary["inspections_with_violations"] >= 2 or summary["cases"] >= 5


def employer_summary(conn, employer_id: str) -> dict | None:
    rows = find_employers_by_id(conn, employer_id)
    return rows[0] if rows else None


def find_employers_by_id(conn, employer_id: str) -> list[dict]:
    sql = """
        SELECT e.*,
          (SELECT COUNT(*) FROM hotline_case c WHERE c.employer_id=e.id AND c.deleted=0) AS cases,
          (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0)
            AS inspections,
          (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0
             AND EXISTS (SELECT 1 FROM inspection_violation v WHERE v.inspection_id=i.id
                         AND v.deleted=0)) AS inspections_with_violations,
          (SELECT COUNT(*) FROM inspection_violation v JOIN inspection i ON i.id=v.inspection_id
             WHERE i.employer_id=e.id AND v.deleted=0 AND i.deleted=0) AS violations
        FROM employer e WHERE e.id=?"""
    rows = _rows(conn.execute(sql, (employer_id,)))
    for r in rows:
        r["repeat_offender"] = is_repeat_offender(r)
    return rows


def find_or_create_employer(session: Session, name: str, **values) -> dict:
    key = names.full_name_key(name)
    row = session.conn.execute("SELECT id FROM employer WHERE name_key=? AND deleted=0",
                               (key,)).fetchone()
    repo = EmployerRepository(session)
    if row:
        return repo.require(row[0])
    return repo.create({"name": name, **values})


def money_text(minor: int | None, currency: str | None, language: str | None = None) -> str:
    amount = dom.from_minor(minor, currency)
    if amount is None or currency is None:  # no amount without a currency
        return ""
    return format_money(amount, currency, language)


def decimal_wages(case: dict) -> Decimal | None:
    return dom.from_minor(case.get("wages_recovered_minor"), case.get("wages_currency"))
