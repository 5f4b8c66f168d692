"""Opening a Hamroh database for use: the one place the UI and CLI go through.

``open_database`` checks the file (a Hamroh database, not newer than this version),
applies pending migrations (backup first) and returns the connection. ``open_session``
adds the acting user under the role policy. Encrypted files open with a key unlocked
earlier in this process (``security.keys``); logging in is ``security.accounts``.
"""
from __future__ import annotations

import os
from pathlib import Path

from desktop_app.domain.actors import SYSTEM, Actor
from desktop_app.store import db as dbmod
from desktop_app.store import migrations
from desktop_app.store.reference import ensure_reference, load_reference
from desktop_app.store.security.keys import key_without_login
from desktop_app.store.security.policy import install_policy
from desktop_app.store.session import Session


def open_database(path: str | os.PathLike, *, key: bytes | None = None, create: bool = False,
                  migrate: bool = True) -> dbmod.Connection:
    path = Path(path)
    existed = path.exists() and path.stat().st_size > 0
    if key is None and existed:
        # a key unlocked earlier in this process (login, tests' copies): see store.security.keys
        key = key_without_login(path)
    if create and path.exists() and path.stat().st_size == 0:
        path.unlink()
    conn = dbmod.connect(path, key, create=create, wal=False)
    try:
        migrations.check_is_hamroh(conn, path)
        migrations.check_not_newer(conn, path)
        dbmod.enable_wal(conn)
        if migrate:
            migrations.migrate(conn, path, backup=existed, after_migrate=load_reference)
            ensure_reference(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def default_actor(conn) -> Actor:
    """The acting user when no login is asked for (first active administrator, else system)."""
    row = conn.execute("SELECT id, username, role, office_id, display_name FROM app_user "
                       "WHERE active=1 AND deleted=0 AND role='administrator' "
                       "ORDER BY created_at LIMIT 1").fetchone()
    if row is None:
        return SYSTEM
    return Actor(user_id=row[0], username=row[1], role=row[2], office_id=row[3],
                 display_name=row[4])


def open_session(path: str | os.PathLike, *, actor: Actor | None = None, key: bytes | None = None,
                 create: bool = False, migrate: bool = True) -> Session:
    conn = open_database(path, key=key, create=create, migrate=migrate)
    return install_policy(Session(conn, actor or default_actor(conn)))
