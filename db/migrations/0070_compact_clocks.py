"""Store every synced row's clock map compactly: one row stamp plus the fields whose clock
differs (``store.repository.encode_clocks``), instead of one clock per field (~2 KB a
person). Runs after every module's migrations, so all synced tables exist; on a fresh
database there is nothing to rewrite. The file shrinks on the next VACUUM."""
from __future__ import annotations

import importlib
import pkgutil

CHUNK = 5000


def _repositories():
    import desktop_app.store as store
    from desktop_app.store.repository import Repository
    for info in pkgutil.iter_modules(store.__path__):
        importlib.import_module(f"{store.__name__}.{info.name}")
    return Repository.synced_tables()


def migrate(conn) -> None:
    from desktop_app.store.repository import STANDARD_FIELDS, decode_clocks, encode_clocks
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, cls in sorted(_repositories().items()):
        if table not in tables:
            continue
        if "hlc" not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            continue
        fields = STANDARD_FIELDS + tuple(cls.fields)
        last = 0
        while True:
            rows = conn.execute(f"SELECT rowid, hlc FROM {table} WHERE rowid > ? ORDER BY rowid"
                                f" LIMIT {CHUNK}", (last,)).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            changed = []
            for rowid, text in rows:
                compact = encode_clocks(decode_clocks(text, fields), fields)
                if compact != text:
                    changed.append((compact, rowid))
            conn.executemany(f"UPDATE {table} SET hlc=? WHERE rowid=?", changed)

