"""The recovery-key step offers Print and Copy; choosing the first password logs in."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.ui.security.dialogs import FirstPasswordDialog, RecoveryKeyDialog
from tests.helpers.pdf import pdf_text

KEY = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567"


def test_the_recovery_key_can_be_copied_and_printed(qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter
    dialog = RecoveryKeyDialog(KEY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.print_button.isVisible() and dialog.copy_button.isVisible()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == KEY
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "key.pdf"))
    dialog.print_key(printer)
    assert KEY in pdf_text(tmp_path / "key.pdf")


def test_after_choosing_the_first_password_the_window_opens_without_a_second_login(
        qtbot, tmp_path):
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    from desktop_app.ui.security.gate import ensure_protected, open_with_login
    path = tmp_path / "new.db"
    conn = open_database(path, create=True)
    initialise(conn, office_code="KHJ", office_name="Khujand", admin_username="malika")
    conn.close()
    shown = []

    def fill():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, FirstPasswordDialog)
        dialog.quiet = True
        qtbot.keyClicks(dialog.new, "khujand-pass-1")
        qtbot.keyClicks(dialog.repeat, "khujand-pass-1")
        dialog.save()
    QTimer.singleShot(50, fill)
    assert ensure_protected(path)

    def no_login_window():
        shown.append(QApplication.activeModalWidget())
        if QApplication.activeModalWidget() is not None:
            QApplication.activeModalWidget().reject()
    QTimer.singleShot(200, no_login_window)
    session = open_with_login(path)
    assert session is not None and session.actor.username == "malika"
    qtbot.wait(250)
    assert shown == [None]
    session.conn.close()
