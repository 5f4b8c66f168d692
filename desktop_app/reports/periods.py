"""Reporting periods: a month, a quarter, a year or a custom range of days.

``parse_period`` accepts the forms coordinators type: ``2026-Q3``, ``2026-07``, ``2026``
and ``2026-01-01..2026-03-31``. A period covers whole days, both ends included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from desktop_app.i18n import Domain, format_date

DOMAIN = Domain("reports")
_ = DOMAIN.gettext


class PeriodError(ValueError):
    """The period text could not be understood; the message is fit to show."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # month | quarter | year | custom
    code: str

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)

    def label(self, language: str | None = None) -> str:
        if self.kind == "quarter":
            return _("Quarter {quarter} of {year}").format(
                quarter=(self.start.month - 1) // 3 + 1, year=self.start.year)
        if self.kind == "year":
            return _("Year {year}").format(year=self.start.year)
        if self.kind == "month":
            return format_date(self.start, language, fmt="LLLL y")
        return _("{start} to {end}").format(start=format_date(self.start, language),
                                            end=format_date(self.end, language))

    def months(self) -> list["Period"]:
        """The calendar months this period touches, clipped to it (for trend charts)."""
        result = []
        cursor = date(self.start.year, self.start.month, 1)
        while cursor <= self.end:
            month = month_period(cursor.year, cursor.month)
            result.append(Period(max(month.start, self.start), min(month.end, self.end),
                                 "month", month.code))
            cursor = month.end_exclusive
        return result


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1), "month", f"{year:04d}-{month:02d}")


def quarter_period(year: int, quarter: int) -> Period:
    first = month_period(year, 3 * quarter - 2)
    last = month_period(year, 3 * quarter)
    return Period(first.start, last.end, "quarter", f"{year:04d}-Q{quarter}")


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year", f"{year:04d}")


def _invalid(text: str) -> PeriodError:
    return PeriodError(_(
        "The period \u201c{text}\u201d is not understood. Write a year (2026), a quarter "
        "(2026-Q3), a month (2026-07) or two dates (2026-01-01..2026-03-31).").format(text=text))


def parse_period(text: str) -> Period:
    raw = (text or "").strip()
    value = raw.upper().replace(" ", "")
    try:
        if m := re.fullmatch(r"(\d{4})", value):
            return year_period(int(m.group(1)))
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", value):
            return quarter_period(int(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            return month_period(int(m.group(1)), int(m.group(2)))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", value):
            start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            if end < start:
                raise PeriodError(_("The period ends ({end}) before it starts ({start}).")
                                  .format(start=start.isoformat(), end=end.isoformat()))
            return Period(start, end, "custom", f"{start.isoformat()}..{end.isoformat()}")
    except PeriodError:
        raise
    except ValueError:  # month 13, 31 February ...
        raise _invalid(raw) from None
    raise _invalid(raw)


def current_period(kind: str, today: date | None = None) -> Period:
    today = today or date.today()
    if kind == "year":
        return year_period(today.year)
    if kind == "quarter":
        return quarter_period(today.year, (today.month - 1) // 3 + 1)
    return month_period(today.year, today.month)
