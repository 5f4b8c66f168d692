"""store.db: the page cache of every connection is sized from the memory available."""
from types import SimpleNamespace

from desktop_app.store import db as dbmod


def _available(monkeypatch, gib: float) -> None:
    monkeypatch.setattr(dbmod, "_cache_kib", None)
    monkeypatch.setattr(dbmod.psutil, "virtual_memory",
                        lambda: SimpleNamespace(available=int(gib * 2**30)))


def test_page_cache_is_an_eighth_of_the_memory_within_bounds(monkeypatch):
    sizes = {}
    for gib in (0.25, 4, 16, 64):
        _available(monkeypatch, gib)
        sizes[gib] = dbmod.page_cache_kib()
    assert sizes == {0.25: dbmod.CACHE_FLOOR_KIB, 4: 512 * 1024,
                     16: dbmod.CACHE_CEILING_KIB, 64: dbmod.CACHE_CEILING_KIB}
    assert dbmod.CACHE_FLOOR_KIB == 64 * 1024 and dbmod.CACHE_CEILING_KIB == 1024 * 1024


def test_every_connection_gets_it_and_encrypted_ones_no_memory_wiping(tmp_path, monkeypatch):
    _available(monkeypatch, 2)
    plain = dbmod.connect(tmp_path / "plain.db", create=True)
    assert plain.execute("PRAGMA cache_size").fetchone()[0] == -256 * 1024
    plain.close()
    secret = dbmod.connect(tmp_path / "secret.db", key=bytes(range(32)), create=True)
    assert secret.execute("PRAGMA cache_size").fetchone()[0] == -256 * 1024
    assert secret.execute("PRAGMA cipher_memory_security").fetchone()[0] == "0"
    secret.close()


def test_the_size_is_chosen_once_per_process(monkeypatch):
    _available(monkeypatch, 4)
    first = dbmod.page_cache_kib()
    monkeypatch.setattr(dbmod.psutil, "virtual_memory",
                        lambda: SimpleNamespace(available=64 * 2**30))
    assert dbmod.page_cache_kib() == first


def test_no_memory_figure_means_the_floor(monkeypatch):
    monkeypatch.setattr(dbmod, "_cache_kib", None)

    def broken():
        raise OSError("no /proc")
    monkeypatch.setattr(dbmod.psutil, "virtual_memory", broken)
    assert dbmod.page_cache_kib() == dbmod.CACHE_FLOOR_KIB


def test_none_bytes_and_bool_are_stored_as_sqlite_stores_them(tmp_path):
    """The adapters that spare the driver's slow look-up store exactly what it stored."""
    conn = dbmod.connect(tmp_path / "values.db", key=bytes(range(32)), create=True)
    conn.execute("CREATE TABLE t(n INTEGER PRIMARY KEY, v)")

    class Blob(bytes):
        pass
    values = [None, b"", b"\x00\xffkey", Blob(b"sub"), True, False, 0, 7, 2.5, "текст", ""]
    conn.executemany("INSERT INTO t(n, v) VALUES (?, ?)", list(enumerate(values)))
    conn.execute("INSERT INTO t(n, v) VALUES (?, ?)", (99, None))
    stored = conn.execute("SELECT v, typeof(v) FROM t ORDER BY n").fetchall()
    assert stored == [(None, "null"), (b"", "blob"), (b"\x00\xffkey", "blob"),
                      (b"sub", "blob"), (1, "integer"), (0, "integer"), (0, "integer"),
                      (7, "integer"), (2.5, "real"), ("текст", "text"), ("", "text"),
                      (None, "null")]
    assert conn.execute("SELECT count(*) FROM t WHERE v IS ?", (None,)).fetchone()[0] == 2
    conn.close()


def test_only_types_outside_the_drivers_fast_path_have_adapters():
    """An adapter for int, float, str or bytearray would send every parameter through the
    slow look-up; None, bytes and bool have one (sqlcipher3 otherwise builds two
    AttributeErrors per such parameter)."""
    registered = {kind for kind, _protocol in dbmod.sqlite.adapters}
    assert {type(None), bytes, bool} <= registered
    assert not registered & {int, float, str, bytearray}
