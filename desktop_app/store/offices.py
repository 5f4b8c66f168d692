"""Offices and users (the synced part; credentials live with security)."""
from __future__ import annotations

from desktop_app.store.repository import Repository


class OfficeRepository(Repository):
    table = "office"
    fields = ("code", "name", "office_type", "country", "region", "district", "jamoat")

    def by_code(self, code: str) -> dict | None:
        row = self.conn.execute("SELECT id FROM office WHERE code=? AND deleted=0",
                                (code,)).fetchone()
        return self.get(row[0]) if row else None


class UserRepository(Repository):
    table = "app_user"
    fields = ("username", "display_name", "role", "active")

    def by_username(self, username: str) -> dict | None:
        row = self.conn.execute("SELECT id FROM app_user WHERE username=? AND deleted=0",
                                (username,)).fetchone()
        return self.get(row[0]) if row else None
