"""Sealed sensitive cases against a user who holds the database key but not the
sensitive-case key (docs/dev/security.md, "Sensitive-case key"): what they may write must
not destroy a sealed text they cannot read."""
from __future__ import annotations

from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import services as cs
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from tests.conftest import TEST_PASSWORD

PASSPHRASE = "olma-gilos-anor-shaftoli"
RESULT = "Ӯро ба паноҳгоҳ бурданд"
ANSWER = "Паноҳгоҳ ӯро қабул кард"


def _log_in(db_path, username: str, password: str):
    keys.forget_key(db_path)
    return security.login(db_path, username, password)


def _set_up(db_path):
    admin = _log_in(db_path, "admin", TEST_PASSWORD)
    kf = keys.KeyFile.for_database(db_path)
    derived = kf.derive_for_user(admin.actor.user_id, TEST_PASSWORD)
    sensitive.hold(admin, sensitive.set_up(admin.conn, kf, admin.actor.user_id, derived,
                                           PASSPHRASE))
    return admin


def _stored(session, table: str, record_id: str, field: str) -> str:
    return session.conn.execute(f"SELECT {field} FROM {table} WHERE id=?",
                                (record_id,)).fetchone()[0]


def test_a_user_without_the_key_cannot_blank_or_overwrite_a_sealed_result_or_answer(db_path):
    from desktop_app.store.people.repositories import PersonRepository
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    tools.add_user("malika", "worker-pass-1", "case_worker")
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    admin.conn.close()

    # the field officer takes the call, plans a follow-up and refers the case (the
    # person agreed to referral); a case worker completes the follow-up and records the
    # referral's answer, both sealed
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    who = PersonRepository(officer).create(dict(
        family_name="Раҳмонов", given_name="Алишер", consent_date="2026-01-10",
        consent_scope="storage,referral"))
    case = cs.open_case(officer, dict(channel="hotline", category="trafficking",
                                      person_id=who["id"], summary="Паспорташро гирифтанд"))
    followup = cs.add_followup(officer, case["id"], "2030-01-01", "Занг задан")
    referral = cs.refer(officer, case["id"], {"target": "legal_adviser"})
    officer.conn.close()
    worker = _log_in(db_path, "malika", "worker-pass-1")
    cs.complete_followup(worker, followup["id"], result=RESULT)
    cs.answer_referral(worker, referral["id"], "accepted", answer=ANSWER)
    worker.conn.close()

    # the field officer sees placeholders; they complete the follow-up again (the
    # window's "Done" with the result left empty, or typed anew) and answer the referral
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    assert [f["result"] for f in cq.followups(officer.conn, case["id"], reader=officer)] \
        == [sensitive.sealed_placeholder()]
    sealed_result = _stored(officer, "case_followup", followup["id"], "result")
    sealed_answer = _stored(officer, "case_referral", referral["id"], "answer")
    assert sensitive.is_sealed(sealed_result) and sensitive.is_sealed(sealed_answer)
    cs.complete_followup(officer, followup["id"], result=None)
    cs.complete_followup(officer, followup["id"], result="Занг задам")
    cs.answer_referral(officer, referral["id"], "completed", answer=None)
    cs.answer_referral(officer, referral["id"], "completed", answer="Тамом")
    assert _stored(officer, "case_followup", followup["id"], "result") == sealed_result
    assert _stored(officer, "case_referral", referral["id"], "answer") == sealed_answer
    # what they may change still changes
    assert _stored(officer, "case_referral", referral["id"], "status") == "completed"
    officer.conn.close()

    # the case worker still reads both
    worker = _log_in(db_path, "malika", "worker-pass-1")
    assert [f["result"] for f in cq.followups(worker.conn, case["id"], reader=worker)] \
        == [RESULT]
    assert [r["answer"] for r in cq.referrals(worker.conn, case["id"], reader=worker)] \
        == [ANSWER]
    worker.conn.close()


def test_the_case_list_shows_a_sealed_caller_opened_or_hidden_never_as_ciphertext(db_path):
    from desktop_app.store.cases import repositories as sc
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    worker_id = tools.add_user("malika", "worker-pass-1", "case_worker")["id"]
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    assigned = cs.open_case(admin, dict(channel="hotline", category="trafficking",
                                        caller_name="Зарина Каримова",
                                        assigned_to=worker_id))
    # sealed while sensitive, then no longer sensitive: its caller stays sealed
    former = cs.open_case(admin, dict(channel="hotline", category="trafficking",
                                      caller_name="Нодира Олимова"))
    sc.CaseRepository(admin).update(former["id"], {"category": "unpaid_wages"})
    assert sensitive.is_sealed(_stored(admin, "hotline_case", former["id"], "caller_name"))
    admin.conn.close()

    def who(session) -> dict[str, str]:
        rows = cq.case_rows(session, [assigned["id"], former["id"]])
        return {row["id"]: row["who"] for row in rows}

    worker = _log_in(db_path, "malika", "worker-pass-1")
    assert who(worker) == {assigned["id"]: "Зарина Каримова",
                           former["id"]: "Нодира Олимова"}
    worker.conn.close()
    officer = _log_in(db_path, "jamshed", "field-pass-1")
    shown = who(officer)
    assert shown[assigned["id"]] == "•••"
    assert not sensitive.is_sealed(shown[former["id"]])
    assert "Нодира" not in shown[former["id"]]
    officer.conn.close()


def test_cases_list_and_show_name_a_sealed_caller_only_to_readers(db_path, capsys,
                                                                  monkeypatch):
    from desktop_app.cli import main
    admin = _set_up(db_path)
    tools = security.UserAdmin(admin, db_path)
    worker_id = tools.add_user("malika", "worker-pass-1", "case_worker")["id"]
    tools.add_user("jamshed", "field-pass-1", "field_officer")
    case = cs.open_case(admin, dict(channel="hotline", category="trafficking",
                                    caller_name="Зарина Каримова", assigned_to=worker_id))
    admin.conn.close()
    for name, password, reads in (("malika", "worker-pass-1", True),
                                  ("jamshed", "field-pass-1", False)):
        keys.forget_key(db_path)
        monkeypatch.setenv("HAMROH_PASSWORD", password)
        assert main(["--lang", "en", "cases", "list", "--db", str(db_path),
                     "--user", name]) == 0
        keys.forget_key(db_path)          # each command logs in anew, as in a shell
        assert main(["--lang", "en", "cases", "show", "--db", str(db_path), "--user", name,
                     case["number"], "--reason", "Supervision"]) == 0
        out = capsys.readouterr().out
        assert "hs1:" not in out
        assert (out.count("Зарина Каримова") == 2) is reads
        # an unreadable caller is not an anonymous one
        assert "Anonymous caller" not in out
        assert (sensitive.unreadable_message() in out) is not reads
