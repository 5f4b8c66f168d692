"""Running report work off the UI thread.

Uses the application's DB worker (``ctx.worker``, ui/worker.py: ``submit(fn, on_done,
on_error)``, ``fn`` receives the worker's own connection); without one (a bare context) a
small QThread runs ``fn(conn)`` on the session's connection. Code that audits (drill-down,
exports) builds its session on the connection it is given: ``worker_session(ctx, conn)``.
Long read-only work (the Home dashboard) uses ``run_reader``: its own thread and its own
connection, so that it never holds the shared worker.
"""
from __future__ import annotations

from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal


class _Runner(QThread):
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn, conn, parent=None, connect=None):
        super().__init__(parent)
        self._fn = fn
        self._conn = conn
        self._connect = connect   # open (and close) a connection of this thread's own

    def run(self):
        conn = None
        try:
            conn = self._connect() if self._connect is not None else self._conn
            result = self._fn(conn)
        except BaseException as exc:  # shown to the user by the caller
            self.failed.emit(exc)
        else:
            self.done.emit(result)
        finally:
            if self._connect is not None and conn is not None:
                conn.close()


def worker_session(ctx, conn):
    """A session on the worker's connection with the UI user and policy (for audited
    reads such as drill-down and exports run off the UI thread)."""
    from desktop_app.store.session import Session
    if conn is ctx.session.conn:
        return ctx.session
    session = Session(conn, ctx.session.actor, policy=ctx.session.policy)
    session.granted_reasons = ctx.session.granted_reasons
    return session


_READERS: set = set()   # reader threads still running (see TaskRunner.run_reader)


class TaskRunner(QObject):
    """One background task at a time per page; results come back on the UI thread."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._threads: list[_Runner] = []

    @property
    def busy(self) -> bool:
        return any(t.isRunning() for t in self._threads)

    def run(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        """Run ``fn(conn)`` in the background; the callbacks are dropped when the page was
        closed (deleted) before the answer came back."""
        on_done, on_error = self._guard(on_done), self._guard(on_error)
        worker = getattr(self.ctx, "worker", None)
        if worker is not None and hasattr(worker, "submit"):
            worker.submit(fn, on_done, on_error)
            return
        thread = _Runner(fn, self.ctx.conn, self)
        thread.done.connect(on_done)
        thread.failed.connect(on_error)
        thread.finished.connect(lambda: self._forget(thread))
        self._threads.append(thread)
        thread.start()

    def run_reader(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None],
                   on_error: Callable[[BaseException], None]) -> None:
        """Run a long read-only ``fn(conn)`` on a thread and connection of its own (opened
        with the session's key through ``ctx.connection_factory``), so that it never
        holds the shared DB worker: other pages' jobs run meanwhile (WAL lets both read).
        Without a connection factory (a bare context) it runs like ``run``."""
        connect = getattr(self.ctx, "connection_factory", None)
        if connect is None:
            self.run(fn, on_done, on_error)
            return
        on_done, on_error = self._guard(on_done), self._guard(on_error)
        # no Qt parent and a module-level reference: closing the page while the thread runs
        # must not destroy a running QThread (its answer is then dropped by the guards)
        thread = _Runner(fn, None, None, connect=connect)
        thread.done.connect(on_done)
        thread.failed.connect(on_error)
        _READERS.add(thread)
        self._threads.append(thread)

        def finished():
            _READERS.discard(thread)
            if shiboken6.isValid(self) and thread in self._threads:
                self._threads.remove(thread)
            thread.deleteLater()
        thread.finished.connect(finished)
        thread.start()

    def _guard(self, callback):
        owner = self.parent()

        def guarded(value):
            if shiboken6.isValid(self) and (owner is None or shiboken6.isValid(owner)):
                callback(value)
        return guarded

    def _forget(self, thread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
        thread.deleteLater()

    def wait(self, msecs: int = 30000) -> None:
        for thread in list(self._threads):
            thread.wait(msecs)
