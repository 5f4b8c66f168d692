"""Sensitive cases sealed with the organisation's sensitive-case key, read through the real
main window: the case worker reads what happened, the timeline, the follow-up results and
the referral answers; a field officer, who holds the database key like everyone, sees only
that they are sealed (even on a case assigned to him)."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import tr

PASSPHRASE = "olma-gilos-anor-shaftoli"
# written before the key is set up (sealed then, in place), and after it (sealed at once)
OLD_NOTE = "Зулфиқорхонбек ба паноҳгоҳ бурда шуд"
RESULT = "Хоҳараш дар Маскав занг зад"
ANSWER = "Паноҳгоҳ ӯро қабул кард"
NEW_NOTE = "Модараш аз Кӯлоб омад"
SECRETS = (OLD_NOTE, RESULT, ANSWER, NEW_NOTE)


def _write_texts(session, case_id: str, before_key: bool) -> None:
    if not before_key:
        cs.add_event(session, case_id, "note", NEW_NOTE)
        return
    cs.add_event(session, case_id, "note", OLD_NOTE)
    followup = cs.add_followup(session, case_id, "2030-01-01", "Занг задан")
    cs.complete_followup(session, followup["id"], result=RESULT)
    referral = cs.refer(session, case_id, {"target": "legal_adviser"},
                        override_reason="Хатар ба ҳаёт")
    cs.answer_referral(session, referral["id"], "accepted", answer=ANSWER)


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
        _write_texts(admin, case_id, before_key=True)
    security.UserAdmin(admin, office_db).set_up_sensitive_key(PASSWORDS["admin"], PASSPHRASE)
    for case_id, _n, _s in cases:
        _write_texts(admin, case_id, before_key=False)
        stored = " ".join(str(r) for table in ("case_event", "case_followup", "case_referral")
                          for r in conn.execute(f"SELECT * FROM {table} WHERE case_id=?",
                                                (case_id,)))
        assert not any(secret in stored for secret in SECRETS)
    for case_id, _n, summary in cases:
        stored = conn.execute("SELECT summary FROM hotline_case WHERE id=?",
                              (case_id,)).fetchone()[0]
        assert sensitive.is_sealed(stored) and summary not in stored
    conn.close()
    keys.forget_key(office_db)
    return {"caseworker": cases[0][1:], "field": cases[1][1:]}


def _look_at_case(journey, number: str) -> dict[str, object]:
    """The case window of ``number`` as its user reads it: the facts, and the rows of the
    Timeline, Follow-ups and Referrals tabs."""
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    journey.type_into_widget(page.search, number)
    # the list follows the search box after a short pause
    journey.qtbot.waitUntil(lambda: page.wait_idle() and len(journey.rows(page.table)) == 1,
                            timeout=30000)
    assert journey.rows(page.table)[0][0] == number
    seen: dict[str, object] = {}

    def look(dialog) -> None:
        journey.check_window(dialog)
        seen["facts"] = dialog.facts.text()
        for title in ("Timeline", "Follow-ups", "Referrals"):
            tab = journey.tab(tr("cases", title), within=dialog)
            seen[title] = journey.rows(tab.findChildren(QTableView)[0])
            if os.environ.get("HAMROH_GRAB"):
                dialog.grab().save(os.environ["HAMROH_GRAB"].replace(".png", f"-{title}.png"))
        dialog.reject()
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with journey.dialog(look):
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    return seen


def _facts_of_case(journey, number: str) -> str:
    return str(_look_at_case(journey, number)["facts"])


def _cells(seen: dict, title: str, column: int) -> list[str]:
    return [row[column] for row in seen[title]]


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


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_case_worker_reads_the_timeline_follow_ups_and_referrals(
        log_in_as, sealed_office, language):
    number, summary = sealed_office["caseworker"]
    journey = log_in_as("caseworker", language)
    seen = _look_at_case(journey, number)
    details = _cells(seen, "Timeline", 2)
    assert details[0] == summary       # the timeline's copy of the summary, sealed at set-up
    assert OLD_NOTE in details and NEW_NOTE in details
    assert any(RESULT in d for d in details) and any(ANSWER in d for d in details)
    assert RESULT in _cells(seen, "Follow-ups", 3)
    assert ANSWER in _cells(seen, "Referrals", 3)
    assert sensitive.sealed_placeholder() not in str(seen)
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_field_officer_sees_the_texts_as_sealed(log_in_as, sealed_office, language):
    number, summary = sealed_office["field"]
    journey = log_in_as("field", language)
    seen = _look_at_case(journey, number)
    placeholder = sensitive.sealed_placeholder()       # in the window's language
    if language == "tg":
        assert placeholder != "(sealed: for case workers, coordinators and administrators)"
    text = str(seen)
    assert not any(secret in text for secret in (*SECRETS, summary)) and "hs1:" not in text
    details = _cells(seen, "Timeline", 2)
    assert details[0] == placeholder and details.count(placeholder) >= 3
    assert placeholder in _cells(seen, "Follow-ups", 3)
    assert placeholder in _cells(seen, "Referrals", 3)
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_birth_date_corrected_in_the_window_seals_the_persons_case(log_in_as, sealed_office,
                                                                      office_db, language):
    """The field officer corrects a birth date: the person was a child when the case was
    opened, so the case is now a minor's case and its texts are sealed at once."""
    from desktop_app.store.people.repositories import PersonRepository
    from tests.journeys.driver import qt_text, type_text
    admin = security.login(office_db, "admin", PASSWORDS["admin"])
    person = PersonRepository(admin).create(dict(
        family_name="Шоҳмирзоев", given_name="Зафарҷон", birth_date="1990-05-01"))
    case = cs.open_case(admin, {"channel": "hotline", "category": "unpaid_wages",
                                "person_id": person["id"], "opened_on": "2026-11-02",
                                "summary": "Дар хиштпазии Ногинск бе музд кор кард"})
    cs.add_event(admin, case["id"], "note", NEW_NOTE)
    admin.conn.close()
    keys.forget_key(office_db)

    journey = log_in_as("field", language)
    people = journey.go(tr("people", "People"))
    journey.type_into_widget(people.search, "Шоҳмирзоев Зафарҷон")
    journey.qtbot.waitUntil(lambda: not people.search_timer.isActive())
    journey.settle()
    assert people.model.rowCount() == 1
    # Enter opens the person's page (beside the list, or in its place at 1366x768)
    people.table.setFocus()
    people.table.setCurrentIndex(people.model.index(0, 0))
    QTest.keyClick(people.table, Qt.Key.Key_Return)
    journey.settle()

    def correct(dialog) -> None:
        dialog.form.birth_date.setFocus()
        dialog.form.birth_date.selectAll()            # typing replaces the date shown
        type_text(dialog.form.birth_date, "01.05.2012")
        save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
        journey.click(save.text() or qt_text("Save"), dialog)
    with journey.dialog(correct):
        journey.click(tr("people", "Edit"), people.detail)
    journey.settle()

    conn = journey.window.ctx.conn
    assert conn.execute("SELECT birth_date FROM person WHERE id=?",
                        (person["id"],)).fetchone()[0] == "2012-05-01"
    stored = conn.execute("SELECT sensitive, summary FROM hotline_case WHERE id=?",
                          (case["id"],)).fetchone()
    assert stored[0] == 1 and sensitive.is_sealed(stored[1])
    texts = [r[0] for r in conn.execute("SELECT text FROM case_event WHERE case_id=?",
                                        (case["id"],))]
    assert texts and all(sensitive.is_sealed(t) for t in texts if t)
    assert "Ногинск" not in str(conn.execute(
        "SELECT fields FROM change_log WHERE record_id=?", (case["id"],)).fetchall())
    journey.assert_no_problems()
