"""Alt+letter reaches one control: two labels of one window must not share an access key
(translated labels chose their own letters, and the Tajik first-run dialog once had two
Alt+Н)."""
import pytest

from desktop_app import i18n
from desktop_app.ui.first_run import FirstRunDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import discover_pages
from tests.journeys.driver import ACCESS_KEY, shared_access_keys


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_each_access_key_reaches_one_control(qtbot, ctx, language, tmp_path):
    i18n.set_language(language)
    shared = {}
    first_run = FirstRunDialog(tmp_path / "new.db")
    qtbot.addWidget(first_run)
    first_run.show()
    if found := shared_access_keys(first_run):
        shared["first run"] = found
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    for spec in discover_pages():
        window.show_page(spec.key)
        if found := shared_access_keys(window):
            shared[spec.key] = found
    assert shared == {}


def _menu_clashes(menu_texts: list[str]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for text in menu_texts:
        if found := ACCESS_KEY.search(text.replace("&&", "")):
            seen.setdefault(found.group(1).lower(), []).append(text)
    return {key: texts for key, texts in seen.items() if len(texts) > 1}


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_each_menu_letter_reaches_one_item(qtbot, ctx, language):
    """Within the menu bar and within each menu, a letter opens one item (Log out and Quit
    once shared Alt+Б in Tajik and were both «Chiqish» in Uzbek)."""
    i18n.set_language(language)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    bar = window.menuBar().actions()
    clashes = {}
    if found := _menu_clashes([a.text() for a in bar]):
        clashes["menu bar"] = found
    for top in bar:
        if top.menu() is None:
            continue
        items = [a.text() for a in top.menu().actions() if not a.isSeparator()]
        if found := _menu_clashes(items):
            clashes[top.text()] = found
        names = [t.replace("&", "") for t in items]
        assert len(names) == len(set(names)), f"two items of {top.text()!r} read the same: {names}"
    assert clashes == {}
