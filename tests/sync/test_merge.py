"""Possible duplicates after an import; merge and unmerge travel as redirects."""
from __future__ import annotations

import pytest

from desktop_app.store.people import merge as people_merge
from desktop_app.store.people.identity import identity_ids
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.sync.dump import dump_text
from desktop_app.sync.duplicates import open_pairs
from tests.helpers.replicas import exchange_files


def test_cross_script_duplicates_are_queued_merged_and_unmerged(make_replicas, tmp_path):
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    a = PersonRepository(grm.session).create({"family_name": "Раҳмонов", "given_name": "Фарҳод",
                                              "birth_date": "1990-03-07"})
    b = PersonRepository(tjb.session).create({"family_name": "Rakhmonov", "given_name": "Farkhod",
                                              "birth_date": "1990-03-07"})
    other = PersonRepository(tjb.session).create({"family_name": "Rakhmonov",
                                                  "given_name": "Farkhod",
                                                  "birth_date": "1971-11-30"})
    episode = MigrationEpisodeRepository(tjb.session).create(
        {"person_id": b["id"], "destination_country": "RU"})
    exchange_files(grm, dsh, tmp_path / "x", target="coordinator")
    summary = exchange_files(tjb, dsh, tmp_path / "x", target="coordinator")
    assert summary.duplicates == 1
    (pair,) = open_pairs(dsh.conn)
    assert {pair["person_a"], pair["person_b"]} == {a["id"], b["id"]}
    assert other["id"] not in (pair["person_a"], pair["person_b"])

    people_merge.merge(dsh.session, b["id"], a["id"], pair_id=pair["id"])
    assert open_pairs(dsh.conn) == []
    assert set(identity_ids(dsh.conn, a["id"])) == {a["id"], b["id"]}
    # the child still points at its own record
    assert MigrationEpisodeRepository(dsh.session).get(episode["id"])["person_id"] == b["id"]
    actions = [r[0] for r in dsh.conn.execute(
        "SELECT action FROM audit_log WHERE record_id=? ORDER BY seq", (b["id"],))]
    assert actions[-2:] == ["update", "person_merge"]

    exchange_files(dsh, tjb, tmp_path / "x", target="TJB")
    assert PersonRepository(tjb.session).get(b["id"])["merged_into"] == a["id"]

    people_merge.unmerge(tjb.session, b["id"])
    exchange_files(tjb, dsh, tmp_path / "x", target="coordinator")
    assert PersonRepository(dsh.session).get(b["id"])["merged_into"] is None
    assert identity_ids(dsh.conn, a["id"]) == [a["id"]]


def test_merge_refuses_self_and_cycles(session):
    repo = PersonRepository(session)
    a = repo.create({"family_name": "Aliev", "given_name": "Bakhtiyor"})
    b = repo.create({"family_name": "Aliyev", "given_name": "Baxtiyor"})
    with pytest.raises(people_merge.MergeError):
        people_merge.merge(session, a["id"], a["id"])
    people_merge.merge(session, b["id"], a["id"])
    with pytest.raises(people_merge.MergeError):
        people_merge.merge(session, a["id"], b["id"])
    with pytest.raises(people_merge.MergeError):
        people_merge.unmerge(session, a["id"])


def test_merge_on_two_replicas_converges(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    repo = PersonRepository(grm.session)
    a = repo.create({"family_name": "Nazarova", "given_name": "Dilnoza"})
    b = repo.create({"family_name": "Nazarova", "given_name": "Dilnoza"})
    c = repo.create({"family_name": "Nazarova", "given_name": "Dilnoza"})
    exchange_files(grm, dsh, tmp_path / "x")
    people_merge.merge(grm.session, b["id"], a["id"])
    people_merge.merge(dsh.session, b["id"], c["id"])
    exchange_files(grm, dsh, tmp_path / "x")
    exchange_files(dsh, grm, tmp_path / "x")
    assert dump_text(grm.conn) == dump_text(dsh.conn)
    # the losing redirect is in the conflict list for a person to review
    row = dsh.conn.execute("SELECT field FROM sync_conflict").fetchone()
    assert row[0] == "merged_into"


def test_large_import_queues_people_with_a_second_sign_only(make_replicas, tmp_path):
    """Over FULL_CHECK_LIMIT people the import uses indexed look-ups (birth date, phone,
    document) and needs a similar name plus one of them."""
    from desktop_app.sync import duplicates

    grm, dsh = make_replicas(["GRM", "DSH"])
    here = PersonRepository(dsh.session)
    known = here.create({"family_name": "Раҳмонов", "given_name": "Фарҳод",
                         "birth_date": "1990-03-07"})
    namesake = here.create({"family_name": "Karimov", "given_name": "Aziz"})
    by_phone = here.create({"family_name": "Nazarova", "given_name": "Dilnoza",
                            "phones": "+992 93 555 12 34"})
    rows = [{"family_name": f"Filler{chr(97 + i % 26)}{i}", "given_name": "Olim",
             "birth_date": f"19{50 + i % 40}-0{1 + i % 9}-2{i % 8}"}
            for i in range(duplicates.FULL_CHECK_LIMIT + 20)]
    rows += [
        {"family_name": "Rakhmonov", "given_name": "Farkhod", "birth_date": "1990-03-07"},
        {"family_name": "Karimov", "given_name": "Aziz"},             # name alone: not queued
        {"family_name": "Nazarova", "given_name": "Dilnoza", "phones": "93-555-12-34"},
        {"family_name": "Rakhmonov", "given_name": "Farkhod", "birth_date": "1971-11-30"},
        # names typed the other way round, same day: still found
        {"family_name": "Farkhod", "given_name": "Rakhmonov", "birth_date": "1990-03-07"},
        # born that day too, another name: not queued
        {"family_name": "Saidova", "given_name": "Malika", "birth_date": "1990-03-07"},
    ]
    PersonRepository(grm.session).create_many(rows)
    exchange_files(grm, dsh, tmp_path / "x")
    pairs = {frozenset((p["person_a"], p["person_b"])): p["reason"] for p in open_pairs(dsh.conn)}
    mine = {pair: reason for pair, reason in pairs.items()
            if pair & {known["id"], namesake["id"], by_phone["id"]}}
    assert sorted(mine.values()) == ["name,birth_date", "name,birth_date", "name,phone"]
    assert not any(namesake["id"] in pair for pair in mine)


def test_large_import_candidates_are_index_seeks(make_replicas):
    """The candidates of a large import come from index look-ups: same day and first word
    by a range in person_same_day, never a scan of the register or of a whole day."""
    from desktop_app.sync import duplicates

    (grm,) = make_replicas(["GRM"])
    duplicates.make_probe_table(grm.conn)
    plan = [row[3] for row in grm.conn.execute("EXPLAIN QUERY PLAN " + duplicates._CHUNK_SQL)]
    same_day = [step for step in plan if "person_same_day" in step]
    assert len(same_day) == 2
    assert all("birth_date=? AND name_key>" in step for step in same_day)
    # the register (alias p) is only searched, never scanned; the people compared are
    # read in turn from the probe table (alias j), one pass per kind of look-up
    assert [step for step in plan if step.startswith("SEARCH p USING INDEX")] == [
        step for step in plan if " p " in f" {step} "]
    assert not [step for step in plan if step.startswith("SCAN") and "person" in step]
    assert [step for step in plan if step.startswith("SCAN j")] == ["SCAN j"] * 4


def test_compact_clocks_migration_rewrites_full_maps_and_keeps_the_dump(make_replicas,
                                                                        tmp_path):
    """Rows written with one clock per field (before 0070) are rewritten compactly; the
    dump, which prints the full map, is the same bytes; merging goes on as before."""
    import json

    from desktop_app.store import migrations
    from desktop_app.store.repository import STANDARD_FIELDS, Repository, decode_clocks
    from desktop_app.sync.scope import synced_tables

    grm, dsh = make_replicas(["GRM", "DSH"])
    repo = PersonRepository(grm.session)
    a = repo.create({"family_name": "Nazarova", "given_name": "Dilnoza"})
    repo.update(a["id"], {"village": "Navdi"})
    MigrationEpisodeRepository(grm.session).create({"person_id": a["id"],
                                                    "destination_country": "RU"})
    exchange_files(grm, dsh, tmp_path / "x")
    before = dump_text(grm.conn)
    conn = grm.conn
    # the database as an older version wrote it: full maps, 0070 not applied
    conn.execute("BEGIN")
    for table, cls in synced_tables(conn).items():
        fields = STANDARD_FIELDS + tuple(cls.fields)
        for rid, text in conn.execute(f"SELECT id, hlc FROM {table}").fetchall():
            conn.execute(f"UPDATE {table} SET hlc=? WHERE id=?",
                         (json.dumps(decode_clocks(text, fields), sort_keys=True), rid))
    conn.execute("DELETE FROM schema_migrations WHERE name='0070_compact_clocks'")
    conn.execute("COMMIT")
    full = conn.execute("SELECT hlc FROM person WHERE id=?", (a["id"],)).fetchone()[0]
    assert '"*"' not in full and dump_text(conn) == before
    assert migrations.migrate(conn, grm.path, backup=False).applied == ["0070_compact_clocks"]
    compact = json.loads(conn.execute("SELECT hlc FROM person WHERE id=?",
                                      (a["id"],)).fetchone()[0])
    assert set(compact) == {"*", "village", "updated_at", "updated_by"}
    assert len(json.dumps(compact)) * 4 < len(full)
    assert dump_text(conn) == before
    # and merging still works on migrated rows
    PersonRepository(dsh.session).update(a["id"], {"notes": "called back"})
    repo.update(a["id"], {"phones": "+992 93 555 12 34"})
    exchange_files(dsh, grm, tmp_path / "x")
    exchange_files(grm, dsh, tmp_path / "x")
    assert dump_text(grm.conn) == dump_text(dsh.conn)
    assert Repository.for_table("person")(grm.session).get(a["id"])["notes"] == "called back"
