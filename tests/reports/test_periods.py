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


# ---- the office's local calendar ------------------------------------------------------
def test_period_bounds_are_local_midnights_in_utc():
    q4 = parse_period("2026-Q4")
    assert q4.utc_bounds("Asia/Dushanbe") == ("2026-09-30T19:00:00", "2026-12-31T19:00:00")
    assert q4.utc_bounds("Asia/Tashkent") == ("2026-09-30T19:00:00", "2026-12-31T19:00:00")
    assert q4.utc_bounds("UTC") == ("2026-10-01T00:00:00", "2027-01-01T00:00:00")
    # a zone with summer time: the offset of each bound's own day
    assert parse_period("2026-07").utc_bounds("Europe/Berlin") == (
        "2026-06-30T22:00:00", "2026-07-31T22:00:00")


def test_office_time_zone_comes_from_the_office_country(session):
    from desktop_app.reports.periods import office_time_zone, time_zone_text
    from desktop_app.store.offices import OfficeRepository
    assert office_time_zone(session.conn) == "Asia/Dushanbe"       # GRM is in Tajikistan
    with session.transaction():
        uz = OfficeRepository(session).create({"code": "FRG", "name": "Fergana",
                                               "office_type": "jrc", "country": "UZ"})
    assert office_time_zone(session.conn, [uz["id"]]) == "Asia/Tashkent"
    own = session.conn.execute("SELECT value FROM meta WHERE key='office_id'").fetchone()[0]
    # offices in two zones (a coordinator's report): the zone of this database's office
    assert office_time_zone(session.conn, [own, uz["id"]]) == "Asia/Dushanbe"
    session.conn.execute("UPDATE reference_item SET attributes = ? WHERE kind = 'country' "
                         "AND code = 'UZ'", ('{"time_zone": "Asia/Samarkand"}',))
    assert office_time_zone(session.conn, [uz["id"]]) == "Asia/Samarkand"
    assert time_zone_text("Asia/Dushanbe").startswith("Asia/Dushanbe (UTC+05:00)")


def test_a_registration_at_two_in_the_night_of_1_october_counts_in_the_fourth_quarter(
        session, tmp_path):
    from desktop_app.reports.builder import build_report
    from desktop_app.reports.model import ReportRequest
    from desktop_app.reports.outputs import write_xlsx
    from tests.helpers.report_world import add_person
    # 02:00 on 1 October in Gharm (UTC+5) is 21:00 UTC on 30 September
    add_person(session, "2026-09-30T21:00:00.000Z", given_name="Oktyabr", sex="male")
    add_person(session, "2026-09-30T18:59:59.999Z", given_name="Sentyabr", sex="female")

    def registered(period):
        report = build_report(session.conn, ReportRequest(
            parse_period(period), indicators=["people_registered", "people_on_register"],
            dimensions=["sex"]))
        return report, {r.indicator.code: r.totals[0].value for r in report.results}

    report, q3 = registered("2026-Q3")
    assert q3 == {"people_registered": 1, "people_on_register": 1}
    report, q4 = registered("2026-Q4")
    assert q4 == {"people_registered": 1, "people_on_register": 2}
    _, october = registered("2026-10")
    assert october["people_registered"] == 1
    _, first = registered("2026-10-01..2026-10-01")
    assert first["people_registered"] == 1
    assert report.time_zone == "Asia/Dushanbe"
    from openpyxl import load_workbook
    write_xlsx(report, tmp_path / "q4.xlsx")
    summary = load_workbook(tmp_path / "q4.xlsx", read_only=True).worksheets[0]
    cells = [c for row in summary.iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("Asia/Dushanbe (UTC+05:00)") for c in cells)
