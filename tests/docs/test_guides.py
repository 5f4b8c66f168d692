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


# --- what the guides say about the window and the commands -------------------------------

README = ROOT / "README.md"


def english_label_set() -> set[str]:
    """The English labels the window can show: every msgid of the catalogs' templates."""
    labels: set[str] = set()
    for path in sorted(CATALOGS.glob("*.pot")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for text in ids:
                for line in (text or "").splitlines():
                    labels.add(normalise(line))
    labels.discard("")
    return labels


def _label_at(words: list[str], labels: set[str], from_end: bool) -> str | None:
    """The longest label the words start with (or, ``from_end``, end with)."""
    for size in range(len(words), 0, -1):
        part = " ".join(words[-size:] if from_end else words[:size]).rstrip(",;")
        label = normalise(re.sub(r"\s*\((?:Ctrl|Alt|F\d)[^)]*\)$", "", part))
        if label in labels or (from_end and label.endswith(" page") and label[:-5] in labels):
            return label
    return None


def _path_steps(prose: str) -> list[list[str]]:
    """The steps of each "A → B → C" in a text, without markup."""
    text = " ".join(re.sub(r"[*|]", " ", prose).split())
    return [[step.strip() for step in match.group(0).split("→")]
            for match in re.finditer(r"[^→.;()]+(?:→[^→.;()]+)+", text)]


@pytest.mark.parametrize("guide", [README, *english_guides()], ids=_rel)
def test_english_paths_through_the_window_name_real_labels(guide):
    """"Help → About", "Settings → reference data": each step of a path the English text
    asks the user to follow is a page, tab, menu or button the window shows (the first
    step ends, the last one begins with a label; a step between is one)."""
    labels = english_label_set()
    prose, _code = split_code(guide.read_text(encoding="utf-8"))
    unknown = []
    for steps in _path_steps("\n".join(prose)):
        if steps[0].split()[-1][:1].islower() and all(step[:1].islower() for step in steps[1:]):
            continue  # "new → in progress → referred": values, not a path through the window
        for number, step in enumerate(steps):
            words = step.split()
            # a step ends with the label to open (all but the last) and starts with the
            # label opened (all but the first): "File → Switch user… and File → Log out"
            if (number < len(steps) - 1 and not _label_at(words, labels, from_end=True)) \
                    or (number > 0 and not _label_at(words, labels, from_end=False)):
                unknown.append(f"{' → '.join(steps)!r}: {step!r}")
    assert not unknown, f"{_rel(guide)} names steps the window does not show: {unknown}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translated_paths_through_the_window_quote_every_step(language):
    """«Настройки» → справочники: a step of a path that is not quoted is not checked against
    the window (and was one that could not be done)."""
    unquoted = []
    for guide in translated_guides(language):
        prose, _code = split_code(guide.read_text(encoding="utf-8"))
        text = " ".join(re.sub(r"\*", " ", "\n".join(prose)).split())
        # "«Sync» page → «Set-up»": a word may follow the label it names
        for match in re.finditer(r"((?:«[^«»]+»\s)?\S+|«[^«»]+») → («[^«»]+»|\S+)", text):
            left, right = match.groups()
            if left[:1].islower() and right[:1].islower():
                continue  # a sequence of values (statuses), not a path through the window
            if "«" not in left or not right.startswith("«"):
                unquoted.append(f"{guide.name}: {match.group(0)}")
    assert not unquoted, f"steps the {language} guides do not quote as labels: {unquoted}"


def _page_titles(language: str) -> list[str]:
    """The navigation's page titles in ``language``, in their order for an administrator
    (who sees every page): Ctrl+1 opens the first."""
    from desktop_app import i18n
    from desktop_app.ui.pages import discover_pages

    before = i18n.current_language()
    i18n.set_language(language)
    try:
        return [spec.title() for spec in discover_pages()]
    finally:
        i18n.set_language(before)


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_page_shortcuts_the_guides_give_open_that_page(language):
    """"The People page (… `Ctrl+1`)": Ctrl+1 opens Home; a page's Ctrl+digit in the guide's
    first paragraph is its place in the navigation."""
    titles = _page_titles(language)
    guides = english_guides() if language == "en" else translated_guides(language)
    wrong = []
    for guide in guides:
        raw = guide.read_text(encoding="utf-8")
        prose, _code = split_code(raw)
        # with inline code: the guides write keys as `Ctrl+2`
        text = " ".join(line for line, plain in zip(raw.splitlines(), prose, strict=True)
                        if plain.strip())
        for match in re.finditer(r"(?:\*\*([^*]+)\*\*|«([^«»]+)»)[^.]*?Ctrl\+(\d)\b", text):
            page = match.group(1) or match.group(2)
            if page in titles and titles.index(page) + 1 != int(match.group(3)):
                wrong.append(f"{guide.name}: {page} is Ctrl+{titles.index(page) + 1}, "
                             f"not Ctrl+{match.group(3)}")
    assert not wrong, wrong


def _runnable(line: str) -> list[str] | None:
    """A guide's ``hamroh …`` line as arguments, options in [brackets] included; None for a
    line that only sketches a command (``...``, ``a|b``, placeholders in capitals alone)."""
    import shlex

    line = re.sub(r"\s+#.*$", "", line.strip())
    match = re.match(r"(?:\w+=\S+ )*hamroh\b(.*)$", line)
    if not match or "..." in line or "…" in line or "|" in line or ">" in line:
        return None
    args = shlex.split(match.group(1).replace("[", " ").replace("]", " "))
    return ["1" if arg == "N" else arg for arg in args]   # --people N


def _command_blocks(text: str) -> list[str]:
    _prose, code = split_code(text)
    joined, pending = [], ""
    for line in code:
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return joined


@pytest.mark.parametrize("guide", [README, *english_guides()], ids=_rel)
def test_the_commands_the_guides_show_are_accepted_by_hamroh(guide, capsys):
    """Every whole ``hamroh …`` command of a code block (and of README's table) parses with
    the real command line: no renamed command or option goes unnoticed."""
    from desktop_app.cli import build_parser

    text = guide.read_text(encoding="utf-8")
    lines = _command_blocks(text)
    if guide == README:
        lines += re.findall(r"`(hamroh [^`]+)`", _readme_command_table())
    refused = []
    for line in lines:
        args = _runnable(line)
        if args is None:
            continue
        try:
            build_parser().parse_args(args)
        except SystemExit as stop:
            if stop.code:
                refused.append(f"{line!r}: {capsys.readouterr().err.strip().splitlines()[-1]}")
    assert not refused, f"{_rel(guide)} shows commands hamroh refuses: {refused}"


def _readme_command_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("| command | what it does |")
    return text[start:text.index("\n\n", start)].replace("\\|", "|")


def test_readme_lists_every_command_of_hamroh_help():
    """README's command table names every command and action ``hamroh --help`` and each
    command's --help list."""
    import argparse

    from desktop_app.cli import build_parser

    def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        return next((a.choices for a in parser._actions
                     if isinstance(a, argparse._SubParsersAction)), {})

    cells = re.findall(r"`(hamroh [^`]+)`|`([a-z][a-z-]* [^`]+)`", _readme_command_table())
    table = " ".join("hamroh " + other if other else own for own, other in cells)
    missing = []
    for name, parser in subcommands(build_parser()).items():
        commands = re.findall(rf"hamroh {re.escape(name)} ([a-z|-]+)", table)
        if not re.search(rf"hamroh {re.escape(name)}\b", table):
            missing.append(name)
        verbs = {verb for found in commands for verb in found.split("|")}
        missing += [f"{name} {verb}" for verb in subcommands(parser) if verb not in verbs]
    assert not missing, f"README's command table lacks {missing}"
