"""A report on two connections (build_report with ``connect``): the longest family
beside the others in a thread of its own; and the page cache a report runs with."""
from __future__ import annotations

import atexit
import threading
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Callable

from desktop_app.reports.engine import compute_all
from desktop_app.reports.identity import prepare_roots
from desktop_app.reports.indicators.base import Indicator, Query, available
from desktop_app.reports.labels import Labels
from desktop_app.reports.model import Cancelled, IndicatorResult
from desktop_app.store import db as dbmod

# The groups computed on a second connection (build_report with ``connect``): the people
# indicators are one pass over the whole register, the longest family by far; inspections
# and trainings (small) go with them so that the two threads take about as long (at
# 1,000,000 people: people 2.7 s + 0.35 s against cases 1.2 s + loans 1.8 s + 0.2 s).
PARALLEL_GROUPS = frozenset({"people", "inspections", "trainings"})


def _wait(thread: threading.Thread, cancelled: Callable[[], bool] | None) -> None:
    while thread.is_alive():
        thread.join(0.05)
        if cancelled and cancelled():
            raise Cancelled()


def _interrupt(thread: threading.Thread, other) -> None:
    while thread.is_alive():   # stops the statement running now or started meanwhile
        other.interrupt()
        thread.join(0.02)


def compute_parallel(conn, connect: Callable[[], object], q: Query,
                     plans: list[tuple[Indicator, list[str]]], labels: Labels,
                     progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> list[IndicatorResult]:
    """``compute_all`` in two threads: the indicators of PARALLEL_GROUPS on a second
    connection (``connect()``) in a thread of their own, the others on ``conn`` in the
    caller's thread; the same results, in the order asked.

    SQLite runs a statement without the GIL, so the two passes overlap on two cores as
    long as neither thread needs the GIL for every row: the second thread reads its rows
    as one text (``gil_free``, see engine._joined_rows), the caller's thread is then free to
    count its rows in Python. Temp tables (rpt_root, rpt_reach) are per connection: the
    thread fills its own, with its own copy of the query's per-run cache. Its connection
    keeps the default page cache, and stays open for the next report of the same ``connect``
    (see _keep_spare).

    Falls back to ``compute_all`` on ``conn`` when there is nothing to split, when
    ``conn`` is inside a transaction (another connection would not see its changes) or
    when the second connection cannot be opened. On cancel or failure the thread's
    statement is interrupted; the thread has ended and its connection is closed before
    this raises; after a clean run the connection is kept warm (close_spare). Progress is
    reported from the caller's thread only."""
    side = [n for n, (indicator, _d) in enumerate(plans)
            if indicator.group in PARALLEL_GROUPS and available(indicator, q.tables)
            and indicator.source.build is not None]
    if not side or len(side) == len(plans) or conn.in_transaction:
        return compute_all(conn, q, plans, labels, progress, cancelled)
    try:
        other = _take_spare(connect) or connect()
    except Exception:  # e.g. a database that cannot be opened twice: one connection
        return compute_all(conn, q, plans, labels, progress, cancelled)
    stop = threading.Event()
    box: dict[str, object] = {}

    def work():
        try:
            prepare_roots(other)
            own = replace(q, cache={"has_merges": q.cache.get("has_merges", True)})
            box["results"] = compute_all(
                other, own, [plans[n] for n in side],
                Labels(other, labels.language, q.age_bands), cancelled=stop.is_set,
                gil_free=True)
        except BaseException as exc:  # raised again in the caller's thread
            box["error"] = exc

    taken = set(side)
    rest = [n for n in range(len(plans)) if n not in taken]
    total = len(plans)
    thread = threading.Thread(target=work, name="report-second-connection", daemon=True)
    try:
        thread.start()
        here = compute_all(conn, q, [plans[n] for n in rest], labels,
                           (lambda done, _t: progress(done, total)) if progress else None,
                           cancelled)
        _wait(thread, cancelled)
    except BaseException:
        stop.set()
        _interrupt(thread, other)
        raise
    finally:
        if thread.ident is not None:
            thread.join()
        _release(connect, other, clean="error" not in box and not stop.is_set())
    if "error" in box:
        raise box["error"]
    results: list[IndicatorResult | None] = [None] * total
    for n, result in zip(side, box["results"], strict=True):
        results[n] = result
    for n, result in zip(rest, here, strict=True):
        results[n] = result
    if progress:
        progress(total, total)
    return results


# The second connection of the last report stays open, idle, for SPARE_SECONDS: the next
# report from the same connection factory takes it with its page cache warm (decrypted
# pages of the person index), where a new connection would read and decrypt them again and
# two threads took longer than one. Only the thread that took it uses it; it is closed
# when it expires, when another factory's report keeps its own, or by close_spare().
SPARE_SECONDS = 120.0
_spare_lock = threading.Lock()
_spare: dict[str, Any] = {}     # connect, conn, timer of the one idle second connection


def _take_spare(connect):
    """The idle second connection kept for ``connect`` (now the caller's alone), or None."""
    with _spare_lock:
        if not _spare or _spare["connect"] is not connect:
            return None
        kept = dict(_spare)
        _spare.clear()
    kept["timer"].cancel()
    return kept["conn"]


def _keep_spare(connect, other) -> bool:
    """Keep ``other`` (idle, outside any transaction) for the next report of ``connect``."""
    if other.in_transaction:
        return False
    close_spare()
    timer = threading.Timer(SPARE_SECONDS, close_spare)
    timer.daemon = True
    with _spare_lock:
        _spare.update(connect=connect, conn=other, timer=timer)
    timer.start()
    return True


def _release(connect, other, clean: bool) -> None:
    """After a report: keep the second connection warm when its work ended cleanly,
    else close it."""
    if not (clean and _keep_spare(connect, other)):
        other.close()


def close_spare() -> None:
    """Close the idle second connection kept from the last report, if any (before a
    database file is replaced or removed; at exit)."""
    with _spare_lock:
        kept = dict(_spare)
        _spare.clear()
    if kept:
        kept["timer"].cancel()
        kept["conn"].close()


atexit.register(close_spare)


class KeptConnection:
    """One read connection kept open between the runs of a page (the Home overview), so
    that its page cache stays warm: a connection opened for every run decrypts again every
    page it reads (on a new connection the first figure cards cost about four times as
    much CPU). ``lease`` is the ``connect`` of an operation on its own connection: it gives
    the kept connection (opened by ``factory`` when first asked), whose ``close()`` gives
    it back. One run at a time uses it (a second lease while one is out opens a connection
    of its own, closed after, unless the one out comes back within ``WAIT_SECONDS``: an
    operation hands its result over before it closes its connection, so the next run
    often asks a moment before the last one gave it back). Call ``lease`` on the run's
    own thread (it may wait). ``retire()`` (the page is gone) closes it, or, if a run is
    still reading, lets that run close it when it ends: a connection is never closed under
    a running statement (that crashes the interpreter)."""

    WAIT_SECONDS = 5.0

    def __init__(self, factory: Callable[[], Any]):
        self._factory = factory
        self._lock = threading.Condition()
        self._conn: Any = None
        self._out = False
        self._retired = False

    def lease(self) -> Any:
        with self._lock:
            self._lock.wait_for(lambda: not self._out or self._retired, self.WAIT_SECONDS)
            if self._out or self._retired:
                return self._factory()          # its own, closed by its user as usual
            if self._conn is None:
                self._conn = self._factory()
            self._out = True
            return _Lease(self, self._conn)

    def _give_back(self) -> None:
        with self._lock:
            self._out = False
            self._lock.notify_all()
            if not self._retired:
                return
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            self._lock.notify_all()
            if self._out:
                return                          # the running lease closes it
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class _Lease:
    """The kept connection as its user sees it: everything but ``close`` goes to it."""

    def __init__(self, owner: KeptConnection, conn):
        self._owner = owner
        self._conn = conn
        self._closed = False

    def __getattr__(self, name: str):
        if self._closed:
            raise dbmod.sqlite.ProgrammingError("Cannot operate on a closed database.")
        return getattr(self._conn, name)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._owner._give_back()


def connection_factory(conn, key: bytes | None = None) -> Callable[[], object] | None:
    """A function that opens another connection to the database file of ``conn`` (with
    ``key``, else the key unlocked for that file in this process), for build_report's
    ``connect``; None for an in-memory or temporary database."""
    path = next((r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:
        return None
    return lambda: dbmod.connect(path, key)


REPORT_CACHE_KIB = 262_144


@contextmanager
def report_cache(conn, kib: int = REPORT_CACHE_KIB):
    """A larger page cache for the length of one report (``kib`` KiB, given back after).

    The families look people up by id from cases, trainings and loans after the people
    pass has read the person index: on an encrypted database every page that falls out of
    the default 64 MB cache is read and decrypted again (the person index alone is about
    150 MB at 1,000,000 people). SQLite allocates cache pages only as they are read, so a
    small database does not use more memory."""
    with dbmod.page_cache_for(conn, kib, grow=True):
        yield
