"""Database work from the UI: the one way pages read and write off the UI thread.

A page describes the work and what to do with the answer; this module runs it and takes
care of the rest::

    ReadOp(self.ctx, self, lambda conn: people_list.list_ids(conn, query)) \\
        .key("list").success(self._show_result).run()

    WriteOp(self.ctx, self, lambda session: loan_services.approve(session, loan_id),
            changes=("loan",)).success(self._approved).failure(self._refused).run()

- **Where it runs.** On the application's DB worker (``DbWorker``: one serialised thread
  with a connection of its own) when the context has one; in place on the session's
  connection otherwise (a bare context, as tests build). ``on_own_connection()`` gives long
  work a thread and a connection of its own (the Home dashboard, bundle import and export)
  so that it never holds the shared worker.
- **What the function receives.** A read gets the connection (or, with ``in_session()``, a
  session of the UI user on it, for reads that audit); a write gets that session. The
  function runs on another thread: it must not touch widgets, so take the values it needs
  from them before.
- **Busy state.** While any operation runs for longer than ``BUSY_DELAY_MS`` the
  application shows the busy cursor (the pointer still works).
- **Stale answers are dropped.** With ``key(name)`` only the latest operation of that name
  for the same owner delivers its answer (a queued older one does not even run); nothing
  is delivered to an owner widget that was closed meanwhile.
- **Errors** go to ``failure(callback)``, or else to a translated message box; the details
  go to the log, never to the user.
- **What changed** is announced by a successful write: ``ctx.data_changed`` is emitted
  once for each table in ``changes`` (a tuple, or a function of the result), before the
  success callback runs. Pages never emit it themselves.
- **Progress and cancel.** With ``progress(callback)`` the function is called with a
  ``Progress`` as its second argument: ``progress(done, total, stage)`` reports (the
  callback gets the same on the UI thread) and returns False once ``cancel()`` was called.
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.i18n import Domain
from desktop_app.store.db import user_error
from desktop_app.store.repository import ValidationError
from desktop_app.store.session import PermissionDenied, Session

DOMAIN = Domain("core")
_ = DOMAIN.gettext

logger = logging.getLogger(__name__)

BUSY_DELAY_MS = 250


# ---- the engine: one serialised worker thread ----------------------------------------
@dataclass
class _Job:
    number: int
    key: str | None
    fn: Callable[[Any], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class _WorkerRelay(QObject):
    finished = Signal(object, object, object)  # job, result, error


class DbWorker(QObject):
    """Slow reads and writes off the UI thread, one at a time in submission order.

    The worker owns its own connection to the same file (WAL lets it read while the UI
    thread's connection writes); results come back on the UI thread through a Qt signal.
    ``submit(..., key=...)`` drops a queued job with the same key that has not started yet
    and ignores the result of a started one. Pages do not call it: they use ReadOp and
    WriteOp, which run on it.
    """

    busy_changed = Signal(bool)

    def __init__(self, connect: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._connect = connect
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._numbers = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._lock = threading.Lock()
        self._relay = _WorkerRelay()
        self._relay.finished.connect(self._deliver)
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="hamroh-db-worker", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, *,
               key: str | None = None) -> int:
        """Run ``fn(conn)`` on the worker's connection; ``on_done(result)`` on the UI thread."""
        number = next(self._numbers)
        with self._lock:
            if key is not None:
                self._latest[key] = number
            self._pending += 1
            if self._pending == 1:
                self.busy_changed.emit(True)
        self._queue.put(_Job(number, key, fn, on_done, on_error))
        return number

    def _is_stale(self, job: _Job) -> bool:
        with self._lock:
            return job.key is not None and self._latest.get(job.key) != job.number

    def _run(self) -> None:
        conn = None
        while True:
            job = self._queue.get()
            if job is None:
                break
            if self._is_stale(job):
                self._relay.finished.emit(job, None, _Stale())
                continue
            try:
                if conn is None:
                    conn = self._connect()
                result = job.fn(conn)
            except BaseException as exc:  # delivered to the UI, never lost
                exc.__traceback_text__ = traceback.format_exc()
                self._relay.finished.emit(job, None, exc)
            else:
                self._relay.finished.emit(job, result, None)
            # the job (and whatever widget its callbacks hold) belongs to the UI thread now
            job = result = None
        if conn is not None:
            conn.close()

    @Slot(object, object, object)
    def _deliver(self, job: _Job, result, error) -> None:
        with self._lock:
            self._pending -= 1
            idle = self._pending == 0
        if idle:
            self.busy_changed.emit(False)
        if isinstance(error, _Stale) or self._is_stale(job):
            return
        if error is not None:
            if job.on_error is not None:
                job.on_error(error)
            else:
                logger.error("database job failed: %s",
                             getattr(error, "__traceback_text__", repr(error)))
            return
        if job.on_done is not None:
            job.on_done(result)

    def idle(self) -> bool:
        with self._lock:
            return self._pending == 0

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Process events until every submitted job has been delivered (tests, closing)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            if self.idle():
                return True
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return False

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)


class _Stale(Exception):
    pass


class _Dropped(Exception):
    """An operation superseded by a newer one with the same key before it started."""


_SHARED_CONNECTION = threading.Lock()


# ---- threads of their own (long work on its own connection) --------------------------
class _OpThread(QThread):
    finished_with = Signal(object, object)   # result, error

    def __init__(self, job: Callable[[Any], Any], connect: Callable[[], Any] | None,
                 shared_conn=None):
        super().__init__()
        self._job = job
        self._connect = connect
        self._shared_conn = shared_conn

    def run(self) -> None:
        conn = None
        try:
            if self._connect is not None:
                conn = self._connect()
                result = self._job(conn)
            else:
                # threads on the session's connection take turns
                with _SHARED_CONNECTION:
                    result = self._job(self._shared_conn)
        except BaseException as exc:  # delivered to the UI thread, never lost
            self.finished_with.emit(None, exc)
        else:
            self.finished_with.emit(result, None)
        finally:
            if self._connect is not None and conn is not None:
                conn.close()
            self._job = None


# ---- progress ------------------------------------------------------------------------
class _ProgressRelay(QObject):
    progressed = Signal(int, int, int, str)   # operation number, done, total, stage


class Progress:
    """Given to an operation's function (second argument) when it reports progress.

    ``progress(done, total, stage="")`` may be called from any thread and returns False
    once the user cancelled; ``cancelled()`` asks without reporting. The signature fits the
    ``progress`` callbacks of sync (``progress(done, total) -> keep going``) and reports.
    """

    def __init__(self, number: int, cancel: threading.Event):
        self._number = number
        self._cancel = cancel

    def __call__(self, done: int = 0, total: int = 0, stage: str = "") -> bool:
        _state().progress_relay.progressed.emit(self._number, int(done), int(total), stage)
        return not self._cancel.is_set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


# ---- state of the layer (UI thread only) ---------------------------------------------
class _State:
    def __init__(self) -> None:
        self.numbers = itertools.count(1)
        self.running: dict[int, _Op] = {}
        self.latest: dict[tuple[int, str], int] = {}
        self.latest_lock = threading.Lock()    # read by the worker before a keyed job runs
        self.threads: set[_OpThread] = set()
        self.busy = 0
        self.cursor_shown = False
        self.busy_timer: QTimer | None = None
        self.progress_relay = _ProgressRelay()
        self.progress_relay.progressed.connect(self._progressed)

    def _progressed(self, number: int, done: int, total: int, stage: str) -> None:
        op = self.running.get(number)
        if op is not None and op._progress is not None and op._deliverable():
            op._progress(done, total, stage)

    def busy_start(self) -> None:
        self.busy += 1
        if self.busy == 1 and not self.cursor_shown:
            if self.busy_timer is None:
                self.busy_timer = QTimer()
                self.busy_timer.setSingleShot(True)
                self.busy_timer.timeout.connect(self._show_cursor)
            self.busy_timer.start(BUSY_DELAY_MS)

    def _show_cursor(self) -> None:
        if self.busy and not self.cursor_shown:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self.cursor_shown = True

    def busy_end(self) -> None:
        self.busy -= 1
        if self.busy:
            return
        if self.busy_timer is not None:
            self.busy_timer.stop()
        if self.cursor_shown:
            QApplication.restoreOverrideCursor()
            self.cursor_shown = False


_STATE: _State | None = None


def _state() -> _State:
    global _STATE
    if _STATE is None:
        _STATE = _State()
    return _STATE


# ---- sessions off the UI thread ------------------------------------------------------
def session_for(ui_session: Session, conn) -> Session:
    """A session on ``conn`` with the UI user, policy and granted reasons (for writes and
    audited reads that run on another connection than the UI's)."""
    if conn is ui_session.conn:
        return ui_session
    session = Session(conn, ui_session.actor, policy=ui_session.policy)
    session.granted_reasons = ui_session.granted_reasons
    if hasattr(ui_session, "db_key"):
        session.db_key = ui_session.db_key
    return session


# ---- errors --------------------------------------------------------------------------
def error_message(exc: BaseException) -> str:
    """What the user is told about a failed operation, in their language."""
    if isinstance(exc, ValidationError):
        return " ".join(str(v) for v in exc.errors.values())
    if isinstance(exc, PermissionDenied):
        return str(exc)
    known = user_error(exc)          # a full disk, a database busy with an import
    if known is not None:
        return str(known)
    return _("Something went wrong and the work was not finished. Try again; if it happens "
             "again, tell your administrator.")


def show_error(owner: QObject | None, exc: BaseException) -> QMessageBox | None:
    """A translated message box about ``exc`` (the details go to the log, see _finish)."""
    parent = owner.window() if isinstance(owner, QWidget) and shiboken6.isValid(owner) \
        else None
    if QApplication.instance() is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, _("Not done"), error_message(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# ---- operations ----------------------------------------------------------------------
class _Op:
    _gives_session = False
    _changes: tuple[str, ...] | Callable[[Any], Iterable[str]] = ()

    def __init__(self, ctx, owner: QObject | None, fn: Callable[..., Any]):
        self.ctx = ctx
        self._owner = owner
        self._fn = fn
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._progress: Callable[[int, int, str], None] | None = None
        self._key: tuple[int, str] | None = None
        self._connect: Callable[[], Any] | None = None
        self._own_connection = False
        self._off_ui_thread = False
        self._cancel = threading.Event()
        self.number: int | None = None
        self.done = False

    # -- description --
    def success(self, callback: Callable[[Any], None]):
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]):
        self._failure = callback
        return self

    def progress(self, callback: Callable[[int, int, str], None]):
        self._progress = callback
        return self

    def key(self, name: str):
        """Only the latest operation with this name (for the same owner) delivers."""
        self._key = (id(self._owner), name)
        return self

    def on_own_connection(self, connect: Callable[[], Any] | None = None):
        """Run on a thread and connection of its own (``connect``, by default the context's
        connection factory), beside the shared worker. Without either it runs like any
        other operation."""
        self._connect = connect or getattr(self.ctx, "connection_factory", None)
        self._own_connection = self._connect is not None
        return self

    def off_ui_thread(self):
        """Without a DB worker (a bare context), run on a thread of its own on the session's
        connection instead of in place."""
        self._off_ui_thread = True
        return self

    def cancel(self) -> None:
        self._cancel.set()

    # -- running --
    def run(self):
        state = _state()
        self.number = number = next(state.numbers)
        if self._key is not None:
            with state.latest_lock:
                state.latest[self._key] = number
        state.running[number] = self
        state.busy_start()
        job = self._job()
        worker = getattr(self.ctx, "worker", None)
        if self._own_connection:
            self._start_thread(job, self._connect, None)
        elif worker is not None:
            worker.submit(job, lambda result: _finish(number, result, None),
                          lambda error: _finish(number, None, error))
        elif self._off_ui_thread:
            self._start_thread(job, None, self.ctx.conn)
        else:
            try:
                result = job(self.ctx.conn)
            except Exception as exc:  # delivered like any other failure
                _finish(number, None, exc)
            else:
                _finish(number, result, None)
        return self

    def _start_thread(self, job, connect, shared_conn) -> None:
        number = self.number
        thread = _OpThread(job, connect, shared_conn)
        state = _state()
        # no Qt parent and held here: closing the owner while the thread runs must not
        # destroy a running QThread (its answer is then dropped)
        state.threads.add(thread)

        def finished(result, error):
            _finish(number, result, error)

        def ended():
            state.threads.discard(thread)
            thread.deleteLater()
        thread.finished_with.connect(finished)
        thread.finished.connect(ended)
        thread.start()

    def _job(self) -> Callable[[Any], Any]:
        """The function that runs on the other thread: it holds no widget."""
        fn, key, number = self._fn, self._key, self.number
        gives_session = self._gives_session
        ui_session = self.ctx.session if gives_session else None
        progress = Progress(number, self._cancel) if self._progress is not None else None

        def job(conn):
            if key is not None:
                state = _state()
                with state.latest_lock:
                    if state.latest.get(key) != number:
                        raise _Dropped()
            subject = session_for(ui_session, conn) if gives_session else conn
            return fn(subject) if progress is None else fn(subject, progress)
        return job

    def _is_latest(self) -> bool:
        if self._key is None:
            return True
        return _state().latest.get(self._key) == self.number

    def _deliverable(self) -> bool:
        owner = self._owner
        return self._is_latest() and (owner is None or shiboken6.isValid(owner))

    def _delivered(self, result, error) -> None:
        if error is None:
            self._announce(result)
        if not self._deliverable():
            return
        if error is not None:
            if self._failure is not None:
                self._failure(error)
            else:
                show_error(self._owner, error)
        elif self._success is not None:
            self._success(result)

    def _announce(self, result) -> None:
        pass


def _finish(number: int, result, error) -> None:
    state = _state()
    op = state.running.pop(number, None)
    if op is None:
        return
    state.busy_end()
    op.done = True
    if op._key is not None and state.latest.get(op._key) == number:
        with state.latest_lock:
            del state.latest[op._key]
            # the entry is gone, so a check of staleness must know this one was the latest
            op._key = None
    if isinstance(error, _Dropped):
        return
    if error is not None and not isinstance(error, (ValidationError, PermissionDenied)):
        logger.warning("%s failed", type(op).__name__, exc_info=error)
    op._delivered(result, error)


class ReadOp(_Op):
    """Read ``fn(conn)`` (or ``fn(session)`` after ``in_session()``) off the UI thread."""

    def in_session(self):
        """Give the function a session of the UI user (reads that write the audit log)."""
        self._gives_session = True
        return self


class WriteOp(_Op):
    """Write ``fn(session)`` off the UI thread in a session of the UI user, then announce
    ``changes`` (table names, ``"*"`` for everything, or a function of the result)."""

    _gives_session = True

    def __init__(self, ctx, owner: QObject | None, fn: Callable[..., Any], *,
                 changes: tuple[str, ...] | Callable[[Any], Iterable[str]]):
        super().__init__(ctx, owner, fn)
        self._changes = changes

    def _announce(self, result) -> None:
        tables = self._changes(result) if callable(self._changes) else self._changes
        announce(self.ctx, *tables)


def announce(ctx, *tables: str) -> None:
    """Announce a write that did not run as an operation (a modal dialog that saved on the
    UI thread itself): ``ctx.data_changed`` once for each table."""
    signal = getattr(ctx, "data_changed", None)
    if signal is not None:
        for table in dict.fromkeys(tables):
            signal.emit(table)


# ---- the application's life ----------------------------------------------------------
def runs_in_place(ctx) -> bool:
    """Whether operations of ``ctx`` run in place on the UI thread (no DB worker: a bare
    context, as tests build)."""
    return getattr(ctx, "worker", None) is None


def idle() -> bool:
    return not _state().running


def wait_idle(ctx=None, timeout_ms: int = 30000) -> bool:
    """Process events until every operation has delivered its answer (tests, closing)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        worker = getattr(ctx, "worker", None)
        if idle() and (worker is None or worker.idle()):
            return True
        QCoreApplication.processEvents()
        time.sleep(0.002)
    return False


def shutdown(ctx, timeout_ms: int = 5000) -> None:
    """Stop the context's worker (closing the window); threads of their own are waited for."""
    worker = getattr(ctx, "worker", None)
    if worker is not None:
        worker.stop(timeout_ms / 1000)
    for thread in list(_state().threads):
        thread.wait(timeout_ms)
