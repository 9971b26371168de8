"""Time-zone coverage on hand-worked examples, including New York's change to daylight saving time."""

from datetime import UTC, date, datetime, time

from conference.insights.coverage import (
    CoverageZone,
    TalkSpan,
    minutes_inside,
    working_windows,
    zone_coverage,
)

LONDON = CoverageZone("London", "Europe/London", time(9, 0), time(17, 30))
NEW_YORK = CoverageZone("New York", "America/New_York", time(9, 0), time(17, 30))
BENGALURU = CoverageZone("Bengaluru", "Asia/Kolkata", time(9, 30), time(18, 0))
SYDNEY = CoverageZone("Sydney", "Australia/Sydney", time(9, 0), time(17, 30))
DAYS = [date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 14)]


def utc(day, hour, minute=0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=UTC)


def talk(day, hour, minute, length_minutes) -> TalkSpan:
    starts = utc(day, hour, minute)
    return TalkSpan(starts, datetime.fromtimestamp(starts.timestamp() + length_minutes * 60, UTC))


def shares(table, label):
    row = next(row for row in table.rows if row.zone.label == label)
    return [cell.share for cell in row.cells]


def test_working_windows_follow_new_york_into_daylight_saving_time():
    windows = working_windows(NEW_YORK, date(2027, 3, 13), date(2027, 3, 14))

    # 09:00-17:30 EST is 14:00-22:30 UTC; after the clocks go forward, EDT makes it 13:00-21:30.
    assert windows == [(utc(13, 14), utc(13, 22, 30)), (utc(14, 13), utc(14, 21, 30))]


def test_minutes_inside_counts_only_the_overlap():
    windows = [(utc(12, 9), utc(12, 17, 30))]

    assert minutes_inside(talk(12, 8, 30, 60), windows) == 30
    assert minutes_inside(talk(12, 17, 30, 30), windows) == 0
    assert minutes_inside(talk(12, 10, 0, 90), windows) == 90


def test_zone_coverage_same_utc_hour_is_outside_new_york_hours_before_the_dst_change_and_inside_after():
    talks = [talk(13, 13, 0, 60), talk(14, 13, 0, 60)]

    table = zone_coverage(talks, [NEW_YORK], DAYS, "Europe/London")

    # 13:00 UTC is 08:00 EST on Saturday 13 March but 09:00 EDT on Sunday 14 March.
    assert shares(table, "New York") == [None, 0.0, 1.0]


def test_zone_coverage_evening_talk_is_inside_new_york_hours_only_before_the_dst_change():
    talks = [talk(13, 21, 30, 60), talk(14, 21, 30, 60)]

    table = zone_coverage(talks, [NEW_YORK], DAYS, "Europe/London")

    # 21:30-22:30 UTC is 16:30-17:30 EST (inside) but 17:30-18:30 EDT (outside).
    assert shares(table, "New York") == [None, 1.0, 0.0]


def test_zone_coverage_weights_talks_by_their_minutes():
    # London 09:00-17:30 GMT: a 60-minute talk from 08:30 has 30 minutes inside, a 90-minute
    # workshop at 10:00 is fully inside, so Friday is (30 + 90) / (60 + 90) = 80 %.
    talks = [talk(12, 8, 30, 60), talk(12, 10, 0, 90)]

    table = zone_coverage(talks, [LONDON], DAYS, "Europe/London")

    row = table.rows[0]
    assert (row.cells[0].covered_minutes, row.cells[0].total_minutes) == (120, 150)
    assert row.cells[0].share == 0.8
    assert row.cells[0].percent == 80
    assert (row.overall.covered_minutes, row.overall.total_minutes) == (120, 150)


def test_zone_coverage_uses_half_hour_offsets_and_the_hubs_own_working_day():
    # Bengaluru (UTC+05:30) works 09:30-18:00, i.e. 04:00-12:30 UTC: half of 12:00-13:00.
    table = zone_coverage([talk(12, 12, 0, 60)], [BENGALURU], DAYS, "Europe/London")

    assert shares(table, "Bengaluru") == [0.5, None, None]


def test_zone_coverage_counts_the_working_day_that_began_on_the_previous_utc_date():
    # Sydney is UTC+11 in March: 09:00-17:30 on Friday 12 is 22:00 Thu - 06:30 Fri UTC,
    # so 06:00-07:00 UTC on Friday is 17:00-18:00 in Sydney: 30 minutes inside.
    table = zone_coverage([talk(12, 6, 0, 60)], [SYDNEY], DAYS, "Europe/London")

    assert shares(table, "Sydney") == [0.5, None, None]


def test_zone_coverage_handles_working_days_past_midnight():
    night_shift = CoverageZone("Night shift", "UTC", time(22, 0), time(6, 0))

    table = zone_coverage([talk(12, 5, 0, 120)], [night_shift], DAYS, "Europe/London")

    assert shares(table, "Night shift") == [0.5, None, None]


def test_zone_coverage_puts_a_talk_on_the_conference_day_where_it_starts():
    # 23:30 UTC on 13 March is still the 13th in London (GMT), 00:30 on the 14th in Berlin.
    berlin_conference = zone_coverage([talk(13, 23, 30, 30)], [LONDON], DAYS, "Europe/Berlin")
    london_conference = zone_coverage([talk(13, 23, 30, 30)], [LONDON], DAYS, "Europe/London")

    assert shares(berlin_conference, "London") == [None, None, 0.0]
    assert shares(london_conference, "London") == [None, 0.0, None]


def test_zone_coverage_adds_a_column_for_talks_outside_the_conference_days():
    table = zone_coverage([talk(15, 10, 0, 30)], [LONDON], DAYS, "Europe/London")

    assert table.days == (*DAYS, date(2027, 3, 15))
    assert shares(table, "London") == [None, None, None, 1.0]


def test_zone_coverage_without_talks_has_no_shares():
    table = zone_coverage([], [LONDON, NEW_YORK], DAYS, "Europe/London")

    assert table.days == tuple(DAYS)
    assert [row.overall.share for row in table.rows] == [None, None]
