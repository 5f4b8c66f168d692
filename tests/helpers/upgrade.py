"""A database as an earlier version of Hamroh left it: the migrations up to a number only.

Upgrade tests open it with this version (which applies the rest, after a backup copy).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from desktop_app.store import db as dbmod
from desktop_app.store import migrations

PERSON = ("01900000-0000-7000-8000-000000000001", "Karimova", "Dilnoza")


def earlier_database(path: Path, last: str) -> int:
    """A plain (unencrypted) database at path with the migrations numbered up to ``last``
    ("0062") and one person written as that schema stores one; the number of migrations."""
    with tempfile.TemporaryDirectory() as folder:
        subset = Path(folder)
        for migration in migrations.available():
            if migration.number <= int(last):
                shutil.copy2(migration.path, subset / migration.path.name)
        conn = dbmod.connect(path, create=True)
        try:
            result = migrations.migrate(conn, path, directory=subset, backup=False)
            stamp = "2025-11-03T09:15:00Z"
            conn.execute(
                "INSERT INTO person(id, family_name, given_name, created_at, created_by, "
                "updated_at, updated_by, hlc) VALUES (?, ?, ?, ?, 'system', ?, 'system', '{}')",
                (*PERSON, stamp, stamp))
            conn.commit()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    return len(result.applied)
