"""The user guides (docs/user/*.md in English, docs/user/<lang>/*.md in Russian, Tajik and
Uzbek) stay complete, linked, spelled in the right alphabet, and true to the app's labels.

See docs/dev/guides.md.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "user"
CATALOGS = ROOT / "translations"
LANGUAGES = ("ru", "tg", "uz")

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
INLINE_CODE = re.compile(r"`[^`]*`")
LABEL = re.compile(r"«([^«»]+)»")
# letters of Russian that Tajik words never use (ё, ъ, э, ю, я are Tajik too)
RUSSIAN_ONLY = re.compile(r"[цщыьЦЩЫЬ]")
# oʻ, gʻ and the tutuq belgisi are written with ʻ (U+02BB) and ʼ (U+02BC), never with an
# apostrophe, a backtick or a typographic quote between two letters
UZBEK_APOSTROPHE = re.compile(r"(?<=\w)['`‘’](?=\w)")


def english_guides() -> list[Path]:
    return sorted(GUIDES.glob("*.md"))


def translated_guides(language: str) -> list[Path]:
    return sorted((GUIDES / language).glob("*.md"))


def all_guides() -> list[Path]:
    return english_guides() + [p for lang in LANGUAGES for p in translated_guides(lang)]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def split_code(text: str) -> tuple[list[str], list[str]]:
    """(prose lines without inline code, code lines of fenced and indented blocks); a code
    line leaves an empty prose line, so that prose[n - 1] is line n of the file."""
    prose: list[str] = []
    code: list[str] = []
    fenced = False
    previous_blank_or_code = True
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            previous_blank_or_code = True
            prose.append("")
            continue
        indented = line.startswith("    ") and previous_blank_or_code and line.strip()
        if fenced or indented:
            code.append(line.strip())
            previous_blank_or_code = True
            prose.append("")
            continue
        previous_blank_or_code = not line.strip()
        prose.append(INLINE_CODE.sub(" ", line))
    return prose, code


def command_lines(text: str) -> set[str]:
    """The command lines of a guide's code blocks, which translations keep unchanged."""
    _prose, code = split_code(text)
    return {re.sub(r"\s+#.*$", "", line) for line in code if re.match(r"(\w+=\S+ )*hamroh\b", line)}


def label_set(language: str) -> set[str]:
    labels: set[str] = set()
    for path in sorted((CATALOGS / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                for line in (string or "").splitlines() or [""]:
                    labels.add(normalise(line))
    labels.discard("")
    return labels


def normalise(label: str) -> str:
    """A label as the guides quote it: no access-key '&', no trailing ':' or '…', one space
    wherever the guide's line breaks."""
    return " ".join(label.replace("&", "").split()).rstrip(":…").strip()


# --- completeness ---------------------------------------------------------------------

def test_english_guides_exist_with_an_index():
    names = {p.name for p in english_guides()}
    assert "index.md" in names
    assert {"people.md", "cases.md", "loans.md", "reports.md", "sync.md", "security.md"} <= names


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_guide_has_its_translation_and_no_more(language):
    english = {p.name for p in english_guides()}
    translated = {p.name for p in translated_guides(language)}
    assert english - translated == set(), f"not yet in {language}: {sorted(english - translated)}"
    assert translated - english == set(), f"only in {language}: {sorted(translated - english)}"


@pytest.mark.parametrize("folder", ["", *LANGUAGES])
def test_each_index_lists_every_guide_of_its_language(folder):
    index = GUIDES / folder / "index.md"
    targets = {m for m in LINK.findall(index.read_text(encoding="utf-8"))}
    guides = {p.name for p in (GUIDES / folder).glob("*.md")} - {"index.md"}
    assert guides - targets == set(), f"{_rel(index)} does not list {sorted(guides - targets)}"


# --- links and images -----------------------------------------------------------------

@pytest.mark.parametrize("guide", all_guides(), ids=_rel)
def test_relative_links_and_images_resolve(guide):
    prose, _code = split_code(guide.read_text(encoding="utf-8"))
    for target in LINK.findall("\n".join(prose)):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        resolved = (guide.parent / target.split("#")[0]).resolve()
        assert resolved.is_file(), f"{_rel(guide)}: {target} does not exist"
        if resolved.suffix == ".md" and not (guide.name == resolved.name == "index.md"):
            # only the indexes link to each other across languages
            assert resolved.parent == guide.parent, (
                f"{_rel(guide)}: {target} leaves the guides of its own language")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_show_the_same_pictures_and_commands(language):
    for english in english_guides():
        translated = GUIDES / language / english.name
        if not translated.exists():
            continue  # reported by test_every_guide_has_its_translation_and_no_more
        source, text = english.read_text(encoding="utf-8"), translated.read_text(encoding="utf-8")
        pictures = {Path(i).name for i in IMAGE.findall(source)}
        assert pictures == {Path(i).name for i in IMAGE.findall(text)}, (
            f"pictures differ: {_rel(translated)}")
        for image in IMAGE.findall(text):
            assert (translated.parent / image).resolve().parent == GUIDES / language / "images", (
                f"{_rel(translated)} shows a picture that is not in its own language: {image}")
        missing = command_lines(source) - command_lines(text)
        assert not missing, f"{_rel(translated)} lacks the commands {sorted(missing)}"


def heading_levels(text: str) -> list[int]:
    prose, _code = split_code(text)
    return [len(m.group(1)) for line in prose if (m := re.match(r"(#+) ", line))]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_have_the_sections_of_the_english_guide(language):
    """A section added to (or removed from) an English guide must be added to (or removed
    from) its translations in the same change."""
    for english in english_guides():
        translated = GUIDES / language / english.name
        if translated.exists():
            assert (heading_levels(english.read_text(encoding="utf-8"))
                    == heading_levels(translated.read_text(encoding="utf-8"))), (
                f"{_rel(translated)} does not have the sections of {_rel(english)}")


def test_every_guide_but_the_index_shows_a_picture():
    for guide in all_guides():
        if guide.name != "index.md":
            assert IMAGE.search(guide.read_text(encoding="utf-8")), f"no picture in {_rel(guide)}"


# --- spelling -------------------------------------------------------------------------

@pytest.mark.parametrize("guide", translated_guides("tg"), ids=_rel)
def test_tajik_guides_use_tajik_letters(guide):
    prose, _code = split_code(guide.read_text(encoding="utf-8"))
    wrong = [(n, line.strip()) for n, line in enumerate(prose, 1) if RUSSIAN_ONLY.search(line)]
    assert not wrong, f"{_rel(guide)}: Russian letters (ц щ ы ь) in Tajik text: {wrong[:5]}"
    assert re.search(r"[ғӣқӯҳҷ]", "\n".join(prose)), f"{_rel(guide)} has no Tajik letters"


@pytest.mark.parametrize("guide", translated_guides("uz"), ids=_rel)
def test_uzbek_guides_use_the_okina_and_the_tutuq_belgisi(guide):
    prose, _code = split_code(guide.read_text(encoding="utf-8"))
    wrong = [(n, line.strip()) for n, line in enumerate(prose, 1)
             if UZBEK_APOSTROPHE.search(line)]
    assert not wrong, (
        f"{_rel(guide)}: write oʻ, gʻ with ʻ and the tutuq belgisi with ʼ: {wrong[:5]}")


# --- the labels the guides quote ------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_quoted_labels_are_the_apps_own(language):
    labels = label_set(language)
    unknown: list[str] = []
    for guide in translated_guides(language):
        prose, _code = split_code(guide.read_text(encoding="utf-8"))
        for quoted in LABEL.findall("\n".join(prose)):
            if normalise(quoted) not in labels:
                unknown.append(f"{guide.name}: «{quoted}»")
    assert not unknown, (f"labels the {language} guides quote but the app does not show "
                         f"(quote a label exactly as in translations/{language}): {unknown}")
