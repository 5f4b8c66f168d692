"""The sensitive-case key dialog: checks before anything is written, access keys."""
import pytest
from PySide6.QtWidgets import QLabel

from desktop_app import i18n
from desktop_app.store.security import accounts as security
from desktop_app.store.security import sensitive
from desktop_app.ui.security.sensitive_key import SensitiveKeyDialog
from tests.conftest import TEST_PASSWORD
from tests.journeys.driver import shared_access_keys

PASSPHRASE = "olma-gilos-anor-shaftoli"


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_each_access_key_of_the_dialog_reaches_one_control(qtbot, ctx, language):
    i18n.set_language(language)
    dialog = SensitiveKeyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert shared_access_keys(dialog) == {}
    labelled = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    assert labelled == {dialog.passphrase, dialog.repeat, dialog.password}


def test_a_short_passphrase_is_refused_before_anything_is_written(qtbot, ctx):
    i18n.set_language("en")
    dialog = SensitiveKeyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    for field in (dialog.passphrase, dialog.repeat):
        field.setText("  short  ")
    dialog.password.setText("whatever")
    dialog.seal_button.click()
    assert dialog.error.text() == "The sensitive-case passphrase must have at least 12 " \
                                  "characters."
    assert sensitive.public_key(ctx.conn) is None and not dialog.running


def test_a_wrong_password_writes_nothing_and_the_dialog_still_closes(qtbot, ctx, db_path):
    i18n.set_language("en")
    dialog = SensitiveKeyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    for field in (dialog.passphrase, dialog.repeat):
        field.setText(PASSPHRASE)
    dialog.password.setText("not the password")
    dialog.seal_button.click()
    # the set-up runs on the database worker; the dialog shows it is busy and stays open
    assert dialog.running and dialog.status.isVisible()
    assert not dialog.password.isEnabled() and not dialog.cancel_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible()
    ctx.worker.wait_idle()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.error.text() == "Your password is wrong. Nothing was changed."
    assert sensitive.public_key(ctx.conn) is None
    assert not list((db_path.parent / "backups").glob("*before-sensitive-key*.db"))
    assert dialog.passphrase.text() == PASSPHRASE and dialog.password.text() == ""
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_the_passphrase_of_another_organisation_is_refused(qtbot, ctx, db_path):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(admin, db_path).set_up_sensitive_key(TEST_PASSWORD, PASSPHRASE)
    admin.conn.close()
    public = sensitive.public_key(ctx.conn)
    i18n.set_language("tg")
    dialog = SensitiveKeyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.already.isVisible() and sensitive.fingerprint(public) in dialog.already.text()
    for field in (dialog.passphrase, dialog.repeat):
        field.setText("another organisation's phrase")
    dialog.password.setText(TEST_PASSWORD)
    dialog.seal_button.click()
    ctx.worker.wait_idle()
    qtbot.waitUntil(lambda: not dialog.running)
    assert dialog.error.text() == i18n.Domain("security").gettext(
        "This is not the sensitive-case passphrase this database was set up with.") + " " \
        + i18n.Domain("security").gettext("Nothing was changed.")
    assert "passphrase" not in dialog.error.text()          # in Tajik
    assert sensitive.public_key(ctx.conn) == public and dialog.seal_button.isVisible()
    assert len(list((db_path.parent / "backups").glob("*before-sensitive-key*.db"))) == 1


@pytest.mark.parametrize("language", ["en", "tg"])
def test_the_set_up_says_its_backup_is_not_sealed(qtbot, ctx, db_path, language):
    i18n.set_language(language)
    dialog = SensitiveKeyDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    for field in (dialog.passphrase, dialog.repeat):
        field.setText(PASSPHRASE)
    dialog.password.setText(TEST_PASSWORD)
    dialog.seal_button.click()
    ctx.worker.wait_idle()
    qtbot.waitUntil(lambda: dialog.sealed)
    backups = list((db_path.parent / "backups").glob("*before-sensitive-key*.db"))
    assert len(backups) == 1 and str(backups[0].name) in dialog.status.text()
    assert sensitive.backup_warning() in dialog.status.text()
    if language == "tg":
        assert "backup" not in sensitive.backup_warning()
