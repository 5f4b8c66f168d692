"""Settings: the interface language (takes effect at once, nothing typed is lost)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from desktop_app import i18n, preferences
from desktop_app.i18n import _
from desktop_app.ui.pages import PageSpec


class SettingsPage(QWidget):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("heading")
        layout.addWidget(self.heading)
        form = QFormLayout()
        self.language_label = QLabel()
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, (_locale, own_name) in i18n.LANGUAGES.items():
            self.language.addItem(own_name, code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        self.language_label.setBuddy(self.language)
        form.addRow(self.language_label, self.language)
        self.database_label = QLabel()
        self.database_value = QLabel(str(ctx.db_path))
        self.database_value.setTextInteractionFlags(self.database_value.textInteractionFlags()
                                                    | self.database_value.textInteractionFlags().TextSelectableByMouse)
        form.addRow(self.database_label, self.database_value)
        layout.addLayout(form)
        layout.addStretch(1)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.retranslate()

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        if code and code != i18n.current_language():
            i18n.set_language(code)
            preferences.save({"language": code})

    def retranslate(self) -> None:
        self.heading.setText("<h2>" + _("Settings") + "</h2>")
        self.language_label.setText(_("&Language:"))
        self.database_label.setText(_("Database file:"))
        index = self.language.findData(i18n.current_language())
        if index != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(index)
            self.language.blockSignals(False)


PAGE = PageSpec(key="settings", order=90, title=lambda: _("Settings"),
                factory=lambda ctx: SettingsPage(ctx))
