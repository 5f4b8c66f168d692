"""The role policy: who may do what to which rows (domain.security.MATRIX), and the
logged reason that opens a sensitive case a user is not assigned to."""
from __future__ import annotations

from typing import Callable

from desktop_app.domain import security as rules
from desktop_app.domain.actors import Actor
from desktop_app.i18n import Domain
from desktop_app.store.session import PermissionDenied, ReasonRequired, Session, permission_message

DOMAIN = Domain("security")
_ = DOMAIN.gettext


class RolePolicy:
    """Applies domain.security.MATRIX; sensitive cases need assignment or a logged reason."""

    def __init__(self, conn=None, granted: set | None = None):
        self.conn = conn
        self.granted = granted if granted is not None else set()

    def check(self, actor: Actor, action: str, table: str, row: dict | None) -> None:
        scope = rules.allowed_scope(actor.role, action, table)
        if not rules.in_scope(scope, user_id=actor.user_id, user_office=actor.office_id,
                              row=row):
            raise PermissionDenied(permission_message(action))
        if action == "view_detail" and table == rules.CASE_TABLE and row is not None:
            self._check_sensitive(actor, row)

    def checker(self, actor: Actor, action: str, table: str) -> Callable[[dict | None], None]:
        """:meth:`check` for the rows of a batch: the role's scope looked up once, then
        each row checked against it (the rows that decide a scope, office and author,
        each checked once per distinct value)."""
        if action == "view_detail" and table == rules.CASE_TABLE:
            return lambda row: self.check(actor, action, table, row)
        scope = rules.allowed_scope(actor.role, action, table)
        if scope is None or scope == rules.ALL:
            allowed = scope is not None

            def check_all(row: dict | None) -> None:
                if not allowed:
                    raise PermissionDenied(permission_message(action))
            return check_all
        seen: set = set()

        def check_row(row: dict | None) -> None:
            if row is None:
                return
            key = (row.get("office_id"), row.get("created_by"), row.get("assigned_to"),
                   "created_by" in row, "assigned_to" in row)
            if key in seen:
                return
            if not rules.in_scope(scope, user_id=actor.user_id, user_office=actor.office_id,
                                  row=row):
                raise PermissionDenied(permission_message(action))
            seen.add(key)
        return check_row

    def _check_sensitive(self, actor: Actor, row: dict) -> None:
        if not rules.case_is_sensitive(row, self._birth_date(row)):
            return
        if rules.may_see_sensitive_freely(actor.role, actor.user_id, row):
            return
        if row.get("id") in self.granted:
            return
        raise ReasonRequired(
            _("This case is sensitive and not assigned to you. Give a reason to open it; "
              "the reason is recorded in the audit log."), rules.CASE_TABLE, row.get("id"))

    def _birth_date(self, row: dict) -> str | None:
        if row.get("person_birth_date"):
            return row["person_birth_date"]
        if self.conn is None or not row.get("person_id"):
            return None
        found = self.conn.execute("SELECT birth_date FROM person WHERE id=?",
                                  (row["person_id"],)).fetchone()
        return found[0] if found else None


def install_policy(session: Session) -> Session:
    session.policy = RolePolicy(session.conn, session.granted_reasons)
    return session


def grant_reason(session: Session, table: str, record_id: str, reason: str) -> None:
    """Record why a user opens a sensitive record they are not assigned to, then allow it."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise PermissionDenied(_("Write the reason in a few words (at least 5 letters)."))
    session.log("view_sensitive", table, record_id, detail={"reason": reason})
    session.granted_reasons.add(record_id)
