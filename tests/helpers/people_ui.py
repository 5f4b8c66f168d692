"""Shared helpers of the People UI tests."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QApplication

from desktop_app.store.people import listing as people_list


@dataclass
class Candidate:
    """The shape of store.people.duplicates candidates: .person, .score, .reasons."""
    person: dict
    score: float
    reasons: list = field(default_factory=list)


def no_duplicates(conn, values, limit=5):
    return []


def add_person(session, **values):
    base = dict(family_name="Раҳмонов", given_name="Фарҳод", sex="male",
                birth_date="07.03.1991", country="TJ", region="TJ-RR", district="TJ-RASHT",
                jamoat="TJ-RASHT-GARM", migration_status="abroad")
    base.update(values)
    episodes = base.pop("episodes", [])
    return people_list.save_person(session, base, episodes)


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table} WHERE deleted=0").fetchone()[0]


def answer_modal(qtbot, button_text_or_role, seen: list):
    """Answer the next modal box (the unsaved-changes guard) by clicking a button."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button_text_or_role).click()

    QTimer.singleShot(0, click)


def type_text(widget, text: str) -> None:
    """Type any-script text into a widget as key events (QTest only types ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    for ch in text:
        key = Qt.Key_Space if ch == " " else Qt.Key_unknown
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.NoModifier, ch))
