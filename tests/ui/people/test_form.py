"""Registering and editing people through the real form widgets."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from desktop_app.store.people import listing as people_list
from desktop_app.ui.people.form import PersonDialog
from desktop_app.ui.people.page import PeoplePage
from tests.helpers.people_ui import (
    add_person,
    answer_modal,
    count,
    no_duplicates,
    type_text,
)


def _page(ctx, qtbot):
    page = PeoplePage(ctx)
    page.duplicate_finder = no_duplicates
    qtbot.addWidget(page)
    page.show()
    return page


def _save_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.Save)


def test_register_person_with_episode_through_form(ctx, qtbot):
    page = _page(ctx, qtbot)
    qtbot.mouseClick(page.new_button, Qt.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    form = dialog.form
    type_text(form.inputs["family_name"], "Раҳмонова")
    type_text(form.inputs["given_name"], "Зарина")
    form.sex.set_code("female")
    type_text(form.birth_date, "12.05.1994")
    type_text(form.inputs["phones"], "+992 93 555 12 34")
    form.country.set_code("TJ")
    form.region.set_code("TJ-RR")
    form.district.set_code("TJ-RASHT")
    form.jamoat.set_code("TJ-RASHT-GARM")
    qtbot.mouseClick(form.female_headed, Qt.LeftButton,
                     pos=QPoint(8, form.female_headed.height() // 2))
    form.status.set_code("returned")
    qtbot.mouseClick(form.episodes.add_button, Qt.LeftButton)
    form.episodes.cell(0, "destination_country").set_code("RU")
    form.episodes.cell(0, "destination_city").set_value("RU-MOSCOW")
    form.episodes.cell(0, "sector").set_code("construction")
    form.episodes.cell(0, "work_permit").set_code("patent")
    type_text(form.episodes.cell(0, "departure_date"), "01.03.2019")
    type_text(form.episodes.cell(0, "return_date"), "15.11.2021")
    assert form.is_dirty()

    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    qtbot.waitUntil(lambda: page.dialog is None)

    row = ctx.conn.execute("SELECT id, family_name, given_name, sex, birth_date, district, "
                           "female_headed_household, migration_status FROM person").fetchone()
    assert row[1:] == ("Раҳмонова", "Зарина", "female", "1994-05-12", "TJ-RASHT", 1, "returned")
    episode = ctx.conn.execute("SELECT destination_country, destination_city, sector, "
                               "departure_date, return_date, work_permit, person_id "
                               "FROM migration_episode").fetchone()
    assert episode == ("RU", "RU-MOSCOW", "construction", "2019-03-01", "2021-11-15", "patent",
                       row[0])
    # the list shows the new person and selects them; the person's page shows the episode
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "Раҳмонова Зарина"
    assert page.count_label.text() == "1 person"
    assert page.detail.person["id"] == row[0]
    assert page.detail.episodes_table.item(0, 0).text() == "Russia"
    assert page.detail.episodes_table.item(0, 1).text() == "Moscow"
    assert page.detail.episodes_table.item(0, 6).text() == "Patent"
    # typed in Cyrillic, found by typing the Latin spelling
    add_person(ctx.session, family_name="Саидов", given_name="Бахтиёр")
    page.refresh()
    assert page.model.rowCount() == 2
    type_text(page.search, "Rahmonova")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 0).data() == "Раҳмонова Зарина"


def test_impossible_date_is_shown_at_the_field_and_nothing_saved(ctx, qtbot):
    dialog = PersonDialog(ctx, duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["family_name"], "Саидов")
    type_text(dialog.form.inputs["given_name"], "Бахтиёр")
    type_text(dialog.form.birth_date, "31.02.1990")
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    error = dialog.form.errors["birth_date"]
    assert error.isVisible()
    assert error.text() == "Write the date as dd.mm.yyyy, for example 07.03.1991."
    assert not dialog.form.errors["family_name"].isVisible()
    assert dialog.isVisible()
    assert count(ctx.conn, "person") == 0
    # correcting the date clears the message and saves
    dialog.form.birth_date.clear()
    type_text(dialog.form.birth_date, "28.02.1990")
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    assert not dialog.isVisible()
    assert ctx.conn.execute("SELECT birth_date FROM person").fetchone()[0] == "1990-02-28"


def test_missing_names_shown_at_their_fields(ctx, qtbot):
    dialog = PersonDialog(ctx, duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["phones"], "12")
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    assert dialog.form.errors["family_name"].text() == "Enter the family name."
    assert dialog.form.errors["given_name"].text() == "Enter the given name."
    assert "is not a phone number" in dialog.form.errors["phones"].text()
    assert count(ctx.conn, "person") == 0


def test_bad_episode_keeps_person_unsaved(ctx, qtbot):
    dialog = PersonDialog(ctx, duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["family_name"], "Karimov")
    type_text(dialog.form.inputs["given_name"], "Jamshid")
    qtbot.mouseClick(dialog.form.episodes.add_button, Qt.LeftButton)
    type_text(dialog.form.episodes.cell(0, "departure_date"), "01.06.2020")
    type_text(dialog.form.episodes.cell(0, "return_date"), "01.01.2020")
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.form.episodes.error.text() == (
        "Episode 1: The return date is before the departure date.")
    assert count(ctx.conn, "person") == 0
    assert count(ctx.conn, "migration_episode") == 0
    changes = ctx.conn.execute("SELECT count(*) FROM change_log WHERE table_name='person'"
                               ).fetchone()[0]
    assert changes == 0


def test_estimated_age_saves_an_estimated_birth_date(ctx, qtbot):
    dialog = PersonDialog(ctx, duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["family_name"], "Nazarova")
    type_text(dialog.form.inputs["given_name"], "Gulnora")
    dialog.form.age.setValue(40)
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    person_id, estimated = ctx.conn.execute(
        "SELECT id, birth_date_estimated FROM person").fetchone()
    assert estimated == 1
    # reopening shows the age, not an invented exact date, and is not dirty
    again = PersonDialog(ctx, person_id, duplicate_finder=no_duplicates)
    qtbot.addWidget(again)
    assert again.form.age.value() == 40
    assert again.form.birth_date.text() == ""
    assert not again.form.is_dirty()


def test_edit_from_list_with_ctrl_s(ctx, qtbot):
    person = add_person(ctx.session, phones="+992 93 111 22 33",
                        episodes=[dict(destination_country="KZ", sector="retail")])
    page = _page(ctx, qtbot)
    index = page.model.index(0, 0)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton,
                     pos=page.table.visualRect(index).center())
    qtbot.mouseDClick(page.table.viewport(), Qt.LeftButton,
                      pos=page.table.visualRect(index).center())
    dialog = page.dialog
    assert dialog is not None and dialog.person_id == person["id"]
    assert dialog.form.inputs["phones"].text() == "+992 93 111 22 33"
    dialog.form.inputs["phones"].clear()
    type_text(dialog.form.inputs["phones"], "+992 90 700 00 01")
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.form.inputs["phones"], Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.dialog is None)
    assert ctx.conn.execute("SELECT phones FROM person").fetchone()[0] == "+992 90 700 00 01"
    assert page.model.index(0, 5).data() == "+992 90 700 00 01"
    # the episode was kept as it was (no delete, no duplicate)
    assert count(ctx.conn, "migration_episode") == 1


def test_removing_an_episode_deletes_it(ctx, qtbot):
    person = add_person(ctx.session, episodes=[dict(destination_country="RU"),
                                               dict(destination_country="KZ")])
    dialog = PersonDialog(ctx, person["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.form.episodes.table.rowCount() == 2
    dialog.form.episodes.table.selectRow(0)
    qtbot.mouseClick(dialog.form.episodes.remove_button, Qt.LeftButton)
    assert dialog.form.is_dirty()
    qtbot.mouseClick(_save_button(dialog), Qt.LeftButton)
    assert count(ctx.conn, "migration_episode") == 1


def test_escape_with_unsaved_changes_asks_first(ctx, qtbot):
    person = add_person(ctx.session)
    dialog = PersonDialog(ctx, person["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["given_name"], "жон")
    seen: list = []
    # Cancel: back to the form, still open, text kept
    answer_modal(qtbot, QMessageBox.Cancel, seen)
    qtbot.keyClick(dialog.form.inputs["given_name"], Qt.Key_Escape)
    assert seen == ["This person has changes that are not saved."]
    assert dialog.isVisible()
    assert dialog.form.inputs["given_name"].text() == "Фарҳоджон"
    # Discard: closes, nothing written
    answer_modal(qtbot, QMessageBox.Discard, seen)
    qtbot.keyClick(dialog.form.inputs["given_name"], Qt.Key_Escape)
    assert len(seen) == 2
    assert not dialog.isVisible()
    assert people_list.load_person(ctx.conn, person["id"])[0]["given_name"] == "Фарҳод"


def test_closing_with_unsaved_changes_can_save(ctx, qtbot):
    person = add_person(ctx.session)
    dialog = PersonDialog(ctx, person["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.form.inputs["village"], "Navdonak")
    seen: list = []
    answer_modal(qtbot, QMessageBox.Save, seen)
    dialog.close()
    assert seen and not dialog.isVisible()
    assert people_list.load_person(ctx.conn, person["id"])[0]["village"] == "Navdonak"


def test_no_guard_without_changes(ctx, qtbot):
    person = add_person(ctx.session)
    dialog = PersonDialog(ctx, person["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.form.is_dirty()
    qtbot.keyClick(dialog.form.inputs["given_name"], Qt.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.guard is None


def test_consent_scopes_round_trip(ctx, qtbot):
    everything = add_person(ctx.session, consent_date="01.02.2024", consent_scope="all")
    other = add_person(ctx.session, family_name="Karimov", consent_date="01.02.2024",
                       consent_scope="referral,photo")
    dialog = PersonDialog(ctx, everything["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    assert all(box.isChecked() for box in dialog.form.consent_scopes.values())
    assert dialog.form.consent_date.text() == "01.02.2024"
    type_text(dialog.form.inputs["village"], "Navdonak")
    dialog.save()
    assert people_list.load_person(ctx.conn, everything["id"])[0]["consent_scope"] == "all"
    dialog = PersonDialog(ctx, other["id"], duplicate_finder=no_duplicates)
    qtbot.addWidget(dialog)
    assert dialog.form.consent_scopes["referral"].isChecked()
    assert not dialog.form.consent_scopes["sharing"].isChecked()
    dialog.form.consent_scopes["sharing"].setChecked(True)
    dialog.save()
    assert people_list.load_person(ctx.conn, other["id"])[0]["consent_scope"] == \
        "referral,sharing,photo"
