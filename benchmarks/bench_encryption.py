"""Encryption at rest on scans larger than the default page cache: the demo database
(encrypted, as every Hamroh file) against the same file decrypted (``sqlcipher_export``,
built once and cached beside the demo database), in the same run.

Two scans: the change log (the largest table) and the person table (wide rows). Each
is timed three ways, median of three runs, wall and CPU:
* cold: a new connection for every run (every page read from the OS is decrypted);
* warm: the same connection, with the page cache every connection now gets
  (``store.db.page_cache_kib``: an eighth of the memory available, 64 MiB to 1 GiB);
* warm with the former fixed 64 MiB cache (what a connection had before).
"""
from __future__ import annotations

from run import compare, timed

SCANS = {
    "change-log scan": "SELECT count(*), sum(length(fields)) FROM change_log",
    "person table scan": "SELECT count(*), sum(length(notes)), sum(length(family_name)) "
                         "FROM person",
}
OLD_CACHE_KIB = 65_536


def _plain_copy(ctx, source):
    from desktop_app.store.access import open_database
    plain = source.with_name(source.stem + ".plain.db")
    if plain.exists() and plain.stat().st_mtime >= source.stat().st_mtime:
        return plain
    for leftover in plain.parent.glob(plain.name + "*"):
        leftover.unlink()
    conn = open_database(source)
    partial = plain.with_name(plain.name + ".partial")
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(partial),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    partial.rename(plain)
    return plain


def _scan(path, key, sql, cache_kib, warm):
    from desktop_app.store import db as dbmod
    state = {}

    def connect():
        conn = dbmod.connect(path, key)
        if cache_kib:
            conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        return conn

    def once():
        if not warm or "conn" not in state:
            if "conn" in state:
                state["conn"].close()
            state["conn"] = connect()
            if warm:
                state["conn"].execute(sql).fetchone()     # fill the cache first
        state["conn"].execute(sql).fetchone()

    if warm:
        once()
    result = timed(once)
    state["conn"].close()
    return result


def run(ctx):
    from desktop_app.store import db as dbmod
    from desktop_app.store.access import open_database

    source = ctx.demo_db()
    open_database(source).close()                        # unlocks the key in this process
    key = dbmod.known_key(source)
    plain = _plain_copy(ctx, source)
    mib = dbmod.page_cache_kib() // 1024
    results = []
    for name, sql in SCANS.items():
        for label, cache, warm in (("cold, new connection", None, False),
                                   (f"warm, {mib} MiB cache", None, True),
                                   ("warm, former 64 MiB cache", OLD_CACHE_KIB, True)):
            enc = _scan(source, key, sql, cache, warm)
            bare = _scan(plain, None, sql, cache, warm)
            results.append(compare(f"{name} ({label}), encrypted", enc, "decrypted", bare,
                                   "<= 1.3x", unit="s"))
    return results
