"""Small widgets of the People screens: reference-data combos, field error labels."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel

from desktop_app.i18n import Domain, current_language
from desktop_app.store import reference

DOMAIN = Domain("people")
_ = DOMAIN.gettext

ERROR_STYLE = "color: #b00020;"


class CodeCombo(QComboBox):
    """A combo of (code, label) choices that keeps the chosen code across relabelling.

    The first entry is "not chosen" (code ``None``) with the text from ``blank``.
    """

    code_changed = Signal(object)

    def __init__(self, blank: Callable[[], str] = lambda: "", parent=None):
        super().__init__(parent)
        self._blank = blank
        self._choices: list[tuple[str, Callable[[], str]]] = []
        self.currentIndexChanged.connect(self._index_changed)
        self.set_choices([])

    def _index_changed(self, _index: int) -> None:
        self.code_changed.emit(self.code())

    def set_choices(self, choices: list[tuple[str, Callable[[], str]]]) -> None:
        """Replace the choices (code, label function); keep the code if it is still offered."""
        keep = self.code()
        self._choices = list(choices)
        self.blockSignals(True)
        self.clear()
        self.addItem(self._blank(), None)
        for code, label in self._choices:
            self.addItem(label(), code)
        index = self.findData(keep) if keep is not None else 0
        self.setCurrentIndex(max(index, 0))
        self.blockSignals(False)
        if self.code() != keep:
            self.code_changed.emit(self.code())

    def code(self):
        return self.currentData()

    def set_code(self, code) -> None:
        index = self.findData(code) if code else 0
        if index < 0 and code:
            # a code this installation does not know (e.g. from another office): show it as is
            self._choices.append((code, lambda c=code: c))
            self.addItem(code, code)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))

    def retranslate(self) -> None:
        self.setItemText(0, self._blank())
        for i, (_code, label) in enumerate(self._choices, start=1):
            self.setItemText(i, label())


class RefCombo(CodeCombo):
    """Choices from reference data of one ``kind`` (optionally children of a parent code)."""

    def __init__(self, conn, kind: str, blank: Callable[[], str] = lambda: "", parent=None):
        super().__init__(blank, parent)
        self.conn = conn
        self.kind = kind
        self.parent_code: str | None = None
        self._items: dict[str, reference.RefItem] = {}

    def load(self, parent_code: str | None = None, *, all_if_no_parent: bool = True) -> None:
        self.parent_code = parent_code
        if parent_code is None and not all_if_no_parent:
            found = []
        else:
            found = reference.items(self.conn, self.kind, parent_code)
        self._items = {item.code: item for item in found}
        self.set_choices([(item.code, (lambda it=item: it.label(current_language())))
                          for item in found])


class FieldError(QLabel):
    """A red message under a field; hidden when empty."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_error(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


def yes_no(value) -> str:
    return _("Yes") if value else _("No")
