"""Talks that leave a feed are sent cancelled there; edits of what an event says raise SEQUENCE.

Each feed is read as a subscribed calendar reads it (icalendar, via ``read_feed``) and compared
with what the same calendar read before: same UID, STATUS, and a SEQUENCE that only rises.
"""

from __future__ import annotations

from conference.feeds.membership import STARRED
from conference.feeds.models import FeedMembership
from conference.feeds.operations import feed_token_for
from conference.interest.operations import unmark_interest
from conference.models import CalendarEntry, InterestMark, ProposalSpeaker
from tests.conference.feeds.helpers import at, make_world, publish, read_feed
from tests.factories import ProposalSpeakerFactory, RoomFactory, UserFactory
from tests.statements import recorded_statements


def _events(client, url) -> dict[str, object]:
    """The feed's events by title (titles are unique in these worlds)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(event["SUMMARY"]): event for event in read_feed(response.data).walk("VEVENT")}


def _said(event) -> tuple[str, int, str]:
    return str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])


def _sequences(client, url) -> dict[str, int]:
    return {title: int(event["SEQUENCE"]) for title, event in _events(client, url).items()}


def test_a_talk_moved_to_another_hub_is_cancelled_in_the_old_hubs_feed_and_back_when_it_returns(
    app, client, db
):
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    new_york = f"/c/{slug}/hubs/{world.new_york.id}/calendar.ics"
    publish(world.conference, world.placements)
    uid, first, status = _said(_events(client, london)["Scaling queues"])
    assert status == "CONFIRMED"
    assert "Scaling queues" not in _events(client, new_york)

    moved = {**world.placements, world.talks[0]: (world.new_york_room, at(24, 15), at(24, 15, 30))}
    publish(world.conference, moved)

    left = _events(client, london)["Scaling queues"]
    assert _said(left)[0] == uid
    assert str(left["STATUS"]) == "CANCELLED"
    assert int(left["SEQUENCE"]) > first
    assert "no longer part of this calendar" in str(left["DESCRIPTION"])
    assert "CONFERENCE" not in left
    arrived = _events(client, new_york)["Scaling queues"]
    assert _said(arrived)[0] == uid and str(arrived["STATUS"]) == "CONFIRMED"
    assert int(arrived["SEQUENCE"]) > first
    assert arrived.start == at(24, 15)
    # The whole conference's feed just moves it.
    whole = _events(client, f"/c/{slug}/calendar.ics")["Scaling queues"]
    assert str(whole["STATUS"]) == "CONFIRMED" and str(whole["LOCATION"]) == "Hudson, New York"

    publish(world.conference, world.placements)

    back = _events(client, london)["Scaling queues"]
    assert _said(back)[0] == uid and str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) > int(left["SEQUENCE"])
    assert back.start == at(24, 9)
    gone = _events(client, new_york)["Scaling queues"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) > int(arrived["SEQUENCE"])
    # Talks that never moved keep their SEQUENCE in every feed.
    assert int(_events(client, new_york)["Data lakes"]["SEQUENCE"]) == 0


def test_a_talk_moved_online_leaves_its_hubs_feed_for_the_online_streams_feed(app, client, db):
    world = make_world()
    slug = world.conference.slug
    london = f"/c/{slug}/hubs/{world.london.id}/calendar.ics"
    online = f"/c/{slug}/hubs/online/calendar.ics"
    publish(world.conference, world.placements)
    before = _said(_events(client, london)["Scaling queues"])
    assert "Scaling queues" not in _events(client, online)

    publish(world.conference, {**world.placements, world.talks[0]: (world.online, at(24, 9), at(24, 9, 30))})

    assert _said(_events(client, london)["Scaling queues"])[2] == "CANCELLED"
    assert _said(_events(client, online)["Scaling queues"])[2] == "CONFIRMED"
    assert _said(_events(client, london)["Scaling queues"])[1] > before[1]


def test_a_talk_moved_to_another_track_is_cancelled_in_the_old_tracks_feed(app, client, db):
    world = make_world()
    slug = world.conference.slug
    platform = f"/c/{slug}/tracks/{world.track.id}/calendar.ics"
    data = f"/c/{slug}/tracks/{world.other_track.id}/calendar.ics"
    publish(world.conference, world.placements)
    uid, first, _ = _said(_events(client, platform)["Scaling queues"])
    assert "Scaling queues" not in _events(client, data)

    world.talks[0].track = world.other_track
    db.session.commit()

    left = _events(client, platform)["Scaling queues"]
    assert _said(left) == (uid, int(left["SEQUENCE"]), "CANCELLED")
    assert int(left["SEQUENCE"]) > first
    arrived = _events(client, data)["Scaling queues"]
    assert _said(arrived)[0] == uid and str(arrived["STATUS"]) == "CONFIRMED"
    assert arrived["CATEGORIES"].cats == ["Data"]
    # A later version keeps sending it cancelled in the old track's feed.
    publish(world.conference, {**world.placements, world.talks[0]: (world.london_room, at(24, 10), at(24, 10, 30))})
    assert str(_events(client, platform)["Scaling queues"]["STATUS"]) == "CANCELLED"

    world.talks[0].track = world.track
    db.session.commit()

    back = _events(client, platform)["Scaling queues"]
    assert str(back["STATUS"]) == "CONFIRMED"
    assert int(back["SEQUENCE"]) > int(left["SEQUENCE"])
    gone = _events(client, data)["Scaling queues"]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) > int(arrived["SEQUENCE"])


def test_a_speaker_taken_off_a_talk_gets_it_cancelled_in_their_feed(app, client, db):
    world = make_world()
    co_speaker = UserFactory(display_name="Bea Cospeaker")
    ProposalSpeakerFactory(proposal=world.talks[0], user=co_speaker)
    db.session.commit()
    slug = world.conference.slug
    theirs = f"/c/{slug}/speakers/{co_speaker.id}/calendar.ics"
    adas = f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics"
    publish(world.conference, world.placements)
    uid, first, _ = _said(_events(client, theirs)["Scaling queues"])
    ada_before = _said(_events(client, adas)["Scaling queues"])

    row = db.session.scalar(db.select(ProposalSpeaker).where(ProposalSpeaker.user_id == co_speaker.id))
    db.session.delete(row)
    db.session.commit()

    # Their only talk: the feed still answers, and cancels it.
    left = _events(client, theirs)["Scaling queues"]
    assert _said(left)[0] == uid and str(left["STATUS"]) == "CANCELLED"
    assert int(left["SEQUENCE"]) > first
    # The remaining speaker's feed has the new speaker list, with a higher SEQUENCE.
    kept = _events(client, adas)["Scaling queues"]
    assert str(kept["STATUS"]) == "CONFIRMED"
    assert int(kept["SEQUENCE"]) > ada_before[1]
    assert "Bea Cospeaker" not in str(kept["DESCRIPTION"])


def test_a_speaker_never_sent_a_talk_still_has_no_feed(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    bystander = UserFactory()
    row = ProposalSpeakerFactory(proposal=world.talks[0], user=bystander)
    db.session.commit()
    db.session.delete(row)
    db.session.commit()
    # Added and removed without their feed ever being read: nothing to cancel, no feed.
    assert client.get(f"/c/{world.conference.slug}/speakers/{bystander.id}/calendar.ics").status_code == 404


def _star(db, user, *talks) -> None:
    for talk in talks:
        db.session.add(InterestMark(user_id=user.id, proposal_id=talk.id))
    db.session.commit()


def test_an_unstarred_talk_is_cancelled_in_the_personal_feed_and_confirmed_when_starred_again(
    app, client, db
):
    world = make_world()
    attendee = UserFactory()
    _star(db, attendee, world.talks[0], world.talks[2])
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    first = client.get(url)
    uid, sequence, status = _said(_events(client, url)["Scaling queues"])
    assert status == "CONFIRMED"

    unmark_interest(attendee, world.talks[0])
    db.session.commit()

    unstarred = client.get(url)
    assert unstarred.headers["ETag"] != first.headers["ETag"]
    left = _events(client, url)["Scaling queues"]
    assert _said(left) == (uid, sequence + 1, "CANCELLED")
    assert left["LAST-MODIFIED"].dt >= _events(client, url)["Data lakes"]["LAST-MODIFIED"].dt
    assert _said(_events(client, url)["Data lakes"])[2] == "CONFIRMED"
    # Reading it again changes nothing more.
    assert client.get(url).data == unstarred.data

    _star(db, attendee, world.talks[0])

    assert _said(_events(client, url)["Scaling queues"]) == (uid, sequence + 2, "CONFIRMED")


def test_a_talk_starred_and_unstarred_between_two_reads_never_appears(app, client, db):
    world = make_world()
    attendee = UserFactory()
    _star(db, attendee, world.talks[2])
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    assert list(_events(client, url)) == ["Data lakes"]
    _star(db, attendee, world.talks[1])
    unmark_interest(attendee, world.talks[1])
    db.session.commit()
    assert list(_events(client, url)) == ["Data lakes"]


def test_a_personal_feed_after_an_unstar_writes_once_then_takes_one_query(app, client, db):
    app.config["FEEDS_VERSION_CHECK_SECONDS"] = 60
    world = make_world()
    attendee = UserFactory()
    _star(db, attendee, world.talks[0], world.talks[1])
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    client.get(url)
    unmark_interest(attendee, world.talks[1])
    db.session.commit()
    client.get(url)  # records the change
    with recorded_statements(db.engine) as statements:
        again = client.get(url)
    assert len(statements) == 1, statements
    assert [str(e["STATUS"]) for e in read_feed(again.data).walk("VEVENT")] == ["CONFIRMED", "CANCELLED"]
    db.session.expire_all()
    records = db.session.scalars(
        db.select(FeedMembership).where(FeedMembership.kind == STARRED, FeedMembership.subject_id == attendee.id)
    ).all()
    assert sorted((record.in_feed, record.sequence_offset) for record in records) == [(False, 1), (True, 0)]


def _entry(db, proposal) -> CalendarEntry:
    db.session.expire_all()
    return db.session.scalar(db.select(CalendarEntry).where(CalendarEntry.proposal_id == proposal.id))


def test_edits_of_what_an_event_says_raise_its_sequence_and_no_other(app, client, db):
    """Title, abstract, room name, hub name, track name, a speaker's name and the join link:
    each raises the SEQUENCE of exactly the events that show it, in every feed."""
    world = make_world()
    slug = world.conference.slug
    url = f"/c/{slug}/calendar.ics"
    publish(world.conference, world.placements)
    queues, pairing, lakes = "Scaling queues", "Remote pairing", "Data lakes"

    def edit_raises(change, *titles) -> dict[str, object]:
        before = {str(event["UID"]): (title, event) for title, event in _events(client, url).items()}
        change()
        db.session.commit()
        after = _events(client, url)
        for event in after.values():
            title, earlier = before[str(event["UID"])]
            raised = int(event["SEQUENCE"]) - int(earlier["SEQUENCE"])
            assert raised == (1 if title in titles else 0), (title, raised)
            if title in titles:  # whole seconds: the edit may fall in the same one
                assert event["LAST-MODIFIED"].dt >= earlier["LAST-MODIFIED"].dt
        return after

    after = edit_raises(lambda: setattr(world.talks[1], "title", "Remote pairing, in practice"), pairing)
    pairing = "Remote pairing, in practice"
    assert pairing in after
    after = edit_raises(lambda: setattr(world.talks[2], "abstract", "Lakes, swamps and warehouses."), lakes)
    assert "Lakes, swamps" in str(after[lakes]["DESCRIPTION"])
    after = edit_raises(lambda: setattr(world.london_room, "name", "Severn"), queues)
    assert str(after[queues]["LOCATION"]) == "Severn, London"
    after = edit_raises(lambda: setattr(world.new_york, "name", "Brooklyn"), lakes)
    assert str(after[lakes]["LOCATION"]) == "Hudson, Brooklyn"
    after = edit_raises(lambda: setattr(world.track, "name", "Platforms"), queues, pairing)
    assert after[queues]["CATEGORIES"].cats == ["Platforms"]
    after = edit_raises(lambda: setattr(world.speaker, "display_name", "Ada L. Speaker"), queues)
    assert "Ada L. Speaker" in str(after[queues]["DESCRIPTION"])
    # Streaming switched on: the London talk gets a join link.
    after = edit_raises(lambda: setattr(world.london_room, "has_streaming", True), queues)
    assert "CONFERENCE" in after[queues]
    # The hub's zone: the same instants under another TZID.
    after = edit_raises(lambda: setattr(world.new_york, "time_zone", "America/Chicago"), lakes)
    assert after[lakes]["DTSTART"].params["TZID"] == "America/Chicago"
    # The one-talk download says the same as the feeds.
    single = _events(client, f"/c/{slug}/agenda/talks/{world.talks[0].id}/calendar.ics")[queues]
    assert int(single["SEQUENCE"]) == int(after[queues]["SEQUENCE"])


def test_the_filtered_feeds_follow_the_raised_sequence(app, client, db):
    world = make_world()
    slug = world.conference.slug
    feeds = [
        f"/c/{slug}/tracks/{world.track.id}/calendar.ics",
        f"/c/{slug}/hubs/{world.london.id}/calendar.ics",
        f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics",
    ]
    publish(world.conference, world.placements)
    before = {url: int(_events(client, url)["Scaling queues"]["SEQUENCE"]) for url in feeds}
    world.talks[0].title = "Scaling queues again"
    db.session.commit()
    for url in feeds:
        event = _events(client, url)["Scaling queues again"]
        assert int(event["SEQUENCE"]) == before[url] + 1, url
        assert str(event["STATUS"]) == "CONFIRMED", url


def test_edits_no_published_event_shows_raise_no_sequence(app, client, db):
    world = make_world()
    unused = RoomFactory(conference=world.conference, hub=world.london, name="Cellar")
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    before = _sequences(client, url)
    unused.name = "Wine cellar"
    world.london_room.capacity = 12
    world.talks[0].notes_to_organisers = "Bring a clicker"
    world.conference.name = "Renamed summit"
    UserFactory(display_name="Someone else")
    db.session.commit()
    world.talks[0].title = world.talks[0].title  # set to the same value
    db.session.commit()
    assert _sequences(client, url) == before


def test_an_edit_rolled_back_raises_nothing(app, db):
    world = make_world()
    publish(world.conference, world.placements)
    before = _entry(db, world.talks[0]).sequence
    world.talks[0].title = "Never saved"
    db.session.flush()
    assert _entry(db, world.talks[0]).sequence == before + 1  # raised in the same transaction
    db.session.rollback()
    assert _entry(db, world.talks[0]).sequence == before


def test_publishing_after_an_edit_raises_nothing_more(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    world.london_room.name = "Severn"
    db.session.commit()
    raised = _entry(db, world.talks[0])
    publish(world.conference, world.placements)
    again = _entry(db, world.talks[0])
    assert (again.sequence, again.last_modified) == (raised.sequence, raised.last_modified)


def test_a_talk_moved_to_another_room_is_raised_once(app, client, db):
    """Placement and text (the room's name and hub) change together: one bump, not two."""
    world = make_world()
    publish(world.conference, world.placements)
    before = _entry(db, world.talks[1]).sequence
    publish(world.conference, {**world.placements, world.talks[1]: (world.new_york_room, at(24, 14), at(24, 14, 45))})
    assert _entry(db, world.talks[1]).sequence == before + 1


def test_an_edited_feed_gets_a_new_etag_and_the_old_one_no_longer_matches(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/hubs/{world.london.id}/calendar.ics"
    first = client.get(url)
    old = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": old}).status_code == 304
    world.london_room.name = "Severn"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": old})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != old
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_deleting_a_track_raises_its_talks_sequence_and_keeps_its_feeds_records_as_removed(app, client, db):
    from conference.organisers.operations import delete_track

    world = make_world()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    _events(client, f"/c/{slug}/tracks/{world.track.id}/calendar.ics")
    before = _sequences(client, f"/c/{slug}/calendar.ics")
    track_id = world.track.id
    carried = (FeedMembership.kind == "track") & (FeedMembership.subject_id == track_id)
    assert db.session.scalar(db.select(db.func.count()).where(carried)) == 2

    delete_track(world.track)
    db.session.commit()

    after = _events(client, f"/c/{slug}/calendar.ics")
    for title in ("Scaling queues", "Remote pairing"):
        assert int(after[title]["SEQUENCE"]) == before[title] + 1
        assert "CATEGORIES" not in after[title]
    assert int(after["Data lakes"]["SEQUENCE"]) == before["Data lakes"]
    assert db.session.scalar(db.select(db.func.count()).where(carried)) == 0
    # Kept for the removed track's feed (`test_removed_feeds`), under a kind no new track has.
    removed = (FeedMembership.kind == "removed-track") & (FeedMembership.subject_id == track_id)
    assert db.session.scalar(db.select(db.func.count()).where(removed)) == 2
