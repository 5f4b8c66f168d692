"""ListDetail: side by side when the list's wanted width and the detail's minimum fit, else
one at a time with a Back button (Alt+Left, Escape) that returns the focus to the list's
row; decided again on resize and after a change of language; the detail kept as it was."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView

from desktop_app import i18n
from desktop_app.ui.widgets import ListDetail, fits_side_by_side, style_table, wanted_width
from desktop_app.ui.widgets.list_detail import HANDLE


@pytest.mark.parametrize("available, fits", [(1000, True), (1100, True), (999, False),
                                             (400, False)])
def test_the_decision_is_the_sum_of_list_handle_and_detail(available, fits):
    assert fits_side_by_side(available, 600, 400 - HANDLE) is fits


def _panes(qtbot, list_width=500, detail_width=400):
    model = QStandardItemModel(3, 2)
    for row in range(3):
        for column in range(2):
            model.setItem(row, column, QStandardItem(f"item {row} {column}"))
    view = QTableView()
    view.setModel(model)
    style_table(view)
    detail = QLineEdit()
    widths = {"list": list_width, "detail": detail_width}
    split = ListDetail(view, detail, list_width=lambda: widths["list"],
                       detail_width=lambda: widths["detail"], list_view=view)
    qtbot.addWidget(split)
    return split, view, detail, widths


def _settle(qtbot):
    qtbot.wait(20)
    QApplication.processEvents()


def test_wide_enough_both_show_and_there_is_no_back_button(qtbot):
    split, view, detail, _ = _panes(qtbot)
    split.resize(1200, 500)
    split.show()
    _settle(qtbot)
    assert split.side_by_side()
    split.show_detail()
    assert view.isVisible() and detail.isVisible()
    assert not split.back_button.isVisible()
    # the list keeps its wanted width, the detail takes the rest
    assert view.width() >= 500 and detail.width() >= 400


def test_too_narrow_one_at_a_time_with_back_keys_and_focus_on_the_row(qtbot):
    split, view, detail, _ = _panes(qtbot)
    split.resize(800, 500)
    split.show()
    _settle(qtbot)
    assert not split.side_by_side()
    assert view.isVisible() and not detail.isVisible()   # the list first
    view.setCurrentIndex(view.model().index(2, 0))
    split.show_detail(focus=detail)
    _settle(qtbot)
    assert detail.isVisible() and not view.isVisible()
    assert split.back_button.isVisible() and split.back_button.text()
    assert split.back_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    detail.setText("not saved yet")
    QTest.mouseClick(split.back_button, Qt.MouseButton.LeftButton)
    _settle(qtbot)
    assert view.isVisible() and not detail.isVisible()
    assert view.hasFocus() and view.currentIndex().row() == 2
    # the detail as it was, unsaved text and all
    split.show_detail(focus=detail)
    _settle(qtbot)
    assert detail.text() == "not saved yet"
    for keys in ((Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),
                 (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier)):
        split.show_detail(focus=detail)
        _settle(qtbot)
        assert detail.hasFocus()
        QTest.keyClick(detail, *keys)
        _settle(qtbot)
        assert view.isVisible() and not detail.isVisible(), keys
        assert view.hasFocus()


def test_a_resize_decides_again(qtbot):
    split, view, detail, _ = _panes(qtbot)
    split.resize(1200, 500)
    split.show()
    split.show_detail()
    _settle(qtbot)
    changes = []
    split.layout_changed.connect(changes.append)
    split.resize(800, 500)
    _settle(qtbot)
    assert changes == [False]
    assert detail.isVisible() and not view.isVisible()   # the item stays in front
    split.resize(1300, 500)
    _settle(qtbot)
    assert changes == [False, True]
    assert detail.isVisible() and view.isVisible() and not split.back_button.isVisible()


def test_a_change_of_language_decides_again_and_translates_the_button(qtbot):
    split, view, detail, widths = _panes(qtbot)
    split.resize(1000, 500)
    split.show()
    _settle(qtbot)
    assert split.side_by_side()
    try:
        i18n.set_language("tg")
        widths["list"] = 700          # longer column titles
        split.retranslate()
        _settle(qtbot)
        assert not split.side_by_side()
        assert split.back_button.text() == "Бозгашт ба рӯйхат"
    finally:
        i18n.set_language("en")
        split.retranslate()


def test_without_a_detail_the_list_takes_the_page(qtbot):
    split, view, detail, _ = _panes(qtbot)
    split.resize(1200, 500)
    split.show()
    split.set_detail_available(False)
    _settle(qtbot)
    assert view.isVisible() and not detail.isVisible()
    assert view.width() > 1100


def test_the_lists_wanted_width_holds_every_column_whole(qtbot):
    model = QStandardItemModel(2, 2)
    model.setHorizontalHeaderLabels(["Short", "A much longer column title"])
    model.setItem(0, 0, QStandardItem("a rather long piece of text in the first column"))
    view = QTableView()
    view.setModel(model)
    style_table(view)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    _settle(qtbot)
    metrics = view.fontMetrics()
    wanted = wanted_width(view)
    assert wanted > metrics.horizontalAdvance("a rather long piece of text in the first column") \
        + metrics.horizontalAdvance("A much longer column title")
    assert wanted_width(view, [0]) < wanted
