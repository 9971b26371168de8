"""A conference with hubs in three zones, a block with open rooms and a draft with one talk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from conference.schedule.models import ScheduleBlockRoom
from conference.tasks import huey
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduleBlockFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    TrackFactory,
)

DAY = datetime(2027, 3, 24, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


@dataclass
class Scene:
    conference: object
    london: object
    new_york: object
    bengaluru: object
    main_hall: object
    side_room: object
    closed_room: object
    block: object
    draft: object
    talk: object
    speaker: object
    track: object
    session_format: object


def make_scene(db, slug: str = "devcon") -> Scene:
    conference = ConferenceFactory(slug=slug, name=f"Conf {slug}", time_zone="Europe/London")
    london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    new_york = HubFactory(conference=conference, name="New York", time_zone="America/New_York")
    bengaluru = HubFactory(conference=conference, name="Bengaluru", time_zone="Asia/Kolkata")
    main_hall = RoomFactory(conference=conference, hub=london, name="Main Hall", capacity=100)
    side_room = RoomFactory(conference=conference, hub=london, name="Side Room", capacity=20)
    closed_room = RoomFactory(conference=conference, hub=new_york, name="Hudson", capacity=50)
    block = ScheduleBlockFactory(conference=conference, name="Wednesday", starts_at=at(9), ends_at=at(17))
    db.session.flush()
    for room in (main_hall, side_room):
        db.session.add(ScheduleBlockRoom(block_id=block.id, room_id=room.id))
    track = TrackFactory(conference=conference, name="Platform", colour="#aa3300")
    session_format = SessionFormatFactory(conference=conference, duration_minutes=30)
    draft = ScheduleVersionFactory(conference=conference, is_draft=True)
    speaker = make_user(display_name="Asha Rao", time_zone="Asia/Kolkata")
    talk = add_talk(db, draft, main_hall, at(14), title="Zero-downtime deploys", speaker=speaker,
                    track=track, session_format=session_format, block=block)
    db.session.commit()
    return Scene(conference, london, new_york, bengaluru, main_hall, side_room, closed_room, block, draft,
                 talk, speaker, track, session_format)


def add_talk(db, draft, room, starts_at, title, speaker=None, track=None, session_format=None, block=None,
             minutes=30):
    conference = draft.conference
    proposal = ProposalFactory(
        conference=conference, title=title, state=ProposalState.CONFIRMED,
        track=track or TrackFactory(conference=conference),
        session_format=session_format or SessionFormatFactory(conference=conference),
    )
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    talk = ScheduledTalkFactory(
        version=draft, proposal=proposal, room=room, block=block, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )
    db.session.flush()
    return talk


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """Solver tasks the code enqueued, recorded instead of written to the real queue."""
    tasks = []
    monkeypatch.setattr(huey, "enqueue", tasks.append)
    return tasks


@pytest.fixture
def scene(db) -> Scene:
    return make_scene(db)


@pytest.fixture
def organiser(login, scene, db):
    """The logged-in organiser of the scene's conference."""
    role = RoleFactory(conference=scene.conference, user=make_user(time_zone="Europe/Berlin"),
                       role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)
