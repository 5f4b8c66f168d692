"""The Sync page, clicked through offscreen."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop_app import i18n
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import exchange, keys
from desktop_app.ui import operations
from desktop_app.ui.app import build_context
from desktop_app.ui.field_labels import field_label
from desktop_app.ui.sync.page import PERSON_ROWS, SyncPage
from tests.helpers.replicas import exchange_files


def _page(qtbot, replica):
    ctx = build_context(replica.path, session=replica.session)
    page = SyncPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    return page, ctx


def _click(qtbot, page, name):
    button = page.findChild(QPushButton, name)
    assert button is not None
    qtbot.mouseClick(button, Qt.LeftButton)


def _select_row(table, row=0):
    table.selectRow(row)


def test_bundle_out_and_in_with_summary(qtbot, make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    PersonRepository(grm.session).create({"family_name": "Раҳмонов", "given_name": "Фарҳод"})
    office_page, office_ctx = _page(qtbot, grm)
    office_page.show()
    target = tmp_path / "grm.hamroh"
    office_page.choose_save_path = lambda t: str(target)
    assert office_page.for_coordinator.isVisible() and not office_page.for_office.isVisible()
    _click(qtbot, office_page, "bundle_for_coordinator")
    qtbot.waitUntil(lambda: office_page.task is None, timeout=20000)
    assert target.exists() and "3 changes" in office_page.summary.text()

    page, ctx = _page(qtbot, dsh)
    page.show()
    assert page.for_office.isVisible()
    page.choose_open_paths = lambda: [str(target)]
    _click(qtbot, page, "import_bundle")
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    assert "3 new" in page.summary.text()
    assert page.history.rowCount() == 1 and page.peers.rowCount() == 1
    # a coordinator now offers a bundle for GRM
    assert page.office_box.findData("GRM") >= 0
    page.grab().save(str(tmp_path / "sync-page.png"))
    # a bad file: one clear message, nothing imported
    bad = tmp_path / "bad.hamroh"
    bad.write_bytes(b"not a bundle at all")
    page.import_files([str(bad)])
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    assert "is not a Hamroh sync bundle" in page.summary.text()
    ctx.worker.stop()
    office_ctx.worker.stop()


def test_conflict_resolved_by_taking_the_other_value(qtbot, make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = PersonRepository(grm.session).create({"family_name": "Karimov", "given_name": "Aziz"})
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    PersonRepository(dsh.session).update(p["id"], {"village": "Garm"})
    exchange_files(grm, dsh, tmp_path / "b")
    page, ctx = _page(qtbot, dsh)
    page.tabs.setCurrentIndex(2)
    assert page.conflicts.rowCount() == 1
    in_use = PersonRepository(dsh.session).get(p["id"])["village"]
    other = {"Navdi", "Garm"} - {in_use}
    _select_row(page.conflicts)
    _click(qtbot, page, "take_other")
    assert operations.wait_idle(ctx)       # the write runs on the DB worker
    assert PersonRepository(dsh.session).get(p["id"])["village"] in other
    assert page.conflicts.rowCount() == 0
    ctx.worker.stop()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_conflict_times_are_local_dates_and_times_not_utc_text(qtbot, make_replicas, tmp_path,
                                                              lang):
    from desktop_app.i18n import format_datetime, set_language
    from desktop_app.sync.conflicts import hlc_time, list_conflicts
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = PersonRepository(grm.session).create({"family_name": "Karimov", "given_name": "Aziz"})
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    PersonRepository(dsh.session).update(p["id"], {"village": "Garm"})
    exchange_files(grm, dsh, tmp_path / "b")
    set_language(lang)
    page, ctx = _page(qtbot, dsh)
    conflict = list_conflicts(dsh.conn)[0]
    when = hlc_time(conflict.winner_hlc)
    assert when is not None and when.utcoffset() is not None
    shown = page.conflicts.item(0, 2).text()
    local = when.astimezone()
    assert format_datetime(conflict.winner_time, lang) in shown
    assert f"{local:%d.%m.%Y %H:%M}" in shown
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown)
    ctx.worker.stop()


def _duplicates_at_coordinator(qtbot, grm, tjb, dsh, tmp_path):
    """Both offices' bundles imported at the coordinator; its Sync page on the Duplicates
    tab with the one pair they make chosen."""
    exchange_files(grm, dsh, tmp_path / "b")
    exchange_files(tjb, dsh, tmp_path / "b")
    page, ctx = _page(qtbot, dsh)
    page.tabs.setCurrentIndex(3)
    assert page.duplicates.rowCount() == 1
    _select_row(page.duplicates)
    return page, ctx


def test_duplicates_side_by_side_merge_and_undo(qtbot, make_replicas, tmp_path):
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    a = PersonRepository(grm.session).create({"family_name": "Раҳмонов", "given_name": "Фарҳод",
                                              "birth_date": "1990-03-07",
                                              "district": "TJ-RASHT"})
    b = PersonRepository(tjb.session).create({"family_name": "Rahmonov", "given_name": "Farhod",
                                              "birth_date": "1990-03-07"})
    page, ctx = _duplicates_at_coordinator(qtbot, grm, tjb, dsh, tmp_path)
    shown = {page.left_values[0].text(), page.right_values[0].text()}
    assert shown == {"Раҳмонов", "Rahmonov"}
    # dates and places as the People page shows them, not ISO dates and codes
    rows = [key for key, _label in PERSON_ROWS]
    birth, district = rows.index("birth_date"), rows.index("district")
    assert page.left_values[birth].text() == "07.03.1990"
    assert "TJ-RASHT" not in {page.left_values[district].text(),
                              page.right_values[district].text()}
    assert "Rasht" in {page.left_values[district].text(), page.right_values[district].text()}
    left_is_a = page.left_values[0].text() == "Раҳмонов"
    _click(qtbot, page, "merge_keep_left")
    assert operations.wait_idle(ctx)
    survivor, duplicate = (a, b) if left_is_a else (b, a)
    repo = PersonRepository(dsh.session)
    assert repo.get(duplicate["id"])["merged_into"] == survivor["id"]
    _select_row(page.duplicates)
    _click(qtbot, page, "unmerge")
    assert operations.wait_idle(ctx)
    assert repo.get(duplicate["id"])["merged_into"] is None
    ctx.worker.stop()


def test_setup_passphrase_trust_and_revoke(qtbot, make_replicas):
    (grm,) = make_replicas(["GRM"])
    grm.conn.execute("DELETE FROM sync_identity WHERE name='org_key'")
    page, ctx = _page(qtbot, grm)
    page.tabs.setCurrentIndex(1)
    page.passphrase.setText("short")
    _click(qtbot, page, "set_passphrase")
    assert operations.wait_idle(ctx)       # set-up changes run on the DB worker
    assert "at least" in page.setup_message.text()
    assert not keys.has_passphrase(grm.conn)
    page.passphrase.setText("Rasht valley 2026 sync")
    _click(qtbot, page, "set_passphrase")
    assert operations.wait_idle(ctx)
    assert keys.has_passphrase(grm.conn)
    assert page.fp_value.text() == keys.load_identity(grm.conn).fingerprint
    page.trust_fp.setText("1a2b 3c4d 5e6f 7a8b 9c0d")
    _click(qtbot, page, "trust")
    assert operations.wait_idle(ctx)
    fps = [page.devices.item(r, 0).text() for r in range(page.devices.rowCount())]
    row = fps.index("1A2B-3C4D-5E6F-7A8B-9C0D")
    _select_row(page.devices, row)
    _click(qtbot, page, "revoke")
    assert operations.wait_idle(ctx)
    assert keys.devices(grm.conn)[[d.fingerprint for d in keys.devices(grm.conn)].index(
        "1A2B-3C4D-5E6F-7A8B-9C0D")].status == "revoked"
    assert exchange.peers(grm.conn) == []
    ctx.worker.stop()


def test_bundle_for_one_device_chosen_on_the_page(qtbot, make_replicas, tmp_path):
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    exchange_files(grm, dsh, tmp_path / "setup", target="coordinator")   # DSH learns GRM's key
    PersonRepository(dsh.session).create({"family_name": "Nazarova", "given_name": "Dilnoza",
                                          "office_id": grm.session.office_id})
    for replica in (grm, dsh):   # neither side needs the passphrase for such a bundle
        replica.conn.execute("DELETE FROM sync_identity WHERE name='org_key'")
    page, ctx = _page(qtbot, dsh)
    page.show()
    box = page.recipient_box
    grm_fp = keys.load_identity(grm.conn).fingerprint
    assert box.itemData(0) is None and box.findData(grm_fp) > 0
    assert "GRM" in box.itemText(box.findData(grm_fp))
    box.setCurrentIndex(box.findData(grm_fp))
    page.office_box.setCurrentIndex(page.office_box.findData("GRM"))
    target = tmp_path / "for-grm.hamroh"
    page.choose_save_path = lambda t: str(target)
    _click(qtbot, page, "bundle_for_office")
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    assert target.exists(), page.summary.text()

    other_page, other_ctx = _page(qtbot, tjb)
    other_page.import_files([str(target)])
    qtbot.waitUntil(lambda: other_page.task is None, timeout=20000)
    assert "addressed to another device" in other_page.summary.text()

    office_page, office_ctx = _page(qtbot, grm)
    office_page.import_files([str(target)])
    qtbot.waitUntil(lambda: office_page.task is None, timeout=20000)
    assert "Nazarova" in {r[0] for r in grm.conn.execute("SELECT family_name FROM person")}
    for c in (ctx, other_ctx, office_ctx):
        c.worker.stop()


def test_changes_set_aside_from_a_revoked_device_are_said(qtbot, make_replicas, tmp_path):
    tjb, nur, dsh = make_replicas(["TJB", "NUR", "DSH"])
    exchange_files(tjb, dsh, tmp_path / "x", target="coordinator")
    keys.revoke(dsh.conn, keys.load_identity(tjb.conn).fingerprint)
    PersonRepository(tjb.session).create({"family_name": "Саидов", "given_name": "Олим"})
    exchange_files(tjb, nur, tmp_path / "x")
    relay = tmp_path / "NUR-to-coordinator.hamroh"
    exchange.export_bundle(nur.conn, relay)
    page, _ctx = _page(qtbot, dsh)
    page.import_files([str(relay)])
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    assert "made on revoked devices were set aside" in page.summary.text()


def test_setup_shows_office_and_fingerprint_before_any_passphrase(qtbot, make_replicas):
    (grm,) = make_replicas(["GRM"])
    grm.conn.execute("DELETE FROM sync_identity")
    page, ctx = _page(qtbot, grm)
    page.tabs.setCurrentIndex(1)
    assert operations.wait_idle(ctx)
    assert page.office_value.text() == "GRM"
    assert page.fp_value.text() == keys.load_identity(grm.conn, create=False).fingerprint
    ctx.worker.stop()


def test_import_shows_the_stage_and_the_count_of_changes(qtbot, make_replicas):
    from desktop_app.ui.sync.tasks import import_stages
    (grm,) = make_replicas(["GRM"])
    page, ctx = _page(qtbot, grm)
    seen = []
    report = import_stages(lambda done, total, stage: seen.append((done, total, stage)) or True,
                           2, 3, "dsh.hamroh")
    assert report(1000, 3001)
    page._on_progress(*seen[-1])
    assert "Bundle 2 of 3 (dsh.hamroh)" in page.summary.text()
    assert "1,000 of 3,001 changes" in page.summary.text()
    assert page.progress.maximum() == 3001 and page.progress.value() == 1000
    report(3001, 3001)
    page._on_progress(*seen[-1])
    assert "duplicates" in page.summary.text()
    assert page.progress.maximum() == 0       # moving, not standing full
    ctx.worker.stop()


@pytest.mark.parametrize("lang,bundle,stage", [
    ("en", "Bundle 1 of 1 (dsh.hamroh)", "taking back what it saved"),
    ("tg", "Баста 1 аз 1 (dsh.hamroh)", "он чи сабт карда буд, бекор карда мешавад")])
def test_the_undo_of_a_stopped_import_shows_its_own_stage(qtbot, make_replicas, lang, bundle,
                                                          stage):
    from desktop_app.i18n import set_language
    from desktop_app.ui.sync.tasks import undo_stage
    (grm,) = make_replicas(["GRM"])
    set_language(lang)
    page, ctx = _page(qtbot, grm)
    seen = []
    report = undo_stage(lambda done, total, stage: seen.append((done, total, stage)) or True,
                        1, 1, "dsh.hamroh")
    report(400, 1200)
    page._on_progress(*seen[-1])
    assert bundle in page.summary.text()
    assert stage in page.summary.text()
    assert page.progress.maximum() == 1200 and page.progress.value() == 400
    ctx.worker.stop()


def test_empty_review_lists_say_what_fills_them(qtbot, make_replicas):
    (grm,) = make_replicas(["GRM"])
    page, ctx = _page(qtbot, grm)
    page.show()
    for table, empty in ((page.conflicts, page.conflicts_empty),
                         (page.duplicates, page.duplicates_empty),
                         (page.history, page.history_empty)):
        assert table.rowCount() == 0
        assert not table.isVisibleTo(page) and empty.message()
    ctx.worker.stop()


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_a_date_in_conflict_reads_as_the_language_writes_dates(lang):
    from desktop_app.i18n import set_language
    from desktop_app.ui.sync.page import _show_value
    set_language(lang)
    assert _show_value("1991-03-07") == "07.03.1991"
    assert _show_value("Garm") == "Garm" and _show_value(None) != ""


@pytest.mark.parametrize("lang,village", [("en", "Village"), ("tg", "Деҳа")])
def test_a_conflict_names_the_field_as_the_form_does(qtbot, make_replicas, tmp_path, lang,
                                                     village):
    from desktop_app.i18n import set_language
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = PersonRepository(grm.session).create({"family_name": "Karimov", "given_name": "Aziz"})
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    PersonRepository(dsh.session).update(p["id"], {"village": "Garm"})
    exchange_files(grm, dsh, tmp_path / "b")
    set_language(lang)
    page, ctx = _page(qtbot, dsh)
    assert page.conflicts.item(0, 1).text() == village          # not "village"
    assert page.conflicts.item(0, 0).text().startswith("Karimov")
    ctx.worker.stop()


def test_values_in_conflict_read_as_the_form_shows_them(qtbot, make_replicas, tmp_path):
    """Codes of lists by their names, yes or no: not «TJ-RASHT», «1»."""
    from desktop_app.i18n import set_language
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = PersonRepository(grm.session).create({"family_name": "Karimov", "given_name": "Aziz"})
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"district": "TJ-RASHT",
                                                   "education": "primary"})
    PersonRepository(dsh.session).update(p["id"], {"district": "TJ-TOJIKOBOD",
                                                   "education": "secondary"})
    exchange_files(grm, dsh, tmp_path / "b")
    set_language("tg")
    page, ctx = _page(qtbot, dsh)
    rows = {page.conflicts.item(r, 1).text(): {page.conflicts.item(r, c).text().split(" (")[0]
                                               for c in (2, 3)}
            for r in range(page.conflicts.rowCount())}
    assert rows == {"Ноҳия": {"Рашт", "Тоҷикобод"}, "Маълумот": {"Ибтидоӣ", "Миёна"}}
    assert page._conflict_value("person", "disability", 1) == "Ҳа"
    assert page._conflict_value("training_session", "minutes", 90) == "1,5"
    assert page._conflict_value("person", "sex", "female") == "Зан"
    loans = i18n.Domain("loans")
    assert page._conflict_value("loan", "status", "disbursed") == loans.pgettext(
        "loan status", "Active") != "Active"
    assert page._conflict_value("person", "migration_status", "abroad") == i18n.Domain(
        "people").gettext("Abroad") != "Abroad"
    ctx.worker.stop()


def test_every_synced_field_has_the_label_of_its_form():
    """A conflict can be on any field of a synced table: each one has a label (one mapping,
    shared with the audit log), translated in every language."""
    from desktop_app import i18n
    from desktop_app.store.repository import Repository
    from desktop_app.sync.scope import load_repositories
    from desktop_app.ui.field_labels import field_label, field_message
    load_repositories()
    missing = [f"{table}.{field}" for table, cls in Repository.synced_tables().items()
               for field in cls.fields if field_message(table, field) is None]
    assert missing == []
    i18n.set_language("ru")
    assert field_label("person", "family_name") == "Фамилия"
    assert field_label("loan_fund", "name") == "Название"            # not «Имя»
    assert field_label("app_user", "active") == "Активный"
    i18n.set_language("tg")
    assert field_label("loan", "status") == "Ҳолат"
    assert field_label("reference_item", "active") == "Истифода мешавад"


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_amounts_in_conflict_read_as_money_in_the_records_currency(qtbot, make_replicas,
                                                                     tmp_path, lang):
    """Wages are kept in kopecks (4500000): the conflict list shows 45 000,00 рубл, and
    the case's status and category by their names, not «4500000», «in_progress»."""
    from decimal import Decimal

    from desktop_app.i18n import format_money, set_language
    from desktop_app.store import reference
    from desktop_app.store.cases import services as cs
    from desktop_app.store.cases.repositories import CaseRepository
    grm, dsh = make_replicas(["GRM", "DSH"])
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "unpaid_wages",
                                      "summary": "Not paid for two months"})
    exchange_files(grm, dsh, tmp_path / "b")
    CaseRepository(grm.session).update(case["id"], {
        "wages_recovered_minor": 4500000, "wages_currency": "RUB", "status": "in_progress"})
    CaseRepository(dsh.session).update(case["id"], {
        "wages_recovered_minor": 3000050, "wages_currency": "RUB", "status": "referred"})
    exchange_files(grm, dsh, tmp_path / "b")
    set_language(lang)
    page, ctx = _page(qtbot, dsh)
    rows = {page.conflicts.item(r, 1).text(): {page.conflicts.item(r, c).text().split(" (")[0]
                                               for c in (2, 3)}
            for r in range(page.conflicts.rowCount())}
    wages = field_label("hotline_case", "wages_recovered_minor")
    status = field_label("hotline_case", "status")
    assert rows[wages] == {format_money(Decimal("45000.00"), "RUB", lang),
                           format_money(Decimal("30000.50"), "RUB", lang)}
    assert rows[status] == {reference.label(dsh.conn, "case_status", code, lang)
                            for code in ("in_progress", "referred")}
    ctx.worker.stop()


@pytest.mark.parametrize("lang", ["en", "tg"])
def test_a_sealed_value_in_conflict_is_opened_for_a_key_holder_and_hidden_from_others(
        qtbot, make_replicas, tmp_path, lang):
    from desktop_app import i18n
    from desktop_app.store.cases import repositories as sc
    from desktop_app.store.cases import services as cs
    from desktop_app.store.security import sensitive
    from desktop_app.store.session import set_meta
    i18n.set_language(lang)
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = sensitive.key_from_passphrase("olma-gilos-anor-shaftoli")
    for replica in (grm, dsh):
        set_meta(replica.session.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
        sensitive.hold(replica.session, key)
    case = cs.open_case(grm.session, dict(channel="hotline", category="trafficking",
                                          summary="Паспорташро гирифтанд"))
    exchange_files(grm, dsh, tmp_path / "b")
    # the two offices' case workers change what happened at the same time
    sc.CaseRepository(grm.session).update(case["id"], {"summary": "Дар Маскав"})
    sc.CaseRepository(dsh.session).update(case["id"], {"summary": "Дар Тошкент"})
    exchange_files(grm, dsh, tmp_path / "b")
    page, ctx = _page(qtbot, dsh)
    page.refresh()

    def sides() -> set[str]:
        assert page.conflicts.rowCount() == 1
        return {page.conflicts.item(0, c).text().split(" (")[0] for c in (2, 3)}
    assert sides() == {"Дар Маскав", "Дар Тошкент"}
    sensitive._HELD.pop(dsh.session, None)        # noqa: SLF001 - a user without the key
    page.refresh()
    assert sides() == {sensitive.sealed_short()}
    assert "hs1:" not in page.conflicts.item(0, 2).text()
    ctx.worker.stop()


def test_duplicates_show_the_other_offices_values_as_text(qtbot, make_replicas, tmp_path):
    """A name that looks like HTML (<img src=...> loads a file) is shown as typed."""
    from PySide6.QtGui import Qt as QtGui
    hostile = '<img src="/nonexistent/a.png" width=800 height=800><b>Rahmonov</b>'
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    PersonRepository(grm.session).create({"family_name": "Rahmonov", "given_name": "Farhod",
                                          "birth_date": "1990-03-07"})
    PersonRepository(tjb.session).create({"family_name": "Rahmonov", "given_name": "Farhod",
                                          "birth_date": "1990-03-07", "village": hostile})
    page, ctx = _duplicates_at_coordinator(qtbot, grm, tjb, dsh, tmp_path)
    shown = [label for label in page.left_values + page.right_values
             if label.text() == hostile]
    assert shown
    assert all(label.textFormat() == Qt.PlainText or (
        label.textFormat() == Qt.AutoText and not QtGui.mightBeRichText(label.text()))
        for label in shown)
    ctx.worker.stop()
