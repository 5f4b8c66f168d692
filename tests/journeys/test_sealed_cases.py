"""Sensitive cases sealed with the organisation's sensitive-case key, read through the real
main window: the case worker reads what happened; a field officer, who holds the database
key like everyone, sees only that it is sealed (even on a case assigned to him)."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_app.store.cases import repositories as sc
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import tr

PASSPHRASE = "olma-gilos-anor-shaftoli"


@pytest.fixture
def sealed_office(office_db):
    """The demo office after its administrator set the sensitive-case key up; one
    sensitive case assigned to the case worker, one to the field officer."""
    for name in ("caseworker", "field"):       # they have logged in before (a box each)
        security.login(office_db, name, PASSWORDS[name]).conn.close()
        keys.forget_key(office_db)
    admin = security.login(office_db, "admin", PASSWORDS["admin"])
    conn = admin.conn
    users = dict(conn.execute("SELECT username, id FROM app_user"))
    cases = conn.execute(
        "SELECT id, number, summary FROM hotline_case WHERE sensitive=1 AND deleted=0 AND"
        " length(summary) > 20 AND status IN ('new', 'in_progress', 'referred')"
        " ORDER BY opened_on DESC LIMIT 2").fetchall()
    assert len(cases) == 2
    for (case_id, _n, _s), user in zip(cases, ("caseworker", "field"), strict=True):
        sc.CaseRepository(admin).update(case_id, {"assigned_to": users[user]})
    security.UserAdmin(admin, office_db).set_up_sensitive_key(PASSWORDS["admin"], PASSPHRASE)
    for case_id, _n, summary in cases:
        stored = conn.execute("SELECT summary FROM hotline_case WHERE id=?",
                              (case_id,)).fetchone()[0]
        assert sensitive.is_sealed(stored) and summary not in stored
    conn.close()
    keys.forget_key(office_db)
    return {"caseworker": cases[0][1:], "field": cases[1][1:]}


def _facts_of_case(journey, number: str) -> str:
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    journey.type_into_widget(page.search, number)
    # the list follows the search box after a short pause
    journey.qtbot.waitUntil(lambda: page.wait_idle() and len(journey.rows(page.table)) == 1,
                            timeout=30000)
    assert journey.rows(page.table)[0][0] == number
    seen: list[str] = []

    def look(dialog) -> None:
        journey.check_window(dialog)
        seen.append(dialog.facts.text())
        if os.environ.get("HAMROH_GRAB"):
            dialog.grab().save(os.environ["HAMROH_GRAB"])
        dialog.reject()
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with journey.dialog(look):
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    return seen[0]


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_case_worker_reads_a_sealed_case(log_in_as, sealed_office, language):
    number, summary = sealed_office["caseworker"]
    journey = log_in_as("caseworker", language)
    facts = _facts_of_case(journey, number)
    assert summary in facts
    assert sensitive.unreadable_message() not in facts
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_field_officer_sees_only_that_it_is_sealed(log_in_as, sealed_office, language):
    number, summary = sealed_office["field"]
    journey = log_in_as("field", language)
    facts = _facts_of_case(journey, number)
    assert summary not in facts and "hs1:" not in facts
    assert sensitive.unreadable_message() in facts     # in the window's language
    journey.assert_no_problems()
