"""Every role against every CLI command and every page, generated from the role table.

The commands come from walking ``hamroh``'s argparse tree, so a new command cannot be
forgotten: it must be listed in ``commands._rights.COMMAND_RIGHTS`` (what it needs from the
role table) and, when it opens a database, in ``ARGS`` below (arguments to run it with), or
this test fails. Each command then runs as the demo user of each role on a demo database:
a role the table does not allow must be refused with the one-sentence refusal and nothing
on stdout; an allowed role must get past the check; no run may end in a traceback.
"""
from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest

from desktop_app.cli import build_parser
from desktop_app.commands._rights import ANY_USER, COMMAND_RIGHTS, NO_DATABASE
from desktop_app.domain.actors import ROLES
from desktop_app.domain.security import allowed_scope
from desktop_app.store.access import open_database
from desktop_app.store.security import keys
from desktop_app.store.security.accounts import login
from desktop_app.store.session import PermissionDenied
from tests.helpers.cli_roles import PASSWORD_OF_USER, USER_OF_ROLE, make_demo, run_as

REFUSAL = "You do not have permission to run hamroh"
NOBODY = "0190aaaa-0000-7000-8000-000000000000"


def command_tree() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser, words):
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[" ".join(words)] = parser
            return
        for name, child in subs[0].choices.items():
            walk(child, [*words, name])
    walk(build_parser(), [])
    return found


def _opens_database(parser) -> bool:
    return any("--db" in a.option_strings for a in parser._actions)


# Arguments each command runs with (beside --db and --user); {tmp} is a scratch folder and
# {case}/{person} a case number and person id of the demo database. Targets that would
# change the database for the next role are ones that do not exist.
ARGS: dict[str, list[str]] = {
    "audit verify": [], "audit list": ["--limit", "3"], "audit sign": [],
    "cases list": ["--search", "a"], "cases due": [], "cases stats": [],
    "cases show": ["{case}", "--reason", "role matrix test"],
    "cases pdf": ["{case}", "--out", "{tmp}/case.pdf", "--reason", "role matrix test"],
    "cases status": ["NO-SUCH-CASE", "closed"],
    "db migrate": [], "db check": [], "db backup": ["--to", "{tmp}/backup.db"], "db dump": [],
    "db compact": [], "db repair-search": [],
    "inspections list": [], "inspections employers": [],
    "loan portfolio": [],
    "letterhead show": [], "letterhead set": ["--logo", "{tmp}/missing.png"],
    "people import": ["{tmp}/missing.csv", "--dry-run"], "people search": ["a"],
    "report": ["--period", "2026", "--format", "csv", "--out", "{tmp}/report.csv"],
    "person-list": ["--format", "csv", "--out", "{tmp}/people.csv"],
    "user list": [], "user add": ["newcomer", "--role", "field_officer"],
    "user role": ["nobody", "field_officer"], "user deactivate": ["nobody"],
    "user activate": ["nobody"], "user reset-password": ["nobody"], "user passwd": [],
    "security new-recovery-key": [],
    "security sensitive-key": ["--passphrase-file", "{tmp}/none.txt"],
    "security export-person": ["{person}", "--out", "{tmp}/person.json",
                               "--reason", "role matrix test"],
    "security erase-person": [NOBODY, "--reason", "role matrix test", "--yes"],
    "consent add": [NOBODY, "--scope", "storage", "--date", "2026-01-01"],
    "consent list": ["{person}"], "consent expired": [], "consent withdraw": [NOBODY],
    "bundle export": ["--to", "{tmp}/out.hamroh", "--passphrase-file", "{tmp}/pass.txt"],
    "bundle import": ["{tmp}/missing.hamroh", "--passphrase-file", "{tmp}/pass.txt"],
    "bundle watch": ["--folder", "{tmp}/sync", "--once", "--passphrase-file",
                     "{tmp}/pass.txt"],
    "bundle history": [], "bundle quarantine": [], "device new-code": [],
    "device show": [], "device list": [], "device trust": ["--fingerprint", "ab12"],
    "device revoke": ["ab12"], "device passphrase": ["--passphrase-file", "{tmp}/none.txt"],
    "trainings list": [], "trainings totals": [], "trainings courses": [],
    "trainings course": ["matrix_test", "--en", "x", "--ru", "x", "--tg", "x", "--uz", "x"],
    "trainings import": ["--event", NOBODY, "{tmp}/missing.csv"],
    "trainings certificates": ["--event", NOBODY, "--out", "{tmp}/certs.pdf"],
}


def allowed(role: str, command: str) -> bool:
    """What the role table says, read from domain.security.MATRIX."""
    return all(allowed_scope(role, action, table) is not None
               for action, table in COMMAND_RIGHTS[command])


def test_every_command_is_listed_with_what_it_needs():
    tree = command_tree()
    unlisted = sorted(set(tree) - set(COMMAND_RIGHTS))
    assert not unlisted, f"add these commands to commands/_rights.py: {unlisted}"
    assert not sorted(set(COMMAND_RIGHTS) - set(tree)), "commands/_rights.py lists a command " \
                                                        "that no longer exists"
    for words, parser in tree.items():
        if COMMAND_RIGHTS[words] is NO_DATABASE:
            continue
        assert _opens_database(parser), words
        assert words in ARGS, f"give {words} arguments in ARGS of this test"
        assert parser.get_default("command_words") == words, \
            f"{words} must add its --db with commands._common.add_db_argument"


def test_each_role_is_allowed_something_and_refused_something():
    for role in ROLES:
        verdicts = {allowed(role, w) for w, n in COMMAND_RIGHTS.items()
                    if n is not NO_DATABASE and n != ANY_USER}
        assert verdicts == ({True} if role == "administrator" else {True, False}), role


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    (folder / "sync").mkdir()
    (folder / "pass.txt").write_text("role matrix organisation passphrase\n", encoding="utf-8")
    path = make_demo(folder / "demo.db")
    conn = open_database(path)
    try:
        case, person = conn.execute("SELECT number, person_id FROM hotline_case WHERE"
                                    " person_id IS NOT NULL AND deleted=0 LIMIT 1").fetchone()
    finally:
        conn.close()
        keys.forget_key(path)
    return SimpleNamespace(db=path, tmp=folder, case=case, person=person)


def _argv(command: str, world) -> list[str]:
    return [*command.split(), *(a.format(tmp=world.tmp, case=world.case, person=world.person)
                                for a in ARGS[command])]


DATABASE_COMMANDS = sorted(w for w, n in COMMAND_RIGHTS.items() if n is not NO_DATABASE)


@pytest.mark.parametrize("role", ROLES)
def test_every_command_as_every_role_follows_the_table(world, role):
    wrong = []
    for command in DATABASE_COMMANDS:
        ran = run_as(role, _argv(command, world), world.db)
        refused = ran.error is None and REFUSAL in ran.err
        if ran.error is not None:
            wrong.append(f"{command}: traceback {ran.error!r}")
        elif allowed(role, command):
            if refused:
                wrong.append(f"{command}: refused but the table allows it")
        elif not (refused and ran.code == 2 and ran.out == ""
                  and len(ran.err.strip().splitlines()) == 1):
            wrong.append(f"{command}: ran although the table refuses it "
                         f"(exit {ran.code}, {ran.error!r}, {ran.err[:200]!r})")
    assert not wrong, "\n".join(wrong)


# ---- pages of the main window ------------------------------------------------------------
# What each page needs to be shown (None: every role); a new page must be added here.
PAGE_NEEDS: dict[str, tuple | None] = {
    "home": None,
    "people": (("view", "person"),),
    "cases": (("view", "hotline_case"),),
    "inspections": (("view", "inspection"),),
    "trainings": (("view", "training_event"),),
    "loans": (("view", "loan"),),
    "reports": None,
    "sync": None,
    "security": "manage_users or view_audit",
    "settings": None,
}


def page_allowed(role: str, key: str) -> bool:
    needs = PAGE_NEEDS[key]
    if needs is None:
        return True
    if isinstance(needs, str):
        return any(allowed_scope(role, a, t) is not None
                   for a, t in (("manage_users", "app_user"), ("view_audit", "audit_log")))
    return all(allowed_scope(role, a, t) is not None for a, t in needs)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_pages_the_table_allows(world, role):
    from desktop_app.ui.pages import discover_pages  # deferred: Qt only for this test
    specs = discover_pages()
    assert not sorted({s.key for s in specs} - set(PAGE_NEEDS)), "add the page to PAGE_NEEDS"
    username = USER_OF_ROLE[role]
    session = login(world.db, username, PASSWORD_OF_USER[username])
    try:
        def can(action, table, row=None):            # ui.context.AppContext.can
            try:
                session.require(action, table, row)
            except PermissionDenied:
                return False
            return True
        ctx = SimpleNamespace(session=session, conn=session.conn, actor=session.actor, can=can)
        seen = {s.key for s in specs if s.visible(ctx)}
    finally:
        session.conn.close()
        keys.forget_key(world.db)
    assert seen == {k for k in PAGE_NEEDS if page_allowed(role, k)}
