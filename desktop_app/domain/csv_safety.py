"""CSV cells that a spreadsheet program will not run as formulas (CSV injection).

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some versions, a tab or a carriage return) as a formula when they open a
CSV file: ``=HYPERLINK(...)`` sends data away, ``=cmd|' /C calc'!A0`` starts a program.
Every CSV file Hamroh writes passes its text cells through :func:`safe_cell`, which puts
an apostrophe before such a cell: the spreadsheet shows the text (``'-Rahmonov``), and
nothing runs. Plain numbers (``-12``, ``+3.5``) stay numbers.

A spreadsheet may also cut one of our cells in two. Excel in a Russian, Tajik or Uzbek
Windows opens a CSV file by the list separator of those settings, ``;``, and reads a quote
that does not open a field as plain text, so ``Rahmonov;=1+1`` (which the CSV writer does
not quote) becomes the cells ``Rahmonov`` and ``=1+1``; LibreOffice cuts wherever the user
ticks (semicolon, tab), and a line break inside a cell ends a row for such a reader. So
every part of a text after ``;``, a tab or a line break gets the same apostrophe when it
would start a formula (``Rahmonov;'=1+1``). Leading spaces do not hide a formula either.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_SEPARATORS = ";\t\r\n"
# a part after a separator: spaces or quotes, then a formula's first character
_PART = re.compile(r'(?<=[;\t\r\n])([ \u00a0"]*)([=+\-@\uff1d\uff0b\uff0d\uff20][^;\t\r\n]*)')


def _inert_part(match: re.Match) -> str:
    if _PLAIN_NUMBER.fullmatch(match.group(2).rstrip(" ")):
        return match.group(0)
    return match.group(1) + "'" + match.group(2)


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula (as a
    whole, or in a part it may cut the text into)."""
    if not isinstance(value, str):
        return value
    text = _PART.sub(_inert_part, value) if any(s in value for s in _SEPARATORS) else value
    head = text.lstrip(" \u00a0")
    if head.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(head.rstrip(" ")):
        return "'" + text
    return text


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeWriter:
    """A ``csv.writer`` whose text cells cannot start a formula."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(safe_row(row))
