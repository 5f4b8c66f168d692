"""Accounts, login and encryption of database files (no Qt).

* :func:`create_encrypted` makes a new encrypted database with its first administrator
  (``hamroh init``); :func:`encrypt_existing` turns a plain database into an encrypted
  one after a backup.
* :func:`login` unlocks a database with a user name and password and returns a
  :class:`Session` acting as that user under the role policy (``policy.RolePolicy``);
  wrong passwords are
  counted (growing delay) and audited as ``failed_login`` at the next successful login.
* :class:`UserAdmin` adds users, changes and resets passwords (rewrapping the key).

Database keys, the key file and the keys remembered in this process are in ``keys``.
"""
from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from desktop_app.domain import security as rules
from desktop_app.domain.actors import Actor
from desktop_app.i18n import Domain
from desktop_app.store import db as dbmod
from desktop_app.store import files
from desktop_app.store.access import open_database
from desktop_app.store.audit import utc_now, verify_chain
from desktop_app.store.cases import sealing
from desktop_app.store.cases.repositories import CaseRepository
from desktop_app.store.db import row_dict
from desktop_app.store.migrations import backup_file
from desktop_app.store.offices import UserRepository

# the synced tables of this module register their repositories on import
from desktop_app.store.security import consent as security_consent  # noqa: F401
from desktop_app.store.security import keys, sensitive, signing
from desktop_app.store.security import rights as security_rights  # noqa: F401
from desktop_app.store.security.keys import is_encrypted_file, known_key, remember_key
from desktop_app.store.security.policy import install_policy
from desktop_app.store.session import PermissionDenied, Session, get_meta
from desktop_app.store.setup import initialise

DOMAIN = Domain("security")
_ = DOMAIN.gettext
log = logging.getLogger(__name__)

# ---- creating and encrypting databases -------------------------------------------------
@dataclass
class NewDatabase:
    session: Session
    recovery_key: str


def _actor_for(conn, user_id: str) -> Actor | None:
    row = conn.execute("SELECT id, username, role, office_id, display_name, active, deleted "
                       "FROM app_user WHERE id=?", (user_id,)).fetchone()
    if row is None or not row[5] or row[6]:
        return None
    return Actor(user_id=row[0], username=row[1], role=row[2], office_id=row[3],
                 display_name=row[4] or row[1])


def _store_credential(conn, user_id: str, username: str, verifier: str,
                      must_change: bool) -> None:
    conn.execute(
        "INSERT INTO user_credential(user_id, username, verifier, must_change,"
        " password_changed_at) VALUES (?,?,?,?,?) ON CONFLICT(user_id) DO UPDATE SET"
        " username=excluded.username, verifier=excluded.verifier,"
        " must_change=excluded.must_change, password_changed_at=excluded.password_changed_at",
        (user_id, username, verifier, 1 if must_change else 0, utc_now()))


def create_encrypted(path, *, office_code: str, office_name: str, admin_username: str,
                     password: str, admin_display_name: str = "", **setup) -> NewDatabase:
    """A new encrypted database with its office, device and administrator."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise dbmod.DatabaseError(_("{path} already exists; choose a new file name.")
                                  .format(path=path), path)
    keys.check_password_strength(password, admin_username)
    db_key = keys.new_database_key()
    conn = open_database(path, key=db_key, create=True)
    try:
        session = initialise(conn, office_code=office_code, office_name=office_name,
                             admin_username=admin_username,
                             admin_display_name=admin_display_name, **setup)
        kf, recovery = keys.KeyFile.create(path, db_key)
        verifier = kf.set_user(db_key, session.actor.user_id, admin_username, password)
        _store_credential(conn, session.actor.user_id, admin_username, verifier, False)
        signer = signing.set_up(conn, kf, session.actor.user_id,
                                _derived(kf, session.actor.user_id, password), recovery)
        signing.sign_anchor(conn, kf, signer, session.actor.user_id)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        conn.close()
        raise
    remember_key(path, db_key)
    install_policy(session)
    signing.hold(session, signer)
    session.db_key = db_key
    return NewDatabase(session, recovery)


def _derived(kf: keys.KeyFile, user_id: str, password: str) -> bytes:
    derived = kf.derive_for_user(user_id, password)
    assert derived is not None  # the slot was just written
    return derived


def encrypt_existing(path, *, admin_username: str, password: str) -> tuple[Path, str]:
    """Encrypt a plain database in place (a plain backup is kept); returns (backup, recovery).

    ``admin_username`` must be an active administrator of the database; it gets the
    first password. Other users get passwords from the administrator afterwards.
    """
    path = Path(path)
    if is_encrypted_file(path):
        raise dbmod.DatabaseError(_("{path} is already encrypted.").format(path=path), path)
    keys.check_password_strength(password, admin_username)
    conn = open_database(path)
    try:
        admin = conn.execute("SELECT id FROM app_user WHERE username=? AND role='administrator'"
                             " AND active=1 AND deleted=0", (admin_username,)).fetchone()
        if admin is None:
            raise dbmod.DatabaseError(_("{name} is not an active administrator of this "
                                        "database.").format(name=admin_username), path)
        backup = backup_file(path, conn, "before-encryption")
        db_key = keys.new_database_key()
        staged = keys.encrypting_name(path)
        for leftover in (staged, Path(str(staged) + "-wal"), Path(str(staged) + "-shm"),
                         keys.key_file_for(staged)):
            leftover.unlink(missing_ok=True)
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{db_key.hex()}'\"", (str(staged),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    check = dbmod.connect(staged, db_key, wal=False)
    try:
        problems = dbmod.integrity_problems(check)
        if problems:
            raise dbmod.CorruptDatabase(_("Encryption failed; the database was left as it "
                                          "was."), path)
    finally:
        check.close()
    recovery = _finish_staged_copy(staged, db_key, admin[0], admin_username, password, backup)
    # The swap: the key file first, then the database. Killed between the two, the next
    # open finishes it (keys.finish_interrupted_encryption): the staged copy is complete.
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    files.replace(keys.key_file_for(staged), keys.key_file_for(path))
    files.replace(staged, path)
    files.lock_path(keys.key_file_for(staged)).unlink(missing_ok=True)
    remember_key(path, db_key)
    return backup, recovery


def _finish_staged_copy(staged: Path, db_key: bytes, admin_id: str, admin_username: str,
                        password: str, backup: Path) -> str:
    """Make the encrypted copy complete before it replaces the plain file: its key file
    (with the recovery slot and the administrator's slot), the administrator's verifier,
    the audit row and the signing key. Returns the recovery key."""
    kf, recovery = keys.KeyFile.create(staged, db_key)
    verifier = kf.set_user(db_key, admin_id, admin_username, password)
    conn = open_database(staged, key=db_key)
    try:
        with dbmod.transaction(conn):
            _store_credential(conn, admin_id, admin_username, verifier, False)
        Session(conn).log("encrypt_database", detail={"backup": backup.name})
        signer = signing.set_up(conn, kf, admin_id, _derived(kf, admin_id, password), recovery)
        signing.sign_anchor(conn, kf, signer, admin_id)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    keys.forget_key(staged)
    return recovery


# ---- login -----------------------------------------------------------------------------
class LoginFailed(PermissionDenied):
    pass


def login(path, username: str, password: str, *, now: float | None = None,
          migrate: bool = True) -> Session:
    """Unlock ``path`` as ``username``; a Session under the role policy, audited.

    Logging in never waits for another process's write (an import holds the write lock
    for minutes): when the database is busy, the login and the wrong passwords before it
    wait in the key file and reach the audit log at a later login.
    """
    kf = keys.KeyFile.for_database(path)
    result = kf.unlock(username, password, now=now)
    conn = open_database(path, key=result.key, migrate=migrate)
    try:
        stored = conn.execute("SELECT verifier FROM user_credential WHERE user_id=?",
                              (result.user_id,)).fetchone()
        actor = _actor_for(conn, result.user_id)
        session = Session(conn, actor) if actor else Session(conn)
        if stored is None or stored[0] != result.verifier or actor is None:
            refused = {"action": "failed_login", "username": username,
                       "user_id": result.user_id,
                       "detail": {"username": username,
                                  "why": "inactive" if actor is None else "credential mismatch"}}
            _write_login_events(session, kf, result.failures, refused)
            raise LoginFailed(_("This user may not log in here. Ask an administrator."))
        status = signing.check_at_login(conn, kf, actor.user_id, actor.role, result.derived)
        _refuse_unsigned(session, status, username)
    except BaseException:
        conn.close()
        raise
    remember_key(path, result.key)
    install_policy(session)
    session.db_key = result.key
    _write_login_events(session, kf, result.failures,
                        {"action": "login", "username": actor.username,
                         "user_id": actor.user_id})
    if result.other_slots:
        # a password change was interrupted: the slot that opened is the one the database
        # knows; the others no longer match it
        kf.keep_only_slot(actor.user_id, result.slot_id)
    if status == "set_up":
        with session.transaction():
            session.audit.record(actor.user_id, "signing_set_up", "app_user", actor.user_id)
    signing.finish_login(session, kf, status, result.derived)
    _sensitive_at_login(session, kf, result.derived)
    return session


def _sensitive_at_login(session: Session, kf: keys.KeyFile, derived: bytes) -> None:
    """A reader's sensitive-case key (from their slot, or a grant made for them); an
    administrator holding it grants it to the readers waiting for it."""
    conn, actor = session.conn, session.actor
    key = sensitive.unwrap_at_login(conn, kf, actor.user_id, actor.role, derived)
    if key is None:
        key = sensitive.take_grant(conn, kf, actor.user_id, actor.role, derived)
    else:
        sensitive.ensure_box(kf, actor.user_id, actor.role, derived)
    sensitive.hold(session, key)
    if key is not None and actor.role == signing.ADMIN:
        sensitive.grant_pending(conn, kf, key, lambda uid: signing.grant_holds(conn, kf, uid),
                                _box_verifier(conn, kf, signing.held(session)))


def _box_verifier(conn, kf: keys.KeyFile, signer):
    """``(statement, signature) -> bool``: True when a reader's box was signed by this
    database's signing key: the one in the key file, in the database and ``signer``, the
    administrator's own (a key file written outside Hamroh signs nothing)."""
    public = signing.public_key(kf)
    trusted = (public is not None and signer is not None
               and signing.public_text(signer) == public
               and get_meta(conn, signing.META_PUBLIC) == public)

    def holds(statement: dict, signature: str | None) -> bool:
        return trusted and signing.verify(public, statement, signature)
    return holds


def _refuse_unsigned(session: Session, status: str, username: str) -> None:
    """A role changed outside Hamroh, or a signing key that is not this database's."""
    if status not in ("refused", "key_mismatch"):
        return
    session.log("failed_login", "app_user", session.actor.user_id,
                detail={"username": username,
                        "why": "role not signed" if status == "refused" else "key mismatch"})
    if status == "refused":
        raise LoginFailed(_("Your role in this database is not the one an administrator "
                            "signed: it may have been changed outside Hamroh. Ask an "
                            "administrator to confirm your role."))
    raise LoginFailed(_("The signing key of this database was replaced outside Hamroh. "
                        "Restore the database and its key file from a backup, or ask the "
                        "coordinator."))


# how long a login waits for the write lock before it leaves its audit events in the key file
LOGIN_WRITE_WAIT_MS = 200


def _write_login_events(session: Session, kf: keys.KeyFile, pending: list,
                        event: dict) -> None:
    """Audit the queued events and this login's ``event`` if the write lock is free at once;
    else queue ``event`` in the key file too (it is written at a later login)."""
    conn = session.conn
    conn.execute(f"PRAGMA busy_timeout = {LOGIN_WRITE_WAIT_MS}")
    try:
        with session.transaction():
            for queued in pending:
                detail = {"username": queued.get("username"), "at": queued.get("at")}
                detail.update(queued.get("detail") or {})
                if queued.get("action") == "failed_login" and queued.get("user_id") is None:
                    session.audit.record(None, "failed_login", "app_user", None, detail=detail)
                else:
                    session.audit.record(queued.get("user_id"), queued.get("action", "login"),
                                         "app_user", queued.get("user_id"), detail=detail)
            if event["action"] == "login":
                conn.execute("UPDATE user_credential SET last_login_at=? WHERE user_id=?",
                             (utc_now(), event["user_id"]))
            session.audit.record(event["user_id"], event["action"], "app_user",
                                 event["user_id"], detail=event.get("detail"))
    except dbmod.Error as exc:
        if not (dbmod.is_busy(exc) or dbmod.is_disk_full(exc)):
            raise
        try:
            kf.queue_audit(event["action"], event["username"], event["user_id"],
                           event.get("detail"))
        except OSError as full:
            if not dbmod.is_disk_full(full):
                raise
            # a full disk must not stop a user from reading: the event goes to the log
            log.warning("Login event not recorded, the disk is full: %s %s",
                        event["action"], event["username"])
        return
    finally:
        conn.execute(f"PRAGMA busy_timeout = {dbmod.BUSY_TIMEOUT_MS}")
    kf.audited([queued["id"] for queued in pending if "id" in queued])


def must_change_password(session: Session) -> bool:
    row = session.conn.execute("SELECT must_change FROM user_credential WHERE user_id=?",
                               (session.actor.user_id,)).fetchone()
    return bool(row and row[0])


def recover(path, recovery_key: str, username: str, new_password: str) -> Session:
    """Open with the printed recovery key and give ``username`` a new password."""
    kf = keys.KeyFile.for_database(path)
    db_key = kf.unlock_with_recovery(recovery_key)
    conn = open_database(path, key=db_key)
    try:
        row = conn.execute("SELECT id FROM app_user WHERE username=? AND deleted=0",
                           (username,)).fetchone()
        actor = _actor_for(conn, row[0]) if row else None
        if actor is None:
            raise LoginFailed(_("There is no active user {name} in this database.")
                              .format(name=username))
        keys.check_password_strength(new_password, username)
        session = Session(conn, actor)
        set_password(session, kf, db_key, actor, new_password, must_change=False,
                     action="recovery_login", by=actor.user_id)
        _recover_signing(session, kf, recovery_key, new_password)
    except BaseException:
        conn.close()
        raise
    remember_key(path, db_key)
    install_policy(session)
    session.db_key = db_key
    return session


def _recover_signing(session: Session, kf: keys.KeyFile, recovery_key: str,
                     password: str) -> None:
    """The recovery slot also wraps the signing key: an administrator gets it back."""
    raw = kf.unwrap_for_recovery(recovery_key, signing.PURPOSE)
    if raw is None or session.actor.role != signing.ADMIN:
        return
    key = signing.load_private(raw)
    if signing.public_text(key) != signing.public_key(kf):
        return
    signing.wrap_for(kf, key, session.actor.user_id, _derived(kf, session.actor.user_id,
                                                              password))
    signing.hold(session, key)


def set_password(session: Session, kf: keys.KeyFile, db_key: bytes, user: Actor | dict,
                 password: str, *, must_change: bool, action: str, by: str | None) -> None:
    """Give a user a new password so that at every instant the old or the new one works.

    1. The new key slot is written beside the old one (fsynced); the database still holds
       the old verifier, so the old password logs in.
    2. The database takes the new verifier and the audit row in one transaction: from the
       commit on, the new password logs in.
    3. The old slot goes. If the process dies before, the next login removes it.
    """
    user_id = user.user_id if isinstance(user, Actor) else user["id"]
    username = user.username if isinstance(user, Actor) else user["username"]
    nested = session.conn.in_transaction
    slot, verifier = kf.make_user_slot(db_key, user_id, username, password)
    kf.put_user_slot(slot, keep_others=True)
    try:
        with session.transaction():
            _store_credential(session.conn, user_id, username, verifier, must_change)
            session.audit.record(by, action, "app_user", user_id)
    except BaseException:
        with contextlib.suppress(Exception):
            kf.remove_slot(slot["id"])
        raise
    if not nested:
        kf.put_user_slot(slot)


def audit_event(session: Session, action: str, detail=None) -> None:
    """Audit something the user did that is not a record write (unlock, export ...)."""
    session.log(action, "app_user" if action in ("unlock", "failed_unlock") else None,
                session.actor.user_id if action in ("unlock", "failed_unlock") else None,
                detail=detail)


def audit_ok(conn) -> bool:
    return not verify_chain(conn)


def session_key(session: Session) -> bytes | None:
    return getattr(session, "db_key", None)


def db_path_of(session: Session) -> Path:
    row = session.conn.execute("PRAGMA database_list").fetchall()
    return Path(next(r[2] for r in row if r[1] == "main"))


# ---- managing users -------------------------------------------------------------------
# who may set the sensitive-case key up (the command, the Administration page)
SENSITIVE_KEY_RIGHT = ("manage_users", "app_user")


class UserAdmin:
    """Users of one database: add, change role/active, set and reset passwords."""

    def __init__(self, session: Session, db_path=None):
        self.session = session
        self.path = Path(db_path) if db_path else db_path_of(session)
        self.users = UserRepository(session)

    def _key(self) -> bytes:
        key = session_key(self.session) or known_key(self.path)
        if key is None:
            raise PermissionDenied(_("Log in again to manage passwords."))
        return key

    def _keyfile(self) -> keys.KeyFile:
        return keys.KeyFile.for_database(self.path)

    def _signer(self):
        """The signing key this administrator holds (None: the database signs nothing yet)."""
        if not keys.KeyFile.exists_for(self.path) or not signing.is_set_up(self._keyfile()):
            return None
        key = signing.held(self.session)
        if key is None:
            raise PermissionDenied(_("Your administrator account cannot sign changes to users "
                                     "yet. Ask another administrator to reset your password, "
                                     "then log in again."))
        return key

    def _sign(self, signer, user_id: str, password: str | None = None) -> None:
        """Sign the user's grant; an administrator's slot also gets the signing key."""
        if signer is None:
            return
        kf = self._keyfile()
        signing.sign_grant(self.session.conn, kf, signer, user_id)
        row = self.session.conn.execute("SELECT role FROM app_user WHERE id=?",
                                        (user_id,)).fetchone()
        if password is not None and row and row[0] == signing.ADMIN:
            signing.wrap_for(kf, signer, user_id, _derived(kf, user_id, password))
        if password is not None and row:
            # the sensitive-case key, for a role that may read sensitive cases; and a box
            # signed now, which the key can be sealed to later if this session lacks it
            derived = _derived(kf, user_id, password)
            sensitive.grant(kf, sensitive.held(self.session), user_id, row[0], derived)
            sensitive.signed_box(kf, user_id, row[0], derived,
                                 lambda statement: signing.sign(signer, statement))

    def list_users(self) -> list[dict]:
        cur = self.session.conn.execute(
            "SELECT u.id, u.username, u.display_name, u.role, u.active, u.office_id,"
            " c.last_login_at, c.must_change, c.user_id IS NOT NULL"
            " FROM app_user u LEFT JOIN user_credential c ON c.user_id = u.id"
            " WHERE u.deleted=0 ORDER BY u.username COLLATE NOCASE")
        cols = ("id", "username", "display_name", "role", "active", "office_id",
                "last_login_at", "must_change", "can_log_in_here")
        return [row_dict(cols, r) for r in cur]

    def readers_waiting_for_key(self) -> list[dict]:
        """Users who log in here, whose role reads sensitive cases, but who will get the
        sensitive-case key only when an administrator resets their password
        (docs/dev/security.md). Users without a password here are not named: the password
        an administrator gives them brings the key with it."""
        self.session.require("manage_users", "app_user")
        if not keys.KeyFile.exists_for(self.path):
            return []
        conn, kf = self.session.conn, self._keyfile()
        public = signing.public_key(kf)
        signed_here = public is not None and get_meta(conn, signing.META_PUBLIC) == public

        def box_is_signed(statement: dict, signature: str | None) -> bool:
            return signed_here and signing.verify(public, statement, signature)
        waiting = set(sensitive.readers_waiting(
            conn, kf, lambda uid: signing.grant_holds(conn, kf, uid), box_is_signed))
        return [u for u in self.list_users() if u["id"] in waiting and u["can_log_in_here"]]

    def add_user(self, username: str, password: str, role: str, display_name: str = "",
                 office_id: str | None = None) -> dict:
        self.session.require("manage_users", "app_user")
        username = username.strip()
        if not username or not all(c.isalnum() or c in "._-" for c in username):
            raise keys.WeakPassword(_("A user name has letters, digits, dots, dashes or "
                                      "underscores, without spaces."))
        if role not in rules.MATRIX:
            raise ValueError(role)
        if self.users.by_username(username) is not None:
            raise keys.WeakPassword(_("The user name {name} is taken.").format(name=username))
        keys.check_password_strength(password, username)
        kf = self._keyfile()
        signer = self._signer()
        # the database first, then the key slot: a crash between leaves a user without a
        # password (an administrator resets it), never a slot without a user
        nested = self.session.conn.in_transaction
        with self.session.transaction():
            user = self.users.create(dict(username=username, display_name=display_name or username,
                                          role=role, active=1,
                                          **({"office_id": office_id} if office_id else {})))
            slot, verifier = kf.make_user_slot(self._key(), user["id"], username, password)
            _store_credential(self.session.conn, user["id"], username, verifier, True)
            if nested:
                # the caller commits later: the slot cannot wait for that commit
                kf.put_user_slot(slot)
        if not nested:
            kf.put_user_slot(slot)
        self._sign(signer, user["id"], password)
        return user

    def set_role(self, user_id: str, role: str) -> dict:
        self.session.require("manage_users", "app_user")
        if role not in rules.MATRIX:
            raise ValueError(role)
        self._keep_an_admin(user_id, role=role)
        signer = self._signer()
        record = self.users.update(user_id, {"role": role})
        self._sign(signer, user_id)
        return record

    def set_active(self, user_id: str, active: bool) -> dict:
        self.session.require("manage_users", "app_user")
        if not active:
            self._keep_an_admin(user_id, active=False)
        signer = self._signer()
        with self.session.transaction():
            record = self.users.update(user_id, {"active": 1 if active else 0})
            if not active:
                self.session.conn.execute("DELETE FROM user_credential WHERE user_id=?",
                                          (user_id,))
        if not active:
            # after the commit: without its credential row the slot no longer logs in
            self._keyfile().remove_user(user_id)
        self._sign(signer, user_id)
        return record

    def _keep_an_admin(self, user_id: str, role: str | None = None, active=True) -> None:
        target = self.users.require(user_id)
        if target["role"] != "administrator" or (role == "administrator" and active):
            return
        others = self.session.conn.execute(
            "SELECT count(*) FROM app_user WHERE role='administrator' AND active=1 AND deleted=0"
            " AND id != ?", (user_id,)).fetchone()[0]
        if others == 0:
            raise PermissionDenied(_("This is the last administrator; make another user "
                                     "administrator first."))

    def reset_password(self, user_id: str, new_password: str) -> None:
        """An administrator sets a temporary password; the user changes it at next login."""
        self.session.require("manage_users", "app_user")
        user = self.users.require(user_id)
        if not user["active"]:
            raise PermissionDenied(_("Activate the user first."))
        keys.check_password_strength(new_password, user["username"])
        signer = self._signer()
        set_password(self.session, self._keyfile(), self._key(), user, new_password,
                     must_change=True, action="reset_password", by=self.session.actor.user_id)
        self._sign(signer, user_id, new_password)

    def change_own_password(self, old_password: str, new_password: str) -> None:
        actor = self.session.actor
        kf = self._keyfile()
        result = kf.unlock(actor.username, old_password)   # raises WrongPassword
        if new_password == old_password:
            raise keys.WeakPassword(_("The new password must differ from the old one."))
        keys.check_password_strength(new_password, actor.username)
        box = kf.unwrap_for_user(actor.user_id, result.derived, sensitive.BOX)
        set_password(self.session, kf, result.key, actor, new_password, must_change=False,
                     action="change_password", by=actor.user_id)
        derived = _derived(kf, actor.user_id, new_password)
        if box is not None:       # the same box, so that its signature still holds
            kf.wrap_for_user(actor.user_id, derived, sensitive.BOX, box)
        held = signing.held(self.session)
        if held is not None and actor.role == signing.ADMIN:
            signing.wrap_for(kf, held, actor.user_id, derived)
        sensitive.grant(kf, sensitive.held(self.session), actor.user_id, actor.role, derived)

    def set_up_sensitive_key(self, password: str, passphrase: str) -> tuple[Path, int]:
        """Seal sensitive cases from now on (an administrator, with their own password and
        the organisation's sensitive-case passphrase): a backup first, then the key wrapped
        for this administrator and every sensitive case's caller, summary and outcome notes
        sealed, in one transaction. Returns (backup, cases sealed)."""
        session = self.session
        session.require(*SENSITIVE_KEY_RIGHT)
        actor = session.actor
        kf = self._keyfile()
        derived = kf.unlock(actor.username, password).derived   # raises WrongPassword
        key = sensitive.key_from_passphrase(passphrase)
        sensitive.check_same_key(session.conn, key)      # refused before any backup
        backup = backup_file(self.path, session.conn, "before-sensitive-key")
        with session.transaction():
            sensitive.set_up(session.conn, kf, actor.user_id, derived, passphrase)
            sensitive.hold(session, key)
            # through the repository: the change log carries the sealed values to the
            # other offices, where they replace the plain ones
            cases = CaseRepository(session)
            cases.sealing_in_bulk = True
            ids = sensitive.plain_sensitive_case_ids(session.conn)
            texts = len(sealing.plain_texts(session.conn))
            for case_id in ids:
                cases.update(case_id, {})
            sealed = len(ids)
            # timeline entries, follow-up results, referral answers: sealed in place (also
            # those of cases sealed before, by an earlier version: the command can be run
            # again with the same passphrase), then the search index merged once
            sealing.seal_case_texts(session)
            session.cache.pop(CaseRepository.PURGE_PENDING, None)
            sealing.purge_search_index(session.conn)
            # texts of sensitive cases held by sync conflicts (the Sync page's list)
            sensitive.seal_conflicts(session.conn)
            # the administrator's signing key from their slot: the window runs this on
            # its database worker, whose session does not hold it
            signer = signing.held(session) or signing.unwrap(kf, actor.user_id, derived)
            sensitive.grant_pending(session.conn, kf, key,
                                    lambda uid: signing.grant_holds(session.conn, kf, uid),
                                    _box_verifier(session.conn, kf, signer))
            session.log("sensitive_key_set_up", detail={"backup": backup.name,
                                                        "cases_sealed": sealed,
                                                        "texts_sealed": texts})
        return backup, sealed

    def new_recovery_key(self) -> str:
        self.session.require("manage_users", "app_user")
        kf = self._keyfile()
        text = kf.set_recovery(self._key())
        held = signing.held(self.session)
        if held is not None:
            kf.wrap_for_recovery(text, signing.PURPOSE, signing.private_bytes(held))
        self.session.log("new_recovery_key")
        return text


# ---- demo databases --------------------------------------------------------------------
# Documented in docs/user/security.md; ``hamroh --demo`` logs in as the administrator.
# (user name, role, password, full name); the demo gives each office its own staff's
# names (desktop_app.demo.staff), these are the Gharm office's.
DEMO_USERS = (
    ("admin", "administrator", "hamroh-admin", "Ҷамшед Раҳимов"),
    ("coordinator", "coordinator", "hamroh-coordinator", "Гулчеҳра Сафарова"),
    ("caseworker", "case_worker", "hamroh-caseworker", "Шаҳло Ғафурова"),
    ("field", "field_officer", "hamroh-field", "Наврӯз Мирзоев"),
    ("inspector", "inspector", "hamroh-inspector", "Ҳусейн Қурбонов"),
    ("loans", "loan_officer", "hamroh-loans", "Нигина Раҷабова"),
)
# The demo's passwords are published (above, and the administrator's is in its key file),
# so a costly key derivation protects nothing there: its slots use a light argon2id. A
# password changed later gets the full parameters (``KeyFile.set_user``).
DEMO_KDF = {"name": "argon2id", "t": 1, "m": 8192, "p": 1}


def _demo_kdf() -> dict:
    return dict(keys.TEST_KDF if os.environ.get(keys.TEST_KDF_ENV) == "1" else DEMO_KDF)


def finish_demo_encryption(session: Session, path,
                           full_names: dict[str, str] | None = None) -> Session:
    """Key file, demo users for every role (documented passwords), demo auto-login.
    ``full_names``: user name -> the name the user is shown by (else ``DEMO_USERS``')."""
    db_key = known_key(path)
    if db_key is None:
        raise RuntimeError(f"{path} is not unlocked in this process")
    kf, _recovery = keys.KeyFile.create(path, db_key)
    admin_id = session.actor.user_id
    repo = UserRepository(session)
    ids = {}
    with session.transaction():
        for username, role, password, display in DEMO_USERS:
            if username == session.actor.username:
                user_id = admin_id
            else:
                user_id = repo.create(dict(
                    username=username, display_name=(full_names or {}).get(username, display),
                    role=role, active=1))["id"]
            ids[username] = user_id
            slot, verifier = kf.make_user_slot(db_key, user_id, username, password,
                                               _demo_kdf())
            kf.data["slots"].append(slot)
            _store_credential(session.conn, user_id, username, verifier, False)
    admin = next(u for u in DEMO_USERS if u[1] == "administrator")
    kf.set_demo_login(admin[0], admin[2])       # writes the key file with every slot
    signer = signing.set_up(session.conn, kf, admin_id, _derived(kf, admin_id, admin[2]))
    signing.sign_anchor(session.conn, kf, signer, admin_id)
    for username, role, password, _display in DEMO_USERS:   # readers get the key later
        sensitive.signed_box(kf, ids[username], role, _derived(kf, ids[username], password),
                             lambda statement: signing.sign(signer, statement))
    install_policy(session)
    signing.hold(session, signer)
    session.db_key = db_key
    return session
