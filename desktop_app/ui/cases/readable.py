"""Keep a page readable in every language on a 1366-pixel screen: column titles never cut
(a column at least as wide as its title), and a list box too narrow for its choice shows
the whole choice in its tooltip (Qt elides the text in the box).

Used by the cases, inspections and loans pages; a candidate for the shared widget kit.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QWidget


def fit_titles(view: QAbstractItemView) -> None:
    """Widen the columns narrower than their (translated) title."""
    if not shiboken6.isValid(view):     # a model outliving its view, as it is destroyed
        return
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.isSectionHidden(column):
            continue
        needed = header.sectionSizeFromContents(column).width()
        if header.sectionSize(column) < needed:
            header.resizeSection(column, needed)


def tooltip_follows(combo: QComboBox) -> None:
    """The box's tooltip is its current choice, whole."""
    if combo.property("tooltip_follows"):
        return
    combo.setProperty("tooltip_follows", True)
    combo.currentTextChanged.connect(combo.setToolTip)
    combo.setToolTip(combo.currentText())


def keep_readable(root: QWidget) -> None:
    """Apply both to every table and list box under ``root`` (now and after each refill
    or relabelling of a table)."""
    for combo in root.findChildren(QComboBox):
        if not combo.isEditable():
            tooltip_follows(combo)
    for view in root.findChildren(QAbstractItemView):
        header = getattr(view, "horizontalHeader", None)
        model = view.model()
        if header is None or model is None or view.property("fit_titles"):
            continue
        view.setProperty("fit_titles", True)
        model.modelReset.connect(lambda view=view: fit_titles(view))
        model.headerDataChanged.connect(
            lambda orientation, _first, _last, view=view:
            orientation == Qt.Orientation.Horizontal and fit_titles(view))
        fit_titles(view)
