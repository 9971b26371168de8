"""Fixtures for feedback: a conference with two hubs and an online stream, and a published
schedule whose talks sit just before and just after the present moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.core.types import utcnow
from conference.extensions import db as database
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.proposals.models import ProposalState
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    HubFactory,
    InterestMarkFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    RoomFactory,
    ScheduledTalkFactory,
    ScheduleVersionFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")
# Close to "now" on either side, yet far enough that a slow test run cannot cross it.
NEAR = timedelta(minutes=2)


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


class Place:
    """The conference's places, by short name."""

    def __init__(self, conference):
        self.london = HubFactory(conference=conference, name="London", time_zone="Europe/London")
        self.new_york = HubFactory(
            conference=conference, name="New York", time_zone="America/New_York"
        )
        self.thames = RoomFactory(conference=conference, hub=self.london, name="Thames")
        self.hudson = RoomFactory(conference=conference, hub=self.new_york, name="Hudson")
        self.stream = RoomFactory(
            conference=conference, hub=None, name="Stream 1", has_streaming=True
        )
        self.platform = TrackFactory(conference=conference, name="Platform")
        self.data = TrackFactory(conference=conference, name="Data")
        self.talk_format = SessionFormatFactory(
            conference=conference, name="Talk", duration_minutes=30
        )


@pytest.fixture
def conference(db):
    today = utcnow().date()
    conference = ConferenceFactory(
        slug="summit",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        time_zone="Europe/London",
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
    version = ScheduleVersionFactory(conference=conference, is_draft=False, number=1)
    db.session.commit()
    return version


def make_talk(version, room, ends_at, minutes=30, track=None, speaker=None, **proposal_fields):
    """An accepted proposal placed in ``version`` so that it ends at ``ends_at``; one speaker."""
    fields = {"state": ProposalState.ACCEPTED, **proposal_fields}
    proposal = ProposalFactory(conference=version.conference, track=track, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return ScheduledTalkFactory(
        version=version,
        proposal=proposal,
        room=room,
        starts_at=ends_at - timedelta(minutes=minutes),
        ends_at=ends_at,
    )


@pytest.fixture
def ended(db, places, published):
    """A talk in London that ended two minutes ago."""
    talk = make_talk(
        published, places.thames, utcnow() - NEAR, track=places.platform, title="Ended talk"
    )
    db.session.commit()
    return talk


@pytest.fixture
def upcoming(db, places, published):
    """A talk in London that ends two minutes from now."""
    talk = make_talk(
        published, places.thames, utcnow() + NEAR, track=places.platform, title="Running talk"
    )
    db.session.commit()
    return talk


def add_questions(conference, *specs):
    """Questions from (prompt, kind, required) in order."""
    questions = []
    for position, (prompt, kind, required) in enumerate(specs, start=1):
        question = FeedbackQuestion(
            conference_id=conference.id,
            prompt=prompt,
            kind=kind,
            required=required,
            position=position,
        )
        database.session.add(question)
        questions.append(question)
    database.session.flush()
    return questions


@pytest.fixture
def questions(db, conference):
    """Usefulness (required rating), clarity (optional rating), takeaway (optional text)."""
    found = add_questions(
        conference,
        ("How useful was it?", QuestionKind.RATING, True),
        ("How clear was it?", QuestionKind.RATING, False),
        ("Your takeaway", QuestionKind.TEXT, False),
    )
    db.session.commit()
    return found


def give_response(proposal, user, ratings, texts=None, comment=""):
    """A stored response built directly, for aggregate tests: ``ratings`` {question: value}."""
    response = FeedbackResponse(
        conference_id=proposal.conference_id,
        proposal_id=proposal.id,
        user_id=user.id,
        comment=comment,
    )
    for question, value in ratings.items():
        response.answers.append(FeedbackAnswer(question_id=question.id, rating=value))
    for question, text in (texts or {}).items():
        response.answers.append(FeedbackAnswer(question_id=question.id, text=text))
    database.session.add(response)
    database.session.flush()
    return response


def star(user, proposal):
    return InterestMarkFactory(user_id=user.id, proposal_id=proposal.id)


def organiser_of(conference, **fields):
    user = make_user(**fields)
    RoleFactory(conference=conference, user=user, role=Role.ORGANISER)
    return user
