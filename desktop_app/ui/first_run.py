"""First run on a new database: name the office, the device and the administrator."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from desktop_app import i18n
from desktop_app.i18n import Domain
from desktop_app.store.access import open_database
from desktop_app.store.setup import OFFICE_TYPES, initialise

DOMAIN = Domain("core")
_ = DOMAIN.gettext

OFFICE_TYPE_LABELS = {
    "jrc": i18n.N_("Jamoat Resource Centre"),
    "union_centre": i18n.N_("Trade-union migrant centre"),
    "inspectorate": i18n.N_("Labour inspectorate"),
    "coordinator": i18n.N_("Coordinator"),
}


class FirstRunDialog(QDialog):
    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self.path = Path(path)
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.language = QComboBox()
        for code, (_loc, own) in i18n.LANGUAGES.items():
            self.language.addItem(own, code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language.currentIndexChanged.connect(
            lambda i: (i18n.set_language(self.language.itemData(i)), self.retranslate()))
        self.office_code = QLineEdit()
        self.office_code.setMaxLength(8)
        self.office_name = QLineEdit()
        self.office_type = QComboBox()
        self.device_name = QLineEdit()
        self.admin_name = QLineEdit("admin")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.labels = [QLabel() for _ in range(6)]
        for label, field in zip(self.labels, (self.language, self.office_code, self.office_name,
                                              self.office_type, self.device_name,
                                              self.admin_name), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._create)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Hamroh"))
        self.intro.setText(_("This computer has no Hamroh database yet. Name your office, "
                             "this device and the administrator to start."))
        texts = (_("&Language:"), _("Office &code:"), _("Office &name:"), _("Office &type:"),
                 _("&Device name:"), _("&Administrator login:"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        current = self.office_type.currentData()
        self.office_type.clear()
        for code in OFFICE_TYPES:
            self.office_type.addItem(_(OFFICE_TYPE_LABELS[code]), code)
        if current:
            self.office_type.setCurrentIndex(self.office_type.findData(current))

    def _create(self) -> None:
        code = self.office_code.text().strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,8}", code):
            self.error.setText(_("The office code is 2 to 8 Latin capital letters or digits, "
                                 "for example GRM."))
            self.office_code.setFocus()
            return
        if not self.office_name.text().strip():
            self.error.setText(_("Enter the office name."))
            self.office_name.setFocus()
            return
        if not self.admin_name.text().strip():
            self.error.setText(_("Enter the administrator's login."))
            self.admin_name.setFocus()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = open_database(self.path, create=True)
        try:
            with_transaction = conn
            with_transaction.execute("BEGIN IMMEDIATE")
            initialise(conn, office_code=code, office_name=self.office_name.text().strip(),
                       office_type=self.office_type.currentData(),
                       device_name=self.device_name.text().strip() or code,
                       admin_username=self.admin_name.text().strip())
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            self.path.unlink(missing_ok=True)
            raise
        conn.close()
        self.accept()
