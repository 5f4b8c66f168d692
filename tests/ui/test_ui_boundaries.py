"""Pages reach the database off the UI thread only through ui/operations.py: no other
module of desktop_app/ui imports threading, makes Qt threads, touches the DB worker or
announces changes by emitting ``data_changed`` itself."""
from __future__ import annotations

import ast
from pathlib import Path

import desktop_app.ui

UI = Path(desktop_app.ui.__file__).parent
OPERATIONS = UI / "operations.py"
# the application's start builds the worker and hands it to the context
BUILDS_THE_WORKER = UI / "app.py"
# reports exceptions raised on any thread (threading.excepthook); runs no work itself
REPORTS_EXCEPTIONS = UI / "excepthook.py"
THREAD_MODULES = {"threading", "_thread", "concurrent", "concurrent.futures", "multiprocessing"}
QT_THREADS = {"QThread", "QThreadPool", "QRunnable"}


def _import_problems(node: ast.Import, path: Path) -> list[str]:
    found = []
    for alias in node.names:
        if alias.name == "threading" and path == REPORTS_EXCEPTIONS:
            continue
        if alias.name in THREAD_MODULES or alias.name.split(".")[0] in THREAD_MODULES:
            found.append(f"imports {alias.name}")
    return found


def _import_from_problems(node: ast.ImportFrom, path: Path) -> list[str]:
    found = []
    module = node.module or ""
    if module in THREAD_MODULES or module.split(".")[0] in THREAD_MODULES:
        found.append(f"imports from {module}")
    for alias in node.names:
        if alias.name in QT_THREADS:
            found.append(f"imports {alias.name}")
        if alias.name == "DbWorker" and path != BUILDS_THE_WORKER:
            found.append("imports the DB worker")
    if module == "desktop_app.ui.worker":
        found.append("imports the DB worker")
    return found


def _attribute_problems(node: ast.Attribute) -> list[str]:
    found = []
    if node.attr in QT_THREADS:
        found.append(f"uses {node.attr}")
    # the context holds the worker (an assignment); reading it is touching it
    if node.attr == "worker" and isinstance(node.ctx, ast.Load):
        found.append("touches the DB worker (use ReadOp / WriteOp)")
    if node.attr == "emit" and isinstance(node.value, ast.Attribute) \
            and node.value.attr == "data_changed":
        found.append("emits data_changed (a WriteOp announces its changes)")
    return found


def _problems(path: Path, source: str | None = None) -> list[str]:
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            what = _import_problems(node, path)
        elif isinstance(node, ast.ImportFrom):
            what = _import_from_problems(node, path)
        elif isinstance(node, ast.Attribute):
            what = _attribute_problems(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "getattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and node.args[1].value == "worker":
            what = ["touches the DB worker (use ReadOp / WriteOp)"]
        else:
            continue
        found += [f"{path.name}:{node.lineno}: {w}" for w in what]
    return found


def test_only_the_operations_layer_runs_work_off_the_ui_thread():
    problems = []
    for path in sorted(UI.rglob("*.py")):
        if path != OPERATIONS:
            problems += _problems(path)
    assert problems == [], "\n".join(problems)


def test_the_scan_finds_what_it_forbids():
    found = _problems(UI / "people" / "sample.py", (
        "import threading\n"
        "from PySide6.QtCore import QThread\n"
        "from desktop_app.ui.operations import DbWorker\n"
        "def f(ctx):\n"
        "    ctx.worker.submit(len)\n"
        "    getattr(ctx, 'worker', None)\n"
        "    ctx.data_changed.emit('person')\n"))
    assert sorted(line.split(": ", 1)[0] for line in found) == [
        "sample.py:1", "sample.py:2", "sample.py:3", "sample.py:5", "sample.py:6",
        "sample.py:7"], found
