"""Participant lists from CSV/XLSX: preview row by row, nothing saved before confirming."""
import pytest
from openpyxl import Workbook

from desktop_app.i18n.formats import full_name
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import spreadsheet as ti
from tests.helpers import trainings as h

CSV = (
    "Фамилия;Имя;Отчество;Пол;Дата рождения;Телефон;Язык;Примечание\n"
    "Раҳмонова;Гулнора;;ж;07.03.1991;+992 93 555 12 34;тоҷикӣ;\n"        # matches a stored person
    "Каримов;Джамшед;Алиевич;м;31.02.1990;;;\n"                          # impossible date
    "Назарова;Дилноза;;ж;12.11.1985;;узбекский;\n"                        # new
    "Назарова;Дилноза;;ж;12.11.1985;;;same again\n"                      # same person twice
    ";Фарход;;м;;;;\n"                                                   # no family name
    "Саидов;Бахтиёр;;x;01.01.1980;;;\n"                                  # sex not understood
    "Шарипов;Умед;;м;;;;\n"                                              # possible (name, no date)
)


def _counts(conn):
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("person", "training_participant", "change_log", "audit_log"))


@pytest.fixture
def setting(session):
    existing = h.person(session, "Раҳмонова", "Гулнора", birth_date="1991-03-07")
    namesake = h.person(session, "Шарипов", "Умед", sex="male", birth_date="1975-04-04")
    ev = h.event(session, sessions=3)
    return session, ev, existing, namesake


def test_cp1251_csv_preview_shows_matches_errors_and_duplicates(setting, tmp_path):
    session, ev, existing, namesake = setting
    path = tmp_path / "list.csv"
    # Tajik letters do not exist in Windows-1251; the same list typed in Russian letters:
    russian = CSV.replace("Раҳмонова", "Рахмонова").replace("тоҷикӣ", "таджикский")
    path.write_bytes(russian.encode("cp1251"))
    before = _counts(session.conn)
    preview = ti.preview_file(session.conn, ev["id"], path)
    assert _counts(session.conn) == before                 # a preview writes nothing
    assert preview.encoding.replace("-", "").lower() in ("cp1251", "windows1251")
    assert preview.ignored_columns == ["Примечание"]
    by_line = {r.line: r for r in preview.rows}
    assert [by_line[i].status for i in range(2, 9)] == [
        ti.MATCH, ti.ERROR, ti.NEW, ti.DUPLICATE, ti.ERROR, ti.ERROR, ti.POSSIBLE]
    assert by_line[2].person_id == existing["id"] and by_line[2].language == "tg"
    assert by_line[2].values["birth_date"] == "1991-03-07"
    assert any("dd.mm.yyyy" in e for e in by_line[3].errors)
    assert by_line[4].values["family_name"] == "Назарова" and by_line[4].language == "uz"
    assert "line 4" in by_line[5].errors[0]
    assert "family name" in by_line[6].errors[0]
    assert "x" in by_line[7].errors[0]
    assert by_line[8].candidates[0].person_id == namesake["id"]
    assert by_line[8].action == "new"

    result = ti.apply_preview(session, ev["id"], preview)
    assert (result.registered, result.linked, result.skipped) == (2, 1, 4)
    names = sorted(full_name(p) for p in tq.participants_of(session.conn, ev["id"]))
    assert names == ["Назарова Дилноза", "Раҳмонова Гулнора", "Шарипов Умед"]

    # importing the same list again adds nobody twice
    again = ti.preview_file(session.conn, ev["id"], path)
    assert {r.line: r.status for r in again.rows} == {
        2: ti.ALREADY, 3: ti.ERROR, 4: ti.ALREADY, 5: ti.DUPLICATE, 6: ti.ERROR, 7: ti.ERROR,
        8: ti.ALREADY}
    ti.apply_preview(session, ev["id"], again)
    assert len(tq.participants_of(session.conn, ev["id"])) == 3


def test_user_links_a_possible_match_instead_of_registering(setting, tmp_path):
    session, ev, existing, namesake = setting
    path = tmp_path / "list.csv"
    path.write_text("Family name,Given name\nШарипов,Умед\n", encoding="utf-8")
    preview = ti.preview_file(session.conn, ev["id"], path)
    row = preview.rows[0]
    assert row.status == ti.POSSIBLE
    ti.choose(row, "link", row.candidates[0].person_id)
    people_before = _counts(session.conn)[0]
    ti.apply_preview(session, ev["id"], preview)
    assert _counts(session.conn)[0] == people_before
    assert tq.participants_of(session.conn, ev["id"])[0]["person_id"] == namesake["id"]
    with pytest.raises(ValueError):
        ti.choose(ti.PreviewRow(1, {}, status=ti.ERROR), "new")


def test_xlsx_with_uzbek_headers_and_real_dates(setting, tmp_path):
    import datetime
    session, ev, existing, namesake = setting
    book = Workbook()
    sheet = book.active
    sheet.append(["Familiya", "Ism", "Jinsi", "Tugʻilgan sana", "Til"])
    sheet.append(["Yoʻldosheva", "Gʻulomjon", "ayol", datetime.datetime(1999, 1, 5), "oʻzbek"])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    preview = ti.preview_file(session.conn, ev["id"], path)
    assert len(preview.rows) == 1
    row = preview.rows[0]
    assert row.status == ti.NEW and row.values["sex"] == "female" and row.language == "uz"
    assert row.values["birth_date"] == "1999-01-05"
    ti.apply_preview(session, ev["id"], preview)
    assert tq.participants_of(session.conn, ev["id"])[0]["family_name"] == "Yoʻldosheva"


def test_missing_columns_and_unreadable_files_have_one_clear_message(setting, tmp_path):
    session, ev, *_ = setting
    path = tmp_path / "list.csv"
    path.write_text("Name;Phone\nUmed;123\n", encoding="utf-8")
    with pytest.raises(ti.ImportFileError) as err:
        ti.preview_file(session.conn, ev["id"], path)
    assert "Family name" in str(err.value)
    bad = tmp_path / "photo.xlsx"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(ti.ImportFileError):
        ti.preview_file(session.conn, ev["id"], bad)
    with pytest.raises(ti.ImportFileError):
        ti.preview_file(session.conn, ev["id"], tmp_path / "missing.csv")


def test_failed_save_leaves_nothing(setting, tmp_path, monkeypatch):
    session, ev, *_ = setting
    path = tmp_path / "list.csv"
    path.write_text("Family name,Given name\nAliev,Rustam\nBoboev,Sino\n", encoding="utf-8")
    preview = ti.preview_file(session.conn, ev["id"], path)
    before = _counts(session.conn)
    calls = {"n": 0}
    original = tr.TrainingParticipantRepository.create

    def failing(self, values, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, values, **kw)
    monkeypatch.setattr(tr.TrainingParticipantRepository, "create", failing)
    with pytest.raises(RuntimeError):
        ti.apply_preview(session, ev["id"], preview)
    assert _counts(session.conn) == before


def test_column_titles_of_the_people_import_are_understood(setting, tmp_path):
    session, ev, *_ = setting
    path = tmp_path / "list.csv"
    path.write_text("Фамилия (Насаб);Имя / Ном;Phone / Телефон;Эзоҳ\n"
                    "Қодирова;Ҳафиза;+992 93 111 22 33;x\n", encoding="utf-8")
    preview = ti.preview_file(session.conn, ev["id"], path)
    assert set(preview.columns) >= {"family_name", "given_name", "phones"}
    row = preview.rows[0]
    assert row.values["family_name"] == "Қодирова" and row.values["phones"] == "+992 93 111 22 33"


def test_damaged_characters_and_long_names_are_row_errors(setting, tmp_path):
    session, ev, _existing, _namesake = setting
    data = ("Фамилия;Имя\nНазарова;Дилноза\nКаримов;Джамшед\n" + "Р" * 201 + ";Али\n"
            ).encode("utf-8")
    at = data.index("Каримов".encode()) + 2
    path = tmp_path / "stray.csv"
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    preview = ti.preview_file(session.conn, ev["id"], path)
    assert preview.encoding == "utf-8"
    by_line = {r.line: r for r in preview.rows}
    assert by_line[2].status == ti.NEW and by_line[2].name == "Назарова Дилноза"
    assert by_line[3].status == ti.ERROR and by_line[3].errors[0].startswith(
        "Row 3, column A (Фамилия): some characters are damaged")
    assert by_line[4].status == ti.ERROR
    assert "Family name is longer than 200 characters." in by_line[4].errors
