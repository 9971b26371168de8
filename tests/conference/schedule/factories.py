"""A small demo-like conference for schedule tests: one hub, three rooms, two blocks, six talks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import factory

from conference import models
from conference.extensions import db
from conference.proposals.models import ProposalState
from conference.schedule.models import ScheduleSettings
from tests.factories import (
    BaseFactory,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduleBlockFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)


class AvailabilityWindowFactory(BaseFactory):
    class Meta:
        model = models.AvailabilityWindow

    user = factory.SubFactory(UserFactory)


class ScheduleSettingsFactory(BaseFactory):
    class Meta:
        model = ScheduleSettings

    slot_minutes = 30
    weights = factory.LazyFunction(dict)
    relaxed_rules = factory.LazyFunction(dict)
    time_limit_seconds = 5


@dataclass
class SmallConference:
    conference: models.Conference
    organiser: models.User
    hub: models.Hub
    rooms: list[models.Room]
    blocks: list[models.ScheduleBlock]
    talks: list[models.Proposal] = field(default_factory=list)
    session_format: models.SessionFormat | None = None
    track: models.Track | None = None


def small_conference(talk_count: int = 6, slug: str | None = None) -> SmallConference:
    """Six 30-minute confirmed talks, each with its own speaker, in two three-hour blocks."""
    conference = ConferenceFactory(**({"slug": slug} if slug else {}))
    organiser = UserFactory()
    RoleFactory(conference=conference, user=organiser, role=models.Role.ORGANISER)
    hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    rooms = [
        RoomFactory(conference=conference, hub=hub, name="Main hall", capacity=100, has_streaming=True),
        RoomFactory(conference=conference, hub=hub, name="Side room", capacity=40, has_streaming=False),
        RoomFactory(conference=conference, hub=None, name="Online stream", capacity=500, has_streaming=True),
    ]
    ScheduleSettingsFactory(conference_id=conference.id)
    blocks = [
        ScheduleBlockFactory(conference=conference, name="Morning", starts_at=datetime(2027, 3, 24, 9, tzinfo=UTC),
                             ends_at=datetime(2027, 3, 24, 12, tzinfo=UTC)),
        ScheduleBlockFactory(conference=conference, name="Afternoon", starts_at=datetime(2027, 3, 24, 13, tzinfo=UTC),
                             ends_at=datetime(2027, 3, 24, 16, tzinfo=UTC)),
    ]
    db.session.add_all(models.ScheduleBlockRoom(block_id=block.id, room_id=room.id) for block in blocks for room in rooms)
    db.session.flush()
    session_format = SessionFormatFactory(conference=conference, name="Talk", duration_minutes=30)
    track = TrackFactory(conference=conference, name="Platform")
    setup = SmallConference(conference, organiser, hub, rooms, blocks, session_format=session_format, track=track)
    for _ in range(talk_count):
        add_talk(setup)
    return setup


def add_talk(setup: SmallConference, state: ProposalState = ProposalState.CONFIRMED, speaker=None,
             session_format=None) -> models.Proposal:
    proposal = ProposalFactory(conference=setup.conference, state=state, track=setup.track,
                               session_format=session_format or setup.session_format)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or UserFactory())
    setup.talks.append(proposal)
    return proposal
