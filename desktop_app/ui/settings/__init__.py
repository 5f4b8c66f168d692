"""Settings: the interface language (takes effect at once, nothing typed is lost)."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from desktop_app import i18n, preferences
from desktop_app.i18n import Domain
from desktop_app.ui.pages import PageSpec

DOMAIN = Domain("core")
_ = DOMAIN.gettext


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
        self.lock_label = QLabel()
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setObjectName("lock_minutes")
        self.lock_minutes.setRange(1, 240)
        self.lock_minutes.setValue(auto_lock_minutes())
        self.lock_label.setBuddy(self.lock_minutes)
        form.addRow(self.lock_label, self.lock_minutes)
        self.database_label = QLabel()
        self.database_value = QLabel(str(ctx.db_path))
        flags = self.database_value.textInteractionFlags()
        self.database_value.setTextInteractionFlags(flags | flags.TextSelectableByMouse)
        form.addRow(self.database_label, self.database_value)
        layout.addLayout(form)
        layout.addStretch(1)
        self.language.currentIndexChanged.connect(self._language_chosen)
        self.lock_minutes.valueChanged.connect(self._lock_minutes_chosen)
        self.retranslate()

    def _lock_minutes_chosen(self, minutes: int) -> None:
        preferences.save({"auto_lock_minutes": minutes})
        locker = getattr(self.window(), "idle_locker", None)
        if locker is not None:
            locker.set_minutes(minutes)

    def _language_chosen(self, index: int) -> None:
        code = self.language.itemData(index)
        if code and code != i18n.current_language():
            i18n.set_language(code)
            preferences.save({"language": code})

    def retranslate(self) -> None:
        self.heading.setText("<h2>" + _("Settings") + "</h2>")
        self.language_label.setText(_("&Language:"))
        self.database_label.setText(_("Database file:"))
        self.lock_label.setText(_("Lock after &idle minutes:"))
        self.lock_minutes.setSuffix(" " + _("min"))
        index = self.language.findData(i18n.current_language())
        if index != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(index)
            self.language.blockSignals(False)


DEFAULT_AUTO_LOCK_MINUTES = 10


def auto_lock_minutes() -> int:
    """Minutes without input before the window locks (a per-user preference)."""
    value = preferences.load().get("auto_lock_minutes", DEFAULT_AUTO_LOCK_MINUTES)
    return value if isinstance(value, int) and 1 <= value <= 240 else DEFAULT_AUTO_LOCK_MINUTES


PAGE = PageSpec(key="settings", order=90, title=lambda: _("Settings"),
                factory=lambda ctx: SettingsPage(ctx))
