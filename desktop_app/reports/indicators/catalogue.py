"""Every indicator, in the order of the report: the groups in a fixed order, and each
group's indicators in the order its module lists them."""
from __future__ import annotations

from desktop_app.reports.indicators import cases, inspections, loans, people, trainings
from desktop_app.reports.indicators.base import GROUPS, Indicator

GROUP_MODULES = (people, cases, inspections, trainings, loans)


def _collect() -> dict[str, Indicator]:
    catalogue: dict[str, Indicator] = {}
    for module in GROUP_MODULES:
        for indicator in module.INDICATORS:
            if indicator.group not in GROUPS or indicator.code in catalogue:
                raise ValueError(f"indicator {indicator.code}: unknown group or code twice")
            catalogue[indicator.code] = indicator
    return catalogue


CATALOGUE: dict[str, Indicator] = _collect()


def by_group(group: str) -> list[Indicator]:
    return [i for i in CATALOGUE.values() if i.group == group]
