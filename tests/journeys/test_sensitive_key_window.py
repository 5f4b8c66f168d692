"""The administrator sets the sensitive-case key up from the Administration page: the
sensitive cases are sealed in the file, and a case worker still reads them in the case
window. A mistake (the two passphrases differ, a wrong password) writes nothing; users who
may not set the key up do not see the button."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from desktop_app.store.access import open_database
from desktop_app.store.cases import repositories as sc
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from desktop_app.ui.security.sensitive_key import SensitiveKeyDialog
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import plain, tr
from tests.journeys.test_sealed_cases import _facts_of_case

PASSPHRASE = "olma-gilos-anor-shaftoli"


def _case_for_the_case_worker(office_db) -> tuple[str, str, str]:
    """A sensitive case assigned to the case worker, who has logged in before (so that the
    set-up leaves the key for their next login): (id, number, summary)."""
    security.login(office_db, "caseworker", PASSWORDS["caseworker"]).conn.close()
    keys.forget_key(office_db)
    admin = security.login(office_db, "admin", PASSWORDS["admin"])
    case_id, number, summary = admin.conn.execute(
        "SELECT id, number, summary FROM hotline_case WHERE sensitive=1 AND deleted=0 AND"
        " length(summary) > 20 AND status IN ('new', 'in_progress', 'referred')"
        " ORDER BY opened_on DESC LIMIT 1").fetchone()
    caseworker = admin.conn.execute(
        "SELECT id FROM app_user WHERE username='caseworker'").fetchone()[0]
    sc.CaseRepository(admin).update(case_id, {"assigned_to": caseworker})
    admin.conn.close()
    keys.forget_key(office_db)
    return case_id, number, summary


def _stored_summary(office_db, case_id: str) -> str:
    conn = open_database(office_db)
    try:
        return conn.execute("SELECT summary FROM hotline_case WHERE id=?",
                            (case_id,)).fetchone()[0]
    finally:
        conn.close()


def _public_key(office_db) -> str | None:
    conn = open_database(office_db)
    try:
        return sensitive.public_key(conn)
    finally:
        conn.close()


def _backups(office_db) -> list[str]:
    folder = office_db.parent / "backups"
    return sorted(p.name for p in folder.glob("*before-sensitive-key*.db")) \
        if folder.is_dir() else []


def _open_dialog(journey, act) -> None:
    page = journey.go(tr("security", "Administration"))
    journey.tab(tr("security", "Users and roles"), page)
    with journey.dialog(act):
        journey.click(tr("security", "Sensitive-case key…"), page)
    journey.settle()


def _fill(journey, dialog, passphrase: str, repeat: str, password: str) -> None:
    journey.type_text(tr("security", "&Passphrase:"), passphrase, dialog)
    journey.type_text(tr("security", "&Repeat the passphrase:"), repeat, dialog)
    journey.type_text(tr("security", "Your pass&word:"), password, dialog)


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_administrator_seals_the_sensitive_cases_from_the_window(
        log_in_as, office_db, language):
    case_id, number, summary = _case_for_the_case_worker(office_db)
    assert _stored_summary(office_db, case_id) == summary
    journey = log_in_as("admin", language)
    seen = {}

    def set_up(dialog) -> None:
        assert isinstance(dialog, SensitiveKeyDialog)
        _fill(journey, dialog, PASSPHRASE, PASSPHRASE, PASSWORDS["admin"])
        # Enter in the last field seals (the primary button is the default)
        QTest.keyClick(dialog.password, Qt.Key.Key_Return)
        journey.settle()
        journey.check_window(dialog)
        seen["status"] = dialog.status.text()
        seen["error"] = dialog.error.isVisible()
        if os.environ.get("HAMROH_GRAB"):
            dialog.grab().save(os.environ["HAMROH_GRAB"].replace(".png", f"-{language}.png"))
        journey.click(tr("core", "Close"), dialog)
    _open_dialog(journey, set_up)
    assert not seen["error"]
    backups = _backups(office_db)
    assert len(backups) == 1
    fingerprint = sensitive.fingerprint(_public_key(office_db) or "")
    status = seen["status"]
    assert backups[0] in status and fingerprint in status
    assert status.startswith(tr("security", "Sensitive cases are sealed ({count} sealed now); "
                                "a backup was written to {path}.").split("{count}")[0])
    stored = _stored_summary(office_db, case_id)
    assert sensitive.is_sealed(stored) and summary not in stored
    # the administrator's own window holds the key at once (no new login needed)
    ui_session = journey.window.ctx.session
    assert sensitive.reveal(ui_session, "hotline_case", case_id, "summary", stored) == summary
    journey.assert_no_problems()
    journey.window.close()
    keys.forget_key(office_db)

    reader = log_in_as("caseworker", language)
    facts = _facts_of_case(reader, number)
    assert summary in facts and sensitive.unreadable_message() not in facts
    reader.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_mistake_shows_why_and_writes_nothing(log_in_as, office_db, language):
    before = _public_key(office_db)
    assert before is None
    journey = log_in_as("admin", language)
    errors = []

    def mistakes(dialog) -> None:
        _fill(journey, dialog, PASSPHRASE, PASSPHRASE + "x", PASSWORDS["admin"])
        journey.click(tr("security", "&Seal sensitive cases"), dialog)
        errors.append(dialog.error.text() if dialog.error.isVisible() else "")
        _fill(journey, dialog, PASSPHRASE, PASSPHRASE, "not-my-password")
        journey.click(tr("security", "&Seal sensitive cases"), dialog)
        errors.append(dialog.error.text() if dialog.error.isVisible() else "")
        journey.check_window(dialog)
        # the passphrases typed are kept for another try; the wrong password is not
        assert dialog.passphrase.text() == PASSPHRASE and dialog.password.text() == ""
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
        assert not dialog.isVisible()
    _open_dialog(journey, mistakes)
    assert errors == [tr("security", "The two passphrases differ."),
                      tr("security", "Your password is wrong.") + " "
                      + tr("security", "Nothing was changed.")]
    assert _public_key(office_db) is None and _backups(office_db) == []
    conn = open_database(office_db)
    try:
        assert sensitive.plain_sensitive_case_ids(conn)
        assert conn.execute("SELECT count(*) FROM hotline_case WHERE summary LIKE 'hs1:%'"
                            ).fetchone()[0] == 0
    finally:
        conn.close()
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
@pytest.mark.parametrize("username", ["field", "coordinator"])
def test_only_an_administrator_sees_the_button(log_in_as, username, language):
    journey = log_in_as(username, language)
    nav = journey.window.nav
    pages = [nav.item(row).text() for row in range(nav.count())]
    administration = tr("security", "Administration")
    if username == "field":
        assert administration not in pages
    else:                                   # the coordinator reads the audit log there
        journey.go(administration)
    wanted = plain(tr("security", "Sensitive-case key…"))
    assert not [b for b in journey.window.findChildren(QAbstractButton)
                if plain(b.text()) == wanted and b.isVisible()]
    journey.assert_no_problems()
