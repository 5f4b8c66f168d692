"""Run a hamroh command (or a person save) and SIGKILL the process just before (N odd) or
just after (N even) its (N+1)//2-th durable file operation (``os.replace`` or
``os.fsync``): ``python -m tests.adversarial._crash N ARGS``.

N = 0 runs without killing; N = -1 prints the number of kill points (``CALLS n``) on
stderr. ``save-person DB NAME`` instead of command arguments saves one person the way the
window does (log in, one transaction).
"""
from __future__ import annotations

import os
import signal
import sys


def _arm(limit: int) -> None:
    calls = [0]
    if limit < 0:
        import atexit
        atexit.register(lambda: print(f"CALLS {2 * calls[0]}", file=sys.stderr))

    # kill point 2k-1 is just before the k-th operation, 2k just after it
    def counting(real):
        def wrapper(*args, **kwargs):
            calls[0] += 1
            if 2 * calls[0] - 1 == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            answer = real(*args, **kwargs)
            if 2 * calls[0] == limit:
                os.kill(os.getpid(), signal.SIGKILL)
            return answer
        return wrapper
    os.replace = counting(os.replace)
    os.fsync = counting(os.fsync)


def _save_person(db: str, family_name: str) -> int:
    from desktop_app.store.people.repositories import PersonRepository
    from desktop_app.store.security.accounts import login
    session = login(db, "admin", os.environ["HAMROH_PASSWORD"])
    with session.transaction():
        PersonRepository(session).create({"family_name": family_name, "given_name": "Test",
                                          "sex": "female"})
    session.conn.close()
    return 0


def main(argv: list[str]) -> int:
    limit, rest = int(argv[0]), argv[1:]
    if limit:
        _arm(limit)
    if rest[0] == "save-person":
        return _save_person(rest[1], rest[2])
    from desktop_app.cli import main as hamroh
    return hamroh(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
