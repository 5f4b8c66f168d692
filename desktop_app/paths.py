"""Where Hamroh keeps user data, and where its own files are.

The data folder holds the databases (each with its ``.keys`` file and ``backups/``),
``settings.json`` and ``logs/``. It is, in this order:

1. ``HAMROH_HOME`` when set (tests, or an administrator's choice);
2. the application folder itself when it holds a file named ``portable`` (Hamroh on a USB
   stick: everything stays next to the program, in its ``data`` folder);
3. the platform's per-user data folder (``~/.local/share/Hamroh`` on Linux,
   ``%LOCALAPPDATA%\\Hamroh\\Hamroh`` on Windows, ``~/Library/Application Support/Hamroh``
   on macOS). Installing or uninstalling the program never touches it.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

PORTABLE_MARKER = "portable"
PORTABLE_DATA = "data"


def is_frozen() -> bool:
    """True in the packaged application (PyInstaller), False when run from the sources."""
    return bool(getattr(sys, "frozen", False))


def bundle_root() -> Path:
    """The folder the shipped data sits under: ``db/``, ``resources/``, ``docs/user/``.

    From the sources it is the repository; in the packaged application it is PyInstaller's
    ``_internal`` folder, laid out the same way (packaging/hamroh.spec).
    """
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[1]


def application_folder() -> Path:
    """The folder a user sees as "the program": where the ``portable`` marker goes.

    The folder of the executable in the packaged application (on macOS the folder that
    holds ``Hamroh.app``); the repository when run from the sources.
    """
    if not is_frozen():
        return bundle_root()
    folder = Path(sys.executable).resolve().parent
    for parent in (folder, *folder.parents):
        if parent.suffix == ".app":
            return parent.parent
    return folder


def portable_folder() -> Path | None:
    """The data folder of a portable copy, or None when this copy is installed normally."""
    app = application_folder()
    if (app / PORTABLE_MARKER).is_file():
        return app / PORTABLE_DATA
    return None


def data_dir() -> Path:
    home = os.environ.get("HAMROH_HOME")
    if home:
        folder = Path(home)
    else:
        folder = portable_folder() or Path(user_data_dir("Hamroh", "Hamroh"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_database() -> Path:
    return data_dir() / "hamroh.db"


def demo_database() -> Path:
    return data_dir() / "demo.db"
