"""Fixtures for the public agenda: three hubs, an online stream and a published schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from werkzeug.security import generate_password_hash

from conference.proposals.models import ProposalState
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def utc(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Place:
    """The conference's places, by short name."""

    def __init__(self, conference):
        self.conference = conference
        self.london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
        self.new_york = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
        self.bengaluru = HubFactory(conference=conference, name="Bengaluru", time_zone="Asia/Kolkata")
        self.thames = RoomFactory(conference=conference, hub=self.london, name="Thames", has_streaming=False)
        self.hudson = RoomFactory(conference=conference, hub=self.new_york, name="Hudson", has_streaming=True)
        self.stream = RoomFactory(conference=conference, hub=None, name="Stream 1", has_streaming=True)
        self.platform = TrackFactory(conference=conference, name="Platform")
        self.data = TrackFactory(conference=conference, name="Data")
        self.talk_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(
        slug="summit", starts_on=date(2027, 3, 12), ends_on=date(2027, 3, 15), time_zone="Europe/London"
    )
    db.session.commit()
    return conference


@pytest.fixture
def places(db, conference) -> Place:
    place = Place(conference)
    db.session.commit()
    return place


@pytest.fixture
def published(db, conference):
    """Version 1, published; the conference also has a draft."""
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    db.session.commit()
    return version


@pytest.fixture
def draft(db, conference):
    version = ScheduleVersionFactory(conference=conference, is_draft=True, number=None)
    db.session.commit()
    return version


def make_talk(version, room, starts_at, minutes=30, track=None, speaker=None, **proposal_fields):
    """An accepted proposal placed in ``version``, with one speaker."""
    fields = {"state": ProposalState.ACCEPTED, **proposal_fields}
    proposal = ProposalFactory(conference=version.conference, track=track, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return ScheduledTalkFactory(
        version=version, proposal=proposal, room=room,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
    )


def place_again(version, scheduled, starts_at=None):
    """The same proposal placed in another version."""
    starts_at = starts_at or scheduled.starts_at
    return ScheduledTalkFactory(
        version=version, proposal=scheduled.proposal, room=scheduled.room,
        starts_at=starts_at, ends_at=starts_at + (scheduled.ends_at - scheduled.starts_at),
    )
