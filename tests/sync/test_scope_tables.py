"""Every synced table of the schema is reachable by sync, wherever its repository lives."""
from desktop_app.sync import scope


def _tables_with_clocks(conn) -> set[str]:
    """Tables laid out as synced records: per-field clocks and a tombstone."""
    found = set()
    for table in scope.existing_tables(conn):
        columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if {"id", "hlc", "deleted", "office_id"} <= columns:
            found.add(table)
    return found


def test_every_table_with_clocks_has_a_synced_repository(session):
    synced = scope.synced_tables(session.conn)
    missing = _tables_with_clocks(session.conn) - set(synced)
    assert not missing, f"tables with sync clocks that no repository syncs: {sorted(missing)}"
    assert {"person", "hotline_case", "loan"} <= set(synced)


def test_repositories_in_sub_packages_are_found(tmp_path, monkeypatch):
    """A repository module moved into a sub-package of store/ still registers."""
    import desktop_app.store as store
    from desktop_app.store.repository import Repository

    package = tmp_path / "nested_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "deep.py").write_text(
        "from desktop_app.store.repository import Repository\n\n"
        "class DeepRepository(Repository):\n"
        "    table = 'deep_probe'\n"
        "    fields = ('label',)\n")
    monkeypatch.setattr(store, "__path__", list(store.__path__) + [str(tmp_path)])
    try:
        scope.load_repositories()
        assert "deep_probe" in Repository.synced_tables()
    finally:
        import sys
        Repository._registry.pop("deep_probe", None)
        for name in [n for n in sys.modules if n.startswith("desktop_app.store.nested_pkg")]:
            del sys.modules[name]
