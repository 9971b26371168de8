"""Finding when a zone's UTC offset changes, which zoneinfo does not list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conference.core.timezones import offset_changes

SECOND = timedelta(seconds=1)


def offset(zone_name: str, instant: datetime) -> timedelta:
    return instant.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta(0)


def changes_minute_by_minute(zone_name: str, start: datetime, end: datetime) -> list[datetime]:
    """Every minute whose offset differs from the minute before: a change's minute, found slowly."""
    found = []
    instant = start
    while instant + timedelta(minutes=1) < end:
        following = instant + timedelta(minutes=1)
        if offset(zone_name, following) != offset(zone_name, instant):
            found.append(following)
        instant = following
    return found


@pytest.mark.parametrize(
    ("zone_name", "year"),
    [
        ("Europe/London", 2027),
        ("Australia/Lord_Howe", 2027),  # half-hour changes
        ("Africa/Casablanca", 2027),  # two changes around Ramadan, backwards first
        ("America/Mexico_City", 2022),  # the last year with summer time
        ("Europe/Amsterdam", 1937),  # an offset of +00:19:32, changes on odd seconds
        ("Asia/Kolkata", 2027),  # none
    ],
)
def test_each_change_is_found_to_the_second_with_the_offsets_either_side(zone_name, year):
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)

    changes = offset_changes(zone_name, start, end)

    slow = changes_minute_by_minute(zone_name, start, end)
    assert len(changes) == len(slow)
    for (changed_at, before, after), minute in zip(changes, slow, strict=True):
        assert minute - timedelta(minutes=1) < changed_at <= minute
        assert offset(zone_name, changed_at - SECOND) == before
        assert offset(zone_name, changed_at) == after != before


def test_london_changes_at_one_in_the_morning_utc():
    changes = offset_changes(
        "Europe/London", datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )

    assert changes == (
        (datetime(2027, 3, 28, 1, tzinfo=UTC), timedelta(0), timedelta(hours=1)),
        (datetime(2027, 10, 31, 1, tzinfo=UTC), timedelta(hours=1), timedelta(0)),
    )


def test_a_change_at_the_end_of_the_range_belongs_to_the_next_one():
    change = datetime(2027, 3, 28, 1, tzinfo=UTC)

    before = offset_changes("Europe/London", change - timedelta(hours=5), change)
    after = offset_changes("Europe/London", change, change + timedelta(hours=5))
    across = offset_changes("Europe/London", change - SECOND, change + SECOND)

    assert before == ()
    assert after == ()  # the range starts in the new offset: nothing changes inside it
    assert [changed_at for changed_at, _, _ in across] == [change]
