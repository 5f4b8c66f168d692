"""The audit log reads as words: record kinds, names, field labels with old -> new."""
import pytest
from PySide6.QtCore import Qt

from desktop_app import i18n
from desktop_app.store.security import accounts as security
from desktop_app.store.security import keys, sensitive
from desktop_app.ui.context import AppContext
from desktop_app.ui.security.audit_text import value_text
from desktop_app.ui.security.page import SecurityPage
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_role_change_reads_as_words(qtbot, db_path, language):
    keys.forget_key(db_path)
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    users = security.UserAdmin(admin, db_path)
    user = users.add_user("sabohat", "inspector-pass-1", "inspector", "Sabohat Rahimova")
    users.set_role(user["id"], "coordinator")
    i18n.set_language(language)
    page = SecurityPage(AppContext(admin, db_path))
    qtbot.addWidget(page)
    audit = page.audit
    qtbot.mouseClick(audit.apply_button, Qt.MouseButton.LeftButton)
    rows = [[audit.table.item(r, c).text() for c in range(5)]
            for r in range(audit.table.rowCount())]
    tr = i18n.Domain("security").gettext
    changed = [r for r in rows if r[2] == tr("Changed") and "Sabohat" in r[3]]
    assert changed, rows
    assert changed[0][3].startswith(tr("User"))
    assert tr("Role") in changed[0][4]
    assert f"{tr('Labour inspector')} → {tr('Coordinator')}" in changed[0][4]
    for row in rows:
        assert "{" not in row[4] and "app_user" not in " ".join(row)
        assert "T" not in row[0]


def test_no_ended_consent_says_so_instead_of_a_blank_table(qtbot, db_path):
    keys.forget_key(db_path)
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    page = SecurityPage(AppContext(admin, db_path))
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentWidget(page.consents)
    assert page.consents.empty.message().startswith("No consent has ended")
    assert page.consents.table.rowCount() == 0
    assert not page.consents.table.isVisibleTo(page)


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_sealed_value_reads_as_sealed_not_as_its_ciphertext(language):
    i18n.set_language(language)
    sealed = sensitive.PREFIX + "AAAA" * 20
    assert value_text("notes", sealed) == i18n.Domain("security").gettext("(sealed)")
    assert "hs1" not in value_text("notes", sealed)
    assert value_text("notes", "hs1 is a plain note") == "hs1 is a plain note"
