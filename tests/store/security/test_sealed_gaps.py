"""What the sensitive-case key leaves to people, told and kept: readers waiting for the
key are named to administrators, a field officer's notes over sealed ones are kept, and a
person's export says which fields were sealed for its exporter
(docs/dev/security.md, "Sensitive-case key")."""
from __future__ import annotations

import json

from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from desktop_app.store.security.rights import export_person, sealed_fields_of, write_json
from tests.conftest import TEST_PASSWORD
from tests.store.security.test_sensitive import PASSPHRASE, SUMMARY, _admin, _case, _log_in


def _waiting(db_path) -> list[str]:
    admin = _admin(db_path)
    try:
        return [u["username"] for u in
                security.UserAdmin(admin, db_path).readers_waiting_for_key()]
    finally:
        admin.conn.close()


def test_readers_whose_box_came_from_their_own_login_are_named_until_a_reset(db_path):
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    malika = tools.add_user("malika", "field-pass-1", "field_officer")["id"]
    tools.add_user("jamshed", "field-pass-2", "field_officer")
    tools.add_user("zarina", "worker-pass-1", "case_worker")
    tools.set_role(malika, "case_worker")           # no password known: no box signed
    admin.conn.close()
    for name, password in (("malika", "field-pass-1"), ("zarina", "worker-pass-1")):
        _log_in(db_path, name, password).conn.close()
    assert _waiting(db_path) == []                  # no key yet: nobody waits for it
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    admin.conn.close()
    # zarina has a signed box (a grant waits for her); jamshed reads no sensitive case
    assert _waiting(db_path) == ["malika"]
    _log_in(db_path, "zarina", "worker-pass-1").conn.close()
    assert _waiting(db_path) == ["malika"]
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).reset_password(malika, "temporary-pass-1")
    admin.conn.close()
    assert _waiting(db_path) == []
    worker = _log_in(db_path, "malika", "temporary-pass-1")
    assert sensitive.held(worker) is not None
    worker.conn.close()


def test_user_list_tells_the_administrator_who_waits(db_path, capsys, monkeypatch):
    from desktop_app.cli import main
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    malika = tools.add_user("malika", "field-pass-1", "field_officer")["id"]
    tools.set_role(malika, "case_worker")
    admin.conn.close()
    _log_in(db_path, "malika", "field-pass-1").conn.close()
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    admin.conn.close()
    keys.forget_key(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)
    assert main(["user", "list", "--db", str(db_path), "--user", "admin"]) == 0
    captured = capsys.readouterr()
    assert sensitive.waiting_notice(["malika"]) in captured.err
    assert "malika" in captured.out and "may read sensitive" not in captured.out
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).reset_password(malika, "temporary-pass-1")
    admin.conn.close()
    keys.forget_key(db_path)
    assert main(["user", "list", "--db", str(db_path), "--user", "admin"]) == 0
    assert "may read sensitive" not in capsys.readouterr().err


def _field_officers_sensitive_case(db_path) -> tuple[str, str]:
    """A sensitive case with sealed outcome notes, assigned to a field officer."""
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    officer = tools.add_user("jamshed", "field-pass-1", "field_officer")["id"]
    case = _case(admin)
    sc.CaseRepository(admin).update(case["id"], {"assigned_to": officer,
                                                 "outcome_notes": "Дар паноҳгоҳ"})
    admin.conn.close()
    return case["id"], officer


def test_a_field_officers_notes_over_sealed_ones_are_kept_in_the_timeline(db_path):
    case_id, _officer = _field_officers_sensitive_case(db_path)
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    sealed_before = sc.CaseRepository(officer).get(case_id)["outcome_notes"]
    assert cs.notes_sealed_for(officer, sc.CaseRepository(officer).get(case_id))
    cs.record_outcome(officer, case_id, outcome="resolved", notes="Модараш ӯро бурд")
    stored = officer.conn.execute("SELECT outcome_notes FROM hotline_case WHERE id=?",
                                  (case_id,)).fetchone()[0]
    assert stored == sealed_before                  # not overwritten, not blanked
    texts = [r[0] for r in officer.conn.execute(
        "SELECT text FROM case_event WHERE case_id=? AND kind='note'", (case_id,))]
    assert texts and all(sensitive.is_sealed(t) for t in texts)
    assert "Модараш" not in str(texts)
    officer.conn.close()
    admin = _admin(db_path)
    notes = [e["text"] for e in cq.timeline(admin.conn, case_id, reader=admin)
             if e["kind"] == "note"]
    assert "Модараш ӯро бурд" in notes              # a reader reads what he wrote
    case = sensitive.reveal_record(admin, "hotline_case",
                                   sc.CaseRepository(admin).get(case_id))
    assert case["outcome_notes"] == "Дар паноҳгоҳ"
    # a reader replaces the notes as before (no timeline note for it)
    before = len(notes)
    cs.record_outcome(admin, case_id, outcome="resolved", notes="Ба хона баргашт")
    case = sensitive.reveal_record(admin, "hotline_case",
                                   sc.CaseRepository(admin).get(case_id))
    assert case["outcome_notes"] == "Ба хона баргашт"
    assert len([e for e in cq.timeline(admin.conn, case_id, reader=admin)
                if e["kind"] == "note"]) == before
    admin.conn.close()


def test_the_export_lists_the_fields_sealed_for_its_exporter(db_path, tmp_path):
    from desktop_app.reports.security_export import write_person_pdf
    from desktop_app.store.people.repositories import PersonRepository
    from tests.helpers.pdf import pdf_text
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    officer_id = tools.add_user("jamshed", "field-pass-1", "field_officer")["id"]
    person = PersonRepository(admin).create(dict(family_name="Ҷӯраев", given_name="Фаррух",
                                                 sex="male", birth_date="1990-06-15"))
    case = _case(admin, person_id=person["id"])
    sc.CaseRepository(admin).update(case["id"], {"assigned_to": officer_id})
    whole = export_person(admin, person["id"])
    assert whole["version"] == 2 and whole["sealed_not_readable"] == []
    assert whole["records"]["hotline_case"][0]["summary"] == SUMMARY
    admin.conn.close()
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    data = export_person(officer, person["id"])
    out = tmp_path / "person.json"
    write_json(data, out)
    text = out.read_text(encoding="utf-8")
    assert "_sealed" not in text and "hs1:" not in text and "паспорт" not in text
    written = json.loads(text)
    assert written["sealed_not_readable"] == [{
        "table": "hotline_case", "record_id": case["id"],
        "fields": ["caller_name", "caller_phone", "summary"]}]
    row = written["records"]["hotline_case"][0]
    assert row["summary"] is None and "_sealed_unreadable" not in row
    assert sealed_fields_of(written, "hotline_case", case["id"]) == [
        "caller_name", "caller_phone", "summary"]
    pdf = tmp_path / "person.pdf"
    write_person_pdf(data, pdf)
    shown = " ".join(pdf_text(pdf).split())
    assert "_sealed" not in shown and "(sealed: for case workers" in shown
    officer.conn.close()
