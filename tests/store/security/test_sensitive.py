"""The sensitive-case key: sealed fields open only with the key, which only the roles
allowed to read sensitive cases hold (docs/dev/security.md, "Sensitive-case key")."""
from __future__ import annotations

import json

import pytest

from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.conftest import TEST_PASSWORD

PASSPHRASE = "olma-gilos-anor-shaftoli"
SUMMARY = "Трафик: паспортро корфармо гирифтааст"


def _admin(db_path):
    keys.forget_key(db_path)
    return security.login(db_path, "admin", TEST_PASSWORD)


def _set_up(db_path):
    admin = _admin(db_path)
    kf = keys.KeyFile.for_database(db_path)
    derived = kf.derive_for_user(admin.actor.user_id, TEST_PASSWORD)
    key = sensitive.set_up(admin.conn, kf, admin.actor.user_id, derived, PASSPHRASE)
    sensitive.hold(admin, key)
    return admin


def _log_in(db_path, username: str, password: str):
    keys.forget_key(db_path)
    return security.login(db_path, username, password)


def test_a_sealed_field_opens_only_with_the_key_and_only_where_it_was_sealed():
    key = sensitive.key_from_passphrase(PASSPHRASE)
    public = sensitive.public_text(key)
    sealed = sensitive.seal(public, "hotline_case", "case-1", "summary", SUMMARY)
    assert sensitive.is_sealed(sealed) and "паспорт" not in sealed
    assert sensitive.open_sealed(key, "hotline_case", "case-1", "summary", sealed) == SUMMARY
    with pytest.raises(sensitive.SealBroken):        # moved to another case
        sensitive.open_sealed(key, "hotline_case", "case-2", "summary", sealed)
    with pytest.raises(sensitive.SealBroken):        # moved to another field
        sensitive.open_sealed(key, "hotline_case", "case-1", "caller_name", sealed)
    other = sensitive.key_from_passphrase("another-long-passphrase")
    with pytest.raises(sensitive.SealBroken):
        sensitive.open_sealed(other, "hotline_case", "case-1", "summary", sealed)


def test_the_same_passphrase_gives_the_same_key_in_every_office():
    office = sensitive.key_from_passphrase(PASSPHRASE)
    coordinator = sensitive.key_from_passphrase("  " + PASSPHRASE + " ")
    assert sensitive.public_text(office) == sensitive.public_text(coordinator)
    sealed = sensitive.seal(sensitive.public_text(office), "hotline_case", "c", "summary", "x")
    assert sensitive.open_sealed(coordinator, "hotline_case", "c", "summary", sealed) == "x"
    with pytest.raises(sensitive.WrongSensitivePassphrase):
        sensitive.key_from_passphrase("short")


def test_only_roles_allowed_get_the_key_and_a_key_holder_without_it_reads_nothing(db_path):
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    public = sensitive.public_key(admin.conn)
    sealed = sensitive.seal_fields(admin.conn, "hotline_case", "case-1",
                                   {"summary": SUMMARY, "category": "trafficking",
                                    "caller_name": ""})
    assert sensitive.is_sealed(sealed["summary"]) and sealed["category"] == "trafficking"
    assert sealed["caller_name"] == ""
    admin.conn.close()

    worker = _log_in(db_path, "malika", "worker-pass-1")
    assert sensitive.held(worker) is not None
    assert sensitive.reveal(worker, "hotline_case", "case-1", "summary",
                            sealed["summary"]) == SUMMARY
    worker.conn.close()

    officer = _log_in(db_path, "jamshed", "field-pass-1")
    # the field officer holds the database key (any SQL is open to them) but not this one
    assert officer.db_key is not None and sensitive.held(officer) is None
    assert sensitive.reveal(officer, "hotline_case", "case-1", "summary",
                            sealed["summary"]) is None
    assert sensitive.public_key(officer.conn) == public       # they can still seal
    kf = keys.KeyFile.for_database(db_path)
    officer_slot = [s for s in kf.user_slots() if s["username"] == "jamshed"][0]
    assert sensitive.PURPOSE not in officer_slot
    officer.conn.close()


def test_the_key_survives_a_password_change_and_a_reset(db_path):
    admin = _set_up(db_path)
    security.UserAdmin(admin, db_path).add_user("malika", "worker-pass-1", "case_worker")
    admin.conn.close()
    worker = _log_in(db_path, "malika", "worker-pass-1")
    security.UserAdmin(worker, db_path).change_own_password("worker-pass-1", "worker-pass-2")
    worker.conn.close()
    assert sensitive.held(_log_in(db_path, "malika", "worker-pass-2")) is not None
    admin = _admin(db_path)
    assert sensitive.held(admin) is not None                  # unwrapped at login
    user_id = admin.conn.execute("SELECT id FROM app_user WHERE username='malika'").fetchone()[0]
    security.UserAdmin(admin, db_path).reset_password(user_id, "temporary-pass-3")
    admin.conn.close()
    assert sensitive.held(_log_in(db_path, "malika", "temporary-pass-3")) is not None


def test_a_database_takes_only_its_own_passphrase(db_path):
    admin = _set_up(db_path)
    kf = keys.KeyFile.for_database(db_path)
    derived = kf.derive_for_user(admin.actor.user_id, TEST_PASSWORD)
    with pytest.raises(sensitive.WrongSensitivePassphrase):
        sensitive.set_up(admin.conn, kf, admin.actor.user_id, derived, "not-the-same-phrase")
    admin.conn.close()


# ---- sealed through the cases repository ---------------------------------------------------
def _case(session, **values):
    from desktop_app.store.cases import services as cs
    base = dict(channel="hotline", category="trafficking", caller_name="Зарина",
                caller_phone="+992 93 555 12 34", summary=SUMMARY)
    return cs.open_case(session, {**base, **values})


def _raw(db_path, case_id: str) -> dict:
    """What a database-key holder reads with any SQLite tool."""
    from desktop_app.store import db as dbmod
    from desktop_app.store.db import row_dict
    conn = dbmod.connect(db_path, keys.known_key(db_path))
    try:
        cur = conn.execute("SELECT * FROM hotline_case WHERE id=?", (case_id,))
        return row_dict([c[0] for c in cur.description], cur.fetchone())
    finally:
        conn.close()


def test_a_sensitive_case_is_sealed_for_a_key_holder_of_any_role(db_path):
    from desktop_app.store.cases import repositories as sc
    admin = _set_up(db_path)
    security.UserAdmin(admin, db_path).add_user("jamshed", "field-pass-1", "field_officer")
    plain = _case(admin, category="unpaid_wages", summary="Маош дода нашуд")
    sealed = _case(admin)
    admin.conn.close()
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    raw = _raw(db_path, sealed["id"])
    for field in ("caller_name", "caller_phone", "summary"):
        assert sensitive.is_sealed(raw[field]), field
    assert "паспорт" not in json.dumps(raw, ensure_ascii=False)
    # nor in the search index, the caller key or the timeline
    conn = officer.conn
    assert not [r for r in conn.execute("SELECT * FROM case_event WHERE case_id=?",
                                        (sealed["id"],)) if "паспорт" in str(r)]
    assert conn.execute("SELECT caller_key FROM hotline_case WHERE id=?",
                        (sealed["id"],)).fetchone()[0] is None
    assert _raw(db_path, plain["id"])["summary"] == "Маош дода нашуд"    # not sensitive
    shown = sensitive.reveal_record(officer, "hotline_case",
                                    sc.CaseRepository(officer).get(sealed["id"]))
    assert shown["summary"] is None and "summary" in shown[sensitive.UNREADABLE]
    officer.conn.close()


def test_allowed_roles_read_it_and_a_user_without_the_key_cannot_overwrite_it(db_path):
    from desktop_app.store.cases import repositories as sc
    from desktop_app.store.cases import services as cs
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    case = _case(admin)
    admin.conn.close()
    worker = _log_in(db_path, "malika", "worker-pass-1")
    shown = sensitive.reveal_record(worker, "hotline_case",
                                    sc.CaseRepository(worker).get(case["id"]))
    assert shown["summary"] == SUMMARY and shown["caller_name"] == "Зарина"
    assert shown[sensitive.UNREADABLE] == []
    # sent back unchanged (a form saves every field): nothing is written
    before = sc.CaseRepository(worker).get(case["id"])
    sc.CaseRepository(worker).update(case["id"], {"summary": SUMMARY, "risk_level": "high"})
    after = sc.CaseRepository(worker).get(case["id"])
    assert after["summary"] == before["summary"] and after["risk_level"] == "high"
    # changed: sealed again
    sc.CaseRepository(worker).update(case["id"], {"summary": SUMMARY + " (2)"})
    assert sensitive.reveal(worker, "hotline_case", case["id"], "summary",
                            sc.CaseRepository(worker).get(case["id"])["summary"]) \
        == SUMMARY + " (2)"
    worker.conn.close()
    # the administrator without the key in their session (as a keyless reader would be)
    admin = _admin(db_path)
    sensitive._HELD.pop(admin, None)          # noqa: SLF001 - a session without the key
    kept = sc.CaseRepository(admin).get(case["id"])["summary"]
    cs.record_outcome(admin, case["id"], outcome="resolved", notes="")
    sc.CaseRepository(admin).update(case["id"], {"summary": ""})
    assert sc.CaseRepository(admin).get(case["id"])["summary"] == kept
    admin.conn.close()


def test_a_case_that_becomes_sensitive_is_sealed_then(db_path):
    from desktop_app.store.cases import repositories as sc
    admin = _set_up(db_path)
    case = _case(admin, category="unpaid_wages")
    assert not sensitive.is_sealed(_raw(db_path, case["id"])["summary"])
    sc.CaseRepository(admin).update(case["id"], {"category": "sexual_exploitation"})
    raw = _raw(db_path, case["id"])
    assert all(sensitive.is_sealed(raw[f]) for f in ("caller_name", "caller_phone", "summary"))
    admin.conn.close()


def test_setting_up_seals_existing_cases_after_a_backup(db_path):
    admin = _admin(db_path)
    case = _case(admin)                       # before the key: plain
    assert _raw(db_path, case["id"])["summary"] == SUMMARY
    backup, sealed = security.UserAdmin(admin, db_path).set_up_sensitive_key(
        TEST_PASSWORD, PASSPHRASE)
    assert sealed == 1 and backup.exists()
    assert sensitive.is_sealed(_raw(db_path, case["id"])["summary"])
    logged = admin.conn.execute(
        "SELECT detail FROM audit_log WHERE action='sensitive_key_set_up'").fetchone()
    assert logged and '"cases_sealed":1' in logged[0].replace(" ", "")
    admin.conn.close()
    # the backup still holds the plain text (kept safe by the administrator)
    assert keys.KeyFile.exists_for(backup)
    assert sensitive.held(_admin(db_path)) is not None


def test_setting_up_from_the_command_line(db_path, tmp_path, capsys, monkeypatch):
    from desktop_app.cli import main
    monkeypatch.setenv("HAMROH_PASSWORD", TEST_PASSWORD)
    admin = _admin(db_path)
    case = _case(admin)
    admin.conn.close()
    phrase = tmp_path / "phrase.txt"
    phrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    keys.forget_key(db_path)
    code = main(["security", "sensitive-key", "--db", str(db_path), "--user", "admin",
                 "--passphrase-file", str(phrase)])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    assert sensitive.fingerprint(sensitive.public_text(sensitive.key_from_passphrase(
        PASSPHRASE))) in out
    assert sensitive.backup_warning() in out        # the backup still holds it in the clear
    assert sensitive.is_sealed(_raw(db_path, case["id"])["summary"])


def test_readers_who_already_have_a_password_get_the_key_at_their_next_login(db_path):
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    admin.conn.close()
    for name, password in (("malika", "worker-pass-1"), ("jamshed", "field-pass-1")):
        _log_in(db_path, name, password).conn.close()      # before the key exists
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    case = _case(admin)
    worker_id = admin.conn.execute("SELECT id FROM app_user WHERE username='malika'"
                                   ).fetchone()[0]
    admin.conn.close()
    grants = keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]
    assert list(grants) == [worker_id]                    # not the field officer
    worker = _log_in(db_path, "malika", "worker-pass-1")
    assert sensitive.reveal(worker, "hotline_case", case["id"], "summary",
                            _raw(db_path, case["id"])["summary"]) == SUMMARY
    assert keys.KeyFile.for_database(db_path).data["sensitive"]["grants"] == {}
    worker.conn.close()
    # the key is in her own slot now: it does not depend on the grant any more
    assert sensitive.held(_log_in(db_path, "malika", "worker-pass-1")) is not None
    assert sensitive.held(_log_in(db_path, "jamshed", "field-pass-1")) is None


def test_a_box_made_by_the_readers_own_login_waits_for_a_password_reset(db_path):
    admin = _admin(db_path)
    tools = security.UserAdmin(admin, db_path)
    user_id = tools.add_user("malika", "field-pass-1", "field_officer")["id"]
    tools.set_role(user_id, "case_worker")      # no password known: no box signed
    admin.conn.close()
    _log_in(db_path, "malika", "field-pass-1").conn.close()    # her own, unsigned box
    assert user_id in keys.KeyFile.for_database(db_path).data["sensitive"]["boxes"]
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    case = _case(admin)
    admin.conn.close()
    assert user_id not in keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]
    # the administrator resets her password in a session without the key (it is not
    # wrapped in her slot then); she changes it at her next login, before theirs
    admin = _admin(db_path)
    sensitive._HELD.pop(admin, None)                # noqa: SLF001
    security.UserAdmin(admin, db_path).reset_password(user_id, "temporary-pass-1")
    admin.conn.close()
    worker = _log_in(db_path, "malika", "temporary-pass-1")
    assert sensitive.held(worker) is None
    security.UserAdmin(worker, db_path).change_own_password("temporary-pass-1",
                                                            "worker-pass-2")
    worker.conn.close()
    _admin(db_path).conn.close()                    # seals the key to her signed box
    assert user_id in keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]
    worker = _log_in(db_path, "malika", "worker-pass-2")
    assert sensitive.reveal(worker, "hotline_case", case["id"], "summary",
                            _raw(db_path, case["id"])["summary"]) == SUMMARY


def test_no_grant_for_a_role_set_outside_hamroh(db_path):
    from desktop_app.store import db as dbmod
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).add_user("jamshed", "field-pass-1", "field_officer")
    admin.conn.close()
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    officer_id = officer.actor.user_id
    officer.conn.close()
    # with the database key, he makes himself a case worker and publishes a box
    conn = dbmod.connect(db_path, keys.known_key(db_path))
    conn.execute("UPDATE app_user SET role='case_worker' WHERE id=?", (officer_id,))
    conn.commit()
    conn.close()
    kf = keys.KeyFile.for_database(db_path)
    box = sensitive.X25519PrivateKey.generate()
    kf.data.setdefault("sensitive", {}).setdefault("boxes", {})[officer_id] = \
        sensitive.public_text(box)
    kf.save()
    admin = _admin(db_path)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    admin.conn.close()
    assert officer_id not in keys.KeyFile.for_database(db_path).data["sensitive"]["grants"]


# ---- texts about a sensitive case: timeline, follow-up results, referral answers ----------
NOTE = "Зулфиқорхонбек ба паноҳгоҳ бурда шуд"
RESULT = "Хоҳараш дар Маскав занг зад"
ANSWER = "Паноҳгоҳ ӯро қабул кард"
SECRETS = ("Зулфиқор", "Маскав", "Паноҳгоҳ", "паспорт")


def _texts_about(session, case_id: str) -> None:
    """A note, a follow-up done with a result, a referral answered, on ``case_id``."""
    from desktop_app.store.cases import services as cs
    cs.add_event(session, case_id, "note", NOTE)
    followup = cs.add_followup(session, case_id, "2030-01-01", "Занг задан")
    cs.complete_followup(session, followup["id"], result=RESULT)
    referral = cs.refer(session, case_id, {"target": "legal_adviser"},
                        override_reason="Хатар ба ҳаёт")
    cs.answer_referral(session, referral["id"], "accepted", answer=ANSWER)


def _search_index_bytes(db_path) -> bytes:
    from desktop_app.store import db as dbmod
    conn = dbmod.connect(db_path, keys.known_key(db_path))
    try:
        return b"".join(r[0] or b"" for r in conn.execute("SELECT block FROM case_search_data"))
    finally:
        conn.close()


def test_notes_results_and_answers_of_a_sensitive_case_are_sealed(db_path):
    from desktop_app.store.cases import queries as cq
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    tools.add_user("nigina", "loans-pass-1", "loan_officer")
    case = _case(admin)
    _texts_about(admin, case["id"])
    plain = _case(admin, category="unpaid_wages", summary="Маош дода нашуд")
    _texts_about(admin, plain["id"])
    admin.conn.close()

    # what a database-key holder reads with any SQLite tool: the rows, their audit and
    # change-log entries hold the texts of the case that is not sensitive, not the other's
    assert all(s in _everything_stored_of_case(db_path, plain["id"]) for s in SECRETS[:3])
    assert not any(s in _everything_stored_of_case(db_path, case["id"]) for s in SECRETS)

    for name, password in (("jamshed", "field-pass-1"), ("nigina", "loans-pass-1")):
        user = _log_in(db_path, name, password)
        events = cq.timeline(user.conn, case["id"], reader=user)
        shown = [e["text"] for e in events if e["text"] is not None]
        assert shown and set(shown) == {sensitive.sealed_placeholder()}
        assert [f["result"] for f in cq.followups(user.conn, case["id"], reader=user)] \
            == [sensitive.sealed_placeholder()]
        assert [r["answer"] for r in cq.referrals(user.conn, case["id"], reader=user)] \
            == [sensitive.sealed_placeholder()]
        # the case that is not sensitive reads as it is
        assert NOTE in [e["text"] for e in cq.timeline(user.conn, plain["id"], reader=user)]
        user.conn.close()

    worker = _log_in(db_path, "malika", "worker-pass-1")
    texts = [e["text"] or "" for e in cq.timeline(worker.conn, case["id"], reader=worker)]
    assert texts[0] == SUMMARY                        # the summary opens the timeline
    assert NOTE in texts and any(RESULT in t for t in texts)
    assert any(ANSWER in t for t in texts)
    assert [f["result"] for f in cq.followups(worker.conn, case["id"], reader=worker)] \
        == [RESULT]
    assert [r["answer"] for r in cq.referrals(worker.conn, case["id"], reader=worker)] \
        == [ANSWER]
    worker.conn.close()


def _everything_stored_of_case(db_path, case_id: str) -> str:
    """The rows of the case and of its texts, with their audit and change-log entries."""
    from desktop_app.store import db as dbmod
    conn = dbmod.connect(db_path, keys.known_key(db_path))
    try:
        ids = [case_id]
        for table in sensitive.CASE_TEXT_TABLES:
            ids += [r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE case_id=?",
                                               (case_id,))]
        marks = ",".join("?" * len(ids))
        parts = []
        for sql in (f"SELECT * FROM hotline_case WHERE id IN ({marks})",
                    *(f"SELECT * FROM {t} WHERE id IN ({marks})"
                      for t in sensitive.CASE_TEXT_TABLES),
                    f"SELECT * FROM audit_log WHERE record_id IN ({marks})",
                    f"SELECT * FROM change_log WHERE record_id IN ({marks})"):
            parts += [str(v) for row in conn.execute(sql, ids) for v in row]
        return "\n".join(parts)
    finally:
        conn.close()


def test_setting_up_seals_the_texts_written_before_in_place(db_path):
    from desktop_app.store.cases import queries as cq
    from desktop_app.store.cases import repositories as sc
    from desktop_app.store.repository import AppendOnlyError
    admin = _admin(db_path)
    case = _case(admin)                                # before the key: all plain
    _texts_about(admin, case["id"])
    plain = _case(admin, category="unpaid_wages", summary="Маош дода нашуд")
    _texts_about(admin, plain["id"])
    first = cq.timeline(admin.conn, case["id"])[0]
    assert first["text"] == SUMMARY                    # the timeline's copy of the summary
    index_key = b"zulfikarhanbek"
    assert index_key not in _search_index_bytes(db_path)
    assert b"paspartra" in _search_index_bytes(db_path)   # a word of the summary, indexed
    events_before = {e["id"]: e for e in cq.timeline(admin.conn, case["id"])}

    backup, sealed = security.UserAdmin(admin, db_path).set_up_sensitive_key(
        TEST_PASSWORD, PASSPHRASE)
    assert sealed == 1
    # the case's rows and change-log entries hold no plain text any more (the audit rows
    # written before the key keep theirs, see docs/dev/security.md)
    assert not any(s in _rows_and_log_of_case(db_path, case["id"]) for s in SECRETS)
    # the search index no longer holds the words of the sealed summary
    assert b"paspartra" not in _search_index_bytes(db_path)
    # in place: same records, same dates and clocks, nothing appended
    after = {e["id"]: e for e in cq.timeline(admin.conn, case["id"])}
    assert after.keys() == events_before.keys()
    for event_id, event in after.items():
        assert event["text"] is None or sensitive.is_sealed(event["text"])
        assert {k: v for k, v in event.items() if k != "text"} == \
            {k: v for k, v in events_before[event_id].items() if k != "text"}
    # the case that is not sensitive keeps its texts
    assert NOTE in [e["text"] for e in cq.timeline(admin.conn, plain["id"])]
    logged = json.loads(admin.conn.execute(
        "SELECT detail FROM audit_log WHERE action='seal_case_texts'").fetchone()[0])
    assert len(admin.conn.execute("SELECT * FROM audit_log WHERE action='seal_case_texts'"
                                  ).fetchall()) == 1        # one row for the whole set-up
    assert logged["cases"] == [case["id"]]
    assert logged["texts"] == {"case_event": sum(1 for e in after.values() if e["text"]),
                               "case_followup": 1,
                               "case_referral": 1}
    assert not any(s in json.dumps(logged, ensure_ascii=False) for s in SECRETS)
    # the timeline stays append-only for every other write
    with pytest.raises(AppendOnlyError):
        sc.CaseEventRepository(admin).update(first["id"], {"text": "x"})
    # the key holder reads them back
    texts = [e["text"] or "" for e in cq.timeline(admin.conn, case["id"], reader=admin)]
    assert texts[0] == SUMMARY and NOTE in texts
    # running it again (same passphrase) seals nothing more and breaks nothing
    assert security.UserAdmin(admin, db_path).set_up_sensitive_key(
        TEST_PASSWORD, PASSPHRASE)[1] == 0
    assert [e["text"] or "" for e in cq.timeline(admin.conn, case["id"], reader=admin)] \
        == texts
    admin.conn.close()
    # the backup made first still holds them in the clear (the command says so)
    assert backup.exists()


def _rows_and_log_of_case(db_path, case_id: str) -> str:
    from desktop_app.store import db as dbmod
    conn = dbmod.connect(db_path, keys.known_key(db_path))
    try:
        parts = []
        for table in ("hotline_case", *sensitive.CASE_TEXT_TABLES):
            column = "id" if table == "hotline_case" else "case_id"
            parts += [str(v) for row in conn.execute(
                f"SELECT * FROM {table} WHERE {column}=?", (case_id,)) for v in row]
        ids = [case_id] + [r[0] for t in sensitive.CASE_TEXT_TABLES for r in conn.execute(
            f"SELECT id FROM {t} WHERE case_id=?", (case_id,))]
        parts += [str(v) for row in conn.execute(
            f"SELECT * FROM change_log WHERE record_id IN ({','.join('?' * len(ids))})", ids)
            for v in row]
        return "\n".join(parts)
    finally:
        conn.close()


def test_texts_of_a_case_that_becomes_sensitive_are_sealed_then(db_path):
    from desktop_app.store.cases import queries as cq
    from desktop_app.store.cases import repositories as sc
    admin = _set_up(db_path)
    case = _case(admin, category="unpaid_wages")
    _texts_about(admin, case["id"])
    assert NOTE in [e["text"] for e in cq.timeline(admin.conn, case["id"])]
    assert b"paspartra" in _search_index_bytes(db_path)
    sc.CaseRepository(admin).update(case["id"], {"category": "sexual_exploitation"})
    assert not any(s in _rows_and_log_of_case(db_path, case["id"]) for s in SECRETS)
    assert b"paspartra" not in _search_index_bytes(db_path)
    texts = [e["text"] or "" for e in cq.timeline(admin.conn, case["id"], reader=admin)]
    assert NOTE in texts
    admin.conn.close()


def test_the_command_line_and_the_case_pdf_show_them_only_to_readers(db_path, tmp_path,
                                                                     capsys, monkeypatch):
    from desktop_app.cli import main
    from desktop_app.reports.case_file import write_case_pdf
    from tests.helpers.pdf import pdf_text
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    case = _case(admin)
    _texts_about(admin, case["id"])
    admin.conn.close()
    for name, password, reads in (("malika", "worker-pass-1", True),
                                  ("jamshed", "field-pass-1", False)):
        keys.forget_key(db_path)
        monkeypatch.setenv("HAMROH_PASSWORD", password)
        assert main(["--lang", "en", "cases", "show", "--db", str(db_path), "--user", name,
                     case["number"], "--reason", "Supervision"]) == 0
        out = capsys.readouterr().out
        assert (NOTE in out) is reads and ("hs1:" not in out)
        assert (sensitive.sealed_placeholder() in out) is not reads
        user = _log_in(db_path, name, password)
        pdf = tmp_path / f"{name}.pdf"
        user.granted_reasons.add(case["id"])
        write_case_pdf(user, case["id"], pdf, language="en", include_sensitive=True)
        text = " ".join(pdf_text(pdf).split())
        assert ("Маскав" in text) is reads and ("Паноҳгоҳ" in text) is reads
        assert "hs1:" not in text
        user.conn.close()


def test_sensitive_cases_written_in_one_batch_are_each_sealed_under_their_own_id(db_path):
    from desktop_app.store.cases import repositories as sc
    admin = _set_up(db_path)
    rows = [dict(number=f"GRM-TEST-2026-0000{i}", channel="hotline", category="trafficking",
                 caller_name=f"Зарина {i}",
                 summary=f"{SUMMARY} {i}", opened_on="2026-11-0{}".format(i + 1))
            for i in range(3)]
    assert sc.CaseRepository(admin).create_many(rows) == 3
    written = admin.conn.execute(
        "SELECT id, summary, caller_name FROM hotline_case ORDER BY opened_on").fetchall()
    assert len(written) == 3
    for i, (case_id, summary, caller) in enumerate(written):
        assert sensitive.is_sealed(summary) and sensitive.is_sealed(caller)
        # bound to its own record: it opens under this id, as the row's own text
        assert sensitive.reveal(admin, "hotline_case", case_id, "summary", summary) \
            == f"{SUMMARY} {i}"
    admin.conn.close()
