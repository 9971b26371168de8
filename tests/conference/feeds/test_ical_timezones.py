"""VTIMEZONE blocks read by a client that does not know IANA names: the offsets must be zoneinfo's.

Google and Evolution look a TZID up by name, but Outlook and others compute every local time
from the VTIMEZONE body. icalendar's ``to_tz(lookup_tzid=False)`` reads the body alone (with
dateutil's rules, not zoneinfo), as such a client does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conference.feeds.helpers import publish, read_feed
from tests.factories import ConferenceFactory, HubFactory, ProposalFactory, RoomFactory

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Mexico_City",  # no DST since October 2022
    "Africa/Casablanca",  # an hour back during Ramadan, on different dates each year
    "Asia/Kolkata",
    "Pacific/Chatham",  # UTC+12:45 / +13:45, changing at 02:45 local
)
TALK = timedelta(minutes=45)


def _transitions(zone_name: str, year: int) -> list[datetime]:
    """The UTC instants at which ``zone_name`` changes its offset in ``year``, to the minute."""
    zone = ZoneInfo(zone_name)
    found = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    while instant.year == year:
        following = instant + timedelta(minutes=15)
        if instant.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            while instant.astimezone(zone).utcoffset() == following.astimezone(zone).utcoffset():
                instant += timedelta(minutes=1)
            found.append(instant + timedelta(minutes=1))
        instant = following
    return found


def _instants_around_changes(zone_name: str, year: int) -> list[datetime]:
    """Mid-winter and mid-summer, and two hours either side of every change of offset in ``year``."""
    instants = [datetime(year, 1, 15, 11, tzinfo=UTC), datetime(year, 7, 15, 11, tzinfo=UTC)]
    for change in _transitions(zone_name, year):
        instants += [change - timedelta(hours=2), change + timedelta(hours=2)]
    return instants


def _publish_talks(talks_by_zone: dict[str, list[datetime]]):
    """One hub and room per zone, a talk at each instant; returns the conference."""
    conference = ConferenceFactory(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    placements = {}
    for zone_name, instants in talks_by_zone.items():
        hub = HubFactory(conference=conference, name=zone_name, time_zone=zone_name)
        room = RoomFactory(conference=conference, hub=hub, name=f"Room in {zone_name}")
        for instant in instants:
            proposal = ProposalFactory(
                conference=conference, title=f"{zone_name} {instant:%Y-%m-%dT%H:%M}"
            )
            placements[proposal] = (room, instant, instant + TALK)
    publish(conference, placements)
    return conference


def _assert_vtimezones_agree_with_zoneinfo(body: bytes, talks_by_zone: dict[str, list[datetime]]):
    calendar = read_feed(body)
    client_zones = {
        str(timezone["TZID"]): timezone.to_tz(lookup_tzid=False)
        for timezone in calendar.walk("VTIMEZONE")
    }
    events = calendar.walk("VEVENT")
    assert len(events) == sum(len(instants) for instants in talks_by_zone.values())
    for event in events:
        zone_name = event["DTSTART"].params["TZID"]
        client_zone, zone = client_zones[zone_name], ZoneInfo(zone_name)
        for name, expected in (("DTSTART", event.start), ("DTEND", event.end)):
            # The wall-clock time the feed wrote, read through the VTIMEZONE as a client does.
            wall = event[name].dt.replace(tzinfo=None)
            read = wall.replace(tzinfo=client_zone)
            assert read.astimezone(UTC) == expected.astimezone(UTC), (zone_name, name, wall)
            assert read.utcoffset() == expected.astimezone(zone).utcoffset(), (zone_name, wall)
    # Every change of offset in the years the events touch, a minute either side.
    for zone_name, instants in talks_by_zone.items():
        client_zone, zone = client_zones[zone_name], ZoneInfo(zone_name)
        for year in range(min(instants).year, max(instants).year + 1):
            for change in _transitions(zone_name, year):
                for instant in (change - timedelta(minutes=1), change + timedelta(minutes=1)):
                    assert instant.astimezone(client_zone).utcoffset() == (
                        instant.astimezone(zone).utcoffset()
                    ), (zone_name, instant)


def test_vtimezones_give_zoneinfos_offsets_at_every_event_and_change_in_2027(app, client, db):
    talks_by_zone = {zone_name: _instants_around_changes(zone_name, 2027) for zone_name in ZONES}
    conference = _publish_talks(talks_by_zone)

    response = client.get(f"/c/{conference.slug}/calendar.ics")

    assert response.status_code == 200
    _assert_vtimezones_agree_with_zoneinfo(response.data, talks_by_zone)


@pytest.mark.parametrize(
    ("zone_name", "years"),
    [
        ("America/Mexico_City", (2022, 2023)),  # DST in 2022, none from 2023
        ("Africa/Casablanca", (2026, 2027)),  # Ramadan: 15 Feb-22 Mar 2026, 7 Feb-14 Mar 2027
        ("America/New_York", (2006, 2007)),  # the US moved both changes in 2007
    ],
)
def test_feed_across_a_change_of_rules_gives_each_years_own_offsets(
    app, client, db, zone_name, years
):
    talks_by_zone = {
        zone_name: [
            instant for year in years for instant in _instants_around_changes(zone_name, year)
        ]
    }
    conference = _publish_talks(talks_by_zone)

    response = client.get(f"/c/{conference.slug}/calendar.ics")

    assert response.status_code == 200
    _assert_vtimezones_agree_with_zoneinfo(response.data, talks_by_zone)
