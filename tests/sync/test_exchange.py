"""Export and import between replicas: merge rules, scope, history, idempotence."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from desktop_app.store.people.repositories import (
    MigrationEpisodeRepository,
    PersonRepository,
    search_people,
)
from desktop_app.sync import exchange
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import exchange_files


def person(replica, **values):
    values.setdefault("family_name", "Раҳмонов")
    values.setdefault("given_name", "Фарҳод")
    return PersonRepository(replica.session).create(values)


def test_office_to_coordinator_and_back_converges(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm, birth_date="1990-04-01")
    MigrationEpisodeRepository(grm.session).create(
        {"person_id": p["id"], "destination_country": "RU", "destination_city": "Krasnoyarsk"})
    summary = exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    assert summary.new == 4  # office, admin, person, episode
    assert PersonRepository(dsh.session).get(p["id"])["given_name"] == "Фарҳод"
    exchange_files(dsh, grm, tmp_path / "b", target="GRM")
    assert dump_text(grm.conn) == dump_text(dsh.conn)


def test_concurrent_edits_of_different_fields_both_survive(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    PersonRepository(dsh.session).update(p["id"], {"phones": "+992 93 555 12 34"})
    exchange_files(grm, dsh, tmp_path / "b")
    exchange_files(dsh, grm, tmp_path / "b")
    for replica in (grm, dsh):
        row = PersonRepository(replica.session).get(p["id"])
        assert (row["village"], row["phones"]) == ("Navdi", "+992 93 555 12 34")
        assert replica.conn.execute("SELECT count(*) FROM sync_conflict").fetchone()[0] == 0


def test_same_field_conflict_keeps_losing_value_and_resolution_syncs(make_replicas, tmp_path):
    from desktop_app.sync import conflicts
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    PersonRepository(dsh.session).update(p["id"], {"village": "Kalai Surkh"})
    s1 = exchange_files(grm, dsh, tmp_path / "b")
    s2 = exchange_files(dsh, grm, tmp_path / "b")
    assert s1.conflicts == 1 and s2.conflicts == 1
    assert dump_text(grm.conn) == dump_text(dsh.conn)
    listed = conflicts.list_conflicts(dsh.conn)
    assert len(listed) == 1
    c = listed[0]
    assert {c.winner_value, c.loser_value} == {"Navdi", "Kalai Surkh"}
    assert c.winner_hlc > c.loser_hlc
    assert {c.winner_author, c.loser_author} == {grm.session.actor.user_id,
                                                dsh.session.actor.user_id}
    current = PersonRepository(dsh.session).get(p["id"])["village"]
    assert current == c.winner_value
    conflicts.resolve(dsh.session, c.id, take_other=True)
    assert PersonRepository(dsh.session).get(p["id"])["village"] == c.loser_value
    assert conflicts.list_conflicts(dsh.conn) == []
    # the choice travels and closes the conflict on the other side too
    exchange_files(dsh, grm, tmp_path / "b")
    assert PersonRepository(grm.session).get(p["id"])["village"] == c.loser_value
    assert conflicts.list_conflicts(grm.conn) == []
    assert conflicts.list_conflicts(grm.conn, status="superseded")[0].field == "village"


def test_keep_winner_closes_conflict_without_a_write(make_replicas, tmp_path):
    from desktop_app.sync import conflicts
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).update(p["id"], {"notes": "a"})
    PersonRepository(dsh.session).update(p["id"], {"notes": "b"})
    exchange_files(grm, dsh, tmp_path / "b")
    c = conflicts.list_conflicts(dsh.conn)[0]
    changes = dsh.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    conflicts.resolve(dsh.session, c.id, take_other=False)
    assert dsh.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == changes
    assert conflicts.list_conflicts(dsh.conn, status="kept")[0].id == c.id


def test_sequential_edit_is_not_a_conflict(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm, village="Navdi")
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(dsh.session).update(p["id"], {"village": "Garm"})
    summary = exchange_files(dsh, grm, tmp_path / "b")
    assert summary.conflicts == 0 and summary.updated == 1
    assert PersonRepository(grm.session).get(p["id"])["village"] == "Garm"


def test_delete_travels_as_tombstone(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(grm.session).delete(p["id"])
    exchange_files(grm, dsh, tmp_path / "b")
    assert PersonRepository(dsh.session).get(p["id"]) is None
    assert PersonRepository(dsh.session).get(p["id"], include_deleted=True)["deleted"] == 1
    assert '"deleted":1' in dump_text(dsh.conn)


def test_same_bundle_twice_is_already_imported_and_changes_nothing(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    person(grm)
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, path)
    first = exchange.import_bundle(dsh.conn, path)
    assert first.new == 3 and not first.already_imported
    dsh.close()
    before = dsh.path.read_bytes()
    dsh.reopen()
    again = exchange.import_bundle(dsh.conn, path)
    assert again.already_imported
    dsh.close()
    assert dsh.path.read_bytes() == before
    dsh.reopen()


def test_nothing_new_is_a_noop_and_export_is_incremental(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    exchange_files(dsh, grm, tmp_path / "b", target="GRM")   # grm learns what dsh holds
    result = exchange.export_bundle(grm.conn, tmp_path / "c.hamroh")
    assert result.changes == 0
    summary = exchange.import_bundle(dsh.conn, tmp_path / "c.hamroh")
    assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 0)
    person(grm, family_name="Karimov", given_name="Aziz")
    assert exchange.export_bundle(grm.conn, tmp_path / "d.hamroh").changes == 1
    assert exchange.export_bundle(grm.conn, tmp_path / "e.hamroh", full=True).changes > 3


def test_bundles_in_any_order_converge(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    b1 = tmp_path / "1.hamroh"
    exchange.export_bundle(grm.conn, b1)
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi", "notes": "called"})
    b2 = tmp_path / "2.hamroh"
    exchange.export_bundle(grm.conn, b2)     # holds both: dsh has acknowledged nothing
    exchange.import_bundle(dsh.conn, b2)
    exchange.import_bundle(dsh.conn, b1)
    (other,) = make_replicas(["DSH"])
    exchange.import_bundle(other.conn, b1)
    exchange.import_bundle(other.conn, b2)
    assert dump_text(other.conn) == dump_text(dsh.conn)
    assert PersonRepository(other.session).get(p["id"])["village"] == "Navdi"


def test_update_arriving_before_create_fills_in_later(make_replicas, tmp_path):
    """Order independence at the row level: a partial row waits for its creation."""
    grm, dsh, dsh2 = make_replicas(["GRM", "DSH", "DSH"])
    p = person(grm, village="Garm")
    exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    exchange_files(dsh, grm, tmp_path / "b", target="GRM")
    PersonRepository(grm.session).update(p["id"], {"village": "Navdi"})
    late = tmp_path / "late.hamroh"
    exchange.export_bundle(grm.conn, late)          # only the update
    early = tmp_path / "early.hamroh"
    exchange.export_bundle(grm.conn, early, full=True)
    exchange.import_bundle(dsh2.conn, late)
    partial = PersonRepository(dsh2.session).get(p["id"])
    assert partial["village"] == "Navdi" and partial["family_name"] == ""
    exchange.import_bundle(dsh2.conn, early)
    exchange.import_bundle(dsh.conn, late)
    assert dump_text(dsh2.conn) == dump_text(dsh.conn) == dump_text(grm.conn)
    # the search keys of the row made as a placeholder follow its final values
    assert _search_keys(dsh2.conn) == _search_keys(grm.conn)
    assert [h.id for h in search_people(dsh2.conn, "Rahmonov")] == [p["id"]]


def _search_keys(conn):
    return conn.execute("SELECT id, name_key, phone_key, document_key FROM person"
                        " ORDER BY id").fetchall()


def test_received_people_are_found_like_local_ones(make_replicas, tmp_path):
    """Search keys written with the received rows and their full-text rows give the same
    search results as on the office that typed them in."""
    grm, dsh = make_replicas(["GRM", "DSH"])
    people = PersonRepository(grm.session)
    a = person(grm, phones="+992 93 555 12 34; 8 (918) 77-66-55", document_number="АВ 123456")
    b = person(grm, family_name="Karimova", given_name="Ozoda", patronymic="Gʻulomovna")
    gone = person(grm, family_name="Саидова", given_name="Мадина")
    people.delete(gone["id"])
    many = people.create_many([{"family_name": "Nazarov", "given_name": f"Olim {i}",
                                "phones": f"+992 90 000 00 {i:02d}"} for i in range(30)])
    assert many == 30
    exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    assert _search_keys(dsh.conn) == _search_keys(grm.conn)
    for term in ("Rahmonov", "Раҳмонов Фарҳод", "555 12 34", "918776655",
                 "Каримова", "Gulomovna", "Nazarov", "Olim 7", "900000012", "Saidova"):
        found = [h.id for h in search_people(dsh.conn, term)]
        assert found == [h.id for h in search_people(grm.conn, term)], term
    assert [h.id for h in search_people(dsh.conn, "918776655")] == [a["id"]]
    assert dsh.conn.execute("SELECT document_key FROM person WHERE id=?",
                            (a["id"],)).fetchone()[0] == "AV123456"
    assert [h.id for h in search_people(dsh.conn, "Gulomovna")] == [b["id"]]
    assert search_people(dsh.conn, "Saidova") == []
    assert len(search_people(dsh.conn, "Nazarov")) == 30
    # an edit received later rewrites the keys and the full-text row
    people.update(b["id"], {"family_name": "Aliyeva"})
    exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    assert _search_keys(dsh.conn) == _search_keys(grm.conn)
    assert [h.id for h in search_people(dsh.conn, "Алиева")] == [b["id"]]
    assert search_people(dsh.conn, "Karimova") == []


def test_office_receives_only_its_scope(make_replicas, tmp_path):
    grm, tjb, dsh = make_replicas(["GRM", "TJB", "DSH"])
    mine = person(grm, family_name="Gharmi")
    theirs = person(tjb, family_name="Tojikobodi")
    exchange_files(grm, dsh, tmp_path / "b", target="coordinator")
    exchange_files(tjb, dsh, tmp_path / "b", target="coordinator")
    assert PersonRepository(dsh.session).get(theirs["id"]) is not None
    PersonRepository(dsh.session).update(mine["id"], {"notes": "checked by coordinator"})
    exchange_files(dsh, grm, tmp_path / "b", target="GRM")
    assert PersonRepository(grm.session).get(theirs["id"]) is None
    assert PersonRepository(grm.session).get(mine["id"])["notes"] == "checked by coordinator"
    # shared tables do travel: grm knows the other office
    codes = {r[0] for r in grm.conn.execute("SELECT code FROM office")}
    assert codes == {"GRM", "TJB", "DSH"}


def test_history_and_peer_state(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    rows = exchange.history(dsh.conn)
    assert rows[0]["direction"] == "in" and rows[0]["peer"] == "GRM"
    assert rows[0]["new"] == 3
    out = exchange.history(grm.conn)[0]
    assert out["direction"] == "out" and out["changes"] == 3
    peer, = exchange.peers(dsh.conn)
    assert peer["office_code"] == "GRM" and peer["last_in_at"]
    assert peer["not_acknowledged"] == 2   # dsh's own office and admin


def test_cancel_rolls_back_everything(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    for i in range(450):
        person(grm, family_name=f"Nazarov{i}", given_name="Olim")
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, path)
    before = dump_text(dsh.conn)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        return done < 400
    with pytest.raises(exchange.ImportCancelled):
        exchange.import_bundle(dsh.conn, path, progress=progress)
    # the total first, before anything is applied, then after each batch
    assert seen[:2] == [(0, 452), (200, 452)] and dump_text(dsh.conn) == before
    assert not exchange.history(dsh.conn)
    summary = exchange.import_bundle(dsh.conn, path, progress=lambda d, t: None)
    assert summary.new == 452


def test_records_made_and_changed_by_one_bundle_count_as_new(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    made = [person(grm, family_name=f"Nazarov{i}", given_name="Olim") for i in range(250)]
    # changed after their creation, in a later batch of the same bundle
    for record in (made[0], made[3]):
        PersonRepository(grm.session).update(record["id"], {"village": "Navdi"})
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, path)
    summary = exchange.import_bundle(dsh.conn, path)
    assert (summary.new, summary.updated, summary.unchanged) == (252, 0, 0)
    # a record received before and changed now is updated, one made now is new (the
    # bundle carries the first one's changes again: nothing acknowledged them)
    PersonRepository(grm.session).update(made[1]["id"], {"village": "Garm"})
    person(grm, family_name="Nazarov", given_name="Said")
    exchange.export_bundle(grm.conn, path)
    summary = exchange.import_bundle(dsh.conn, path)
    assert (summary.new, summary.updated, summary.unchanged) == (1, 1, 254)


def test_ledger_rows_are_never_overwritten(make_replicas, tmp_path):
    from desktop_app.store.repository import Repository

    class LedgerRepo(Repository):
        table = "test_ledger"
        fields = ("amount_minor", "currency")
        append_only = True

    try:
        grm, dsh = make_replicas(["GRM", "DSH"])
        for r in (grm, dsh):
            r.conn.execute(
                "CREATE TABLE test_ledger(id TEXT PRIMARY KEY, office_id TEXT, amount_minor "
                "INTEGER NOT NULL, currency TEXT NOT NULL, created_at TEXT NOT NULL, created_by "
                "TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, deleted "
                "INTEGER NOT NULL DEFAULT 0, hlc TEXT NOT NULL DEFAULT '{}')")
        entry = LedgerRepo(grm.session).create({"amount_minor": 150000, "currency": "TJS"})
        exchange_files(grm, dsh, tmp_path / "b")
        # a forged second write to the same ledger id from the other side
        with dsh.session.transaction():
            LedgerRepo(dsh.session).apply_remote(
                entry["id"], {"amount_minor": 1}, "999999999999999.00000.zzz", "forger", 1,
                None)
        assert LedgerRepo(dsh.session).get(entry["id"])["amount_minor"] == 150000
    finally:
        Repository._registry.pop("test_ledger", None)


def test_unknown_office_target_is_a_clear_error(make_replicas, tmp_path):
    (dsh,) = make_replicas(["DSH"])
    with pytest.raises(exchange.SyncError) as err:
        exchange.export_bundle(dsh.conn, tmp_path / "x.hamroh", target="ZZZ")
    assert "ZZZ" in str(err.value)
    assert not (tmp_path / "x.hamroh").exists()


def test_conflict_audit_and_log_file(make_replicas, tmp_path):
    grm, dsh = make_replicas(["GRM", "DSH"])
    person(grm)
    exchange_files(grm, dsh, tmp_path / "b")
    lines = exchange.log_path_for(dsh.path).read_text().splitlines()
    assert json.loads(lines[-1])["result"] == "ok"
    assert dsh.conn.execute("SELECT count(*) FROM audit_log WHERE action='sync_import'"
                            ).fetchone()[0] == 1


def test_received_records_are_audited_per_batch_and_updates_per_record(make_replicas, tmp_path):
    from desktop_app.store.audit import verify_chain

    grm, dsh = make_replicas(["GRM", "DSH"])
    people = [person(grm, family_name=f"Karimov{i}")["id"] for i in range(exchange.BATCH + 5)]
    exchange_files(grm, dsh, tmp_path / "b")
    listed = []
    for record_id, detail in dsh.conn.execute(
            "SELECT record_id, detail FROM audit_log WHERE action='sync_create'"
            " AND table_name='person'"):
        detail = json.loads(detail)
        assert detail["origin"] == grm.device_id
        listed += detail["records"]
        assert record_id == (detail["records"][0] if len(detail["records"]) == 1 else None)
    assert sorted(listed) == sorted(people)
    # a received change to an existing record: one row with its values before and after
    PersonRepository(grm.session).update(people[0], {"village": "Navdi"})
    exchange_files(grm, dsh, tmp_path / "b")
    (before, after), = dsh.conn.execute(
        "SELECT before, after FROM audit_log WHERE action='sync_update' AND record_id=?",
        (people[0],)).fetchall()
    assert json.loads(before)["village"] is None and json.loads(after)["village"] == "Navdi"
    assert verify_chain(dsh.conn) == []
    # the change log holds each received change as the sender wrote it
    sent = dict(((d, s), f) for d, s, f in grm.conn.execute(
        "SELECT origin_device, origin_seq, fields FROM change_log"))
    got = dict(((d, s), f) for d, s, f in dsh.conn.execute(
        "SELECT origin_device, origin_seq, fields FROM change_log WHERE origin_device=?",
        (grm.device_id,)))
    assert got == sent


def test_edit_after_receiving_wins_everywhere_even_behind_the_senders_clock(make_replicas,
                                                                           tmp_path):
    """Laptop clocks drift (and a wall clock can step back): an edit made after a value
    was received replaces it on every replica, not only where it was typed. The page's
    long-lived session stamps it after the clocks it has received through an import."""
    import time

    from desktop_app.store.session import Session

    grm, dsh = make_replicas(["GRM", "DSH"])
    p = person(grm)
    # Gharm's clock is an hour ahead of Dushanbe's
    ahead = Session(grm.conn, grm.session.actor,
                    wall_clock=lambda: time.time_ns() // 1_000_000 + 3_600_000)
    PersonRepository(ahead).update(p["id"], {"village": "Navdi"})
    exchange_files(grm, dsh, tmp_path / "b")
    PersonRepository(dsh.session).update(p["id"], {"village": "Garm"})
    summary = exchange_files(dsh, grm, tmp_path / "b")
    assert summary.conflicts == 0
    assert PersonRepository(grm.session).get(p["id"])["village"] == "Garm"
    exchange_files(grm, dsh, tmp_path / "b")
    assert dump_text(grm.conn) == dump_text(dsh.conn)


def test_a_large_import_finds_duplicates_across_its_chunks(make_replicas, tmp_path):
    from desktop_app.sync import duplicates
    grm, dsh = make_replicas(["GRM", "DSH"])
    firsts, seconds = [], []
    # 1,100 people: the check of a large import reads them 500 at a time, and each pair's
    # two people are far apart (different chunks, found from both sides, queued once)
    for i in range(1100):
        if i % 200 == 7 and len(firsts) < 5:
            firsts.append(person(grm, family_name="Раҳмонов", given_name="Фарҳод",
                                 birth_date=f"1990-01-0{len(firsts) + 1}"))
        elif i >= 1000 and len(seconds) < len(firsts):
            seconds.append(person(grm, family_name="Rahmonov", given_name="Farhod",
                                  birth_date=f"1990-01-0{len(seconds) + 1}"))
        else:
            person(grm, family_name=f"Nazarov{i}", given_name="Olim")
    assert len(firsts) == len(seconds) == 5
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, path)
    summary = exchange.import_bundle(dsh.conn, path)
    assert summary.new == 1102 and summary.duplicates == 5
    queued = {tuple(r) for r in dsh.conn.execute(
        "SELECT person_a, person_b FROM sync_duplicate")}
    assert queued == {tuple(sorted((a["id"], b["id"])))
                      for a, b in zip(firsts, seconds, strict=True)}
    # the same pairs as the check of the whole list at once
    dsh.conn.execute("DELETE FROM sync_duplicate")
    ids = [r[0] for r in dsh.conn.execute("SELECT id FROM person")]
    assert duplicates.queue_duplicates(dsh.conn, ids) == 5


def test_a_large_imports_duplicate_check_takes_hostile_names_as_names(make_replicas,
                                                                       tmp_path):
    """The people of a large import are compared through a temporary table filled with
    bound values: names made of quotes, SQL and JSON are only names, and two records of
    one such person are still queued as a pair."""
    from desktop_app.sync import duplicates
    grm, dsh = make_replicas(["GRM", "DSH"])
    hostile = ["O'Neil'); DROP TABLE person;--", '"]}, {"x": 1', "Ali ! '||'", "%_\\*"]
    pair = []
    for i in range(duplicates.FULL_CHECK_LIMIT + 20):
        if i in (3, 250):
            pair.append(person(grm, family_name=hostile[0], given_name="Фарҳод ']",
                               birth_date="1991-02-03"))
        else:
            # each born on a day of their own: no other pair has a second sign
            born = date(1950, 1, 1) + timedelta(days=37 * i)
            person(grm, family_name=hostile[i % len(hostile)], given_name=f"Olim {i}",
                   birth_date=born.isoformat())
    path = tmp_path / "b.hamroh"
    exchange.export_bundle(grm.conn, path)
    summary = exchange.import_bundle(dsh.conn, path)
    # and the two records every first bundle brings (1,102 for 1,100 people above)
    assert summary.new == duplicates.FULL_CHECK_LIMIT + 22
    assert summary.duplicates == 1
    assert {tuple(r) for r in dsh.conn.execute("SELECT person_a, person_b FROM "
                                               "sync_duplicate")} == {
        tuple(sorted(p["id"] for p in pair))}
    assert dsh.conn.execute("SELECT count(*) FROM person WHERE family_name = ?",
                            (hostile[0],)).fetchone()[0] >= 2
