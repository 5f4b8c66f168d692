"""The case PDF: text read back from the file keeps Tajik and Russian intact."""
from __future__ import annotations

from datetime import date, timedelta

from desktop_app.reports.case_file import write_case_pdf
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.people.repositories import PersonRepository
from tests.helpers.pdf import pdf_text

OPENED = (date.today() - timedelta(days=20)).isoformat()


def make_case(session, **extra):
    person = PersonRepository(session).create(dict(
        family_name="Раҳмонов", given_name="Ҷамшед", patronymic="Қодирович",
        consent_date=OPENED, consent_scope="all"))
    case = cs.open_case(session, dict(channel="hotline", category="unpaid_wages",
                                      person_id=person["id"], opened_on=OPENED,
                                      summary="Не заплатили за три месяца, прораб угрожает",
                                      **extra))
    cs.refer(session, case["id"], {"target": "legal_adviser", "referred_on": OPENED})
    cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered="45000",
                      wages_currency="RUB")
    return case


def test_pdf_in_tajik_and_russian(session, tmp_path):
    case = make_case(session)
    tg = pdf_text(write_case_pdf(session, case["id"], tmp_path / "tg.pdf", language="tg"))
    assert "Раҳмонов Ҷамшед Қодирович" in tg
    assert "Музди меҳнати пардохтнашуда" in tg          # category label in Tajik
    assert "Мушовири ҳуқуқӣ" in tg                    # referral target in Tajik
    assert "Не заплатили за три месяца, прораб угрожает" in tg
    assert case["number"] in tg
    ru = pdf_text(write_case_pdf(session, case["id"], tmp_path / "ru.pdf", language="ru"))
    assert "Невыплата заработной платы" in ru
    assert "Направлено" in ru and "Решено" in ru
    assert "45 000,00" in ru                           # money in Russian format
    logged = session.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action='export_case_pdf' AND record_id=?",
        (case["id"],)).fetchone()[0]
    assert logged == 2


def test_sensitive_details_left_out_unless_included(session, tmp_path):
    case = make_case(session, sensitive_flag=True)
    hidden = pdf_text(write_case_pdf(session, case["id"], tmp_path / "a.pdf", language="ru"))
    assert "Раҳмонов" not in hidden
    assert "прораб угрожает" not in hidden
    assert "Невыплата заработной платы" in hidden     # the facts needed for follow-up stay
    shown = pdf_text(write_case_pdf(session, case["id"], tmp_path / "b.pdf", language="ru",
                                    include_sensitive=True))
    assert "Раҳмонов Ҷамшед Қодирович" in shown and "прораб угрожает" in shown


def test_referral_to_another_office_names_that_office(session, tmp_path):
    from desktop_app.store.offices import OfficeRepository
    other = OfficeRepository(session).create(dict(code="TJB", name="Тоҷикобод JRC",
                                                  office_type="jrc"))
    case = make_case(session)
    cs.refer(session, case["id"], {"target": sc.NETWORK_OFFICE, "referred_on": OPENED,
                                   "target_office_id": other["id"]})
    tg = pdf_text(write_case_pdf(session, case["id"], tmp_path / "tg.pdf", language="tg"))
    assert "Тоҷикобод JRC (TJB)" in tg


def test_the_timeline_prints_money_and_the_opening_in_the_files_language(session, tmp_path):
    """The timeline entry of the outcome: «Натиҷа сабт шуд: Ҳал шуд 45 000,00 рубл», not
    «45000.00 RUB»; a case opened without a summary reads «Case opened.» in that language."""
    from decimal import Decimal

    from desktop_app import i18n
    from desktop_app.domain.cases import EVENT_LABELS
    from desktop_app.store import reference
    case = make_case(session)
    quiet = cs.open_case(session, dict(channel="walk_in", category="unpaid_wages",
                                       opened_on=OPENED))
    for language in ("tg", "ru", "en"):
        cases = i18n.Domain("cases").in_language(language).gettext
        text = pdf_text(write_case_pdf(session, case["id"], tmp_path / f"{language}.pdf",
                                       language=language))
        money = " ".join(i18n.format_money(Decimal("45000"), "RUB", language).split())
        resolved = reference.label(session.conn, "case_outcome", "resolved", language)
        assert f"{cases(EVENT_LABELS['outcome'])}: {resolved} {money}" in text
        assert "45000.00" not in text and "RUB" not in text
        opened = pdf_text(write_case_pdf(session, quiet["id"], tmp_path / f"q{language}.pdf",
                                         language=language))
        assert f"{cases(EVENT_LABELS['note'])}: {cases('Case opened.')}" in opened
