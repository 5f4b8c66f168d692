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


def _with_the_key(*replicas):
    """The organisation's key, set up (its public half) in each of ``replicas``."""
    key = sensitive.key_from_passphrase(PASSPHRASE)
    for replica in replicas:
        set_meta(replica.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
        replica.conn.commit()
    return key


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


# ---- timeline entries, follow-up results, referral answers ------------------------------
NOTE = "Зулфиқорхонбек ба паноҳгоҳ бурда шуд"
RESULT = "Хоҳараш дар Маскав занг зад"
ANSWER = "Паноҳгоҳ ӯро қабул кард"
SECRETS = ("Зулфиқор", "Маскав", "Паноҳгоҳ", "паспорт")


def _write_texts(session, case_id: str) -> None:
    cs.add_event(session, case_id, "note", NOTE)
    followup = cs.add_followup(session, case_id, "2030-01-01", "Занг задан")
    cs.complete_followup(session, followup["id"], result=RESULT)
    referral = cs.refer(session, case_id, {"target": "legal_adviser"},
                        override_reason="Хатар ба ҳаёт")
    cs.answer_referral(session, referral["id"], "accepted", answer=ANSWER)


def _texts_of(conn, case_id: str) -> list[tuple]:
    rows: list[tuple] = []
    for table, field in (("case_event", "text"), ("case_followup", "result"),
                         ("case_referral", "answer")):
        rows += conn.execute(f"SELECT id, {field} FROM {table} WHERE case_id=? ORDER BY id",
                             (case_id,)).fetchall()
    return rows


def _stored_about(conn, case_id: str) -> str:
    """The case's row, its texts and every change-log entry of them, as stored."""
    ids = [case_id] + [r[0] for r in _texts_of(conn, case_id)]
    marks = ",".join("?" * len(ids))
    rows = conn.execute("SELECT * FROM hotline_case WHERE id=?", (case_id,)).fetchall()
    rows += _texts_of(conn, case_id)
    rows += conn.execute(f"SELECT fields FROM change_log WHERE record_id IN ({marks})",
                         ids).fetchall()
    return str(rows)


def _sensitive_case(session, category: str = "trafficking") -> dict:
    return cs.open_case(session, {"channel": "hotline", "category": category,
                                  "caller_name": "Зарина", "caller_phone": "+992935551234",
                                  "summary": SUMMARY})


def _readable_texts(replica, case_id: str) -> list[str]:
    from desktop_app.store.cases import queries as cq
    texts = [e["text"] or "" for e in cq.timeline(replica.conn, case_id,
                                                   reader=replica.session)]
    texts += [f["result"] or "" for f in cq.followups(replica.conn, case_id,
                                                      reader=replica.session)]
    texts += [r["answer"] or "" for r in cq.referrals(replica.conn, case_id,
                                                      reader=replica.session)]
    return texts


def test_sealed_texts_travel_as_they_are_and_open_at_the_coordinator(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(grm.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    grm.conn.commit()
    case = _sensitive_case(grm.session)
    _write_texts(grm.session, case["id"])
    stored = _texts_of(grm.conn, case["id"])
    assert len(stored) >= 7 and all(v is None or sensitive.is_sealed(v) for _i, v in stored)
    exchange_files(grm, dsh, tmp_path / "up")
    # the coordinator's importer needs no key: the same sealed texts, nothing in the clear
    assert _texts_of(dsh.conn, case["id"]) == stored
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS)
    assert {t for t in _readable_texts(dsh, case["id"]) if t} == {sensitive.sealed_placeholder()}
    # the coordinator's reader, holding the organisation's key, reads them
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    dsh.conn.commit()
    sensitive.hold(dsh.session, key)
    texts = _readable_texts(dsh, case["id"])
    assert texts[0] == SUMMARY
    for wanted in (NOTE, RESULT, ANSWER):
        assert any(wanted in t for t in texts), wanted


def test_texts_received_in_the_clear_are_sealed_on_arrival(make_replicas, tmp_path):
    tjb, dsh = make_replicas(["TJB", "DSH"])
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    dsh.conn.commit()
    case = _sensitive_case(tjb.session)         # an office without the key: in the clear
    _write_texts(tjb.session, case["id"])
    assert all(s in _stored_about(tjb.conn, case["id"]) for s in SECRETS)
    exchange_files(tjb, dsh, tmp_path / "up")
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS)
    assert dsh.conn.execute("SELECT count(*) FROM audit_log WHERE action='seal_case_texts'"
                            ).fetchone()[0] >= 1
    sensitive.hold(dsh.session, key)
    texts = _readable_texts(dsh, case["id"])
    assert texts[0] == SUMMARY and NOTE in texts
    assert sensitive.reveal_record(dsh.session, "hotline_case", sc.CaseRepository(
        dsh.session).get(case["id"]))["summary"] == SUMMARY


def test_a_case_that_becomes_sensitive_has_its_texts_sealed_at_both_ends(make_replicas,
                                                                         tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = _with_the_key(grm, dsh)
    case = _sensitive_case(grm.session, category="unpaid_wages")
    _write_texts(grm.session, case["id"])
    exchange_files(grm, dsh, tmp_path / "up")
    assert NOTE in _stored_about(dsh.conn, case["id"])           # not sensitive yet
    sc.CaseRepository(grm.session).update(case["id"], {"category": "trafficking"})
    assert not any(s in _stored_about(grm.conn, case["id"]) for s in SECRETS)
    exchange_files(grm, dsh, tmp_path / "up-again")
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS)
    sensitive.hold(dsh.session, key)
    assert NOTE in _readable_texts(dsh, case["id"])


# ---- a case that becomes a minor's case by its person's birth date ------------------------
def _person_with_case(session, birth_date: str) -> tuple[dict, dict]:
    from desktop_app.store.people.repositories import PersonRepository
    person = PersonRepository(session).create(dict(family_name="Азизов", given_name="Фаррух",
                                                   birth_date=birth_date))
    case = cs.open_case(session, {"channel": "hotline", "category": "unpaid_wages",
                                  "person_id": person["id"], "caller_name": "Зарина",
                                  "caller_phone": "+992935551234", "summary": SUMMARY})
    return person, case


def _set_birth_date(session, person_id: str, birth_date: str) -> None:
    from desktop_app.store.people.repositories import PersonRepository
    PersonRepository(session).update(person_id, {"birth_date": birth_date})


def _sensitive_flag(conn, case_id: str) -> int:
    return conn.execute("SELECT sensitive FROM hotline_case WHERE id=?",
                        (case_id,)).fetchone()[0]


def test_a_birth_date_that_makes_a_minors_case_seals_it_at_both_ends(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = _with_the_key(grm, dsh)
    person, case = _person_with_case(grm.session, "1990-05-01")
    _write_texts(grm.session, case["id"])
    exchange_files(grm, dsh, tmp_path / "up")
    assert _sensitive_flag(dsh.conn, case["id"]) == 0
    assert NOTE in _stored_about(dsh.conn, case["id"])

    # the birth date was typed wrong: the person was 13 when the case was opened
    _set_birth_date(grm.session, person["id"], "2012-05-01")
    assert _sensitive_flag(grm.conn, case["id"]) == 1
    assert not any(s in _stored_about(grm.conn, case["id"]) for s in SECRETS + ("Зарина",))
    exchange_files(grm, dsh, tmp_path / "up-again")
    assert _sensitive_flag(dsh.conn, case["id"]) == 1
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS + ("Зарина",))
    # nobody finds the case by a word of its summary any more; readers read it all
    assert not cq_search_ids(dsh, "паспортро")
    sensitive.hold(dsh.session, key)
    texts = _readable_texts(dsh, case["id"])
    assert texts[0] == SUMMARY and NOTE in texts
    assert dsh.conn.execute("SELECT caller_key FROM hotline_case WHERE id=?",
                            (case["id"],)).fetchone()[0] is None
    # each database sealed its own copy (its own nonce): the same text under both
    for replica in (grm, dsh):
        assert sensitive.open_sealed(key, "hotline_case", case["id"], "summary",
                                     _sealed_fields(replica.conn, case["id"])[2]) == SUMMARY

    # corrected back: no longer a minor's case; what was sealed stays sealed
    _set_birth_date(grm.session, person["id"], "1990-05-01")
    assert _sensitive_flag(grm.conn, case["id"]) == 0
    assert not any(s in _stored_about(grm.conn, case["id"]) for s in SECRETS)


def test_a_birth_date_from_an_office_without_the_key_is_sealed_on_arrival(make_replicas,
                                                                         tmp_path):
    tjb, dsh = make_replicas(["TJB", "DSH"])
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    dsh.conn.commit()
    person, case = _person_with_case(tjb.session, "1990-05-01")
    _write_texts(tjb.session, case["id"])
    exchange_files(tjb, dsh, tmp_path / "up")
    _set_birth_date(tjb.session, person["id"], "2012-05-01")
    # the office has no key: the case is sensitive (the policy's gate) but in the clear
    assert _sensitive_flag(tjb.conn, case["id"]) == 1
    assert NOTE in _stored_about(tjb.conn, case["id"])
    exchange_files(tjb, dsh, tmp_path / "up-again")
    assert _sensitive_flag(dsh.conn, case["id"]) == 1
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS)
    sensitive.hold(dsh.session, key)
    assert NOTE in _readable_texts(dsh, case["id"])


def test_a_case_received_for_a_person_known_here_as_a_minor_is_sealed(make_replicas,
                                                                      tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    _with_the_key(grm, dsh)
    from desktop_app.store.people.repositories import PersonRepository
    person = PersonRepository(grm.session).create(dict(
        family_name="Азизов", given_name="Фаррух", birth_date="1990-05-01"))
    exchange_files(grm, dsh, tmp_path / "person")
    # the coordinator corrects the birth date; the office, not knowing yet, opens a case
    _set_birth_date(dsh.session, person["id"], "2012-05-01")
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "unpaid_wages",
                                      "person_id": person["id"], "summary": SUMMARY})
    _write_texts(grm.session, case["id"])
    assert _sensitive_flag(grm.conn, case["id"]) == 0
    exchange_files(grm, dsh, tmp_path / "case")
    assert _sensitive_flag(dsh.conn, case["id"]) == 1
    assert not any(s in _stored_about(dsh.conn, case["id"]) for s in SECRETS)
    # and back at the office with the corrected birth date
    exchange_files(dsh, grm, tmp_path / "down")
    assert _sensitive_flag(grm.conn, case["id"]) == 1
    assert not any(s in _stored_about(grm.conn, case["id"]) for s in SECRETS)


def cq_search_ids(replica, term: str) -> list:
    from desktop_app.store.cases import queries as cq
    return cq.case_ids(replica.conn, cq.CaseFilter(search=term))


# ---- conflicts with an office without the key ----------------------------------------------
def _conflict_values(conn, case_id: str) -> list[tuple]:
    return conn.execute("SELECT winner_value, loser_value FROM sync_conflict WHERE"
                        " table_name='hotline_case' AND record_id=? AND field='summary'",
                        (case_id,)).fetchall()


def test_plain_values_in_conflict_from_an_office_without_the_key_are_sealed_on_arrival(
        make_replicas, tmp_path):
    """GRM has no key and writes the summary in the clear; DSH has it. Both change the
    summary at the same time: the conflict DSH records holds both values sealed, and
    they open with the key to what each office wrote."""
    import json
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    dsh.conn.commit()
    sensitive.hold(dsh.session, key)
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "trafficking",
                                      "summary": SUMMARY})
    exchange_files(grm, dsh, tmp_path / "up")
    sc.CaseRepository(dsh.session).update(case["id"], {"summary": "Дар Тошкент"})
    sc.CaseRepository(grm.session).update(case["id"], {"summary": "Дар Маскав"})
    exchange_files(grm, dsh, tmp_path / "up")
    stored = _conflict_values(dsh.conn, case["id"])
    assert len(stored) == 1
    values = [json.loads(v) for v in stored[0]]
    assert all(sensitive.is_sealed(v) for v in values)
    assert "Маскав" not in str(stored) and "Тошкент" not in str(stored)
    assert {sensitive.open_sealed(key, "hotline_case", case["id"], "summary", v)
            for v in values} == {"Дар Маскав", "Дар Тошкент"}
    # GRM, without the key, keeps its conflict as it is (nothing to seal with)
    exchange_files(dsh, grm, tmp_path / "down")
    assert sensitive.seal_conflicts(grm.conn) == 0


def test_setting_the_key_up_seals_the_values_of_conflicts_held_before(make_replicas,
                                                                      tmp_path):
    import json
    grm, dsh = make_replicas(["GRM", "DSH"])
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "trafficking",
                                      "summary": SUMMARY})
    exchange_files(grm, dsh, tmp_path / "up")
    sc.CaseRepository(dsh.session).update(case["id"], {"summary": "Дар Тошкент"})
    sc.CaseRepository(grm.session).update(case["id"], {"summary": "Дар Маскав"})
    exchange_files(grm, dsh, tmp_path / "up")
    assert "Маскав" in str(_conflict_values(dsh.conn, case["id"]))
    key = sensitive.key_from_passphrase(PASSPHRASE)
    set_meta(dsh.conn, sensitive.META_PUBLIC, sensitive.public_text(key))
    assert sensitive.seal_conflicts(dsh.conn) == 2
    dsh.conn.commit()
    stored = _conflict_values(dsh.conn, case["id"])
    assert all(sensitive.is_sealed(json.loads(v)) for v in stored[0])
    assert sensitive.seal_conflicts(dsh.conn) == 0          # nothing left in the clear


def test_conflicts_of_a_case_that_becomes_sensitive_are_sealed(make_replicas, tmp_path):
    """An ordinary case's summary in conflict (kept in the clear, as its summary was);
    then the case becomes sensitive: by its category here, by a birth date there."""
    import json
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = _with_the_key(grm, dsh)
    person, case = _person_with_case(grm.session, "1990-05-01")
    other = cs.open_case(grm.session, {"channel": "hotline", "category": "unpaid_wages",
                                       "summary": SUMMARY})
    exchange_files(grm, dsh, tmp_path / "up")
    for record in (case, other):
        sc.CaseRepository(dsh.session).update(record["id"], {"summary": "Дар Тошкент"})
        sc.CaseRepository(grm.session).update(record["id"], {"summary": "Дар Маскав"})
    exchange_files(grm, dsh, tmp_path / "up-again")
    assert "Маскав" in str(_conflict_values(dsh.conn, case["id"]))
    assert "Маскав" in str(_conflict_values(dsh.conn, other["id"]))

    _set_birth_date(dsh.session, person["id"], "2012-05-01")
    sc.CaseRepository(dsh.session).update(other["id"], {"category": "trafficking"})
    for record in (case, other):
        stored = _conflict_values(dsh.conn, record["id"])
        assert stored and "Маскав" not in str(stored) and "Тошкент" not in str(stored)
        assert {sensitive.open_sealed(key, "hotline_case", record["id"], "summary",
                                      json.loads(v)) for v in stored[0]} \
            == {"Дар Маскав", "Дар Тошкент"}


def test_taking_the_other_sealed_value_needs_the_key(make_replicas, tmp_path):
    """Without the key the update would leave the sealed summary as it is: the conflict
    is refused in words and stays open, not marked settled with nothing written."""
    import json

    import pytest

    from desktop_app.store.session import PermissionDenied
    from desktop_app.sync import conflicts
    grm, dsh = make_replicas(["GRM", "DSH"])
    key = _with_the_key(grm, dsh)
    case = cs.open_case(grm.session, {"channel": "hotline", "category": "trafficking",
                                      "summary": SUMMARY})
    exchange_files(grm, dsh, tmp_path / "up")
    for replica, summary in ((dsh, "Дар Тошкент"), (grm, "Дар Маскав")):
        sensitive.hold(replica.session, key)          # a reader changes it at each end
        sc.CaseRepository(replica.session).update(case["id"], {"summary": summary})
    exchange_files(grm, dsh, tmp_path / "up-again")
    sensitive._HELD.pop(dsh.session)                  # noqa: SLF001 - a user without it
    (conflict,) = conflicts.list_conflicts(dsh.conn)
    held = _sealed_fields(dsh.conn, case["id"])[2]
    with pytest.raises(PermissionDenied, match="sensitive-case key"):
        conflicts.resolve(dsh.session, conflict.id, take_other=True)
    assert conflicts.get(dsh.conn, conflict.id).status == "open"
    assert _sealed_fields(dsh.conn, case["id"])[2] == held

    sensitive.hold(dsh.session, key)
    conflicts.resolve(dsh.session, conflict.id, take_other=True)
    assert conflicts.get(dsh.conn, conflict.id).status == "taken"
    now = _sealed_fields(dsh.conn, case["id"])[2]
    assert now != held and sensitive.open_sealed(
        key, "hotline_case", case["id"], "summary", now) \
        == sensitive.open_sealed(key, "hotline_case", case["id"], "summary",
                                 json.loads(json.dumps(conflict.loser_value)))
