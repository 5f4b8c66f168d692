"""Shipped reference lists after an upgrade: corrected wording reaches existing databases,
an administrator's own wording stays."""
import csv
import shutil

from desktop_app.domain.ids import stable_id
from desktop_app.store.reference import REFERENCE_DIR, ReferenceRepository, ensure_reference


def _shipped_copy(tmp_path, kind, code, **labels):
    """The shipped reference files with new labels for one row (a newer version's files)."""
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    for path in folder.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows, columns = list(reader), reader.fieldnames
        hit = [r for r in rows if r["kind"] == kind and r["code"] == code]
        if hit:
            hit[0].update(labels)
            with open(path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, columns)
                writer.writeheader()
                writer.writerows(rows)
            return folder
    raise AssertionError(f"{kind}:{code} is not shipped")


def _labels(conn, kind, code):
    rid = stable_id("reference", f"{kind}:{code}")
    return conn.execute("SELECT label_en, label_uz FROM reference_item WHERE id=?",
                        (rid,)).fetchone()


def _log_size(conn):
    return conn.execute("SELECT count(*) FROM change_log").fetchone()[0]


def test_corrected_shipped_label_reaches_an_existing_database(session, tmp_path):
    conn = session.conn
    folder = _shipped_copy(tmp_path, "loan_purpose", "livestock", label_uz="Chorva mollari")
    before = _log_size(conn)
    ensure_reference(conn, folder)
    assert _labels(conn, "loan_purpose", "livestock") == ("Livestock", "Chorva mollari")
    assert _log_size(conn) == before  # the same words ship everywhere: nothing to sync


def test_administrators_own_label_is_kept_after_an_upgrade(session, tmp_path):
    conn = session.conn
    rid = stable_id("reference", "loan_purpose:livestock")
    ReferenceRepository(session).update(rid, {"label_uz": "Qoramol"})
    folder = _shipped_copy(tmp_path, "loan_purpose", "livestock",
                           label_uz="Chorva mollari", label_en="Cattle and sheep")
    ensure_reference(conn, folder)
    assert _labels(conn, "loan_purpose", "livestock") == ("Cattle and sheep", "Qoramol")
