"""The field officer's day and the administrator's, through the real main window."""
import pytest
from PySide6.QtWidgets import QApplication

from desktop_app.store.people.listing import PeopleQuery, list_ids
from tests.journeys.driver import (
    SCREEN_HEIGHT,
    SCREEN_WIDTH,
    StallMeter,
    click_scrolled,
    tr,
    type_any,
    type_text,
)

STALL_LIMIT = 1.0   # seconds the window may freeze during one write (issue 14)


@pytest.fixture(autouse=True)
def qt_texts(qapp):
    """Qt's own texts (OK, Cancel) from our catalogs, as ui.app.application() sets up."""
    from desktop_app.i18n.qt import install_translator
    install_translator(qapp)


def _register(journey, family: str, given: str, meter: StallMeter) -> None:
    people = journey.go(tr("people", "People"))

    def fill(dialog) -> None:
        assert dialog.width() <= SCREEN_WIDTH and dialog.height() <= SCREEN_HEIGHT - 40
        type_any(journey, tr("people", "Family name"), family, dialog)
        type_any(journey, tr("people", "Given name"), given, dialog)
        journey.pick(tr("people", "Sex"), tr("people", "Male"), dialog)
        form = dialog.form
        type_text(form.birth_date, "07.03.1991")
        type_text(form.consent_date, "01.12.2026")
        form.consent_scopes["storage"].setChecked(True)
        with meter.measure():
            journey.click(QApplication.translate("QPlatformTheme", "Save")
                          if not dialog.buttons.button(dialog.buttons.StandardButton.Save).text()
                          else dialog.buttons.button(dialog.buttons.StandardButton.Save).text(),
                          dialog)
    with journey.dialog(fill):
        journey.click(tr("people", "New person"), people)
    journey.settle()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_field_officer_registers_finds_in_another_script_and_records_consent(log_in_as,
                                                                              language):
    journey = log_in_as("field", language)
    meter = StallMeter()
    _register(journey, "Шоҳмирзоев", "Парвизҷон", meter)
    assert meter.longest < STALL_LIMIT, f"the window froze {meter.longest:.2f} s saving"
    conn = journey.window.ctx.conn
    found = list_ids(conn, PeopleQuery(term="Шоҳмирзоев Парвизҷон"))
    assert len(found.rowids) >= 1

    people = journey.go(tr("people", "People"))
    people.search.setFocus()
    type_text(people.search, "Shohmirzoev")
    journey.qtbot.waitUntil(lambda: not people.search_timer.isActive())
    journey.settle()
    names = [people.model.index(r, 0).data() for r in range(min(people.model.rowCount(), 20))]
    assert any("Шоҳмирзоев" in (n or "") for n in names), names
    row = next(r for r, n in enumerate(names) if "Шоҳмирзоев" in (n or ""))
    people.table.selectRow(row)
    journey.settle()
    # the person's page: consent from the form is listed; more is recorded from here
    detail = people.detail
    section = next(w for _s, _b, w in detail.sections if type(w).__name__ == "ConsentSection")
    assert section.table.rowCount() == 1
    assert section.table.item(0, 3).text() == tr("security", "In the registration form")
    with meter.measure():
        click_scrolled(journey, tr("security", "Record consent"), section)
    journey.settle()
    assert meter.longest < STALL_LIMIT
    assert section.table.rowCount() == 2
    journey.check_window()
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["ru", "uz"])
def test_field_officer_short_pass(log_in_as, language):
    journey = log_in_as("field", language)
    people = journey.go(tr("people", "People"))
    assert people.model.rowCount() > 0
    people.table.selectRow(0)
    journey.settle()
    section = next(w for _s, _b, w in people.detail.sections
                   if type(w).__name__ == "ConsentSection")
    for text in (tr("security", "Record consent"), tr("security", "Export this person's data…")):
        click_target = [b for b in section.findChildren(type(section.add_button))
                        if b.text() == text]
        assert click_target, text
    journey.check_window()
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_administrator_adds_a_user_and_reads_it_in_the_audit_log(log_in_as, language):
    journey = log_in_as("admin", language)
    assert tr("security", "Administrator") in journey.window.user_label.text()
    page = journey.go(tr("security", "Administration"))
    meter = StallMeter()

    def fill(dialog) -> None:
        journey.type_text(tr("security", "User name"), "zarina", dialog)
        type_any(journey, tr("security", "Full name"), "Зарина Қодирова", dialog)
        journey.pick(tr("security", "Role"), tr("security", "Field officer"), dialog)
        journey.type_text(tr("security", "First password"), "zarina-pass-12", dialog)
        with meter.measure():
            journey.click(QApplication.translate("QPlatformTheme", "OK"), dialog)
    with journey.dialog(fill):
        journey.click(tr("security", "New user…"), page)
    journey.settle()
    assert meter.longest < STALL_LIMIT
    page.tabs.setCurrentWidget(page.audit)
    journey.click(tr("security", "Show"), page.audit)
    table = page.audit.table
    rows = [[table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())]
    created = [r for r in rows if r[2] == tr("security", "Created")
               and r[3].startswith(tr("security", "User")) and "Зарина" in r[3]]
    assert created, rows[:5]
    assert tr("security", "Field officer") in created[0][4]
    assert "app_user" not in " ".join(created[0]) and "{" not in created[0][4]
    journey.check_window()
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_coordinator_reads_the_fingerprint_before_any_passphrase(log_in_as, language):
    journey = log_in_as("coordinator", language)
    page = journey.go(tr("sync", "Sync"))
    tabs = page.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    tabs.setCurrentIndex(titles.index(tr("sync", "Set-up")))
    journey.settle()
    assert page.office_value.text()
    assert "-" in page.fp_value.text()          # the fingerprint, e.g. 1A2B-3C4D-…
    journey.check_window()
    journey.assert_no_problems()


@pytest.mark.parametrize("language", ["en", "tg"])
def test_administrator_reads_list_entries_and_money_in_the_audit_log(log_in_as, language):
    """A district moved, a case's status changed and wages recovered read as the forms show
    them, not as «TJ-RASHT → TJ-TOJIKOBOD», «new → in_progress», «4500000»."""
    from decimal import Decimal

    from desktop_app.i18n import format_money
    from desktop_app.store import reference
    from desktop_app.store.cases import services as cs
    from desktop_app.store.people.repositories import PersonRepository
    journey = log_in_as("admin", language)
    session = journey.window.ctx.session
    conn = session.conn
    people = PersonRepository(session)
    person = people.create({"family_name": "Nazarov", "given_name": "Farrukh",
                            "district": "TJ-RASHT"})
    people.update(person["id"], {"district": "TJ-TOJIKOBOD"})
    case = cs.open_case(session, {"channel": "hotline", "category": "unpaid_wages",
                                  "summary": "Not paid for the season"})
    cs.change_status(session, case["id"], "in_progress")
    cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered="45000",
                      wages_currency="RUB", resolve=False)
    page = journey.go(tr("security", "Administration"))
    page.tabs.setCurrentWidget(page.audit)
    journey.click(tr("security", "Show"), page.audit)
    changes = [row[4] for row in journey.rows(page.audit.table)]

    def label(kind: str, code: str) -> str:
        return reference.label(conn, kind, code, language)
    expected = [
        f"{tr('security', 'District')}: {label('district', 'TJ-RASHT')} → "
        f"{label('district', 'TJ-TOJIKOBOD')}",
        f"{tr('security', 'Status')}: {label('case_status', 'new')} → "
        f"{label('case_status', 'in_progress')}",
        f"{tr('security', 'Wages recovered')}: — → "
        f"{format_money(Decimal('45000'), 'RUB', language)}",
    ]
    for text in expected:
        assert any(text in change for change in changes), (text, changes[:8])
    assert not any(code in change for change in changes
                   for code in ("TJ-RASHT", "in_progress", "4500000"))
    journey.check_window()
    journey.assert_no_problems()
