"""Setting the sensitive-case key up from the window (the Administration page's Users and
roles tab), as `hamroh security sensitive-key` does from the command line."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from desktop_app.i18n import Domain, format_number
from desktop_app.store.security import accounts, sensitive
from desktop_app.store.security.keys import KeyProblem, WrongPassword
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations, style
from desktop_app.ui.security.dialogs import _error_label, _password_field

DOMAIN = Domain("security")
_ = DOMAIN.gettext
_core = Domain("core").gettext

# what the set-up writes: the cases and the texts about them, and the audit log
CHANGES = ("hotline_case", "case_event", "case_followup", "case_referral", "audit_log")


def may_set_up(ctx) -> bool:
    """The rule of the command and of ``UserAdmin.set_up_sensitive_key``."""
    return ctx.can(*accounts.SENSITIVE_KEY_RIGHT)


def set_up(session, db_path, password: str, passphrase: str):
    """Runs on the database worker: (backup, cases sealed, fingerprint, the key)."""
    backup, sealed = accounts.UserAdmin(session, db_path).set_up_sensitive_key(password,
                                                                                passphrase)
    fingerprint = sensitive.fingerprint(sensitive.public_key(session.conn) or "")
    return backup, sealed, fingerprint, sensitive.held(session)


class SensitiveKeyDialog(QDialog):
    """The organisation's passphrase twice and the administrator's own password; the
    set-up runs off the UI thread and its result is shown in the dialog."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.sealed = False
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.already = QLabel()
        self.already.setWordWrap(True)
        style.muted(self.already)
        self.passphrase = _password_field()
        self.passphrase.setObjectName("passphrase")
        self.repeat = _password_field()
        self.repeat.setObjectName("repeat")
        self.password = _password_field()
        self.password.setObjectName("password")
        self.labels = [QLabel() for _i in range(3)]
        self.form = QFormLayout()
        for label, field in zip(self.labels, (self.passphrase, self.repeat, self.password),
                                strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.error = _error_label()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.seal_button = QPushButton()
        self.seal_button.setObjectName("seal")
        self.seal_button.setDefault(True)
        self.seal_button.clicked.connect(self.start)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(style.GAP)
        layout.addWidget(self.intro)
        layout.addWidget(self.already)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addLayout(style.button_row(primary_button=self.seal_button,
                                          others=[self.cancel_button]))
        self.setMinimumWidth(520)
        self.retranslate()
        self.passphrase.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Sensitive-case key"))
        self.intro.setText(_(
            "The texts of sensitive cases get sealed: only case workers, coordinators and "
            "administrators can read them. Every office and the coordinator must type the "
            "same passphrase; a backup of the database is written first. Do it once."))
        public = sensitive.public_key(self.ctx.conn)
        self.already.setText(_(
            "The key is already set up here (fingerprint {fingerprint}): the same "
            "passphrase again only seals what is still plain.").format(
                fingerprint=sensitive.fingerprint(public)) if public else "")
        self.already.setVisible(bool(public))
        texts = (_("&Passphrase:"), _("&Repeat the passphrase:"), _("Your pass&word:"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.passphrase.setPlaceholderText(_("at least {count} characters").format(
            count=format_number(sensitive.PASSPHRASE_MIN_LENGTH)))
        self.seal_button.setText(_("&Seal sensitive cases"))
        self.cancel_button.setText(_core("Close") if self.sealed else _core("Cancel"))

    # ---- checks before anything is written ------------------------------------------------
    def problem(self) -> tuple[str, QLineEdit] | None:
        passphrase = self.passphrase.text()
        if not sensitive.long_enough(passphrase):
            return (_("The sensitive-case passphrase must have at least 12 characters."),
                    self.passphrase)
        if passphrase.strip() != self.repeat.text().strip():
            return _("The two passphrases differ."), self.repeat
        if not self.password.text():
            return _("Enter your password."), self.password
        return None

    def show_error(self, message: str, field: QLineEdit | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        if field is not None:
            field.setFocus()
            field.selectAll()

    # ---- the set-up -----------------------------------------------------------------------
    def start(self) -> None:
        if self.running or self.sealed:
            return
        found = self.problem()
        if found is not None:
            self.show_error(*found)
            return
        self.error.hide()
        self._busy(True)
        password, passphrase = self.password.text(), self.passphrase.text()
        db_path = self.ctx.db_path
        operations.WriteOp(self.ctx, self,
                           lambda session: set_up(session, db_path, password, passphrase),
                           changes=CHANGES).success(self._finished).failure(self._failed).run()

    def _busy(self, running: bool) -> None:
        self.running = running
        for widget in (self.passphrase, self.repeat, self.password, self.seal_button,
                       self.cancel_button):
            widget.setEnabled(not running)
        self.status.setText(_("Sealing sensitive cases… This can take a minute.")
                            if running else "")
        self.status.setVisible(running)

    def _finished(self, result) -> None:
        backup, sealed, fingerprint, key = result
        # the window's own session reads the sealed cases from now on
        sensitive.hold(self.ctx.session, key)
        self._busy(False)
        self.sealed = True
        for widget in (self.passphrase, self.repeat, self.password):
            widget.clear()
        for field in (self.passphrase, self.repeat, self.password):
            self.form.setRowVisible(field, False)
        self.already.hide()
        self.seal_button.hide()
        self.cancel_button.setDefault(True)
        self.cancel_button.setText(_core("Close"))
        self.cancel_button.setFocus()
        self.status.setText("\n\n".join((
            _("Sensitive cases are sealed ({count} sealed now); a backup was written to "
              "{path}.").format(count=format_number(sealed), path=backup)
            + " " + sensitive.backup_warning(),
            _("Key fingerprint: {fingerprint}. Every office must show the same one.").format(
                fingerprint=fingerprint),
            _("Case workers, coordinators and administrators whom an administrator added or "
              "gave a new password get the key at their next login after an administrator's; "
              "the others, once an administrator resets their password."))))
        self.status.show()
        self.adjustSize()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        nothing = _("Nothing was changed.")
        if isinstance(exc, WrongPassword):
            self.password.clear()
            self.show_error(_("Your password is wrong.") + " " + nothing, self.password)
        elif isinstance(exc, sensitive.WrongSensitivePassphrase):
            self.show_error(str(exc) + " " + nothing, self.passphrase)
        elif isinstance(exc, (KeyProblem, PermissionDenied)):
            self.show_error(str(exc) + " " + nothing)
        else:
            self.show_error(operations.error_message(exc))

    def reject(self) -> None:
        if not self.running:        # the set-up finishes before the window closes
            super().reject()
