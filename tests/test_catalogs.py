"""Every catalog compiles with no untranslated, fuzzy or placeholder-mismatched entry."""
import re

from desktop_app import i18n
from desktop_app.i18n import build


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
    assert re.search("[ғӣқӯҳҷ]", i18n._("Database file:") + i18n._("Unsaved changes"))
    i18n.set_language("uz")
    assert "ʻ" in i18n._("The record was not found; it may have been deleted.")


def test_plural_forms_follow_the_language():
    i18n.set_language("ru")
    assert i18n.ngettext("{count} person", "{count} people", 3).format(count=3) == "3 человека"
    assert i18n.ngettext("{count} person", "{count} people", 5).format(count=5) == "5 человек"
