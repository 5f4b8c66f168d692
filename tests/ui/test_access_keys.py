"""Alt+letter reaches one control: two labels of one window must not share an access key
(translated labels chose their own letters, and the Tajik first-run dialog once had two
Alt+Н)."""
import pytest

from desktop_app import i18n
from desktop_app.ui.first_run import FirstRunDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import discover_pages
from tests.journeys.driver import shared_access_keys


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
