"""KeptConnection: one read connection kept warm between runs, never closed under a run."""
from __future__ import annotations

import pytest

from desktop_app.reports.parallel import KeptConnection
from desktop_app.store import db as dbmod
from tests.reports.test_parallel_report import Opener


def _open(conn) -> bool:
    try:
        conn.execute("SELECT 1")
    except dbmod.sqlite.ProgrammingError:
        return False
    return True


def test_runs_one_after_another_share_one_connection(session, db_path):
    opener = Opener(db_path)
    kept = KeptConnection(opener)
    for _run in range(3):
        conn = kept.lease()
        assert conn.execute("SELECT count(*) FROM person").fetchone()[0] >= 0
        conn.close()
        with pytest.raises(dbmod.sqlite.ProgrammingError):
            conn.execute("SELECT 1")           # the lease is closed for its user
    assert len(opener.opened) == 1 and _open(opener.opened[0])    # kept, warm
    kept.retire()
    assert opener.all_closed()


def test_a_run_that_asks_while_the_last_is_giving_it_back_waits_for_it(session, db_path):
    import threading
    opener = Opener(db_path)
    kept = KeptConnection(opener)
    first = kept.lease()
    got = []
    asking = threading.Thread(target=lambda: got.append(kept.lease()))
    asking.start()
    first.close()                                  # given back: the waiting run takes it
    asking.join(30)
    assert len(opener.opened) == 1 and got
    got[0].close()
    kept.retire()
    assert opener.all_closed()


def test_a_second_run_meanwhile_gets_a_connection_of_its_own(session, db_path, monkeypatch):
    opener = Opener(db_path)
    kept = KeptConnection(opener)
    monkeypatch.setattr(kept, "WAIT_SECONDS", 0)
    first = kept.lease()
    second = kept.lease()
    assert len(opener.opened) == 2
    second.close()
    assert not _open(opener.opened[1]) and _open(opener.opened[0])
    first.close()
    kept.retire()
    assert opener.all_closed()


def test_retired_while_a_run_reads_the_run_closes_it(session, db_path):
    opener = Opener(db_path)
    kept = KeptConnection(opener)
    running = kept.lease()
    kept.retire()                                # the page is gone, the run goes on
    assert running.execute("SELECT count(*) FROM person").fetchone() is not None
    assert _open(opener.opened[0])
    running.close()
    assert opener.all_closed()
    late = kept.lease()                          # after retire: its own, closed by its user
    late.close()
    assert len(opener.opened) == 2 and opener.all_closed()
