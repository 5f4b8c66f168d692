"""Combos of codes: a fixed list of choices (``CodeCombo``) or reference data (``RefCombo``).

The combo keeps the chosen code, not the text: relabelling after a language change keeps
the choice, and ``code()`` is what the pages save.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QTabBar

from desktop_app.i18n import current_language
from desktop_app.store import reference


def no_label() -> str:
    return ""


class CodeCombo(QComboBox):
    """A combo of (code, label) choices that keeps the chosen code across relabelling.

    With ``blank`` the first entry is "not chosen" (code ``None``) with the text ``blank()``;
    with ``blank=None`` there is no such entry and the first choice is preselected.
    """

    code_changed = Signal(object)

    def __init__(self, blank: Callable[[], str] | None = no_label, parent=None):
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
        if self._blank is not None:
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
        first = 0
        if self._blank is not None:
            self.setItemText(0, self._blank())
            first = 1
        for i, (_code, label) in enumerate(self._choices, start=first):
            self.setItemText(i, label())


class RefCombo(CodeCombo):
    """Reference data of one ``kind`` (db/reference), labelled in the UI language.

    ``parent_code`` limits the choices to the children of one item (the districts of a
    region); with ``all_if_no_parent=False`` a combo whose parent is not chosen is empty
    instead of listing every child of every parent.
    """

    def __init__(self, conn, kind: str, blank: Callable[[], str] | None = no_label, *,
                 parent_code: str | None = None, all_if_no_parent: bool = True, parent=None):
        super().__init__(blank, parent)
        self.conn = conn
        self.kind = kind
        self.all_if_no_parent = all_if_no_parent
        self.parent_code: str | None = None
        self.load(parent_code)

    def load(self, parent_code: str | None = None) -> None:
        """Read the choices again (children of ``parent_code``); keep the code if offered."""
        self.parent_code = parent_code
        if parent_code is None and not self.all_if_no_parent:
            found = []
        else:
            found = reference.items(self.conn, self.kind, parent_code)
        self.set_choices([(item.code, (lambda it=item: it.label(current_language())))
                          for item in found])


def compact_combo(combo: QComboBox, characters: int = 16) -> QComboBox:
    """Show the current item elided instead of sizing the box to its longest item."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def refit_to_language(root) -> None:
    """Size the lists and tab bars under ``root`` to their items again after a change of
    language: a box sized on first show keeps the width of the old language's longest item
    otherwise (a filter reading "Парвандаҳои ку" after a switch from English), and a tab
    bar whose page was hidden during the switch kept the old language's tab widths (the
    Sync page's "Ҷудонигоҳдошта" cut to "энигоҳдо")."""
    for bar in root.findChildren(QTabBar):
        # what a change of style does: the tabs laid out again from their texts
        QApplication.sendEvent(bar, QEvent(QEvent.Type.StyleChange))
    for combo in root.findChildren(QComboBox):
        policy = combo.sizeAdjustPolicy()
        if policy == QComboBox.SizeAdjustPolicy.AdjustToContentsOnFirstShow:
            # setting the policy it already has is ignored: pass through another to forget
            # the size worked out for the old language
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setSizeAdjustPolicy(policy)
            combo.updateGeometry()
