"""The main window as a user meets it: the menu, who is logged in, the window's size."""
import pytest
from PySide6.QtGui import QKeySequence

from desktop_app import i18n
from desktop_app.ui.main_window import MainWindow


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_quit_shows_ctrl_q_in_every_language(qtbot, ctx, language):
    i18n.set_language(language)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    shown = window.quit_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert shown == "Ctrl+Q"
