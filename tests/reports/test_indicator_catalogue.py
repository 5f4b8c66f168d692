"""The catalogue lists every indicator once, in report order, whatever module is imported
first; group modules register nothing themselves, and the reports package has no import
cycle."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import i18n
from desktop_app.reports.indicators import catalogue
from desktop_app.reports.indicators.base import DIMENSIONS, GROUPS
from desktop_app.reports.indicators.catalogue import CATALOGUE, GROUP_MODULES, by_group

REPORT_ORDER = [
    ("people", "people_registered"), ("people", "people_on_register"),
    ("people", "people_reached"),
    ("cases", "cases_opened"), ("cases", "child_labour_cases"), ("cases", "cases_resolved"),
    ("cases", "cases_closed"), ("cases", "cases_open"), ("cases", "median_days_to_resolution"),
    ("cases", "wages_recovered"), ("cases", "referrals"),
    ("inspections", "inspections"), ("inspections", "inspections_with_violations"),
    ("inspections", "violations"), ("inspections", "child_labour_violations"),
    ("inspections", "sanctions"), ("inspections", "fines_imposed"),
    ("inspections", "fines_amount"),
    ("trainings", "trainings_held"), ("trainings", "training_participations"),
    ("trainings", "trainees"), ("trainings", "training_completion_rate"),
    ("trainings", "trainees_women_share"), ("trainings", "training_outcomes"),
    ("loans", "loans_disbursed"), ("loans", "loans_disbursed_amount"),
    ("loans", "loans_outstanding"), ("loans", "loans_par30"),
    ("loans", "loans_repayment_rate"), ("loans", "loans_women_share"),
]
REPORTS = Path(catalogue.__file__).resolve().parents[1]


def test_catalogue_lists_every_indicator_in_report_order():
    assert [(i.group, i.code) for i in CATALOGUE.values()] == REPORT_ORDER
    assert list(dict.fromkeys(group for group, _code in REPORT_ORDER)) == list(GROUPS)
    assert [i.code for i in by_group("loans")] == [c for g, c in REPORT_ORDER if g == "loans"]


def test_each_group_module_lists_only_its_own_group():
    for module in GROUP_MODULES:
        group = module.__name__.rsplit(".", 1)[1]
        assert module.INDICATORS and {i.group for i in module.INDICATORS} == {group}


@pytest.mark.parametrize("first", [m.__name__ for m in GROUP_MODULES])
def test_import_order_does_not_change_the_catalogue(first):
    code = (f"import {first}\n"
            "from desktop_app.reports.indicators.catalogue import CATALOGUE\n"
            "print(' '.join(CATALOGUE))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == [code for _group, code in REPORT_ORDER]


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of desktop_app.reports that ``path`` imports (anywhere in the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return found & modules


def test_the_reports_package_has_no_import_cycle():
    def name(path: Path) -> str:
        parts = path.relative_to(REPORTS.parents[1]).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    files = {name(p): p for p in REPORTS.rglob("*.py")}
    graph = {module: _imports(path, set(files)) - {module} for module, path in files.items()}
    assert graph["desktop_app.reports.indicators.catalogue"]   # the graph is read
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for other in sorted(graph[module]):
            if state.get(other) == "open":
                raise AssertionError(" -> ".join(trail[trail.index(other):] + [other]))
            if other not in state:
                visit(other, trail + [other])
        state[module] = "done"
    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


@pytest.mark.parametrize("lang", ["en", "ru", "tg", "uz"])
def test_each_breakdown_has_its_own_name_in_every_language(lang):
    i18n.set_language(lang)
    try:
        gettext = i18n.Domain("reports").gettext
        labels = [gettext(label) for label in DIMENSIONS.values()]
        assert len(set(labels)) == len(labels), sorted(labels)
    finally:
        i18n.set_language("en")
