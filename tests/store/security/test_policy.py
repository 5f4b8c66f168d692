"""The role matrix at repository level, and sensitive cases."""
import pytest

from desktop_app.domain import security as rules
from desktop_app.domain.actors import Actor
from desktop_app.store.offices import UserRepository
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.security import accounts as security
from desktop_app.store.security.policy import RolePolicy, grant_reason
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session
from tests.conftest import TEST_PASSWORD


def _session_as(db_path, role, username=None):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    username = username or role.replace("_", "")
    security.UserAdmin(admin, db_path).add_user(username, "user-pass-123", role)
    admin.conn.close()
    return security.login(db_path, username, "user-pass-123")


def test_field_officer_registers_people_but_cannot_manage_users(db_path):
    session = _session_as(db_path, "field_officer")
    people = PersonRepository(session)
    person = people.create(dict(family_name="Nazarov", given_name="Bahrom"))
    people.update(person["id"], {"phones": "+992 93 111 2233"})
    with pytest.raises(PermissionDenied):
        UserRepository(session).create(dict(username="intruder", role="administrator"))
    with pytest.raises(PermissionDenied):
        security.UserAdmin(session, db_path).add_user("x1", "user-pass-123", "administrator")
    assert session.conn.execute("SELECT count(*) FROM app_user WHERE username IN "
                                "('intruder','x1')").fetchone()[0] == 0


def test_delete_scope_own_only(db_path):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    theirs = PersonRepository(admin).create(dict(family_name="Karimova", given_name="Zarina"))
    admin.conn.close()
    session = _session_as(db_path, "field_officer")
    people = PersonRepository(session)
    mine = people.create(dict(family_name="Olimov", given_name="Jamshed"))
    people.delete(mine["id"])
    with pytest.raises(PermissionDenied):
        people.delete(theirs["id"])
    assert people.get(theirs["id"]) is not None


def test_other_office_rows_are_out_of_scope(db_path):
    session = _session_as(db_path, "case_worker")
    other_office_row = {"office_id": "some-other-office", "created_by": "x"}
    with pytest.raises(PermissionDenied):
        session.require("update", "person", other_office_row)
    session.require("update", "person", {"office_id": session.actor.office_id})


def test_loan_officer_cannot_touch_cases_and_inspector_cannot_see_loans(db_path):
    loans = _session_as(db_path, "loan_officer")
    with pytest.raises(PermissionDenied):
        loans.require("create", "hotline_case", {})
    loans.require("create", "loan", {})
    loans.conn.close()
    inspector = _session_as(db_path, "inspector")
    with pytest.raises(PermissionDenied):
        inspector.require("view", "loan", None)
    inspector.require("create", "inspection", {})


@pytest.mark.parametrize("role,action,table,allowed", [
    ("administrator", "manage_users", "app_user", True),
    ("coordinator", "manage_users", "app_user", False),
    ("coordinator", "view_audit", "audit_log", True),
    ("field_officer", "view_audit", "audit_log", False),
    ("case_worker", "export_person", "person", True),
    ("loan_officer", "export_person", "person", False),
    ("coordinator", "erase_person", "person", False),
    ("administrator", "erase_person", "person", True),
    ("inspector", "create", "hotline_case", False),
    ("field_officer", "create", "hotline_case", True),
])
def test_matrix(role, action, table, allowed):
    actor = Actor(user_id="u1", username="u", role=role, office_id="o1")
    policy = RolePolicy()
    row = {"office_id": "o1", "created_by": "u1"}
    if allowed:
        policy.check(actor, action, table, row)
    else:
        with pytest.raises(PermissionDenied):
            policy.check(actor, action, table, row)


CASE = {"id": "case-1", "office_id": "o1", "category": "wage_theft", "sensitive": 0,
        "assigned_to": "worker-a", "created_by": "worker-a"}


def _actor(user_id, role):
    return Actor(user_id=user_id, username=user_id, role=role, office_id="o1")


@pytest.mark.parametrize("change", [{"sensitive": 1}, {"category": "trafficking"},
                                    {"category": "sexual_exploitation"},
                                    {"person_birth_date": "2015-04-01"}])
def test_sensitive_case_needs_assignment_or_reason(change):
    row = CASE | change
    policy = RolePolicy()
    policy.check(_actor("worker-a", "case_worker"), "view_detail", "hotline_case", row)
    policy.check(_actor("boss", "administrator"), "view_detail", "hotline_case", row)
    with pytest.raises(ReasonRequired) as err:
        policy.check(_actor("worker-b", "case_worker"), "view_detail", "hotline_case", row)
    assert err.value.record_id == "case-1"
    with pytest.raises(ReasonRequired):
        policy.check(_actor("coord", "coordinator"), "view_detail", "hotline_case", row)


def test_ordinary_case_opens_without_reason():
    RolePolicy().check(_actor("worker-b", "case_worker"), "view_detail",
                                "hotline_case", CASE)


def test_minor_found_through_person_row(session):
    child = PersonRepository(session).create(dict(family_name="Rahimov", given_name="Umed",
                                                  birth_date="2014-02-02"))
    policy = RolePolicy(session.conn)
    with pytest.raises(ReasonRequired):
        policy.check(_actor("worker-b", "case_worker"), "view_detail", "hotline_case",
                     CASE | {"person_id": child["id"]})


def test_reason_is_logged_and_then_allowed(db_path):
    session = _session_as(db_path, "case_worker", "worker_b")
    row = CASE | {"sensitive": 1, "office_id": session.actor.office_id}
    with pytest.raises(ReasonRequired):
        session.require("view_detail", "hotline_case", row)
    with pytest.raises(PermissionDenied):
        grant_reason(session, "hotline_case", "case-1", " ")
    grant_reason(session, "hotline_case", "case-1", "Colleague on leave, client called")
    session.require("view_detail", "hotline_case", row)
    logged = session.conn.execute("SELECT user_id, record_id, detail FROM audit_log "
                                  "WHERE action='view_sensitive'").fetchall()
    assert logged == [(session.actor.user_id, "case-1",
                       '{"reason":"Colleague on leave, client called"}')]


def test_every_role_has_a_matrix_row():
    from desktop_app.domain.actors import ROLES
    assert set(ROLES) == set(rules.MATRIX)
    assert rules.area_of("hotline_case") == "cases"
    assert rules.area_of("loan_repayment") == "loans"
    assert rules.area_of("something_new") == "records"


def test_allow_all_session_still_works(session):
    # sessions made without a login keep the policy they were given
    plain = Session(session.conn, session.actor)
    plain.require("manage_users", "app_user")


@pytest.mark.parametrize("role,action,table,allowed", [
    ("administrator", "view_person_list", "person", True),
    ("case_worker", "view_person_list", "person", True),
    ("inspector", "view_person_list", "person", False),
    ("loan_officer", "disburse", "loan", True),
    ("loan_officer", "repay", "loan", True),
    ("field_officer", "disburse", "loan", False),
    ("loan_officer", "reverse", "fund_entry", True),
    ("case_worker", "override_consent", "hotline_case", False),
    ("coordinator", "override_consent", "hotline_case", True),
    ("administrator", "override_consent", "hotline_case", True),
])
def test_module_actions(role, action, table, allowed):
    test_matrix(role, action, table, allowed)


def test_reversal_of_someone_elses_entry_needs_more_than_a_loan_officer():
    actor = Actor(user_id="u1", username="u", role="loan_officer", office_id="o1")
    with pytest.raises(PermissionDenied):
        RolePolicy().check(actor, "reverse", "fund_entry",
                                    {"office_id": "o1", "created_by": "someone-else"})
