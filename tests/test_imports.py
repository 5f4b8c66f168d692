"""Imports inside functions are the exception: each one defers a heavy dependency (or breaks
a cycle that has no better home) and says so with a trailing ``# deferred: <why>``."""
import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "desktop_app"
MARK = "# deferred:"


def unexplained_imports(source: str) -> list[tuple[int, str]]:
    """(line, text) of each import inside a function that does not say why it is there."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                text = " ".join(lines[inner.lineno - 1:inner.end_lineno])
                if MARK not in text:
                    found.append((inner.lineno, text.strip()))
    return sorted(set(found))


def test_every_import_inside_a_function_says_why_it_is_deferred():
    unexplained = [f"{path.relative_to(SOURCE.parent)}:{line}: {text}"
                   for path in sorted(SOURCE.rglob("*.py"))
                   for line, text in unexplained_imports(path.read_text(encoding="utf-8"))]
    assert not unexplained, ("imports inside functions without '# deferred: <why>' "
                             "(move them to the top of the module, or say why not):\n"
                             + "\n".join(unexplained))


def test_the_rule_reads_nested_and_multi_line_imports():
    source = (
        "import os\n"
        "def report():\n"
        "    import reportlab  # deferred: heavy, only for PDF output\n"
        "    def inner():\n"
        "        from json import (dumps,\n"
        "                          loads)\n"
        "    class Local:\n"
        "        def method(self):\n"
        "            import csv\n")
    assert unexplained_imports(source) == [
        (5, "from json import (dumps,                           loads)"),
        (9, "import csv")]
