"""The coordinator's day through the real main window: import two offices' bundles, settle
the possible duplicate and the conflict they bring, build the quarter's report and save it
as PDF."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from desktop_app.demo import create_demo, default_arguments
from desktop_app.i18n import format_number
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import exchange, keys
from tests.helpers.pdf import page_count, pdf_text
from tests.helpers.replicas import ORG_KEY, exchange_files
from tests.journeys.conftest import PASSWORDS
from tests.journeys.driver import STALL_LIMIT, log_in, tr
from tests.journeys.work import save_and_measure


def _coordinator_database(path, offices):
    """A coordinator's demo database (users for every role, no people of its own) that
    knows the organisation's sync passphrase and trusts the offices' devices."""
    def trust_offices(session, _args):
        keys.set_org_key(session.conn, ORG_KEY)
        for office in offices:
            identity = keys.load_identity(office.conn)
            keys.trust(session.conn, identity.public_key, device_id=identity.device_id,
                       office_code=office.name, name=identity.name)
        return session
    session = create_demo(path, default_arguments(coordinator=True, people=0, cases=0,
                                                  trainings=0, loans=0),
                          setup_hook=trust_offices)
    session.conn.close()
    return path


# bundle file name -> how many changes it holds
CHANGES: dict[str, int] = {}


@pytest.fixture
def two_offices_bundles(make_replicas, tmp_path):
    """GRM and TJB register the same man under two spellings, and change the village of one
    shared record differently; each writes a bundle for the coordinator."""
    grm, tjb = make_replicas(["GRM", "TJB"])
    shared = PersonRepository(grm.session).create({"family_name": "Karimov",
                                                   "given_name": "Aziz"})
    exchange_files(grm, tjb, tmp_path / "between-offices")
    PersonRepository(grm.session).update(shared["id"], {"village": "Navdi"})
    PersonRepository(tjb.session).update(shared["id"], {"village": "Garm"})
    first = PersonRepository(grm.session).create({
        "family_name": "Раҳмонов", "given_name": "Фарҳод", "birth_date": "1990-03-07"})
    second = PersonRepository(tjb.session).create({
        "family_name": "Rahmonov", "given_name": "Farhod", "birth_date": "1990-03-07"})
    folder = tmp_path / "bundles"
    folder.mkdir()
    paths = []
    for office in (grm, tjb):
        path = folder / f"{office.name}.hamroh"
        written = exchange.export_bundle(office.conn, path, target="coordinator")
        CHANGES[path.name] = written.changes
        paths.append(str(path))
    coordinator = _coordinator_database(tmp_path / "coordinator.db", (grm, tjb))
    return coordinator, paths, shared["id"], (first["id"], second["id"])


@pytest.mark.parametrize("language", ["en", "tg"])
def test_coordinator_imports_reviews_and_reports(qtbot, two_offices_bundles, tmp_path,
                                                  language):
    database, bundles, shared_id, (first_id, second_id) = two_offices_bundles
    pdf = tmp_path / "quarter.pdf"
    journey = log_in(qtbot, database, "coordinator", PASSWORDS["coordinator"], language)
    try:
        _day(journey, bundles, shared_id, first_id, second_id, pdf)
    finally:
        journey.window.close()


def in_file_dialog(entry: str):
    """An ``act`` for ``journey.dialog`` in Qt's own file dialog: paste ``entry`` (a path, or
    several quoted paths) into the file name box and press Enter (typed key by key, a path
    is rewritten by the box's completion as it goes; a user pastes one copied from the file
    manager)."""
    def act(dialog) -> None:
        assert isinstance(dialog, QFileDialog), type(dialog).__name__
        box = dialog.findChild(QLineEdit, "fileNameEdit")
        assert box is not None and box.isVisible(), "the file dialog has no file name box"
        box.selectAll()
        QApplication.clipboard().setText(entry)
        QTest.keyClick(box, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
        popup = box.completer().popup() if box.completer() else None
        if popup is not None and popup.isVisible():    # the suggestions: Escape shuts them
            QTest.keyClick(popup, Qt.Key.Key_Escape)
        QTest.keyClick(box, Qt.Key.Key_Return)
        QApplication.processEvents()
        assert not dialog.isVisible(), f"the file dialog stayed open at {box.text()!r}"
    return act


def _day(journey, bundles, shared_id, first_id, second_id, pdf):
    session = journey.window.ctx.session
    stalls = {}

    # ---- import both bundles from the Sync page --------------------------------------
    page = journey.go(tr("sync", "Sync"))
    journey.tab(tr("sync", "Bundles"), page)
    journey.check_window()
    shown: list[str] = []
    set_text = page.summary.setText

    def seen(text: str) -> None:      # every text the summary line showed meanwhile
        shown.append(text)
        set_text(text)
    page.summary.setText = seen
    names = " ".join(f'"{path}"' for path in bundles)

    def import_both() -> None:
        with journey.dialog(in_file_dialog(names)):
            journey.click(tr("sync", "Import bundles…"), page)
    stalls["import"] = save_and_measure(journey, import_both)
    journey.qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    journey.settle()
    page.summary.setText = set_text
    # the stage while it worked: which bundle, applying its changes (none done yet of the
    # bundle's total), then the duplicate check and saving (every change applied)
    for number, name in ((1, "GRM.hamroh"), (2, "TJB.hamroh")):
        applying = tr("sync", "Bundle {number} of {count} ({file}): applying changes").format(
            number=number, count=2, file=name)
        saving = tr("sync", "Bundle {number} of {count} ({file}): looking for possible "
                            "duplicates and saving").format(number=number, count=2, file=name)
        total = format_number(CHANGES[name])
        counts = tr("sync", "{done} of {total} changes")
        assert f"{applying} — " + counts.format(done=format_number(0), total=total) in shown, \
            shown
        assert f"{saving} — " + counts.format(done=total, total=total) in shown, shown
    # then what each bundle brought: GRM its two people (with their sub-records), TJB the
    # other spelling, the village changed differently (a conflict) and a possible duplicate
    line = tr("sync", "{file}: {new} new, {updated} updated, {unchanged} unchanged, "
                      "{conflicts} conflicts, {duplicates} possible duplicates.")
    numbers = (("GRM.hamroh", 4, 0, 0, 0, 0), ("TJB.hamroh", 3, 1, 3, 1, 1))
    assert page.summary.text().splitlines() == [
        line.format(file=name, new=format_number(new), updated=format_number(updated),
                    unchanged=format_number(unchanged), conflicts=format_number(conflicts),
                    duplicates=format_number(duplicates))
        for name, new, updated, unchanged, conflicts, duplicates in numbers]
    # the History tab lists both bundles as come in
    history = journey.tab(tr("sync", "History"), page)
    assert page.history.rowCount() == 2
    directions = {page.history.item(r, 1).text() for r in range(page.history.rowCount())}
    assert directions == {tr("sync", "in")}
    journey.check_window(history.window())

    # ---- the possible duplicate: merge, keeping the record in Cyrillic ------------------
    journey.tab(tr("sync", "Possible duplicates"), page)
    assert page.duplicates.rowCount() == 1
    page.duplicates.selectRow(0)
    journey.settle()
    side_by_side = {page.left_values[0].text(), page.right_values[0].text()}
    assert side_by_side == {"Раҳмонов", "Rahmonov"}
    keep = tr("sync", "Merge, keep the left record") if page.left_values[0].text() \
        == "Раҳмонов" else tr("sync", "Merge, keep the right record")
    stalls["merge"] = save_and_measure(journey, lambda: journey.click(keep, page))
    repo = PersonRepository(session)
    assert repo.get(second_id)["merged_into"] == first_id
    assert repo.get(first_id)["merged_into"] is None
    statuses = {page.duplicates.item(r, 2).text() for r in range(page.duplicates.rowCount())}
    assert statuses == {tr("sync", "merged")}

    # ---- the conflict: take the other value ----------------------------------------------
    journey.tab(tr("sync", "Conflicts"), page)
    assert page.conflicts.rowCount() == 1
    # the field as the person form labels it, in the window's language
    assert page.conflicts.item(0, 1).text() == tr("people", "Village")
    in_use = repo.get(shared_id)["village"]
    # each value with who set it, at which office and when: "Garm (admin, TJB, …)"
    assert page.conflicts.item(0, 2).text().startswith(f"{in_use} (")
    other = page.conflicts.item(0, 3).text().split(" (")[0]
    assert {in_use, other} == {"Navdi", "Garm"}
    page.conflicts.selectRow(0)
    journey.settle()
    stalls["conflict"] = save_and_measure(
        journey, lambda: journey.click(tr("sync", "Take the other value"), page))
    assert repo.get(shared_id)["village"] == other
    assert page.conflicts.rowCount() == 0
    open_conflicts = session.conn.execute(
        "SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL").fetchone()[0]
    assert open_conflicts == 0
    journey.check_window()

    # ---- the quarter's report -----------------------------------------------------------
    reports = journey.go(tr("reports", "Reports"))
    journey.check_window()
    stalls["report"] = save_and_measure(
        journey, lambda: journey.click(tr("reports", "Build report"), reports))
    journey.qtbot.waitUntil(lambda: not reports.busy, timeout=60000)
    journey.settle()
    title = tr("reports", "People registered")
    tops = [reports.results.topLevelItem(i) for i in range(reports.results.topLevelItemCount())]
    registered = next(item for item in tops if item.text(0) == title)
    # three records came in; the merged duplicate counts once
    assert registered.text(1) == format_number(2), registered.text(1)

    def save_pdf() -> None:
        with journey.dialog(in_file_dialog(str(pdf))):
            journey.click("PDF…", reports)
    stalls["pdf"] = save_and_measure(journey, save_pdf)
    journey.qtbot.waitUntil(lambda: not reports.busy, timeout=60000)
    journey.settle()
    assert pdf.exists(), reports.status.text()
    text = pdf_text(pdf)
    assert title in text
    # a document to hand over: a cover, the summary, "Page n of N" on every later page
    pages = page_count(pdf)
    cover = pdf_text(pdf, 1)
    assert tr("reports", "Indicator report") in cover
    assert tr("reports", "Page {number} of {total}").format(number=1, total=pages) not in cover
    assert tr("reports", "Summary") in pdf_text(pdf, 2)
    for number in range(2, pages + 1):
        assert tr("reports", "Page {number} of {total}").format(
            number=number, total=pages) in pdf_text(pdf, number)
    journey.check_window()
    slow = {step: f"{s:.2f} s" for step, s in stalls.items() if s >= STALL_LIMIT}
    assert not slow, f"the window froze: {slow}"
    journey.assert_no_problems()
