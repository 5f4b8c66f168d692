import hashlib
import shutil

import pytest

from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.access import open_database


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_gets_every_migration(tmp_path):
    conn = open_database(tmp_path / "new.db", create=True)
    assert migrations.applied(conn) == sorted(m.name for m in migrations.available())
    jamoats = conn.execute("SELECT count(*) FROM reference_item WHERE kind='jamoat'").fetchone()[0]
    assert jamoats >= 38


def test_upgrade_applies_only_missing(db_path, tmp_path):
    folder = tmp_path / "migs"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    (folder / "9001_extra.sql").write_text("CREATE TABLE extra(a TEXT);\n")
    conn = dbmod.connect(db_path)
    result = migrations.migrate(conn, db_path, directory=folder)
    assert result.applied == ["9001_extra"]
    assert result.backup is not None and result.backup.exists()
    assert "9001_extra" in migrations.applied(conn)


def test_failing_migration_leaves_file_byte_identical(db_path, tmp_path):
    folder = tmp_path / "migs"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    (folder / "9001_good.sql").write_text(
        "CREATE TABLE good(a TEXT);\nINSERT INTO good VALUES ('x');\n")
    (folder / "9002_bad.sql").write_text(
        "CREATE TABLE bad(a TEXT);\nINSERT INTO nowhere VALUES (1);\n")
    conn = dbmod.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _sha(db_path)
    with pytest.raises(migrations.MigrationError) as err:
        migrations.migrate(conn, db_path, directory=folder)
    assert "9002_bad" in str(err.value)
    conn.close()
    assert _sha(db_path) == before
    conn = dbmod.connect(db_path)
    assert "9001_good" not in migrations.applied(conn)


def test_newer_database_is_refused_untouched(db_path):
    conn = dbmod.connect(db_path)
    conn.execute("INSERT INTO schema_migrations VALUES ('9999_future', '2030-01-01')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _sha(db_path)
    with pytest.raises(dbmod.NewerSchemaError) as err:
        open_database(db_path)
    assert "newer version" in str(err.value)
    assert _sha(db_path) == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    import sqlite3
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t(a)")
    c.commit()
    c.close()
    before = _sha(path)
    with pytest.raises(dbmod.NotAHamrohDatabase):
        open_database(path)
    assert _sha(path) == before


def test_garbage_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a text file, not a database" * 100)
    with pytest.raises(dbmod.NotAHamrohDatabase):
        open_database(path)
    assert path.read_bytes().startswith(b"this is a text file")
