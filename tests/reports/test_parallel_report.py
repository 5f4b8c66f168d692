"""The people indicators on a second connection in a thread of their own (build_report
with ``connect``) give the same report, byte for byte, as one connection; cancel stops
both threads; where a second connection is not possible the report is built on one."""
from __future__ import annotations

import threading
from datetime import date

import pytest

from desktop_app.reports.builder import build_report
from desktop_app.reports.indicators.base import DIMENSIONS
from desktop_app.reports.model import Cancelled, ReportRequest
from desktop_app.reports.outputs import write_csv
from desktop_app.reports.parallel import close_spare, connection_factory
from desktop_app.reports.periods import current_period, parse_period
from desktop_app.store import db as dbmod
from desktop_app.store.people.repositories import PersonRepository
from tests.reports.test_module_indicators import case, modules  # noqa: F401  (fixture)

ALL_DIMS = sorted(DIMENSIONS)
THREAD = "report-second-connection"


class Opener:
    """A connection factory that keeps the connections it opened."""

    def __init__(self, path):
        self.path = path
        self.opened: list = []

    def __call__(self):
        conn = dbmod.connect(self.path)
        self.opened.append(conn)
        return conn

    def all_closed(self) -> bool:
        for conn in self.opened:
            try:
                conn.execute("SELECT 1")
            except dbmod.sqlite.ProgrammingError:   # closed
                continue
            return False
        return True


def _csv(report, path) -> bytes:
    write_csv(report, path)
    return path.read_bytes()


def _same(conn, path, tmp_path, request) -> None:
    opener = Opener(path)
    alone = build_report(conn, request, language="en")
    both = build_report(conn, request, language="en", connect=opener)
    assert len(opener.opened) == 1 and not opener.all_closed()    # kept warm, idle
    close_spare()
    assert opener.all_closed()
    assert both.results == alone.results
    assert _csv(both, tmp_path / "both.csv") == _csv(alone, tmp_path / "alone.csv")
    assert not [t for t in threading.enumerate() if t.name == THREAD]


@pytest.mark.parametrize("period", ["2026-Q1", "2026", "2025-12-01..2026-04-15"])
@pytest.mark.parametrize("dims", [None, ALL_DIMS])
def test_same_report_on_two_connections_hand_computed(session, modules, world, db_path,  # noqa: F811
                                                      tmp_path, period, dims):
    PersonRepository(session).update(world["B"], {"merged_into": world["C"]})
    request = ReportRequest(parse_period(period), dimensions=dims)
    _same(session.conn, db_path, tmp_path, request)
    offices = [r[0] for r in session.conn.execute("SELECT code FROM office WHERE deleted = 0")]
    _same(session.conn, db_path, tmp_path, ReportRequest(parse_period(period), dimensions=dims,
                                                         offices=offices[:1]))


def test_same_report_on_two_connections_generated(tmp_path):
    from desktop_app.demo import create_demo, default_arguments
    path = tmp_path / "demo.db"
    session = create_demo(path, default_arguments(people=600, cases=300, loans=60,
                                                  trainings=6, seed=5))
    try:
        today = date.today()
        for period in (current_period("quarter", today), current_period("year", today)):
            for dims in (None, ALL_DIMS):
                _same(session.conn, path, tmp_path, ReportRequest(period, dimensions=dims))
    finally:
        session.conn.close()


def test_cancel_stops_the_second_thread_and_closes_its_connection(session, modules, db_path):  # noqa: F811
    """Cancelled while the second thread is inside its statement: the statement is
    interrupted, the thread has ended and its connection is closed when build_report
    raises; the caller's connection is left as it was."""
    running = threading.Event()

    class Slow(Opener):
        def __call__(self):
            conn = super().__call__()

            def step():   # every few instructions of the second thread's statements
                running.set()
                threading.Event().wait(0.001)
                return 0
            conn.set_progress_handler(step, 50)
            return conn

    opener = Slow(db_path)
    conn = session.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]

    with pytest.raises(Cancelled):
        build_report(conn, ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS),
                     connect=opener, cancelled=running.is_set)
    assert running.is_set() and len(opener.opened) == 1 and opener.all_closed()
    assert not [t for t in threading.enumerate() if t.name == THREAD]
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == cache
    # the caller's connection still builds reports
    assert build_report(conn, ReportRequest(parse_period("2026-Q1"))).adds_up()


def test_a_failure_in_the_second_thread_is_raised_to_the_caller(session, modules, db_path):  # noqa: F811
    class Broken(Opener):
        def __call__(self):
            conn = super().__call__()
            conn.execute("CREATE TEMP VIEW rpt_reach AS SELECT 1 AS pid")  # not a table
            return conn

    opener = Broken(db_path)
    with pytest.raises(dbmod.Error):
        build_report(session.conn, ReportRequest(parse_period("2026-Q1")), connect=opener)
    assert opener.all_closed()
    assert not [t for t in threading.enumerate() if t.name == THREAD]


def test_one_connection_when_a_second_is_not_possible(session, modules, db_path):  # noqa: F811
    conn = session.conn
    request = ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS)
    alone = build_report(conn, request)

    def refuse():
        raise dbmod.DatabaseError("no second connection")
    assert build_report(conn, request, connect=refuse).results == alone.results

    # inside a transaction another connection would not see its changes: never opened
    opener = Opener(db_path)
    conn.execute("BEGIN")
    try:
        PersonRepository(session).delete(
            conn.execute("SELECT id FROM person WHERE deleted = 0 LIMIT 1").fetchone()[0])
        changed = build_report(conn, request, connect=opener)
    finally:
        conn.execute("ROLLBACK")
    assert opener.opened == []
    assert changed.results != alone.results

    # only people indicators (nothing to run beside them): one connection
    only = ReportRequest(parse_period("2026-Q1"), indicators=["people_reached"])
    build_report(conn, only, connect=opener)
    assert opener.opened == []


def test_connection_factory_opens_the_same_file(session, db_path):
    connect = connection_factory(session.conn)
    other = connect()
    try:
        assert other.execute("PRAGMA database_list").fetchone()[2] == str(db_path)
        assert other.execute("SELECT COUNT(*) FROM person").fetchone() == \
            session.conn.execute("SELECT COUNT(*) FROM person").fetchone()
    finally:
        other.close()
    memory = dbmod.sqlite.connect(":memory:")
    assert connection_factory(memory) is None
    memory.close()


def test_keys_with_separator_characters_are_read_as_rows(session, modules, world, db_path,  # noqa: F811
                                                        tmp_path):
    """The second thread reads its rows as one text (codes joined by control characters);
    codes that contain those characters are read row by row instead, with the same
    figures."""
    conn = session.conn
    for name, district in (("A", "TJ\x1fODD"), ("B", "TJ\x1dODD"), ("C", "\x1f\x1d\x1f"),
                           ("G", "x\x1f1\x1dy")):
        conn.execute("UPDATE person SET district = ? WHERE id = ?", (district, world[name]))
    request = ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS)
    _same(conn, db_path, tmp_path, request)
    report = build_report(conn, request, connect=Opener(db_path))
    reached = next(r for r in report.results if r.indicator.code == "people_reached")
    districts = next(t for t in reached.tables if t.dimension == "district")
    assert {"TJ\x1fODD", "TJ\x1dODD", "\x1f\x1d\x1f"} <= {r.bucket for r in districts.rows}


def test_the_second_connection_is_kept_warm_for_the_next_report(session, modules, world,  # noqa: F811
                                                                 db_path):
    """The next report of the same factory takes the idle second connection (its page cache
    holds the pages the last one decrypted) instead of opening a new one; another factory's
    report closes it; close_spare() closes it."""
    conn = session.conn
    request = ReportRequest(parse_period("2026-Q1"), dimensions=ALL_DIMS)
    first, second = Opener(db_path), Opener(db_path)
    alone = build_report(conn, request, language="en")
    for _round in range(3):
        assert build_report(conn, request, language="en", connect=first).results == \
            alone.results
    assert len(first.opened) == 1 and not first.all_closed()
    assert build_report(conn, request, language="en", connect=second).results == alone.results
    assert first.all_closed() and len(second.opened) == 1 and not second.all_closed()
    close_spare()
    assert second.all_closed()
    assert not [t for t in threading.enumerate() if t.name == THREAD]
