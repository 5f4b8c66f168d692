"""The demo office's staff: the full names its user accounts show.

Written as that office's administrator would type them: Tajik Cyrillic in the Rasht
Valley jamoats (a Kyrgyz colleague in Tojikobod), Russian spelling and Uzbek names in
Khujand (one in Uzbek Latin), Russian spelling and a Russian name at the national office
in Dushanbe. The user names (and so the documented logins) are the same in every office.
"""
from __future__ import annotations

from desktop_app.store.security.accounts import DEMO_USERS

# Users the demo adds beside those who log in (DEMO_USERS): the case workers and the
# hotline operator cases are assigned to, the inspector who signs the inspections, and
# the second loan officer who approves loans (maker-checker).
GHARM = {username: name for username, _role, _password, name in DEMO_USERS} | {
    "karimova": "Мавзуна Каримова",
    "nazarov": "Фаррух Назаров",
    "saidov": "Бахтиёр Саидов",
    "hotline1": "Зарина Олимова",
    "loan.officer": "Нилуфар Давлатова",
}

STAFF = {
    "GRM": GHARM,
    "TJB": {
        "admin": "Умед Сангинов", "coordinator": "Саодат Ёрова",
        "caseworker": "Гулбаҳор Шоева", "field": "Айбек Асанов",
        "inspector": "Рустам Ниёзов", "loans": "Мастона Ҳалимова",
        "karimova": "Дилафрӯз Каримова", "nazarov": "Сӯҳроб Назаров",
        "saidov": "Илҳом Саидов", "hotline1": "Нодира Бобоева",
        "loan.officer": "Меҳрангез Ашурова",
    },
    "KHJ": {
        "admin": "Джамшед Рахимов", "coordinator": "Гульнора Усмонова",
        "caseworker": "Дилноза Юсупова", "field": "Ойбек Турсунов",
        "inspector": "Хуршед Ходжаев", "loans": "Нигора Каримова",
        "karimova": "Мавзуна Каримова", "nazarov": "Фаррух Назаров",
        "saidov": "Бахтиёр Саидов", "hotline1": "Sevara Ergasheva",
        "loan.officer": "Малика Абдуллаева",
    },
    "NUR": {
        "admin": "Фирӯз Одинаев", "coordinator": "Манижа Ҳакимова",
        "caseworker": "Таҳмина Исмоилова", "field": "Меҳроҷ Султонов",
        "inspector": "Баҳром Тоиров", "loans": "Озода Қосимова",
        "karimova": "Ситора Каримова", "nazarov": "Далер Назаров",
        "saidov": "Парвиз Саидов", "hotline1": "Малика Юсуфова",
        "loan.officer": "Гулнора Нуриддинова",
    },
    "DSH": {
        "admin": "Шухрат Назриев", "coordinator": "Елена Ковалёва",
        "caseworker": "Фарзона Шарифзода", "field": "Комрон Холов",
        "inspector": "Зафар Давлатзода", "loans": "Мунира Латифова",
        "karimova": "Парвина Каримова", "nazarov": "Алишер Назаров",
        "saidov": "Манучехр Саидов", "hotline1": "Ольга Михайлова",
        "loan.officer": "Мадина Азизова",
    },
}


def full_names(office: str | None) -> dict[str, str]:
    """User name -> full name of the demo staff of ``office`` (Gharm's for another office)."""
    return STAFF.get((office or "").upper(), GHARM)


def full_name(office: str | None, username: str) -> str:
    return full_names(office)[username]
