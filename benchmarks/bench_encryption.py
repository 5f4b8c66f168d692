"""Encryption at rest on scans larger than the default page cache: the demo database
(encrypted, as every Hamroh file) against the same file decrypted (``sqlcipher_export``,
built once and cached beside the demo database), in the same run.

Two scans: the change log (the largest table) and the person table (wide rows). Each
is timed three ways, median of three runs, wall and CPU:
* cold: a new connection for every run (every page read from the OS is decrypted);
* warm: the same connection, with the page cache every connection now gets
  (``store.db.page_cache_kib``: an eighth of the memory available, 64 MiB to 1 GiB);
* warm with the former fixed 64 MiB cache (what a connection had before).

Two last figures bound what any setting of the same cipher could reach on a cold scan. The
cipher's own work is the least it must do for each page the person scan reads (AES-256-CBC
decryption and SHA-512 of the page, HMAC-SHA512's main work), at OpenSSL's own speed on
this machine (64 MiB in cached pieces, so no per-page overhead is counted): first against what
encryption adds to the cold scan, then, added to the decrypted scan, against that scan.
"""
from __future__ import annotations

import os
import sqlite3
import time

from run import Result, compare, timed

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


def _cipher_us_per_page(page_size: int) -> float:
    """CPU microseconds OpenSSL (through ``cryptography``; SQLCipher uses OpenSSL here too)
    spends to decrypt (AES-256-CBC) and hash (SHA-512) one page, at full throughput: 64 MiB
    in pieces of 256 KiB that stay in the processor's cache, written into one buffer (a
    single 64 MiB call would time the memory, not the cipher)."""
    import hashlib

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    piece = os.urandom(256 << 10)
    out = bytearray(len(piece) + 16)
    rounds = 256
    decrypt = Cipher(algorithms.AES(os.urandom(32)), modes.CBC(os.urandom(16))).decryptor()
    spent = []
    for _ in range(3):
        started = time.process_time()
        for _round in range(rounds):
            decrypt.update_into(piece, out)
            hashlib.sha512(piece).digest()
        spent.append(time.process_time() - started)
    return sorted(spent)[1] / (rounds * len(piece) / page_size) * 1e6


def _pages(plain, table: str) -> tuple[int, int]:
    """(pages of ``table``'s own tree, overflow pages included, which a full scan reads;
    page size) in the decrypted copy (the standard library's SQLite has dbstat)."""
    conn = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
    try:
        pages = conn.execute("SELECT count(*) FROM dbstat WHERE name = ?",
                             (table,)).fetchone()[0]
        return pages, conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


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
            if name == "person table scan" and not warm:
                cold = enc, bare
    pages, page_size = _pages(plain, "person")
    per_page = _cipher_us_per_page(page_size)
    cipher = pages * per_page / 1e6
    cold_enc, cold_plain = cold
    results.append(Result(
        "person table scan, cold: CPU that encryption adds (encrypted - decrypted)",
        cold_enc.cpu - cold_plain.cpu, "s", f"the cipher's own work on its {pages:,} pages",
        cipher, "near 1x: SQLCipher adds little beyond the cipher"))
    least = cold_plain.cpu + cipher
    results.append(Result(
        f"person table scan, cold: least CPU with this cipher ({pages:,} pages x "
        f"{per_page:.1f} us of AES-256-CBC + SHA-512)", least, "s",
        "decrypted scan, CPU", cold_plain.cpu, "a cold ratio below this one needs another "
        "cipher setting"))
    return results
