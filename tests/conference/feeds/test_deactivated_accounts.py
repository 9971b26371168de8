"""A deactivated account's starred feed cancels what it sent; its speaker feed follows the programme.

Calendars keep the last copy of a feed that answers 404, so the starred feed goes on answering,
as a removed track's does, with every talk it had sent cancelled under a higher SEQUENCE.
"""

from __future__ import annotations

from conference.feeds.membership import STARRED
from conference.feeds.models import FeedMembership
from conference.feeds.operations import feed_token_for
from conference.interest.operations import unmark_interest
from conference.models import InterestMark
from tests.conference.feeds.helpers import make_world, publish, read_feed
from tests.statements import recorded_statements


def _read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    calendar = read_feed(response.data)
    return calendar, {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def _state(events) -> dict[str, tuple[str, int]]:
    return {title: (str(event["STATUS"]), int(event["SEQUENCE"])) for title, event in events.items()}


def _set_active(db, user, active: bool) -> None:
    user.is_active_account = active
    db.session.commit()


def test_a_deactivated_accounts_starred_feed_cancels_every_talk_it_sent_and_resumes_when_active(app, client, db):
    world = make_world()
    attendee = world.speaker
    for talk in (world.talks[0], world.talks[2]):
        db.session.add(InterestMark(user_id=attendee.id, proposal_id=talk.id))
    token = feed_token_for(attendee, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/feeds/{token}/starred.ics"
    _read(client, url)
    unmark_interest(attendee, world.talks[2])
    db.session.commit()
    _, before = _read(client, url)
    assert {title: status for title, (status, _) in _state(before).items()} == {
        "Scaling queues": "CONFIRMED",
        "Data lakes": "CANCELLED",
    }

    _set_active(db, attendee, False)
    # A star added meanwhile (by no one who can log in now) is not sent either.
    db.session.add(InterestMark(user_id=attendee.id, proposal_id=world.talks[1].id))
    db.session.commit()

    calendar, stopped = _read(client, url)
    assert "account deactivated" in str(calendar["X-WR-CALNAME"]) and "deactivated" in str(calendar["DESCRIPTION"])
    assert list(stopped) == ["Scaling queues", "Data lakes"]
    assert all(status == "CANCELLED" for status, _ in _state(stopped).values())
    assert _state(stopped)["Scaling queues"][1] > _state(before)["Scaling queues"][1]
    assert _state(stopped)["Data lakes"][1] == _state(before)["Data lakes"][1]
    assert stopped["Scaling queues"].start == before["Scaling queues"].start
    # Read again: the same bytes, one SELECT, nothing written.
    with recorded_statements(db.engine) as statements:
        again = client.get(url)
    assert again.data == client.get(url).data
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    assert _state(_read(client, url)[1]) == _state(stopped)

    _set_active(db, attendee, True)
    calendar, resumed = _read(client, url)
    assert str(calendar["X-WR-CALNAME"]).endswith(": my starred talks")
    assert {title: status for title, (status, _) in _state(resumed).items()} == {
        "Scaling queues": "CONFIRMED",
        "Remote pairing": "CONFIRMED",
        "Data lakes": "CANCELLED",
    }
    assert _state(resumed)["Scaling queues"][1] > _state(stopped)["Scaling queues"][1]
    db.session.expire_all()
    records = db.session.scalars(
        db.select(FeedMembership).where(FeedMembership.kind == STARRED, FeedMembership.subject_id == attendee.id)
    ).all()
    assert sorted((record.in_feed, record.sequence_offset) for record in records) == [
        (False, 1),
        (True, 0),
        (True, 2),
    ]


def test_a_deactivated_account_that_never_read_its_feed_gets_an_empty_calendar(app, client, db):
    world = make_world()
    db.session.add(InterestMark(user_id=world.speaker.id, proposal_id=world.talks[0].id))
    token = feed_token_for(world.speaker, world.conference).token
    db.session.commit()
    publish(world.conference, world.placements)
    _set_active(db, world.speaker, False)
    calendar, events = _read(client, f"/c/{world.conference.slug}/feeds/{token}/starred.ics")
    assert events == {} and "account deactivated" in str(calendar["X-WR-CALNAME"])


def test_a_deactivated_speakers_feed_goes_on_following_the_programme(app, client, db):
    """A speaker's feed is about their talks in the programme, which organisers decide: a talk
    kept there is still sent as confirmed; one they take out is cancelled, as for anyone."""
    world = make_world()
    publish(world.conference, world.placements)
    url = f"/c/{world.conference.slug}/speakers/{world.speaker.id}/calendar.ics"
    _, before = _read(client, url)
    _set_active(db, world.speaker, False)
    calendar, after = _read(client, url)
    assert str(calendar["X-WR-CALNAME"]).endswith(": Ada Speaker")
    assert _state(after) == _state(before) == {"Scaling queues": ("CONFIRMED", _state(before)["Scaling queues"][1])}
    moved = dict(world.placements)
    moved.pop(world.talks[0])
    publish(world.conference, moved)
    _, dropped = _read(client, url)
    assert _state(dropped)["Scaling queues"][0] == "CANCELLED"
