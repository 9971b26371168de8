"""A talk that leaves a feed is cancelled there as the feed last sent it: time, zone, room, title.

Each feed is read as a subscribed calendar reads it (``read_feed``: icalendar, vobject, ical).
"""

from __future__ import annotations

from conference.feeds import views
from conference.feeds.membership import HUB
from conference.feeds.models import FeedMembership, RenderedFeed
from conference.feeds.operations import feed_token_for
from conference.feeds.published import conference_version
from conference.interest.operations import unmark_interest
from conference.models import InterestMark
from tests.conference.feeds.helpers import at, make_world, publish, read_feed
from tests.factories import UserFactory


def _events(client, url) -> dict[str, object]:
    """The feed's events by title (titles are unique in these worlds)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(event["SUMMARY"]): event for event in read_feed(response.data).walk("VEVENT")}


def _shown(event) -> tuple:
    """What a calendar shows of an event: status, start, end, its TZID, place."""
    return (
        str(event["STATUS"]),
        event.start,
        event.end,
        event["DTSTART"].params.get("TZID"),
        str(event["LOCATION"]),
    )


def test_a_talk_moved_to_another_hub_is_cancelled_in_the_old_hubs_feed_at_its_old_time_and_room(app, client, db):
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    new_york = f"/c/{slug}/hubs/{world.new_york.id}/calendar.ics"
    publish(world.conference, world.placements)
    before = _events(client, london)["Scaling queues"]
    assert _shown(before) == ("CONFIRMED", at(24, 9), at(24, 9, 30), "Europe/London", "Thames, London")

    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})

    left = _events(client, london)["Scaling queues"]
    assert _shown(left) == ("CANCELLED", at(24, 9), at(24, 9, 30), "Europe/London", "Thames, London")
    assert str(left["UID"]) == str(before["UID"])
    assert int(left["SEQUENCE"]) > int(before["SEQUENCE"])
    assert left["DTSTAMP"].dt >= before["DTSTAMP"].dt
    arrived = _events(client, new_york)["Scaling queues"]
    assert _shown(arrived) == ("CONFIRMED", at(24, 15), at(24, 16), "America/New_York", "Hudson, New York")

    # Later edits of where the talk is now leave the copy London's subscribers had alone,
    # and its SEQUENCE never goes down.
    world.london_room.name = "Severn"
    world.new_york_room.name = "East River"
    db.session.commit()
    still = _events(client, london)["Scaling queues"]
    assert _shown(still) == _shown(left)
    assert int(still["SEQUENCE"]) >= int(left["SEQUENCE"])
    assert str(_events(client, new_york)["Scaling queues"]["LOCATION"]) == "East River, New York"


def test_a_retitled_then_moved_talk_is_cancelled_under_the_title_last_sent(app, client, db):
    world = make_world()
    slug = world.conference.slug
    platform = f"/c/{slug}/tracks/{world.track.id}/calendar.ics"
    data = f"/c/{slug}/tracks/{world.other_track.id}/calendar.ics"
    publish(world.conference, world.placements)
    _events(client, platform)
    world.talks[0].title = "Scaling queues, revisited"
    db.session.commit()
    sent = _events(client, platform)["Scaling queues, revisited"]  # the feed sends the new title

    # Retitled again and moved before the Platform feed is read again.
    world.talks[0].title = "Queues at scale"
    world.talks[0].track = world.other_track
    db.session.commit()

    platform_events = _events(client, platform)
    assert "Queues at scale" not in platform_events
    left = platform_events["Scaling queues, revisited"]
    assert str(left["STATUS"]) == "CANCELLED" and str(left["UID"]) == str(sent["UID"])
    assert int(left["SEQUENCE"]) > int(sent["SEQUENCE"])
    assert left["CATEGORIES"].cats == ["Platform"]
    arrived = _events(client, data)["Queues at scale"]
    assert str(arrived["STATUS"]) == "CONFIRMED" and arrived["CATEGORIES"].cats == ["Data"]


def test_an_unstarred_talk_moved_meanwhile_is_cancelled_in_the_personal_feed_where_it_was(app, client, db):
    world = make_world()
    attendee = world.speaker
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[0].id))
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    before = _events(client, url)["Scaling queues"]

    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})
    unmark_interest(attendee, world.talks[0])
    db.session.commit()

    calendar = read_feed(client.get(url).data)
    (left,) = calendar.walk("VEVENT")
    assert _shown(left) == ("CANCELLED", at(24, 9), at(24, 9, 30), "Europe/London", "Thames, London")
    assert int(left["SEQUENCE"]) > int(before["SEQUENCE"])
    # The VTIMEZONE is the one the cancelled copy uses, not the talk's new zone.
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert client.get(url).data == client.get(url).data


def test_a_starred_talk_that_moves_is_sent_at_its_new_place_and_cancelled_there_when_unstarred(app, client, db):
    world = make_world()
    attendee = world.speaker
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[0].id))
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    _events(client, url)
    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})
    moved = _events(client, url)["Scaling queues"]
    assert _shown(moved)[:2] == ("CONFIRMED", at(24, 15))

    unmark_interest(attendee, world.talks[0])
    db.session.commit()

    left = _events(client, url)["Scaling queues"]
    assert _shown(left) == ("CANCELLED", at(24, 15), at(24, 16), "America/New_York", "Hudson, New York")


def test_records_written_before_snapshots_cancel_at_the_current_place_and_get_one_on_the_next_render(
    app, client, db
):
    """The documented fallback for rows the migration left without a snapshot."""
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    publish(world.conference, world.placements)
    first = _events(client, london)["Scaling queues"]
    records = (FeedMembership.kind == HUB) & (FeedMembership.subject_id == world.london.id)
    db.session.execute(db.update(FeedMembership).where(records).values(sent=None))
    db.session.commit()

    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})

    left = _events(client, london)["Scaling queues"]
    assert _shown(left) == ("CANCELLED", at(24, 15), at(24, 16), "America/New_York", "Hudson, New York")
    assert int(left["SEQUENCE"]) > int(first["SEQUENCE"])

    # Back in London: the next render sends it as its own, and records what it sent.
    publish(world.conference, world.placements)
    assert str(_events(client, london)["Scaling queues"]["STATUS"]) == "CONFIRMED"
    db.session.expire_all()
    (record,) = db.session.scalars(db.select(FeedMembership).where(records)).all()
    assert record.sent["room"] == "Thames" and record.sent["zone"] == "Europe/London"


def test_feeds_rendered_by_the_older_format_are_not_served(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    stamp = conference_version(world.conference.slug)[1]
    assert views.RENDER_FORMAT != "f3"
    db.session.add(
        RenderedFeed(
            cache_key=f"c{world.conference.id}:ics:hub:{world.london.id}:{stamp}.f3",
            etag="stale",
            content_type="text/calendar; charset=utf-8",
            body=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        )
    )
    db.session.commit()
    events = _events(client, f"/c/{world.conference.slug}/hubs/{world.london.id}/calendar.ics")
    assert list(events) == ["Scaling queues"]


def test_a_cancelled_copy_is_rendered_once_per_stamp_and_the_same_bytes_until_the_next(app, client, db):
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    publish(world.conference, world.placements)
    first = client.get(london)
    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})
    moved = client.get(london)
    assert moved.headers["ETag"] != first.headers["ETag"]
    # Served again from the cache: the same bytes, and no 304 for the copy before the move.
    assert client.get(london).data == moved.data
    assert client.get(london, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    assert client.get(london, headers={"If-None-Match": moved.headers["ETag"]}).status_code == 304


def _description(event) -> str:
    return str(event["DESCRIPTION"])


def test_a_cancelled_copy_repeats_the_abstract_and_speakers_the_feed_last_sent(app, client, db):
    world = make_world()
    slug = world.conference.slug
    platform = f"/c/{slug}/tracks/{world.track.id}/calendar.ics"
    data = f"/c/{slug}/tracks/{world.other_track.id}/calendar.ics"
    world.talks[0].abstract = "Queues that **scale**."
    db.session.commit()
    publish(world.conference, world.placements)
    sent = _events(client, platform)["Scaling queues"]
    assert "Queues that scale." in _description(sent) and "Speakers: Ada Speaker" in _description(sent)

    # Rewritten, handed to another speaker and moved to the Data track before Platform is read again.
    world.talks[0].abstract = "Streams, not queues."
    world.talks[0].speakers[0].user = UserFactory(display_name="Lin Newcomer")
    world.talks[0].track = world.other_track
    db.session.commit()

    left = _events(client, platform)["Scaling queues"]
    assert str(left["STATUS"]) == "CANCELLED"
    assert "Queues that scale." in _description(left) and "Speakers: Ada Speaker" in _description(left)
    assert "Streams" not in _description(left) and "Lin Newcomer" not in _description(left)
    arrived = _events(client, data)["Scaling queues"]
    assert "Streams, not queues." in _description(arrived) and "Speakers: Lin Newcomer" in _description(arrived)


def test_a_snapshot_without_a_description_cancels_the_talk_without_one(app, client, db):
    """Snapshots from before the description was kept (null: unknown) leave it out, not guess it."""
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    publish(world.conference, world.placements)
    _events(client, london)
    records = (FeedMembership.kind == HUB) & (FeedMembership.subject_id == world.london.id)
    (record,) = db.session.scalars(db.select(FeedMembership).where(records)).all()
    record.sent = {**record.sent, "abstract": None, "speakers": None}
    db.session.commit()

    publish(world.conference, {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 16))})

    left = _events(client, london)["Scaling queues"]
    assert _shown(left) == ("CANCELLED", at(24, 9), at(24, 9, 30), "Europe/London", "Thames, London")
    assert "An abstract." not in _description(left) and "Speakers:" not in _description(left)
    assert "Talk page:" in _description(left)
