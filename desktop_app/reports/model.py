"""What a report is: the request (period, scope, indicators, disaggregations) and the
result (per indicator a total and one table per disaggregation). Aggregate results carry
no names or identifiers."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from desktop_app.i18n import Domain
from desktop_app.reports.indicators.base import DEFAULT_AGE_BANDS, DIMENSIONS, Indicator, translator
from desktop_app.reports.periods import DEFAULT_TIME_ZONE, Period

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


class ReportError(Exception):
    """A report cannot be built as asked; the message is fit to show."""


class Cancelled(Exception):
    pass


@dataclass
class ReportRequest:
    period: Period
    offices: list[str] | None = None        # office codes; None = every office in the database
    districts: list[str] | None = None      # district codes
    indicators: list[str] | None = None     # indicator codes; None = every available one
    dimensions: list[str] | None = None     # None = each indicator's default disaggregations
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS


@dataclass
class Row:
    bucket: str
    label: str
    value: int | Decimal | None
    currency: str | None = None
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None


@dataclass
class Table:
    dimension: str
    rows: list[Row]

    def title(self, language: str | None = None) -> str:
        return translator(language)(DIMENSIONS.get(self.dimension, self.dimension))


@dataclass
class IndicatorResult:
    indicator: Indicator
    available: bool
    totals: list[Row] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def adds_up(self) -> bool:
        """Whether every disaggregation sums to the total (counts, amounts per currency,
        numerators and denominators; for a median, the number of records)."""
        kind = self.indicator.measure.kind
        for table in self.tables:
            for total in self.totals:
                rows = [r for r in table.rows if r.currency == total.currency]
                if kind in ("count", "money"):
                    if sum((r.value or 0) for r in rows) != (total.value or 0):
                        return False
                else:
                    if sum(r.denominator or 0 for r in rows) != (total.denominator or 0):
                        return False
                    if kind == "ratio" and sum(r.numerator or 0 for r in rows) != (
                            total.numerator or 0):
                        return False
            currencies = {t.currency for t in self.totals}
            if any(r.currency not in currencies for r in table.rows):
                return False
        return True


@dataclass
class Report:
    request: ReportRequest
    results: list[IndicatorResult]
    duplicates_unresolved: int
    generated_at: str
    language: str
    scope: list[str]            # office labels, or empty for every office
    district_labels: list[str]
    time_zone: str = DEFAULT_TIME_ZONE  # the local calendar of the period's days

    def by_group(self) -> dict[str, list[IndicatorResult]]:
        groups: dict[str, list[IndicatorResult]] = {}
        for result in self.results:
            groups.setdefault(result.indicator.group, []).append(result)
        return groups

    def adds_up(self) -> bool:
        return all(r.adds_up() for r in self.results)
