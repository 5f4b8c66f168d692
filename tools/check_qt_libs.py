"""Check that Qt can open a window on this Linux desktop; print the install command if not.

``make run`` runs it before starting Hamroh. Qt's X11 platform plugin (``libqxcb.so``,
shipped inside PySide6) needs system libraries that a fresh desktop may lack, and without
them Qt stops with "Could not load the Qt platform plugin xcb". This asks ``ldd`` which of
the plugin's libraries are missing and names the packages that bring them.

Exit status 0: nothing missing (or not Linux, or Qt told to use another platform such as
``offscreen``); 1: something is missing (the command to run is printed); 2: PySide6 or the
plugin cannot be found.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# library file -> Debian/Ubuntu package (Ubuntu 24.04's t64 packages install by these names)
DEBIAN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libexpat.so.1": "libexpat1",
}
# platforms whose plugin needs no display libraries: nothing to check
NO_DISPLAY = ("offscreen", "minimal", "vnc", "linuxfb")
_MISSING = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def missing_libraries(ldd_output: str) -> list[str]:
    """The library names ``ldd`` reports as "not found", each once, in order."""
    found: list[str] = []
    for line in ldd_output.splitlines():
        match = _MISSING.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def install_command(missing: list[str]) -> tuple[str | None, list[str]]:
    """``sudo apt-get install ...`` for the libraries with a known package, and the ones
    without (named as they are)."""
    packages: list[str] = []
    unknown: list[str] = []
    for library in missing:
        package = DEBIAN_PACKAGES.get(library)
        if package is None:
            unknown.append(library)
        elif package not in packages:
            packages.append(package)
    command = "sudo apt-get install " + " ".join(packages) if packages else None
    return command, unknown


def platform_plugin(platform_name: str = "xcb") -> Path | None:
    try:
        import PySide6  # deferred: only to find the plugin's file, Qt is not started
    except ImportError:
        return None
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" \
        / f"libq{platform_name}.so"
    return plugin if plugin.is_file() else None


def ldd(path: Path) -> str:
    return subprocess.run(["ldd", str(path)], capture_output=True, text=True,
                          check=False).stdout


def message(missing: list[str]) -> str:
    command, unknown = install_command(missing)
    lines = ["Hamroh cannot open its window: Qt's X11 platform plugin needs these system "
             "libraries, which are missing: " + ", ".join(missing) + ".",
             ""]
    if command:
        lines += ["On Debian or Ubuntu, install them with:", "", "    " + command, ""]
    if unknown:
        lines += ["Also install the packages that provide: " + ", ".join(unknown)
                  + " (on Fedora: sudo dnf install xcb-util-wm xcb-util-keysyms "
                  "xcb-util-cursor libxkbcommon-x11).", ""]
    lines.append("Then run `make run` again.")
    return "\n".join(lines)


def main() -> int:
    if not sys.platform.startswith("linux"):
        return 0
    requested = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    if requested in NO_DISPLAY:
        return 0
    if shutil.which("ldd") is None:
        print("check_qt_libs: ldd not found; not checking Qt's system libraries.",
              file=sys.stderr)
        return 0
    plugin = platform_plugin("xcb")
    if plugin is None:
        print("check_qt_libs: PySide6's xcb platform plugin was not found; "
              "run `make setup` first.", file=sys.stderr)
        return 2
    missing = missing_libraries(ldd(plugin))
    if not missing:
        return 0
    print(message(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
