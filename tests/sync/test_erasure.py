"""Erased people stay erased: old personal values arriving from a replica that had not
seen the erasure do not come back, whatever their clock and whichever bundle comes first."""
from __future__ import annotations

import json

import pytest

from desktop_app.store.audit import verify_chain
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.store.security.rights import ERASED_NAME, erase_person
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files

SECRETS = ("Раҳмонов", "Фарҳод", "+992 93 555 12 34", "AB1234567", "Navdi", "Lukoil",
           "secret note", "+992 90 111 22 33", "new secret")


def _no_secret(conn) -> None:
    """No old personal value anywhere a bundle or a reviewer could read it again."""
    # creations keep no values in the log (fields NULL): the rows below are their copy
    texts = [r[0] for r in conn.execute("SELECT fields FROM change_log WHERE fields IS NOT NULL")]
    texts += [f"{r[0]} {r[1]}" for r in conn.execute(
        "SELECT winner_value, loser_value FROM sync_conflict")]
    texts += [json.dumps(r, ensure_ascii=False) for r in conn.execute(
        "SELECT * FROM person").fetchall()]
    texts += [json.dumps(r, ensure_ascii=False) for r in conn.execute(
        "SELECT * FROM migration_episode").fetchall()]
    for secret in SECRETS:
        assert not any(secret in t for t in texts), (secret, [t for t in texts if secret in t])


def _setup(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = PersonRepository(grm.session).create({
        "family_name": "Раҳмонов", "given_name": "Фарҳод", "birth_date": "1990-04-17",
        "phones": "+992 93 555 12 34", "document_number": "AB1234567", "village": "Navdi",
        "sex": "male"})
    e = MigrationEpisodeRepository(grm.session).create({
        "person_id": p["id"], "destination_country": "RU", "employer_name": "Lukoil"})
    exchange_files(grm, dsh, tmp_path / "b")
    return grm, dsh, p, e


@pytest.mark.parametrize("order", ["stale_first", "erasure_first"])
def test_stale_edits_do_not_bring_erased_values_back(make_replicas, tmp_path, order):
    grm, dsh, p, e = _setup(make_replicas, tmp_path)
    # the coordinator, not knowing of the erasure yet, edits the person (later clock)
    PersonRepository(dsh.session).update(p["id"], {
        "phones": "+992 90 111 22 33", "notes": "secret note", "village": "Navdi",
        "sex": "female"})
    MigrationEpisodeRepository(dsh.session).update(e["id"], {"notes": "new secret"})
    erase_person(grm.session, p["id"], "asked by the person")
    PersonRepository(dsh.session).update(p["id"], {"household_notes": "new secret"})

    if order == "stale_first":
        exchange_files(dsh, grm, tmp_path / "b")
        exchange_files(grm, dsh, tmp_path / "b")
    else:
        exchange_files(grm, dsh, tmp_path / "b")
        exchange_files(dsh, grm, tmp_path / "b")
    exchange_files(grm, dsh, tmp_path / "b")   # everyone has seen everything

    assert dump_text(grm.conn) == dump_text(dsh.conn)
    for replica in (grm, dsh):
        # received records, updates and erasures are all in an intact audit chain
        assert verify_chain(replica.conn) == []
        actions = {r[0] for r in replica.conn.execute("SELECT action FROM audit_log")}
        assert {"sync_create", "sync_update", "sync_import"} <= actions
        person = PersonRepository(replica.session).get(p["id"])
        assert (person["family_name"], person["given_name"]) == (ERASED_NAME, ERASED_NAME)
        assert person["phones"] is None and person["notes"] is None
        assert person["household_notes"] is None and person["village"] is None
        assert person["birth_date"] == "1990-01-01"
        assert person["sex"] == "female"     # not a personal field: the later edit stands
        episode = MigrationEpisodeRepository(replica.session).get(e["id"])
        assert episode["employer_name"] is None and episode["notes"] is None
        assert episode["destination_country"] == "RU"
        _no_secret(replica.conn)
        # search no longer finds the old name
        assert replica.conn.execute(
            "SELECT count(*) FROM person WHERE name_key LIKE '%rahmanav%'").fetchone()[0] == 0


def test_writes_after_the_erasure_keep_the_fields_blank(make_replicas, tmp_path):
    grm, dsh, p, _e = _setup(make_replicas, tmp_path)
    erase_person(grm.session, p["id"], "asked by the person")
    exchange_files(grm, dsh, tmp_path / "b")
    # a later local edit on either side cannot fill an erased field again ...
    PersonRepository(dsh.session).update(p["id"], {"phones": "+992 90 111 22 33",
                                                   "migration_status": "returned"})
    exchange_files(dsh, grm, tmp_path / "b")
    for replica in (grm, dsh):
        person = PersonRepository(replica.session).get(p["id"])
        assert person["phones"] is None
        assert person["migration_status"] == "returned"   # ... other fields still change
    assert dump_text(grm.conn) == dump_text(dsh.conn)
    _no_secret(grm.conn)
    _no_secret(dsh.conn)
