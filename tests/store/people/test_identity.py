"""Which person a record really is: one resolver for people, sync and reports."""
from desktop_app.store.people.identity import (
    LIVING_PERSON,
    fill_roots_table,
    identity_ids,
    resolve_person,
    roots_of,
)
from desktop_app.store.people.listing import count_people
from desktop_app.store.people.repositories import PersonRepository
from tests.conftest import query_plans


def _people(session, n):
    repo = PersonRepository(session)
    return repo, [repo.create({"family_name": f"Person{i}", "given_name": "A"})["id"]
                  for i in range(n)]


def test_chains_end_at_the_surviving_identity(session):
    repo, (a, b, c, d) = _people(session, 4)
    repo.update(a, {"merged_into": b})
    repo.update(b, {"merged_into": c})
    conn = session.conn
    assert resolve_person(conn, a) == c
    assert resolve_person(conn, d) == d
    assert resolve_person(conn, "no-such-id") == "no-such-id"
    assert roots_of(conn, [a, b, c, d, "", None]) == {a: c, b: c, c: c, d: d}
    assert set(identity_ids(conn, a)) == {a, b, c}
    assert identity_ids(conn, c)[0] == c
    fill_roots_table(conn, "roots_test")
    assert dict(conn.execute("SELECT id, root FROM temp.roots_test")) == {a: c, b: c}


def test_a_cycle_ends_before_it_repeats_the_same_way_everywhere(session):
    # never made by a merge here, but two replicas merging each way round can make one
    repo, (a, b, c) = _people(session, 3)
    conn = session.conn
    conn.execute("UPDATE person SET merged_into=? WHERE id=?", (b, a))
    conn.execute("UPDATE person SET merged_into=? WHERE id=?", (c, b))
    conn.execute("UPDATE person SET merged_into=? WHERE id=?", (a, c))
    expected = {a: c, b: a, c: b}
    assert roots_of(conn, [a, b, c]) == expected
    assert {p: resolve_person(conn, p) for p in (a, b, c)} == expected
    fill_roots_table(conn, "roots_test")
    assert dict(conn.execute("SELECT id, root FROM temp.roots_test")) == expected
    assert set(identity_ids(conn, a)) == {a, b, c}


def test_living_people_are_read_from_the_partial_indexes(session):
    repo, (a, b, c) = _people(session, 3)
    repo.update(a, {"merged_into": b})
    repo.delete(c)
    conn = session.conn
    assert [r[0] for r in conn.execute(f"SELECT id FROM person WHERE {LIVING_PERSON}")] == [b]
    plans = query_plans(conn, lambda: count_people(conn), "person_list_sex")
    assert plans and all("person_list_sex" in " ".join(steps) for steps in plans.values())
    assert count_people(conn) == 1
