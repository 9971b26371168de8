"""Every iCalendar feed, read by several independent readers."""

from __future__ import annotations

from datetime import UTC, date

from conference.feeds.links import join_url
from conference.models import CalendarEntry
from tests.conference.feeds.helpers import at, events_by_uid, make_world, publish, read_feed
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    UserFactory,
)


def _get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def test_conference_feed_is_valid_for_every_reader(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    calendar = read_feed(_get(client, f"/c/{world.conference.slug}/calendar.ics").data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//Conference planner//")
    assert str(calendar["NAME"]) == world.conference.name
    assert str(calendar["X-WR-CALNAME"]) == world.conference.name
    assert "DESCRIPTION" in calendar
    assert "METHOD" not in calendar
    assert len(calendar.walk("VEVENT")) == 3
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/London", "America/New_York"
    }


def test_conference_feed_has_refresh_hints_with_value_duration(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    body = _get(client, f"/c/{world.conference.slug}/calendar.ics").data
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body


def test_events_carry_uid_sequence_status_location_and_links(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    calendar = read_feed(_get(client, f"/c/{world.conference.slug}/calendar.ics").data)
    entries = {
        entry.proposal_id: entry for entry in db.session.scalars(db.select(CalendarEntry))
    }
    events = events_by_uid(calendar)
    in_london = events[entries[world.talks[0].id].uid]
    assert entries[world.talks[0].id].uid == f"talk-{world.talks[0].id}@{world.conference.slug}.conference.test"
    assert str(in_london["STATUS"]) == "CONFIRMED"
    assert int(in_london["SEQUENCE"]) == 0
    assert "LAST-MODIFIED" in in_london
    assert str(in_london["LOCATION"]) == "Thames, London"
    assert str(in_london["URL"]) == (
        f"http://conference.test/c/{world.conference.slug}/agenda/talks/{world.talks[0].id}"
    )
    assert "CONFERENCE" not in in_london
    assert "Ada Speaker" in str(in_london["DESCRIPTION"])
    assert in_london["DTSTART"].params["TZID"] == "Europe/London"
    assert in_london.start.astimezone(UTC) == at(24, 9)

    online = events[entries[world.talks[1].id].uid]
    link = join_url(world.online)
    assert link == f"https://stream.example.invalid/room-{world.online.id}"
    assert str(online["CONFERENCE"]) == link
    assert online["CONFERENCE"].params["VALUE"] == "URI"
    assert online["CONFERENCE"].params["FEATURE"] == "VIDEO"
    assert online["CONFERENCE"].params["LABEL"]
    assert link in str(online["DESCRIPTION"])
    assert str(online["LOCATION"]) == "Stream A, Online"
    # Online streams use the conference's zone.
    assert online["DTSTART"].params["TZID"] == "Europe/London"

    hybrid = events[entries[world.talks[2].id].uid]
    assert hybrid["DTSTART"].params["TZID"] == "America/New_York"
    assert str(hybrid["CONFERENCE"]) == join_url(world.new_york_room)


def test_join_url_follows_the_configured_stream_base(app, db):
    world = make_world()
    app.config["STREAM_BASE_URL"] = "https://video.example.org/live"
    assert join_url(world.online) == f"https://video.example.org/live/room-{world.online.id}"
    assert join_url(world.london_room) is None


def test_track_hub_online_and_speaker_feeds_hold_only_their_talks(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    counts = {
        f"/c/{slug}/tracks/{world.track.id}/calendar.ics": 2,
        f"/c/{slug}/tracks/{world.other_track.id}/calendar.ics": 1,
        f"/c/{slug}/hubs/{world.london.id}/calendar.ics": 1,
        f"/c/{slug}/hubs/{world.new_york.id}/calendar.ics": 1,
        f"/c/{slug}/hubs/online/calendar.ics": 1,
        f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics": 1,
    }
    for url, expected in counts.items():
        calendar = read_feed(_get(client, url).data)
        assert len(calendar.walk("VEVENT")) == expected, url


def test_feeds_of_other_conferences_objects_are_not_found(app, client, db):
    world = make_world()
    other = make_world()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    for url in (
        f"/c/{slug}/tracks/{other.track.id}/calendar.ics",
        f"/c/{slug}/hubs/{other.london.id}/calendar.ics",
        f"/c/{slug}/hubs/nowhere/calendar.ics",
        f"/c/{slug}/speakers/{other.speaker.id}/calendar.ics",
        "/c/no-such-conference/calendar.ics",
    ):
        assert client.get(url).status_code == 404, url


def test_speaker_feed_without_a_published_talk_is_not_found(app, client, db):
    world = make_world()
    unscheduled = ProposalFactory(conference=world.conference)
    bystander = UserFactory()
    ProposalSpeakerFactory(proposal=unscheduled, user=bystander)
    db.session.commit()
    slug = world.conference.slug
    # Before publication nobody has a published talk.
    assert client.get(f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics").status_code == 404
    publish(world.conference, world.placements)
    assert client.get(f"/c/{slug}/speakers/{bystander.id}/calendar.ics").status_code == 404
    assert client.get(f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics").status_code == 200


def test_feed_without_published_schedule_is_empty_but_valid(app, client, db):
    world = make_world()
    calendar = read_feed(_get(client, f"/c/{world.conference.slug}/calendar.ics").data)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == world.conference.name


def test_hostile_title_and_abstract_stay_inside_one_event(app, client, db):
    world = make_world()
    hostile = "Evil\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n; a, b \\ =cmd| <script>alert(1)</script>"
    world.talks[0].title = hostile[:200]
    world.talks[1].abstract = "Line\r\nBEGIN:VEVENT\nSUMMARY:injected\r\n<img src=x onerror=alert(1)> =HYPERLINK(1)"
    world.speaker.display_name = "Mallory\r\nBEGIN:VEVENT, ;"
    world.conference.name = "Conf\r\nBEGIN:VCALENDAR"
    db.session.commit()
    publish(world.conference, world.placements)
    body = _get(client, f"/c/{world.conference.slug}/calendar.ics").data
    calendar = read_feed(body)
    assert body.count(b"BEGIN:VEVENT\r\n") == 3
    assert body.count(b"\r\nBEGIN:VCALENDAR") == 0
    assert len(calendar.walk("VEVENT")) == 3
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert any(summary.startswith("Evil BEGIN:VEVENT UID:x END:VEVENT ; a, b") for summary in summaries)
    assert any("<script>" in summary for summary in summaries)  # plain text: inert in ICS


def test_conference_across_a_dst_change_keeps_instants(app, client, db):
    conference = ConferenceFactory(
        time_zone="America/New_York", starts_on=date(2027, 3, 13), ends_on=date(2027, 3, 15)
    )
    hub = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    room = RoomFactory(conference=conference, hub=hub, name="Hudson", has_streaming=False)
    before = ProposalFactory(conference=conference, title="Before the change")
    after = ProposalFactory(conference=conference, title="After the change")
    placements = {
        before: (room, at(13, 14), at(13, 15)),  # 09:00 EST
        after: (room, at(15, 13), at(15, 14)),  # 09:00 EDT
    }
    db.session.commit()
    publish(conference, placements)
    calendar = read_feed(_get(client, f"/c/{conference.slug}/calendar.ics").data)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "America/New_York"
    assert {sub.name for sub in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert all("RRULE" in sub for sub in timezone.subcomponents)
    by_title = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    for proposal, (_room, starts_at, ends_at) in placements.items():
        event = by_title[proposal.title]
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert event.start.astimezone(UTC) == starts_at
        assert event.end.astimezone(UTC) == ends_at
        assert event.start.hour == 9
    # The same instants read back by the other readers' own time-zone handling.
    import vobject
    from ical.calendar_stream import IcsCalendarStream

    body = _get(client, f"/c/{conference.slug}/calendar.ics").data.decode()
    read_by_vobject = sorted(
        event.dtstart.value.astimezone(UTC) for event in vobject.readOne(body).vevent_list
    )
    assert read_by_vobject == [at(13, 14), at(15, 13)]
    read_by_ical = sorted(
        event.dtstart.astimezone(UTC) for event in IcsCalendarStream.calendar_from_ics(body).events
    )
    assert read_by_ical == [at(13, 14), at(15, 13)]


def test_feed_works_with_gzip_accepted(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    plain = _get(client, f"/c/{world.conference.slug}/calendar.ics")
    gzipped = _get(client, f"/c/{world.conference.slug}/calendar.ics", **{"Accept-Encoding": "gzip"})
    assert "Accept-Encoding" in gzipped.headers["Vary"]
    if gzipped.headers.get("Content-Encoding") == "gzip":
        import gzip

        assert gzip.decompress(gzipped.data) == plain.data
    else:
        assert gzipped.data == plain.data
    read_feed(gzipped.data if gzipped.headers.get("Content-Encoding") != "gzip" else plain.data)
