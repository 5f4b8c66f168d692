"""Catalog maintenance (Babel): extract, compile, check, list and fill translations.

    python -m desktop_app.i18n.build extract        # update .pot and ru/tg/uz/en .po files
    python -m desktop_app.i18n.build compile        # .po -> .mo (desktop_app/i18n/locale)
    python -m desktop_app.i18n.build check          # untranslated / fuzzy / placeholder errors
    python -m desktop_app.i18n.build todo [DOMAIN]  # untranslated entries as JSON
    python -m desktop_app.i18n.build fill FILE.json # {"domain": {"lang": {"msgid": "msgstr"}}}
    python -m desktop_app.i18n.build harvest REF    # take missing translations from git REF

A source file's messages go to the domain it declares (``DOMAIN = Domain("loans")``, see
``desktop_app.i18n``); a file with messages and no declaration is an error. Messages already
in ``core`` are not repeated in other domains.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from desktop_app.i18n import CORE, DOMAINS

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "desktop_app"
TRANSLATIONS = ROOT / "translations"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TARGET_LANGUAGES = ("ru", "tg", "uz")
ALL_LANGUAGES = TARGET_LANGUAGES + ("en",)
BABEL_LOCALES = {"ru": "ru", "tg": "tg", "uz": "uz_Latn", "en": "en"}
# NP_(context, message): N_ with a gettext context (desktop_app.i18n.NP_)
KEYWORDS = {**DEFAULT_KEYWORDS, "NP_": ((1, "c"), 2)}
# {name} for str.format, %1 for Qt's own dialogs (qt_strings)
PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}|%[1-9]")
MARKUP = re.compile(r"</?[a-z]+>")


DECLARATION = re.compile(r'^DOMAIN = Domain\("(\w+)"\)$', re.MULTILINE)


class UndeclaredDomain(Exception):
    """A source file has translatable messages but names no catalog domain."""


def declared_domain(source: str) -> str | None:
    """The domain a module declares with ``DOMAIN = Domain("...")``, if any."""
    found = DECLARATION.findall(source)
    if len(found) > 1:
        raise UndeclaredDomain(f"more than one domain declared: {found}")
    if found and found[0] not in DOMAINS + (CORE,):
        raise UndeclaredDomain(f"unknown domain {found[0]!r}")
    return found[0] if found else None


def domain_of(path: Path) -> str | None:
    return declared_domain(path.read_text(encoding="utf-8"))


def undeclared_files() -> list[str]:
    """Source files with messages to translate but no ``DOMAIN = Domain(...)``."""
    return sorted(str(path.relative_to(ROOT)) for path, messages in _messages_by_file()
                  if messages and domain_of(path) is None)


def _messages_by_file():
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        if "locale" in path.relative_to(SOURCE_DIR).parts:   # compiled catalogs, not source
            continue
        yield path, list(extract_from_file("python", str(path), keywords=KEYWORDS))


def _extract() -> dict[str, dict[tuple, tuple]]:
    """domain -> {(msgid, context): (locations, flags, plural)}"""
    found: dict[str, dict] = {}
    for path, extracted in _messages_by_file():
        if not extracted:
            continue
        domain = domain_of(path)
        if domain is None:
            raise UndeclaredDomain(f"{path.relative_to(ROOT)} has messages but declares no "
                                   'domain: add DOMAIN = Domain("...")')
        messages = found.setdefault(domain, {})
        for lineno, message, comments, context in extracted:
            key = (message, context)
            loc = (str(path.relative_to(ROOT)), lineno)
            if key in messages:
                messages[key][0].append(loc)
            else:
                messages[key] = ([loc], comments)
    core_ids = {k[0] if isinstance(k[0], str) else k[0][0] for k in found.get("core", {})}
    for domain, messages in found.items():
        if domain == "core":
            continue
        for key in list(messages):
            msgid = key[0] if isinstance(key[0], str) else key[0][0]
            if msgid in core_ids and key[1] is None:
                del messages[key]
    return found


def _po_path(lang: str, domain: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, lang: str) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=BABEL_LOCALES[lang])


LANGUAGE_NAMES = {"ru": "Russian", "tg": "Tajik", "uz": "Uzbek (Latin)", "en": "English"}
REVISION_DATE = re.compile(r'^"PO-Revision-Date: ([^"]*)\\n"$', re.MULTILINE)


def po_header(lang: str, domain: str, catalog: Catalog, revised: str) -> str:
    """The header entry gettext tools (msgfmt, Poedit, Weblate) read the catalog's
    language and plural rule from."""
    fields = [
        ("Project-Id-Version", "Hamroh"),
        ("PO-Revision-Date", revised),
        ("Last-Translator", "Hamroh translators"),
        ("Language-Team", f"{LANGUAGE_NAMES[lang]} <{lang}>"),
        ("Language", lang),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", catalog.plural_forms),
    ]
    lines = [f"# {LANGUAGE_NAMES[lang]} translations of Hamroh's {domain} messages.",
             'msgid ""', 'msgstr ""']
    lines += [f'"{name}: {value}\\n"' for name, value in fields]
    return "\n".join(lines) + "\n\n"


def _body(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=True, sort_output=True,
             ignore_obsolete=True, no_location=True)
    return out.getvalue()


def _write(path: Path, catalog: Catalog) -> None:
    """Write ``catalog`` with its header; the revision date changes only with the messages."""
    lang, domain = path.parent.parent.name, path.stem
    body = _body(catalog)
    old = path.read_bytes() if path.exists() else b""
    previous = REVISION_DATE.search(old.decode("utf-8"))
    if previous is not None:
        revised = previous.group(1)
        if old == po_header(lang, domain, catalog, revised).encode("utf-8") + body:
            return
    revised = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, po_header(lang, domain, catalog, revised).encode("utf-8") + body)


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def extract() -> None:
    for domain, messages in sorted(_extract().items()):
        template = Catalog(project="Hamroh", domain=domain, charset="utf-8")
        for (message, context), (locations, comments) in messages.items():
            template.add(message, locations=locations, auto_comments=comments, context=context)
        TRANSLATIONS.mkdir(exist_ok=True)
        with open(TRANSLATIONS / f"{domain}.pot", "wb") as fh:
            write_po(fh, template, width=100, omit_header=True, sort_output=True,
                     no_location=True)
        for lang in ALL_LANGUAGES:
            path = _po_path(lang, domain)
            if path.exists():
                catalog = _read(path, lang)
            else:
                catalog = Catalog(locale=BABEL_LOCALES[lang], domain=domain, project="Hamroh",
                                  charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
            if lang == "en":
                for msg in catalog:
                    if msg.id and not all(_strings(msg)):
                        msg.string = tuple(msg.id) if isinstance(msg.id, (list, tuple)) else msg.id
            _write(path, catalog)
    print("catalogs updated in", TRANSLATIONS)


def compile_all() -> int:
    count = 0
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        catalog = _read(po, lang)
        target = LOCALE_DIR / lang / "LC_MESSAGES" / f"{po.stem}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        count += 1
    return count


def _strings(msg) -> list[str]:
    return list(msg.string) if isinstance(msg.string, (list, tuple)) else [msg.string]


def _ids(msg) -> list[str]:
    return list(msg.id) if isinstance(msg.id, (list, tuple)) else [msg.id]


def problems() -> list[str]:
    found: list[str] = [f"{name}: has messages but declares no translation domain"
                        for name in undeclared_files()]
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        catalog = _read(po, lang)
        for msg in catalog:
            if not msg.id:
                continue
            where = f"{po.relative_to(ROOT)}: {_ids(msg)[0]!r}"
            if msg.fuzzy:
                found.append(f"{where} is fuzzy")
            strings = _strings(msg)
            if not all(strings):
                found.append(f"{where} is untranslated")
                continue
            expected = set(PLACEHOLDER.findall(" ".join(_ids(msg))))
            tags = sorted(MARKUP.findall(_ids(msg)[0]))
            for s in strings:
                if set(PLACEHOLDER.findall(s)) != expected:
                    found.append(f"{where}: placeholders {sorted(set(PLACEHOLDER.findall(s)))} "
                                 f"differ from {sorted(expected)}")
                if sorted(MARKUP.findall(s)) != tags:
                    found.append(f"{where}: markup {sorted(MARKUP.findall(s))} differs from "
                                 f"{tags}")
            for err in msg.check(catalog):
                found.append(f"{where}: {err}")
    return found + glossary_problems() + cross_domain_conflicts() + script_problems()


# Messages that read the same in a language as in English (names, abbreviations, and words
# Uzbek shares with English); any other msgstr equal to its msgid was left in English.
SAME_AS_ENGLISH = {
    "ru": {"Hamroh", "PDF", "PDF…"},
    "tg": {"Hamroh", "PDF", "PDF…"},
    "uz": {"Hamroh", "PDF", "PDF…", "Jamoat", "jamoat", "Patent", "Administrator"},
}
LATIN_WORD = re.compile(r"\b(?![A-Z0-9]+\b)[A-Za-z]{2,}")   # not an abbreviation (PAR30, OK)
# Tajik letters and the Russian ones a keyboard without them puts in their place
TAJIK_LETTERS = "ҳғқӯҷҲҒҚӮҶ"
RUSSIAN_FOR_TAJIK = str.maketrans(TAJIK_LETTERS, "хгкучХГКУЧ")
RUSSIAN_ONLY = re.compile(r"[ыщцьЫЩЦЬ]")   # letters Tajik does not write
UZBEK_WRONG_TURNED_COMMA = re.compile(r"(?<=[oOgG])['`‘’ʼ]|(?<=[A-Za-z])['`‘’](?=[A-Za-z])")
WORD = re.compile(r"[^\W\d_]+")


def _plain_text(text: str) -> str:
    """A message without its placeholders, markup and quoted commands ('hamroh db check')."""
    text = PLACEHOLDER.sub(" ", MARKUP.sub(" ", text))
    return re.sub(r"'[^']*'|`[^`]*`|--[\w-]+|\*\.\w+", " ", text)


def _tajik_words_typed_in_russian(catalogs: dict) -> dict[str, str]:
    """Each Tajik word of the glossary and the catalogs that has a Tajik letter, keyed by
    how it reads typed with Russian letters («ҳисобот» under «хисобот»)."""
    words = set()
    with open(GLOSSARY, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            words.update(w.lower() for w in WORD.findall(row["tg"]))
    for _po, catalog in catalogs["tg"]:
        for msg in catalog:
            for text in _strings(msg) if msg.id else []:
                words.update(w.lower() for w in WORD.findall(text or ""))
    return {w.translate(RUSSIAN_FOR_TAJIK): w for w in words
            if re.search(f"[{TAJIK_LETTERS}]", w)}


def _word_problems(lang: str, word: str, english: str, typed_in_russian: dict) -> list[str]:
    if re.search("[A-Za-z]", word) and re.search("[\u0400-\u04ff]", word):
        return [f"{word!r} mixes Latin and Cyrillic letters"]
    if lang != "tg" or word in english:
        return []
    if RUSSIAN_ONLY.search(word):
        return [f"{word!r} has a letter Tajik does not write"]
    if word.lower() in typed_in_russian:
        return [f"{word!r} is written {typed_in_russian[word.lower()]!r} in Tajik"]
    return []


def _text_problems(lang: str, msg, text: str, typed_in_russian: dict) -> list[str]:
    plain = _plain_text(text)
    found = []
    if (text in _ids(msg) and text not in SAME_AS_ENGLISH[lang]
            and LATIN_WORD.search(plain.replace("Hamroh", ""))):
        found.append("is still in English")
    english = " ".join(_ids(msg))
    for word in WORD.findall(plain):
        found += _word_problems(lang, word, english, typed_in_russian)
    if lang == "uz":
        found += [f"{plain[max(0, bad.start() - 3):bad.end() + 2]!r} needs ʻ (U+02BB) in "
                  "oʻ/gʻ and ʼ (U+02BC) elsewhere"
                  for bad in UZBEK_WRONG_TURNED_COMMA.finditer(plain)]
    if lang == "ru" and re.search(f"[{TAJIK_LETTERS}ӣӢ]", plain):
        found.append("a Tajik letter in Russian")
    return found


def script_problems() -> list[str]:
    """Each language in its own letters: a msgstr still in English; a Tajik word typed with
    a Russian letter (х г к у ч for ҳ ғ қ ӯ ҷ: the same word is written with the Tajik
    letter elsewhere, or in the glossary) or with a letter Tajik does not have (ы щ ц ь);
    an Uzbek oʻ/gʻ with ' ` ‘ ’ or ʼ for ʻ (U+02BB), or an apostrophe for ʼ (U+02BC);
    a Tajik letter in Russian; a word mixing Latin and Cyrillic letters (a look-alike)."""
    catalogs = {lang: [(po, _read(po, lang))
                       for po in sorted((TRANSLATIONS / lang / "LC_MESSAGES").glob("*.po"))]
                for lang in TARGET_LANGUAGES}
    typed_in_russian = _tajik_words_typed_in_russian(catalogs)
    found: list[str] = []
    for lang, pos in catalogs.items():
        for po, catalog in pos:
            for msg in catalog:
                if not msg.id or not all(_strings(msg)):
                    continue
                where = f"{po.relative_to(ROOT)}: {_ids(msg)[0]!r}"
                for text in _strings(msg):
                    for problem in _text_problems(lang, msg, text, typed_in_russian):
                        sep = " " if problem == "is still in English" else ": "
                        found.append(f"{where}{sep}{problem}")
    return found


GLOSSARY = TRANSLATIONS / "glossary.csv"
# Terms whose catalogs deliberately word a message differently from the glossary, and why.
GLOSSARY_EXCEPTIONS = {
    "import": "the Import button is a verb; the glossary names the action (a noun)",
}


def _term(text: str) -> str:
    """A label reduced to the term it names: no access key, colon or ellipsis, lower case."""
    return re.sub(r"&|:$|…$|\.\.\.$", "", text.strip()).strip().lower()


def glossary_problems() -> list[str]:
    """The glossary is the source of truth: one row per term, and every message that is
    just a glossary term is translated with the glossary's wording in every catalog."""
    with open(GLOSSARY, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found: list[str] = []
    terms: dict[str, dict] = {}
    for row in rows:
        term = _term(row["en"])
        if term in terms:
            found.append(f"glossary: {row['en']!r} has more than one row")
        terms.setdefault(term, row)
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        if lang not in TARGET_LANGUAGES:
            continue
        for msg in _read(po, lang):
            if not isinstance(msg.id, str) or not msg.id or not msg.string:
                continue
            term = _term(msg.id)
            row = terms.get(term)
            if row is None or term in GLOSSARY_EXCEPTIONS:
                continue
            if _term(msg.string) != _term(row[lang]):
                found.append(f"{po.relative_to(ROOT)}: {msg.id!r} is {msg.string!r}, but the "
                             f"glossary says {row[lang]!r}")
    return found


def cross_domain_conflicts() -> list[str]:
    """Msgids translated differently in two domains of one language.

    All domains share one lookup chain at run time, so such a message would show the first
    domain's wording everywhere: give the same wording, or a context with pgettext.
    """
    found: list[str] = []
    for lang in TARGET_LANGUAGES:
        seen: dict[tuple, tuple[str, object]] = {}
        for po in sorted((TRANSLATIONS / lang / "LC_MESSAGES").glob("*.po")):
            for msg in _read(po, lang):
                if not msg.id or not all(_strings(msg)):
                    continue
                key = (msg.id if isinstance(msg.id, str) else tuple(msg.id), msg.context)
                value = tuple(_strings(msg))
                if key in seen and seen[key][1] != value:
                    found.append(f"{lang}: {key[0]!r} is {seen[key][1][0]!r} in {seen[key][0]} "
                                 f"but {value[0]!r} in {po.stem}")
                seen.setdefault(key, (po.stem, value))
    return found


def todo(domain: str | None = None) -> dict:
    out: dict = {}
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        if lang == "en" or (domain and po.stem != domain):
            continue
        for msg in _read(po, lang):
            if msg.id and (not all(_strings(msg)) or msg.fuzzy):
                key = msg.id if isinstance(msg.id, str) else msg.id[0]
                if msg.context:
                    key = f"{msg.context}\x04{key}"
                out.setdefault(po.stem, {}).setdefault(lang, {})[key] = (
                    "" if isinstance(msg.id, str) else ["", ""])
    return out


def fill(data: dict) -> int:
    """Apply translations: {domain: {lang: {msgid or "ctx\\x04msgid": str | [sg, pl]}}}."""
    changed = 0
    for domain, by_lang in data.items():
        for lang, entries in by_lang.items():
            path = _po_path(lang, domain)
            catalog = _read(path, lang)
            for key, value in entries.items():
                context, _sep, msgid = key.rpartition("\x04")
                msg = None
                for candidate in catalog:
                    cid = candidate.id if isinstance(candidate.id, str) else candidate.id[0]
                    if cid == msgid and (candidate.context or "") == context:
                        msg = candidate
                        break
                if msg is None or not value:
                    continue
                msg.string = tuple(value) if isinstance(value, list) else value
                if msg.fuzzy:
                    msg.flags.discard("fuzzy")
                changed += 1
            _write(path, catalog)
    return changed


def harvest(ref: str) -> int:
    """Fill untranslated entries from the catalogs as they are at git ``ref``.

    After merging branches that both extended a catalog: keep one side's file, run
    ``extract`` and harvest the other side's translations.
    """
    changed = 0
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        lang = po.parent.parent.name
        rel = po.relative_to(ROOT).as_posix()
        shown = subprocess.run(["git", "show", f"{ref}:{rel}"], cwd=ROOT, capture_output=True)
        if shown.returncode != 0:
            continue
        other = read_po(io.BytesIO(shown.stdout), locale=BABEL_LOCALES[lang])
        known = {(m.id if isinstance(m.id, str) else m.id[0], m.context or ""): m.string
                 for m in other if m.id and all(_strings(m)) and not m.fuzzy}
        catalog = _read(po, lang)
        touched = False
        for msg in catalog:
            if not msg.id or (all(_strings(msg)) and not msg.fuzzy):
                continue
            key = (msg.id if isinstance(msg.id, str) else msg.id[0], msg.context or "")
            if key in known:
                msg.string = known[key]
                msg.flags.discard("fuzzy")
                changed += 1
                touched = True
        if touched:
            _write(po, catalog)
    return changed


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "compile"
    if command == "extract":
        extract()
    elif command == "compile":
        print(f"compiled {compile_all()} catalogs")
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    elif command == "todo":
        print(json.dumps(todo(argv[1] if len(argv) > 1 else None), ensure_ascii=False, indent=1))
    elif command == "fill":
        with open(argv[1], encoding="utf-8") as fh:
            print(f"filled {fill(json.load(fh))} entries")
    elif command == "harvest":
        print(f"harvested {harvest(argv[1])} entries")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
