"""Where the data goes: HAMROH_HOME first, a portable copy's own folder next, else the
platform's per-user folder; where the shipped files are, from the sources and packaged."""
import sys
from pathlib import Path

import pytest

from desktop_app import paths

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def packaged(tmp_path, monkeypatch):
    """Pretend to be the packaged application unpacked in tmp_path/Hamroh."""
    app = tmp_path / "Hamroh"
    (app / "_internal").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "Hamroh.exe"))
    monkeypatch.setattr(sys, "_MEIPASS", str(app / "_internal"), raising=False)
    return app


def test_from_the_sources_the_shipped_files_are_the_repository():
    assert paths.bundle_root() == REPO
    assert (paths.bundle_root() / "db" / "migrations").is_dir()
    assert paths.portable_folder() is None


def test_hamroh_home_wins(tmp_path, monkeypatch, packaged):
    (packaged / "portable").write_text("")
    monkeypatch.setenv("HAMROH_HOME", str(tmp_path / "home"))
    assert paths.data_dir() == tmp_path / "home"
    assert paths.default_database() == tmp_path / "home" / "hamroh.db"


def test_a_portable_copy_keeps_everything_beside_itself(monkeypatch, packaged):
    monkeypatch.delenv("HAMROH_HOME", raising=False)
    (packaged / "portable").write_text("")
    assert paths.bundle_root() == packaged / "_internal"
    assert paths.data_dir() == packaged / "data"
    assert paths.default_database() == packaged / "data" / "hamroh.db"
    assert paths.demo_database().parent == packaged / "data"

    from desktop_app import logs, preferences
    assert logs.log_file() == packaged / "data" / "logs" / "hamroh.log"
    preferences.save({"language": "tg"})
    assert (packaged / "data" / "settings.json").is_file()


def test_an_installed_copy_uses_the_per_user_folder(tmp_path, monkeypatch, packaged):
    monkeypatch.delenv("HAMROH_HOME", raising=False)
    monkeypatch.setattr(paths, "user_data_dir", lambda app, author: str(tmp_path / "user"))
    assert paths.data_dir() == tmp_path / "user"
    assert not (packaged / "data").exists()


def test_a_portable_mac_app_keeps_its_data_beside_the_app(tmp_path, monkeypatch):
    bundle = tmp_path / "stick" / "Hamroh.app" / "Contents" / "MacOS"
    bundle.mkdir(parents=True)
    (tmp_path / "stick" / "portable").write_text("")
    monkeypatch.delenv("HAMROH_HOME", raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle / "Hamroh"))
    assert paths.application_folder() == tmp_path / "stick"
    assert paths.data_dir() == tmp_path / "stick" / "data"
