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


@pytest.mark.parametrize("language", ["ru", "tg", "uz"])
def test_the_file_dialog_qt_draws_itself_speaks_the_language(qtbot, language, tmp_path):
    """On Linux without a desktop file dialog Qt draws its own: every label, button and
    column of it comes from our catalogs, none stays English."""
    from PySide6.QtWidgets import QAbstractButton, QFileDialog, QHeaderView, QLabel, QWidget
    app = QApplication.instance()
    install_translator(app)
    i18n.set_language(language)
    refresh(app)
    try:
        dialog = QFileDialog(None, "", str(tmp_path), "PDF (*.pdf)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        qtbot.addWidget(dialog)
        dialog.show()
        shown: list[str] = []
        for widget in dialog.findChildren(QWidget):
            if not widget.isVisible():
                continue
            if isinstance(widget, (QLabel, QAbstractButton)):
                shown += [widget.text(), widget.toolTip()]
            if isinstance(widget, QHeaderView) and widget.model() is not None:
                shown += [str(widget.model().headerData(i, widget.orientation()))
                          for i in range(widget.count())]
        english = {"Look in:", "File name:", "Files of type:", "Save", "Cancel", "Name", "Size",
                   "Type", "Date Modified", "Back", "Forward", "Parent Directory",
                   "Create New Folder", "List View", "Detail View"}
        left = {text.replace("&", "") for text in shown} & english
        assert left == set()
    finally:
        i18n.set_language("en")
        refresh(app)
