import re

import pytest

from desktop_app.cli import main as hamroh
from desktop_app.demo import create_demo, default_arguments, ensure_demo_database
from desktop_app.demo.people import feminine, tajik_to_latin, tajik_to_russian, uzbek_to_cyrillic
from desktop_app.domain import names
from desktop_app.domain.people import validate_episode, validate_person
from desktop_app.store.access import open_database
from desktop_app.store.audit import verify_chain
from desktop_app.store.db import row_dict
from desktop_app.store.people.duplicates import find_duplicate_pairs
from desktop_app.store.people.repositories import search_people

TAJIK_LETTERS = re.compile("[ғӣқӯҳҷҒӢҚӮҲҶ]")
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    calls = []
    session = create_demo(path, default_arguments(people=1500, seed=7),
                          progress=lambda *a: calls.append(a))
    session.conn.close()
    conn = open_database(path)
    yield conn, calls
    conn.close()


def _people(conn):
    cur = conn.execute("SELECT * FROM person")
    cols = [d[0] for d in cur.description]
    return [row_dict(cols, r) for r in cur]


def test_requested_number_of_valid_people(demo_db):
    conn, calls = demo_db
    people = _people(conn)
    assert len(people) == 1500
    for person in people:
        values = {k: person[k] for k in ("family_name", "given_name", "patronymic", "sex",
                                         "birth_date", "phones", "migration_status",
                                         "consent_date")}
        cleaned, errors = validate_person(values)
        assert errors == {}, (person, errors)
    mine = [c for c in calls if c[0] == "people"]   # other generators report too
    assert mine[0] == ("people", 0, 1500) and mine[-1] == ("people", 1500, 1500)


def test_names_in_tajik_russian_and_latin_spelling(demo_db):
    conn, _ = demo_db
    families = [p["family_name"] for p in _people(conn)]
    tajik = sum(1 for f in families if TAJIK_LETTERS.search(f))
    cyrillic_only = sum(1 for f in families if CYRILLIC.search(f) and not TAJIK_LETTERS.search(f))
    latin = sum(1 for f in families if not CYRILLIC.search(f))
    assert tajik > 200 and cyrillic_only > 200 and latin > 150
    assert any("ʻ" in f for f in families)  # Uzbek Latin oʻ / gʻ


def test_ages_sexes_and_places_look_like_the_district(demo_db):
    conn, _ = demo_db
    people = _people(conn)
    from datetime import date
    ages = [date.today().year - int(p["birth_date"][:4]) for p in people if p["birth_date"]]
    working = sum(1 for a in ages if 18 <= a <= 55)
    minors = sum(1 for a in ages if a < 18)
    assert working / len(ages) > 0.75 and 0 < minors / len(ages) < 0.15
    men = sum(1 for p in people if p["sex"] == "male")
    assert 0.6 < men / len(people) < 0.85
    rasht = sum(1 for p in people if p["district"] in (
        "TJ-RASHT", "TJ-TOJIKOBOD", "TJ-LAKHSH", "TJ-NUROBOD", "TJ-SANGVOR"))
    assert 0.75 < rasht / len(people) < 0.95
    # The office is in Rasht district (Gharm), so Rasht jamoats come first.
    top = conn.execute("SELECT district FROM person GROUP BY district ORDER BY count(*) DESC"
                       " LIMIT 1").fetchone()[0]
    assert top == "TJ-RASHT"
    for p in people:
        if p["jamoat"]:
            parent = conn.execute("SELECT parent_code FROM reference_item WHERE kind='jamoat'"
                                  " AND code=?", (p["jamoat"],)).fetchone()[0]
            assert parent == p["district"]
    phones = [p["phones"] for p in people if p["phones"]]
    assert len(phones) > 0.7 * len(people)
    assert sum(1 for ph in phones if names.phone_key(ph).startswith("9")) > 0.5 * len(phones)


def test_migration_episodes_are_consistent_and_weighted(demo_db):
    conn, _ = demo_db
    statuses = dict(conn.execute("SELECT id, migration_status FROM person"))
    episodes = conn.execute("SELECT person_id, destination_country, destination_city, sector,"
                            " departure_date, return_date, recruitment_channel"
                            " FROM migration_episode").fetchall()
    assert len(episodes) > 600
    per_person = {}
    for person_id, country, city, _sector, departure, returned, _channel in episodes:
        assert person_id in statuses
        assert statuses[person_id] in ("abroad", "returned", "stranded")
        errors = validate_episode({"person_id": person_id, "departure_date": departure,
                                   "return_date": returned})[1]
        assert errors == {}
        per_person[person_id] = per_person.get(person_id, 0) + 1
        if city:
            assert city.startswith(country + "-")
    assert max(per_person.values()) <= 3
    russia = sum(1 for e in episodes if e[1] == "RU") / len(episodes)
    assert 0.82 < russia < 0.96
    construction = sum(1 for e in episodes if e[3] == "construction") / len(episodes)
    assert 0.45 < construction < 0.65
    informal = sum(1 for e in episodes if e[6] == "informal") / len(episodes)
    assert 0.6 < informal < 0.8
    # Somebody still abroad has an open last episode.
    open_abroad = conn.execute(
        "SELECT count(*) FROM migration_episode e JOIN person p ON p.id = e.person_id"
        " WHERE p.migration_status = 'abroad' AND e.return_date IS NULL").fetchone()[0]
    assert open_abroad > 0


def test_people_are_searchable_and_logged_for_sync(demo_db):
    conn, _ = demo_db
    assert conn.execute("SELECT count(*) FROM person WHERE name_key IS NULL OR name_key=''"
                        ).fetchone()[0] == 0
    logged = conn.execute("SELECT count(DISTINCT record_id) FROM change_log"
                          " WHERE table_name='person'").fetchone()[0]
    assert logged == 1500
    some = conn.execute("SELECT family_name, id FROM person LIMIT 1 OFFSET 100").fetchone()
    hits = search_people(conn, some[0], limit=500)
    assert some[1] in [h.id for h in hits]


def test_some_people_are_registered_twice(demo_db):
    conn, _ = demo_db
    ids = [r[0] for r in conn.execute("SELECT id FROM person")]
    pairs = find_duplicate_pairs(conn, ids)
    strong = [p for p in pairs if p.score >= 80]
    assert 10 <= len(strong) <= 200


def test_same_seed_gives_the_same_people(tmp_path):
    rows = []
    for name in ("a.db", "b.db"):
        session = create_demo(tmp_path / name, default_arguments(people=60, seed=3))
        rows.append(session.conn.execute(
            "SELECT family_name, given_name, birth_date, phones FROM person ORDER BY rowid"
        ).fetchall())
        session.conn.close()
    assert rows[0] == rows[1]


def test_spelling_helpers_keep_the_name_key():
    import random
    rng = random.Random(1)
    for name in ("Раҳмонов", "Ҷӯраев", "Ғафуров", "Қодиров", "Иброҳимов"):
        key = names.name_key(name)
        assert names.name_key(tajik_to_russian(name)) == key
        assert names.name_key(tajik_to_latin(name, rng)) == key
    assert tajik_to_russian("Ҷӯраев") == "Джураев"
    assert uzbek_to_cyrillic("Oʻrinboyev") == "Уринбоев"
    assert names.name_key(uzbek_to_cyrillic("Gʻofurov")) == names.name_key("Gʻofurov")
    assert feminine("Раҳмонов") == "Раҳмонова" and feminine("Karimov") == "Karimova"
    assert feminine("Саидзода") == "Саидзода"


def test_demo_command_creates_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "office.db"
    assert hamroh(["demo", "--db", str(path), "--people", "40", "--office", "nur",
                   "--seed", "5"]) == 0
    err = capsys.readouterr().err
    assert "people: 40 of 40" in err and "40 people" in err
    conn = open_database(path)   # encrypted demo: opens with its published login
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 40
    assert conn.execute("SELECT code FROM office").fetchone()[0] == "NUR"
    conn.close()
    size = path.stat().st_size
    assert hamroh(["demo", "--db", str(path), "--people", "10"]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err
    assert path.stat().st_size == size


def test_demo_command_reports_a_missing_folder(tmp_path, capsys):
    assert hamroh(["demo", "--db", str(tmp_path / "nowhere" / "x.db")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_ensure_demo_database_creates_once(tmp_path):
    path = tmp_path / "sub" / "demo.db"
    assert ensure_demo_database(path, people=25) == path
    conn = open_database(path)   # encrypted demo: opens with its published login
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 25
    conn.close()
    assert not list(path.parent.glob("*.partial*"))
    stamp = path.stat().st_mtime_ns
    assert ensure_demo_database(path, people=25) == path
    assert path.stat().st_mtime_ns == stamp


def test_ensure_demo_database_defaults_to_3000_people():
    args = default_arguments()
    assert args.people == 3000 and args.seed == 1 and not args.coordinator


def test_demo_audit_chain_holds(tmp_path):
    session = create_demo(tmp_path / "d.db", default_arguments(people=30))
    assert verify_chain(session.conn) == []
    logged = session.conn.execute(
        "SELECT detail FROM audit_log WHERE action='demo_generate' AND table_name='person'"
    ).fetchone()[0]
    assert '"people":30' in logged
    session.conn.close()


def test_coordinator_demo(tmp_path, capsys):
    path = tmp_path / "national.db"
    assert hamroh(["demo", "--db", str(path), "--people", "30", "--coordinator"]) == 0
    conn = open_database(path)
    assert conn.execute("SELECT code, office_type FROM office").fetchone() == ("DSH", "coordinator")
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == 30
    conn.close()


def test_people_generated_on_a_leap_day(session):
    """Episodes start no earlier than the person's 18th birthday counted back from today;
    on 29 February that day is the 28th in a common year (it was a ValueError)."""
    import random
    from datetime import date

    from desktop_app.demo.people import PeopleFactory, load_places
    factory = PeopleFactory(load_places(session.conn, "TJ-RASHT"), random.Random(7),
                            session.office_id, today=date(2028, 2, 29))
    made = [factory.person() for _ in range(300)]
    assert sum(len(episodes) for _values, episodes in made) > 50
    for _values, episodes in made:
        for episode in episodes:
            assert episode["departure_date"] <= "2028-02-29"


def test_demo_phone_numbers_have_their_country_length():
    """Nine digits after +992, +998 and +996, ten after +7, however they are written."""
    import random

    from desktop_app.demo.people import MOBILE, _phone
    rng = random.Random(7)
    for country, (code, _prefixes) in MOBILE.items():
        for _n in range(200):
            written = _phone(rng, country)
            digits = re.sub(r"\D", "", written)
            national = digits[len(code) - 1:] if written.startswith("+") else digits
            assert len(national) == (10 if code == "+7" else 9), (country, written)
