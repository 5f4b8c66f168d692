"""What timeline entries say is composed when they are read, in the reader's language:
the stored entry keeps codes and amounts as data (``resolved 45000.00 RUB``)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from desktop_app import i18n
from desktop_app.domain import cases as dom
from desktop_app.store import reference
from desktop_app.store.cases import queries as cq
from desktop_app.store.cases import repositories as sc
from desktop_app.store.cases import services as cs
from desktop_app.store.repository import ValidationError

OPENED = (date.today() - timedelta(days=10)).isoformat()
CASES = i18n.Domain("cases")


def new_case(session, **values):
    return cs.open_case(session, {"channel": "hotline", "category": "unpaid_wages",
                                  "opened_on": OPENED, **values})


def last_event(session, case_id: str, kind: str) -> dict:
    return [e for e in cq.timeline(session.conn, case_id) if e["kind"] == kind][-1]


@pytest.mark.parametrize("language", ["en", "ru", "tg", "uz"])
def test_an_amount_recovered_reads_as_money_in_the_readers_language(session, language):
    case = new_case(session, summary="Not paid for two months")
    cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered="45000",
                      wages_currency="RUB")
    event = last_event(session, case["id"], "outcome")
    assert event["text"] == "resolved 45000.00 RUB"         # data, not a sentence
    shown = cq.event_text(session.conn, event, language)
    assert shown == (f"{reference.label(session.conn, 'case_outcome', 'resolved', language)} "
                     f"{i18n.format_money(Decimal('45000.00'), 'RUB', language)}")
    assert "45000.00" not in shown and "RUB" not in shown


def test_amounts_in_every_currency_keep_their_decimals(session):
    case = new_case(session)
    cs.record_outcome(session, case["id"], outcome="resolved", wages_recovered="1 250 000",
                      wages_currency="UZS", resolve=False)
    event = last_event(session, case["id"], "outcome")
    assert event["text"] == "resolved 1250000.00 UZS"
    assert cq.event_text(session.conn, event, "uz").endswith("1\xa0250\xa0000\xa0soʻm")


@pytest.mark.parametrize("language", ["en", "tg"])
def test_a_case_opened_without_a_summary_says_so_in_the_readers_language(session, language):
    case = new_case(session)
    first = cq.timeline(session.conn, case["id"])[0]
    assert first["text"] is None                             # no language baked in
    assert cq.event_text(session.conn, first, language) == \
        CASES.in_language(language).gettext("Case opened.")


def test_entries_written_in_another_language_before_read_in_the_readers(session):
    """An opening entry stored as «Дело открыто.» by a Russian-speaking user reads in
    Tajik for a Tajik reader; a note that merely says the same stays as written."""
    case = new_case(session, summary="Not paid")
    russian = CASES.in_language("ru").gettext("Case opened.")
    assert russian != "Case opened."
    events = sc.CaseEventRepository(session)
    old = events.create({"case_id": case["id"], "event_on": OPENED, "kind": "call",
                         "to_status": "new", "text": russian, "office_id": case["office_id"]})
    assert cq.event_text(session.conn, old, "tg") == \
        CASES.in_language("tg").gettext("Case opened.")
    note = cs.add_event(session, case["id"], "note", russian)
    assert cq.event_text(session.conn, note, "tg") == russian


def test_a_note_someone_writes_still_needs_its_text(session):
    case = new_case(session)
    with pytest.raises(ValidationError) as err:
        cs.add_event(session, case["id"], "note", "  ")
    assert "text" in err.value.errors


@pytest.mark.parametrize("language,example", [
    ("uz", "12\xa0500,50"), ("tg", "12\xa0500,50"), ("ru", "12\xa0500,50"),
    ("en", "12500.50"),
])
def test_the_amount_example_is_written_as_the_language_types_it(language, example):
    i18n.set_language(language)
    assert dom.amount_text(dom.AMOUNT_EXAMPLE) == example
    assert dom.parse_amount(example) == dom.AMOUNT_EXAMPLE      # what the hint shows is valid
    errors: dict[str, str] = {}
    dom.validate_money("twelve", "TJS", "wages", "currency", errors)
    assert errors["wages"].endswith(f" {example}.")
    assert "12500.50" not in errors["wages"] or language == "en"
