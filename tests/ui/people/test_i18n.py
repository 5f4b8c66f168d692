"""Switching language re-labels the People page and the form without losing typed text."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop_app.i18n import set_language
from desktop_app.ui.people.page import PeoplePage
from tests.helpers.people_ui import add_person, no_duplicates, type_text


def test_switching_to_tajik_relabels_everything_and_keeps_typing(ctx, qtbot):
    add_person(ctx.session, sex="female", migration_status="returned",
               episodes=[dict(destination_country="RU", sector="construction")])
    page = PeoplePage(ctx)
    page.duplicate_finder = no_duplicates
    qtbot.addWidget(page)
    page.show()
    page.table.selectRow(0)
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    type_text(dialog.form.inputs["family_name"], "Исмоилова")
    type_text(dialog.form.birth_date, "31.02.1990")
    dialog.form.country.set_code("TJ")
    dialog.form.region.set_code("TJ-RR")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.form.errors["given_name"].text() == "Enter the given name."

    set_language("tg")
    page.retranslate()

    # the list
    assert page.new_button.text() == "Шахси нав"
    assert page.model.headerData(0, Qt.Horizontal) == "Ному насаб"
    assert page.model.headerData(4, Qt.Horizontal) == "Вазъи муҳоҷират"
    assert page.model.index(0, 1).data() == "Зан"
    assert page.model.index(0, 4).data() == "Баргашта"
    assert page.sex_filter.itemText(0) == "Ҳама ҷинсҳо"
    assert page.count_label.text() == "1 шахс"
    # reference labels follow the language
    assert page.model.index(0, 3).data() == "Рашт / Ғарм"
    assert page.detail.episodes_table.item(0, 0).text() == "Русия"
    assert page.detail.fact_labels["sex"][0].text() == "Ҷинс"
    # the open form: new labels, typed text and choices kept
    assert dialog.windowTitle() == "Ба қайд гирифтани шахс"
    assert dialog.buttons.button(QDialogButtonBox.Save).text() == "Нигоҳ доштан"
    assert dialog.form.inputs["family_name"].text() == "Исмоилова"
    assert dialog.form.birth_date.text() == "31.02.1990"
    assert dialog.form.country.currentText() == "Тоҷикистон"
    assert dialog.form.region.code() == "TJ-RR"
    captions = [w.title() if hasattr(w, "title") else w.text() for w, _m in dialog.form._labels]
    assert "Насаб" in captions and "Санаи таваллуд" in captions
    # messages shown after the switch are in Tajik
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.form.errors["birth_date"].text() == (
        "Санаро дар шакли рр.мм.сссс нависед, масалан 07.03.1991.")
    assert dialog.form.errors["given_name"].text() == "Номро ворид кунед."


def test_every_language_has_its_labels(ctx, qtbot):
    page = PeoplePage(ctx)
    qtbot.addWidget(page)
    expected = {"ru": "Новый человек", "uz": "Yangi shaxs", "tg": "Шахси нав",
                "en": "New person"}
    for language, text in expected.items():
        set_language(language)
        page.retranslate()
        assert page.new_button.text() == text
