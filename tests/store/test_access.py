"""store.access sits below the accounts module: opening a database needs the key helpers
and the role policy, never logins or user administration."""
import subprocess
import sys

from desktop_app.store.access import open_session
from desktop_app.store.security.policy import RolePolicy


def test_opening_a_database_does_not_load_accounts():
    code = ("import sys, desktop_app.store.access; "
            "print('desktop_app.store.security.accounts' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_open_session_installs_the_role_policy(db_path):
    session = open_session(db_path)
    try:
        assert isinstance(session.policy, RolePolicy)
    finally:
        session.conn.close()
