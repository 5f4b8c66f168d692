"""A person's rights: export everything, erase personal data."""
import json

import pytest

from desktop_app.store.people.repositories import (
    MigrationEpisodeRepository,
    PersonRepository,
    search_people,
)
from desktop_app.store.repository import Repository
from desktop_app.store.security import accounts as security
from desktop_app.store.security.consent import ConsentRepository
from desktop_app.store.security.rights import erase_person, export_person, is_erased, write_json
from desktop_app.store.session import PermissionDenied
from desktop_app.store.sync_state.changes import logged_changes
from tests.conftest import TEST_PASSWORD
from tests.helpers.pdf import pdf_text


@pytest.fixture
def person(session):
    p = PersonRepository(session).create(dict(
        family_name="Ҷӯраев", given_name="Фаррух", sex="male", birth_date="1990-06-15",
        phones="+992 92 777 1234", district="TJ-RASHT", jamoat="TJ-RASHT-GARM",
        notes="Works in Krasnoyarsk"))
    MigrationEpisodeRepository(session).create(dict(
        person_id=p["id"], destination_country="RU", destination_city="Krasnoyarsk",
        employer_name="OOO StroyMontazh", notes="wages unpaid 3 months"))
    ConsentRepository(session).create(dict(person_id=p["id"], scope="storage",
                                           consent_date="2026-01-05", notes="signed form"))
    return p


def test_export_has_every_record_and_is_audited(session, person, tmp_path):
    data = export_person(session, person["id"])
    assert data["people"][0]["family_name"] == "Ҷӯраев"
    assert data["records"]["migration_episode"][0]["employer_name"] == "OOO StroyMontazh"
    assert data["records"]["consent"][0]["scope"] == "storage"
    out = tmp_path / "p.json"
    write_json(data, out)
    assert "Ҷӯраев" in out.read_text(encoding="utf-8")
    logged = session.conn.execute("SELECT record_id, detail FROM audit_log "
                                  "WHERE action='export_person'").fetchall()
    assert logged[0][0] == person["id"]
    assert json.loads(logged[0][1])["records"] == {"consent": 1, "migration_episode": 1}


def test_pdf_export_renders_tajik(session, person, tmp_path):
    from desktop_app.reports.security_export import write_person_pdf
    out = tmp_path / "p.pdf"
    write_person_pdf(export_person(session, person["id"], "pdf"), out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data   # the font with Tajik letters
    text = pdf_text(out)
    assert "Ҷӯраев" in text and "OOO StroyMontazh" in text


def test_export_needs_permission(db_path, person):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    security.UserAdmin(admin, db_path).add_user("lena", "loans-pass-1", "loan_officer")
    loans = security.login(db_path, "lena", "loans-pass-1")
    with pytest.raises(PermissionDenied):
        export_person(loans, person["id"])
    assert loans.conn.execute("SELECT count(*) FROM audit_log WHERE action='export_person'"
                              ).fetchone()[0] == 0


def test_erase_blanks_personal_fields_keeps_counts(session, person):
    marker = erase_person(session, person["id"], "Person asked in writing")
    row = PersonRepository(session).get(person["id"])
    assert row["family_name"] == "—" and row["given_name"] == "—"
    assert row["phones"] is None and row["notes"] is None and row["jamoat"] is None
    assert (row["sex"], row["birth_date"][:4], row["district"]) == ("male", "1990", "TJ-RASHT")
    episode = session.conn.execute("SELECT employer_name, notes, destination_city FROM "
                                   "migration_episode").fetchone()
    assert episode == (None, None, "Krasnoyarsk")
    assert session.conn.execute("SELECT notes FROM consent").fetchone()[0] is None
    assert is_erased(session.conn, person["id"])
    assert json.loads(marker["fields"])["person"]
    # the marker syncs; no old value is left in the change log sync reads
    logged = " ".join(c[5] for c in logged_changes(session.conn, Repository.synced_tables()))
    assert "person_erasure" in {r[0] for r in session.conn.execute(
        "SELECT table_name FROM change_log")}
    for secret in ("Ҷӯраев", "777 1234", "StroyMontazh", "wages unpaid", "signed form"):
        assert secret not in logged
    assert search_people(session.conn, "Ҷӯраев") == []
    assert session.conn.execute("SELECT count(*) FROM person WHERE deleted=0").fetchone()[0] == 1


def test_erase_needs_reason_and_administrator(db_path, person):
    admin = security.login(db_path, "admin", TEST_PASSWORD)
    with pytest.raises(PermissionDenied):
        erase_person(admin, person["id"], "")
    security.UserAdmin(admin, db_path).add_user("coord", "coord-pass-1", "coordinator")
    coord = security.login(db_path, "coord", "coord-pass-1")
    with pytest.raises(PermissionDenied):
        erase_person(coord, person["id"], "Person asked in writing")
    assert coord.conn.execute("SELECT family_name FROM person WHERE id=?",
                              (person["id"],)).fetchone()[0] == "Ҷӯраев"
