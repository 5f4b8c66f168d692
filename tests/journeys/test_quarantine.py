"""The coordinator's administrator reviews changes set aside from a revoked device on the
Sync page, applies them with a reason, and trusts the device again, through the real main
window (before this, both were command-line only: ``bundle quarantine``, ``device trust
--again``)."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QLineEdit

from desktop_app.demo import create_demo, default_arguments
from desktop_app.i18n import format_number
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import exchange, keys
from tests.helpers.replicas import ORG_KEY, exchange_files
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import log_in, tr


@pytest.fixture
def coordinator_with_changes_set_aside(make_replicas, tmp_path):
    """The coordinator revoked TJB's laptop; a person registered on it afterwards reached
    the coordinator through GRM's bundle and was set aside."""
    grm, tjb = make_replicas(["GRM", "TJB"])
    late = PersonRepository(tjb.session).create({"family_name": "Назарова",
                                                 "given_name": "Мунира"})
    exchange_files(tjb, grm, tmp_path / "between-offices")
    relay = tmp_path / "GRM-to-coordinator.hamroh"
    exchange.export_bundle(grm.conn, relay, target="coordinator")
    tjb_identity = keys.load_identity(tjb.conn)

    def set_aside(session, _args):
        keys.set_org_key(session.conn, ORG_KEY)
        for office in (grm, tjb):
            identity = keys.load_identity(office.conn)
            keys.trust(session.conn, identity.public_key, device_id=identity.device_id,
                       office_code=office.name, name=identity.name)
        keys.revoke(session.conn, tjb_identity.fingerprint)
        summary = exchange.import_bundle(session.conn, relay, actor=session.actor)
        assert summary.quarantined >= 1
        return session
    path = tmp_path / "coordinator.db"
    session = create_demo(path, default_arguments(coordinator=True, people=0, cases=0,
                                                  trainings=0, loans=0),
                          setup_hook=set_aside)
    session.conn.close()
    return path, late["id"], tjb_identity


def _answer(text: str):
    def act(dialog) -> None:
        assert isinstance(dialog, QInputDialog), type(dialog).__name__
        box = dialog.findChild(QLineEdit)
        box.insert(text)
        dialog.accept()
    return act


@pytest.mark.parametrize("language", ["en", "tg"])
def test_administrator_applies_changes_set_aside_and_trusts_the_device_again(
        qtbot, coordinator_with_changes_set_aside, language):
    database, late_id, tjb = coordinator_with_changes_set_aside
    journey = log_in(qtbot, database, "admin", PASSWORDS["admin"], language)
    try:
        session = journey.window.ctx.session
        page = journey.go(tr("sync", "Sync"))
        tab = journey.tab(tr("sync", "Set aside"), page)
        journey.check_window()
        rows = journey.rows(page.quarantine)
        assert len(rows) == 1 and rows[0][1] == "TJB", rows
        waiting = exchange.quarantined(session.conn)[0]["changes"]
        assert rows[0][2] == format_number(waiting)
        # no reason, no decision
        page.quarantine.selectRow(0)
        journey.settle()
        journey.click(tr("sync", "Apply the changes"), tab)
        assert page.quarantine_message.text() == tr(
            "sync", "Write the reason for this decision first.")
        assert PersonRepository(session).get(late_id) is None
        journey.type_text(tr("sync", "Reason"), "TJB laptop found; the registrations are real",
                          tab)
        journey.click(tr("sync", "Apply the changes"), tab)
        journey.qtbot.waitUntil(lambda: page.quarantine.rowCount() == 0, timeout=30000)
        assert PersonRepository(session).get(late_id)["family_name"] == "Назарова"
        assert page.quarantine_message.text() == tr(
            "sync", "{count} changes from device {device} were applied.").format(
                count=format_number(waiting), device=tjb.device_id)
        decided = session.conn.execute(
            "SELECT detail FROM audit_log WHERE action='sync_quarantine_release'").fetchone()
        assert decided and "TJB laptop found" in decided[0]
        journey.check_window()

        # ---- the device itself: trusted again, with a reason --------------------------
        setup = journey.tab(tr("sync", "Set-up"), page)
        fingerprints = [row[0] for row in journey.rows(page.devices)]
        page.devices.selectRow(fingerprints.index(tjb.fingerprint))
        journey.settle()
        with journey.dialog(_answer("revoked by mistake")):
            journey.click(tr("sync", "Trust again…"), setup)
        journey.qtbot.waitUntil(
            lambda: keys.trust_status(session.conn, tjb.public_key) == "trusted", timeout=30000)
        journey.settle()
        statuses = {row[0]: row[3] for row in journey.rows(page.devices)}
        assert statuses[tjb.fingerprint] == tr("sync", "trusted")
        retrust = session.conn.execute(
            "SELECT detail FROM audit_log WHERE action='sync_device_retrust'").fetchone()
        assert retrust and "revoked by mistake" in retrust[0]
        journey.check_window()
        journey.assert_no_problems()
    finally:
        journey.window.close()


def test_the_review_is_not_offered_to_other_roles(qtbot, coordinator_with_changes_set_aside):
    database, _late_id, _tjb = coordinator_with_changes_set_aside
    # the coordinator role sees the Sync page but does not decide whom to trust
    journey = log_in(qtbot, database, "coordinator", PASSWORDS["coordinator"], "en")
    try:
        page = journey.go(tr("sync", "Sync"))
        texts = [page.tabs.tabText(i) for i in range(page.tabs.count())
                 if page.tabs.isTabVisible(i)]
        assert tr("sync", "Set aside") not in texts
        assert not page.retrust_button.isVisible()
    finally:
        journey.window.close()
