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


def _case_worked_on(admin):
    from desktop_app.store.cases import services as cs
    from desktop_app.store.people.repositories import PersonRepository
    people = PersonRepository(admin)
    person = people.create({"family_name": "Karimov", "given_name": "Aziz",
                            "district": "TJ-RASHT"})
    people.update(person["id"], {"district": "TJ-TOJIKOBOD", "migration_status": "abroad",
                                 "sex": "male"})
    case = cs.open_case(admin, {"channel": "hotline", "category": "unpaid_wages",
                                "summary": "Not paid for two months"})
    cs.change_status(admin, case["id"], "in_progress")
    cs.record_outcome(admin, case["id"], outcome="resolved", wages_recovered="45000",
                      wages_currency="RUB", resolve=False)
    return case


@pytest.mark.parametrize("language", ["en", "tg"])
def test_coded_values_and_amounts_read_as_the_forms_show_them(qtbot, db_path, language):
    """«District: TJ-RASHT → TJ-TOJIKOBOD» and «Status: new → in_progress» are what the
    log stores; the audit page names the list entries in the user's language and shows
    an amount kept in kopecks as money in its currency."""
    from decimal import Decimal

    from desktop_app.store import reference
    keys.forget_key(db_path)
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    _case_worked_on(admin)
    i18n.set_language(language)
    page = SecurityPage(AppContext(admin, db_path))
    qtbot.addWidget(page)
    audit = page.audit
    qtbot.mouseClick(audit.apply_button, Qt.MouseButton.LeftButton)
    changes = "\n".join(audit.table.item(r, 4).text() for r in range(audit.table.rowCount()))
    conn = admin.conn

    def label(kind: str, code: str) -> str:
        return reference.label(conn, kind, code, language)
    tr = i18n.Domain("security").gettext
    assert (f"{tr('District')}: {label('district', 'TJ-RASHT')} → "
            f"{label('district', 'TJ-TOJIKOBOD')}") in changes
    assert (f"{tr('Status')}: {label('case_status', 'new')} → "
            f"{label('case_status', 'in_progress')}") in changes
    assert f"{tr('Outcome')}: — → {label('case_outcome', 'resolved')}" in changes
    money = i18n.format_money(Decimal("45000.00"), "RUB", language)
    assert f"{tr('Wages recovered')}: — → {money}" in changes
    in_people = i18n.Domain("people").gettext
    assert f"{tr('Migration status')}: — → {in_people('Abroad')}" in changes
    assert f"{tr('Sex')}: — → {in_people('Male')}" in changes
    for code in ("TJ-RASHT", "TJ-TOJIKOBOD", "in_progress", "4500000", "abroad", "male"):
        assert code not in changes


@pytest.mark.parametrize("language", ["en", "tg"])
def test_statuses_of_loans_inspections_and_trainings_read_as_words(language):
    """Codes of a module's own list (a loan's status, a decision on a trainee's
    completion) are named as that module's forms name them, in the user's language."""
    i18n.set_language(language)
    loans = i18n.Domain("loans")
    assert value_text("status", "disbursed", table="loan") == loans.pgettext(
        "loan status", "Active")
    assert value_text("status", "approved", table="loan") == loans.gettext("Approved")
    assert value_text("completion_override", "not_completed",
                      table="training_participant") == i18n.Domain("trainings").gettext(
                          "Not completed")
    security_domain = i18n.Domain("security")
    assert value_text("status", "planned", table="inspection") == security_domain.pgettext(
        "inspection status", "Planned")
    # a case's status is a reference list (named with the database); a code no list
    # has stays as it is
    assert value_text("status", "disbursed", table="hotline_case") == "disbursed"
    assert value_text("status", "on_hold", table="loan") == "on_hold"
    if language == "tg":
        assert value_text("status", "disbursed", table="loan") != "Active"
        assert value_text("status", "planned", table="inspection") != "Planned"


@pytest.mark.parametrize("language", ["en", "tg"])
def test_every_synced_table_is_named_in_the_log(language):
    """A referral, a follow-up, a schedule, a list entry: each kind of record the log can
    name has its own word, not «Other record»."""
    from desktop_app.store.repository import Repository
    from desktop_app.sync.scope import load_repositories
    from desktop_app.ui.security.audit_text import kind_label
    load_repositories()
    i18n.set_language(language)
    other = kind_label("no_such_table")
    unnamed = [t for t in Repository.synced_tables() if kind_label(t) == other]
    assert unnamed == []
    assert kind_label("case_referral") == i18n.Domain("security").gettext("Referral")
