"""`make run` on Linux first checks the system libraries of Qt's X11 plugin and prints the
exact install command for the missing ones (tools/check_qt_libs.py)."""
import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "check_qt_libs.py"
spec = importlib.util.spec_from_file_location("check_qt_libs", SCRIPT)
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-cursor.so.0 => not found
\tlibEGL.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibunheard-of.so.3 => not found
"""


def test_missing_libraries_are_read_from_ldd_once_each():
    assert check.missing_libraries(LDD) == [
        "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libEGL.so.1",
        "libunheard-of.so.3"]
    assert check.missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_the_install_command_names_the_debian_packages():
    command, unknown = check.install_command(check.missing_libraries(LDD))
    assert command == ("sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 "
                       "libegl1")
    assert unknown == ["libunheard-of.so.3"]


@pytest.fixture
def on_linux(monkeypatch, tmp_path):
    """The check as it runs on Linux, whatever this machine is."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(check.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(check, "platform_plugin", lambda name="xcb": tmp_path / "libqxcb.so")


def test_main_prints_the_command_and_fails_when_something_is_missing(monkeypatch, capsys,
                                                                     on_linux):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(check, "ldd", lambda path: LDD)
    assert check.main() == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libegl1" in err
    assert "Could not" not in err and "libunheard-of.so.3" in err


def test_main_passes_when_nothing_is_missing_or_qt_runs_offscreen(monkeypatch, on_linux):
    monkeypatch.setattr(check, "ldd", lambda path: "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert check.main() == 0
    monkeypatch.setattr(check, "ldd", lambda path: LDD)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert check.main() == 0


def test_other_systems_need_no_check(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(check, "ldd", lambda path: LDD)
    assert check.main() == 0


def test_every_library_of_the_real_plugin_has_a_known_package():
    plugin = check.platform_plugin("xcb")
    if plugin is None:
        assert not sys.platform.startswith("linux"), "PySide6's xcb plugin is missing"
        return  # the plugin ships in the Linux wheels of PySide6 only
    listed = [line.split()[0] for line in check.ldd(plugin).splitlines() if "=>" in line]
    system = [name for name in listed if name.startswith(("libxcb", "libX", "libxkb", "libEGL",
                                                          "libGL"))]
    assert system and all(name in check.DEBIAN_PACKAGES for name in system), system
