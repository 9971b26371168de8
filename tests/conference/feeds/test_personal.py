"""Personal feeds assembled from a version's rendered events: same bytes, one query, no writes."""

from __future__ import annotations

from dataclasses import replace

from conference.feeds import ical
from conference.feeds.links import public_host
from conference.feeds.operations import feed_token_for
from conference.feeds.personal import EventLibrary
from conference.feeds.published import published_schedule, starred_filter
from conference.models import InterestMark, RenderedFeed
from tests.conference.feeds.helpers import at, make_world, publish, read_feed
from tests.conftest import make_test_app
from tests.factories import ConferenceFactory, ProposalFactory
from tests.statements import recorded_statements


def _star(db, user, *talks) -> None:
    for talk in talks:
        db.session.add(InterestMark(user_id=user.id, proposal_id=talk.id))
    db.session.commit()


def test_assembled_feed_is_byte_for_byte_the_rendered_calendar(app, db):
    world = make_world()
    version = publish(world.conference, world.placements)
    # A talk removed by a later version stays in feeds as cancelled: it must assemble too.
    moved = dict(world.placements)
    moved.pop(world.talks[1])
    version = publish(world.conference, moved)
    everything = published_schedule(world.conference)
    library = EventLibrary.build(everything, world.conference.id, "stamp")
    uid = f"c{world.conference.id}:ics:personal:u7@{public_host()}"
    stamp = version.published_at.replace(microsecond=0)
    for chosen in ([], [world.talks[2]], [world.talks[2], world.talks[0]], world.talks):
        subset = replace(
            everything, talks=tuple(t for t in everything.talks if t.proposal_id in {c.id for c in chosen})
        )
        expected = ical.serialise(ical.build_calendar(subset, "Summit: mine", "Starred.", stamp, uid))
        # Unknown ids (another conference's talks, unpublished ones) are left out.
        assembled = library.assemble([c.id for c in reversed(chosen)] + [10**9], "Summit: mine", "Starred.", uid)
        assert assembled == expected
    calendar = read_feed(library.assemble([t.id for t in world.talks], "Summit: mine", "Starred.", uid))
    assert {str(e["STATUS"]) for e in calendar.walk("VEVENT")} == {"CONFIRMED", "CANCELLED"}
    # Only the zones its events use: London and New York here, no UTC VTIMEZONE.
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "America/New_York",
        "Europe/London",
    ]


def test_personal_feed_takes_one_query_and_writes_nothing(app, client, db):
    app.config["FEEDS_VERSION_CHECK_SECONDS"] = 60
    world = make_world()
    attendee = world.speaker
    _star(db, attendee, world.talks[0], world.talks[2])
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    first = client.get(url)
    assert first.status_code == 200
    with recorded_statements(db.engine) as statements:
        again = client.get(url, headers={"Accept-Encoding": "gzip"})
        not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert len(statements) == 2, statements  # the token and its stars, once per request
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in statements)
    assert again.headers["Content-Encoding"] == "gzip"
    assert not_modified.status_code == 304
    assert again.headers["Cache-Control"].startswith("private")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(RenderedFeed.id))) == 0
    titles = [str(e["SUMMARY"]) for e in read_feed(first.data).walk("VEVENT")]
    assert titles == ["Scaling queues", "Data lakes"]


def test_personal_feed_follows_stars_and_new_versions_and_ignores_other_conferences(app, client, db):
    world = make_world()
    attendee = world.speaker
    other = ProposalFactory(conference=ConferenceFactory(), title="Elsewhere")
    _star(db, attendee, world.talks[0], other)
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    first = read_feed(client.get(url).data)
    assert [str(e["SUMMARY"]) for e in first.walk("VEVENT")] == ["Scaling queues"]
    _star(db, attendee, world.talks[1])
    second = read_feed(client.get(url).data)
    assert [str(e["SUMMARY"]) for e in second.walk("VEVENT")] == ["Scaling queues", "Remote pairing"]
    # A new version moves a starred talk: the feed shows the new time and a higher SEQUENCE.
    moved = dict(world.placements)
    room, _, _ = moved[world.talks[0]]
    moved[world.talks[0]] = (room, at(26, 10), at(26, 10, 30))
    publish(world.conference, moved)
    third = read_feed(client.get(url).data)
    event = next(e for e in third.walk("VEVENT") if str(e["SUMMARY"]) == "Scaling queues")
    assert event.start == at(26, 10)
    assert int(event["SEQUENCE"]) > int(next(iter(first.walk("VEVENT")))["SEQUENCE"])
    # The same feed as the whole-schedule query for this user would give.
    expected = published_schedule(world.conference, starred_filter(attendee.id))
    assert [str(e["UID"]) for e in third.walk("VEVENT")] == [t.uid for t in expected.talks]


def test_every_process_assembles_the_same_bytes(app, client, db):
    world = make_world()
    _star(db, world.speaker, world.talks[1])
    token = feed_token_for(world.speaker, world.conference).token
    db.session.commit()
    version = publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    first = client.get(url)
    other_app = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"])
    second = other_app.test_client().get(url)
    with other_app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    # DTSTAMP is the version's publication time, not when a process rendered the event.
    event = read_feed(first.data).walk("VEVENT")[0]
    assert event["DTSTAMP"].dt == version.published_at.replace(microsecond=0)
