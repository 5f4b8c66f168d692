"""A field of free text over several lines (what happened, household notes, a reason).

Tab moves on to the next field, as in every other field of a form, instead of typing a tab
character: a plain QPlainTextEdit kept the keyboard inside it, so a user working without a
mouse could not reach the fields below it nor Save, and notes gathered stray tabs. Enter
still starts a new line."""
from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit


class NotesEdit(QPlainTextEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
