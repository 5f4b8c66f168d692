import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from desktop_app.cli import main as hamroh
from desktop_app.store.audit import verify_chain
from desktop_app.store.people.spreadsheet import (
    ImportFileError,
    field_for_title,
    import_people,
    read_people_file,
)

TODAY = date(2026, 6, 1)


def _csv(tmp_path, text, name="people.csv", encoding="utf-8", bom=False):
    path = tmp_path / name
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def _count(session):
    return session.conn.execute("SELECT count(*) FROM person").fetchone()[0]


RUSSIAN = """Фамилия;Имя;Отчество;Пол;Дата рождения;Телефон;Район;Джамоат;Статус
Рахмонов;Фарход;Саидович;м;07.03.1991;+992 93 555 12 34;Рашт;Хоит;вернулся
Каримова;Зарина;;ж;1988-11-02;;Нурабад;Хакими;за рубежом
"""


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1251", False)])
def test_russian_csv_in_any_encoding(session, tmp_path, encoding, bom):
    path = _csv(tmp_path, RUSSIAN, encoding=encoding, bom=bom)
    result = import_people(session, path, today=TODAY)
    assert result.errors == [] and result.committed and result.imported == 2
    row = session.conn.execute(
        "SELECT family_name, given_name, patronymic, sex, birth_date, phones, country, region,"
        " district, jamoat, migration_status FROM person WHERE family_name='Рахмонов'").fetchone()
    assert row == ("Рахмонов", "Фарход", "Саидович", "male", "1991-03-07", "+992 93 555 12 34",
                   "TJ", "TJ-RR", "TJ-RASHT", "TJ-RASHT-KHOIT", "returned")
    zarina = session.conn.execute("SELECT sex, district, jamoat, migration_status FROM person"
                                  " WHERE given_name='Зарина'").fetchone()
    assert zarina == ("female", "TJ-NUROBOD", "TJ-NUROBOD-HAKIMI", "abroad")


def test_tajik_and_uzbek_titles_and_labels(session, tmp_path):
    path = _csv(tmp_path, "Насаб,Ном,Ҷинс,Санаи таваллуд,Ноҳия,Ҷамоат,Маълумот\n"
                          "Раҳмонов,Фарҳод,мард,07.03.1991,Тоҷикобод,Нушор,Олӣ\n")
    result = import_people(session, path, today=TODAY)
    assert result.imported == 1, result.errors
    path = _csv(tmp_path, "Familiya,Ism,Jinsi,Tugʻilgan sana,Tuman,Telefon\n"
                          "Oʻrinboyev,Bekzod,erkak,1990-01-15,Margʻilon,+998 90 123 45 67\n",
                name="uz.csv")
    result = import_people(session, path, today=TODAY)
    assert result.imported == 1, result.errors
    rows = session.conn.execute("SELECT family_name, sex, district, region, country, education"
                                " FROM person ORDER BY family_name").fetchall()
    assert ("Oʻrinboyev", "male", "UZ-MARGILAN", "UZ-FA", "UZ", None) in rows
    assert ("Раҳмонов", "male", "TJ-TOJIKOBOD", "TJ-RR", "TJ", "higher") in rows


def test_english_field_names_and_codes(session, tmp_path):
    path = _csv(tmp_path, "family_name,given_name,sex,birth_date,district,jamoat,union_member,"
                          "migration_status,consent_date,consent_scope\n"
                          "Nazarov,Umed,male,1985-05-05,TJ-RASHT,TJ-RASHT-GARM,yes,abroad,"
                          "01.02.2025,all\n")
    result = import_people(session, path, today=TODAY)
    assert result.imported == 1, result.errors
    row = session.conn.execute("SELECT union_member, jamoat, consent_date, consent_scope"
                               " FROM person").fetchone()
    assert row == (1, "TJ-RASHT-GARM", "2025-02-01", "all")


def test_invalid_rows_block_the_whole_import(session, tmp_path):
    text = ("Фамилия;Имя;Дата рождения;Пол;Район\n"
            "Рахмонов;Фарход;07.03.1991;м;Рашт\n"
            ";Зарина;1988-11-02;ж;Рашт\n"
            "Саидов;Умед;31.02.1990;м;Рашт\n"
            "Назаров;Азиз;01.01.1990;x;Атлантида\n")
    path = _csv(tmp_path, text)
    before = session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    result = import_people(session, path, today=TODAY)
    assert not result.committed and result.imported == 0 and result.skipped == 3
    assert _count(session) == 0
    assert session.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
    messages = [e.message for e in result.errors]
    assert "row 4: date of birth 31.02.1990 is not a date" in messages
    assert "row 3: Enter the family name." in messages
    assert "row 5: sex x is not female or male" in messages
    assert "row 5: district Атлантида is not in the list of places" in messages
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_skip_invalid_imports_the_valid_rows(session, tmp_path):
    text = ("Фамилия;Имя;Дата рождения\n"
            "Рахмонов;Фарход;07.03.1991\n"
            "Саидов;Умед;31.02.1990\n"
            "Каримова;Зарина;\n")
    result = import_people(session, _csv(tmp_path, text), skip_invalid=True, today=TODAY)
    assert result.committed and result.imported == 2 and result.skipped == 1
    assert _count(session) == 2
    assert session.conn.execute("SELECT count(*) FROM person_search").fetchone()[0] == 2
    audit = session.conn.execute("SELECT detail FROM audit_log WHERE action='import'"
                                 ).fetchone()[0]
    assert json.loads(audit) == {"file": "people.csv", "imported": 2, "skipped": 1}
    assert verify_chain(session.conn) == []


def test_dry_run_checks_without_writing(session, tmp_path):
    result = import_people(session, _csv(tmp_path, RUSSIAN), dry_run=True, today=TODAY)
    assert len(result.valid_rows) == 2 and not result.committed and _count(session) == 0
    assert result.columns["Фамилия"] == "family_name"


def test_xlsx_with_date_cells_numbers_and_age(session, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Фамилия (Насаб)", "Имя / Ном", "Дата рождения", "Возраст", "Телефон",
               "Паспорт", "Комментарий", "Unknown column"])
    ws.append(["Ғафуров", "Азиз", datetime(1979, 5, 20), None, 992935551234, "A 1234567",
               "через горячую линию", "x"])
    ws.append(["Юсуфова", "Малика", None, 34, "+992 90 111 22 33", None, None, None])
    ws.append([None, None, None, None, None, None, None, None])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    result = import_people(session, path, today=TODAY)
    assert result.imported == 2, result.errors
    assert result.unknown_columns == ["Unknown column"]
    rows = session.conn.execute("SELECT family_name, birth_date, birth_date_estimated, phones,"
                                " document_number, notes FROM person ORDER BY rowid"
                                ).fetchall()
    assert rows == [("Ғафуров", "1979-05-20", 0, "992935551234", "A 1234567",
                     "через горячую линию"),
                    ("Юсуфова", "1991-07-01", 1, "+992 90 111 22 33", None, None)]


def test_jamoat_must_belong_to_the_district(session, tmp_path):
    path = _csv(tmp_path, "Фамилия,Имя,Район,Джамоат\nНазаров,Умед,Рашт,Хакими\n")
    result = import_people(session, path, today=TODAY)
    assert [e.message for e in result.errors] == ["row 2: jamoat Хакими is not in district Рашт"]


def test_file_problems_have_clear_messages(session, tmp_path):
    with pytest.raises(ImportFileError, match="does not exist"):
        read_people_file(session.conn, tmp_path / "missing.csv")
    bad = tmp_path / "people.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError, match=r"\.xls"):
        read_people_file(session.conn, bad)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(ImportFileError, match="could not be read"):
        read_people_file(session.conn, broken)
    with pytest.raises(ImportFileError, match="column titles"):
        read_people_file(session.conn, _csv(tmp_path, "Адрес;Телефон\nГарм;123\n"))
    with pytest.raises(ImportFileError, match="empty"):
        read_people_file(session.conn, _csv(tmp_path, "\n\n", name="empty.csv"))


def test_titles_are_recognised_in_every_language():
    assert field_for_title("Фамилия") == field_for_title("НАСАБ") == "family_name"
    assert field_for_title("Familiya*") == field_for_title("family_name") == "family_name"
    assert field_for_title("Tugʻilgan sana") == field_for_title("Tug'ilgan sana") == "birth_date"
    assert field_for_title("Санаи таваллуд") == "birth_date"
    assert field_for_title("Фамилия (Насаб)") == "family_name"
    assert field_for_title("Адрес") is None


def test_cli_import_and_search(db_path, tmp_path, capsys):
    bad = _csv(tmp_path, "Фамилия;Имя;Дата рождения\nРахмонов;Фарход;07.03.1991\n"
                         "Саидов;Умед;31.02.1990\n", name="bad.csv")
    assert hamroh(["people", "import", "--db", str(db_path), str(bad)]) == 1
    captured = capsys.readouterr()
    assert "row 3: date of birth 31.02.1990 is not a date" in captured.err
    assert "--skip-invalid" in captured.err
    assert hamroh(["people", "import", "--db", str(db_path), str(bad), "--skip-invalid"]) == 0
    captured = capsys.readouterr()
    assert "Imported 1 person." in captured.out and "Skipped 1 row" in captured.out

    assert hamroh(["people", "search", "--db", str(db_path), "Rakhmonov", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert [h["family_name"] for h in hits] == ["Рахмонов"]
    assert hamroh(["people", "search", "--db", str(db_path), "Раҳмонов Фарҳод"]) == 0
    assert "Рахмонов Фарход" in capsys.readouterr().out
    assert hamroh(["people", "search", "--db", str(db_path), "Nobody"]) == 1
    assert hamroh(["people", "import", "--db", str(db_path), str(tmp_path / "no.csv")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_row_errors_in_the_users_language(session, tmp_path):
    from desktop_app.i18n import set_language
    path = _csv(tmp_path, "Насаб;Ном;Санаи таваллуд\nРаҳмонов;Фарҳод;31.02.1990\n")
    set_language("tg")
    result = import_people(session, path, today=TODAY)
    assert [e.message for e in result.errors] == [
        "сатри 2: санаи таваллуд 31.02.1990 сана нест"]
    set_language("ru")
    result = import_people(session, path, today=TODAY)
    assert [e.message for e in result.errors] == [
        "строка 2: дата рождения 31.02.1990 — не дата"]
    set_language("uz")
    result = import_people(session, path, today=TODAY)
    assert [e.message for e in result.errors] == [
        "2-qator: tugʻilgan sana 31.02.1990 sana emas"]


STRAY = "Фамилия;Имя;Дата рождения\n" + "".join(
    f"Рахмонов{i};Фарход;07.03.1991\n" for i in range(100))


def _with_stray_byte(tmp_path):
    """UTF-8 with one byte that is not UTF-8 inside the family name on row 4."""
    data = STRAY.encode("utf-8")
    at = data.index("Рахмонов2;".encode()) + 4
    path = tmp_path / "stray.csv"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    return path


def test_utf8_with_one_stray_byte_is_not_read_as_another_code_page(session, tmp_path):
    path = _with_stray_byte(tmp_path)
    result = import_people(session, path, today=TODAY)
    assert not result.committed and _count(session) == 0
    assert [e.message for e in result.errors] == [
        "Row 4, column A (Фамилия): some characters are damaged (the file is not valid UTF-8 "
        "here). Correct this cell and save the file again as UTF-8."]
    result = import_people(session, path, today=TODAY, skip_invalid=True)
    assert result.imported == 99 and result.skipped == 1
    names = [r[0] for r in session.conn.execute("SELECT family_name FROM person")]
    assert "Рахмонов0" in names and all(n.startswith("Рахмонов") for n in names)


def test_importing_the_same_file_twice_creates_nobody_the_second_time(db_path, session,
                                                                       tmp_path, capsys):
    text = RUSSIAN + "Рахмонов;Фарход;Саидович;м;07.03.1991;+992 93 555 12 34;Рашт;Хоит;" \
                     "вернулся\n"
    path = _csv(tmp_path, text)
    first = import_people(session, path, today=TODAY)
    assert first.imported == 2 and [r.repeats_row for r in first.repeated_rows] == [2]
    second = import_people(session, path, today=TODAY)
    assert not second.committed and second.imported == 0 and len(second.repeated_rows) == 3
    assert [r.duplicate_of is not None for r in second.repeated_rows] == [True, True, False]
    assert {r.duplicate_of for r in second.repeated_rows[:2]} == set(first.imported_ids)
    assert _count(session) == 2
    # one more person in the file: only they are imported
    third = import_people(session, _csv(tmp_path, text + "Саидов;Умед;;м;;;;;\n",
                                        name="more.csv"), today=TODAY)
    assert third.imported == 1 and len(third.repeated_rows) == 3 and _count(session) == 3
    # a changed detail is not the same row: imported (and left to the duplicate review)
    fourth = import_people(session, _csv(tmp_path, text.replace("07.03.1991", "08.03.1991"),
                                         name="changed.csv"), today=TODAY)
    assert fourth.imported == 1
    assert hamroh(["people", "import", "--db", str(db_path), str(path)]) == 0
    captured = capsys.readouterr()
    assert "3 rows are already in the register (or repeat an earlier row)" in captured.err
    assert "Nothing new to import" in captured.out


def test_names_and_cells_are_bounded(session, tmp_path):
    long_name = "Р" * 201
    result = read_people_file(session.conn, _csv(
        tmp_path, f"Фамилия;Имя\n{long_name};Фарход\nРахмонов;{'Ф' * 200}\n"), today=TODAY)
    assert [e.message for e in result.errors] == [
        "row 2: family name is longer than 200 characters"]
    with pytest.raises(ImportFileError, match="Row 3, column C: the cell holds 4001"):
        read_people_file(session.conn, _csv(
            tmp_path, f"Фамилия;Имя;Примечание\nРахмонов;Фарход;\nА;Б;{'x' * 4001}\n"))


def test_the_repeat_check_is_an_index_look_up_per_row(session, tmp_path):
    from tests.conftest import query_plans
    path = _csv(tmp_path, RUSSIAN)
    plans = query_plans(session.conn, lambda: read_people_file(session.conn, path, today=TODAY),
                        "FROM person WHERE family_name")
    assert plans and all(any("USING INDEX" in step for step in steps)
                         for steps in plans.values()), plans


def test_a_file_too_large_is_said_in_megabytes_as_the_language_writes_them(tmp_path):
    from desktop_app.i18n import set_language
    from desktop_app.store.people.sheets import Limits, SheetError, read_sheet
    path = tmp_path / "big.csv"
    path.write_bytes(b"family_name\n" + b"x\n" * (3 * 1024 * 1024 // 4))
    limits = Limits(max_file_bytes=1024 * 1024)
    with pytest.raises(SheetError) as english:
        read_sheet(path, limits)
    assert "is 1.5 MB; at most 1 MB" in str(english.value)
    set_language("ru")
    with pytest.raises(SheetError) as russian:
        read_sheet(path, limits)
    assert "1,5" in str(russian.value) and "1.5" not in str(russian.value)


def _pairs(session) -> list[tuple]:
    return session.conn.execute(
        "SELECT person_a, person_b, bundle_id, status FROM sync_duplicate ORDER BY id"
    ).fetchall()


def test_the_same_person_with_small_differences_is_queued_for_review(session, tmp_path):
    first = import_people(session, _csv(tmp_path, RUSSIAN), today=TODAY)
    assert first.imported == 2 and first.possible_duplicates == 0 and _pairs(session) == []
    # the same man again: another spelling, one digit of the phone changed
    again = RUSSIAN.splitlines()[0] + "\n" + \
        "Рахмонов;Фарход;Саидович;м;07.03.1991;+992 93 555 12 35;Рашт;Хоит;вернулся\n" \
        "Раҳмонов;Фарҳод;Саидович;м;07.03.1991;+992 93 555 12 34;Рашт;Хоит;вернулся\n" \
        "Саидов;Умед;;м;;;;;\n"
    second = import_people(session, _csv(tmp_path, again, name="again.csv"), today=TODAY)
    assert second.imported == 3                      # created, but not silently
    rahmonov = first.imported_ids[0]
    pairs = _pairs(session)
    assert second.possible_duplicates == len(pairs) >= 2
    new_rahmonovs = set(second.imported_ids[:2])
    assert {frozenset((a, b)) for a, b, _f, _s in pairs} >= {
        frozenset((rahmonov, new)) for new in new_rahmonovs}
    assert all(source == "import:again.csv" and status == "open"
               for _a, _b, source, status in pairs)
    # the newcomer is nobody's duplicate
    assert not [p for p in pairs if second.imported_ids[2] in p[:2]]
    detail = session.conn.execute(
        "SELECT detail FROM audit_log WHERE action='import' ORDER BY seq DESC LIMIT 1"
    ).fetchone()[0]
    assert json.loads(detail)["possible_duplicates"] == second.possible_duplicates


def test_a_large_file_queues_rows_whose_names_are_registered(session, tmp_path, monkeypatch):
    from desktop_app.store.people import spreadsheet
    monkeypatch.setattr(spreadsheet, "FULL_CHECK_LIMIT", 1)    # as if the file were large
    first = import_people(session, _csv(tmp_path, RUSSIAN), today=TODAY)
    again = RUSSIAN.splitlines()[0] + "\n" + \
        "Рахмонов;Фарход;Саидович;м;08.03.1991;+992 93 555 12 34;Рашт;Хоит;вернулся\n" \
        "Саидов;Умед;;м;;;;;\n" \
        "Саидов;Умед;;м;;+992 90 111 22 33;;;\n"
    second = import_people(session, _csv(tmp_path, again, name="big.csv"), today=TODAY)
    assert second.imported == 3
    pairs = {frozenset(p[:2]) for p in _pairs(session)}
    assert pairs == {frozenset((first.imported_ids[0], second.imported_ids[0])),
                     frozenset(second.imported_ids[1:])}


def test_the_command_says_what_was_queued(db_path, tmp_path, capsys):
    assert hamroh(["people", "import", "--db", str(db_path), str(_csv(tmp_path, RUSSIAN))]) == 0
    again = RUSSIAN.replace("+992 93 555 12 34", "+992 93 555 12 35")
    assert hamroh(["people", "import", "--db", str(db_path),
                   str(_csv(tmp_path, again, name="again.csv"))]) == 0
    out = capsys.readouterr().out
    assert "on the list of possible duplicates (Sync page)" in out
