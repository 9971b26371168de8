"""Building published schedules for feed tests, and reading feeds with independent readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

from conference.extensions import db
from conference.feeds.operations import record_published_version
from conference.models import ScheduledTalk, ScheduleVersion
from conference.proposals.models import ProposalState
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    TrackFactory,
    UserFactory,
)


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def publish(conference, placements: dict, number: int | None = None) -> ScheduleVersion:
    """Insert a published version with ``placements`` (proposal -> (room, start, end)) and record it."""
    if number is None:
        existing = db.session.scalars(
            db.select(ScheduleVersion.number).where(
                ScheduleVersion.conference_id == conference.id,
                ScheduleVersion.is_draft.is_(False),
            )
        ).all()
        number = max(existing, default=0) + 1
    version = ScheduleVersion(
        conference=conference, is_draft=False, number=number, published_at=datetime.now(UTC)
    )
    db.session.add(version)
    db.session.flush()
    for proposal, (room, starts_at, ends_at) in placements.items():
        db.session.add(
            ScheduledTalk(
                version=version, proposal=proposal, room=room, starts_at=starts_at, ends_at=ends_at
            )
        )
    db.session.flush()
    record_published_version(version)
    db.session.commit()
    return version


@dataclass
class World:
    conference: object
    london: object
    new_york: object
    london_room: object
    new_york_room: object
    online: object
    track: object
    other_track: object
    speaker: object
    talks: list
    placements: dict


def make_world(**conference_fields) -> World:
    """A hybrid conference: a London room, a New York room, an online stream, three talks."""
    conference = ConferenceFactory(time_zone="Europe/London", **conference_fields)
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    new_york = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    london_room = RoomFactory(conference=conference, hub=london, name="Thames", has_streaming=False)
    new_york_room = RoomFactory(conference=conference, hub=new_york, name="Hudson", has_streaming=True)
    online = RoomFactory(conference=conference, hub=None, name="Stream A")
    track = TrackFactory(conference=conference, name="Platform")
    other_track = TrackFactory(conference=conference, name="Data")
    speaker = UserFactory(display_name="Ada Speaker")
    talks = [
        ProposalFactory(conference=conference, track=track, title="Scaling queues", state=ProposalState.CONFIRMED),
        ProposalFactory(conference=conference, track=track, title="Remote pairing", state=ProposalState.CONFIRMED),
        ProposalFactory(conference=conference, track=other_track, title="Data lakes", state=ProposalState.CONFIRMED),
    ]
    ProposalSpeakerFactory(proposal=talks[0], user=speaker)
    ProposalSpeakerFactory(proposal=talks[1], user=UserFactory(display_name="Grace Remote"))
    placements = {
        talks[0]: (london_room, at(24, 9), at(24, 9, 30)),
        talks[1]: (online, at(24, 14), at(24, 14, 45)),
        talks[2]: (new_york_room, at(25, 15), at(25, 16)),
    }
    db.session.commit()
    return World(conference, london, new_york, london_room, new_york_room, online, track,
                 other_track, speaker, talks, placements)


def check_bytes(body: bytes) -> None:
    """Byte-level rules: CRLF only, no line longer than 75 octets, UTF-8."""
    body.decode("utf-8")
    assert body.endswith(b"\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line


def read_feed(body: bytes) -> icalendar.Calendar:
    """Read a feed with every reader we have; fail on anything any of them dislikes."""
    check_bytes(body)
    calendar = icalendar.Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    assert calendar.get_missing_tzids() == set()
    for timezone in calendar.walk("VTIMEZONE"):
        assert "COMMENT" not in timezone
        for observance in timezone.subcomponents:
            assert "RDATE" not in observance
    text = body.decode("utf-8")
    vobject.readOne(text, validate=True)
    IcsCalendarStream.calendar_from_ics(text)
    # Our own checks: unique UIDs, end after start, never floating.
    events = calendar.walk("VEVENT")
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids))
    for event in events:
        start, end = event.start, event.end
        assert start.tzinfo is not None and end.tzinfo is not None
        assert end > start
        assert event["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    return calendar


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
