"""A diagnostics file an office can send to whoever supports it, with no personal data.

It holds the version of Hamroh and of what it runs on (Python, Qt, SQLite, SQLCipher), the
platform, where the data folder and the database are, the database's schema and the
answer of ``hamroh db check``, and the last lines of the log file.

No personal data: the database is asked only for its schema and its check; of the log
file only the lines that Hamroh's own code writes are kept (they carry no names, phones or
documents, see ``logs.py``), tracebacks without their exception messages (a message may
quote a value), and the user's home folder is written as ``~``.
"""
from __future__ import annotations

import logging
import os
import platform
import re
import sys
from collections import deque
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable

from desktop_app import logs, paths
from desktop_app.i18n import current_language
from desktop_app.store import migrations
from desktop_app.version import version

log = logging.getLogger(__name__)

LOG_LINES = 200
# a log record's first line (logs.LINE_FORMAT): time, level, logger, [thread], message
_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ (?P<logger>\S+) \[")
_FRAME = re.compile(r'^\s+File "(?P<file>[^"]*)", line \d+, in \S+$')
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(:|$)")
_TRACEBACK_HEADINGS = ("Traceback (most recent call last):",
                       "During handling of the above exception, another exception occurred:",
                       "The above exception was the direct cause of the following exception:")
OURS = "desktop_app"


def file_name(now: datetime | None = None) -> str:
    """The suggested name: hamroh-diagnostics-20261207-0412.txt."""
    return f"hamroh-diagnostics-{(now or datetime.now()).strftime('%Y%m%d-%H%M')}.txt"


def _home_as_tilde(text: str) -> str:
    home = str(Path.home())
    if len(home) > 1:
        text = text.replace(home, "~")
        if os.sep == "\\":
            text = text.replace(home.replace("\\", "/"), "~")
    return text


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _sqlcipher_versions() -> tuple[str, str]:
    try:
        import sqlcipher3  # deferred: only the diagnostics file asks the library itself
        conn = sqlcipher3.connect(":memory:")
        try:
            cipher = conn.execute("PRAGMA cipher_version").fetchone()
        finally:
            conn.close()
        return sqlcipher3.sqlite_version, cipher[0] if cipher else "-"
    except Exception as exc:  # a diagnostics file is still useful without them
        return "-", f"- ({type(exc).__name__})"


def versions() -> list[tuple[str, str]]:
    sqlite, cipher = _sqlcipher_versions()
    return [
        ("Hamroh", version()),
        ("Packaged", "yes" if paths.is_frozen() else "no (run from the sources)"),
        ("Python", platform.python_version()),
        ("Platform", platform.platform()),
        ("Machine", platform.machine()),
        ("Qt (PySide6)", _package_version("PySide6-Essentials")),
        ("SQLite", sqlite),
        ("SQLCipher", cipher),
        ("Language", current_language()),
    ]


def places(db_path: Path | None) -> list[tuple[str, str]]:
    portable = paths.portable_folder()
    return [
        ("Data folder", _home_as_tilde(str(paths.data_dir()))),
        ("Portable", "yes" if portable is not None and "HAMROH_HOME" not in os.environ
         else "no"),
        ("Database", _home_as_tilde(str(db_path)) if db_path else "-"),
        ("Log file", _home_as_tilde(str(logs.log_file()))),
    ]


def database_section(conn, db_path: Path | None) -> list[str]:
    """The schema the database has and what ``hamroh db check`` says about it."""
    if conn is None:
        return ["(no database open)"]
    from desktop_app.store.checks import check_database  # deferred: sqlite_utils, 0.17 s
    lines = []
    done = migrations.applied(conn)
    lines.append(f"Schema: {len(done)} updates applied, last {done[-1] if done else '-'}; "
                 f"{len(migrations.pending(conn))} pending")
    if db_path is not None and Path(db_path).exists():
        lines.append(f"File size: {Path(db_path).stat().st_size // 1_000_000} MB")
    try:
        problems = check_database(conn)
    except Exception as exc:
        return lines + [f"db check could not run: {type(exc).__name__}"]
    if not problems:
        lines.append("db check: no problems found")
    else:
        lines.append(f"db check: {len(problems)} problems")
        lines += [" - " + _home_as_tilde(problem) for problem in problems]
    return lines


def safe_log_lines(lines: Iterable[str]) -> list[str]:
    """The lines of log records written by Hamroh's own modules, tracebacks kept without
    their exception messages; everything else (other libraries' records, message lines
    that follow a record) is left out and counted."""
    kept: list[str] = []
    left_out = 0
    ours = False
    in_traceback = False
    for raw in lines:
        line = raw.rstrip("\n")
        record = _RECORD.match(line)
        if record:
            logger = record.group("logger")
            ours = logger == OURS or logger.startswith(OURS + ".")
            in_traceback = False
            if ours:
                kept.append(_home_as_tilde(line))
            else:
                left_out += 1
            continue
        if not ours:
            left_out += 1
            continue
        if line in _TRACEBACK_HEADINGS:
            in_traceback = True
            kept.append(line)
        elif in_traceback and _FRAME.match(line):
            kept.append(_home_as_tilde(line))
        elif in_traceback and line.startswith("    "):
            kept.append(line)  # the source line of a frame: our code, not data
        elif in_traceback and _EXCEPTION.match(line):
            kept.append(f"{_EXCEPTION.match(line).group('type')}: (message left out)")
            in_traceback = False
        else:
            left_out += 1
    if left_out:
        kept.append(f"({left_out} other lines left out)")
    return kept


def last_log_lines(count: int = LOG_LINES, path: Path | None = None) -> list[str]:
    path = path or logs.log_file()
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            tail = deque(fh, maxlen=count)
    except OSError:
        return ["(no log file)"]
    return safe_log_lines(tail)


def report(conn=None, db_path: Path | None = None) -> str:
    """The text of the diagnostics file (``conn``: an open connection to the database)."""
    out = [f"Hamroh diagnostics, {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
           ""]
    out += [f"{name}: {value}" for name, value in versions() + places(db_path)]
    out += ["", "== Database =="]
    out += database_section(conn, db_path)
    out += ["", f"== Log (last {LOG_LINES} lines, Hamroh's own records only) =="]
    out += last_log_lines()
    return "\n".join(out) + "\n"


def write(target: Path, conn=None, db_path: Path | None = None) -> Path:
    target = Path(target)
    target.write_text(report(conn, db_path), encoding="utf-8")
    log.info("Diagnostics file written")
    return target


def write_with_own_connection(target: Path, connect: Callable[[], object] | None,
                              db_path: Path | None) -> Path:
    """For the crash dialog: the database is checked on a connection of its own (the one
    in use may be in any state), or not at all when it cannot be opened."""
    conn = None
    if connect is not None:
        try:
            conn = connect()
        except Exception:
            log.warning("Diagnostics: the database could not be opened for its check")
    try:
        return write(target, conn, db_path)
    finally:
        if conn is not None:
            conn.close()


def default_folder() -> Path:
    """Where the file is offered: the Desktop or Documents when there is one, else home."""
    home = Path.home()
    for name in ("Desktop", "Documents"):
        if (home / name).is_dir():
            return home / name
    return home if home.is_dir() else Path(sys.prefix)
