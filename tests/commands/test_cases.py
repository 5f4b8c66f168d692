"""``hamroh cases`` and ``hamroh inspections`` commands on a real database file."""
from __future__ import annotations

import re
from datetime import date, timedelta

from desktop_app.cli import main as hamroh
from desktop_app.store.access import default_actor, open_database
from desktop_app.store.cases import services as cs
from desktop_app.store.session import Session


def seed(db_path):
    conn = open_database(db_path)
    session = Session(conn, default_actor(conn))
    opened = (date.today() - timedelta(days=4)).isoformat()
    case = cs.open_case(session, dict(channel="hotline", category="entry_ban", opened_on=opened,
                                      caller_name="Фарход"))
    cs.add_followup(session, case["id"], opened, "Call back about the ban")
    cs.change_status(session, case["id"], "resolved")
    conn.close()
    return case["number"]


def test_list_show_status_and_pdf(db_path, tmp_path, capsys):
    number = seed(db_path)
    assert hamroh(["cases", "list", "--db", str(db_path), "--search", "Farhod"]) == 0
    assert number in capsys.readouterr().out
    assert hamroh(["cases", "due", "--db", str(db_path)]) == 0
    assert "Call back about the ban" in capsys.readouterr().out
    # reopening without a reason is refused with one clear message
    assert hamroh(["cases", "status", "--db", str(db_path), number, "in_progress"]) == 1
    assert "Say why the case is reopened." in capsys.readouterr().err
    assert hamroh(["cases", "status", "--db", str(db_path), number, "in_progress",
                   "--reason", "New ban notice"]) == 0
    assert hamroh(["--lang", "ru", "cases", "show", "--db", str(db_path), number]) == 0
    out = capsys.readouterr().out
    assert "Решено → В работе: New ban notice" in out
    # timeline dates as the language writes them, never ISO
    assert re.search(r"^  \d{2}\.\d{2}\.\d{4}  ", out, re.M)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", out)
    pdf = tmp_path / "case.pdf"
    assert hamroh(["cases", "pdf", "--db", str(db_path), number, "--out", str(pdf),
                   "--language", "tg"]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert hamroh(["--lang", "en", "cases", "show", "--db", str(db_path), "NOPE-1"]) == 1
    assert "No case has the number NOPE-1." in capsys.readouterr().err
