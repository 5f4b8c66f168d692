"""What the sensitive-case key leaves to people, through the real main window: the
administrator is told which readers wait for the key and gives it with a password reset;
a field officer writing over sealed outcome notes is told they are sealed and what he
writes is kept; the Sync page shows the texts of a sensitive case in conflict as
"(sealed)" to roles that may not read them."""
from __future__ import annotations

import json
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit

from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import tr
from tests.journeys.test_sealed_cases import PASSPHRASE, sealed_office  # noqa: F401
from tests.journeys.work import closed


def _admin(office_db):
    keys.forget_key(office_db)
    return security.login(office_db, "admin", PASSWORDS["admin"])


# ---- readers waiting for the key -----------------------------------------------------------
@pytest.fixture
def reader_waiting(office_db) -> str:
    """The inspector made a case worker (no password known then: no signed box), who logs
    in before the key is set up: the key cannot reach her. Her full name."""
    admin = _admin(office_db)
    user_id, name = admin.conn.execute(
        "SELECT id, display_name FROM app_user WHERE username='inspector'").fetchone()
    security.UserAdmin(admin, office_db).set_role(user_id, "case_worker")
    admin.conn.close()
    keys.forget_key(office_db)
    security.login(office_db, "inspector", PASSWORDS["inspector"]).conn.close()
    admin = _admin(office_db)
    security.UserAdmin(admin, office_db).set_up_sensitive_key(PASSWORDS["admin"], PASSPHRASE)
    admin.conn.close()
    keys.forget_key(office_db)
    return name


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_administrator_is_told_who_waits_for_the_key_and_gives_it(
        log_in_as, office_db, reader_waiting, language):
    journey = log_in_as("admin", language)
    page = journey.go(tr("security", "Administration"))
    users = page.users
    notice = users.key_notice
    assert notice.isVisible()
    assert notice.text() == sensitive.waiting_notice([reader_waiting])   # in the language
    if language == "tg":
        assert "may read sensitive cases" not in notice.text()
    journey.check_window(page)
    if os.environ.get("HAMROH_GRAB"):
        journey.window.grab().save(os.environ["HAMROH_GRAB"].replace(".png", "-admin.png"))
    # reset her password from the same tab
    row = [r[1] for r in journey.rows(users.table)].index(reader_waiting)
    users.table.selectRow(row)

    def reset(dialog) -> None:
        field = dialog.findChild(QLineEdit, "password")
        journey.type_into_widget(field, "temporary-pass-1")
        journey.click(_ok_text(dialog), dialog)
    with journey.dialog(closed(reset)):
        journey.click(tr("security", "Reset password…"), users)
    assert not notice.isVisible()
    journey.assert_no_problems()
    # the key comes with her next login
    keys.forget_key(office_db)
    reader = security.login(office_db, "inspector", "temporary-pass-1")
    assert sensitive.held(reader) is not None
    reader.conn.close()


def _ok_text(dialog) -> str:
    from PySide6.QtWidgets import QDialogButtonBox
    box = dialog.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok).text()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_coordinator_sees_no_such_notice(log_in_as, reader_waiting, language):
    journey = log_in_as("coordinator", language)
    page = journey.go(tr("security", "Administration"))
    assert page.users is None
    shown = " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisible())
    assert reader_waiting not in shown
    journey.assert_no_problems()


# ---- a field officer's notes over sealed ones ------------------------------------------------
SEALED_NOTES = "Дар паноҳгоҳи Душанбе"
TYPED_NOTES = "Модараш ӯро ба хона бурд"


@pytest.fixture
def sealed_notes(office_db, sealed_office):  # noqa: F811 - the fixture imported above
    """The field officer's sensitive case with outcome notes a case worker wrote (sealed):
    (case id, number)."""
    number = sealed_office["field"][0]
    admin = _admin(office_db)
    case_id = admin.conn.execute("SELECT id FROM hotline_case WHERE number=?",
                                 (number,)).fetchone()[0]
    sc.CaseRepository(admin).update(case_id, {"outcome_notes": SEALED_NOTES})
    admin.conn.close()
    keys.forget_key(office_db)
    return case_id, number


def _open_case(journey, number: str, act) -> None:
    page = journey.go(tr("cases", "Cases"))
    page.wait_idle()
    journey.type_into_widget(page.search, number)
    journey.qtbot.waitUntil(lambda: page.wait_idle() and len(journey.rows(page.table)) == 1,
                            timeout=30000)
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(0, 0))
    with journey.dialog(act):
        QTest.keyClick(page.table, Qt.Key.Key_Return)


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_field_officer_is_told_the_notes_are_sealed_and_what_he_writes_is_kept(
        log_in_as, office_db, sealed_notes, language):
    case_id, number = sealed_notes
    journey = log_in_as("field", language)
    seen: dict[str, object] = {}

    def act(dialog) -> None:
        journey.tab(tr("cases", "Outcome"), dialog)
        hint = dialog.notes_sealed
        assert hint.isVisible() and hint.text() == tr(
            "cases", "Sealed: only case workers, coordinators and administrators can read "
            "or change these notes. What you write here is added to the timeline as a note, "
            "sealed too; the sealed notes stay as they are.")
        assert SEALED_NOTES not in dialog.outcome_notes.text()
        assert "hs1:" not in dialog.outcome_notes.text()
        journey.check_window(dialog)
        if os.environ.get("HAMROH_GRAB"):
            dialog.grab().save(os.environ["HAMROH_GRAB"].replace(".png", "-outcome.png"))
        dialog.outcome.set_code("resolved")
        journey.type_text(tr("cases", "Notes"), TYPED_NOTES, dialog)
        journey.click(tr("cases", "Save outcome and resolve"), dialog)
        journey.tab(tr("cases", "Timeline"), dialog)
        seen["timeline"] = journey.rows(dialog.timeline)
        dialog.reject()
    _open_case(journey, number, closed(act))
    notes = [r[2] for r in seen["timeline"] if r[1] == tr("cases", "Note")]
    # his note is there, sealed for him too
    assert notes.count(sensitive.sealed_placeholder()) >= 2
    assert TYPED_NOTES not in str(seen["timeline"])
    journey.assert_no_problems()
    # a reader finds both: the notes as they were, and his as a timeline note
    admin = _admin(office_db)
    case = sensitive.reveal_record(admin, "hotline_case",
                                   sc.CaseRepository(admin).get(case_id))
    assert case["outcome_notes"] == SEALED_NOTES and case["status"] == "resolved"
    assert TYPED_NOTES in [e["text"] for e in cq.timeline(admin.conn, case_id, reader=admin)]
    admin.conn.close()


# ---- conflicts about the texts of a sensitive case ------------------------------------------
@pytest.fixture
def sensitive_conflict(office_db) -> tuple[str, str]:
    """A conflict about a sensitive case's summary between this office (without the key)
    and another office without it: both values are plain here. (in use, other)."""
    admin = _admin(office_db)
    conn = admin.conn
    case_id, summary = conn.execute(
        "SELECT id, summary FROM hotline_case WHERE sensitive=1 AND deleted=0 AND"
        " length(summary) > 20 ORDER BY opened_on DESC LIMIT 1").fetchone()
    other = "Корфармо паспортро барнагардонд"
    with admin.transaction():
        conn.execute(
            "INSERT INTO sync_conflict(table_name, record_id, field, winner_value, winner_hlc,"
            " winner_author, loser_value, loser_hlc, loser_author, found_at, bundle_id)"
            " VALUES ('hotline_case', ?, 'summary', ?, '1765000000000.0.a', NULL, ?,"
            " '1764000000000.0.b', NULL, '2026-12-01T10:00:00Z', 'b-1')",
            (case_id, json.dumps(summary, ensure_ascii=False),
             json.dumps(other, ensure_ascii=False)))
    conn.close()
    keys.forget_key(office_db)
    return summary, other


def _conflict_cells(journey) -> list[str]:
    page = journey.go(tr("sync", "Sync"))
    journey.settle()
    rows = journey.rows(page.conflicts)
    assert len(rows) == 1
    journey.check_window(page)
    return [rows[0][2].split(" (")[0], rows[0][3].split(" (")[0]]


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_sync_page_shows_a_sensitive_conflict_only_to_readers(
        log_in_as, sensitive_conflict, language):
    summary, other = sensitive_conflict
    field = log_in_as("field", language)
    cells = _conflict_cells(field)
    assert cells == [sensitive.sealed_short()] * 2        # "(sealed)" in the language
    if language == "tg":
        assert cells[0] != "(sealed)"
    field.assert_no_problems()
    field.window.close()
    worker = log_in_as("caseworker", language)
    assert _conflict_cells(worker) == [summary, other]
    worker.assert_no_problems()
