"""An office's audit log tampered with between two bundles: the coordinator notices.

Each bundle carries its device's audit head and the chain's hashes at the heads of its
earlier bundles (``sync.audit_heads``). The tampering is done the way a key holder would
do it, with SQL on the office's database: the last rows deleted, a row edited and the
chain recomputed, the whole log deleted. Each time the coordinator imports the bundle
with a translated warning, an audit row ``sync_audit_warning``, and the office's data.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.i18n import set_language
from desktop_app.store.audit import GENESIS, row_hash, verify_chain
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.sync import audit_heads, exchange
from tests.helpers.replicas import ORG_KEY

COLUMNS = "seq, id, at, user_id, device_id, action, table_name, record_id, before, after," \
          " detail, prev_hash, hash"


def _register(office, *names: str) -> None:
    people = PersonRepository(office.session)
    for name in names:
        people.create({"family_name": name, "given_name": "Фарҳод"})


def _send(office, coordinator, folder: Path, n: int) -> exchange.ImportSummary:
    path = folder / f"{office.name}-to-coordinator-{n}.hamroh"
    exchange.export_bundle(office.conn, path)
    return exchange.import_bundle(coordinator.conn, path, actor=coordinator.session.actor,
                                  org_key=ORG_KEY)


def _warnings_logged(coordinator) -> list[str]:
    rows = coordinator.conn.execute(
        "SELECT detail FROM audit_log WHERE action=? ORDER BY seq",
        (audit_heads.AUDIT_ACTION,)).fetchall()
    return [row[0] for row in rows]


def _people(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT family_name FROM person WHERE deleted=0")}


def _rechain(conn, start_seq: int) -> None:
    """Recompute every hash from ``start_seq`` on, as a forger with the key would."""
    prev = conn.execute("SELECT hash FROM audit_log WHERE seq<? ORDER BY seq DESC LIMIT 1",
                        (start_seq,)).fetchone()
    prev_hash = prev[0] if prev else GENESIS
    rows = conn.execute(f"SELECT {COLUMNS} FROM audit_log WHERE seq>=? ORDER BY seq",
                        (start_seq,)).fetchall()
    for row in rows:
        digest = row_hash(prev_hash, *row[1:11])
        conn.execute("UPDATE audit_log SET prev_hash=?, hash=? WHERE seq=?",
                     (prev_hash, digest, row[0]))
        prev_hash = digest
    conn.commit()


@pytest.fixture
def offices(make_replicas, tmp_path):
    """GRM after a first bundle reached the coordinator DSH, which saw no problem."""
    grm, dsh = make_replicas(["GRM", "DSH"])
    _register(grm, "Раҳмонов", "Каримова", "Саидов", "Юсупова")
    first = _send(grm, dsh, tmp_path, 1)
    assert first.new > 0 and first.audit_warnings == []
    return grm, dsh


def test_an_honest_log_raises_nothing_even_out_of_order(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    paths = []
    for n, name in enumerate(("Раҳмонов", "Каримова", "Саидов")):
        _register(grm, name)
        paths.append(tmp_path / f"GRM-to-coordinator-{n}.hamroh")
        exchange.export_bundle(grm.conn, paths[-1])
    for path in (paths[0], paths[2], paths[1]):          # the second arrives last
        summary = exchange.import_bundle(dsh.conn, path, actor=dsh.session.actor,
                                         org_key=ORG_KEY)
        assert summary.audit_warnings == [], summary.audit_warnings
    assert _warnings_logged(dsh) == []
    assert {"Раҳмонов", "Каримова", "Саидов"} <= _people(dsh.conn)


def test_last_rows_deleted_are_noticed(offices, tmp_path):
    grm, dsh = offices
    last = grm.conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    grm.conn.execute("DELETE FROM audit_log WHERE seq>?", (last - 3,))
    grm.conn.commit()
    assert verify_chain(grm.conn) == []          # the office's own check sees nothing
    summary = _send(grm, dsh, tmp_path, 2)
    assert any("shorter" in w for w in summary.audit_warnings), summary.audit_warnings
    assert len(_warnings_logged(dsh)) == 1
    assert '"truncated"' in _warnings_logged(dsh)[0]


def test_last_rows_deleted_then_new_work_is_noticed(offices, tmp_path):
    grm, dsh = offices
    last = grm.conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    grm.conn.execute("DELETE FROM audit_log WHERE seq>?", (last - 3,))
    grm.conn.commit()
    _register(grm, "Назарова", "Шарипов", "Ҳакимова", "Қодиров", "Ғафуров")
    assert grm.conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0] > last
    summary = _send(grm, dsh, tmp_path, 2)
    assert any("rewritten" in w for w in summary.audit_warnings), summary.audit_warnings
    assert {"Назарова", "Қодиров"} <= _people(dsh.conn)     # imported, with the warning


def test_a_row_edited_and_the_chain_recomputed_is_noticed(offices, tmp_path):
    grm, dsh = offices
    grm.conn.execute("UPDATE audit_log SET action='update' WHERE seq=2")
    _rechain(grm.conn, 2)
    assert verify_chain(grm.conn) == []          # the office's own chain checks out
    _register(grm, "Назарова")
    summary = _send(grm, dsh, tmp_path, 2)
    assert any("rewritten" in w for w in summary.audit_warnings), summary.audit_warnings
    assert '"rewritten"' in _warnings_logged(dsh)[0]
    assert "Назарова" in _people(dsh.conn)


def test_the_whole_log_deleted_is_noticed(offices, tmp_path):
    grm, dsh = offices
    grm.conn.execute("DELETE FROM audit_log")
    grm.conn.commit()
    summary = _send(grm, dsh, tmp_path, 2)
    assert summary.audit_warnings, "the coordinator did not notice a deleted log"
    assert '"truncated"' in _warnings_logged(dsh)[0]


def test_rows_deleted_in_the_middle_are_noticed(offices, tmp_path):
    grm, dsh = offices
    grm.conn.execute("DELETE FROM audit_log WHERE seq IN (2, 3)")
    grm.conn.commit()
    _register(grm, "Назарова")
    summary = _send(grm, dsh, tmp_path, 2)
    assert any("deleted" in w for w in summary.audit_warnings), summary.audit_warnings


def test_the_warning_is_in_the_users_language(offices, tmp_path):
    grm, dsh = offices
    grm.conn.execute("DELETE FROM audit_log")
    grm.conn.commit()
    set_language("tg")
    try:
        summary = _send(grm, dsh, tmp_path, 2)
    finally:
        set_language("en")
    text = " ".join(summary.audit_warnings)
    assert "GRM" in text and "audit" not in text.lower(), text


def test_the_warning_is_printed_by_bundle_import(offices, tmp_path, capsys):
    from desktop_app.commands.sync_bundle import print_summary
    grm, dsh = offices
    grm.conn.execute("DELETE FROM audit_log")
    grm.conn.commit()
    summary = _send(grm, dsh, tmp_path, 2)
    print_summary(summary, "GRM-to-coordinator-2.hamroh")
    out = capsys.readouterr().out
    assert "Warning:" in out and "GRM" in out and "imported" in out


def _signed_anchor(key, seq: int, digest: str) -> dict:
    from desktop_app.store.security import signing
    statement = {"format": signing.ANCHOR_FORMAT, "database": "d1", "seq": seq, "count": seq,
                 "hash": digest, "at": "2026-01-01T00:00:00Z", "by": "u1"}
    return {"statement": statement, "signature": signing.sign(key, statement)}


def test_a_log_rewritten_before_its_signed_anchor_is_noticed_in_a_first_bundle():
    """No earlier bundle is needed when an administrator signed the log: the chain's hash
    at the signed entry must still be the signed one."""
    from desktop_app.store.security import signing
    key = signing.new_key()
    received = {"head": {"seq": 30, "count": 30, "hash": "h30"},
                "anchor": _signed_anchor(key, 20, "h20"), "public_key": signing.public_text(key),
                "checkpoints": {"20": "h20", "30": "h30"}}
    assert audit_heads.head_problems(None, received, "2026-02-01") == ([], True)
    received["checkpoints"]["20"] = "forged"
    assert audit_heads.head_problems(None, received, "2026-02-01") == (["rewritten"], True)


def test_another_signing_key_and_an_older_anchor_are_noticed():
    from desktop_app.store.security import signing
    key, other = signing.new_key(), signing.new_key()
    seen = {"head": {"seq": 30, "count": 30, "hash": "h30"},
            "anchor": _signed_anchor(key, 25, "h25"),
            "public_key": signing.public_text(key), "checkpoints": {"25": "h25", "30": "h30"},
            "created_at": "2026-02-01"}
    forged = {"head": {"seq": 40, "count": 40, "hash": "h40"},
              "anchor": _signed_anchor(other, 10, "h10"), "public_key": signing.public_text(other),
              "checkpoints": {"10": "h10", "30": "h30", "40": "h40"}}
    codes, newer = audit_heads.head_problems(seen, forged, "2026-03-01")
    assert newer and {"key_changed", "anchor_invalid", "anchor_older"} <= set(codes)
