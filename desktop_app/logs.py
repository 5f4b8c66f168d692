"""The log file: what ran and what failed, for whoever supports an office.

``set_up()`` is called once when the window or a command starts; modules then log through
``logging.getLogger(__name__)``. Log lines never carry personal data (no names, documents,
phone numbers or search terms): say what ran and how it ended, and let tracebacks name the
code.
"""
from __future__ import annotations

import logging
import logging.handlers
import platform
from pathlib import Path

from desktop_app import paths
from desktop_app.version import version

LOG_FOLDER = "logs"
LOG_NAME = "hamroh.log"
# a few megabytes in all: enough for weeks of an office's use, small enough to send by mail
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 3
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger(__name__)


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """The handler ``set_up`` installs, told apart from any other so a second call replaces it."""


def log_file() -> Path:
    """The current log file (older ones beside it end in .1, .2, ...)."""
    return paths.data_dir() / LOG_FOLDER / LOG_NAME


def set_up(program: str) -> Path | None:
    """Send log records of level INFO and above to the rotating log file; return its path.

    ``program`` says what started ("window", "command people"): it goes into the first line.
    Calling it again (the CLI runs the window; tests run many commands) keeps one handler.
    Without a writable data folder, records go to stderr and the answer is None.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LogFileHandler)]:
        root.removeHandler(old)
        old.close()
    path: Path | None
    try:
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                  encoding="utf-8", delay=True)
    except OSError:
        path = None
        logging.basicConfig(format=LINE_FORMAT)
    else:
        handler.setFormatter(logging.Formatter(LINE_FORMAT))
        root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    log.info("Hamroh %s started: %s (Python %s, %s)", version(), program,
             platform.python_version(), platform.platform())
    return path

