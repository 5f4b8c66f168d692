"""Build the application folder with PyInstaller and zip it: ``python packaging/build.py``.

Writes ``dist/Hamroh/`` (``dist/Hamroh.app`` too on macOS) and
``dist/hamroh-<version>-<platform>.zip``, and prints the folder's size. ``make dist`` runs
it and then the smoke test (tests/dist). It builds for the platform it runs on.
"""
from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.version import version  # noqa: E402

SPEC = ROOT / "packaging" / "hamroh.spec"


def platform_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                   check=True, cwd=ROOT)
    return dist / "Hamroh"


def archive(dist: Path) -> Path:
    """The zip an office unpacks (on macOS the .app, whose links ditto keeps)."""
    name = f"hamroh-{version()}-{platform_tag()}"
    target = dist / f"{name}.zip"
    target.unlink(missing_ok=True)
    if sys.platform == "darwin":
        subprocess.run(["ditto", "-c", "-k", "--keepParent", str(dist / "Hamroh.app"),
                        str(target)], check=True)
        return target
    return Path(shutil.make_archive(str(dist / name), "zip", root_dir=dist, base_dir="Hamroh"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"))
    args = parser.parse_args()
    dist = Path(args.dist)
    folder = build(dist, Path(args.work))
    zipped = archive(dist)
    print(f"{folder}: {folder_size(folder) / 1e6:.0f} MB")
    print(f"{zipped}: {zipped.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
