"""The layer rule of DESIGN.md: Qt only in the UI, the domain imports nothing of ours, store/
imports no sync/, reports/ or ui/, and no import cycle among our modules."""
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


# ---- the import graph of our modules ---------------------------------------------------


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST):
    """Import statements that run (at module level or in a function), not those only for
    type checkers (``if TYPE_CHECKING:``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from _runtime_imports(ast.Module(body=[child], type_ignores=[]))
        else:
            yield from _runtime_imports(node)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each of our modules -> the modules of ours its running imports load (the module
    named, and the packages above it, whose ``__init__`` runs first)."""
    paths = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # ``from package import module`` loads that module too
                wanted = [base] + [f"{base}.{alias.name}" for alias in node.names]
            for target in wanted:
                while target and target not in paths:
                    target = target.rpartition(".")[0]
                while target:
                    if target != name and not name.startswith(target + "."):
                        targets.add(target)
                    target = target.rpartition(".")[0] if "." in target else ""
        graph[name] = {t for t in targets if t in paths}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _one_cycle(graph: dict[str, set[str]], group: frozenset[str]) -> str:
    """A path around ``group``, for the failure message: a -> b -> ... -> a."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                return " -> ".join(paths[node] + [start])
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return ", ".join(sorted(group))


def test_import_graph_sees_every_import_that_runs(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/low/__init__.py": "",
        "app/low/base.py": "import json\n",
        "app/low/later.py": "def f():\n    from app.high import page\n",
        "app/low/near.py": "from . import base\nfrom .base import json\n",
        "app/high/__init__.py": "",
        "app/high/page.py": ("from typing import TYPE_CHECKING\n"
                             "from app.low import later\n"
                             "if TYPE_CHECKING:\n    from app.low import near\n"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path / "app")
    assert graph["app.low.later"] == {"app.high", "app.high.page"}      # in a function
    assert graph["app.low.near"] == {"app.low.base"}                      # relative
    assert graph["app.high.page"] == {"app.low", "app.low.later"}         # not for typing
    assert _cycles(graph) == [frozenset({"app.low.later", "app.high.page"})]
    assert _one_cycle(graph, _cycles(graph)[0]) == (
        "app.high.page -> app.low.later -> app.high.page")


def test_no_import_cycles():
    graph = import_graph()
    found = [_one_cycle(graph, cycle) for cycle in _cycles(graph)]
    assert found == [], "import cycles among our modules:\n" + "\n".join(found)


def test_store_imports_no_sync_reports_or_ui():
    graph = import_graph()
    offenders = sorted((name, target) for name, targets in graph.items()
                       if name.startswith("desktop_app.store") for target in targets
                       if target.startswith(("desktop_app.sync", "desktop_app.reports",
                                             "desktop_app.ui")))
    assert offenders == []
