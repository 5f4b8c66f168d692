"""Running report work off the UI thread.

Uses the application's DB worker (``ctx.worker``, ui/worker.py) when it offers
``submit(fn, on_done, on_error)`` where ``fn`` receives a connection; until then a
small QThread of our own runs ``fn(conn)`` on the session's connection (reports only
read, and every write of theirs is a single audited ``session.log``).
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal


class _Runner(QThread):
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn, conn, parent=None):
        super().__init__(parent)
        self._fn = fn
        self._conn = conn

    def run(self):
        try:
            result = self._fn(self._conn)
        except BaseException as exc:  # shown to the user by the caller
            self.failed.emit(exc)
        else:
            self.done.emit(result)


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

    def _forget(self, thread) -> None:
        if thread in self._threads:
            self._threads.remove(thread)
        thread.deleteLater()

    def wait(self, msecs: int = 30000) -> None:
        for thread in list(self._threads):
            thread.wait(msecs)
