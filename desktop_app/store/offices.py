"""Offices and users (the synced part; credentials live with security)."""
from __future__ import annotations

import re

from desktop_app.store.repository import Repository

# An office code is 2-8 capital Latin letters or digits: it goes into file names (sync
# bundles), people-facing numbers and paths, so nothing else may pass.
OFFICE_CODE = re.compile(r"[A-Z0-9]{2,8}")


def is_office_code(value) -> bool:
    """Is ``value`` a valid office code (checked wherever a code enters: set-up, bundles,
    trusted devices, office records received by sync)?"""
    return isinstance(value, str) and OFFICE_CODE.fullmatch(value) is not None


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
