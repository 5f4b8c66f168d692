"""Hotline cases: reading. Display texts, timeline, follow-ups, referrals, work lists and
cross-script search, due follow-ups, figures and employers.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from desktop_app.domain import cases as dom
from desktop_app.domain import names
from desktop_app.i18n import LANGUAGES, N_, Domain, format_money
from desktop_app.store import reference
from desktop_app.store.cases import search as cases_search
from desktop_app.store.cases.repositories import day_text
from desktop_app.store.db import dict_rows, row_dict
from desktop_app.store.security import sensitive
from desktop_app.store.session import PermissionDenied, Session

DOMAIN = Domain("cases")


def wages_recovered(case: dict) -> dom.Money | None:
    amount = dom.from_minor(case.get("wages_recovered_minor"), case.get("wages_currency"))
    return None if amount is None else dom.Money(amount, case["wages_currency"])


_EVENT_CODE_KINDS = {"referral": ("referral_target", "referral_status"),
                     "outcome": ("case_outcome",)}
CASE_OPENED = N_("Case opened.")


def _opened_texts() -> frozenset[str]:
    """"Case opened." as entries written before it was left to the reader's language
    hold it: in the language of whoever opened the case."""
    return frozenset(DOMAIN.in_language(language).gettext(CASE_OPENED)
                     for language in LANGUAGES)


def event_text(conn, event: dict, language: str) -> str:
    """What a timeline entry says, in ``language``: status changes as labels, codes that
    system entries start with (referral target or answer, outcome) as labels, an amount
    (``money_data``) as money, the entry opening a case without a summary as "Case opened."."""
    text = event.get("text") or ""
    if event["kind"] in ("status", "reopened") and event.get("to_status"):
        moved = " → ".join(reference.label(conn, "case_status", s, language)
                           for s in (event.get("from_status"), event.get("to_status")) if s)
        return moved + (f": {text}" if text else "")
    if event["kind"] in ("call", "note") and event.get("to_status") and \
            not event.get("from_status") and (not text or text in _opened_texts()):
        return DOMAIN.in_language(language).gettext(CASE_OPENED)
    kinds = _EVENT_CODE_KINDS.get(event["kind"])
    if kinds and text:
        code, _sep, rest = text.partition(" ")
        for kind in kinds:
            row = conn.execute("SELECT 1 FROM reference_item WHERE kind=? AND code=?",
                               (kind, code)).fetchone()
            if row:
                money = dom.stored_money(rest) if event["kind"] == "outcome" else None
                if money is not None:
                    rest = format_money(money.amount, money.currency, language)
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


def timeline(conn, case_id: str, reader: Session | None = None) -> list[dict]:
    """The case's timeline; with ``reader``, as that user may read it (sealed texts opened
    or shown as sealed, ``sensitive.reveal_rows``), else as stored."""
    return _readable(reader, "case_event", dict_rows(conn.execute(
        "SELECT * FROM case_event WHERE case_id=? AND deleted=0 ORDER BY event_on, created_at, id",
        (case_id,))))


def followups(conn, case_id: str, reader: Session | None = None) -> list[dict]:
    return _readable(reader, "case_followup", dict_rows(conn.execute(
        "SELECT * FROM case_followup WHERE case_id=? AND deleted=0 ORDER BY due_on, created_at",
        (case_id,))))


def referrals(conn, case_id: str, reader: Session | None = None) -> list[dict]:
    return _readable(reader, "case_referral", dict_rows(conn.execute(
        "SELECT * FROM case_referral WHERE case_id=? AND deleted=0"
        " ORDER BY referred_on, created_at",
        (case_id,))))


def _readable(reader: Session | None, table: str, rows: list[dict]) -> list[dict]:
    return rows if reader is None else sensitive.reveal_rows(reader, table, rows)


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


def _caller_shown(session: Session, case_id: str, caller: str | None) -> str | None:
    """A sealed caller's name opened for the reader who holds the key, else •••."""
    if not sensitive.is_sealed(caller):
        return caller
    try:
        return sensitive.reveal(session, "hotline_case", case_id, "caller_name", caller) \
            or "•••"
    except sensitive.SealBroken:
        return "•••"


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
        who = " ".join(p for p in (family, given) if p) if person_id \
            else (_caller_shown(session, cid, caller) or "")
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
    day = day_text(today)
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
    day = day_text(today)
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


# an employer's record with its counts of cases, inspections and violations
_EMPLOYER_FIGURES = """
    (SELECT COUNT(*) FROM hotline_case c WHERE c.employer_id=e.id AND c.deleted=0) AS cases,
    (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0)
      AS inspections,
    (SELECT COUNT(*) FROM inspection i WHERE i.employer_id=e.id AND i.deleted=0
       AND EXISTS (SELECT 1 FROM inspection_violation v WHERE v.inspection_id=i.id
                   AND v.deleted=0)) AS inspections_with_violations,
    (SELECT COUNT(*) FROM inspection_violation v JOIN inspection i ON i.id=v.inspection_id
       WHERE i.employer_id=e.id AND v.deleted=0 AND i.deleted=0) AS violations"""


def _employers_with_figures(conn, columns: str, where: str, args, tail: str = "") -> list[dict]:
    sql = f"SELECT {columns}, {_EMPLOYER_FIGURES} FROM employer e WHERE {where} {tail}"
    rows = dict_rows(conn.execute(sql, args))
    for r in rows:
        r["repeat_offender"] = is_repeat_offender(r)
    return rows


def find_employers(conn, term: str = "", limit: int = 200) -> list[dict]:
    """Employers with their counts of cases, inspections and violations (repeat offenders:
    two or more inspections with violations, or five or more cases)."""
    where, args = "e.deleted=0", []
    keys = names.query_keys(term or "")
    for k in keys:
        where += " AND (' ' || e.name_key) LIKE ?"
        args.append(f"% {k}%")
    return _employers_with_figures(
        conn, "e.id, e.name, e.city, e.country, e.sector, e.high_risk", where, args,
        f"ORDER BY violations DESC, cases DESC, e.name LIMIT {int(limit)}")


def is_repeat_offender(summary: dict) -> bool:
    return summary["inspections_with_violations"] >= 2 or summary["cases"] >= 5


def employer_summary(conn, employer_id: str) -> dict | None:
    rows = find_employers_by_id(conn, employer_id)
    return rows[0] if rows else None


def find_employers_by_id(conn, employer_id: str) -> list[dict]:
    return _employers_with_figures(conn, "e.*", "e.id=?", (employer_id,))


def money_text(minor: int | None, currency: str | None, language: str | None = None) -> str:
    amount = dom.from_minor(minor, currency)
    if amount is None or currency is None:  # no amount without a currency
        return ""
    return format_money(amount, currency, language)


def decimal_wages(case: dict) -> Decimal | None:
    return dom.from_minor(case.get("wages_recovered_minor"), case.get("wages_currency"))

