"""Where user data lives (platform data directory)."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    folder = Path(os.environ.get("HAMROH_HOME") or user_data_dir("Hamroh", "Hamroh"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_database() -> Path:
    return data_dir() / "hamroh.db"


def demo_database() -> Path:
    return data_dir() / "demo.db"
