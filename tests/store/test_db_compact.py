"""`hamroh db compact` gives freed space back to the disk and keeps every record."""
from desktop_app.cli import main as hamroh
from desktop_app.store.access import open_database
from desktop_app.store.people.repositories import PersonRepository
from tests.conftest import TEST_PASSWORD, dump_of


def test_compact_shrinks_the_file_and_keeps_every_record(session, db_path, monkeypatch, capsys):
    people = PersonRepository(session)
    with session.transaction():
        for i in range(30):
            people.create({"family_name": "Раҳмонов", "given_name": f"Фарҳод {i}"})
    # space freed inside the file, as a migration that rewrites rows leaves it
    session.conn.execute("CREATE TABLE scratch(data BLOB)")
    session.conn.executemany("INSERT INTO scratch VALUES (zeroblob(100000))", [()] * 80)
    session.conn.execute("DROP TABLE scratch")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    session.conn.close()
    records = dump_of(db_path)
    size_before = db_path.stat().st_size
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)

    assert hamroh(["db", "compact", "--db", str(db_path), "--user", "admin"]) == 0

    assert db_path.stat().st_size < size_before - 5_000_000
    assert dump_of(db_path) == records
    conn = open_database(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert "MB now" in capsys.readouterr().out


def test_compact_refuses_without_disk_space(session, db_path, monkeypatch, capsys):
    import shutil
    session.conn.close()
    size_before = db_path.read_bytes()
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(10, 10, 0))
    assert hamroh(["db", "compact", "--db", str(db_path), "--user", "admin"]) == 1
    assert "Not enough free disk space" in capsys.readouterr().err
    assert db_path.read_bytes() == size_before
