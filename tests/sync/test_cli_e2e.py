"""End to end through the ``hamroh`` command: two offices and a coordinator."""
from __future__ import annotations

from desktop_app.cli import main as hamroh
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import Session
from desktop_app.store.setup import initialise
from tests.conftest import dump_of


def _new_db(path, code, office_type="jrc"):
    conn = open_database(path, create=True)
    initialise(conn, office_code=code, office_name=f"{code} office", office_type=office_type)
    conn.close()


def _edit(path, fn):
    conn = open_database(path)
    try:
        fn(PersonRepository(Session(conn, default_actor(conn))))
    finally:
        conn.close()


def _ok(*argv):
    code = hamroh([str(a) for a in argv])
    assert code == 0, argv


def _fingerprint(path, capsys) -> str:
    capsys.readouterr()
    _ok("device", "show", "--db", path)
    out = capsys.readouterr().out
    return [line.split(": ", 1)[1] for line in out.splitlines()
            if line.startswith("Fingerprint")][0]


def test_two_offices_and_coordinator_converge(tmp_path, capsys):
    grm, tjb, dsh = tmp_path / "grm.db", tmp_path / "tjb.db", tmp_path / "dsh.db"
    _new_db(grm, "GRM")
    _new_db(tjb, "TJB")
    _new_db(dsh, "DSH", "coordinator")
    secret = tmp_path / "passphrase.txt"
    secret.write_text("Rasht valley 2026 sync\n")
    for db in (grm, tjb, dsh):
        _ok("device", "passphrase", "--db", db, "--passphrase-file", secret)
    # fingerprints read out over the phone
    fp = {db: _fingerprint(db, capsys) for db in (grm, tjb, dsh)}
    for office in (grm, tjb):
        _ok("device", "trust", "--db", dsh, "--fingerprint", fp[office])
        _ok("device", "trust", "--db", office, "--fingerprint", fp[dsh])

    ids = {}
    _edit(grm, lambda r: ids.setdefault("a", r.create(
        {"family_name": "Раҳмонов", "given_name": "Фарҳод", "birth_date": "1990-03-07",
         "phones": "+992 93 555 12 34"})["id"]))
    _edit(tjb, lambda r: ids.setdefault("b", r.create(
        {"family_name": "Rahmonov", "given_name": "Farhod", "birth_date": "1990-03-07",
         "phones": "+992935551234"})["id"]))

    b = tmp_path / "bundles"
    b.mkdir()
    _ok("bundle", "export", "--db", grm, "--to", b / "grm1.hamroh")
    _ok("bundle", "export", "--db", tjb, "--to", b / "tjb1.hamroh")
    capsys.readouterr()
    _ok("bundle", "import", "--db", dsh, b / "tjb1.hamroh", b / "grm1.hamroh")
    printed = capsys.readouterr()
    assert "1 possible duplicates" in printed.out
    # the progress on stderr, bundle by bundle: the stage and the changes done of the total
    progress = printed.err.splitlines()
    for name in ("tjb1.hamroh", "grm1.hamroh"):
        lines = [line for line in progress if line.startswith(f"{name}: ")]
        assert lines[0].startswith(f"{name}: applying changes, 0 of "), progress
        total = lines[0].rsplit(" of ", 1)[1]
        assert int(total) > 1
        assert lines[-1] == (f"{name}: {total} changes applied; looking for possible "
                             "duplicates and saving"), progress
        assert len(lines) == 2          # small bundles: the start and the end only
    # edits on all three
    _edit(dsh, lambda r: r.update(ids["a"], {"notes": "wages case opened"}))
    _edit(grm, lambda r: r.update(ids["a"], {"village": "Navdi"}))
    _edit(tjb, lambda r: r.update(ids["b"], {"migration_status": "returned"}))

    _ok("bundle", "export", "--db", dsh, "--to", b / "dsh-grm.hamroh", "--for", "GRM")
    _ok("bundle", "export", "--db", dsh, "--to", b / "dsh-tjb.hamroh", "--for", "TJB")
    _ok("bundle", "import", "--db", grm, b / "dsh-grm.hamroh")
    _ok("bundle", "import", "--db", tjb, b / "dsh-tjb.hamroh")
    _ok("bundle", "export", "--db", grm, "--to", b / "grm2.hamroh")
    _ok("bundle", "export", "--db", tjb, "--to", b / "tjb2.hamroh")
    _ok("bundle", "import", "--db", dsh, b / "grm2.hamroh", b / "tjb2.hamroh")

    # the coordinator holds everything; each office its own records and shared data
    coordinator = dump_of(dsh)
    assert '"village":"Navdi"' in coordinator and '"migration_status":"returned"' in coordinator
    assert '"notes":"wages case opened"' in coordinator
    office = dump_of(grm)
    assert ids["b"] not in office and '"notes":"wages case opened"' in office
    # importing everything again changes nothing
    capsys.readouterr()
    _ok("bundle", "import", "--db", dsh, *sorted(b.glob("grm*.hamroh")))
    assert "already imported" in capsys.readouterr().out
    assert dump_of(dsh) == coordinator

    # a second coordinator device restored from full bundles holds the same data
    dsh2 = tmp_path / "dsh2.db"
    _new_db(dsh2, "DS2", "coordinator")
    _ok("device", "passphrase", "--db", dsh2, "--passphrase-file", secret)
    _ok("bundle", "export", "--db", dsh, "--to", b / "all.hamroh", "--full")
    _ok("device", "trust", "--db", dsh2, "--from-bundle", b / "all.hamroh")
    _ok("bundle", "import", "--db", dsh2, b / "all.hamroh")
    _ok("device", "trust", "--db", dsh, "--fingerprint", _fingerprint(dsh2, capsys))
    _ok("bundle", "export", "--db", dsh2, "--to", b / "back.hamroh", "--full")
    _ok("bundle", "import", "--db", dsh, b / "back.hamroh")
    _ok("bundle", "export", "--db", dsh, "--to", b / "all2.hamroh")
    _ok("bundle", "import", "--db", dsh2, b / "all2.hamroh")
    assert dump_of(dsh2) == dump_of(dsh)

    capsys.readouterr()
    _ok("bundle", "history", "--db", dsh)
    history = capsys.readouterr().out
    assert "GRM" in history and "TJB" in history

    # revoking refuses the device's next bundle
    _ok("device", "revoke", "--db", dsh, fp[grm])
    _edit(grm, lambda r: r.update(ids["a"], {"village": "Garm"}))
    _ok("bundle", "export", "--db", grm, "--to", b / "grm3.hamroh")
    capsys.readouterr()
    assert hamroh(["bundle", "import", "--db", str(dsh), str(b / "grm3.hamroh")]) == 1
    assert fp[grm] in capsys.readouterr().err


def test_watched_folder_imports_and_writes(tmp_path, capsys):
    grm, dsh = tmp_path / "grm.db", tmp_path / "dsh.db"
    _new_db(grm, "GRM")
    _new_db(dsh, "DSH", "coordinator")
    secret = tmp_path / "pp"
    secret.write_text("Rasht valley 2026 sync")
    for db in (grm, dsh):
        _ok("device", "passphrase", "--db", db, "--passphrase-file", secret)
    fp = {db: _fingerprint(db, capsys) for db in (grm, dsh)}
    _ok("device", "trust", "--db", dsh, "--fingerprint", fp[grm])
    _ok("device", "trust", "--db", grm, "--fingerprint", fp[dsh])
    folder = tmp_path / "shared"
    _edit(grm, lambda r: r.create({"family_name": "Nazarov", "given_name": "Olim"}))
    _ok("bundle", "watch", "--db", grm, "--folder", folder, "--once")
    assert len(list(folder.glob("*.hamroh"))) == 1
    _ok("bundle", "watch", "--db", dsh, "--folder", folder, "--once")
    assert "Nazarov" in dump_of(dsh)
    # the coordinator wrote a bundle for GRM; GRM picks it up, nothing is imported twice
    assert any("DSH-to-GRM" in p.name for p in folder.glob("*.hamroh"))
    _ok("bundle", "watch", "--db", grm, "--folder", folder, "--once")
    capsys.readouterr()
    _ok("bundle", "watch", "--db", grm, "--folder", folder, "--once")
    assert capsys.readouterr().out == ""
    assert dump_of(grm) == dump_of(dsh)
