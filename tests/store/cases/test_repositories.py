"""Cases in the store: numbers, transitions, consent gate, money, bad input, work lists."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from desktop_app.domain.cases import TransitionRefused
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import search as cases_search
from desktop_app.store.cases import services as cs
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import Repository, ValidationError
from desktop_app.store.security.keys import copy_database
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session
from desktop_app.store.setup import initialise
from desktop_app.store.sync_state.changes import logged_changes

TODAY = date.today()


@pytest.fixture(autouse=True)
def _today():
    """Today as each test starts, the day the store and pages work on: the date taken at
    import would be yesterday's for a run that passes midnight before reaching the test."""
    global TODAY
    TODAY = date.today()


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def new_case(session, **values):
    base = dict(channel="hotline", category="unpaid_wages", opened_on=days_ago(10))
    return cs.open_case(session, {**base, **values})


def person(session, family="Раҳмонов", given="Алишер", **extra):
    return PersonRepository(session).create(dict(family_name=family, given_name=given, **extra))


def count(conn, table):
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_case_number_and_timeline_on_intake(session):
    case = new_case(session, caller_name="Алишер", summary="Not paid for three months")
    # the year of the number is the year the case was opened (ten days ago: last year
    # in the first days of January)
    year = case["opened_on"][:4]
    assert case["number"].startswith(f"GRM-{session.device_code}-{year}-")
    assert case["number"].endswith("00001")
    events = cq.timeline(session.conn, case["id"])
    assert [e["kind"] for e in events] == ["call"]
    assert events[0]["text"] == "Not paid for three months"
    second = new_case(session)
    assert second["number"].endswith("00002")
    # a case opened on the last day of a year is numbered in that year's own sequence
    late = new_case(session, opened_on="2024-12-31")
    assert late["number"] == f"GRM-{session.device_code}-2024-00001"
    # the audit log and change log saw the writes
    assert session.conn.execute("SELECT COUNT(*) FROM change_log WHERE table_name='hotline_case'"
                                ).fetchone()[0] == 3


def test_numbers_unique_across_two_offline_devices(template_db, tmp_path):
    numbers = []
    for n in range(2):
        path = tmp_path / f"laptop{n}.db"
        conn = open_database(path, create=True)
        s = initialise(conn, office_code="GRM", office_name="Gharm JRC")
        numbers += [new_case(s)["number"] for _ in range(3)]
        conn.close()
    assert len(set(numbers)) == 6
    # the office and the sequence are the same, the device code tells them apart
    assert {n.split("-")[0] for n in numbers} == {"GRM"}
    assert len({n.split("-")[1] for n in numbers}) == 2


def test_rolled_back_intake_does_not_use_a_number(session):
    with pytest.raises(ValidationError) as err:
        new_case(session, category="no_such_category")
    assert "category" in err.value.errors
    assert count(session.conn, "hotline_case") == 0
    assert new_case(session)["number"].endswith("00001")


def test_allowed_and_refused_transitions(session):
    case = new_case(session)
    cs.change_status(session, case["id"], "in_progress")
    with pytest.raises(TransitionRefused):
        cs.change_status(session, case["id"], "new")
    with pytest.raises(TransitionRefused):
        cs.change_status(session, case["id"], "in_progress")
    resolved = cs.change_status(session, case["id"], "resolved")
    assert resolved["resolved_on"] == TODAY.isoformat()
    closed = cs.change_status(session, case["id"], "closed")
    assert closed["closed_on"] == TODAY.isoformat()
    # a direct update cannot jump either
    with pytest.raises(ValidationError) as err:
        sc.CaseRepository(session).update(case["id"], {"status": "referred"})
    assert "status" in err.value.errors


def test_reopening_needs_a_reason_and_is_logged(session):
    case = new_case(session)
    cs.change_status(session, case["id"], "resolved")
    with pytest.raises(ValidationError) as err:
        cs.change_status(session, case["id"], "in_progress", reason="  ")
    assert "reason" in err.value.errors
    assert sc.CaseRepository(session).get(case["id"])["status"] == "resolved"
    reopened = cs.change_status(session, case["id"], "in_progress",
                                reason="Employer stopped paying again")
    assert reopened["status"] == "in_progress" and reopened["resolved_on"] is None
    last = cq.timeline(session.conn, case["id"])[-1]
    assert (last["kind"], last["from_status"], last["to_status"], last["text"]) == (
        "reopened", "resolved", "in_progress", "Employer stopped paying again")
    audited = session.conn.execute(
        "SELECT after FROM audit_log WHERE table_name='case_event' AND record_id=?",
        (last["id"],)).fetchone()[0]
    assert "Employer stopped paying again" in audited


def test_sensitive_is_computed(session):
    assert new_case(session, category="trafficking")["sensitive"] == 1
    assert new_case(session, category="sexual_exploitation")["sensitive"] == 1
    assert new_case(session, sensitive_flag=True)["sensitive"] == 1
    adult = person(session, birth_date="1990-01-01")
    assert new_case(session, person_id=adult["id"])["sensitive"] == 0
    child = person(session, given="Фируз",
                   birth_date=(TODAY - timedelta(days=365 * 15)).isoformat())
    anonymous = new_case(session)
    assert anonymous["sensitive"] == 0
    assert cs.link_person(session, anonymous["id"], child["id"])["sensitive"] == 1


def test_referral_needs_consent_or_an_audited_override(session):
    who = person(session)
    case = new_case(session, person_id=who["id"])
    with pytest.raises(sc.ConsentRequired):
        cs.refer(session, case["id"], {"target": "legal_adviser"})
    assert count(session.conn, "case_referral") == 0
    referral = cs.refer(session, case["id"], {"target": "legal_adviser"},
                        override_reason="Danger to life, person unreachable")
    assert referral["consent_override"] == 1
    assert referral["override_reason"] == "Danger to life, person unreachable"
    detail = session.conn.execute(
        "SELECT detail FROM audit_log WHERE action='override_consent' AND record_id=?",
        (referral["id"],)).fetchone()[0]
    assert json.loads(detail)["reason"] == "Danger to life, person unreachable"
    assert sc.CaseRepository(session).get(case["id"])["status"] == "referred"


def test_referral_with_consent_needs_no_override(session):
    who = person(session, consent_date=days_ago(30), consent_scope="storage,referral")
    case = new_case(session, person_id=who["id"])
    referral = cs.refer(session, case["id"], {"target": "embassy", "target_detail": "Moscow"})
    assert referral["consent_override"] == 0 and referral["override_reason"] is None
    answered = cs.answer_referral(session, referral["id"], "completed", answer="Passport returned")
    assert answered["status"] == "completed"
    assert answered["answered_on"] == TODAY.isoformat()


class NoOverride:
    def check(self, actor, action, table, row):
        if action == "override_consent":
            raise PermissionDenied("not allowed")


def test_override_refused_for_unauthorised_user(session):
    case = new_case(session)
    session.policy = NoOverride()
    with pytest.raises(PermissionDenied):
        cs.refer(session, case["id"], {"target": "police"}, override_reason="urgent")
    assert count(session.conn, "case_referral") == 0
    assert not cs.can_override_consent(session, sc.CaseRepository(session).get(case["id"]))


def test_outcome_money_is_decimal_minor_units(session):
    case = new_case(session)
    record = cs.record_outcome(session, case["id"], outcome="resolved",
                               wages_recovered="12 500,50", wages_currency="rub",
                               returned_home=True)
    assert record["status"] == "resolved"
    stored = sc.CaseRepository(session).get(case["id"])
    assert stored["wages_recovered_minor"] == 1250050 and stored["wages_currency"] == "RUB"
    money = cq.wages_recovered(stored)
    assert money.amount == Decimal("12500.50") and isinstance(money.amount, Decimal)
    assert stored["returned_home"] == 1
    with pytest.raises(TypeError):
        cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered=1.5,
                          wages_currency="USD")


@pytest.mark.parametrize("amount, currency, field", [
    ("-100", "TJS", "wages_recovered"),
    ("100", "XYZ", "wages_currency"),
    ("lots", "TJS", "wages_recovered"),
    ("10.555", "USD", "wages_recovered"),
])
def test_bad_outcome_input_names_the_field_and_saves_nothing(session, amount, currency, field):
    case = new_case(session)
    before = count(session.conn, "change_log")
    with pytest.raises(ValidationError) as err:
        cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered=amount,
                          wages_currency=currency)
    assert field in err.value.errors
    assert count(session.conn, "change_log") == before
    assert sc.CaseRepository(session).get(case["id"])["status"] == "new"


def test_followup_before_opening_is_refused(session):
    case = new_case(session, opened_on=days_ago(5))
    with pytest.raises(ValidationError) as err:
        cs.add_followup(session, case["id"], days_ago(6), "Call the employer")
    assert "before the case was opened" in err.value.errors["due_on"]
    with pytest.raises(ValidationError) as err:
        cs.add_followup(session, case["id"], days_ago(1), "  ")
    assert "action" in err.value.errors
    assert count(session.conn, "case_followup") == 0


def test_followups_due_today_and_overdue(session):
    user = session.actor.user_id
    a = new_case(session, assigned_to=user)
    b = new_case(session)
    late = cs.add_followup(session, a["id"], days_ago(2), "Call back")
    today = cs.add_followup(session, b["id"], TODAY.isoformat(), "Check with inspectorate")
    cs.add_followup(session, b["id"], (TODAY + timedelta(days=3)).isoformat(), "Later")
    done = cs.add_followup(session, a["id"], days_ago(3), "Done already")
    cs.complete_followup(session, done["id"], result="Employer paid half")
    due = cq.followups_due(session.conn, TODAY)
    assert [(r["id"], r["overdue"]) for r in due] == [(late["id"], 1), (today["id"], 0)]
    mine = cq.followups_due(session.conn, TODAY, user_id=user)
    assert [r["id"] for r in mine] == [late["id"]]
    assert cq.timeline(session.conn, a["id"])[-1]["text"] == "Done already: Employer paid half"


def test_work_lists(session):
    me = session.actor.user_id
    mine = new_case(session, assigned_to=me, opened_on=days_ago(3))
    unassigned = new_case(session, category="passport_confiscated", opened_on=days_ago(2))
    closed = new_case(session, assigned_to=me, opened_on=days_ago(1))
    cs.change_status(session, closed["id"], "closed")
    conn = session.conn
    assert cq.case_ids(conn, cq.CaseFilter(view="mine", user_id=me)) == [mine["id"]]
    assert cq.case_ids(conn, cq.CaseFilter(view="unassigned")) == [unassigned["id"]]
    assert cq.case_ids(conn, cq.CaseFilter(category="passport_confiscated")) == [unassigned["id"]]
    assert cq.case_ids(conn, cq.CaseFilter(statuses=("closed",))) == [closed["id"]]
    assert cq.case_ids(conn) == [closed["id"], unassigned["id"], mine["id"]]
    assert dict(cq.count_by(conn, "status")) == {"new": 2, "closed": 1}


def test_search_across_scripts_and_numbers(session):
    who = person(session, family="Раҳмонов", given="Алишер")
    linked = new_case(session, person_id=who["id"])
    caller = new_case(session, caller_name="Қодиров Ҷамшед")
    other = new_case(session, caller_name="Иванов")
    conn = session.conn
    for term in ("Rahmonov", "Рахмонов", "Rakhmonov", "raxmonov ali"):
        assert cq.case_ids(conn, cq.CaseFilter(search=term)) == [linked["id"]], term
    assert cq.case_ids(conn, cq.CaseFilter(search="Qodirov")) == [caller["id"]]
    assert cq.case_ids(conn, cq.CaseFilter(search="Kodirov Jamshed")) == [caller["id"]]
    assert cq.case_ids(conn, cq.CaseFilter(search=other["number"])) == [other["id"]]
    # the tail as printed, with its zeros, finds that case alone (not every case of the
    # year 2026 or of a device code beginning with its last digit)
    for case in (linked, caller, other):
        tail = case["number"].rsplit("-", 1)[1]
        assert cq.case_ids(conn, cq.CaseFilter(search=tail)) == [case["id"]], tail
        assert case["id"] in cq.case_ids(conn, cq.CaseFilter(search=tail.lstrip("0")))


def test_case_received_before_its_person_is_found_by_the_person_name(session, db_path,
                                                                      tmp_path):
    """A bundle may bring a case before the person it names; once the person arrives,
    the case is found by the person's name on the receiving laptop too."""
    conn = open_database(copy_database(db_path, tmp_path / "laptop2.db"))
    who = person(session, family="Раҳмонов", given="Алишер")
    case = new_case(session, person_id=who["id"])
    receiver = Session(conn, default_actor(conn))
    # the changes as a bundle carries them, the person's last
    received = sorted((c[:7] for c in logged_changes(session.conn, Repository.synced_tables())
                       if c[2] in ("person", "hotline_case")), key=lambda c: c[2] == "person")
    assert [r[2] for r in received] == ["hotline_case", "person"]
    for device, seq, table, record_id, stamp, fields, author in received:
        with receiver.transaction():
            Repository.for_table(table)(receiver).apply_remote(
                record_id, json.loads(fields), stamp, device, seq, author)
    assert cq.case_ids(conn, cq.CaseFilter(search="Rahmonov")) == [case["id"]]
    with receiver.transaction():  # the next case write refreshes the stale keys
        cases_search.flush_stale(conn)
    assert cq.case_ids(conn, cq.CaseFilter(search="Rahmonov")) == [case["id"]]
    conn.close()


class SensitiveNeedsReason:
    """A policy that asks a reason before any sensitive case is opened."""
    def check(self, actor, action, table, row):
        if action == "view_detail" and row and row.get("sensitive"):
            raise ReasonRequired("reason", table, row.get("id"))


def test_sensitive_names_hidden_in_lists_without_access(session):
    case = new_case(session, category="trafficking", caller_name="Нигина")

    session.policy = SensitiveNeedsReason()
    assert cq.case_rows(session, [case["id"]])[0]["who"] == "•••"
    with pytest.raises(ReasonRequired):
        cs.open_detail(session, case["id"], ask_reason=lambda: "")
    shown = cs.open_detail(session, case["id"], ask_reason=lambda: "Supervisor review")
    assert shown["id"] == case["id"] and case["id"] in session.granted_reasons
    assert cq.case_rows(session, [case["id"]])[0]["who"] == "Нигина"
    logged = session.conn.execute(
        "SELECT detail FROM audit_log WHERE action='view_sensitive' AND record_id=?",
        (case["id"],)).fetchone()[0]
    assert json.loads(logged)["reason"] == "Supervisor review"


def test_search_withholds_sensitive_cases_the_user_may_not_open(session):
    """Found by a name, phone or word, a sensitive case the user may not open is left out
    (a row of ••• would still tell that the person has such a case); found by its number
    it stays, as it does in the unsearched list."""
    hidden = new_case(session, category="trafficking", caller_name="Нигина Юсуфова",
                      caller_phone="+992 93 555 12 34")
    plain = new_case(session, category="unpaid_wages", caller_name="Нигина Каримова")

    session.policy = SensitiveNeedsReason()
    conn = session.conn

    def found(term):
        return cq.case_ids(conn, cq.CaseFilter(search=term, may_open=cq.opener(session)))

    assert found("Nigina") == [plain["id"]]
    assert found("Yusufova") == [] and found("93 555 12 34") == []
    assert found(hidden["number"]) == [hidden["id"]]
    assert found(hidden["number"].rsplit("-", 1)[1]) == [hidden["id"]]
    # without the check (the policy-free store call) both are found
    assert cq.case_ids(conn, cq.CaseFilter(search="Nigina")) == [plain["id"], hidden["id"]]
    # once a reason is given the case is the user's to search
    cs.open_detail(session, hidden["id"], ask_reason=lambda: "Supervisor review")
    assert found("Yusufova") == [hidden["id"]]


def test_search_within_work_lists_matches_the_lists(session):
    """A search inside a work list (view, status, category, assignee, employer) finds
    exactly the list's cases that match; newest registered first."""
    conn = session.conn
    me = session.actor.user_id
    firm = sc.EmployerRepository(session).create(dict(name="ООО Монолит"))
    made = []
    for n, (category, assigned, employer) in enumerate([
            ("unpaid_wages", me, firm["id"]), ("unpaid_wages", None, None),
            ("entry_ban", me, None), ("passport_confiscated", None, firm["id"])]):
        for name in ("Раҳмонов", "Каримов"):
            made.append(cs.open_case(session, dict(
                channel="hotline", category=category, caller_name=f"{name} {n}",
                assigned_to=assigned, employer_id=employer)))
    cs.change_status(session, made[0]["id"], "in_progress")
    cs.change_status(session, made[2]["id"], "in_progress")
    cs.change_status(session, made[2]["id"], "resolved")
    filters = [cq.CaseFilter(view=v, user_id=me) for v in ("all", "open", "mine", "unassigned")]
    filters += [cq.CaseFilter(statuses=("in_progress",)), cq.CaseFilter(category="entry_ban"),
                cq.CaseFilter(employer_id=firm["id"]),
                cq.CaseFilter(view="open", statuses=("resolved",)),
                cq.CaseFilter(view="mine", user_id=me, category="unpaid_wages")]
    for flt in filters:
        listed = cq.case_ids(conn, flt)
        wanted = [c["id"] for c in reversed(made) if c["id"] in listed
                  and c["caller_name"].startswith("Раҳмонов")]
        flt.search = "Rahmonov"
        assert cq.case_ids(conn, flt) == wanted, flt


def test_filter_tags_keep_only_ascii_letters_and_digits():
    """The list filters match tags made of a value's ASCII letters and digits, lower case;
    an empty value (or one with none of them) is ``none``."""
    assert cases_search.tag("u", "3F2a-9B_c 1") == "u3f2a9bc1"
    assert cases_search.tag("s", None) == cases_search.tag("s", "") == "snone"
    assert cases_search.tag("c", "Ғамхорӣ") == "cnone"
    assert cases_search.tag("c", "wage_theft, Ҳа") == "cwagetheft"
    # lower-casing comes first: the Kelvin sign becomes an ASCII k
    assert cases_search.tag("e", "\u212a9") == "ek9"
    assert cases_search.filter_query(statuses=("open", "in-progress"), unassigned=True) == (
        "(sopen OR sinprogress) AND unone")
