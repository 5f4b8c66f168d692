"""Reading a spreadsheet someone else made (CSV or XLSX), with bounds checked first.

The files come from other offices and donors, so nothing in them is trusted: the size of
the file, of an XLSX's unpacked parts, the number of rows and columns and the length of
every cell are checked before (or while) the file is read, never after the whole of it
is in memory. A file over a bound is refused with one sentence naming the row and column.

CSV text is decoded without guessing silently: UTF-8 (a damaged byte does not turn the
whole file into another code page: the cells with damaged characters are reported, see
``Table.damaged``), UTF-16 with or without BOM, and the Cyrillic code pages Windows, DOS
and old Macs write (cp1251, cp866, mac_cyrillic, koi8_r), chosen by how much the decoded
text looks like Russian, Tajik or Uzbek. When no encoding gives readable text, the file is
refused with a message saying to save it as UTF-8.

XLSX files are checked as a zip (declared unpacked sizes) and their first sheet and shared
strings are scanned with a streaming XML parser (cell positions, cell lengths, no DTDs)
before openpyxl reads the sheet in read-only mode within the scanned bounds.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from posixpath import basename, dirname, join, normpath
from typing import Callable
from xml.parsers import expat

from desktop_app.i18n import Domain, format_number

DOMAIN = Domain("people")
_ = DOMAIN.gettext

MAX_FILE_BYTES = 20 * 1024 * 1024        # the file as stored (CSV or XLSX)
MAX_UNPACKED_BYTES = 100 * 1024 * 1024   # all parts of an XLSX once unpacked
MAX_ZIP_MEMBERS = 2000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 4000                    # any cell
MAX_NAME_CHARS = 200                     # family, given and father's names
_CHUNK = 64 * 1024


class SheetError(Exception):
    """The file cannot be read; the message is complete, translated and fit to show."""


@dataclass(frozen=True)
class Limits:
    max_rows: int = 200_000          # rows read, the title row included
    max_columns: int = MAX_COLUMNS
    max_cell_chars: int = MAX_CELL_CHARS
    max_file_bytes: int = MAX_FILE_BYTES
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES


@dataclass
class Table:
    rows: list[tuple[int, list]]      # (row number as the user sees it, cell values)
    encoding: str | None = None       # CSV only
    # CSV decoded with replacement characters: row number -> indexes of damaged cells
    damaged: dict[int, list[int]] = field(default_factory=dict)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def damaged_message(row: int, column: int, title: str | None = None) -> str:
    """The sentence for a cell whose characters could not be decoded."""
    return _("Row {row}, column {column}: some characters are damaged (the file is not "
             "valid UTF-8 here). Correct this cell and save the file again as "
             "UTF-8.").format(row=row, column=_column_name(column, title))


def _column_name(column: int, title: str | None) -> str:
    letter = column_letter(column)
    title = " ".join(str(title or "").split())[:40]
    return f"{letter} ({title})" if title else letter


def _too_many_rows(limits: Limits) -> SheetError:
    return SheetError(_("The file has more than {count} rows: split it into smaller files.")
                      .format(count=format_number(limits.max_rows - 1)))


def _too_many_columns(row: int, count: int, limits: Limits) -> SheetError:
    return SheetError(_("Row {row} has {count} columns; at most {limit} can be read. Delete "
                        "the empty or extra columns and import the file again.").format(
        row=format_number(row), count=format_number(count),
        limit=format_number(limits.max_columns)))


def _cell_too_long(row: int, column: int, length: int | None, limits: Limits) -> SheetError:
    if length is None:
        return SheetError(_("Row {row}, column {column}: the cell is longer than {limit} "
                            "characters. Shorten it and import the file again.").format(
            row=row, column=column_letter(column), limit=limits.max_cell_chars))
    return SheetError(_("Row {row}, column {column}: the cell holds {length} characters; at "
                        "most {limit} are allowed. Shorten it and import the file "
                        "again.").format(row=row, column=column_letter(column),
                                         length=length, limit=limits.max_cell_chars))


# ---- the file itself --------------------------------------------------------------------
def read_sheet(path: str | Path, limits: Limits = Limits(), *,
               encoding: str | None = None) -> Table:
    """Rows of a CSV or the first sheet of an XLSX file, within ``limits``."""
    path = Path(path)
    if not path.exists():
        raise SheetError(_("The file {name} does not exist.").format(name=path.name))
    if not path.is_file():  # a folder, a pipe, a device: reading could wait for ever
        raise SheetError(_("{name} is not a file that can be imported: choose a .csv or "
                           ".xlsx file.").format(name=path.name))
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise SheetError(_("{name} is {size} MB; at most {limit} MB can be imported. Split it "
                           "into smaller files.").format(
            name=path.name, size=_megabytes(size), limit=_megabytes(limits.max_file_bytes)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return Table(read_xlsx(path, limits))
    if suffix == ".xls":
        raise SheetError(_("Old Excel files (.xls) cannot be read. Open the file in Excel or "
                           "LibreOffice and save it as .xlsx or .csv."))
    if suffix not in (".csv", ".txt"):
        raise SheetError(_("{name}: only .csv and .xlsx files can be imported.").format(
            name=path.name))
    with open(path, "rb") as handle:
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # grew since stat()
        raise SheetError(_("{name} is {size} MB; at most {limit} MB can be imported. Split it "
                           "into smaller files.").format(
            name=path.name, size=_megabytes(len(data)),
            limit=_megabytes(limits.max_file_bytes)))
    if encoding:
        try:
            text, lossy = data.decode(encoding), False
        except (UnicodeDecodeError, LookupError):
            raise SheetError(_("The file is not in the encoding {encoding}.").format(
                encoding=encoding)) from None
    else:
        text, encoding, lossy = decode_text(data)
    return read_csv_text(text, limits, encoding=encoding, lossy=lossy)


def _megabytes(size: int) -> str:
    """A file size in megabytes with one decimal at most, in the interface language."""
    return format_number((Decimal(size) / (1024 * 1024)).quantize(Decimal("0.1")).normalize())


# ---- CSV ------------------------------------------------------------------------------
_CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
                "ғӣқӯҳҷҒӢҚӮҲҶўЎ")
_PUNCTUATION = set("№«»–—‘’“”…•\u00a0°ʻʼ")
# what a wrong code page gives: a capital inside a word, a symbol between two letters
_ODD = re.compile(r"[а-яё][А-ЯЁ]|[^\W\d_][№«»–—“”…•\u00a0°][^\W\d_]")


def _plausibility(text: str) -> float:
    """How much ``text`` looks like Russian/Tajik/Uzbek written in this encoding (1 = fully):
    the share of non-ASCII characters that are Cyrillic letters or common punctuation,
    less a penalty for a capital letter inside a word (what a wrong code page gives)."""
    others = _ASCII.sub("", text)
    if not others:
        return 1.0
    fitting = sum(1 for c in others if c in _CYRILLIC or c in _PUNCTUATION)
    odd = len(_ODD.findall(text))
    return (fitting - 3 * odd) / len(others)


def _plain_share(text: str) -> float:
    """Share of characters that plain text in our languages is made of (UTF-16 guess)."""
    sample = text[:100_000]
    if not sample:
        return 0.0
    fitting = sum(1 for c in sample if c.isascii() and (c.isprintable() or c in "\r\n\t")
                  or c in _CYRILLIC or c in _PUNCTUATION or "\u00c0" <= c <= "\u024f")
    return fitting / len(sample)


LEGACY_ENCODINGS = ("cp1251", "mac_cyrillic", "cp866", "koi8_r")
_ASCII = re.compile("[\x00-\x7f]+")
_ASCII_OR_DAMAGED = re.compile("[\x00-\x7f\ufffd]+")
_SAMPLE_BYTES = 400_000


def decode_text(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, lossy) of a CSV file's bytes. ``lossy``: UTF-8 with damaged bytes,
    decoded with U+FFFD in their place (the caller reports the cells that have one)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8"), "utf-8", False
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), "utf-8", True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", False
        except UnicodeDecodeError:
            raise SheetError(_("The file says it is in UTF-16 but it is damaged. Save it "
                               "again as UTF-8 CSV.")) from None
    if b"\x00" in data:
        return _utf16_without_bom(data)
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    damaged = replaced.count("\ufffd")
    intact = len(_ASCII_OR_DAMAGED.sub("", replaced))
    if intact > damaged:
        return replaced, "utf-8", True
    del replaced
    sample = data[:_SAMPLE_BYTES]
    scored = [(_plausibility(sample.decode(name, errors="replace")),
               -LEGACY_ENCODINGS.index(name), name) for name in LEGACY_ENCODINGS]
    score, _order, name = max(scored)
    text = data.decode(name, errors="replace")
    if score < 0.8:
        raise SheetError(_("The characters of the file could not be recognised (it is neither "
                           "UTF-8, UTF-16 nor a Cyrillic code page). Save it as \u201cCSV "
                           "UTF-8\u201d and import it again."))
    return text, name, False


def _utf16_without_bom(data: bytes) -> tuple[str, str, bool]:
    best: tuple[float, str, str] | None = None
    if len(data) % 2 == 0:
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            share = _plain_share(text)
            if best is None or share > best[0]:
                best = (share, name, text)
    if best is None or best[0] < 0.9:
        raise SheetError(_("The file contains binary data and is not a CSV list. Save the "
                           "list as \u201cCSV UTF-8\u201d or .xlsx and import it again."))
    return best[2], best[1], False


def _delimiter(text: str) -> str:
    first = text[:65536].split("\n", 1)[0]
    if any(d in first for d in ";,\t"):
        return max((";", ",", "\t"), key=first.count)
    return ","


def read_csv_text(text: str, limits: Limits = Limits(), *, encoding: str | None = None,
                  lossy: bool = False) -> Table:
    """Rows of decoded CSV text within ``limits`` (delimiter found in the first line)."""
    table = Table([], encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, row in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise _too_many_rows(limits)
            if len(row) > limits.max_columns:
                raise _too_many_columns(number, len(row), limits)
            for column, cell in enumerate(row):
                if len(cell) > limits.max_cell_chars:
                    raise _cell_too_long(number, column, len(cell), limits)
                if lossy and "\ufffd" in cell:
                    table.damaged.setdefault(number, []).append(column)
            table.rows.append((number, row))
    except csv.Error as exc:
        # the reader's own limit (131,072 characters) or a stray quote at the end
        if "field larger" in str(exc):
            raise SheetError(_("Line {line}: a cell is longer than {limit} characters. "
                               "Shorten it and import the file again.").format(
                line=reader.line_num, limit=limits.max_cell_chars)) from None
        raise SheetError(_("Line {line} of the file cannot be read as CSV: check its quotes "
                           "and save the file again.").format(line=reader.line_num)) from None
    return table


# ---- XLSX -----------------------------------------------------------------------------
def _unreadable(path: Path) -> SheetError:
    return SheetError(_("{name} could not be read as an Excel file: it may be damaged or in "
                        "another format. Save it again as .xlsx or .csv.").format(
        name=path.name))


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit("}", 1)[-1]


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()

    def refuse(*_args) -> None:
        raise SheetError("DTD")
    # no document type declarations, so no entity expansion of any kind
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _stream(book: zipfile.ZipFile, member: str, parser: expat.XMLParserType) -> None:
    with book.open(member) as handle:
        while chunk := handle.read(_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _small_xml(book: zipfile.ZipFile, member: str, on_start: Callable[[str, dict], None]
               ) -> None:
    if book.getinfo(member).file_size > 4 * 1024 * 1024:
        raise SheetError("big")
    parser = _parser()
    parser.StartElementHandler = lambda name, attrs: on_start(_local(name), attrs)
    _stream(book, member, parser)


def _relationships(book: zipfile.ZipFile, member: str) -> dict[str, tuple[str, str]]:
    """{Id: (Type, Target)} of a part's relationships file, if it has one."""
    rels = join(dirname(member), "_rels", basename(member) + ".rels")
    found: dict[str, tuple[str, str]] = {}

    def on_start(name: str, attrs: dict) -> None:
        if name == "Relationship" and "Id" in attrs and "Target" in attrs:
            found[attrs["Id"]] = (attrs.get("Type", ""), attrs["Target"])

    if rels in book.NameToInfo:
        _small_xml(book, rels, on_start)
    return found


def _target(base: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else normpath(join(dirname(base),
                                                                           target))


def _first_sheet(book: zipfile.ZipFile) -> str:
    """Path inside the zip of the workbook's first sheet (the one openpyxl reads first)."""
    workbook = "xl/workbook.xml"
    for kind, target in _relationships(book, "").values():
        if kind.endswith("/officeDocument"):
            workbook = _target("", target)
    sheets: list[str] = []

    def on_workbook(name: str, attrs: dict) -> None:
        if name == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            if rid:
                sheets.append(rid)

    _small_xml(book, workbook, on_workbook)
    targets = _relationships(book, workbook)
    if not sheets or sheets[0] not in targets:
        raise SheetError("no sheet")
    return _target(workbook, targets[sheets[0]][1])


def _shared_strings_path(book: zipfile.ZipFile) -> str | None:
    for name in ("xl/sharedStrings.xml", "xl/sharedstrings.xml"):
        if name in book.NameToInfo:
            return name
    return None


def _long_shared_strings(book: zipfile.ZipFile, limits: Limits) -> dict[int, int]:
    """{index: length} of the shared strings longer than a cell may be."""
    member = _shared_strings_path(book)
    long: dict[int, int] = {}
    if member is None:
        return long
    parser = _parser()
    state = {"index": -1, "length": 0, "text": 0}

    def start(name: str, _attrs: dict) -> None:
        name = _local(name)
        if name == "si":
            state["index"] += 1
            state["length"] = 0
        elif name == "t":
            state["text"] += 1

    def end(name: str) -> None:
        name = _local(name)
        if name == "t":
            state["text"] -= 1
        elif name == "si" and state["length"] > limits.max_cell_chars:
            long[state["index"]] = state["length"]

    def data(text: str) -> None:
        if state["text"]:
            state["length"] += len(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    _stream(book, member, parser)
    return long


_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")


def _cell_position(ref: str) -> tuple[int, int]:
    """(row, 0-based column) of a reference like "B7"."""
    match = _CELL_REF.match(ref)
    if not match:
        raise SheetError("ref")
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column - 1


class _SheetScan:
    """Streaming pass over a sheet's XML: where its cells are and how long they are."""

    def __init__(self, limits: Limits, long_strings: dict[int, int]):
        self.limits = limits
        self.long_strings = long_strings
        self.row = 0
        self.column = -1
        self.max_row = 0
        self.max_column = -1
        self.cell_type: str | None = None
        self.length = 0
        self.value = ""
        self.in_value = 0

    def start(self, name: str, attrs: dict) -> None:
        name = _local(name)
        if name == "row":
            self.row = int(attrs["r"]) if str(attrs.get("r", "")).isdigit() else self.row + 1
            self.column = -1
        elif name == "c":
            if attrs.get("r"):
                self.row, self.column = _cell_position(attrs["r"])
            else:
                self.column += 1
            if self.row > self.limits.max_rows or self.column >= self.limits.max_columns:
                raise SheetError(_(
                    "Cell {cell} is outside the area that can be read (at most {rows} rows "
                    "and {columns} columns). Delete what is written there and import the "
                    "file again.").format(cell=f"{column_letter(self.column)}{self.row}",
                                          rows=self.limits.max_rows - 1,
                                          columns=self.limits.max_columns))
            self.cell_type = attrs.get("t")
            self.length = 0
            self.value = ""
        elif name in ("v", "t", "f"):
            self.in_value += 1

    def end(self, name: str) -> None:
        name = _local(name)
        if name in ("v", "t", "f"):
            self.in_value -= 1
        elif name == "c":
            if self.length:
                self.max_row = max(self.max_row, self.row)
                self.max_column = max(self.max_column, self.column)
            if self.cell_type == "s" and self.value.strip().isdigit():
                length = self.long_strings.get(int(self.value))
                if length is not None:
                    raise _cell_too_long(self.row, self.column, length, self.limits)

    def data(self, text: str) -> None:
        if not self.in_value:
            return
        self.length += len(text)
        if len(self.value) < 16:
            self.value += text[:16]
        if self.length > self.limits.max_cell_chars:
            raise _cell_too_long(self.row, self.column, None, self.limits)


def _check_zip(path: Path, book: zipfile.ZipFile, limits: Limits) -> None:
    infos = book.infolist()
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_ZIP_MEMBERS or unpacked > limits.max_unpacked_bytes:
        raise SheetError(_("{name} unpacks to more than {limit} MB: it is too large to "
                           "import, or not a real Excel file. Split the list into smaller "
                           "files.").format(name=path.name,
                                            limit=_megabytes(limits.max_unpacked_bytes)))


def scan_xlsx(path: Path, limits: Limits) -> tuple[int, int]:
    """(last row, number of columns) holding a value in the first sheet, after checking
    the zip's declared sizes and every cell's position and length."""
    try:
        with zipfile.ZipFile(path) as book:
            _check_zip(path, book, limits)
            sheet = _first_sheet(book)
            long_strings = _long_shared_strings(book, limits)
            scan = _SheetScan(limits, long_strings)
            parser = _parser()
            parser.StartElementHandler = scan.start
            parser.EndElementHandler = scan.end
            parser.CharacterDataHandler = scan.data
            _stream(book, sheet, parser)
    except SheetError as exc:
        if exc.args and exc.args[0] in ("DTD", "big", "no sheet", "ref"):
            raise _unreadable(path) from None
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError,
            EOFError, NotImplementedError, expat.ExpatError, RecursionError):
        raise _unreadable(path) from None
    return scan.max_row, scan.max_column + 1


def read_xlsx(path: Path, limits: Limits = Limits()) -> list[tuple[int, list]]:
    """(row number, values) of the first sheet's rows, read by openpyxl in read-only mode
    only within the area the scan found (a stated dimension is not trusted)."""
    max_row, max_column = scan_xlsx(path, limits)
    if not max_row or not max_column:
        return []
    from openpyxl import load_workbook  # deferred: openpyxl takes 0.4 s, XLSX files only
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # zip, XML or format errors from openpyxl
        raise _unreadable(path) from None
    try:
        sheet = book.worksheets[0]
        return [(number, list(row)) for number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_column, values_only=True),
            start=1)]
    except Exception:  # a cell openpyxl cannot convert (a malformed formula or value)
        raise _unreadable(path) from None
    finally:
        book.close()
