"""The packaged application lacks nothing the code reads at run time: every folder of the
repository that a module of desktop_app points to is shipped by packaging/hamroh.spec,
and no Qt module the code imports is left out. (Building takes minutes: `make dist` builds
and smoke-tests it, tests/dist.)"""
import ast
import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import desktop_app

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "hamroh.spec"
# read by the developer tools in desktop_app (i18n.build extract/compile), never at run time
BUILD_TIME_ONLY = {"translations", "desktop_app"}


def _spec_literal(name: str):
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in {SPEC}")


def _module_paths() -> dict[str, str]:
    """Every folder or file of the repository named by a module-level Path of desktop_app
    (MIGRATIONS_DIR, FONT_DIR, LOCALE_DIR, ...), relative, with the name that holds it."""
    found = {}
    for info in pkgutil.walk_packages(desktop_app.__path__, "desktop_app."):
        if info.name.endswith(".__main__"):
            continue  # runs the program
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if not isinstance(value, Path) or not value.is_absolute():
                continue
            try:
                rel = value.resolve().relative_to(ROOT)
            except ValueError:
                continue
            if rel.parts and value.exists():
                found[rel.as_posix()] = f"{info.name}.{name}"
    return found


def test_the_spec_ships_every_data_folder_the_code_reads():
    shipped = [src for src, _dest in _spec_literal("DATA_FOLDERS")]
    assert all(src == dest for src, dest in _spec_literal("DATA_FOLDERS")), \
        "the application keeps the repository's layout (paths.bundle_root)"
    for src in shipped:
        assert (ROOT / src).is_dir(), f"{src} is shipped but missing (run `make i18n`?)"
    read = _module_paths()
    assert {"db/migrations", "db/reference", "resources/fonts", "desktop_app/i18n/locale",
            "docs/user"} <= set(read), read
    missing = []
    for rel, where in sorted(read.items()):
        if rel.split("/")[0] in BUILD_TIME_ONLY and not rel.startswith("desktop_app/i18n/"):
            continue
        if rel.endswith(".py") or (ROOT / rel / "__init__.py").exists():
            continue
        if not any(rel == src or rel.startswith(src + "/") for src in shipped):
            missing.append(f"{rel} ({where})")
    assert missing == [], "add these to DATA_FOLDERS in packaging/hamroh.spec"


def test_no_qt_module_the_code_imports_is_excluded():
    excluded = set(_spec_literal("QT_UNUSED")) | set(_spec_literal("DEV_ONLY"))
    used = set()
    for path in (ROOT / "desktop_app").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.Qt\w+", path.read_text(encoding="utf-8")))
        used |= {m.split(".")[0] for m in re.findall(
            r"^\s*(?:import|from) (\w+)", path.read_text(encoding="utf-8"), re.M)}
    assert used & excluded == set()
    assert "PySide6.QtCharts" in used and "PySide6.QtCharts" not in excluded


def test_the_spec_carries_the_version_metadata():
    assert 'copy_metadata("hamroh")' in SPEC.read_text(encoding="utf-8")


def test_the_launcher_writes_utf8_whatever_the_system_encoding(tmp_path):
    """The programs' entry point: Russian help text reaches a pipe even where the system's
    encoding cannot hold Cyrillic (as Windows' code pages for a pipe)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONIOENCODING="ascii", HAMROH_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "launcher.py"), "--lang",
                           "ru", "--help"], capture_output=True, env=env, cwd=ROOT,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "язык сообщений" in done.stdout.decode("utf-8")
