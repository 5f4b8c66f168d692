"""The cases, inspections and loans pages are read whole at 1366x768 in every language:
no button, list or column title cut (a text elided shows whole in its tooltip)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QHeaderView, QLabel, QTabWidget

from tests.journeys.driver import tr
from tests.journeys.work import qt_translations

__all__ = ["qt_translations"]


def cut_texts(root) -> list[str]:
    """Texts of visible controls that do not fit their control."""
    return cut_controls(root) + cut_titles(root)


def cut_controls(root) -> list[str]:
    cut = []
    for button in root.findChildren(QAbstractButton):
        if button.isVisible() and button.text() and type(button).__name__ == "QPushButton" \
                and button.width() < button.sizeHint().width() and not button.toolTip():
            cut.append(f"button {button.text()!r} {button.width()} < {button.sizeHint().width()}")
    for combo in root.findChildren(QComboBox):
        if not combo.isVisible() or combo.isEditable() or not combo.currentText():
            continue
        text_width = combo.fontMetrics().horizontalAdvance(combo.currentText())
        if combo.width() - 30 < text_width and combo.toolTip() != combo.currentText():
            cut.append(f"list {combo.currentText()!r} {combo.width()}")
    for label in root.findChildren(QLabel):
        if label.isVisible() and label.text() and not label.wordWrap() \
                and label.width() < label.sizeHint().width() - 2 and label.buddy() is not None:
            cut.append(f"label {label.text()!r}")
    return cut


def cut_titles(root) -> list[str]:
    cut = []
    for header in root.findChildren(QHeaderView):
        if not header.isVisible() or header.orientation() != Qt.Orientation.Horizontal:
            continue
        model = header.model()
        for column in range(header.count()):
            if header.isSectionHidden(column) or header.sectionSize(column) == 0:
                continue
            text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = header.sectionSizeFromContents(column).width()
            if text and header.sectionSize(column) < width \
                    and not model.headerData(column, Qt.Orientation.Horizontal,
                                             Qt.ItemDataRole.ToolTipRole):
                cut.append(f"column {text!r} {header.sectionSize(column)} < {width}")
    return cut


PAGES = [("cases", "Cases"), ("inspections", "Inspections"), ("loans", "Loans")]


@pytest.mark.parametrize("lang", ["tg", "ru", "uz", "en"])
def test_nothing_is_cut_on_the_cases_inspections_and_loans_pages(log_in_as, lang):
    journey = log_in_as("admin", lang)
    problems = []
    for domain, title in PAGES:
        page = journey.go(tr(domain, title))
        if hasattr(page, "wait_idle"):
            page.wait_idle()
        tabs = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        for index in range(tabs[0].count() if tabs else 1):
            if tabs:
                tabs[0].setCurrentIndex(index)
                journey.settle()
            if domain == "loans" and index == 0:
                table = page.loans.table
                table.selectRow(0)
                journey.settle()
            journey.window.grab().save(f"/tmp/fit-{domain}-{index}-{lang}.png")
            problems += [f"{title}/{index}: {p}" for p in cut_texts(page)]
    assert not problems, "\n".join(problems)


def test_filters_read_whole_after_switching_from_english_to_tajik(log_in_as):
    journey = log_in_as("admin", "en")
    journey.go(tr("cases", "Cases"))
    journey.go(tr("loans", "Loans"))
    journey.go(tr("core", "Settings"))
    journey.pick(tr("core", "&Language:"), "Тоҷикӣ")
    journey.settle()
    assert tr("cases", "Cases") == "Парвандаҳо"
    cut = []
    for domain, title in (("cases", "Cases"), ("loans", "Loans")):
        page = journey.go(tr(domain, title))
        journey.settle()
        for combo in page.findChildren(QComboBox):
            if combo.isVisible() and not combo.isEditable() and combo.currentText():
                text_width = combo.fontMetrics().horizontalAdvance(combo.currentText())
                if combo.width() - 30 < text_width:
                    cut.append(f"{title}: {combo.currentText()!r} {combo.width()} < {text_width}")
    assert not cut, "\n".join(cut)
