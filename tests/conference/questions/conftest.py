"""Fixtures for live questions: a published talk around the present moment, and a logged-in
client for each role the rules name (attendee, the talk's speaker, another speaker, organiser)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.proposals.models import ProposalState
from conference.questions.models import AudienceQuestion, QuestionVote
from tests.conftest import AuthActions
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")
ASKER_NAME = "Quentin Secretasker"


def make_user(**fields):
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def make_talk(version, room, starts_at, minutes=30, speaker=None, **proposal_fields):
    """An accepted proposal placed in ``version`` from ``starts_at``; one accepted speaker."""
    fields = {"state": ProposalState.ACCEPTED, **proposal_fields}
    proposal = ProposalFactory(conference=version.conference, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return ScheduledTalkFactory(
        version=version,
        proposal=proposal,
        room=room,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )


@dataclass
class Scene:
    conference: object
    room: object
    version: object
    talk: object  # running now: asking is open
    other_talk: object  # the other speaker's, also running
    people: dict

    def url(self, suffix: str = "", talk=None) -> str:
        talk = talk or self.talk
        return f"/c/{self.conference.slug}/talks/{talk.proposal_id}/questions{suffix}"

    def question_url(self, question, action: str, talk=None) -> str:
        return self.url(f"/{question.id}/{action}", talk)


@pytest.fixture
def scene(db) -> Scene:
    conference = ConferenceFactory(slug="summit", name="Summit", time_zone="Europe/London")
    hub = HubFactory(conference=conference, name="London", time_zone="Europe/London")
    room = RoomFactory(conference=conference, hub=hub, name="Thames")
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    people = {
        "attendee": make_user(display_name=ASKER_NAME, time_zone="Asia/Kolkata"),
        "voter": make_user(display_name="Vera Voter"),
        "speaker": make_user(display_name="Sam Speaker"),
        "other_speaker": make_user(display_name="Olga Otherspeaker"),
        "organiser": make_user(display_name="Orla Organiser"),
    }
    RoleFactory(conference=conference, user=people["organiser"], role=Role.ORGANISER)
    start = utcnow() - timedelta(minutes=10)
    talk = make_talk(version, room, start, speaker=people["speaker"], title="Live talk")
    other_talk = make_talk(
        version, room, start, speaker=people["other_speaker"], title="Other live talk"
    )
    db.session.commit()
    return Scene(conference, room, version, talk, other_talk, people)


@pytest.fixture
def clients(app, scene) -> dict:
    """A logged-in client per person of the scene, and ``anonymous`` without a session."""
    made = {"anonymous": app.test_client()}
    for role, user in scene.people.items():
        client = app.test_client()
        assert AuthActions(client).login(user.email).status_code == 302
        made[role] = client
    return made


def add_question(scene, author, text="How does it scale?", anonymous=False, talk=None, **fields):
    """A question stored directly (its asking rules are tested through the pages)."""
    from conference.extensions import db

    talk = talk or scene.talk
    question = AudienceQuestion(
        conference_id=scene.conference.id,
        proposal_id=talk.proposal_id,
        author_id=author.id,
        text=text,
        anonymous=anonymous,
        **fields,
    )
    db.session.add(question)
    db.session.commit()
    return question


def add_votes(question, voters):
    from conference.extensions import db

    for voter in voters:
        db.session.add(QuestionVote(question_id=question.id, user_id=voter.id))
    db.session.commit()
