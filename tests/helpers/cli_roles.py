"""Running ``hamroh`` commands in this process as one of the demo users (one per role)."""
from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from desktop_app.cli import main as hamroh
from desktop_app.store.security import keys
from desktop_app.store.security.accounts import DEMO_USERS

USER_OF_ROLE = {role: username for username, role, _password, _name in DEMO_USERS}
PASSWORD_OF_USER = {username: password for username, _role, password, _name in DEMO_USERS}


@dataclass
class Ran:
    code: int | None
    out: str
    err: str
    error: BaseException | None = None      # an exception that escaped main (a traceback)


def make_demo(path: Path, **sizes) -> Path:
    from desktop_app.demo import create_demo, default_arguments
    args = default_arguments(**({"people": 60, "cases": 30, "trainings": 2, "loans": 10}
                                | sizes))
    session = create_demo(path, args)
    session.conn.close()
    keys.forget_key(path)
    return path


def run_as(role: str, argv: list[str], db: Path | None = None) -> Ran:
    """``hamroh argv`` (with ``--db db --user <role's demo user>`` added) in this process."""
    username = USER_OF_ROLE[role]
    full = list(argv)
    if db is not None:
        full += ["--db", str(db), "--user", username]
        keys.forget_key(db)          # log in again: nothing unlocked by an earlier run
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("HAMROH_PASSWORD", "HAMROH_USER")}
    os.environ["HAMROH_PASSWORD"] = PASSWORD_OF_USER[username]
    os.environ.pop("HAMROH_USER", None)
    error, code = None, None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = hamroh(full)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:   # noqa: BLE001 - the caller asserts there was none
        error = exc
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if db is not None:
            keys.forget_key(db)
    return Ran(code, out.getvalue(), err.getvalue(), error)
