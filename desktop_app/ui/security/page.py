"""Administration page: users and roles, the audit log, consents that ran out."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.actors import ROLES
from desktop_app.i18n import (
    Domain,
    current_language,
    format_date,
    format_datetime,
    format_number,
)
from desktop_app.store.audit import verify_chain
from desktop_app.store.db import DatabaseError
from desktop_app.store.reference import ReferenceRepository  # noqa: F401
from desktop_app.store.security import accounts as security
from desktop_app.store.security import sensitive, signing
from desktop_app.store.security.audit import (
    AuditFilter,
    action_label,
    audit_actions,
    audit_entries,
    break_message,
)
from desktop_app.store.security.consent import expired_consents
from desktop_app.store.session import PermissionDenied
from desktop_app.ui import operations, style
from desktop_app.ui.reports.letterhead_tab import LetterheadTab
from desktop_app.ui.security.audit_text import change_text, record_text
from desktop_app.ui.security.dialogs import (
    ChangePasswordDialog,
    RecoveryKeyDialog,
    _error_label,
    _password_field,
)
from desktop_app.ui.security.roles import role_label
from desktop_app.ui.security.sensitive_key import SensitiveKeyDialog, may_set_up
from desktop_app.ui.widgets import DataTable, DateEntry, EmptyState, TableOrEmpty, wrapping_row

DOMAIN = Domain("security")
_ = DOMAIN.gettext
ngettext = DOMAIN.ngettext


class UserDialog(QDialog):
    """New user: name, full name, role, first password."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("display_name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        self.password = _password_field()
        self.password.setObjectName("password")
        self.error = _error_label()
        form = QFormLayout()
        form.addRow(_("User name"), self.username)
        form.addRow(_("Full name"), self.display_name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("First password"), self.password)
        hint = QLabel(_("The user must choose their own password at the first login."))
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setWindowTitle(_("New user"))


class UsersTab(QWidget):
    COLUMNS = 5

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.admin = security.UserAdmin(ctx.session, ctx.db_path)
        self.table = DataTable(self.COLUMNS, fit_columns=True)
        self.table.setObjectName("users")
        self.add_button = style.primary(QPushButton())
        self.add_button.setObjectName("add_user")
        self.role_box = QComboBox()
        self.role_box.setObjectName("role_box")
        self.role_button = QPushButton()
        self.active_button = QPushButton()
        self.reset_button = QPushButton()
        self.recovery_button = QPushButton()
        self.sensitive_button = QPushButton()
        self.sensitive_button.setObjectName("sensitive_key")
        self.sensitive_button.setVisible(may_set_up(ctx))
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.change_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.recovery_button.clicked.connect(self.new_recovery_key)
        self.sensitive_button.clicked.connect(self.set_up_sensitive_key)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        # readers who get the sensitive-case key only with a new password
        self.key_notice = QLabel()
        self.key_notice.setObjectName("key_notice")
        self.key_notice.setWordWrap(True)
        self.key_notice.setStyleSheet("QLabel { border: 1px solid #c77700; border-radius: 4px;"
                                      " padding: 6px; }")
        self.key_notice.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_row(self.add_button, self.role_box, self.role_button,
                                      self.active_button, self.reset_button,
                                      self.recovery_button, self.sensitive_button))
        layout.addWidget(self.key_notice)
        layout.addWidget(self.table)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_("User name"), _("Full name"), _("Role"),
                                              _("Status"), _("Last login here")])
        self.add_button.setText(_("New user…"))
        self.role_button.setText(_("Set role"))
        self.reset_button.setText(_("Reset password…"))
        self.recovery_button.setText(_("New recovery key…"))
        self.sensitive_button.setText(_("Sensitive-case key…"))
        current = self.role_box.currentData()
        self.role_box.clear()
        for role in ROLES:
            self.role_box.addItem(role_label(role), role)
        if current:
            self.role_box.setCurrentIndex(self.role_box.findData(current))
        self._selection_changed()
        self.refresh()

    def refresh(self) -> None:
        users = self.admin.list_users()
        self.users = users
        rows = []
        for user in users:
            status = _("active") if user["active"] else _("inactive")
            if user["active"] and not user["can_log_in_here"]:
                status = _("no password on this computer")
            elif user["must_change"]:
                status = _("must change password")
            rows.append((user["username"], user["display_name"] or "", role_label(user["role"]),
                         status, format_datetime(user["last_login_at"])))
        self.table.set_rows(rows, keys=users)
        self._selection_changed()
        self._show_key_notice()

    def _show_key_notice(self) -> None:
        waiting = []
        if self.ctx.session.actor.role == signing.ADMIN:
            waiting = [u["display_name"] or u["username"]
                       for u in self.admin.readers_waiting_for_key()]
        self.key_notice.setText(sensitive.waiting_notice(waiting) if waiting else "")
        self.key_notice.setVisible(bool(waiting))

    def selected(self) -> dict | None:
        return self.table.selected_key()

    def _selection_changed(self) -> None:
        user = self.selected()
        for widget in (self.role_button, self.active_button, self.reset_button, self.role_box):
            widget.setEnabled(user is not None)
        self.active_button.setText(_("Deactivate") if user is None or user["active"]
                                   else _("Activate"))
        if user is not None:
            self.role_box.setCurrentIndex(self.role_box.findData(user["role"]))

    def _run(self, func, *args) -> bool:
        try:
            func(*args)
        except (DatabaseError, PermissionDenied, ValueError) as exc:
            QMessageBox.warning(self, _("Not saved"), str(exc))
            return False
        self.refresh()
        self._announce()
        return True

    def _announce(self) -> None:
        # user administration stays on the UI thread: it wraps the database key with the
        # key the UI session was unlocked with
        operations.announce(self.ctx, "app_user")

    def add_user(self) -> None:
        dialog = UserDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                self.admin.add_user(dialog.username.text(), dialog.password.text(),
                                    dialog.role.currentData(), dialog.display_name.text())
            except (DatabaseError, PermissionDenied) as exc:
                dialog.error.setText(str(exc))
                dialog.error.show()
                continue
            self.refresh()
            self._announce()
            return

    def change_role(self) -> None:
        user = self.selected()
        if user:
            self._run(self.admin.set_role, user["id"], self.role_box.currentData())

    def toggle_active(self) -> None:
        user = self.selected()
        if user:
            self._run(self.admin.set_active, user["id"], not user["active"])

    def reset_password(self) -> None:
        user = self.selected()
        if not user:
            return
        dialog = QDialog(self)
        dialog.setWindowTitle(_("Reset password"))
        field = _password_field()
        field.setObjectName("password")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel(_("Temporary password for {name}; they must change it at the "
                                  "next login.").format(name=user["username"])))
        layout.addWidget(field)
        layout.addWidget(buttons)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._run(self.admin.reset_password, user["id"], field.text())

    def new_recovery_key(self) -> None:
        answer = QMessageBox.question(self, _("New recovery key"), _(
            "Make a new recovery key? The old printed key stops working."))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            text = self.admin.new_recovery_key()
        except (DatabaseError, PermissionDenied) as exc:
            QMessageBox.warning(self, _("Not saved"), str(exc))
            return
        RecoveryKeyDialog(text, self).exec()

    def set_up_sensitive_key(self) -> None:
        SensitiveKeyDialog(self.ctx, self).exec()
        self.refresh()


class AuditTab(QWidget):
    COLUMNS = 5
    PAGE_SIZE = 500

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.action = QComboBox()
        self.action.setObjectName("action")
        self.user = QLineEdit()
        self.user.setObjectName("user")
        self.since = DateEntry()
        self.since.setObjectName("since")
        self.since.setDate(QDate.currentDate().addMonths(-1))
        self.text = QLineEdit()
        self.text.setObjectName("text")
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("apply")
        self.verify_button = QPushButton()
        self.verify_button.setObjectName("verify")
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.table = DataTable(self.COLUMNS, fit_columns=True)
        self.table.setObjectName("audit")
        self.filter_labels = [QLabel() for _i in range(4)]
        # each filter beside its label; the row wraps in the longer languages
        pairs = []
        for label, widget in zip(self.filter_labels, (self.action, self.user, self.since,
                                                      self.text), strict=True):
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.addWidget(label)
            pair_layout.addWidget(widget)
            pairs.append(pair)
        style.primary(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapping_row(*pairs, self.apply_button, self.verify_button))
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        self.apply_button.clicked.connect(self.refresh)
        self.user.returnPressed.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        self.verify_button.clicked.connect(self.verify)
        self.retranslate()

    def retranslate(self) -> None:
        for label, text in zip(self.filter_labels, (_("Action"), _("User"), _("From"),
                                                    _("Record or detail")), strict=True):
            label.setText(text)
        self.apply_button.setText(_("Show"))
        self.verify_button.setText(_("Check the chain"))
        self.table.setHorizontalHeaderLabels([_("When"), _("User"), _("Action"), _("Record"),
                                              _("What changed")])
        current = self.action.currentData()
        self.action.clear()
        self.action.addItem(_("All actions"), None)
        for action in audit_actions(self.ctx.conn):
            self.action.addItem(action_label(action), action)
        index = self.action.findData(current)
        self.action.setCurrentIndex(max(0, index))
        self.refresh()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(action=self.action.currentData(),
                           username=self.user.text().strip() or None,
                           since=self.since.iso(),
                           text=self.text.text().strip() or None)

    def refresh(self) -> None:
        rows = audit_entries(self.ctx.conn, self.current_filter(), limit=self.PAGE_SIZE)
        values = []
        for row in rows:
            values.append((format_datetime(row["at"]), row["username"] or "",
                           action_label(row["action"]), record_text(row),
                           change_text(row, self.ctx.conn)))
        self.table.set_rows(values, keys=[row["seq"] for row in rows])
        self.status.setStyleSheet("")
        full = len(rows) >= self.PAGE_SIZE
        self.status.setText(_("Showing the newest {count} entries that match.")
                            .format(count=format_number(len(rows))) if full else "")

    def verify(self) -> None:
        breaks = verify_chain(self.ctx.conn)
        security.audit_event(self.ctx.session, "verify_audit", {"breaks": len(breaks)})
        self.refresh()
        if not breaks:
            self.status.setText(_("The audit log is intact: no entry was changed or removed."))
            self.status.setStyleSheet("color: #1b5e20;")
        else:
            first = breaks[0]
            self.status.setText(_("The audit log was changed outside Hamroh at {count} places; "
                                  "the first is entry {seq}: {problem}.").format(
                count=format_number(len(breaks)), seq=first.seq, problem=break_message(first)))
            self.status.setStyleSheet("color: #b00020;")


class ConsentsTab(QWidget):
    COLUMNS = 5

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = DataTable(self.COLUMNS, fit_columns=True)
        self.table.setObjectName("expired")
        self.empty = EmptyState()
        self.empty.setObjectName("expired_empty")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(TableOrEmpty(self.table, self.empty))
        self.retranslate()

    def scope_label(self, code: str) -> str:
        row = self.ctx.conn.execute(
            f"SELECT label_{current_language()} FROM reference_item WHERE kind='consent_scope'"
            " AND code=?", (code,)).fetchone()
        return row[0] if row else code

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([_("Ended on"), _("Consent to"), _("Person"),
                                              _("Phone"), _("Given on")])
        self.empty.set_message(_("No consent has ended. People whose consent ends are listed "
                                 "here so that someone asks them again."))
        self.refresh()

    def refresh(self) -> None:
        rows = expired_consents(self.ctx.conn, date.today())
        self.intro.setText(ngettext(
            "{count} person has a consent that ended: ask them again or stop using their "
            "data for that purpose.",
            "{count} people have a consent that ended: ask them again or stop using their "
            "data for that purpose.", len(rows)).format(count=format_number(len(rows)))
            if rows else "")
        values = []
        for row in rows:
            name = " ".join(filter(None, (row["family_name"], row["given_name"],
                                          row["patronymic"])))
            values.append((format_date(date.fromisoformat(row["expiry_date"])),
                           self.scope_label(row["scope"]), name, row["phones"] or "",
                           format_date(date.fromisoformat(row["consent_date"]))))
        self.table.set_rows(values, keys=[row["person_id"] for row in rows])


class SecurityPage(QWidget):
    """Tabs shown by what the user may do."""

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.users = UsersTab(ctx) if ctx.can("manage_users", "app_user") else None
        self.audit = AuditTab(ctx) if ctx.can("view_audit", "audit_log") else None
        self.consents = ConsentsTab(ctx) if ctx.can("view", "consent") else None
        self.letterhead = (LetterheadTab(ctx) if ctx.can("manage_reference", "reference_item")
                           else None)
        layout = QVBoxLayout(self)
        style.page_margins(layout)
        layout.addWidget(self.tabs)
        self.change_password_button = QPushButton()
        self.change_password_button.setObjectName("change_password")
        self.change_password_button.clicked.connect(self.change_password)
        layout.addWidget(self.change_password_button, 0, Qt.AlignmentFlag.AlignRight)
        for tab in self._tabs():
            self.tabs.addTab(tab, "")
        self.retranslate()

    def _tabs(self):
        return [t for t in (self.users, self.audit, self.consents, self.letterhead)
                if t is not None]

    def retranslate(self) -> None:
        titles = {id(self.users): _("Users and roles"), id(self.audit): _("Audit log"),
                  id(self.consents): _("Expired consents"),
                  id(self.letterhead): LetterheadTab.title()}
        for index, tab in enumerate(self._tabs()):
            self.tabs.setTabText(index, titles[id(tab)])
            tab.retranslate()
        self.change_password_button.setText(_("Change my password…"))

    def refresh(self) -> None:
        for tab in self._tabs():
            tab.refresh()

    def change_password(self) -> None:
        ChangePasswordDialog(self.ctx.session, self.ctx.db_path, self).exec()


def page_visible(ctx) -> bool:
    return ctx.can("manage_users", "app_user") or ctx.can("view_audit", "audit_log")
