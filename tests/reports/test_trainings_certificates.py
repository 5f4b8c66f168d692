"""Certificates: text read back in ru, tg, uz, en with letters intact."""
import re
from datetime import date

import pytest

from desktop_app.reports import trainings_certificates as certs
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from tests.helpers import trainings as h
from tests.helpers.pdf import pdf_text

PEOPLE = [
    ("Раҳмонова", "Гулнора", "Ҷӯраевна", "tg"),
    ("Yoʻldosheva", "Gʻulomjon", None, "uz"),
    ("Рахмонов", "Фарход", "Бахтиёрович", "ru"),
    ("Rakhmonov", "Farhod", None, "en"),
]


def _text(path, page=None):
    return pdf_text(path, page)


@pytest.fixture
def training(session):
    ev = h.event(session, course="pre_departure", sessions=6, minutes=180,
                 provider_name="ФНПТ / FITU", district="TJ-RASHT", start=date(2026, 3, 2))
    ids = []
    for family, given, patronymic, lang in PEOPLE:
        person = h.person(session, family, given, patronymic=patronymic)
        part = ts.add_participant(session, ev["id"], person["id"], language=lang)
        h.attend(session, ev["id"], part["id"], 6)
        ids.append(part["id"])
    dropout = ts.add_participant(session, ev["id"], h.person(session, "Aliev", "Rustam")["id"])
    h.attend(session, ev["id"], dropout["id"], 2)
    return ev, ids, dropout["id"]


def test_print_all_in_each_participants_language(session, training, tmp_path):
    ev, ids, dropout = training
    path = tmp_path / "all.pdf"
    count = certs.print_certificates(session, ids + [dropout], path, issued=date(2026, 4, 1))
    assert count == 4                                   # the dropout gets no certificate
    numbers = [tr.TrainingParticipantRepository(session).get(i)["certificate_number"] for i in ids]
    assert len(set(numbers)) == 4
    assert all(re.fullmatch(r"GRM-\w+-2026-0000[1-4]", n) for n in numbers)
    assert tr.TrainingParticipantRepository(session).get(dropout)["certificate_number"] is None

    tg = _text(path, 1)
    assert "ШАҲОДАТНОМА" in tg
    assert "Раҳмонова Гулнора Ҷӯраевна" in tg
    assert "Омодагии пеш аз сафар: забони русӣ ва ҳуқуқҳои меҳнатӣ" in tg
    assert "курси омӯзиширо бомуваффақият хатм кард" in tg
    assert "18 соати академӣ" in tg and "Рашт" in tg
    assert f"Шаҳодатномаи № {numbers[0]}" in tg

    uz = _text(path, 2)
    assert "SERTIFIKAT" in uz
    assert "Yoʻldosheva Gʻulomjon" in uz                 # U+02BB kept, not an apostrophe
    assert "Joʻnab ketishdan oldingi tayyorgarlik: rus tili va mehnat huquqlari" in uz
    assert "oʻquv kursini muvaffaqiyatli tamomladi" in uz and "18 akademik soat" in uz

    ru = _text(path, 3)
    assert "СЕРТИФИКАТ" in ru and "Рахмонов Фарход Бахтиёрович" in ru
    assert "Предвыездная ориентация: русский язык и трудовые права" in ru
    assert "18 академических часов" in ru and "2 марта 2026" in ru

    en = _text(path, 4)
    assert "CERTIFICATE" in en and "Rakhmonov Farhod" in en
    assert "Pre-departure orientation: Russian language and labour rights" in en
    assert "18 academic hours" in en and "March 2, 2026" in en

    # printing again keeps the numbers; only the numbering is written, once
    again = tmp_path / "again.pdf"
    certs.print_certificates(session, ids, again)
    assert [tr.TrainingParticipantRepository(session).get(i)["certificate_number"]
            for i in ids] == numbers


def test_failed_print_uses_no_numbers(session, training, tmp_path, monkeypatch):
    ev, ids, _ = training

    def broken(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(certs, "draw_page", broken)
    with pytest.raises(OSError):
        certs.print_certificates(session, ids, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.pdf.part").exists()
    assert all(tr.TrainingParticipantRepository(session).get(i)["certificate_number"] is None
               for i in ids)
    monkeypatch.undo()
    certs.print_certificates(session, ids[:1], tmp_path / "x.pdf")
    first = tr.TrainingParticipantRepository(session).get(ids[0])
    assert first["certificate_number"].endswith("-00001")


def test_language_falls_back_to_the_training_language(session, tmp_path):
    ev = h.event(session, course="beekeeping", sessions=1, minutes=90, language="tg")
    part = ts.add_participant(session, ev["id"], h.person(session, "Қодирова", "Ҳафиза")["id"])
    h.attend(session, ev["id"], part["id"], 1)
    certs.print_certificates(session, [part["id"]], tmp_path / "one.pdf")
    text = _text(tmp_path / "one.pdf")
    assert "Занбӯрпарварӣ" in text and "1,5 соати академӣ" in text and "Қодирова Ҳафиза" in text


HOURS = {   # hours -> the words of the certificate in each language
    "ru": {1: "1 академический час", 2: "2 академических часа", 5: "5 академических часов",
           1.5: "1,5 академического часа", 21: "21 академический час",
           2.5: "2,5 академического часа"},
    "tg": {1: "1 соати академӣ", 1.5: "1,5 соати академӣ", 21: "21 соати академӣ"},
    "uz": {1: "1 akademik soat", 1.5: "1,5 akademik soat", 21: "21 akademik soat"},
    "en": {1: "1 academic hour", 2: "2 academic hours", 1.5: "1.5 academic hours",
           21: "21 academic hours"},
}


@pytest.mark.parametrize("lang", sorted(HOURS))
def test_fractional_hours_take_their_own_form(lang):
    """gettext picks plural forms by whole numbers; Russian puts a fraction in the genitive
    singular («1,5 академического часа»), not the form of its whole part."""
    from desktop_app.domain.trainings import certificate_hours
    catalog = certs.DOMAIN.in_language(lang)
    for hours, words in HOURS[lang].items():
        assert certificate_hours(catalog, int(hours * 60), lang) == words


def test_a_certificate_of_ninety_minutes_reads_right(session, tmp_path):
    ev = h.event(session, course="pre_departure", sessions=1, minutes=90)
    person = h.person(session, "Рахмонов", "Фарход")
    part = ts.add_participant(session, ev["id"], person["id"], language="ru")
    h.attend(session, ev["id"], part["id"], 1)
    path = tmp_path / "one.pdf"
    assert certs.print_certificates(session, [part["id"]], path) == 1
    text = _text(path)
    assert "1,5 академического часа" in text and "академических" not in text


def test_the_file_title_is_in_the_language_asked(session, training, tmp_path):
    import pypdfium2 as pdfium
    _ev, ids, _dropout = training
    path = tmp_path / "tg.pdf"
    certs.print_certificates(session, ids[:1], path, language="tg")
    document = pdfium.PdfDocument(str(path))
    try:
        assert document.get_metadata_dict()["Title"] == "Шаҳодатнома"
    finally:
        document.close()
    assert "ШАҲОДАТНОМА" in _text(path)
