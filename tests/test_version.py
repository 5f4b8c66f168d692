"""`hamroh --version` prints the version of the installed package and stops."""
from importlib import metadata

import pytest

from desktop_app.cli import main as hamroh
from desktop_app.version import version


def test_version_is_the_package_version_and_the_command_prints_it(capsys):
    assert version() == metadata.version("hamroh")
    with pytest.raises(SystemExit) as stopped:
        hamroh(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"Hamroh {version()}"


def test_without_package_metadata_the_version_says_so(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(metadata, "version", missing)
    assert version() == "(not installed)"
