"""Every page fits a 1366-pixel laptop screen in every language.

Translated labels are much longer than the English ones; a row of buttons or a combo box
sized to its longest item once made the window 1,700 pixels wide in Tajik.
"""
import pytest

from desktop_app import i18n
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import discover_pages

SMALL_LAPTOP_WIDTH = 1366
WINDOW_FRAME = 16


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_window_fits_a_small_laptop_in_every_language(qtbot, ctx, language):
    i18n.set_language(language)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    too_wide = {}
    for spec in discover_pages():
        window.show_page(spec.key)
        width = window.minimumSizeHint().width()
        if width + WINDOW_FRAME > SMALL_LAPTOP_WIDTH:
            too_wide[spec.key] = width
    assert not too_wide
