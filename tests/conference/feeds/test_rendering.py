"""How a feed is built and served cheaply: same bytes as icalendar, stored plain text, no queries."""

from __future__ import annotations

import random
from datetime import UTC
from zoneinfo import ZoneInfo

from icalendar import Conference as ConferenceLink
from icalendar import Event
from icalendar.parser import Contentline
from sqlalchemy import update

from conference.feeds import ical
from conference.feeds.published import published_schedule
from conference.models import Proposal, RenderedFeed
from tests.conference.feeds.helpers import events_by_uid, make_world, publish, read_feed
from tests.factories import ProposalFactory, ProposalSpeakerFactory, UserFactory
from tests.statements import recorded_statements


def _event_as_icalendar_builds_it(talk, stamp) -> Event:
    """The event through icalendar's own high-level API (what build_event must equal)."""
    conferences = None
    if talk.join_url and not talk.cancelled:
        conferences = [ConferenceLink(talk.join_url, feature="VIDEO", label="Join online")]
    built = Event.new(
        uid=talk.uid,
        stamp=stamp.astimezone(UTC),
        last_modified=talk.last_modified.astimezone(UTC),
        sequence=talk.sequence,
        status="CANCELLED" if talk.cancelled else "CONFIRMED",
        summary=talk.title or "Untitled talk",
        description=ical.event_description(talk),
        location=talk.location,
        url=talk.url,
        start=talk.starts_at.astimezone(ZoneInfo(talk.zone_name)),
        end=talk.ends_at.astimezone(ZoneInfo(talk.zone_name)),
        conferences=conferences,
    )
    if talk.track_name:
        built.add("CATEGORIES", [talk.track_name])
    return built


def _hostile_world():
    world = make_world()
    world.talks[0].title = "Ünïcode ✓ title; with, commas\\ and a caret ^ " + "ß" * 40
    world.talks[0].abstract = "Line one\r\nBEGIN:VEVENT\n" + "x\\" * 50 + " 日本語のテキスト " * 9
    ProposalSpeakerFactory(proposal=world.talks[1], user=UserFactory(display_name="Zoë Ångström"))
    return world


def test_folding_gives_icalendars_bytes_for_ascii_multibyte_and_escapes():
    generator = random.Random(7)
    alphabet = 'abc ,;:\\^"é日😀\t'
    lines = [
        "",
        "x" * 74,
        "x" * 75,
        "x" * 73 + "\\n",
        "x" * 73 + "é",
        "é" * 40,
        "\\" * 200,
        "^" * 151,
    ]
    lines += [
        "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 400)))
        for _ in range(300)
    ]
    for line in lines:
        assert ical.fold(line) == Contentline(line).to_ical(), line


def test_serialised_feed_is_byte_for_byte_what_icalendar_writes(app, db):
    world = _hostile_world()
    publish(world.conference, world.placements)
    schedule = published_schedule(world.conference)
    stamp = world.conference.created_at
    calendar = ical.build_calendar(
        schedule, "Name; with, specials", "Line\nbreak", stamp, "uid@test"
    )
    assert ical.serialise(calendar) == calendar.to_ical()
    read_feed(ical.serialise(calendar))


def test_events_are_the_ones_icalendars_event_new_builds(app, db):
    world = _hostile_world()
    publish(world.conference, world.placements)
    moved = dict(world.placements)
    moved.pop(world.talks[2])
    publish(world.conference, moved)  # one cancelled talk
    schedule = published_schedule(world.conference)
    stamp = world.conference.created_at
    assert any(talk.cancelled for talk in schedule.talks)
    for talk in schedule.talks:
        assert (
            ical.build_event(talk, stamp).to_ical()
            == _event_as_icalendar_builds_it(talk, stamp).to_ical()
        )


def test_description_reads_the_stored_plain_text_abstract(app, client, db):
    world = make_world()
    world.talks[0].abstract = "Some **bold** claims and [a link](https://example.com)."
    db.session.commit()
    assert world.talks[0].abstract_text == "Some bold claims and a link."
    publish(world.conference, world.placements)
    # The feed uses the stored column, never rendering the Markdown again.
    db.session.execute(
        update(Proposal)
        .where(Proposal.id == world.talks[1].id)
        .values(abstract_text="Stored plain text.")
    )
    db.session.commit()
    calendar = read_feed(client.get(f"/c/{world.conference.slug}/calendar.ics").data)
    descriptions = [str(item["DESCRIPTION"]) for item in calendar.walk("VEVENT")]
    assert any(text.startswith("Some bold claims and a link.") for text in descriptions)
    assert any(text.startswith("Stored plain text.") for text in descriptions)
    assert not any("**" in text for text in descriptions)


def test_each_event_links_to_the_talks_feedback_form_except_cancelled_ones(app, client, db):
    world = make_world()
    publish(world.conference, world.placements)
    moved = dict(world.placements)
    moved.pop(world.talks[2])
    publish(world.conference, moved)
    slug = world.conference.slug
    calendar = read_feed(client.get(f"/c/{slug}/calendar.ics").data)
    descriptions = {
        str(item["SUMMARY"]): str(item["DESCRIPTION"]) for item in calendar.walk("VEVENT")
    }
    for talk in world.talks[:2]:
        assert (
            f"Feedback: http://conference.test/c/{slug}/talks/{talk.id}/feedback"
            in descriptions[talk.title]
        )
    assert "Feedback:" not in descriptions[world.talks[2].title]


def test_feedback_link_is_the_feedback_areas_own_url(app, db):
    from conference.feeds.links import feedback_url

    expected = "http://conference.test/c/summit/talks/12/feedback"
    assert feedback_url("summit", 12) == expected
    if "feedback.give" in app.view_functions:
        from flask import url_for

        with app.test_request_context():
            assert (
                "http://conference.test" + url_for("feedback.give", slug="summit", proposal_id=12)
                == expected
            )


def test_cached_feed_is_served_without_any_database_query(app, client, db):
    app.config["FEEDS_VERSION_CHECK_SECONDS"] = 60
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    first = client.get(url)
    with recorded_statements(db.engine) as statements:
        again = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        gzipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert statements == []
    assert again.data == first.data
    assert not_modified.status_code == 304
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "Set-Cookie" not in again.headers
    assert "Cookie" not in again.headers["Vary"]


def test_publishing_reaches_the_cached_feed_at_once_and_other_processes_after_the_check(
    app, client, db
):
    from tests.conftest import make_test_app

    app.config["FEEDS_VERSION_CHECK_SECONDS"] = 60
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/calendar.ics"
    other_app = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], FEEDS_VERSION_CHECK_SECONDS=0)
    other = other_app.test_client()
    before = client.get(url).headers["ETag"]
    assert other.get(url).headers["ETag"] == before
    extra = ProposalFactory(
        conference=world.conference, title="Late addition", state=world.talks[0].state
    )
    db.session.commit()
    publish(world.conference, {**world.placements, extra: world.placements[world.talks[0]]})
    after = client.get(url)
    assert after.headers["ETag"] != before
    assert other.get(url).headers["ETag"] == after.headers["ETag"]
    with other_app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert "Late addition" in {
        str(item["SUMMARY"]) for item in events_by_uid(read_feed(after.data)).values()
    }
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(RenderedFeed.id))) == 1
