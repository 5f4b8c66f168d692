"""Alt+letter reaches one control: two labels of one window must not share an access key
(translated labels chose their own letters, and the Tajik first-run dialog once had two
Alt+Н)."""
import re

import pytest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

from desktop_app import i18n
from desktop_app.ui.first_run import FirstRunDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages import discover_pages

ACCESS_KEY = re.compile(r"&([^&\s])")


def shared_access_keys(root: QWidget) -> dict[str, list[str]]:
    """Access keys that more than one visible label or button of ``root`` uses."""
    seen: dict[str, list[str]] = {}
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, (QAbstractButton, QLabel, QGroupBox)) or not widget.isVisible():
            continue
        text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
        found = ACCESS_KEY.search(text.replace("&&", ""))
        if found:
            seen.setdefault(found.group(1).lower(), []).append(text)
    return {key: texts for key, texts in seen.items() if len(texts) > 1}


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
