"""The layer rule of DESIGN.md: Qt only in the UI, the domain imports nothing of ours."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "desktop_app"
QT_ALLOWED = ("ui/", "i18n/qt.py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_pyside_only_in_ui():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(QT_ALLOWED):
            continue
        if any(name.split(".")[0] == "PySide6" for name in _imports(path)):
            offenders.append(rel)
    assert offenders == []


def test_domain_imports_only_i18n():
    offenders = []
    for path in (ROOT / "domain").rglob("*.py"):
        for name in _imports(path):
            if name.startswith("desktop_app") and not name.startswith(
                    ("desktop_app.domain", "desktop_app.i18n")):
                offenders.append((path.name, name))
    assert offenders == []


def test_store_sync_reports_do_not_import_ui():
    offenders = []
    for layer in ("store", "sync", "reports", "domain"):
        for path in (ROOT / layer).rglob("*.py"):
            if any(n.startswith("desktop_app.ui") for n in _imports(path)):
                offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []
