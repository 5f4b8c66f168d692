"""Qt's own texts (dialog buttons) are never blank, in any language."""
import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from desktop_app import i18n
from desktop_app.i18n.qt import install_translator, refresh

BUTTONS = (QDialogButtonBox.Ok | QDialogButtonBox.Cancel | QDialogButtonBox.Save
           | QDialogButtonBox.Yes | QDialogButtonBox.No | QDialogButtonBox.Close)


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_dialog_buttons_have_text(qtbot, language):
    app = QApplication.instance()
    install_translator(app)
    i18n.set_language(language)
    refresh(app)
    try:
        box = QDialogButtonBox(BUTTONS)
        qtbot.addWidget(box)
        texts = {button.text().replace("&", "") for button in box.buttons()}
        assert len(texts) == 6 and "" not in texts, texts
        message = QMessageBox(QMessageBox.Question, "t", "q", QMessageBox.Yes | QMessageBox.No)
        qtbot.addWidget(message)
        assert all(b.text().replace("&", "") for b in message.buttons())
        if language == "en":
            assert {"OK", "Cancel", "Save", "Yes", "No", "Close"} == texts
        if language == "tg":
            assert "Бекор кардан" in texts
    finally:
        i18n.set_language("en")
        refresh(app)
