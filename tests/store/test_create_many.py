"""``Repository.create_many`` (the batch write path of imports and demo data) against
``Repository.create`` row by row: the same records written through both, into two copies
of one database with the same clock, give the same rows, clocks, change log, search keys,
full-text rows and audit entries; the policy, validation and the erasure guard hold."""
import uuid

import pytest

from desktop_app.domain.actors import Actor
from desktop_app.store import audit as audit_module
from desktop_app.store import repository
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.audit import verify_chain
from desktop_app.store.cases.repositories import CaseRepository, EmployerRepository
from desktop_app.store.db import known_key
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.store.security.keys import copy_database, remember_key
from desktop_app.store.security.policy import RolePolicy
from desktop_app.store.security.rights import erase_person
from desktop_app.store.session import PermissionDenied, Session

WALL_MS = 1_900_000_000_000          # a wall clock later than the template's clocks
NOW = "2030-03-17T08:00:00.000Z"


def _people(count: int) -> list[dict]:
    rows = []
    for i in range(count):
        rows.append({
            "id": f"00000000-0000-7000-8000-{i:012d}",
            "family_name": f"  Раҳмонов{'а' * (i % 3)} ", "given_name": f"Фарҳод {i}",
            "patronymic": "Алиевич" if i % 2 else None, "sex": ("male", "female", None)[i % 3],
            "birth_date": f"{1 + i % 28:02d}.0{1 + i % 9}.19{70 + i % 30}" if i % 4 else None,
            "phones": f"+992 93 555 {i:04d}" + ("; 918 12 34 56" if i % 5 == 0 else ""),
            "document_number": f"A{i:07d}" if i % 2 else None,
            "district": "TJ-RASHT", "union_member": i % 2, "notes": "" if i % 7 else "first",
        })
    return rows


def _episodes(people: list[dict]) -> list[dict]:
    return [{"id": f"00000000-0000-7000-9000-{i:012d}", "person_id": p["id"],
             "destination_country": "RU", "destination_city": "Krasnoyarsk",
             "departure_date": f"0{1 + i % 9}.03.2019", "employer_name": f"OOO Stroy {i}"}
            for i, p in enumerate(people)]


def _employers(count: int) -> list[dict]:
    return [{"id": f"00000000-0000-7000-a000-{i:012d}", "name": f"ООО Строй-{i}",
             "country": "RU", "city": "Moscow", "size": ("small", None)[i % 2]}
            for i in range(count)]


def _cases(people: list[dict], employers: list[dict]) -> list[dict]:
    return [{"id": f"00000000-0000-7000-b000-{i:012d}", "number": f"GRM-D1-2030-{i:05d}",
             "person_id": p["id"], "channel": "hotline", "category": "unpaid_wages",
             "caller_name": "Зарина Каримова", "summary": f"Wages unpaid for {i} months",
             "employer_id": employers[i % len(employers)]["id"], "opened_on": "2024-05-0"
             f"{1 + i % 9}"} for i, p in enumerate(people)]


def _batches(size: int) -> list[tuple[type, list[dict]]]:
    people = _people(size)
    employers = _employers(max(1, size // 4))
    return [(PersonRepository, people), (MigrationEpisodeRepository, _episodes(people)),
            (EmployerRepository, employers), (CaseRepository, _cases(people, employers))]


@pytest.fixture
def two_copies(db_path, tmp_path, monkeypatch):
    """Two sessions on two copies of one database, with the same fixed clocks."""
    other = copy_database(db_path, tmp_path / "other.db")
    remember_key(other, known_key(db_path))
    monkeypatch.setattr(repository, "utc_now", lambda: NOW)
    monkeypatch.setattr(audit_module, "utc_now", lambda: NOW)
    sessions = []
    for path in (db_path, other):
        conn = open_database(path)
        sessions.append(Session(conn, default_actor(conn), wall_clock=lambda: WALL_MS))
    yield sessions
    for session in sessions:
        session.conn.close()


def _state(conn) -> dict:
    """Everything a create writes, ids of audit rows and change-log positions aside."""
    state = {}
    for table in ("person", "migration_episode", "employer", "hotline_case"):
        state[table] = conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid").fetchall()
    state["change_log"] = conn.execute(
        "SELECT origin_device, origin_seq, table_name, record_id, hlc, fields, author,"
        " office_id, base FROM change_log ORDER BY seq").fetchall()
    # clocks of the device's own writes are stored as integers
    state["change_entry"] = conn.execute(
        "SELECT origin_seq, record_id, hlc, typeof(hlc), fields, base FROM change_entry"
        " ORDER BY seq").fetchall()
    state["person_search"] = conn.execute(
        "SELECT rowid, keys FROM person_search ORDER BY rowid").fetchall()
    state["case_search"] = conn.execute(
        "SELECT rowid, * FROM case_search ORDER BY rowid").fetchall()
    state["audit"] = conn.execute(
        "SELECT at, user_id, device_id, action, table_name, record_id, before, after, detail"
        " FROM audit_log ORDER BY seq").fetchall()
    state["sequence"] = conn.execute("SELECT * FROM local_sequence ORDER BY name").fetchall()
    return state


@pytest.mark.parametrize("audit", [True, False])
def test_create_many_writes_what_create_writes_row_by_row(two_copies, audit):
    one_by_one, batched = two_copies
    for repo_class, rows in _batches(7):
        repo = repo_class(one_by_one)
        with one_by_one.transaction():
            for row in rows:
                values = {k: v for k, v in row.items() if k != "id"}
                repo.create(values, record_id=row["id"])
        if not audit:
            one_by_one.conn.execute("DELETE FROM audit_log WHERE table_name=?", (repo.table,))
            one_by_one.audit.forget_head()
        assert repo_class(batched).create_many([dict(r) for r in rows], audit=audit) == len(rows)
    expected, got = _state(one_by_one.conn), _state(batched.conn)
    assert len(got["person"]) == 7 and len(got["hotline_case"]) == 7
    assert len(got["change_log"]) >= 7 * 3 + 1
    assert len(got["person_search"]) == 7 and len(got["case_search"]) == 7
    for name in expected:
        assert got[name] == expected[name], name
    assert {r[3] for r in got["change_entry"]} == {"integer"}
    assert verify_chain(batched.conn) == []


def test_batches_past_the_batch_size_and_clock_counter(two_copies, monkeypatch):
    """Several batches of one call; more records than a millisecond's clock counter holds."""
    monkeypatch.setattr(repository, "BULK_BATCH", 3)
    one_by_one, batched = two_copies
    for session in two_copies:
        # the counter is near its five digits in this millisecond
        session.clock._ms, session.clock._counter = WALL_MS, 99_990
    people = _people(20)
    repo = PersonRepository(one_by_one)
    with one_by_one.transaction():
        for row in people:
            repo.create({k: v for k, v in row.items() if k != "id"}, record_id=row["id"])
    PersonRepository(batched).create_many([dict(r) for r in people])
    expected, got = _state(one_by_one.conn), _state(batched.conn)
    assert got == expected
    clocks = [r[4] for r in got["change_log"]][-20:]
    assert clocks == sorted(clocks) and len(set(clocks)) == 20
    assert clocks[8].startswith(f"{WALL_MS:015d}.99999.")
    assert clocks[9].startswith(f"{WALL_MS + 1:015d}.00000.")   # the next millisecond


def test_rows_without_ids_get_new_ordered_ids(session):
    rows = [{k: v for k, v in r.items() if k != "id"} for r in _people(5)]
    PersonRepository(session).create_many(rows)
    ids = [r[0] for r in session.conn.execute(
        "SELECT id FROM person WHERE given_name LIKE 'Фарҳод %' ORDER BY rowid")]
    assert len(ids) == 5 and ids == sorted(ids) and len(set(ids)) == 5
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7 for i in ids)
    logged = [r[0] for r in session.conn.execute(
        "SELECT record_id FROM change_log WHERE table_name='person' ORDER BY seq")]
    assert logged[-5:] == ids


def test_a_bad_row_stops_the_whole_call(session):
    rows = _people(5)
    rows[3]["birth_date"] = "31.02.1990x"
    before = session.conn.execute("SELECT count(*) FROM change_entry").fetchone()[0]
    with pytest.raises(ValidationError) as err:
        PersonRepository(session).create_many(rows)
    assert "birth_date" in err.value.errors
    assert session.conn.execute("SELECT count(*) FROM person WHERE given_name LIKE "
                                "'Фарҳод %'").fetchone()[0] == 0
    assert session.conn.execute("SELECT count(*) FROM change_entry").fetchone()[0] == before


def _as(session, role: str, office: str | None) -> Session:
    user = Actor(user_id="u-officer", username="officer", role=role, office_id=office)
    other = Session(session.conn, user)
    other.policy = RolePolicy(session.conn, other.granted_reasons)
    return other


def test_the_policy_holds_for_every_row(session):
    office = session.office_id
    officer = _as(session, "field_officer", office)
    people = _people(6)
    for row in people:
        row["office_id"] = office
    people[4]["office_id"] = "another-office"
    repo = PersonRepository(officer)
    with pytest.raises(PermissionDenied):
        repo.create({k: v for k, v in people[4].items() if k != "id"})
    with pytest.raises(PermissionDenied):
        repo.create_many([dict(r) for r in people])
    assert session.conn.execute("SELECT count(*) FROM person WHERE given_name LIKE "
                                "'Фарҳод %'").fetchone()[0] == 0
    del people[4]
    assert repo.create_many([dict(r) for r in people]) == 5
    written = session.conn.execute("SELECT DISTINCT office_id, created_by FROM person WHERE"
                                   " given_name LIKE 'Фарҳод %'").fetchall()
    assert written == [(office, "u-officer")]
    # a role that may not add cases at all
    inspector = _as(session, "inspector", office)
    cases = _cases(people[:2], _employers(1))
    with pytest.raises(PermissionDenied):
        CaseRepository(inspector).create_many(cases)
    assert session.conn.execute("SELECT count(*) FROM hotline_case").fetchone()[0] == 0


def test_new_records_of_an_erased_person_are_written_erased(two_copies):
    one_by_one, batched = two_copies
    people = _people(2)
    for session in two_copies:
        PersonRepository(session).create_many([dict(r) for r in people])
        erase_person(session, people[0]["id"], "Person asked in writing")
    episodes = _episodes(people)
    repo = MigrationEpisodeRepository(one_by_one)
    with one_by_one.transaction():
        for row in episodes:
            repo.create({k: v for k, v in row.items() if k != "id"}, record_id=row["id"])
    MigrationEpisodeRepository(batched).create_many([dict(r) for r in episodes])
    got = batched.conn.execute("SELECT person_id, employer_name, destination_city FROM"
                               " migration_episode ORDER BY rowid").fetchall()
    assert got == [(people[0]["id"], None, "Krasnoyarsk"),
                   (people[1]["id"], "OOO Stroy 1", "Krasnoyarsk")]
    assert _state(batched.conn)["migration_episode"] == _state(
        one_by_one.conn)["migration_episode"]


def test_the_batch_check_decides_as_the_row_check():
    """``RolePolicy.checker`` (the rule once per batch) against ``check`` (per row), for
    every role, action and area, on rows that differ in what decides a scope."""
    from desktop_app.domain import security as rules
    from desktop_app.domain.actors import ROLES

    rows = [None, {}, {"office_id": "o1"}, {"office_id": "o2"}, {"office_id": None},
            {"office_id": "o2", "created_by": "u1"}, {"created_by": "u2"},
            {"created_by": "u1"}, {"assigned_to": "u1", "created_by": "u2"},
            {"office_id": "o1", "created_by": "u2"}, {"office_id": "o2"}]
    tables = ("person", "hotline_case", "inspection", "training_event", "loan", "app_user",
              "something_else")
    policy = RolePolicy()
    compared = 0
    for role in ROLES:
        actor = Actor(user_id="u1", username="u", role=role, office_id="o1")
        for action in rules.ACTIONS:
            if action == "view_detail":
                continue        # a sensitive case's detail is checked per row anyway
            for table in tables:
                check = policy.checker(actor, action, table)
                for row in rows:
                    try:
                        policy.check(actor, action, table, row)
                        allowed = True
                    except PermissionDenied:
                        allowed = False
                    try:
                        check(row)
                        batch_allowed = True
                    except PermissionDenied:
                        batch_allowed = False
                    assert batch_allowed == allowed, (role, action, table, row)
                    compared += 1
    assert compared > 1000


def test_a_failing_call_nested_in_a_transaction_undoes_only_itself(session, monkeypatch):
    """Rows go in with INSERT OR FAIL (no statement journal, which made batches into
    tables with an INSERT trigger take time in the square of their size inside a
    savepoint): a row refused by a constraint after earlier batches were written still
    takes the whole call back to its savepoint, with the trigger's writes, and leaves
    the caller's transaction as it was."""
    monkeypatch.setattr(repository, "BULK_BATCH", 2)
    conn = session.conn
    conn.execute("CREATE TABLE temp.inserted(id TEXT)")
    conn.execute("CREATE TEMP TRIGGER person_inserted AFTER INSERT ON main.person"
                 " BEGIN INSERT INTO temp.inserted VALUES (new.id); END")
    people = _people(6)
    given = [p["id"] for p in people]     # create_many takes the id out of each row
    repo = PersonRepository(session)
    with session.transaction():
        assert repo.create_many([dict(p) for p in people[:2]]) == 2
        clash = [dict(p) for p in people[2:5]] + [dict(people[0], family_name="Другой")]
        with pytest.raises(repository.sqlite.IntegrityError):
            repo.create_many(clash)           # its fourth row's id is taken
        assert repo.create_many([dict(people[5])]) == 1
    ids = [r[0] for r in conn.execute("SELECT id FROM person WHERE given_name LIKE"
                                      " 'Фарҳод %' ORDER BY id")]
    assert ids == [given[i] for i in (0, 1, 5)]
    assert [r[0] for r in conn.execute("SELECT id FROM temp.inserted ORDER BY id")] == ids
    assert conn.execute("SELECT count(*) FROM change_log WHERE record_id IN"
                        f" ({','.join('?' * 6)})", given
                        ).fetchone()[0] == 3


def test_both_batch_writers_insert_rows_or_fail():
    from desktop_app.store.sync_state import apply
    assert apply.ROW_INSERT == "INSERT OR FAIL INTO"
    assert repository._BatchCreate.__init__.__code__.co_names.count("ROW_INSERT") == 1
    assert "ROW_INSERT" in apply._insert.__code__.co_names
