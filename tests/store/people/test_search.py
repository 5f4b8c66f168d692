"""Cross-script search: every spelling of a name finds every other spelling."""
import pytest

from desktop_app.store.people.repositories import PersonRepository, search_people

# group -> spellings of one family name as offices write it (Tajik, Russian, Uzbek, Latin)
SPELLINGS = {
    "rahmonov": ["Раҳмонов", "Рахмонов", "Рахманов", "Rahmonov", "Rakhmonov", "Raxmonov",
                 "Rahmanov", "RAHMONOV"],
    "juraev": ["Ҷӯраев", "Джураев", "Juraev", "Jurayev", "Dzhuraev", "Djuraev", "Zhuraev",
               "Жураев"],
    "ghafurov": ["Ғафуров", "Гафуров", "Gʻafurov", "G'afurov", "Gafurov", "Ghafurov"],
    "qodirov": ["Қодиров", "Кодиров", "Qodirov", "Kodirov", "Кадыров"],
    "urinboev": ["Ӯринбоев", "Ўринбоев", "Уринбоев", "Oʻrinboyev", "O'rinboyev", "Urinboev"],
    "ibrohimov": ["Иброҳимов", "Иброхимов", "Ibrohimov", "Ibrokhimov", "Ibroximov"],
    "hasanov": ["Ҳасанов", "Хасанов", "Hasanov", "Khasanov", "Xasanov"],
}
VARIANTS = [(group, spelling) for group, spellings in SPELLINGS.items() for spelling in spellings]


@pytest.fixture
def registry(session):
    repo = PersonRepository(session)
    ids: dict[str, set[str]] = {group: set() for group in SPELLINGS}
    for i, (group, spelling) in enumerate(VARIANTS):
        person = repo.create({"family_name": spelling, "given_name": "Умед" if i % 2 else "Umed",
                              "phones": f"+992 93 {i:03d} 00 00"})
        ids[group].add(person["id"])
    # people whose names merely resemble these
    for family in ("Раҳимов", "Karimov", "Ҷалолов", "Гафаров", "Қосимов"):
        repo.create({"family_name": family, "given_name": "Umed"})
    return ids


def test_there_are_enough_variants():
    assert len(VARIANTS) >= 20


@pytest.mark.parametrize("group,spelling", VARIANTS)
def test_each_spelling_finds_every_spelling(session, registry, group, spelling):
    hits = search_people(session.conn, spelling, limit=100)
    assert {h.id for h in hits} == registry[group]


@pytest.mark.parametrize("group,spelling", VARIANTS[::3])
def test_family_and_given_name_in_any_order_and_script(session, registry, group, spelling):
    hits = search_people(session.conn, f"Умед {spelling}", limit=100)
    assert {h.id for h in hits} == registry[group]


def test_the_spelling_typed_ranks_first(session, registry):
    for typed in ("Rakhmonov", "Раҳмонов", "Джураев", "Gʻafurov"):
        hits = search_people(session.conn, typed, limit=100)
        assert hits[0].family_name == typed


def test_typing_a_prefix_finds_names_as_you_type(session, registry):
    hits = search_people(session.conn, "Rakhm", limit=100)
    assert registry["rahmonov"] <= {h.id for h in hits}
    hits = search_people(session.conn, "Ҷӯр", limit=100)
    assert registry["juraev"] <= {h.id for h in hits}


def test_phone_search_and_nothing_for_nonsense(session, registry):
    hits = search_people(session.conn, "93 000 00 00")
    assert [h.family_name for h in hits] == ["Раҳмонов"]
    assert search_people(session.conn, "Zzyzx") == []
    assert search_people(session.conn, "   ") == []


def test_deleted_people_are_not_found(session, registry):
    repo = PersonRepository(session)
    gone = next(iter(registry["hasanov"]))
    repo.delete(gone)
    hits = search_people(session.conn, "Hasanov", limit=100)
    assert {h.id for h in hits} == registry["hasanov"] - {gone}


def _common_surname(session, count: int, family: str = "Рахмонов"):
    givens = ["Умед", "Фарҳод", "Алишер", "Jamshed", "Зарина", "Malika"]
    PersonRepository(session).create_many(
        [{"family_name": family, "given_name": givens[n % len(givens)],
          "phones": f"+992 93 {n:07d}"} for n in range(count)], audit=False)


def test_a_late_exact_match_of_a_common_surname_is_listed_first(session):
    """More people share the surname than the search looks at: the latest registered
    is still found, and listed first."""
    _common_surname(session, 620)
    late = PersonRepository(session).create({"family_name": "Рахмонов",
                                             "given_name": "Сино"})
    hits = search_people(session.conn, "Рахмонов", limit=50)
    assert hits[0].id == late["id"]
    assert len(hits) == 50


def test_exact_matches_in_any_script_before_prefix_matches_newest_first(session):
    _common_surname(session, 520, family="Rahmonova")        # prefix of rahmonov: early
    repo = PersonRepository(session)
    old = repo.create({"family_name": "Раҳмонов", "given_name": "Умед"})
    _common_surname(session, 30, family="Rahmonovich")
    new = repo.create({"family_name": "Rakhmonov", "given_name": "Umed"})
    hits = search_people(session.conn, "Рахмонов", limit=20)
    # both exact (any script, neither written as typed): the newest first
    assert [h.id for h in hits[:2]] == [new["id"], old["id"]]
    assert all(h.family_name != "Rahmonova" or h.score < 100 for h in hits)
    # the first page of the People list has them too
    from desktop_app.store.people import listing
    ids = listing.list_ids(session.conn, listing.PeopleQuery(term="Rahmonov",
                                                             sort="relevance"))
    top = session.conn.execute("SELECT id FROM person WHERE rowid=?",
                               (ids.rowids[0],)).fetchone()[0]
    assert top in (new["id"], old["id"])


def test_ranking_ties_go_to_the_most_recently_registered(session):
    repo = PersonRepository(session)
    made = [repo.create({"family_name": "Саидов", "given_name": "Умед"}) for _n in range(4)]
    hits = search_people(session.conn, "Саидов Умед")
    assert [h.id for h in hits] == [p["id"] for p in reversed(made)]
