"""Every catalog compiles with no untranslated, fuzzy or placeholder-mismatched entry."""
import re
import sys
from pathlib import Path

from desktop_app import i18n
from desktop_app.i18n import build

CORE = i18n.Domain("core")


def test_catalogs_are_complete_and_consistent():
    assert build.problems() == []


def test_every_source_message_is_in_the_catalogs():
    extracted = build._extract()
    for domain, messages in extracted.items():
        for lang in build.ALL_LANGUAGES:
            path = build._po_path(lang, domain)
            assert path.exists(), f"{path} is missing: run 'make extract'"
            catalog = build._read(path, lang)
            ids = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
            for (message, context) in messages:
                msgid = message if isinstance(message, str) else message[0]
                assert (msgid, context) in ids, f"{msgid!r} missing from {path}"


def test_tajik_and_uzbek_use_their_own_letters():
    i18n.set_language("tg")
    assert re.search("[ғӣқӯҳҷ]", CORE.gettext("Database file:") + CORE.gettext("Unsaved changes"))
    i18n.set_language("uz")
    assert "ʻ" in CORE.gettext("The record was not found; it may have been deleted.")


def test_plural_forms_follow_the_language():
    i18n.set_language("ru")
    assert CORE.ngettext("{count} person", "{count} people", 3).format(count=3) == "3 человека"
    assert CORE.ngettext("{count} person", "{count} people", 5).format(count=5) == "5 человек"


def test_every_module_with_messages_declares_its_domain():
    assert build.undeclared_files() == []


def test_a_module_keeps_its_catalog_wherever_it_lives(tmp_path):
    """The domain comes from the module's declaration, not from its file or package name:
    the same source at another path (or under another module name) extracts into the same
    catalog and translates the same way."""
    import importlib.util

    source_path = Path(build.SOURCE_DIR / "domain" / "loans.py")
    source = source_path.read_text(encoding="utf-8")
    moved = tmp_path / "store" / "people" / "core_helpers.py"
    moved.parent.mkdir(parents=True)
    moved.write_text(source, encoding="utf-8")
    assert build.domain_of(moved) == build.domain_of(source_path) == "loans"

    spec = importlib.util.spec_from_file_location(
        "desktop_app.store.people.repositories.core_helpers", moved)
    relocated = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = relocated
    from desktop_app.domain import loans
    i18n.set_language("tg")
    try:
        spec.loader.exec_module(relocated)
        for text in loans.CARD_TEXT.values():
            assert relocated._(text) == loans._(text)
        assert any(loans._(text) != text for text in loans.CARD_TEXT.values())
    finally:
        del sys.modules[spec.name]
        i18n.set_language("en")


def test_a_file_with_messages_but_no_domain_is_refused(tmp_path):
    stray = tmp_path / "stray.py"
    stray.write_text('from desktop_app.i18n import N_\nTITLE = N_("Loans")\n', encoding="utf-8")
    assert build.domain_of(stray) is None
    stray.write_text('DOMAIN = Domain("money")\n', encoding="utf-8")
    try:
        build.domain_of(stray)
    except build.UndeclaredDomain as exc:
        assert "money" in str(exc)
    else:
        raise AssertionError("an unknown domain was accepted")


def test_catalogs_carry_their_language_and_plural_rule_in_the_header():
    from babel import Locale
    for po in sorted(build.TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        with open(po, "rb") as fh:
            headers = dict(build.read_po(fh).mime_headers)
        assert headers.get("Language") == lang, po
        assert headers.get("Content-Type", "").lower() == "text/plain; charset=utf-8", po
        plural = Locale.parse(build.BABEL_LOCALES[lang])
        expected = build.Catalog(locale=plural).plural_forms
        assert headers.get("Plural-Forms") == expected, po


def test_gettext_tools_accept_every_catalog():
    """What Poedit, Weblate and msgfmt read: ``msgfmt -c`` finds no error or warning."""
    import shutil
    import subprocess
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        import pytest
        pytest.skip("GNU gettext's msgfmt is not installed; the header test above still runs")
    for po in sorted(build.TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        done = subprocess.run([msgfmt, "-c", "-o", "/dev/null", str(po)],
                              capture_output=True, text=True)
        assert done.returncode == 0 and not done.stderr.strip(), f"{po}: {done.stderr}"


def test_extract_leaves_unchanged_catalogs_byte_identical(tmp_path, monkeypatch):
    """Re-running extract must not touch a catalog whose messages did not change (a new
    revision date on every run would make every branch conflict)."""
    po = build._po_path("tg", "loans")
    before = po.read_bytes()
    build._write(po, build._read(po, "tg"))
    assert po.read_bytes() == before


def test_a_term_worded_against_the_glossary_is_reported(tmp_path, monkeypatch):
    glossary = tmp_path / "glossary.csv"
    glossary.write_text("en,ru,tg,uz,note\nflat,фиксированные проценты,фоизи собит,"
                        "qatʼiy foiz,\nflat,x,y,z,a second row\n", encoding="utf-8")
    monkeypatch.setattr(build, "GLOSSARY", glossary)
    found = build.glossary_problems()
    assert any("'flat' has more than one row" in p for p in found)
    assert any("loans.po: 'Flat' is 'На первоначальную сумму', but the glossary says "
               "'фиксированные проценты'" in p for p in found)


UZBEK_DETACHED_SUFFIX = re.compile(
    r"(\}|Hamroh|\b[A-Z]{2,}[A-Z_]*) (ga|dan|da|ni|ning|gacha|dagi|ka|qa)\b")


def test_uzbek_suffixes_are_not_detached_from_names_and_placeholders():
    """«Hamroh ga kirish» and «{path} ga saqlandi» read as broken Uzbek: suffixes join the
    word (Hamrohga), and a placeholder is phrased so that it needs none (saqlandi: {path})."""
    found = []
    for po in sorted((build.TRANSLATIONS / "uz" / "LC_MESSAGES").glob("*.po")):
        for msg in build._read(po, "uz"):
            for text in build._strings(msg) if msg.id else []:
                if UZBEK_DETACHED_SUFFIX.search(text or ""):
                    found.append(f"{po.stem}: {text}")
    assert found == []


RUSSIAN_COUNTED_NOUN = re.compile(
    r"\{\w+\} (лет|года|человек|человека|людей|займов|дел|записей|строк|дней|изменений|"
    r"процента|процентов|участников|занятий|нарушений|проверок|файлов|пользователей)\b")


def test_russian_numbers_agree_with_their_noun():
    """«34 лет», «штраф 5 процента»: in Russian the noun after a number takes one of three
    forms, so a message with a number before a noun is a plural entry (ngettext), or is
    phrased «label: {count}»."""
    found = []
    for po in sorted((build.TRANSLATIONS / "ru" / "LC_MESSAGES").glob("*.po")):
        for msg in build._read(po, "ru"):
            if isinstance(msg.id, str) and msg.id and RUSSIAN_COUNTED_NOUN.search(msg.string):
                found.append(f"{po.stem}: {msg.string}")
    assert found == []


UZBEK_WORK_PHRASES = re.compile(r"\b(ish haqi|ish beruvchi|ishga|ishonch|sayyor ish|"
                                r"ish yurituvchi|ishida)", re.IGNORECASE)
UZBEK_ISH = re.compile(r"\bish(lar|ni|ning|i|ini|lari|larni|larning|larga)?\b", re.IGNORECASE)


def test_uzbek_says_murojaat_for_a_case():
    """«ish» is work (ish haqi: wages, ish beruvchi: employer); a hotline case is
    «murojaat», as the glossary says."""
    found = []
    for po in sorted((build.TRANSLATIONS / "uz" / "LC_MESSAGES").glob("*.po")):
        for msg in build._read(po, "uz"):
            english = build._ids(msg)[0] if msg.id else ""
            if not re.search(r"\bcases?\b", english, re.IGNORECASE):
                continue
            for text in build._strings(msg):
                if UZBEK_ISH.search(UZBEK_WORK_PHRASES.sub("", text)):
                    found.append(f"{po.stem}: {text}")
    assert found == []


def test_examples_of_amounts_are_written_as_the_user_writes_them():
    """ru, tg and uz write 12 500,50; an example with a decimal point teaches the wrong form
    (both are accepted when typed)."""
    from desktop_app.domain.cases import parse_amount
    found = []
    for lang in build.TARGET_LANGUAGES:
        for po in sorted((build.TRANSLATIONS / lang / "LC_MESSAGES").glob("*.po")):
            for msg in build._read(po, lang):
                for text in build._strings(msg) if msg.id else []:
                    if re.search(r"\b\d+\.\d\d\b(?!\.\d)", text or ""):
                        found.append(f"{lang}/{po.stem}: {text}")
    assert found == []
    assert parse_amount("12 500,50") == parse_amount("12500.50")


def test_extraction_finds_the_messages_in_a_checkout_under_a_folder_named_locale(
        tmp_path, monkeypatch):
    """Only the compiled catalogs (desktop_app/i18n/locale) are skipped: a checkout at
    …/locale/ once extracted nothing, and 'make extract' would have emptied every catalog."""
    root = tmp_path / "locale"
    source = root / "desktop_app"
    (source / "i18n" / "locale").mkdir(parents=True)
    (source / "loans.py").write_text('from desktop_app.i18n import Domain\n'
                                     'DOMAIN = Domain("loans")\n_ = DOMAIN.gettext\n'
                                     'TITLE = _("Loans")\n', encoding="utf-8")
    (source / "i18n" / "locale" / "stray.py").write_text('TITLE = _("Stray")\n',
                                                         encoding="utf-8")
    monkeypatch.setattr(build, "ROOT", root)
    monkeypatch.setattr(build, "SOURCE_DIR", source)
    assert list(build._extract()["loans"]) == [("Loans", None)]


def _catalogs_with(tmp_path, monkeypatch, entries: dict[str, list[tuple[str, str]]]):
    """A translations folder holding one catalog per language with ``entries``."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po
    for lang in build.TARGET_LANGUAGES:
        catalog = Catalog(locale=build.BABEL_LOCALES[lang])
        for msgid, msgstr in entries.get(lang, []):
            catalog.add(msgid, msgstr)
        path = tmp_path / "translations" / lang / "LC_MESSAGES" / "cases.po"
        path.parent.mkdir(parents=True)
        with open(path, "wb") as fh:
            write_po(fh, catalog)
    glossary = tmp_path / "translations" / "glossary.csv"
    glossary.write_text("en,ru,tg,uz,note\nreport,отчёт,ҳисобот,hisobot,\n", encoding="utf-8")
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "TRANSLATIONS", tmp_path / "translations")
    monkeypatch.setattr(build, "GLOSSARY", glossary)
    return build.script_problems()


def test_a_message_left_in_english_is_reported(tmp_path, monkeypatch):
    found = _catalogs_with(tmp_path, monkeypatch, {
        "ru": [("Save the case", "Save the case"), ("PAR30, {currency}", "PAR30, {currency}")],
        "uz": [("Jamoat", "Jamoat"), ("Close", "Close")]})
    assert found == ["translations/ru/LC_MESSAGES/cases.po: 'Save the case' is still in English",
                     "translations/uz/LC_MESSAGES/cases.po: 'Close' is still in English"]


def test_a_tajik_word_typed_with_russian_letters_is_reported(tmp_path, monkeypatch):
    """«хисобот» for «ҳисобот» (the glossary's word), «кабул» where the catalogs write
    «қабул», and the letters Tajik does not have."""
    found = _catalogs_with(tmp_path, monkeypatch, {"tg": [
        ("Accepted", "Қабул шуд"), ("Report", "Хисобот"), ("Accept", "Кабул кардан"),
        ("Function", "Функция"), ("Who?", "Кӣ?"), ("that", "ки")]})
    assert any("'Хисобот' is written 'ҳисобот'" in p for p in found)
    assert any("'Кабул' is written 'қабул'" in p for p in found)
    assert any("'Функция' has a letter Tajik does not write" in p for p in found)
    assert len(found) == 3          # «ки» (that) beside «кӣ» (who) is Tajik, not a slip


def test_uzbek_writes_the_turned_comma_and_the_apostrophe_letter(tmp_path, monkeypatch):
    found = _catalogs_with(tmp_path, monkeypatch, {"uz": [
        ("Delete", "O'chirish"), ("Call", "Qo`ng‘iroq"), ("Data", "Ma'lumot"),
        ("Edit", "Oʼzgartirish"), ("Right", "Toʻgʻri maʼlumot"),
        ("Run {command}", "'hamroh db check' buyrugʻini bajaring")]})
    assert len(found) == 5, found
    assert all("needs ʻ (U+02BB)" in p for p in found)


def test_look_alike_letters_and_tajik_letters_in_russian_are_reported(tmp_path, monkeypatch):
    found = _catalogs_with(tmp_path, monkeypatch, {
        "ru": [("Case", "Дeло"), ("Caller", "Абонент"), ("Person", "Шахс ҳисоб")],
        "tg": [("Case", "Парвандa")]})
    assert any("'Дeло' mixes Latin and Cyrillic" in p for p in found)
    assert any("'Парвандa' mixes Latin and Cyrillic" in p for p in found)
    assert any("a Tajik letter in Russian" in p for p in found)
    assert len(found) == 3


def test_qt_placeholders_and_markup_are_kept(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po
    catalog = Catalog(locale="ru")
    catalog.add("Are you sure you want to delete '%1'?", "Удалить?")
    catalog.add("<b>{currency}</b>: {count}", "{currency}: {count}")
    folder = tmp_path / "translations" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "core.po", "wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "TRANSLATIONS", tmp_path / "translations")
    monkeypatch.setattr(build, "undeclared_files", lambda: [])
    monkeypatch.setattr(build, "glossary_problems", lambda: [])
    monkeypatch.setattr(build, "script_problems", lambda: [])
    found = build.problems()
    assert any("placeholders [] differ from ['%1']" in p for p in found)
    assert any("markup [] differs from ['</b>', '<b>']" in p for p in found)
