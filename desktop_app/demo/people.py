"""Demo people and their migration episodes.

Looks like a Rasht Valley register: Tajik names written in Tajik Cyrillic, in Russian
spelling or in Latin; Uzbek and Kyrgyz names from the neighbouring regions; jamoats
weighted by their population (reference attributes), migration status by the jamoat's
share of migrants; destinations, sectors and recruitment channels weighted like the
reference data. A few people are registered twice, spelled differently (another script,
a typo, without the date of birth), so duplicate review has something to find.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from desktop_app.demo import DemoGenerator
from desktop_app.domain.ids import new_id
from desktop_app.i18n import Domain
from desktop_app.store import reference
from desktop_app.store.people.repositories import MigrationEpisodeRepository, PersonRepository

DOMAIN = Domain("people")
_ = DOMAIN.gettext

DEFAULT_PEOPLE = 3000
# people written per transaction: each commit writes again the index pages its chunk
# touched, so fewer commits cost less (300,000 people: 58 CPU s with chunks of 10,000,
# 45 s with 50,000); the write-ahead log then peaks at about 175 MB
CHUNK = 50_000
DUPLICATE_SHARE = 0.025

# ---- names -----------------------------------------------------------------------------
TJ_MALE = (
    "Фарҳод Аҳмад Меҳроҷ Ҷамшед Фирӯз Бахтиёр Далер Рустам Шуҳрат Зафар Умед Сӯҳроб Фаридун "
    "Исмоил Абдуллоҳ Муҳаммад Комрон Парвиз Хуршед Илҳом Баҳром Манучеҳр Ҳасан Ҳусейн Наврӯз "
    "Ёқуб Азиз Шарифҷон Толибҷон Раҳим Қодир Мирзо Нодир Ғайрат Анвар Дилшод Файзулло Саидҷон "
    "Ҷаҳонгир Бобоҷон Алишер Маҳмадали Исфандиёр Амирҷон Ҳотам Неъмат Сафар Ашраф Рӯзибой "
    "Нурулло Суҳроб Шерали Зубайдулло Фаррух Ҳабибулло Муродҷон Ғуломҷон Ҷалол Садриддин").split()
TJ_FEMALE = (
    "Малика Зарина Мадина Гулнора Нигина Шаҳло Мунира Дилноза Фарзона Ситора Парвина Манижа "
    "Нилуфар Гулчеҳра Зулфия Мавҷуда Саодат Таҳмина Ҳуснигул Бибигул Меҳрангез Тоҳира Фотима "
    "Озода Нодира Мастона Гулбаҳор Шоира Дилафрӯз Рухсора Савсан Шабнам Фируза Ҷамила "
    "Гулрухсор Мӯътабар Санавбар Ҳилола Сурайё Заррина").split()
TJ_FAMILY = (
    "Раҳмонов Каримов Назаров Саидов Ҳасанов Шарипов Қодиров Ғафуров Иброҳимов Ҷӯраев Шоев "
    "Латифов Мирзоев Юсуфов Абдуллоев Ҳалимов Азизов Салимов Давлатов Назриев Сафаров Раҷабов "
    "Олимов Одинаев Исмоилов Аминов Бобоев Ниёзов Султонов Тоиров Ёров Қурбонов Файзуллоев "
    "Хайров Зиёев Ашуров Ҳамидов Маҳмадов Нуров Шодиев Ҳакимов Сангинов Қосимов Муродов "
    "Ғуломов Бадалов Ҳайдаров Ҷалолов Мадаминов Восиев Раҳимзода Қурбонзода Саидзода "
    "Ҳасанзода Давлатзода Шарифзода Назарзода Ҷумъазода Самадзода Холов Ҳусейнов").split()
UZ_MALE = ("Bekzod Sardor Jasur Otabek Shohruh Aziz Doniyor Sherzod Ulugʻbek Javlon Bobur "
           "Farrux Jamshid Oybek Sanjar Ravshan Dilshod Akmal Ilhom Gʻayrat Oʻtkir Xurshid "
           "Nodirbek Sarvar Umid").split()
UZ_FEMALE = ("Dilnoza Gulnora Nilufar Shahnoza Madina Feruza Zarina Kamola Mohira Sevara "
             "Dildora Nigora Oʻgʻiloy Shahlo Xurshida Muhabbat").split()
UZ_FAMILY = ("Karimov Yusupov Rahimov Toshmatov Ergashev Xoʻjayev Qodirov Usmonov Abdullayev "
             "Gʻofurov Nazarov Oʻrinboyev Saidov Xolmatov Normatov Tursunov Mirzayev Sobirov "
             "Qurbonov Yoʻldoshev Rasulov Haydarov Ismoilov Jurayev").split()
KG_MALE = "Нурлан Бакыт Азамат Айбек Канат Эрлан Талант Жыргалбек Улан Максат Нурбек".split()
KG_FEMALE = "Айжан Айгуль Гульнара Жылдыз Бермет Нургуль Айпери Чолпон".split()
KG_FAMILY = ("Асанов Бакиров Маматов Токтогулов Жумабаев Осмонов Абдыкеримов Сыдыков "
             "Турдубаев Эсенов Кадыров Алымбеков").split()

# Tajik Cyrillic -> Russian spelling
_TJ_TO_RU = {"ҳ": "х", "Ҳ": "Х", "ҷ": "дж", "Ҷ": "Дж", "ӣ": "и", "қ": "к", "Қ": "К",
             "ғ": "г", "Ғ": "Г", "ӯ": "у", "Ӯ": "У"}
# Tajik Cyrillic -> Latin, with the variants people actually write
_TJ_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": ("gh", "g", "gʻ"), "д": "d", "е": "e",
    "ё": "yo", "ж": "zh", "з": "z", "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": ("q", "k"),
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ӯ": ("u", "o", "ū"), "ф": "f", "х": ("kh", "x"), "ҳ": ("h", "kh", "x"), "ч": "ch",
    "ҷ": ("j", "dzh", "dj"), "ш": "sh", "ъ": "", "э": "e", "ю": "yu", "я": "ya", "ь": "",
}
# Uzbek Latin -> Cyrillic (how the same name is typed in Russian)
_UZ_DIGRAPHS = (("oʻ", "у"), ("gʻ", "г"), ("sh", "ш"), ("ch", "ч"), ("yo", "ё"), ("yu", "ю"),
                ("ya", "я"), ("ye", "е"))
_UZ_LETTERS = {"a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
               "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к",
               "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з"}


# The helpers below are called for every generated person with names from small pools:
# each name's spellings are worked out once (cached).
@functools.lru_cache(maxsize=None)
def tajik_to_russian(name: str) -> str:
    return "".join(_TJ_TO_RU.get(ch, ch) for ch in name)


@functools.lru_cache(maxsize=None)
def _latin_parts(name: str) -> tuple:
    """The Latin spelling of ``name`` as fixed text and (usual, *other variants)
    choices, so that a spelling costs one draw per ambiguous letter."""
    parts: list = []
    for ch in name:
        low = ch.lower()
        value = _TJ_TO_LAT.get(low, low)
        if isinstance(value, tuple):
            if ch != low:
                value = tuple(v.capitalize() for v in value)
            parts.append(value)
        elif parts and isinstance(parts[-1], str):
            parts[-1] += value.capitalize() if ch != low else value
        else:
            parts.append(value.capitalize() if ch != low else value)
    return tuple(parts)


def tajik_to_latin(name: str, rng: random.Random) -> str:
    parts = _latin_parts(name)
    if len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    out = []
    for part in parts:
        if isinstance(part, tuple):
            part = part[0] if rng.random() < 0.6 else rng.choice(part[1:])
        out.append(part)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def uzbek_to_cyrillic(name: str) -> str:
    text = name.lower()
    out, i = [], 0
    while i < len(text):
        for latin, cyr in _UZ_DIGRAPHS:
            if text.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(_UZ_LETTERS.get(text[i], text[i]))
            i += 1
    result = "".join(out)
    return result[:1].upper() + result[1:]


@functools.lru_cache(maxsize=None)
def feminine(family: str) -> str:
    """Feminine form of a family name (-ов -> -ова, -ев -> -ева; -зода unchanged)."""
    if family.endswith(("ов", "ев", "ov", "ev", "ёв")):
        return family + ("а" if "\u0400" <= family[-1] <= "\u04ff" else "a")
    return family


@functools.lru_cache(maxsize=None)
def patronymic_of(father: str, sex: str, cyrillic: bool) -> str:
    stem = father.rstrip()
    vowel = stem[-1:].lower() in "аоиуеӣӯaoiue"
    if cyrillic:
        return stem + (("евич" if vowel else "ович") if sex == "male"
                       else ("евна" if vowel else "овна"))
    return stem + (("yevich" if vowel else "ovich") if sex == "male"
                   else ("yevna" if vowel else "ovna"))


def typo(name: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(name) < 5:
        return name
    i = rng.randrange(1, len(name) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1:]
    if kind == 1:
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    vowels = "аоиуеaoiue"
    if name[i] in vowels:
        return name[:i] + rng.choice([v for v in vowels if v != name[i]
                                      and (v > "z") == (name[i] > "z")]) + name[i + 1:]
    return name[:i] + name[i + 1:]


# ---- random choices ----------------------------------------------------------------------
def _below(rng: random.Random, n: int) -> int:
    """A whole number in [0, n): ``randrange(n)`` for the small ranges used here, made
    with one draw (this runs a dozen times per generated person)."""
    return int(rng.random() * n)


def _one_of(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


class Weighted:
    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


_TJ_STYLES = Weighted(["tj", "ru", "lat"], [55, 30, 15])
_EPISODE_COUNTS = Weighted([1, 2, 3], [55, 30, 15])


@functools.lru_cache(maxsize=256)
def _status_weights(abroad_bias: float) -> Weighted:
    return Weighted(["potential", "abroad", "returned", "stranded", None],
                    [25, 22 + 40 * abroad_bias, 38, 4, 3])


@dataclass
class Places:
    home: Weighted              # (country, region, district, jamoat, migrant share)
    cities: dict[str, Weighted]  # country -> city codes
    countries: Weighted
    sectors: Weighted
    channels: Weighted
    education: Weighted


def _weight(item, key="weight", default=1.0) -> float:
    return float(item.attributes.get(key, default) or default)


def load_places(conn, office_district: str | None) -> Places:
    regions = {r.code: r for r in reference.items(conn, "region")}
    districts = {d.code: d for d in reference.items(conn, "district")}
    jamoats = reference.items(conn, "jamoat")
    homes, weights = [], []
    rasht_population = sum(_weight(j, "population") for j in jamoats) or 1.0
    for j in jamoats:
        district = districts.get(j.parent_code)
        region = district.parent_code if district else None
        population = _weight(j, "population")
        share = _weight(j, "migrants", 0) / population if population else 0.1
        boost = 4.0 if office_district and j.parent_code == office_district else 1.0
        homes.append(("TJ", region, j.parent_code, j.code, share))
        weights.append(population * boost)
    # About one person in eight comes from outside the Rasht Valley districts.
    others = [d for d in districts.values() if not any(j.parent_code == d.code for j in jamoats)]
    if others:
        each = rasht_population * 0.14 / len(others)
        for d in others:
            country = regions[d.parent_code].parent_code if d.parent_code in regions else "TJ"
            homes.append((country, d.parent_code, d.code, None, 0.15))
            weights.append(each * (2.0 if d.code == office_district else 1.0))
    cities: dict[str, list] = {}
    for c in reference.items(conn, "city"):
        cities.setdefault(c.parent_code, []).append(c)
    city_pick = {k: Weighted([c.code for c in v], [_weight(c) for c in v])
                 for k, v in cities.items()}
    country_weights = {"RU": 89.0, "KZ": 7.0, "TR": 1.5, "AE": 1.0, "KR": 1.0, "UZ": 0.5}
    countries = Weighted(list(country_weights), list(country_weights.values()))
    sectors = reference.items(conn, "sector")
    channels = reference.items(conn, "recruitment_channel")
    return Places(
        home=Weighted(homes, weights),
        cities=city_pick,
        countries=countries,
        sectors=Weighted([s.code for s in sectors], [_weight(s) for s in sectors]),
        channels=Weighted([c.code for c in channels], [_weight(c) for c in channels]),
        education=Weighted(["none", "primary", "secondary", "vocational", "higher"],
                           [2, 8, 62, 17, 11]),
    )


# ---- people ------------------------------------------------------------------------------
MOBILE = {"TJ": ("+992", ("93", "92", "90", "91", "98", "99", "88", "55", "50", "77", "00")),
          "UZ": ("+998", ("90", "91", "93", "94", "97", "99", "33")),
          "KG": ("+996", ("555", "700", "770", "505", "999")),
          "RU": ("+7", ("916", "926", "903", "965", "985", "977"))}
EMPLOYERS = ("ООО «СтройИнвест»", "ООО «Монолит»", "ПИК", "ООО «Агрокомплекс»", "ИП Петров",
             "ООО «ТрансЛогистик»", "ООО «Чистый город»", "АО «Сибстрой»", "ТОО «Алматы Курылыс»",
             "ООО «Фудмаркет»", "ООО «ГрадСтрой»", "ИП Сидоров", "ООО «Теплица-Юг»",
             "ООО «Вектор»", "ООО «Кама-Строй»", "ТОО «Астана Билдинг»")


@dataclass
class Identity:
    """What makes a generated person the same person in a second record."""
    origin: str            # tj | uz | kg
    sex: str
    family: str            # canonical spelling (Tajik Cyrillic, Uzbek Latin, Kyrgyz Cyrillic)
    given: str
    father: str
    birth: date
    phone: str | None


def _phone(rng: random.Random, country: str) -> str:
    code, prefixes = MOBILE.get(country, MOBILE["TJ"])
    prefix = _one_of(rng, prefixes)
    # national numbers: 10 digits in Russia, 9 in Central Asia
    width = (10 if code == "+7" else 9) - len(prefix)
    digits = f"{_below(rng, 10 ** width):0{width}d}"
    style = rng.random()
    if style < 0.5:
        # +992 93 555 12 34, +7 903 344 45 12, +996 700 997 596
        groups = (digits[:3], digits[3:5], digits[5:]) if width == 7 else (digits[:3],
                                                                           digits[3:])
        return " ".join((code, prefix) + groups)
    if style < 0.8:
        return f"{code}{prefix}{digits}"
    return f"{prefix}{digits}"


def _age(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.06:
        return rng.randint(14, 17)              # minors (child labour, family members)
    if r < 0.93:
        return int(rng.triangular(18, 58, 28))  # working age, most in their twenties
    return rng.randint(59, 75)


def _written(identity: Identity, rng: random.Random,
             style: str | None = None) -> tuple[str, str, str | None]:
    """(family, given, patronymic) as one office would type them."""
    family = identity.family if identity.sex == "male" else feminine(identity.family)
    given, father = identity.given, identity.father
    if identity.origin == "tj":
        style = style or _TJ_STYLES.pick(rng)
        if style == "ru":
            family, given, father = (tajik_to_russian(x) for x in (family, given, father))
        elif style == "lat":
            family, given, father = (tajik_to_latin(x, rng) for x in (family, given, father))
        cyrillic = style != "lat"
    elif identity.origin == "uz":
        style = style or ("lat" if rng.random() < 0.6 else "cyr")
        if style != "lat":
            family, given, father = (uzbek_to_cyrillic(x) for x in (family, given, father))
        cyrillic = style != "lat"
    else:
        cyrillic = True
    patronymic = None
    if rng.random() < 0.55:
        patronymic = patronymic_of(father, identity.sex, cyrillic)
    return family, given, patronymic


def _identity(rng: random.Random, country: str, today: date) -> Identity:
    sex = "male" if rng.random() < 0.72 else "female"
    if country == "UZ":
        origin, pools = "uz", (UZ_MALE, UZ_FEMALE, UZ_FAMILY)
    elif country == "KG":
        origin, pools = "kg", (KG_MALE, KG_FEMALE, KG_FAMILY)
    else:
        origin, pools = "tj", (TJ_MALE, TJ_FEMALE, TJ_FAMILY)
    given = _one_of(rng, pools[0] if sex == "male" else pools[1])
    age = _age(rng)
    birth = date(today.year - age - 1, 1, 1) + timedelta(days=_below(rng, 365))
    phone = _phone(rng, "RU" if rng.random() < 0.08 else country) if rng.random() < 0.85 else None
    return Identity(origin, sex, _one_of(rng, pools[2]), given, _one_of(rng, pools[0]), birth,
                    phone)


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February: the 28th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class PeopleFactory:
    def __init__(self, places: Places, rng: random.Random, office_id: str | None,
                 today: date | None = None):
        self.places = places
        self.rng = rng
        self.office_id = office_id
        self.today = today or date.today()
        self.recent: list[tuple[Identity, tuple]] = []

    def person(self) -> tuple[dict, list[dict]]:
        rng = self.rng
        if self.recent and rng.random() < DUPLICATE_SHARE:
            return self._second_record()
        home = self.places.home.pick(rng)
        identity = _identity(rng, home[0], self.today)
        values, episodes = self._record(identity, home)
        if len(self.recent) < 5000:
            self.recent.append((identity, home))
        else:
            self.recent[_below(rng, 5000)] = (identity, home)
        return values, episodes

    def _second_record(self) -> tuple[dict, list[dict]]:
        """The same person registered again, elsewhere or later, written differently."""
        rng = self.rng
        identity, home = rng.choice(self.recent)
        values, episodes = self._record(identity, home)
        change = rng.random()
        if change < 0.3:
            values["family_name"] = typo(values["family_name"], rng)
        elif change < 0.45:
            values["given_name"] = typo(values["given_name"], rng)
        if rng.random() < 0.3:
            values["birth_date"] = None
        if rng.random() < 0.4:
            values["phones"] = None
        return values, episodes

    def _record(self, identity: Identity, home: tuple) -> tuple[dict, list[dict]]:
        rng = self.rng
        country, region, district, jamoat, migrant_share = home
        family, given, patronymic = _written(identity, rng)
        age = self.today.year - identity.birth.year
        estimated = rng.random() < 0.04
        birth = date(identity.birth.year, 7, 1) if estimated else identity.birth
        if age < 18:
            status = "potential" if age >= 16 and rng.random() < 0.3 else None
        else:
            abroad_bias = min(0.25, migrant_share) * 2
            status = _status_weights(abroad_bias).pick(rng)
        female_headed = identity.sex == "female" and age >= 20 and rng.random() < 0.35
        consent = None
        if rng.random() < 0.92:
            consent = self.today - timedelta(days=1 + _below(rng, 4 * 365 - 1))
        person_id = new_id()
        values = {
            "id": person_id,
            "family_name": family, "given_name": given, "patronymic": patronymic,
            "sex": identity.sex, "birth_date": birth.isoformat(),
            "birth_date_estimated": 1 if estimated else 0,
            "phones": identity.phone,
            "document_number": (f"A{10**7 + _below(rng, 9 * 10**7)}"
                                if age >= 16 and rng.random() < 0.4 else None),
            "country": country, "region": region, "district": district, "jamoat": jamoat,
            "village": None,
            "education": self.places.education.pick(rng) if age >= 16 else "primary",
            "disability": 1 if rng.random() < 0.03 else 0,
            "female_headed_household": 1 if female_headed else 0,
            "household_notes": None,
            "union_member": 1 if age >= 18 and rng.random() < 0.08 else 0,
            "migration_status": status,
            "consent_date": consent.isoformat() if consent else None,
            "consent_scope": (_one_of(rng, ("storage", "storage,referral", "all"))
                              if consent else None),
        }
        if self.office_id:
            values["office_id"] = self.office_id
        return values, self._episodes(person_id, status, age)

    def _episodes(self, person_id: str, status: str | None, age: int) -> list[dict]:
        rng = self.rng
        if status in (None, "potential") or age < 18:
            return []
        count = _EPISODE_COUNTS.pick(rng)
        # Walk back from today: the last episode may still be going on.
        end = self.today - timedelta(days=_below(rng, 200))
        episodes = []
        for index in range(count):
            ongoing = index == 0 and status in ("abroad", "stranded")
            length = 60 + _below(rng, 3 * 365 - 60)
            if ongoing:
                departure = self.today - timedelta(days=20 + _below(rng, 2 * 365 - 20))
                returned = None
            else:
                returned = end
                departure = returned - timedelta(days=length)
            earliest = _years_before(self.today, age - 18)
            if departure < earliest:
                break
            country = self.places.countries.pick(rng)
            cities = self.places.cities.get(country)
            episodes.append({
                "person_id": person_id,
                "destination_country": country,
                "destination_city": cities.pick(rng) if cities else None,
                "sector": self.places.sectors.pick(rng),
                "employer_name": _one_of(rng, EMPLOYERS) if rng.random() < 0.45 else None,
                "departure_date": departure.isoformat(),
                "return_date": returned.isoformat() if returned else None,
                "work_permit": (("patent" if country == "RU" else "work_permit")
                                if rng.random() < 0.6 else "none"),
                "recruitment_channel": self.places.channels.pick(rng),
                **({"office_id": self.office_id} if self.office_id else {}),
            })
            end = departure - timedelta(days=30 + _below(rng, 370))
        episodes.reverse()
        return episodes


def add_arguments(parser) -> None:
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, metavar="N",
                        help=_("number of demo people (default: {count})").format(
                            count=DEFAULT_PEOPLE))


def generate(session, args, rng: random.Random, progress) -> int:
    """Write ``args.people`` demo people (and their episodes) through the repositories."""
    total = max(0, int(getattr(args, "people", DEFAULT_PEOPLE) or 0))
    if total == 0:
        return 0
    conn = session.conn
    office_district = None
    if session.office_id:
        row = conn.execute("SELECT district FROM office WHERE id=?",
                           (session.office_id,)).fetchone()
        office_district = row[0] if row else None
    factory = PeopleFactory(load_places(conn, office_district), rng, session.office_id)
    # A large database outgrows the default page cache: the name and date indexes are
    # filled in random order. Use more memory while generating.
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size = -524288")
    try:
        return _generate(session, factory, total, progress)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def _generate(session, factory: PeopleFactory, total: int, progress) -> int:
    people_repo = PersonRepository(session)
    episode_repo = MigrationEpisodeRepository(session)
    done = 0
    stage = _("people")
    progress(stage, 0, total)
    while done < total:
        size = min(CHUNK, total - done)
        people, episodes = [], []
        for _index in range(size):
            person, person_episodes = factory.person()
            people.append(person)
            episodes.extend(person_episodes)
        with session.transaction():
            people_repo.create_many(people, audit=False)
            episode_repo.create_many(episodes, audit=False)
        done += size
        progress(stage, done, total)
    session.log("demo_generate", "person", detail={"people": total})
    return total


GENERATOR = DemoGenerator(name="people", order=10, add_arguments=add_arguments,
                          generate=generate)
