"""CSV cells that a spreadsheet program will not run as formulas (CSV injection).

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some versions, a tab or a carriage return) as a formula when they open a
CSV file: ``=HYPERLINK(...)`` sends data away, ``=cmd|' /C calc'!A0`` starts a program.
Every CSV file Hamroh writes passes its text cells through :func:`safe_cell`, which puts
an apostrophe before such a cell: the spreadsheet shows the text (``'-Rahmonov``), and
nothing runs. Plain numbers (``-12``, ``+3.5``) stay numbers.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


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
