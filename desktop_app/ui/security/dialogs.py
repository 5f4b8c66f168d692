"""Login, change password, recovery, reason for opening a sensitive record."""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from desktop_app.i18n import Domain
from desktop_app.store.db import DatabaseError
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys
from desktop_app.store.security.keys import forget_key
from desktop_app.store.security.policy import grant_reason
from desktop_app.store.session import PermissionDenied, ReasonRequired
from desktop_app.ui.widgets import NotesEdit

DOMAIN = Domain("security")
_ = DOMAIN.gettext


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _lay_out(dialog: QDialog, accept) -> QDialogButtonBox:
    """Intro, form, error line and OK/Cancel, the shape every password dialog here shares."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(dialog.intro)
    layout.addLayout(dialog.form)
    layout.addWidget(dialog.error)
    layout.addWidget(buttons)
    return buttons


class LoginDialog(QDialog):
    """User name + password for one database file; ``session`` is set when accepted."""

    def __init__(self, db_path, parent=None, username: str = ""):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.session = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.password = _password_field()
        self.password.setObjectName("password")
        self.error = _error_label()
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.username)
        self.form.addRow(QLabel(), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        self.recover_button = QPushButton()
        self.recover_button.setFlat(True)
        self.recover_button.clicked.connect(self.use_recovery_key)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.recover_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.retranslate()
        (self.password if username else self.username).setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Log in to Hamroh"))
        self.title.setText(_("Database: {name}").format(name=self.db_path.name))
        self.form.labelForField(self.username).setText(_("User name"))
        self.form.labelForField(self.password).setText(_("Password"))
        self.recover_button.setText(_("Forgot the password? Use the recovery key"))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def try_login(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self.show_error(_("Enter your user name and password."))
            return
        try:
            with self._waits_shown():
                session = security.login(self.db_path, name, password)
        except (DatabaseError, PermissionDenied) as exc:
            self.password.clear()
            self.password.setFocus()
            self.show_error(str(exc))
            return
        if security.must_change_password(session):
            change = ChangePasswordDialog(session, self.db_path, self, forced=True,
                                          old_password=password)
            if change.exec() != QDialog.DialogCode.Accepted:
                session.conn.close()
                forget_key(self.db_path)
                self.show_error(_("Choose a new password to continue."))
                return
        self.session = session
        self.accept()

    @contextlib.contextmanager
    def _waits_shown(self) -> Iterator[None]:
        """A wait for the key file (another Hamroh program is writing it) is shown in
        the dialog while it lasts, and its end too."""
        def show(message: str) -> None:
            self.show_error(message)
            QApplication.processEvents()
        keys.set_wait_reporter(show)
        try:
            yield
        finally:
            keys.set_wait_reporter(None)

    def use_recovery_key(self) -> None:
        dialog = RecoveryDialog(self.db_path, self, username=self.username.text().strip())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.session = dialog.session
            self.accept()


class ChangePasswordDialog(QDialog):
    def __init__(self, session, db_path, parent=None, *, forced: bool = False,
                 old_password: str | None = None):
        super().__init__(parent)
        self.admin = security.UserAdmin(session, db_path)
        self.forced = forced
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.old = _password_field()
        self.old.setObjectName("old")
        if old_password is not None:
            self.old.setText(old_password)
        self.new = _password_field()
        self.new.setObjectName("new")
        self.repeat = _password_field()
        self.repeat.setObjectName("repeat")
        self.error = _error_label()
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.old)
        self.form.addRow(QLabel(), self.new)
        self.form.addRow(QLabel(), self.repeat)
        if old_password is not None:
            self.form.setRowVisible(self.old, False)
        _lay_out(self, self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Change password"))
        self.intro.setText(_("An administrator gave you a temporary password. Choose your own "
                             "password (at least 8 characters).") if self.forced else
                           _("At least 8 characters. Nobody, not even an administrator, can "
                             "read your password."))
        self.form.labelForField(self.old).setText(_("Current password"))
        self.form.labelForField(self.new).setText(_("New password"))
        self.form.labelForField(self.repeat).setText(_("Repeat the new password"))

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            self.error.setText(_("The two passwords differ."))
            self.error.show()
            return
        try:
            self.admin.change_own_password(self.old.text(), self.new.text())
        except (DatabaseError, PermissionDenied) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


class RecoveryDialog(QDialog):
    def __init__(self, db_path, parent=None, username: str = ""):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.session = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.key = QLineEdit()
        self.key.setObjectName("recovery")
        self.key.setPlaceholderText("ABCD-EFGH-…")
        self.username = QLineEdit(username)
        self.username.setObjectName("username")
        self.new = _password_field()
        self.new.setObjectName("new")
        self.repeat = _password_field()
        self.repeat.setObjectName("repeat")
        self.error = _error_label()
        self.form = QFormLayout()
        for field in (self.key, self.username, self.new, self.repeat):
            self.form.addRow(QLabel(), field)
        _lay_out(self, self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Open with the recovery key"))
        self.intro.setText(_("Type the recovery key printed when the database was created, and "
                             "choose a new password for a user."))
        self.form.labelForField(self.key).setText(_("Recovery key"))
        self.form.labelForField(self.username).setText(_("User name"))
        self.form.labelForField(self.new).setText(_("New password"))
        self.form.labelForField(self.repeat).setText(_("Repeat the new password"))

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            self.error.setText(_("The two passwords differ."))
            self.error.show()
            return
        try:
            self.session = security.recover(self.db_path, self.key.text(),
                                            self.username.text().strip(), self.new.text())
        except (DatabaseError, PermissionDenied) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.accept()


class ReasonDialog(QDialog):
    """Why a user opens a sensitive record that is not assigned to them."""

    def __init__(self, message: str, parent=None):
        super().__init__(parent)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.reason = NotesEdit()
        self.reason.setObjectName("reason")
        self.reason.setMaximumHeight(90)
        self.error = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setWindowTitle(_("Sensitive case"))

    def _check(self) -> None:
        if len(self.reason.toPlainText().strip()) < 5:
            self.error.setText(_("Write the reason in a few words (at least 5 letters)."))
            self.error.show()
            return
        self.accept()


def require_with_reason(ctx, action: str, table: str, row: dict, parent=None) -> bool:
    """``ctx.session.require`` that asks for a reason when one is needed.

    Returns True when the user may go on (the reason, if any, is in the audit log). Pages
    call this before showing a sensitive record's details.
    """
    try:
        ctx.session.require(action, table, row)
        return True
    except ReasonRequired as exc:
        dialog = ReasonDialog(str(exc), parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        grant_reason(ctx.session, exc.table, exc.record_id,
                              dialog.reason.toPlainText())
        ctx.session.require(action, table, row)
        return True
    except PermissionDenied as exc:
        QMessageBox.warning(parent, _("Not allowed"), str(exc))
        return False


class FirstPasswordDialog(QDialog):
    """The administrator's password for a new database, which is then encrypted; shows the
    recovery key to print."""

    def __init__(self, db_path, username: str, parent=None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.username = username
        self.recovery_key = None
        self.session = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.new = _password_field()
        self.new.setObjectName("new")
        self.repeat = _password_field()
        self.repeat.setObjectName("repeat")
        self.error = _error_label()
        self.form = QFormLayout()
        self.form.addRow(QLabel(), self.new)
        self.form.addRow(QLabel(), self.repeat)
        self.buttons = _lay_out(self, self.save)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Administrator password"))
        self.intro.setText(_("Choose the password of {name}. The database is encrypted with "
                             "it: without a password nobody can read it, even with the file.")
                           .format(name=self.username))
        self.form.labelForField(self.new).setText(_("New password"))
        self.form.labelForField(self.repeat).setText(_("Repeat the new password"))

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            self.error.setText(_("The two passwords differ."))
            self.error.show()
            return
        try:
            backup, self.recovery_key = security.encrypt_existing(
                self.db_path, admin_username=self.username, password=self.new.text())
        except (DatabaseError, PermissionDenied) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        backup.unlink(missing_ok=True)      # a new, empty database: nothing to keep plain
        # the administrator has just typed the password: the main window opens without
        # asking for it again at once (gate.open_with_login takes this session)
        try:
            self.session = security.login(self.db_path, self.username, self.new.text())
        except (DatabaseError, PermissionDenied):
            self.session = None
        box = RecoveryKeyDialog(self.recovery_key, self)
        box.setObjectName("recoveryBox")
        if not getattr(self, "quiet", False):
            box.exec()
        self.accept()


class RecoveryKeyDialog(QDialog):
    """Shows a new recovery key with Print and Copy, so that it really is put on paper."""

    def __init__(self, key: str, parent=None):
        super().__init__(parent)
        self.key = key
        self.setWindowTitle(_("New recovery key"))
        self.intro = QLabel(_("Print this key and keep it in a safe. It opens the database if "
                              "every password is lost. Nobody can show it again."))
        self.intro.setWordWrap(True)
        self.key_label = QLabel(key)
        self.key_label.setObjectName("recovery_key")
        self.key_label.setStyleSheet("font-family: monospace; font-size: 15pt;")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setWordWrap(True)
        self.print_button = QPushButton(_("Print…"))
        self.print_button.setObjectName("print_key")
        self.print_button.clicked.connect(self.print_key)
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.setObjectName("copy_key")
        self.copy_button.clicked.connect(self.copy_key)
        self.done_button = QPushButton(_("I have printed or written it down"))
        self.done_button.setObjectName("key_kept")
        self.done_button.clicked.connect(self.accept)
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        row.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.key_label)
        layout.addWidget(self.note)
        layout.addLayout(row)

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.key)
        self.note.setText(_("Copied. Paste it where it can be printed, then delete it there."))

    def page_text(self) -> str:
        return "\n\n".join([_("Hamroh recovery key"), self.key, self.intro.text()])

    def print_key(self, printer=None) -> None:
        from PySide6.QtPrintSupport import (  # deferred: printing loads only when used
            QPrintDialog,
            QPrinter,
        )
        if printer is None:
            printer = QPrinter()
            if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
                return
        document = QTextDocument()
        document.setPlainText(self.page_text())
        document.print_(printer)
        self.note.setText(_("Sent to the printer."))
