"""Chart colours and the grouping of small categories, shared by the Home charts and the
report PDF's charts.

The colours are the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), with orange and sky blue darkened so that every colour has at least 3:1
contrast on white (WCAG 1.4.11 for graphics); yellow, which cannot reach it, is left out.
"Other" is a neutral grey that no category uses."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ACCENT = "#1f5f8b"
CHART_COLOURS = ("#0072B2", "#C17A00", "#009E73", "#D55E00", "#CC79A7", "#3A8FC8")
OTHER_COLOUR = "#767676"
MIN_CONTRAST = 3.0


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float, ...]
    colour: str
    is_other: bool = False


def group_small(series: Sequence[tuple[str, Sequence[float]]], other_label: str,
                keep: int = len(CHART_COLOURS)) -> list[Series]:
    """The largest ``keep`` series (by their sum, ties by label) each with its own colour,
    and the rest added up as one grey ``other_label`` series at the end, so that a legend
    lists exactly what is drawn. A category that is itself called ``other_label`` (the
    reference list's "Other") is counted in that one "Other", never listed twice."""
    own_other = [item for item in series if item[0].casefold() == other_label.casefold()]
    ranked = sorted((item for item in series if item[0].casefold() != other_label.casefold()),
                    key=lambda item: (-sum(item[1]), item[0]))
    if len(ranked) <= keep and not own_other:
        return [Series(label, tuple(values), CHART_COLOURS[n])
                for n, (label, values) in enumerate(ranked)]
    head, rest = ranked[:keep], ranked[keep:] + own_other
    grouped = [Series(label, tuple(values), CHART_COLOURS[n])
               for n, (label, values) in enumerate(head)]
    if rest:
        totals = [sum(column)
                  for column in zip(*(values for _label, values in rest), strict=True)]
        grouped.append(Series(other_label, tuple(totals), OTHER_COLOUR, is_other=True))
    return grouped
