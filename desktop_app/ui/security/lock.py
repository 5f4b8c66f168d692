"""Auto-lock: after some idle minutes a cover hides the window until the password is typed.

The window and any unsaved work stay underneath; only the user who is logged in can
unlock (with their password; wrong ones are audited as ``failed_unlock``).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain
from desktop_app.store.security import keys
from desktop_app.store.security.accounts import audit_event

DOMAIN = Domain("security")
_ = DOMAIN.gettext

DEFAULT_IDLE_MINUTES = 10
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
             QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class LockOverlay(QFrame):
    """Covers the whole window; the widgets below keep their state."""

    def __init__(self, window: QWidget, ctx):
        super().__init__(window)
        self.ctx = ctx
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockOverlay { background: #263238; } QLabel { color: white; }")
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.who = QLabel()
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaximumWidth(280)
        self.password.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton()
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton()
        self.switch_button.setObjectName("switch_user")
        self.switch_button.clicked.connect(self.switch_user)
        self.error = QLabel()
        self.error.setStyleSheet("color: #ffab91;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (self.title, self.who, self.password, self.unlock_button, self.error,
                       self.switch_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.title.setText(_("Hamroh is locked"))
        actor = self.ctx.actor
        self.who.setText(_("Logged in as {name}. Type your password to continue.")
                         .format(name=actor.display_name or actor.username))
        self.unlock_button.setText(_("Unlock"))
        self.switch_button.setText(_("Switch user…"))
        self.switch_button.setToolTip(_("Another user logs in; this window closes."))

    def lock(self) -> None:
        # everything under the cover stays as it is, but takes no keys or shortcuts
        self._disabled = [w for w in self.parentWidget().findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if w is not self and w.isEnabled()]
        for widget in self._disabled:
            widget.setEnabled(False)
        self.setGeometry(self.parentWidget().rect())
        self.error.clear()
        self.password.clear()
        self.show()
        self.raise_()
        self.password.setFocus()

    def try_unlock(self) -> None:
        try:
            keys.KeyFile.for_database(self.ctx.db_path).unlock(self.ctx.actor.username,
                                                               self.password.text())
        except keys.KeyProblem as exc:
            self.password.clear()
            self.error.setText(str(exc))
            audit_event(self.ctx.session, "failed_unlock")
            return
        audit_event(self.ctx.session, "unlock")
        for widget in getattr(self, "_disabled", []):
            widget.setEnabled(True)
        self._disabled = []
        self.hide()

    def switch_user(self) -> None:
        """Someone else logs in at the locked window (maker-checker without quitting)."""
        window = self.parentWidget()
        for widget in getattr(self, "_disabled", []):
            widget.setEnabled(True)
        self.hide()
        switch = getattr(window, "switch_user", None)
        if switch is None or not switch("switch_user"):
            self.lock()   # kept working here (unsaved changes): locked as before

    def eventFilter(self, obj, event):  # keep the cover sized with the window
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False


class IdleLocker(QObject):
    """Watches the application's input; locks ``window`` after ``minutes`` without any."""

    def __init__(self, window: QWidget, ctx, minutes: float = DEFAULT_IDLE_MINUTES):
        super().__init__(window)
        self.overlay = LockOverlay(window, ctx)
        window.installEventFilter(self.overlay)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.start()

    @property
    def locked(self) -> bool:
        return self.overlay.isVisible()

    def lock(self) -> None:
        if not self.locked:
            self.overlay.lock()

    def eventFilter(self, obj, event):
        if event.type() in _ACTIVITY and not self.locked:
            self.timer.start()
        return False
