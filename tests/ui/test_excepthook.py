"""An exception nobody caught, in a slot or in a thread: its traceback goes to the log file
and the user sees, in their language, that saved work is kept and which file to send."""
import threading

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from desktop_app import logs
from desktop_app.i18n import set_language
from desktop_app.ui import excepthook

# what the user must read in each language: the title, that saved work is kept, what to do
EXPECTED = {
    "en": ("Something went wrong", "What you had already saved is kept.",
           "Please send this file to your coordinator or administrator."),
    "tg": ("Мушкиле пеш омад", "Он чи шумо аллакай нигоҳ доштед, гум нашудааст.",
           "Лутфан ин файлро ба ҳамоҳангсоз ё маъмури худ фиристед."),
}


@pytest.fixture
def reporter(log_home):
    installed = excepthook.install(logs.set_up("window"))
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()


def _failing_button(qtbot, message):
    button = QPushButton("Save")
    qtbot.addWidget(button)

    def save_the_form():
        raise RuntimeError(message)
    button.clicked.connect(save_the_form)
    return button


@pytest.mark.qt_no_exception_capture
@pytest.mark.parametrize("language", ["en", "tg"])
def test_exception_in_a_slot_is_logged_and_the_dialog_names_the_log_file(qtbot, reporter,
                                                                        log_home, language):
    set_language(language)
    title, kept, advice = EXPECTED[language]
    button = _failing_button(qtbot, "the form could not be saved")

    button.click()

    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert dialog.windowTitle() == title
    assert kept in dialog.text()
    assert str(log_home) in dialog.informativeText()
    assert advice in dialog.informativeText()
    log = log_home.read_text(encoding="utf-8")
    assert "CRITICAL desktop_app.ui.excepthook [MainThread] Uncaught exception" in log
    assert "Traceback (most recent call last)" in log and "in save_the_form" in log
    assert "RuntimeError: the form could not be saved" in log


@pytest.mark.qt_no_exception_capture
# the hook passes the exception on to the one before it, here pytest's, which warns
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_exception_in_a_thread_shows_the_dialog_on_the_ui_thread(qtbot, reporter, log_home):
    def export_bundle():
        raise OSError("disk full")
    thread = threading.Thread(target=export_bundle, name="export")
    thread.start()
    thread.join()

    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog.thread() is QApplication.instance().thread()
    assert str(log_home) in reporter.dialog.informativeText()
    log = log_home.read_text(encoding="utf-8")
    assert "Uncaught exception in thread export" in log and "OSError: disk full" in log


@pytest.mark.qt_no_exception_capture
def test_further_exceptions_are_logged_without_a_second_dialog(qtbot, reporter, log_home):
    button = _failing_button(qtbot, "first failure")
    button.click()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    first = reporter.dialog

    button.click()
    qtbot.wait(50)

    assert reporter.dialog is first
    assert log_home.read_text(encoding="utf-8").count("RuntimeError: first failure") == 2
    first.accept()
    qtbot.waitUntil(lambda: reporter.dialog is None)
    button.click()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())


@pytest.mark.qt_no_exception_capture
def test_without_a_log_file_the_dialog_says_to_tell_what_happened(qtbot, log_home):
    reporter = excepthook.install(None)
    try:
        _failing_button(qtbot, "no log").click()
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        assert "could not be written to a log file" in reporter.dialog.informativeText()
    finally:
        reporter.uninstall()
        if reporter.dialog is not None:
            reporter.dialog.close()
