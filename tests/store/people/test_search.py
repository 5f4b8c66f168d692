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
