"""Bridge: Qt's own strings (dialog buttons, context menus) from our gettext catalogs.

Qt ships no Tajik or Uzbek translations, so the texts Qt itself shows (Yes, No, Cancel,
Save, Discard, Open, Close ...) are in our ``core`` catalog (see i18n/qt_strings.py) and
this translator answers Qt's lookups from it.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from desktop_app.i18n import Domain, current_language, on_language_changed

CORE = Domain("core")


class GettextTranslator(QTranslator):
    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: N802
        """Our translation of one of Qt's texts, or None when we have none: None reaches Qt
        as a null string, so Qt shows its own text (an empty string would be shown as an
        empty label, leaving OK and Cancel blank)."""
        if not source_text:
            return None
        text = source_text
        translated = CORE.gettext(text)
        if translated == text and "&" in text:
            plain = CORE.gettext(text.replace("&", ""))
            if plain != text.replace("&", ""):
                return plain
        return translated if translated != text else None

    def isEmpty(self) -> bool:  # noqa: N802
        return False


_installed: GettextTranslator | None = None
# Qt's locale of each UI language: calendar pop-ups, day and month names
QT_LOCALES = {"ru": "ru_RU", "tg": "tg_TJ", "uz": "uz_Latn_UZ", "en": "en_GB"}


def qt_locale(language: str | None = None) -> QLocale:
    return QLocale(QT_LOCALES.get(language or current_language(), "en_GB"))


def apply_locale(language: str | None = None) -> None:
    """Qt's default locale follows the UI language (not the system's): widgets made from
    now on (calendar pop-ups) take it; the date entries also take it on a language change."""
    QLocale.setDefault(qt_locale(language))


def install_translator(app: QCoreApplication) -> GettextTranslator:
    """Install once; Qt re-queries it whenever the language changes (LanguageChange event)."""
    global _installed
    if _installed is None:
        _installed = GettextTranslator(app)
        app.installTranslator(_installed)
        on_language_changed(apply_locale)
    apply_locale()
    return _installed


def refresh(app: QCoreApplication) -> None:
    """After set_language: reinstall so Qt sends LanguageChange to every widget."""
    if _installed is not None:
        app.removeTranslator(_installed)
        app.installTranslator(_installed)
