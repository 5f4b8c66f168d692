"""SIGKILL at every phase of a big bundle import committed in chunks (sync.import_undo),
and of its undo: inside a chunk, between two chunks, inside the last short transaction,
just after it, and at every step of the undo that the next open runs. Each time the
database opens, passes the checks, and holds exactly what it held before the import, or
the whole bundle.

The importing process is a fork of the test (the kill lands in the import itself, not in
an interpreter starting), killed at exact points (hooks on its progress and its commits)
and at seeded random moments.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop_app.store import db as dbmod
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.checks import check_database
from desktop_app.store.db import integrity_problems
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange, import_undo
from desktop_app.sync.dump import dump_text
from tests.sync.test_import_chunks import _scene, state

TIMED_KILLS = 4


@pytest.fixture
def scene(make_replicas, tmp_path, monkeypatch):
    monkeypatch.setattr(import_undo, "CHUNK", 40)
    monkeypatch.setattr(import_undo, "UNDO_STEP", 15)
    monkeypatch.setattr(exchange, "BATCH", 20)
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    before = state(dsh.conn)
    dsh.close()
    pristine = tmp_path / "pristine.db"
    shutil.copyfile(dsh.path, pristine)
    work = tmp_path / "work.db"
    _restore(pristine, work)
    conn = open_database(work)
    summary = exchange.import_bundle(conn, bundle, actor=default_actor(conn))
    after = dump_text(conn)
    conn.close()
    return SimpleNamespace(bundle=bundle, pristine=pristine, work=work, before=before,
                           after=after, total=summary.changes,
                           bundle_id=fmt.read_header(bundle).bundle_id)


def _restore(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _in_child(work, delay: float | None = None) -> int:
    """Run ``work()`` in a forked process (killed after ``delay`` seconds if given);
    returns its wait status."""
    pid = os.fork()
    if pid == 0:
        try:
            work()
        finally:
            os._exit(0)
    if delay is not None:
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
    _pid, status = os.waitpid(pid, 0)
    return status


def _import(scene, progress=None):
    def work():
        conn = open_database(scene.work)
        exchange.import_bundle(conn, scene.bundle, actor=default_actor(conn),
                               progress=progress)
    return work


def _outcome(scene) -> str:
    """Opens the database as the next start would (an interrupted import is undone there)
    and says which whole state it holds."""
    conn = open_database(scene.work)
    try:
        assert integrity_problems(conn) == []
        assert check_database(conn) == []
        assert import_undo.running(conn) is None
        assert conn.execute("SELECT count(*) FROM sync_import_undo").fetchone()[0] == 0
        if exchange.already_imported(conn, scene.bundle_id):
            assert dump_text(conn) == scene.after
            return "after"
        assert state(conn) == scene.before
        return "before"
    finally:
        conn.close()


def _killed(status: int) -> bool:
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_killed_at_every_batch_of_the_import_and_in_its_last_transaction(scene):
    assert scene.total > 6 * import_undo.CHUNK
    # every batch boundary; the last point is inside the final transaction
    points = list(range(exchange.BATCH, scene.total, 3 * exchange.BATCH)) + [scene.total]
    for point in points:
        _restore(scene.pristine, scene.work)

        def progress(done, total, point=point):
            if done >= point:
                _die()
        assert _killed(_in_child(_import(scene, progress)))
        assert _outcome(scene) == "before", point


def test_killed_just_after_a_chunk_commits_or_after_the_last_commit(scene, monkeypatch):
    real_committed = import_undo.ChunkedImport.committed
    for kill_at in (1, 3, 6):
        _restore(scene.pristine, scene.work)
        calls = [0]

        def committed(self, kill_at=kill_at, calls=calls):
            real_committed(self)
            calls[0] += 1
            if calls[0] == kill_at:
                _die()
        monkeypatch.setattr(import_undo.ChunkedImport, "committed", committed)
        assert _killed(_in_child(_import(scene)))
        assert _outcome(scene) == "before"
    monkeypatch.setattr(import_undo.ChunkedImport, "committed", real_committed)
    # whole once the last transaction commits, even if its undo rows are still there
    _restore(scene.pristine, scene.work)
    monkeypatch.setattr(import_undo.ChunkedImport, "close", lambda self: _die())
    assert _killed(_in_child(_import(scene)))
    assert _outcome(scene) == "after"


def _interrupted(scene, tmp_path) -> Path:
    """A database an import was killed in half-way (marker and undo rows left)."""
    _restore(scene.pristine, scene.work)

    def progress(done, total):
        if done >= total * 2 // 3:
            _die()
    assert _killed(_in_child(_import(scene, progress)))
    crashed = tmp_path / "crashed.db"
    for suffix in ("", "-wal"):
        if Path(f"{scene.work}{suffix}").exists():
            shutil.copyfile(f"{scene.work}{suffix}", f"{crashed}{suffix}")
    return crashed


def _restore_crashed(crashed: Path, target: Path) -> None:
    _restore(crashed, target)
    if Path(f"{crashed}-wal").exists():
        shutil.copyfile(f"{crashed}-wal", f"{target}-wal")


def test_killed_at_every_step_of_the_undo_the_next_open_runs(scene, tmp_path, monkeypatch):
    crashed = _interrupted(scene, tmp_path)
    steps = 0
    for hook in ("checkpoint", "_index_after"):      # just after a commit; inside one
        real = getattr(import_undo, hook)
        for kill_at in (1, 2, 4, 7, 11, 16):
            _restore_crashed(crashed, scene.work)
            calls = [0]

            def hooked(*args, real=real, kill_at=kill_at, calls=calls):
                calls[0] += 1
                if calls[0] == kill_at:
                    _die()
                return real(*args)
            monkeypatch.setattr(import_undo, hook, hooked)
            status = _in_child(lambda: open_database(scene.work).close())
            monkeypatch.setattr(import_undo, hook, real)
            steps += _killed(status)
            assert _outcome(scene) == "before", (hook, kill_at)
    assert steps >= 6


def test_killed_at_random_moments_of_the_import_and_of_the_undo(scene, tmp_path):
    rng = random.Random(20261207)
    _restore(scene.pristine, scene.work)
    started = time.monotonic()
    _in_child(_import(scene))
    whole = time.monotonic() - started
    assert _outcome(scene) == "after"
    outcomes = []
    for _ in range(TIMED_KILLS):
        _restore(scene.pristine, scene.work)
        _in_child(_import(scene), rng.uniform(0.1, 1.1) * whole)
        outcomes.append(_outcome(scene))
    crashed = _interrupted(scene, tmp_path)
    _restore_crashed(crashed, scene.work)
    started = time.monotonic()
    _in_child(lambda: open_database(scene.work).close())
    undo = time.monotonic() - started
    for _ in range(TIMED_KILLS):
        _restore_crashed(crashed, scene.work)
        _in_child(lambda: open_database(scene.work).close(), rng.uniform(0.1, 1.0) * undo)
        assert _outcome(scene) == "before"
    assert set(outcomes) <= {"before", "after"}


def test_the_command_line_undoes_an_interrupted_import_before_anything_else(scene, tmp_path):
    import subprocess
    import sys
    crashed = _interrupted(scene, tmp_path)
    _restore_crashed(crashed, scene.work)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "desktop_app", "db", "check", "--db",
                           str(scene.work)], cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, HAMROH_INSECURE_TEST_KDF="1"), timeout=300)
    assert done.returncode == 0, done.stderr
    # read without the open-time recovery of this process: the command's open undid it
    conn = dbmod.connect(scene.work, wal=False)
    try:
        assert import_undo.running(conn) is None
        assert state(conn) == scene.before
    finally:
        conn.close()
