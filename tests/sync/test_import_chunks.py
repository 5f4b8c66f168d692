"""A big bundle is imported in committed chunks (sync.import_undo): the result is the
same as one transaction, and a cancel, a failure or a crash at any chunk puts the
database back exactly as it was, full-text indexes included."""
from __future__ import annotations

import os
import shutil
from datetime import date

import psutil
import pytest

from desktop_app.store.access import default_actor, open_database
from desktop_app.store.cases import search as case_search
from desktop_app.store.cases import services as cs
from desktop_app.store.checks import check_database
from desktop_app.store.db import integrity_problems
from desktop_app.store.people.repositories import PersonRepository, search_people
from desktop_app.sync import exchange, import_undo
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files

_SKIPPED = ("sync_import_running", "sync_import_range", "sync_import_undo", "sqlite_stat1",
            "sqlite_stat4", "sqlite_sequence")


def state(conn) -> dict:
    """Every row of every table (full-text tables by what they find), for comparing a
    database before and after."""
    found: dict = {}
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    for name in names:
        # full-text tables by what they find; the cases waiting for a refresh of their
        # keys (case_search_stale) may have been refreshed by the undo: same answers
        if name in _SKIPPED or name.startswith(("person_search_", "case_search_")):
            continue
        found[name] = sorted(map(repr, conn.execute(f'SELECT rowid, * FROM "{name}"')))
    found["person_search"] = sorted(r[0] for r in conn.execute("SELECT rowid FROM person_search"))
    found["case_search"] = sorted(r[0] for r in conn.execute("SELECT rowid FROM case_search"))
    for word in ("Karimov", "Navdi", "Rahimova", "Саидов", "Vektor"):
        found[f"find {word}"] = sorted(map(repr, search_people(conn, word)))
        found[f"case {word}"] = case_search.search_rowids(conn, word)
    return found


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(import_undo, "CHUNK", 40)
    monkeypatch.setattr(exchange, "BATCH", 20)


def _case(replica, family_name):
    today = date.today().isoformat()
    person = PersonRepository(replica.session).create(dict(
        family_name=family_name, given_name="Фарҳод", consent_date=today,
        consent_scope="referral"))
    employer = cs.find_or_create_employer(replica.session, "ООО Вектор")
    cs.open_case(replica.session, dict(channel="hotline", category="unpaid_wages",
                                       person_id=person["id"], opened_on=today,
                                       employer_id=employer["id"]))
    return person


def _scene(make_replicas, tmp_path):
    """An office's second bundle to a coordinator that already holds, and has edited, some
    of its records: new records, updates of rows the coordinator has, a conflict."""
    grm, dsh = make_replicas(["GRM", "DSH"])
    people = PersonRepository(grm.session)
    known = [people.create({"family_name": f"Karimov{i}", "given_name": "Aziz",
                            "phones": f"+992 93 {i:07d}"}) for i in range(30)]
    cased = [_case(grm, f"Саидов{i}") for i in range(5)]
    exchange_files(grm, dsh, tmp_path / "first.hamroh")
    for p in known[:20]:
        people.update(p["id"], {"village": "Navdi", "family_name": p["family_name"] + "a"})
    for p in cased:
        people.update(p["id"], {"family_name": "Rahimova"})
    PersonRepository(dsh.session).update(known[0]["id"], {"village": "Garm"})
    for i in range(150):
        people.create({"family_name": f"Rahimova{i}", "given_name": "Zarina"})
    for i in range(6):
        _case(grm, f"Nazarov{i}")
    bundle = tmp_path / "second.hamroh"
    exchange.export_bundle(grm.conn, bundle)
    return grm, dsh, bundle


def test_chunks_give_the_same_database_as_one_transaction(make_replicas, tmp_path,
                                                           monkeypatch):
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    dsh.close()
    whole = tmp_path / "whole.db"
    shutil.copyfile(dsh.path, whole)
    monkeypatch.setattr(import_undo, "CHUNK", 10**9)
    conn = open_database(whole)
    one = exchange.import_bundle(conn, bundle, actor=default_actor(conn))
    monkeypatch.setattr(import_undo, "CHUNK", 40)
    monkeypatch.setattr(exchange, "BATCH", 20)
    chunked = open_database(dsh.path)
    many = exchange.import_bundle(chunked, bundle, actor=default_actor(chunked))
    assert many.changes > 5 * 40
    assert (many.new, many.updated, many.unchanged, many.conflicts, many.duplicates) == \
        (one.new, one.updated, one.unchanged, one.conflicts, one.duplicates)
    assert one.updated > 20 and one.conflicts >= 1
    assert dump_text(chunked) == dump_text(conn)
    ours, theirs = state(chunked), state(conn)
    for name in ours:
        if name not in ("audit_log", "sync_bundle_log", "sync_conflict", "sync_duplicate",
                        "change_entry", "sync_peer"):
            assert ours[name] == theirs[name], name
    # nothing of the bookkeeping stays behind
    assert import_undo.running(chunked) is None
    assert chunked.execute("SELECT count(*) FROM sync_import_undo").fetchone()[0] == 0
    assert chunked.execute("SELECT count(*) FROM sync_import_range").fetchone()[0] == 0
    assert check_database(chunked) == []
    conn.close()
    chunked.close()


@pytest.mark.parametrize("stop_at", [0.05, 0.5, 1.0])
def test_cancel_at_any_chunk_puts_back_every_row(make_replicas, tmp_path, small_chunks,
                                                 stop_at):
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    before = state(dsh.conn)

    def progress(done, total):
        return done < stop_at * total
    undone: list[tuple[int, int]] = []
    with pytest.raises(exchange.ImportCancelled):
        exchange.import_bundle(dsh.conn, bundle, progress=progress,
                               undo_progress=lambda done, total: undone.append((done, total)))
    assert state(dsh.conn) == before
    # the undo says how far it is, up to its whole (a cancel inside the first chunk
    # leaves nothing committed to undo)
    if stop_at > 0.2:
        assert undone and undone[-1][0] == undone[-1][1] > 0
    assert import_undo.running(dsh.conn) is None
    assert check_database(dsh.conn) == []
    # and the same bundle imports whole afterwards
    assert exchange.import_bundle(dsh.conn, bundle).new > 150


def test_a_failure_in_a_later_chunk_is_undone(make_replicas, tmp_path, small_chunks,
                                              monkeypatch):
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    before = state(dsh.conn)
    real = exchange.apply_remote_batch
    calls = [0]

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 7:
            raise OSError("disk gone")
        return real(*args, **kwargs)
    monkeypatch.setattr(exchange, "apply_remote_batch", failing)
    with pytest.raises(exchange.SyncError):
        exchange.import_bundle(dsh.conn, bundle)
    assert state(dsh.conn) == before


def _crash_at(db_path, bundle, stop_after: int) -> None:
    """Import in a child process that dies (no clean-up at all) after ``stop_after``
    changes."""
    pid = os.fork()
    if pid == 0:
        try:
            conn = open_database(db_path)

            def progress(done, total):
                if done >= stop_after:
                    os._exit(3)
            exchange.import_bundle(conn, bundle, actor=default_actor(conn), progress=progress)
        finally:
            os._exit(0)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3


def test_a_crash_is_undone_when_the_database_is_opened(make_replicas, tmp_path, small_chunks):
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    before = state(dsh.conn)
    dsh.close()
    _crash_at(dsh.path, bundle, 150)
    conn = open_database(dsh.path)
    assert import_undo.running(conn) is None
    assert state(conn) == before
    assert integrity_problems(conn) == [] and check_database(conn) == []
    assert exchange.import_bundle(conn, bundle).new > 150
    conn.close()


def test_an_import_caps_its_page_cache_and_gives_it_back(make_replicas, tmp_path,
                                                          small_chunks, monkeypatch):
    """The pages an import writes would stay in the connection's cache (up to 1 GiB): the
    process would grow with the bundle. The cap follows the database: a quarter of the
    file, so that an import into a large register keeps the index pages it writes into."""
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    dsh.close()
    conn = open_database(dsh.path)
    file_kib = os.path.getsize(dsh.path) // 1024
    assert exchange.import_cache_kib(conn) == exchange.IMPORT_CACHE_KIB > file_kib
    monkeypatch.setattr(exchange, "IMPORT_CACHE_KIB", 8)
    assert exchange.import_cache_kib(conn) == file_kib // 4 > 8
    monkeypatch.undo()
    monkeypatch.setattr(import_undo, "CHUNK", 40)
    monkeypatch.setattr(exchange, "BATCH", 20)
    conn.execute("PRAGMA cache_size = -524288")     # a machine with 4 GiB available
    seen = []

    def cancel_at_second_chunk(done, _total):
        seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])
        return done < 2 * import_undo.CHUNK
    with pytest.raises(exchange.ImportCancelled):
        exchange.import_bundle(conn, bundle, progress=cancel_at_second_chunk)
    assert len(seen) > 3 and set(seen) == {-exchange.IMPORT_CACHE_KIB}
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -524288
    # a smaller cache is left as it is
    conn.execute("PRAGMA cache_size = -2000")
    seen.clear()
    assert exchange.import_bundle(conn, bundle, progress=lambda *_a: seen.append(
        conn.execute("PRAGMA cache_size").fetchone()[0])).new > 150
    assert set(seen) == {-2000}
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -2000
    conn.close()


def test_exports_and_imports_wait_for_an_import_running_elsewhere(make_replicas, tmp_path):
    _grm, dsh, bundle = _scene(make_replicas, tmp_path)
    parent = psutil.Process(os.getppid())
    # the marker of an import that a live process runs
    dsh.conn.execute("INSERT INTO sync_import_running(id, bundle_id, started_at, pid,"
                     " process_started) VALUES (1, 'other', '2026-01-01', ?, ?)",
                     (parent.pid, parent.create_time()))
    with pytest.raises(exchange.SyncError) as refused:
        exchange.export_bundle(dsh.conn, tmp_path / "out.hamroh")
    assert refused.value.code == "import_running"
    with pytest.raises(exchange.SyncError) as refused:
        exchange.import_bundle(dsh.conn, bundle)
    assert refused.value.code == "import_running"
    # opening the database leaves a running import alone
    assert import_undo.recover(dsh.conn) is False
    assert import_undo.running(dsh.conn) is not None
    # once that process is gone, the marker is an interrupted import: undone, then free
    dsh.conn.execute("UPDATE sync_import_running SET process_started = 1")
    assert import_undo.recover(dsh.conn) is True
    assert exchange.export_bundle(dsh.conn, tmp_path / "out.hamroh").changes > 0


def test_the_command_line_names_the_undo_stage(capsys):
    from desktop_app.commands.sync_bundle import ImportProgress
    progress = ImportProgress("b.hamroh")
    progress.undoing(10, 40)
    progress.undoing(40, 40)      # the end is always shown
    printed = capsys.readouterr().err
    assert "b.hamroh: the import stopped; taking back what it saved, 10 of 40" in printed
    assert "40 of 40" in printed


def test_other_writers_wait_between_chunks_so_an_undo_cannot_undo_their_work(
        make_replicas, tmp_path, small_chunks, monkeypatch):
    """Between two committed chunks a user's edit of a record the import changed would be
    put back by the undo if the import were then cancelled: it is refused as while the
    database is busy, with nothing saved, and goes through once the import is done."""
    from desktop_app.store.db import DatabaseBusy
    from desktop_app.store.session import Session
    grm, dsh, bundle = _scene(make_replicas, tmp_path)
    target = grm.conn.execute("SELECT id FROM person WHERE village='Navdi' LIMIT 1"
                              ).fetchone()[0]
    other = open_database(dsh.path)
    clerk = PersonRepository(Session(other, default_actor(other)))
    refused: list[BaseException] = []
    committed = import_undo.ChunkedImport.committed

    def edit_between_chunks(self) -> None:
        committed(self)
        if not refused:
            try:
                clerk.update(target, {"village": "Tavildara"})
            except DatabaseBusy as exc:
                refused.append(exc)
    monkeypatch.setattr(import_undo.ChunkedImport, "committed", edit_between_chunks)
    summary = exchange.import_bundle(dsh.conn, bundle)
    assert summary.new > 150
    assert refused and "busy" in str(refused[0])
    assert clerk.get(target)["village"] in ("Navdi", "Garm")   # nothing of the edit saved
    assert clerk.update(target, {"village": "Tavildara"})["village"] == "Tavildara"
    other.close()
