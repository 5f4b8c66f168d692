"""Reporting periods: a month, a quarter, a year or a custom range of days.

``parse_period`` accepts the forms coordinators type: ``2026-Q3``, ``2026-07``, ``2026``
and ``2026-01-01..2026-03-31``. A period covers whole days, both ends included.

Days are the office's local days. Dates typed by people (a case opened on, a training
start) are local already; timestamps (``created_at``) are stored in UTC, so they are
compared with the UTC instants of the local midnights that bound the period
(``Period.utc_bounds``): a person registered at 02:00 on 1 October in Dushanbe (21:00 UTC
on 30 September) counts in October. The zone comes from the office's country
(``office_time_zone``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop_app.i18n import Domain, format_date
from desktop_app.store.session import get_meta

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

    def utc_bounds(self, zone: str) -> tuple[str, str]:
        """UTC instants (ISO text without offset, comparable with stored ``...Z`` stamps)
        of local midnight at the start and the day after the end, in ``zone``."""
        return utc_midnight(self.start, zone), utc_midnight(self.end_exclusive, zone)

    def label(self, language: str | None = None) -> str:
        """"Quarter 1 of 2026" in ``language`` (the interface's by default)."""
        _ = (DOMAIN.in_language(language) if language else DOMAIN).gettext
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


# ---- the office's calendar -----------------------------------------------------------
DEFAULT_TIME_ZONE = "Asia/Dushanbe"
# offices' countries; the reference item of a country may name another (attributes
# {"time_zone": ...}); Tajikistan and Uzbekistan keep UTC+5 all year
COUNTRY_TIME_ZONES = {"TJ": "Asia/Dushanbe", "UZ": "Asia/Tashkent", "KG": "Asia/Bishkek"}


def zone_info(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def utc_midnight(day: date, zone: str) -> str:
    local = datetime.combine(day, time(0), tzinfo=zone_info(zone))
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def country_time_zone(conn, country: str | None) -> str | None:
    if not country:
        return None
    row = conn.execute("SELECT attributes FROM reference_item WHERE kind = 'country' "
                       "AND code = ? AND deleted = 0", (country,)).fetchone()
    try:
        named = json.loads(row[0] or "{}").get("time_zone") if row else None
    except (ValueError, AttributeError):
        named = None
    return named or COUNTRY_TIME_ZONES.get(country)


def office_time_zone(conn, office_ids: list[str] | None = None) -> str:
    """The zone whose calendar a report over ``office_ids`` follows: their country's when
    they share one; otherwise (every office, or offices in several zones: a
    coordinator's report) the zone of this database's own office; else Asia/Dushanbe."""
    if office_ids:
        marks = ", ".join("?" * len(office_ids))
        countries = {r[0] for r in conn.execute(
            f"SELECT country FROM office WHERE id IN ({marks})", list(office_ids))}
        zones = {country_time_zone(conn, c) for c in countries}
        if len(zones) == 1 and None not in zones:
            return str(zones.pop())
    own = get_meta(conn, "office_id")
    row = conn.execute("SELECT country FROM office WHERE id = ?", (own,)).fetchone() \
        if own else None
    return (country_time_zone(conn, row[0]) if row else None) or DEFAULT_TIME_ZONE


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def office_today(conn, office_ids: list[str] | None = None) -> date:
    """Today in the calendar of ``office_ids`` (``office_time_zone``), whatever zone the
    computer's clock is set to: the date whose end a count "as of today" stops at."""
    return utc_now().astimezone(zone_info(office_time_zone(conn, office_ids))).date()


def time_zone_text(zone: str, on: date | None = None, language: str | None = None) -> str:
    """"Asia/Dushanbe (UTC+05:00)": the zone a report's days follow."""
    moment = datetime.combine(on or date.today(), time(12), tzinfo=zone_info(zone))
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    tr = DOMAIN.in_language(language) if language else DOMAIN
    text = tr.gettext("{zone} (UTC{offset}): days and periods follow this local calendar")
    return text.format(zone=zone,
                       offset=f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
