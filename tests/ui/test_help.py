"""Help menu of the real main window, found by visible text, in English and Tajik: the user
guide (in the UI's language when translated, else English, offline), a diagnostics file,
About with version, data folder and database; the crash dialog offers the diagnostics file
too; a database of an earlier version is updated with a backup first, and the window
says so."""
import shutil

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from desktop_app import i18n, paths
from desktop_app.store import migrations
from desktop_app.ui import app as app_module
from desktop_app.ui import excepthook, help
from desktop_app.ui.main_window import MainWindow
from desktop_app.version import version
from tests.helpers.upgrade import earlier_database

TEXTS = {
    "en": {"help": "Help", "guide": "User guide", "diagnostics": "Save a diagnostics file…",
           "about": "About Hamroh", "version": "Version", "folder": "Data folder",
           "database": "Database", "saved": "Diagnostics saved to",
           "updated": "A copy of it as it was before was saved first"},
    "tg": {"help": "Роҳнамо", "guide": "Дастури корбар",
           "diagnostics": "Нигоҳ доштани файли ташхис…", "about": "Дар бораи Hamroh",
           "version": "Версия", "folder": "Ҷузвдони маълумот", "database": "Пойгоҳи додаҳо",
           "saved": "Ташхис нигоҳ дошта шуд", "updated": "Аввал нусхаи он"},
}


def visible(text: str) -> str:
    return text.replace("&", "")


@pytest.fixture
def window(qtbot, ctx):
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    yield main
    i18n.set_language("en")


def help_action(window, text):
    menus = {visible(a.text()): a.menu() for a in window.menuBar().actions()}
    actions = {visible(a.text()): a for a in menus[TEXTS[i18n.current_language()]["help"]]
               .actions() if not a.isSeparator()}
    return actions[text]


@pytest.mark.parametrize("language", ["en", "tg"])
def test_about_shows_version_data_folder_and_database(qtbot, window, ctx, language):
    i18n.set_language(language)
    words = TEXTS[language]
    help_action(window, words["about"]).trigger()
    box = window.findChild(QMessageBox, "about")
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    assert f"{words['version']}: {version()}" in text
    assert f"{words['folder']}: {paths.data_dir()}" in text
    assert f"{words['database']}: {ctx.db_path}" in text
    box.close()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_user_guide_opens_the_shipped_guide_in_the_window(qtbot, window, language):
    i18n.set_language(language)
    help_action(window, TEXTS[language]["guide"]).trigger()
    guide = window.help_actions.guide_window
    qtbot.waitUntil(guide.isVisible)
    assert guide.windowTitle() == TEXTS[language]["guide"]
    titles = [guide.list.item(i).text() for i in range(guide.list.count())]
    assert len(titles) == len(list(help.GUIDE_DIR.glob("*.md")))
    # the guide of the window's language, rendered from Markdown (every language has one)
    folder = help.GUIDE_DIR if language == "en" else help.GUIDE_DIR / language
    assert guide.current == folder / "people.md"
    assert titles[0] == help.guide_title(folder / "people.md")
    assert guide.browser.toPlainText().startswith(titles[0])
    assert "#" not in guide.browser.toPlainText().splitlines()[0]
    assert not guide.note.isVisibleTo(guide)


def test_a_translated_guide_is_preferred_and_follows_the_language(qtbot, window, tmp_path,
                                                                  monkeypatch):
    root = tmp_path / "user"
    shutil.copytree(help.GUIDE_DIR, root)
    for language in ("ru", "tg", "uz"):
        shutil.rmtree(root / language)
    (root / "tg").mkdir()
    (root / "tg" / "people.md").write_text(
        "# Қайди шахсон\n\nШахсро бо ном ёбед. Инчунин [Парвандаҳо](cases.md).\n",
        encoding="utf-8")
    (root / "tg" / "cases.md").write_text("# Парвандаҳо\n\nМатн.\n", encoding="utf-8")
    monkeypatch.setattr(help, "GUIDE_DIR", root)

    guide = window.help_actions.open_guide()
    qtbot.waitUntil(guide.isVisible)
    assert guide.current == root / "people.md"
    i18n.set_language("tg")
    assert guide.current == root / "tg" / "people.md"
    assert "Шахсро бо ном ёбед" in guide.browser.toPlainText()
    assert not guide.note.isVisibleTo(guide)
    assert [guide.list.item(i).text() for i in range(guide.list.count())] == [
        "Қайди шахсон", "Парвандаҳо"]
    guide.browser.anchorClicked.emit(QUrl("cases.md"))
    assert guide.current == root / "tg" / "cases.md"
    i18n.set_language("en")
    assert guide.current == root / "cases.md"
    # a language without its guides: the English one, and the window says why
    i18n.set_language("ru")
    assert guide.current == root / "cases.md"
    assert guide.note.isVisibleTo(guide)


@pytest.mark.parametrize("language", ["en", "tg"])
def test_save_a_diagnostics_file_writes_one_file_without_personal_data(
        qtbot, window, ctx, tmp_path, monkeypatch, language):
    from desktop_app.store.people.repositories import PersonRepository
    PersonRepository(ctx.session).create({"family_name": "Karimova", "given_name": "Dilnoza"})
    target = tmp_path / "diagnostics.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    messages = []
    ctx.status_message.connect(messages.append)
    i18n.set_language(language)

    help_action(window, TEXTS[language]["diagnostics"]).trigger()

    qtbot.waitUntil(lambda: bool(messages), timeout=60_000)
    assert TEXTS[language]["saved"] in messages[0] and str(target) in messages[0]
    text = target.read_text(encoding="utf-8")
    assert f"Hamroh: {version()}" in text and "db check: no problems found" in text
    assert f"Database: {ctx.db_path.name}" in text or ctx.db_path.name in text
    assert "Karimova" not in text and "Dilnoza" not in text


@pytest.mark.qt_no_exception_capture
@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_crash_dialog_offers_the_diagnostics_file(qtbot, ctx, log_home, tmp_path,
                                                     monkeypatch, language):
    i18n.set_language(language)
    target = tmp_path / "after-crash.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    shown = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    reporter = excepthook.install(None)
    reporter.diagnostics_source = lambda: (ctx.connection_factory, ctx.db_path)
    try:
        button = QPushButton("Save")
        qtbot.addWidget(button)
        button.clicked.connect(lambda: 1 / 0)
        button.click()
        qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
        offered = {visible(b.text()): b for b in reporter.dialog.buttons()}
        offered[TEXTS[language]["diagnostics"]].click()
    finally:
        reporter.uninstall()
        if reporter.dialog is not None:
            reporter.dialog.close()
    text = target.read_text(encoding="utf-8")
    assert "db check: no problems found" in text
    assert "ZeroDivisionError: (message left out)" in text or "(no log file)" in text
    assert shown and TEXTS[language]["saved"] in shown[0]


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_database_of_an_earlier_version_is_updated_and_the_window_says_so(
        qtbot, tmp_path, language):
    path = tmp_path / "office.db"
    earlier_database(path, last="0062")
    before = path.read_bytes()
    i18n.set_language(language)

    main = app_module.open_main_window(db=path)
    qtbot.addWidget(main)
    box = main.upgrade_notice
    try:
        assert box is not None and box.isVisible()
        backup = next((tmp_path / "backups").glob("office.before-migration-*"))
        assert backup.read_bytes() == before
        assert TEXTS[language]["updated"] in box.text() and str(backup) in box.text()
        conn = main.ctx.session.conn
        assert migrations.pending(conn) == []
        assert conn.execute("SELECT family_name FROM person").fetchall() == [("Karimova",)]
        # said once: the next start finds nothing to say
        assert app_module.upgrade_notice(main, path) is None
    finally:
        box.close()
        main.ctx.worker.stop()
        QApplication.processEvents()
