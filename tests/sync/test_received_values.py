"""Values in a validly signed bundle that Hamroh never writes.

A trusted office's laptop may be stolen or buggy: what it signs is still hostile input, and
the forms' checks (validate_person ...) do not run on received values. A value of the wrong
kind for its column (an object, a list, a number where text belongs, text or a fraction
where a whole number belongs, a date that is not a calendar date, an unknown currency, a
rate that is not a number) refuses the whole bundle with one sentence naming it; nothing
is imported. Before, such values either stopped the import with a driver message in
English ("Error binding parameter 0") or were stored and stopped the pages, reports and
PDFs that read them (a loan's rate "banana", a training's start date "banana", a loan
amount in text, a currency "XXX").
"""
from __future__ import annotations

import json

import pytest

from desktop_app import i18n
from desktop_app.domain.ids import new_id
from desktop_app.reports.builder import build_report
from desktop_app.reports.loan_card import write_card
from desktop_app.reports.model import ReportRequest
from desktop_app.reports.periods import parse_period
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.session import get_meta
from desktop_app.sync import bundle as fmt
from desktop_app.sync import exchange
from desktop_app.sync.dump import dump_text
from tests.helpers.replicas import ORG_KEY


def _state(replica) -> tuple[str, int, int]:
    conn = replica.conn
    return (dump_text(conn), conn.execute("SELECT count(*) FROM change_log").fetchone()[0],
            conn.execute("SELECT count(*) FROM sync_bundle_log").fetchone()[0])


def _refused(replica, path) -> str:
    before = _state(replica)
    with pytest.raises(fmt.BundleError) as err:
        exchange.import_bundle(replica.conn, path, org_key=ORG_KEY)
    assert err.value.code == "bad_value", str(err.value)
    message = str(err.value)
    assert path.name in message and "\n" not in message and "Error binding" not in message
    assert _state(replica) == before, "a refused bundle changed the database"
    return message


BAD = [
    # (table, field, value): what the column can never hold
    ("person", "family_name", {"a": 1}),
    ("person", "given_name", ["Фарҳод"]),
    ("person", "phones", 10 ** 30),
    ("person", "document_number", True),
    ("person", "village", 7),
    ("person", "birth_date", "31.02.2026"),
    ("person", "birth_date", "2026-02-31"),
    ("person", "birth_date", "banana"),
    ("person", "disability", "yes"),
    ("hotline_case", "opened_on", "banana"),
    ("hotline_case", "opened_on", "NaN"),
    ("hotline_case", "wages_recovered_minor", 1.5),
    ("hotline_case", "wages_recovered_minor", "1000"),
    ("hotline_case", "wages_currency", "XXX"),
    ("loan", "amount", "banana"),
    ("loan", "amount", 1200.5),
    ("loan", "amount", 10 ** 30),
    ("loan", "annual_rate", "banana"),
    ("loan", "annual_rate", "NaN"),
    ("loan", "annual_rate", "1e30"),
    ("loan", "currency", "banana"),
    ("loan", "disbursed_on", "10.01.2026"),
    ("training_event", "start_date", "banana"),
    ("loan_fund", "currency", {"code": "TJS"}),
]


@pytest.mark.parametrize("table,field,value", BAD,
                         ids=[f"{t}.{f}={json.dumps(v)[:12]}" for t, f, v in BAD])
def test_a_value_of_the_wrong_kind_refuses_the_whole_bundle(signed_office, tmp_path, table, field,
                                                            value):
    sender, dsh, ids = signed_office
    # a good change first: it must not be imported either
    good = sender.change("person", ids["person"], {"notes": "Қарзро гирифт"})
    bad = sender.change(table, ids[table], {field: value})
    path = sender.bundle(tmp_path / "GRM-to-coordinator.hamroh", [good, bad])
    message = _refused(dsh, path)
    assert f"{table}.{field}" in message


def test_a_new_record_with_a_bad_value_is_refused_too(signed_office, tmp_path):
    """A record created whole by one change takes the short path of the merge."""
    sender, dsh, _ids = signed_office
    fields = dict.fromkeys(PersonRepository.all_fields_of())
    fields.update(family_name="Каримов", given_name="Азиз", birth_date="1990-02-30",
                  office_id=get_meta(sender.replica.conn, "office_id"), deleted=0,
                  created_at="2026-05-01T08:00:00Z", updated_at="2026-05-01T08:00:00Z")
    path = sender.bundle(tmp_path / "new.hamroh",
                         [sender.change("person", new_id(), fields)])
    assert "person.birth_date" in _refused(dsh, path)


@pytest.mark.parametrize("key,value", [("s", "12"), ("s", -1), ("r", {"id": 1}), ("r", ""),
                                       ("f", ["family_name"]), ("h", 5), ("h", "banana"),
                                       ("h", "zzz.00000.device"), ("d", None),
                                       ("b", {"family_name": 3})])
def test_a_change_line_of_the_wrong_shape_is_refused(signed_office, tmp_path, key, value):
    sender, dsh, ids = signed_office
    change = sender.change("person", ids["person"], {"notes": "x"})
    change[key] = value
    _refused(dsh, sender.bundle(tmp_path / "shape.hamroh", [change]))


def test_values_hamroh_writes_are_imported(signed_office, tmp_path):
    """What the check lets through: text codes it does not know (reference data travels),
    empty dates (the placeholder of a partial row), nulls, 0/1 written as booleans, whole
    numbers of any sign, rates as decimal text."""
    sender, dsh, ids = signed_office
    path = sender.bundle(tmp_path / "fine.hamroh", [
        sender.change("person", ids["person"], {
            "migration_status": "stranded_abroad", "birth_date": "1990-02-28",
            "consent_date": "", "disability": True, "union_member": False, "village": None}),
        sender.change("hotline_case", ids["hotline_case"], {
            "category": "new_category", "wages_recovered_minor": -500,
            "wages_currency": "USD", "resolved_on": "2024-02-29"}),
        sender.change("loan", ids["loan"], {"annual_rate": "18.5", "late_fee_percent": "0"}),
    ])
    summary = exchange.import_bundle(dsh.conn, path, org_key=ORG_KEY)
    assert summary.updated == 3
    row = dsh.conn.execute("SELECT migration_status, birth_date, disability FROM person"
                           " WHERE id=?", (ids["person"],)).fetchone()
    assert tuple(row) == ("stranded_abroad", "1990-02-28", 1)


def test_the_message_is_in_the_users_language(signed_office, tmp_path):
    sender, dsh, ids = signed_office
    path = sender.bundle(tmp_path / "bad.hamroh", [
        sender.change("loan", ids["loan"], {"annual_rate": "banana"})])
    expected = {"ru": "Ничего не импортировано", "tg": "Ҳеҷ чиз ворид нашуд",
                "uz": "Hech narsa import qilinmadi"}
    for language, words in expected.items():
        i18n.set_language(language)
        message = _refused(dsh, path)
        assert words in message and "bad.hamroh" in message and "loan.annual_rate" in message


def test_pages_reports_and_the_loan_card_read_what_an_import_keeps(signed_office, tmp_path):
    """The values refused above were stored before and stopped these readers; the ones
    let through do not."""
    sender, dsh, ids = signed_office
    path = sender.bundle(tmp_path / "codes.hamroh", [
        sender.change("loan", ids["loan"], {"status": "unknown_status", "term": -5}),
        sender.change("training_event", ids["training_event"], {"course_code": "new_course"}),
        sender.change("hotline_case", ids["hotline_case"], {"status": "unknown_status"})])
    exchange.import_bundle(dsh.conn, path, org_key=ORG_KEY)
    build_report(dsh.conn, ReportRequest(parse_period("2026")), language="en")
    write_card(dsh.conn, ids["loan"], tmp_path / "card.pdf")
