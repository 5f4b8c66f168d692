"""A single serialised database worker: slow reads and writes off the UI thread.

The worker owns its own connection to the same file (WAL lets it read while the UI
thread's connection writes). Jobs run one at a time in submission order; results come back
on the UI thread through a Qt signal. ``submit(..., key=...)`` drops a queued job with the
same key that has not started yet and ignores the result of a started one, so typing in a
search box only ever shows the answer to the latest text.
"""
from __future__ import annotations

import itertools
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot


@dataclass
class _Job:
    number: int
    key: str | None
    fn: Callable[[Any], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class _Relay(QObject):
    finished = Signal(object, object, object)  # job, result, error


class DbWorker(QObject):
    busy_changed = Signal(bool)

    def __init__(self, connect: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._connect = connect
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._numbers = itertools.count(1)
        self._latest: dict[str, int] = {}
        self._lock = threading.Lock()
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="hamroh-db-worker", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, *,
               key: str | None = None) -> int:
        """Run ``fn(conn)`` on the worker's connection; call ``on_done(result)`` on the UI thread."""
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
                print(getattr(error, "__traceback_text__", repr(error)))
            return
        if job.on_done is not None:
            job.on_done(result)

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Process events until every submitted job has been delivered (tests, closing)."""
        import time
        from PySide6.QtCore import QCoreApplication
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            with self._lock:
                if self._pending == 0:
                    return True
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return False

    def stop(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)


class _Stale(Exception):
    pass
