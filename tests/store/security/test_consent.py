"""Consent records, has_consent and the expired list."""
from datetime import date, timedelta

import pytest

from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.repository import ValidationError
from desktop_app.store.security.consent import ConsentRepository, expired_consents, has_consent


def _person(session, **extra):
    return PersonRepository(session).create({"family_name": "Sharipova",
                                             "given_name": "Malika", **extra})


def test_consent_record_counts_until_expiry_and_withdrawal(session):
    person = _person(session)
    consents = ConsentRepository(session)
    assert not has_consent(session.conn, person["id"], "referral")
    row = consents.create(dict(person_id=person["id"], scope="referral",
                               consent_date="01.03.2026", expiry_date="2026-09-30",
                               method="written"))
    assert row["consent_date"] == "2026-03-01"
    assert has_consent(session.conn, person["id"], "referral", date(2026, 5, 1))
    assert not has_consent(session.conn, person["id"], "sharing", date(2026, 5, 1))
    assert not has_consent(session.conn, person["id"], "referral", date(2026, 2, 1))
    assert not has_consent(session.conn, person["id"], "referral", date(2026, 10, 1))
    consents.withdraw(row["id"], date(2026, 6, 1))
    assert has_consent(session.conn, person["id"], "referral", date(2026, 5, 31))
    assert not has_consent(session.conn, person["id"], "referral", date(2026, 6, 1))
    assert session.conn.execute("SELECT count(*) FROM change_log WHERE table_name='consent'"
                                ).fetchone()[0] == 2


def test_scope_all_and_person_fields_still_count(session):
    person = _person(session, consent_date="2026-01-10", consent_scope="storage")
    assert has_consent(session.conn, person["id"], "storage", date(2026, 2, 1))
    other = _person(session)
    ConsentRepository(session).create(dict(person_id=other["id"], scope="all",
                                           consent_date="2026-01-01"))
    assert has_consent(session.conn, other["id"], "photo", date(2026, 2, 1))


def test_consent_validation(session):
    person = _person(session)
    with pytest.raises(ValidationError) as err:
        ConsentRepository(session).create(dict(person_id=person["id"], scope="gossip",
                                               consent_date="2026-13-45",
                                               expiry_date="2020-01-01"))
    assert set(err.value.errors) >= {"scope", "consent_date"}
    with pytest.raises(ValidationError) as err:
        ConsentRepository(session).create(dict(person_id=person["id"], scope="storage",
                                               consent_date="2026-02-01",
                                               expiry_date="2026-01-01"))
    assert "expiry_date" in err.value.errors
    assert session.conn.execute("SELECT count(*) FROM consent").fetchone()[0] == 0


def test_expired_list_skips_renewed(session):
    today = date.today()
    a, b = _person(session), _person(session, given_name="Nodira")
    consents = ConsentRepository(session)
    old = (today - timedelta(days=400)).isoformat()
    ended = (today - timedelta(days=10)).isoformat()
    consents.create(dict(person_id=a["id"], scope="storage", consent_date=old,
                         expiry_date=ended))
    consents.create(dict(person_id=b["id"], scope="storage", consent_date=old,
                         expiry_date=ended))
    consents.create(dict(person_id=b["id"], scope="storage", consent_date=today.isoformat(),
                         expiry_date=(today + timedelta(days=365)).isoformat()))
    rows = expired_consents(session.conn)
    assert [(r["person_id"], r["given_name"]) for r in rows] == [(a["id"], "Malika")]
