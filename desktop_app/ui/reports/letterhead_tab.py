"""The Administration page's "Letterhead" tab: the organisation's name and logo printed at
the top of reports, case files, inspection records, borrowers' cards and certificates
(reports/organisation.py; the same as ``hamroh letterhead set``). A chosen logo is
validated and stored by the store before anything of it is shown: the preview is drawn
from the stored, re-encoded PNG, never from the chosen file."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import Domain
from desktop_app.reports.organisation import MAX_NAME_LENGTH, letterhead, set_letterhead
from desktop_app.ui.operations import ReadOp, WriteOp

DOMAIN = Domain("reports")
_ = DOMAIN.gettext

PREVIEW_HEIGHT = 64


class LetterheadTab(QWidget):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.name_label = QLabel()
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME_LENGTH)
        self.name_label.setBuddy(self.name)
        self.save_name_button = QPushButton()
        self.save_name_button.clicked.connect(lambda _checked=False: self.save_name())
        self.logo_label = QLabel()
        self.preview = QLabel()
        self.preview.setMinimumHeight(PREVIEW_HEIGHT)
        self.choose_button = QPushButton()
        self.choose_button.clicked.connect(lambda _checked=False: self.choose_logo())
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(lambda _checked=False: self.remove_logo())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.has_logo = False

        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.save_name_button)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.preview, 1)
        logo_row.addWidget(self.choose_button)
        logo_row.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow(self.name_label, name_row)
        form.addRow(self.logo_label, logo_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.retranslate()

    @staticmethod
    def title() -> str:
        return _("Letterhead")

    def retranslate(self) -> None:
        self.intro.setText(_(
            "The organisation's name and logo printed at the top of reports, case files, "
            "inspection records, borrowers' cards and certificates. Without a name, the "
            "office's name is printed."))
        self.name_label.setText(_("Organisation name"))
        self.save_name_button.setText(_("Save name"))
        self.logo_label.setText(_("Logo"))
        self.choose_button.setText(_("Choose logo\u2026"))
        self.remove_button.setText(_("Remove logo"))
        self._show_preview(None if not self.has_logo else self.preview.pixmap())

    def refresh(self) -> None:
        ReadOp(self.ctx, self, letterhead).key("letterhead").success(self._show).run()

    def _show(self, head) -> None:
        self.name.setText(head.organisation)
        pixmap = None
        if head.logo_png:
            pixmap = QPixmap()
            pixmap.loadFromData(head.logo_png, "PNG")
        self._show_preview(pixmap)

    def _show_preview(self, pixmap) -> None:
        self.has_logo = pixmap is not None and not pixmap.isNull()
        self.remove_button.setEnabled(self.has_logo)
        if self.has_logo:
            self.preview.setPixmap(pixmap.scaledToHeight(
                PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation))
        else:
            self.preview.clear()
            self.preview.setText(_("No logo"))

    def _write(self, done_text: str, **change) -> None:
        def saved(head) -> None:
            self._show(head)
            self.status.setText(done_text)

        WriteOp(self.ctx, self, lambda session: set_letterhead(session, **change),
                changes=("meta",)).success(saved).failure(self._failed).run()

    def _failed(self, exc) -> None:
        self.status.setText(_("Not saved: {reason}").format(reason=exc))

    def save_name(self) -> None:
        self._write(_("The organisation's name is saved."), name=self.name.text())

    def choose_logo(self, path: str | None = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, _("Choose logo\u2026"), "", _("PNG or JPEG images (*.png *.jpg *.jpeg)"))
            if not path:
                return
        self._write(_("The logo is saved."), logo_path=path)

    def remove_logo(self) -> None:
        self._write(_("The logo is removed."), remove_logo=True)
