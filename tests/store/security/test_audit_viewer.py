"""The audit viewer's filters."""
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.security.audit import AuditFilter, audit_entries


def test_audit_filter(session):
    PersonRepository(session).create(dict(family_name="Nazarova", given_name="Ozoda"))
    session.log("export_person", "person", "p-1", detail={"format": "pdf"})
    found = audit_entries(session.conn, AuditFilter(action="export_person"))
    assert [(r["action"], r["username"]) for r in found] == [("export_person", "admin")]
    assert audit_entries(session.conn, AuditFilter(text="pdf"))[0]["record_id"] == "p-1"
    assert audit_entries(session.conn, AuditFilter(since="2999-01-01")) == []
