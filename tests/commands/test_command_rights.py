"""Commands obey the role table; refusals are one sentence, never a traceback (issue 16)."""
from __future__ import annotations

import json

import pytest

from desktop_app.store.access import open_database
from desktop_app.store.security import keys
from tests.helpers.cli_roles import USER_OF_ROLE, make_demo, run_as


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("rights") / "demo.db")


def _refused(ran) -> bool:
    return (ran.error is None and ran.code not in (0, None)
            and "permission" in ran.err and "Traceback" not in ran.err
            and len(ran.err.strip().splitlines()) == 1)


@pytest.mark.parametrize("role, argv", [
    ("loan_officer", ["cases", "list", "--search", "a"]),
    ("loan_officer", ["cases", "due"]),
    ("loan_officer", ["inspections", "list"]),
    ("loan_officer", ["inspections", "employers"]),
    ("inspector", ["loan", "portfolio"]),
    ("field_officer", ["audit", "list"]),
    ("field_officer", ["audit", "verify"]),
    ("case_worker", ["db", "dump"]),
])
def test_list_commands_refuse_roles_without_the_right(demo, role, argv):
    ran = run_as(role, argv, demo)
    assert _refused(ran), (ran.code, ran.err, ran.error)
    assert ran.out == ""


@pytest.mark.parametrize("role, argv", [
    ("case_worker", ["cases", "list"]),
    ("inspector", ["inspections", "employers"]),
    ("loan_officer", ["loan", "portfolio"]),
    ("coordinator", ["audit", "verify"]),
])
def test_the_same_commands_run_for_roles_with_the_right(demo, role, argv):
    ran = run_as(role, argv, demo)
    assert ran.error is None and ran.code == 0, (ran.err, ran.error)


def test_people_commands_log_in_as_the_named_user(demo):
    ran = run_as("loan_officer", ["people", "search", "a", "--json"], demo)
    assert ran.code == 0, ran.err
    assert "--user" not in ran.err
    conn = open_database(demo)
    try:
        last = conn.execute("SELECT u.username FROM audit_log a JOIN app_user u ON u.id=a.user_id"
                            " WHERE a.action='login' ORDER BY a.seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()
        keys.forget_key(demo)
    assert last[0] == USER_OF_ROLE["loan_officer"]


def _sensitive_case(path) -> tuple[str, str]:
    conn = open_database(path)
    try:
        row = conn.execute(
            "SELECT c.number, c.person_id FROM hotline_case c JOIN app_user u"
            " ON u.id = c.assigned_to WHERE c.category='sexual_exploitation' AND c.deleted=0"
            " AND u.username != ? AND c.person_id IS NOT NULL",
            (USER_OF_ROLE["field_officer"],)).fetchone()
    finally:
        conn.close()
        keys.forget_key(path)
    assert row is not None
    return row[0], row[1]


def _view_sensitive_rows(path) -> int:
    conn = open_database(path)
    try:
        return conn.execute("SELECT count(*) FROM audit_log WHERE action='view_sensitive'"
                            ).fetchone()[0]
    finally:
        conn.close()
        keys.forget_key(path)


def test_a_plain_denial_does_not_ask_for_a_reason(demo):
    number, _person = _sensitive_case(demo)
    ran = run_as("loan_officer", ["cases", "show", number], demo)
    assert _refused(ran) and "--reason" not in ran.err
    asked = run_as("field_officer", ["cases", "show", number], demo)
    assert asked.code == 1 and "--reason" in asked.err


def test_export_person_passes_the_sensitive_case_gate(tmp_path):
    demo = make_demo(tmp_path / "demo.db")
    number, person_id = _sensitive_case(demo)
    out = tmp_path / "person.json"
    before = _view_sensitive_rows(demo)
    refused = run_as("field_officer", ["security", "export-person", person_id,
                                       "--out", str(out)], demo)
    assert refused.error is None and refused.code == 1, refused.err
    assert "--reason" in refused.err and not out.exists()
    assert _view_sensitive_rows(demo) == before
    done = run_as("field_officer", ["security", "export-person", person_id, "--out", str(out),
                                    "--reason", "client asked for a copy"], demo)
    assert done.code == 0, done.err
    cases = json.loads(out.read_text(encoding="utf-8"))["records"]["hotline_case"]
    assert number in {c["number"] for c in cases}
    assert _view_sensitive_rows(demo) >= before + 1
