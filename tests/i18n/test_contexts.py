"""One English word, two meanings: messages with a gettext context (NP_, pgettext) are
extracted with it and translated apart; examples of numbers follow the language."""
from __future__ import annotations

import re

import pytest

from desktop_app import i18n
from desktop_app.domain import loans as L
from desktop_app.domain.trainings import hours_example, share_example
from desktop_app.i18n import NP_, Domain, build

LOANS, SECURITY, TRAININGS, CORE = (Domain(d) for d in ("loans", "security", "trainings",
                                                        "core"))


def test_a_marked_message_keeps_its_context_through_extraction():
    extracted = build._extract()
    assert ("Active", "loan status") in extracted["loans"]
    assert ("Active", None) in extracted["security"]             # a user account
    catalog = build._read(build._po_path("ru", "loans"), "ru")
    assert catalog.get("Active", context="loan status").string == "Действующий"
    assert catalog.get("Active") is None


@pytest.mark.parametrize("lang,loan,account", [
    ("ru", "Действующий", "Активный"),
    # tg and uz say «фаъол» / «faol» of a loan too, as their portfolio and loan messages do
    ("tg", "Фаъол", "Фаъол"),
    ("uz", "Faol", "Faol"),
    ("en", "Active", "Active"),
])
def test_an_active_loan_is_not_an_active_account(lang, loan, account):
    i18n.set_language(lang)
    assert LOANS.gettext(L.STATUSES["disbursed"]) == loan        # what the loans page shows
    assert LOANS.in_language(lang).gettext(L.STATUSES["disbursed"]) == loan
    assert SECURITY.gettext("Active") == account
    assert L.STATUSES["disbursed"] == "Active"                  # still the English text


@pytest.mark.parametrize("domain,context,message,plain", [
    (LOANS, "date column", "Applied", "Заявка"),                # a date, not the status
    (LOANS, "date column", "Disbursed", None),
    (LOANS, "amount", "Written off", "Списан"),                 # a sum, not a loan
    (TRAININGS, "number of participants", "Completed", "Завершено"),
    (SECURITY, "name of a thing", "Name", "Имя"),               # a fund, an office
])
def test_words_with_two_meanings_are_translated_apart(domain, context, message, plain):
    i18n.set_language("ru")
    split = domain.pgettext(context, message)
    assert split != message and split != domain.gettext(message)
    if plain:
        assert domain.gettext(message) == plain


def test_np_is_the_english_text_until_translated():
    marked = NP_("loan status", "Active")
    assert marked == "Active" and isinstance(marked, str)
    i18n.set_language("en")
    assert LOANS.gettext(marked) == "Active"


TAJIK_ENCRYPTION = "рамзгуз"
TAJIK_ENCODING = "кодгуз"


def test_tajik_text_encoding_is_not_encryption():
    """«рамзгузорӣ» is encryption; the encoding of a text file is «кодгузории матн»."""
    seen = 0
    for po in sorted((build.TRANSLATIONS / "tg" / "LC_MESSAGES").glob("*.po")):
        for msg in build._read(po, "tg"):
            english = build.PLACEHOLDER.sub("", " ".join(build._ids(msg))) if msg.id else ""
            for text in build._strings(msg) if msg.id else []:
                if re.search(r"\bencoding\b", english, re.IGNORECASE):
                    seen += 1
                    assert TAJIK_ENCODING in text.lower() and TAJIK_ENCRYPTION not in text, text
                if re.search(r"encrypt", english, re.IGNORECASE):
                    assert TAJIK_ENCODING not in text.lower(), text
    assert seen >= 3


# a decimal number, not a date (dates are dd.MM.yyyy in every language, docs/dev/formats.md)
DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?!\.?\d)")
# msgids that may carry a literal decimal number (none: examples are formatted at run time)
DECIMALS_IN_MESSAGES: set[str] = set()


def test_examples_of_numbers_are_not_typed_into_messages():
    """«e.g. 0.8» in a message shows a decimal point to Uzbek users, whose separator is a
    comma: examples go in as placeholders formatted for the language."""
    found = set()
    for pot in sorted(build.TRANSLATIONS.glob("*.pot")):
        for line in pot.read_text(encoding="utf-8").splitlines():
            if line.startswith(("msgid ", "msgid_plural ")) and DECIMAL.search(line):
                found.add(line.split(" ", 1)[1].strip('"'))
    assert found == DECIMALS_IN_MESSAGES


@pytest.mark.parametrize("lang,hours,share", [
    ("uz", "4 yoki 1,5", "0,8"),
    ("tg", "4 ё 1,5", "0,8"),
    ("ru", "4 или 1,5", "0,8"),
    ("en", "4 or 1.5", "0.8"),
])
def test_examples_follow_the_language(lang, hours, share):
    i18n.set_language(lang)
    assert hours in hours_example()
    assert f" {share}." in share_example()


@pytest.mark.parametrize("lang,expected", [
    ("ru", ["не менее 1 часа", "не менее 2 часов", "не менее 5 часов", "не менее 1,5 часа",
            "не менее 21 часа"]),
    ("uz", ["kamida 1 soat", "kamida 2 soat", "kamida 5 soat", "kamida 1,5 soat",
            "kamida 21 soat"]),
    ("en", ["at least 1 hour", "at least 2 hours", "at least 5 hours", "at least 1.5 hours",
            "at least 21 hours"]),
])
def test_a_completion_rule_in_hours_reads_right(lang, expected):
    """A course's rule «at least N hours»: N whole (plural forms) or fractional."""
    from fractions import Fraction

    from desktop_app.domain.trainings import CompletionRule
    i18n.set_language(lang)
    rules = [CompletionRule(min_hours=Fraction(h)) for h in ("1", "2", "5", "3/2", "21")]
    assert [rule.describe() for rule in rules] == expected


def test_a_completion_rule_in_sessions_agrees_with_its_number():
    from desktop_app.domain.trainings import CompletionRule
    i18n.set_language("ru")
    assert [CompletionRule(min_sessions=n).describe() for n in (1, 3, 5, 21)] == [
        "не менее 1 занятия", "не менее 3 занятий", "не менее 5 занятий",
        "не менее 21 занятия"]
