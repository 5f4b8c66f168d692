"""Audit rows handed to sync and checked at the coordinator."""
from desktop_app.store.people.repositories import PersonRepository
from desktop_app.store.security.audit import (AuditFilter, audit_entries, audit_rows_since,
                                              store_remote_audit, verify_remote_chain)


def test_rows_since_mark_and_remote_chain(session, tmp_path):
    from desktop_app.store.access import open_database
    from desktop_app.store.setup import initialise
    rows, mark = audit_rows_since(session.conn, 0)
    assert rows and mark == rows[-1]["seq"]
    PersonRepository(session).create(dict(family_name="Qodirova", given_name="Zebo"))
    session.log("export", "person", None, detail={"rows": 1})
    newer, mark2 = audit_rows_since(session.conn, mark)
    assert [r["action"] for r in newer] == ["create", "export"] and mark2 > mark
    coordinator = open_database(tmp_path / "dsh.db", create=True)
    initialise(coordinator, office_code="DSH", office_name="Dushanbe", admin_username="boss")
    device = rows[0]["device_id"]
    assert store_remote_audit(coordinator, rows) == len(rows)
    assert store_remote_audit(coordinator, rows + newer) == len(newer)   # idempotent
    assert verify_remote_chain(coordinator, device) == []
    coordinator.execute("UPDATE remote_audit SET detail='{}' WHERE action='export'")
    broken = verify_remote_chain(coordinator, device)
    assert [b.reason for b in broken] == ["row content was changed"]


def test_audit_filter(session):
    PersonRepository(session).create(dict(family_name="Nazarova", given_name="Ozoda"))
    session.log("export_person", "person", "p-1", detail={"format": "pdf"})
    found = audit_entries(session.conn, AuditFilter(action="export_person"))
    assert [(r["action"], r["username"]) for r in found] == [("export_person", "admin")]
    assert audit_entries(session.conn, AuditFilter(text="pdf"))[0]["record_id"] == "p-1"
    assert audit_entries(session.conn, AuditFilter(since="2999-01-01")) == []
