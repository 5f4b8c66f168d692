"""Script-independent matching keys for names, phones and document numbers.

Names are stored exactly as typed; these keys are derived from them so that
Раҳмонов, Рахмонов, Рахманов, Rahmonov, Rakhmonov and Raxmonov all give ``rahmanav``.

The key is a phonetic skeleton in ASCII:
1. Cyrillic (Russian, Tajik, Uzbek Cyrillic) is transliterated to Latin.
2. Spelling variants that different transliteration habits produce are folded:
   kh/x/h/ҳ -> h, q/қ -> k, gʻ/gh/ғ -> g, oʻ/ӯ/ў -> u, dzh/dj/zh/ҷ/ж -> j, ch/ч -> c,
   sh/щ -> s, ts/ц -> c, y/ы/ӣ/e/э -> i, o -> a, w -> v, doubled letters collapse.
The folding deliberately over-merges (o/a, e/i); ranking by similarity to the typed
text puts the closest spelling first.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo",
    "ж": "j", "з": "z", "и": "i", "ӣ": "i", "й": "y", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ӯ": "u", "ў": "u", "ф": "f", "х": "x", "ҳ": "h", "ц": "ts", "ч": "ch", "ҷ": "j",
    "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "i", "є": "e", "ң": "n", "ө": "o", "ү": "u", "ә": "a", "һ": "h",
}
# Apostrophe-like marks used in Uzbek Latin (oʻ, gʻ) and elsewhere.
_APOSTROPHES = "ʻʼ’‘'`´ʹ"
_LATIN_FOLDS = (
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"),
    ("ch", "c"), ("sh", "s"), ("ts", "c"), ("x", "h"), ("q", "k"), ("w", "v"),
    ("y", "i"), ("e", "i"), ("o", "a"),
)
_NON_LETTERS = re.compile(r"[^a-z]+")
_DOUBLES = re.compile(r"(.)\1+")
_TOKEN_SPLIT = re.compile(r"[\s\-‐‑–—,.;/()]+")


_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)
_APOSTROPHE_TABLE = str.maketrans({mark: "" for mark in _APOSTROPHES})


def _strip_marks(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def transliterate(text: str) -> str:
    """Lower-case Latin rendering of any-script text (marks Uzbek oʻ/gʻ as u/g)."""
    if text.isascii():
        # the same steps for plain ASCII (already NFC; only ' and ` of the marks)
        text = text.lower()
        if "'" in text or "`" in text:
            for mark in "'`":
                if mark in text:
                    text = text.replace("o" + mark, "u").replace("g" + mark, "g")
            text = text.replace("'", "").replace("`", "")
        return text
    text = unicodedata.normalize("NFC", text).lower()
    for mark in _APOSTROPHES:
        if mark in text:
            text = text.replace("o" + mark, "u").replace("g" + mark, "g")
    text = text.translate(_APOSTROPHE_TABLE).translate(_CYRILLIC_TABLE)
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else _strip_marks(ch) for ch in text)


# Names repeat a great deal (a registry of 1M people has a few thousand family names):
# keys are remembered so that imports and search do not fold the same name again.
@lru_cache(maxsize=65536)
def name_key(token: str) -> str:
    """Matching key of one name token ("" when it has no letters)."""
    text = transliterate(token)
    text = _NON_LETTERS.sub("", text)
    for old, new in _LATIN_FOLDS:
        text = text.replace(old, new)
    return _DOUBLES.sub(r"\1", text)


def split_name(text: str) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(text or "") if t]


def name_keys(*names: str | None) -> list[str]:
    """Keys of every token of the given names, in order, without repeats."""
    keys: list[str] = []
    for name in names:
        for token in split_name(name or ""):
            key = name_key(token)
            if key and key not in keys:
                keys.append(key)
    return keys


def full_name_key(*names: str | None) -> str:
    return " ".join(name_keys(*names))


_DIGITS = re.compile(r"\D+")


def phone_key(phone: str | None) -> str:
    """The last nine digits of a phone number: the same subscriber in +992, 8-10-992 or
    local form."""
    digits = _DIGITS.sub("", phone or "")
    return digits[-9:] if len(digits) >= 7 else ""


def document_key(number: str | None) -> str:
    """Document numbers compare without spaces, dashes or case; Cyrillic look-alikes fold to
    Latin."""
    text = transliterate(number or "").upper()
    return re.sub(r"[^0-9A-Z]", "", text)


def query_keys(term: str) -> list[str]:
    """Keys for a search term typed by a user (each token becomes a prefix to match)."""
    return name_keys(term)
