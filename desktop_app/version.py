"""The version of Hamroh, from the installed package's metadata (pyproject.toml).

The packaged application carries the same metadata (packaging/hamroh.spec copies it).
"""
from __future__ import annotations

from importlib import metadata

UNKNOWN = "(not installed)"


def version() -> str:
    try:
        return metadata.version("hamroh")
    except metadata.PackageNotFoundError:
        return UNKNOWN
