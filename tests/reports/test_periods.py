from datetime import date

import pytest

from desktop_app.i18n import set_language
from desktop_app.reports.periods import PeriodError, parse_period


@pytest.mark.parametrize("text,start,end,kind", [
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
    ("2026q1", date(2026, 1, 1), date(2026, 3, 31), "quarter"),
    ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "month"),
    ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "month"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "month"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    (" 2026-01-01..2026-03-31 ", date(2026, 1, 1), date(2026, 3, 31), "custom"),
    ("2026-03-05..2026-03-05", date(2026, 3, 5), date(2026, 3, 5), "custom"),
])
def test_parse(text, start, end, kind):
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-13", "26", "2026-02-30..2026-03-01",
                                  "last year", "2026-01-01-2026-02-01"])
def test_rejects_with_one_clear_message(text):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert "2026-Q3" in str(err.value)


def test_reversed_range_is_explained():
    with pytest.raises(PeriodError, match="before it starts"):
        parse_period("2026-03-31..2026-01-01")


def test_months_and_labels():
    months = parse_period("2026-02-15..2026-04-10").months()
    assert [(m.code, m.start.day, m.end.day) for m in months] == [
        ("2026-02", 15, 28), ("2026-03", 1, 31), ("2026-04", 1, 10)]
    assert parse_period("2026-Q3").label() == "Quarter 3 of 2026"
    set_language("ru")
    assert "2026" in parse_period("2026-07").label("ru")
    assert parse_period("2026-07").label("ru").lower().startswith("июль")
