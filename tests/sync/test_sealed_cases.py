"""Sealed sensitive cases travel by sync as they are: an office and the coordinator end with
the same sealed values, the importer needs no key, and a reader with the key reads them at
either end (store.security.sensitive)."""
from __future__ import annotations

from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.security import sensitive
from desktop_app.store.session import set_meta
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files

PASSPHRASE = "olma-gilos-anor-shaftoli"
SUMMARY = "Трафик: паспортро корфармо гирифтааст"


def _sealed_fields(conn, case_id: str) -> tuple:
    return conn.execute("SELECT caller_name, caller_phone, summary FROM hotline_case"
                        " WHERE id=?", (case_id,)).fetchone()


def test_sealed_cases_converge_and_open_only_with_the_key(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = sensitive.key_from_passphrase(PASSPHRASE)
    # the office has the key set up; the coordinator's importer does not hold it
    set_meta(grm.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    grm.conn.commit()
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "trafficking",
                                      "caller_name": "Зарина", "caller_phone": "+992935551234",
                                      "summary": SUMMARY})
    assert all(sensitive.is_sealed(v) for v in _sealed_fields(grm.conn, case["id"]))
    exchange_files(grm, dsh, tmp_path / "up")
    assert _sealed_fields(dsh.conn, case["id"]) == _sealed_fields(grm.conn, case["id"])
    assert sensitive.reveal(dsh.session, "hotline_case", case["id"], "summary",
                            _sealed_fields(dsh.conn, case["id"])[2]) is None

    # a coordinator's reader (holding the key) changes the summary; it goes back sealed
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    dsh.conn.commit()
    sensitive.hold(dsh.session, key)
    sc.CaseRepository(dsh.session).update(case["id"], {"summary": SUMMARY + " — тасдиқ шуд"})
    exchange_files(dsh, grm, tmp_path / "down")
    exchange_files(grm, dsh, tmp_path / "up-again")
    sealed = _sealed_fields(grm.conn, case["id"])
    assert sealed == _sealed_fields(dsh.conn, case["id"])
    assert sensitive.open_sealed(key, "hotline_case", case["id"], "summary", sealed[2]) \
        == SUMMARY + " — тасдиқ шуд"

    def cases(conn) -> list[str]:
        return [line for line in dump_text(conn).splitlines() if "hotline_case" in line]
    assert cases(grm.conn) and cases(grm.conn) == cases(dsh.conn)
