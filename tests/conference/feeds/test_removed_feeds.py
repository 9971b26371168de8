"""A deleted track's or hub's feed goes on answering, cancelling every talk it had sent.

Calendars keep the last copy of a feed that answers 404, events and all; an id whose feed
never sent a talk stays a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from conference.attendance.models import AttendanceWindow
from conference.feeds.membership import HUB, REMOVED_HUB, REMOVED_TRACK, TRACK
from conference.feeds.models import FeedMembership
from conference.organisers.operations import (
    create_hub,
    create_room,
    create_track,
    delete_hub,
    delete_track,
    update_room,
)
from conference.proposals.models import ProposalState
from tests.conference.feeds.helpers import at, make_world, publish, read_feed
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    RoomFactory,
    TrackFactory,
)


def _read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    calendar = read_feed(response.data)
    return calendar, {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def _count(db, kind, subject_id) -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(FeedMembership.kind == kind, FeedMembership.subject_id == subject_id)
    )


def test_a_deleted_tracks_feed_cancels_each_talk_it_had_sent_as_it_sent_it(app, client, db):
    world = make_world()
    slug = world.conference.slug
    url = f"/c/{slug}/tracks/{world.track.id}/calendar.ics"
    publish(world.conference, world.placements)
    _, before = _read(client, url)
    assert sorted(before) == ["Remote pairing", "Scaling queues"]
    # The talk moves after the feed was last read: its cancelled copy keeps the old time.
    publish(world.conference, {**world.placements, world.talks[0]: (world.london_room, at(24, 11), at(24, 11, 30))})
    track_id = world.track.id

    delete_track(world.track)
    db.session.commit()

    assert (_count(db, TRACK, track_id), _count(db, REMOVED_TRACK, track_id)) == (0, 2)
    calendar, after = _read(client, url)
    assert "removed track" in str(calendar["X-WR-CALNAME"]) and "removed track" in str(calendar["NAME"])
    assert sorted(after) == ["Remote pairing", "Scaling queues"]
    for title, event in after.items():
        assert str(event["STATUS"]) == "CANCELLED", title
        assert str(event["UID"]) == str(before[title]["UID"])
        assert int(event["SEQUENCE"]) > int(before[title]["SEQUENCE"]), title
        assert (event.start, event.end, str(event["LOCATION"])) == (
            before[title].start,
            before[title].end,
            str(before[title]["LOCATION"]),
        )
        assert event["CATEGORIES"].cats == ["Platform"]
    assert after["Scaling queues"].start == at(24, 9)

    # Rendered again for a later stamp: the same events, SEQUENCE steady, nothing more written.
    world.london_room.name = "Severn"
    db.session.commit()
    _, again = _read(client, url)
    assert {title: (str(e["STATUS"]), e.start) for title, e in again.items()} == {
        title: (str(e["STATUS"]), e.start) for title, e in after.items()
    }
    assert all(int(again[title]["SEQUENCE"]) >= int(after[title]["SEQUENCE"]) for title in after)
    assert _count(db, REMOVED_TRACK, track_id) == 2


def test_a_deleted_track_whose_feed_never_sent_a_talk_and_an_unknown_id_are_404(app, client, db):
    world = make_world()
    slug = world.conference.slug
    publish(world.conference, world.placements)
    unread = world.other_track  # has a published talk, but its feed was never read
    empty = TrackFactory(conference=world.conference, name="Empty")
    db.session.commit()
    unread_id, empty_id = unread.id, empty.id
    assert client.get(f"/c/{slug}/tracks/{empty_id}/calendar.ics").status_code == 200
    delete_track(unread)
    delete_track(empty)
    db.session.commit()
    # Ids are never given out again (AUTOINCREMENT on SQLite): none of these is a track's now.
    assert client.get(f"/c/{slug}/tracks/{unread_id}/calendar.ics").status_code == 404
    assert client.get(f"/c/{slug}/tracks/{empty_id}/calendar.ics").status_code == 404
    assert client.get(f"/c/{slug}/tracks/{empty_id + 1000}/calendar.ics").status_code == 404
    assert client.get(f"/c/{slug}/hubs/{world.new_york.id + 1000}/calendar.ics").status_code == 404


def test_a_removed_feed_is_only_served_under_its_own_conference(app, client, db):
    world = make_world()
    other = ConferenceFactory()
    db.session.commit()
    publish(world.conference, world.placements)
    _read(client, f"/c/{world.conference.slug}/tracks/{world.track.id}/calendar.ics")
    track_id = world.track.id
    delete_track(world.track)
    db.session.commit()
    assert client.get(f"/c/{world.conference.slug}/tracks/{track_id}/calendar.ics").status_code == 200
    assert client.get(f"/c/{other.slug}/tracks/{track_id}/calendar.ics").status_code == 404
    assert client.get(f"/c/{other.slug}/hubs/{track_id}/calendar.ics").status_code == 404


def test_a_deleted_hubs_feed_cancels_its_talks_in_the_zone_and_room_it_showed(app, client, db):
    world = make_world()
    slug = world.conference.slug
    berlin = HubFactory(conference=world.conference, name="Berlin", time_zone="Europe/Berlin")
    spree = RoomFactory(conference=world.conference, hub=berlin, name="Spree", has_streaming=False)
    db.session.commit()
    url = f"/c/{slug}/hubs/{berlin.id}/calendar.ics"
    publish(world.conference, {**world.placements, world.talks[2]: (spree, at(25, 8), at(25, 9))})
    _, before = _read(client, url)
    assert before["Data lakes"]["DTSTART"].params["TZID"] == "Europe/Berlin"
    berlin_id = berlin.id

    # A hub is deleted once it has no rooms: its room moves to London first.
    update_room(spree, "Spree", world.london, spree.capacity, False, False)
    db.session.commit()
    delete_hub(berlin)
    db.session.commit()

    calendar, after = _read(client, url)
    assert "removed hub" in str(calendar["X-WR-CALNAME"])
    left = after["Data lakes"]
    assert str(left["STATUS"]) == "CANCELLED"
    assert int(left["SEQUENCE"]) > int(before["Data lakes"]["SEQUENCE"])
    assert (left.start, left.end, str(left["LOCATION"])) == (at(25, 8), at(25, 9), "Spree, Berlin")
    assert left["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert _count(db, REMOVED_HUB, berlin_id) == 1
    # London's feed now has the talk, in London.
    _, london = _read(client, f"/c/{slug}/hubs/{world.london.id}/calendar.ics")
    assert str(london["Data lakes"]["LOCATION"]) == "Spree, London"


def test_a_track_made_after_the_newest_one_was_deleted_has_its_own_feed_and_the_old_url_still_cancels(
    app, client, db
):
    """Without AUTOINCREMENT SQLite hands the highest id out again: the new track took over the
    deleted one's URL and its removed feed's records."""
    world = make_world()
    slug = world.conference.slug
    publish(world.conference, world.placements)
    deleted_id = world.other_track.id  # the newest track: the id SQLite would reuse
    old_url = f"/c/{slug}/tracks/{deleted_id}/calendar.ics"
    _, before = _read(client, old_url)
    assert list(before) == ["Data lakes"]
    delete_track(world.other_track)
    db.session.commit()

    security = create_track(world.conference, "Security", "", "#224466")
    threats = ProposalFactory(
        conference=world.conference, track=security, title="Threat models", state=ProposalState.CONFIRMED
    )
    db.session.commit()
    publish(world.conference, {**world.placements, threats: (world.london_room, at(25, 9), at(25, 9, 30))})

    assert security.id > deleted_id
    new_calendar, new_events = _read(client, f"/c/{slug}/tracks/{security.id}/calendar.ics")
    assert str(new_calendar["X-WR-CALNAME"]).endswith(": Security")
    assert {title: str(event["STATUS"]) for title, event in new_events.items()} == {"Threat models": "CONFIRMED"}
    old_calendar, old_events = _read(client, old_url)
    assert "removed track" in str(old_calendar["X-WR-CALNAME"])
    assert list(old_events) == ["Data lakes"]
    left = old_events["Data lakes"]
    assert str(left["STATUS"]) == "CANCELLED" and str(left["UID"]) == str(before["Data lakes"]["UID"])
    assert int(left["SEQUENCE"]) > int(before["Data lakes"]["SEQUENCE"])
    assert (_count(db, REMOVED_TRACK, deleted_id), _count(db, TRACK, security.id)) == (1, 1)
    assert _count(db, TRACK, deleted_id) == 0


def test_a_hub_made_after_the_newest_one_was_deleted_has_its_own_feed_and_the_old_url_still_cancels(
    app, client, db
):
    world = make_world()
    slug = world.conference.slug
    publish(world.conference, world.placements)
    deleted_id = world.new_york.id  # the newest hub
    old_url = f"/c/{slug}/hubs/{deleted_id}/calendar.ics"
    _, before = _read(client, old_url)
    assert list(before) == ["Data lakes"]
    update_room(world.new_york_room, "Hudson", world.london, world.new_york_room.capacity, True, False)
    db.session.commit()
    delete_hub(world.new_york)
    db.session.commit()

    berlin = create_hub(world.conference, "Berlin", "Europe/Berlin", time(9), time(17))
    spree = create_room(world.conference, "Spree", berlin, 40, False, False)
    db.session.commit()
    publish(world.conference, {**world.placements, world.talks[0]: (spree, at(24, 8), at(24, 8, 30))})

    assert berlin.id > deleted_id
    new_calendar, new_events = _read(client, f"/c/{slug}/hubs/{berlin.id}/calendar.ics")
    assert str(new_calendar["X-WR-CALNAME"]).endswith(": Berlin")
    assert {title: str(event["LOCATION"]) for title, event in new_events.items()} == {
        "Scaling queues": "Spree, Berlin"
    }
    old_calendar, old_events = _read(client, old_url)
    assert "removed hub" in str(old_calendar["X-WR-CALNAME"])
    left = old_events["Data lakes"]
    assert list(old_events) == ["Data lakes"]
    assert (str(left["STATUS"]), str(left["LOCATION"])) == ("CANCELLED", "Hudson, New York")
    assert left["DTSTART"].params["TZID"] == "America/New_York"
    assert (_count(db, REMOVED_HUB, deleted_id), _count(db, HUB, berlin.id)) == (1, 1)


def test_deleting_a_row_without_an_id_column_through_the_session_saves(db):
    """Only the kinds with feeds are looked at: a row keyed otherwise (a conference's
    registration window, keyed by its conference) deletes like any other."""
    conference = ConferenceFactory()
    window = AttendanceWindow(
        conference_id=conference.id,
        opens_at=datetime(2027, 1, 1, tzinfo=UTC),
        closes_at=datetime(2027, 2, 1, tzinfo=UTC),
    )
    db.session.add(window)
    db.session.commit()

    db.session.delete(window)
    db.session.commit()

    assert db.session.get(AttendanceWindow, conference.id) is None
