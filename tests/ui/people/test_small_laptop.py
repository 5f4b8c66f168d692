"""The People pages on the offices' 1366x768 laptops, through the real main window."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QPushButton, QWidget

from desktop_app import i18n
from desktop_app.ui.app import build_context
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.people.form import PersonDialog
from desktop_app.ui.security.consent_section import ConsentSection
from tests.helpers.people_ui import add_person


@pytest.fixture
def app_ctx(qtbot, session, db_path):
    context = build_context(db_path, session=session)
    yield context
    context.worker.stop()


def _window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    return window


def _inside_window(widget: QWidget) -> bool:
    window = widget.window()
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(widget.rect().translated(top_left))


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_every_button_of_the_person_page_can_be_reached(qtbot, app_ctx, language):
    i18n.set_language(language)
    add_person(app_ctx.session, consent_date="01.02.2024", consent_scope="referral")
    window = _window(qtbot, app_ctx)
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    # chosen with a click: the person's page beside the list, or in its place
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualRect(page.model.index(0, 0)).center())
    qtbot.waitUntil(page.detail.isVisible)
    detail = page.detail
    section = next(w for _s, _b, w in detail.sections if isinstance(w, ConsentSection))
    assert detail.body.minimumSizeHint().width() <= detail.scroll.viewport().width()
    buttons = [detail.edit_button, section.add_button, section.export_button,
               section.erase_button]
    for button in buttons:
        detail.scroll.ensureWidgetVisible(button)
        QApplication.processEvents()
        assert button.isVisible()
        assert _inside_window(button), button.text()
        assert button.visibleRegion().boundingRect().width() == button.width(), button.text()


def test_consent_given_in_the_form_is_listed_under_consent_and_data_rights(qtbot, app_ctx):
    i18n.set_language("en")
    person = add_person(app_ctx.session, consent_date="01.02.2024",
                        consent_scope="referral,sharing")
    section = ConsentSection(app_ctx, [person["id"]])
    qtbot.addWidget(section)
    rows = [[section.table.item(r, c).text() for c in range(5)]
            for r in range(section.table.rowCount())]
    assert [r[0] for r in rows] == [section._scope_label("referral"),
                                    section._scope_label("sharing")]
    assert all(r[3] == "In the registration form" for r in rows)
    assert all(r[1] == i18n.format_date("2024-02-01") for r in rows)


def test_tab_goes_through_sex_date_of_birth_and_age(qtbot, app_ctx):
    i18n.set_language("en")
    dialog = PersonDialog(app_ctx)
    qtbot.addWidget(dialog)
    form = dialog.form
    chain, widget = [], form.inputs["family_name"]
    for _step in range(8):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & widget.focusPolicy().TabFocus) or \
                isinstance(widget.parent(), QAbstractSpinBox) or widget.focusProxy():
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain[:6] == [form.inputs["given_name"], form.inputs["patronymic"], form.sex,
                         form.birth_date, form.age, form.inputs["phones"]]


def test_register_a_person_fits_a_768_pixel_screen(qtbot, app_ctx):
    dialog = PersonDialog(app_ctx)
    qtbot.addWidget(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 728
    assert all(b.isVisibleTo(dialog) for b in dialog.findChildren(QPushButton)
               if b.parent() is dialog.buttons)



@pytest.mark.parametrize("language", ["en", "tg"])
def test_an_empty_people_list_says_what_to_do_next(qtbot, app_ctx, language):
    i18n.set_language(language)
    window = _window(qtbot, app_ctx)
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.table_or_empty.showing_empty())
    tr = i18n.Domain("people").gettext
    assert page.empty_state.isVisible() and not page.table.isVisible()
    assert "Ctrl+N" in page.empty_state.message()
    assert page.empty_state.button.text() == tr("Register a person")
    page.empty_state.button.click()
    assert page.dialog is not None and page.dialog.isVisible()
    page.dialog.reject()


def test_a_search_without_matches_offers_to_clear_it(qtbot, app_ctx):
    add_person(app_ctx.session)
    window = _window(qtbot, app_ctx)
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert not page.table_or_empty.showing_empty()
    page.search.setText("Zzzyx")
    qtbot.waitUntil(lambda: page.table_or_empty.showing_empty())
    assert page.empty_state.message() == "Nobody matches the search and the filters."
    page.empty_state.button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.search.text() == "" and page.table.isVisible()


def test_the_status_bar_shows_the_count_once_and_nothing_stale_on_other_pages(qtbot, app_ctx):
    add_person(app_ctx.session)
    add_person(app_ctx.session, family_name="Karimov", given_name="Jamshid")
    window = _window(qtbot, app_ctx)
    page = window.show_page("people")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.search.setText("Karimov")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.count_label.text() == "1 of 2 people"
    assert window.statusBar().currentMessage() == ""      # the page shows it, not twice
    assert window.count_label.text() == "2 people"
    app_ctx.status_message.emit("Saved.")
    window.show_page("settings")
    assert window.statusBar().currentMessage() == ""      # nothing left from People


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_the_migration_episodes_titles_read_whole_and_fit_the_form(qtbot, app_ctx, language):
    i18n.set_language(language)
    dialog = PersonDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.form.episodes.table
    header = table.horizontalHeader()
    for column in range(header.count()):
        assert header.sectionSize(column) >= header.sectionSizeFromContents(column).width(), \
            table.horizontalHeaderItem(column).text()
    assert sum(header.sectionSize(c) for c in range(header.count())) \
        <= table.viewport().width() + 1
