"""The operations layer (ui/operations.py): where work runs, stale answers, errors in the
user's language, what a write announces, progress and cancel, the busy cursor."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.i18n import set_language
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.ui import operations
from desktop_app.ui.context import AppContext
from desktop_app.ui.operations import ReadOp, WriteOp


def _owner(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def _boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def _close_boxes() -> None:
    for box in _boxes():
        box.close()


def test_reads_run_on_the_worker_and_answer_on_the_ui_thread(qtbot, ctx):
    owner = _owner(qtbot)
    seen = {}

    def work(conn):
        seen["thread"] = threading.current_thread().name
        return conn.execute("SELECT value FROM meta WHERE key='office_code'").fetchone()[0]

    def done(value):
        seen["answer"] = value
        seen["answered_on"] = threading.current_thread() is threading.main_thread()

    ReadOp(ctx, owner, work).success(done).run()
    assert operations.wait_idle(ctx)
    assert seen == {"thread": "hamroh-db-worker", "answer": "GRM", "answered_on": True}


def test_without_a_worker_the_work_runs_in_place(qtbot, session, db_path):
    bare = AppContext(session, db_path)
    answers = []
    ReadOp(bare, _owner(qtbot), lambda conn: conn is session.conn).success(answers.append).run()
    assert answers == [True]          # at once, on the session's connection


def test_the_latest_request_with_a_key_wins(qtbot, ctx):
    owner, other = _owner(qtbot), _owner(qtbot)
    release = threading.Event()
    answers = []

    def slow(conn):
        release.wait(10)
        return "first"

    ReadOp(ctx, owner, slow).key("list").success(answers.append).run()
    ReadOp(ctx, owner, lambda conn: "queued").key("list").success(answers.append).run()
    ReadOp(ctx, owner, lambda conn: "latest").key("list").success(answers.append).run()
    # the same key for another owner is another request
    ReadOp(ctx, other, lambda conn: "other").key("list").success(answers.append).run()
    release.set()
    assert operations.wait_idle(ctx)
    assert answers == ["latest", "other"]


def test_no_answer_for_a_closed_widget(qtbot, ctx):
    owner = QWidget()
    release = threading.Event()
    answers, failures = [], []
    ReadOp(ctx, owner, lambda conn: release.wait(10)).success(answers.append) \
        .failure(failures.append).run()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner))
    release.set()
    assert operations.wait_idle(ctx)
    assert answers == [] and failures == []


def _alive(widget) -> bool:
    import shiboken6
    return shiboken6.isValid(widget)


def test_an_error_is_shown_translated_without_a_traceback(qtbot, ctx):
    owner = _owner(qtbot)
    set_language("ru")
    try:
        def broken(conn):
            raise RuntimeError("no such table: secret_internals")
        ReadOp(ctx, owner, broken).run()
        assert operations.wait_idle(ctx)
        (box,) = _boxes()
        assert box.text().startswith("Что-то пошло не так")
        assert "secret_internals" not in box.text() and "Traceback" not in box.text()
        assert box.windowTitle() == "Не выполнено"
        box.close()
        # a refusal says what is wrong, in the message the store made
        WriteOp(ctx, owner, lambda session: PersonRepository(session).create({}),
                changes=("person",)).run()
        assert operations.wait_idle(ctx)
        (box,) = _boxes()
        assert box.text() and "Traceback" not in box.text()
    finally:
        _close_boxes()
        set_language("en")


def test_a_failure_callback_replaces_the_box(qtbot, ctx):
    failures = []
    WriteOp(ctx, _owner(qtbot), lambda session: PersonRepository(session).create({}),
            changes=("person",)).failure(failures.append).run()
    assert operations.wait_idle(ctx)
    assert len(failures) == 1 and isinstance(failures[0], ValidationError)
    assert _boxes() == []


def test_a_write_announces_each_change_once_after_it_is_saved(qtbot, ctx, session):
    announced, order = [], []
    ctx.data_changed.connect(lambda table: (announced.append(table), order.append("changed")))
    owner = _owner(qtbot)

    def work(s):
        assert s.conn is not session.conn and s.actor == session.actor
        return PersonRepository(s).create({"family_name": "Karimova", "given_name": "Zarina"})

    saved = []
    WriteOp(ctx, owner, work, changes=("person", "migration_episode", "person")) \
        .success(lambda person: (saved.append(person), order.append("success"))).run()
    assert announced == []            # not before the write is done
    assert operations.wait_idle(ctx)
    assert announced == ["person", "migration_episode"]
    assert order == ["changed", "changed", "success"]
    assert PersonRepository(session).get(saved[0]["id"])["family_name"] == "Karimova"
    # a refused write announces nothing
    WriteOp(ctx, owner, lambda s: PersonRepository(s).create({}), changes=("person",)) \
        .failure(lambda exc: None).run()
    assert operations.wait_idle(ctx)
    assert announced == ["person", "migration_episode"]
    # what changed may depend on the answer
    WriteOp(ctx, owner, lambda s: 0, changes=lambda n: ("person",) if n else ()).run()
    assert operations.wait_idle(ctx)
    assert announced == ["person", "migration_episode"]


def test_progress_is_reported_and_cancel_stops_the_work(qtbot, ctx):
    owner = _owner(qtbot)
    reports, answers = [], []

    def long_work(conn, progress):
        for done in range(1, 1000):
            if not progress(done, 1000, "counting"):
                return ("stopped", done)
            time.sleep(0.005)
        return ("finished", 1000)

    op = ReadOp(ctx, owner, long_work).progress(
        lambda done, total, stage: reports.append((done, total, stage))) \
        .success(answers.append).run()
    qtbot.waitUntil(lambda: len(reports) >= 3, timeout=5000)
    assert reports[0] == (1, 1000, "counting")
    op.cancel()
    assert operations.wait_idle(ctx)
    assert answers and answers[0][0] == "stopped" and answers[0][1] < 1000


def test_own_connection_runs_beside_the_worker(qtbot, ctx):
    owner = _owner(qtbot)
    hold = threading.Event()
    seen = {}
    ctx.worker.submit(lambda conn: hold.wait(10))     # the shared worker is busy

    def work(conn):
        seen["thread"] = threading.current_thread().name
        return conn.execute("SELECT count(*) FROM meta").fetchone()[0] > 0
    op = ReadOp(ctx, owner, work).on_own_connection().success(lambda ok: seen.update(ok=ok))
    op.run()
    qtbot.waitUntil(lambda: "ok" in seen, timeout=10000)
    assert seen["ok"] and seen["thread"] != "hamroh-db-worker"
    hold.set()
    assert operations.wait_idle(ctx)


def test_the_busy_cursor_shows_while_slow_work_runs(qtbot, ctx):
    release = threading.Event()
    ReadOp(ctx, _owner(qtbot), lambda conn: release.wait(10)).run()
    qtbot.waitUntil(lambda: QApplication.overrideCursor() is not None, timeout=3000)
    assert QApplication.overrideCursor().shape() == Qt.CursorShape.BusyCursor
    release.set()
    assert operations.wait_idle(ctx)
    assert QApplication.overrideCursor() is None


def test_writes_on_the_worker_and_on_the_ui_session_take_turns(qtbot, ctx, session):
    """Each session re-reads the change-log counter per transaction, so writes of the UI
    session and of write operations (another session on the worker's connection) never
    hand out the same origin_seq."""
    owner = _owner(qtbot)
    repo = PersonRepository(session)
    for n in range(3):
        repo.create({"family_name": f"Ui{n}", "given_name": "A"})
        WriteOp(ctx, owner, lambda s, n=n: PersonRepository(s).create(
            {"family_name": f"Op{n}", "given_name": "B"}), changes=("person",)).run()
        assert operations.wait_idle(ctx)
    seqs = [r[0] for r in session.conn.execute(
        "SELECT origin_seq FROM change_log WHERE origin_device=? ORDER BY seq",
        (session.device_id,))]
    assert len(seqs) == len(set(seqs)) and seqs == sorted(seqs)
    names = {r[0] for r in session.conn.execute("SELECT family_name FROM person")}
    assert {"Ui0", "Op0", "Ui2", "Op2"} <= names
