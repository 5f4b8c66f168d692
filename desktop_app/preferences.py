"""Per-user preferences kept beside the databases (language, last database, where the main
window was: `window` = {maximized, geometry}, see MainWindow.show_as_left)."""
from __future__ import annotations

import json
from pathlib import Path

from desktop_app.paths import data_dir


def _file() -> Path:
    return data_dir() / "settings.json"


def load() -> dict:
    try:
        return json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(values: dict) -> None:
    current = load()
    current.update(values)
    tmp = _file().with_suffix(".tmp")
    tmp.write_text(json.dumps(current, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(_file())
