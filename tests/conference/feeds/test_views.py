"""Serving feeds: caching, validators, personal tokens and the subscribe page."""

from __future__ import annotations

import json
from datetime import date

from conference.conferences.models import Conference
from conference.feeds.operations import feed_token_for
from conference.feeds.published import conference_version
from conference.models import FeedToken, InterestMark, RenderedFeed
from conference.proposals.models import ProposalState
from tests.conference.feeds.helpers import make_world, publish, read_feed
from tests.factories import ProposalFactory, ProposalSpeakerFactory, UserFactory


def _rendered_count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(RenderedFeed.id)))


def test_public_feed_has_etag_cache_headers_and_answers_304(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    response = client.get(url)
    etag = response.headers["ETag"]
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept-Encoding" in response.headers["Vary"]
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_feed_is_rendered_once_per_published_version(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    first = client.get(url)
    assert _rendered_count(db) == 1
    second = client.get(url)
    assert _rendered_count(db) == 1
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.data == first.data
    # A fresh app (empty in-process cache) serves the stored row, byte for byte.
    from tests.conftest import make_test_app

    other_app = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"])
    third = other_app.test_client().get(url)
    with other_app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert third.data == first.data
    assert _rendered_count(db) == 1
    moved = dict(world.placements)
    moved.pop(world.talks[0])
    publish(world.conference, moved)
    fourth = client.get(url)
    assert fourth.headers["ETag"] != first.headers["ETag"]
    assert _rendered_count(db) == 1


def test_personal_feed_lists_starred_talks_privately(app, client, db):
    world = make_world()
    attendee = world.speaker
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[2].id))
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    calendar = read_feed(response.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Data lakes"]
    # Starring another talk gives a new rendering with both.
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[0].id))
    db.session.commit()
    again = client.get(url)
    assert again.headers["ETag"] != response.headers["ETag"]
    assert len(read_feed(again.data).walk("VEVENT")) == 2


def test_personal_feed_with_wrong_or_revoked_token_is_not_found(app, client, db, login):
    world = make_world()
    user = login()
    publish(world.conference, world.placements)
    page = client.get(f"/c/{world.conference.slug}/calendar")
    assert page.status_code == 200
    assert (
        client.post(
            f"/c/{world.conference.slug}/calendar/personal-link", data={"intent": "create"}
        ).status_code
        == 302
    )
    token = db.session.scalar(db.select(FeedToken.token).where(FeedToken.user_id == user.id))
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    assert client.get(url).status_code == 200
    assert client.get(url[:-12] + "x/starred.ics").status_code == 404
    assert (
        client.get(f"/c/{world.conference.slug}/feeds/{'a' * 200}/starred.ics").status_code == 404
    )
    other = make_world()
    assert client.get(f"/c/{other.conference.slug}/feeds/{token}/starred.ics").status_code == 404
    assert client.get(f"/c/{world.conference.slug}/calendar/personal-link").status_code == 405
    revoked = client.post(f"/c/{world.conference.slug}/calendar/personal-link")
    assert revoked.status_code == 302
    assert client.get(url).status_code == 404
    db.session.expire_all()
    new_token = db.session.scalar(db.select(FeedToken.token).where(FeedToken.user_id == user.id))
    assert new_token != token
    assert (
        client.get(f"/c/{world.conference.slug}/feeds/{new_token}/starred.ics").status_code == 200
    )


def test_renewing_the_personal_link_needs_login(app, client, db):
    world = make_world()
    response = client.post(f"/c/{world.conference.slug}/calendar/personal-link")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.session.scalar(db.select(db.func.count(FeedToken.id))) == 0


def test_subscribe_page_lists_webcal_and_https_links(app, client, db, login):
    world = make_world()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    anonymous = client.get(f"/c/{slug}/calendar").get_data(as_text=True)
    assert f"webcal://conference.test/c/{slug}/calendar.ics" in anonymous
    assert f"http://conference.test/c/{slug}/calendar.ics" in anonymous
    assert f"/c/{slug}/tracks/{world.track.id}/calendar.ics" in anonymous
    assert f"/c/{slug}/hubs/{world.london.id}/calendar.ics" in anonymous
    assert f"/c/{slug}/hubs/online/calendar.ics" in anonymous
    assert f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics" in anonymous
    assert "starred.ics" not in anonymous
    login()
    response = client.get(f"/c/{slug}/calendar")
    page = response.get_data(as_text=True)
    assert "starred.ics" not in page and "Get my calendar link" in page
    assert db.session.scalar(db.select(db.func.count(FeedToken.id))) == 0
    assert "no-store" in response.headers["Cache-Control"]
    made = client.post(f"/c/{slug}/calendar/personal-link", data={"intent": "create"})
    assert made.headers["Location"].endswith(f"/c/{slug}/calendar")
    page = client.get(f"/c/{slug}/calendar").get_data(as_text=True)
    assert "starred.ics" in page
    assert "Revoke and make a new link" in page and "Get my calendar link" not in page
    assert client.get("/c/missing/calendar").status_code == 404


def _revision(db, conference) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(Conference.feed_revision).where(Conference.id == conference.id))


def test_edits_the_events_show_reach_cached_feeds(app, client, db):
    """A renamed room, an edited title and a speaker's new name are in the next feed served,
    although the published version did not change (its stamp carries the feed revision)."""
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    track_url = f"/c/{world.conference.slug}/tracks/{world.track.id}/calendar.ics"
    before = client.get(url).data
    assert b"Thames" in before and client.get(track_url).status_code == 200
    stamp = conference_version(world.conference.slug)[1]

    world.london_room.name = "Severn"
    db.session.commit()
    after = read_feed(client.get(url).data)
    locations = {str(event["LOCATION"]) for event in after.walk("VEVENT")}
    assert any("Severn" in location for location in locations)
    assert not any("Thames" in location for location in locations)
    assert conference_version(world.conference.slug)[1] != stamp
    # Feeds filed under the old stamp are gone, not left to pile up.
    assert _rendered_count(db) == 1

    world.talks[0].title = "Scaling queues, revisited"
    world.speaker.display_name = "Ada L. Speaker"
    db.session.commit()
    summaries = {str(event["SUMMARY"]) for event in read_feed(client.get(track_url).data).walk("VEVENT")}
    assert "Scaling queues, revisited" in summaries
    assert b"Ada L. Speaker" in client.get(url).data.replace(b"\r\n ", b"")


def test_edits_feeds_do_not_show_leave_the_revision_alone(app, client, db):
    world = make_world()
    world.london_room.name = "Before publication"
    db.session.commit()
    assert _revision(db, world.conference) == 0  # nothing published: no lock, no new stamp
    publish(world.conference, world.placements)
    world.talks[0].notes_to_organisers = "Needs a clicker"
    world.speaker.time_zone = "Asia/Tokyo"
    db.session.commit()
    assert _revision(db, world.conference) == 0
    world.online.capacity = 900
    db.session.commit()
    assert _revision(db, world.conference) == 1


def test_a_talk_declined_after_publication_is_cancelled_in_feeds_at_once(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    before = {str(e["SUMMARY"]): e for e in read_feed(client.get(url).data).walk("VEVENT")}
    assert str(before["Scaling queues"]["STATUS"]) == "CONFIRMED"
    world.talks[0].state = ProposalState.DECLINED
    world.talks[1].state = ProposalState.WITHDRAWN
    db.session.commit()
    assert client.get(f"/c/{world.conference.slug}/agenda/talks/{world.talks[0].id}").status_code == 404
    after = {str(e["SUMMARY"]): e for e in read_feed(client.get(url).data).walk("VEVENT")}
    for title in ("Scaling queues", "Remote pairing"):
        assert str(after[title]["STATUS"]) == "CANCELLED"
        assert int(after[title]["SEQUENCE"]) == int(before[title]["SEQUENCE"]) + 1
    assert str(after["Data lakes"]["STATUS"]) == "CONFIRMED"
    assert int(after["Data lakes"]["SEQUENCE"]) == int(before["Data lakes"]["SEQUENCE"])
    # Publishing the talk again brings it back, with a higher SEQUENCE still.
    world.talks[0].state = ProposalState.CONFIRMED
    db.session.commit()
    publish(world.conference, world.placements)
    again = {str(e["SUMMARY"]): e for e in read_feed(client.get(url).data).walk("VEVENT")}
    assert str(again["Scaling queues"]["STATUS"]) == "CONFIRMED"
    assert int(again["Scaling queues"]["SEQUENCE"]) == int(before["Scaling queues"]["SEQUENCE"]) + 2


def test_exports_follow_a_change_of_the_conference_days(app, client, db):
    world = make_world(starts_on=date(2027, 3, 24), ends_on=date(2027, 3, 25))
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/schedule.json"
    assert json.loads(client.get(url).data)["schedule"]["conference"]["end"] == "2027-03-25"
    world.conference.ends_on = date(2027, 3, 26)
    db.session.commit()
    assert json.loads(client.get(url).data)["schedule"]["conference"]["end"] == "2027-03-26"


def _events(client, url) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(e["SUMMARY"]): e for e in read_feed(response.data).walk("VEVENT")}


def test_a_withdrawn_talk_is_cancelled_at_once_in_every_feed_that_held_it(app, client, db):
    """Whole conference, its track, its hub, its speaker's and a starring attendee's feeds all
    send it as STATUS:CANCELLED with a higher SEQUENCE, as the agenda and the speaker page
    drop it; even when it was the speaker's only talk (their feed used to answer 404, so
    subscribed calendars kept the talk as planned)."""
    world = make_world()
    attendee = UserFactory()
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[0].id))
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    feeds = [
        f"/c/{slug}/calendar.ics",
        f"/c/{slug}/tracks/{world.track.id}/calendar.ics",
        f"/c/{slug}/hubs/{world.london.id}/calendar.ics",
        f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics",
        f"/c/{slug}/feeds/{token}/starred.ics",
    ]
    before = {url: _events(client, url)["Scaling queues"] for url in feeds}
    assert client.get(f"/c/{slug}/agenda/speakers/{world.speaker.id}").status_code == 200

    world.talks[0].state = ProposalState.WITHDRAWN
    db.session.commit()

    assert client.get(f"/c/{slug}/agenda/speakers/{world.speaker.id}").status_code == 404
    for url in feeds:
        event = _events(client, url)["Scaling queues"]
        assert str(event["STATUS"]) == "CANCELLED", url
        assert int(event["SEQUENCE"]) == int(before[url]["SEQUENCE"]) + 1, url
        assert str(event["UID"]) == str(before[url]["UID"]), url
    # A later version without the talk keeps it cancelled there, not gone and not back.
    kept = dict(world.placements)
    kept.pop(world.talks[0])
    publish(world.conference, kept)
    for url in feeds:
        assert str(_events(client, url)["Scaling queues"]["STATUS"]) == "CANCELLED", url


def test_a_speaker_feed_never_exists_for_someone_only_ever_in_a_withdrawn_draft(app, client, db):
    world = make_world()
    bystander = UserFactory()
    unpublished = ProposalFactory(conference=world.conference, state=ProposalState.WITHDRAWN)
    ProposalSpeakerFactory(proposal=unpublished, user=bystander)
    db.session.commit()
    publish(world.conference, world.placements)

    assert client.get(f"/c/{world.conference.slug}/speakers/{bystander.id}/calendar.ics").status_code == 404


def test_a_declined_talk_confirmed_again_is_back_in_the_feeds_as_on_the_agenda(app, client, db):
    """The speaker declined by mistake and confirmed again before the next publication: the
    agenda shows the talk at its published place at once, and so do the feeds, with a higher
    SEQUENCE still (they said CANCELLED until a new version was published)."""
    world = make_world()
    publish(world.conference, world.placements)
    slug = world.conference.slug
    feeds = [
        f"/c/{slug}/calendar.ics",
        f"/c/{slug}/tracks/{world.track.id}/calendar.ics",
        f"/c/{slug}/speakers/{world.speaker.id}/calendar.ics",
    ]
    first = {url: _events(client, url)["Scaling queues"] for url in feeds}
    world.talks[0].state = ProposalState.DECLINED
    db.session.commit()
    assert all(str(_events(client, url)["Scaling queues"]["STATUS"]) == "CANCELLED" for url in feeds)

    world.talks[0].state = ProposalState.CONFIRMED
    db.session.commit()

    assert client.get(f"/c/{slug}/agenda/talks/{world.talks[0].id}").status_code == 200
    for url in feeds:
        event = _events(client, url)["Scaling queues"]
        assert str(event["STATUS"]) == "CONFIRMED", url
        assert int(event["SEQUENCE"]) == int(first[url]["SEQUENCE"]) + 2, url
        assert event.start == first[url].start and str(event["LOCATION"]) == str(first[url]["LOCATION"])
    # The next publication, placing it where it was, changes nothing more.
    publish(world.conference, world.placements)
    assert int(_events(client, feeds[0])["Scaling queues"]["SEQUENCE"]) == int(first[feeds[0]]["SEQUENCE"]) + 2


def test_a_talk_confirmed_again_after_a_version_without_it_stays_cancelled(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    world.talks[0].state = ProposalState.DECLINED
    db.session.commit()
    without = dict(world.placements)
    without.pop(world.talks[0])
    publish(world.conference, without)

    world.talks[0].state = ProposalState.CONFIRMED
    db.session.commit()

    # Not in the published version: neither the agenda nor the feeds have it as planned.
    assert client.get(f"/c/{world.conference.slug}/agenda/talks/{world.talks[0].id}").status_code == 404
    event = _events(client, f"/c/{world.conference.slug}/calendar.ics")["Scaling queues"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_one_talk_downloads_as_the_feeds_event_and_follows_its_cancellation(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    slug, talk = world.conference.slug, world.talks[0]
    url = f"/c/{slug}/agenda/talks/{talk.id}/calendar.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Content-Disposition"] == 'attachment; filename="scaling-queues.ics"'
    events = _events(client, url)
    assert list(events) == ["Scaling queues"]  # this talk alone
    in_feed = _events(client, f"/c/{slug}/calendar.ics")["Scaling queues"]
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "LOCATION"):
        assert str(events["Scaling queues"][name]) == str(in_feed[name]), name
    assert f'href="/c/{slug}/agenda/talks/{talk.id}/calendar.ics"' in client.get(
        f"/c/{slug}/agenda/talks/{talk.id}").get_data(as_text=True)
    # Withdrawn: the file says cancelled, so adding it again removes the talk.
    talk.state = ProposalState.WITHDRAWN
    db.session.commit()
    assert str(_events(client, url)["Scaling queues"]["STATUS"]) == "CANCELLED"


def test_a_talk_never_published_has_no_calendar_file(app, client, db):
    world = make_world()
    draft = ProposalFactory(conference=world.conference, state=ProposalState.ACCEPTED)
    db.session.commit()
    slug = world.conference.slug
    assert client.get(f"/c/{slug}/agenda/talks/{draft.id}/calendar.ics").status_code == 404  # nothing published
    publish(world.conference, world.placements)
    assert client.get(f"/c/{slug}/agenda/talks/{draft.id}/calendar.ics").status_code == 404  # not placed
    assert client.get(f"/c/{slug}/agenda/talks/999999/calendar.ics").status_code == 404
