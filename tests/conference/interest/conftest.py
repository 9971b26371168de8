"""Fixtures for attendee interest: a conference with talks in every state and a logged-in person."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.proposals.models import AudienceLevel, ProposalState
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    RoleFactory,
    SessionFormatFactory,
    TrackFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    """A user who can log in with the default test password, quickly."""
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon")
    db.session.commit()
    return conference


@pytest.fixture
def talks(db, conference):
    """One proposal per state, named after it, all in one track and format."""
    track = TrackFactory(conference=conference, name="Platform")
    session_format = SessionFormatFactory(conference=conference, name="Talk")
    proposals = {}
    for state in ProposalState:
        proposal = ProposalFactory(
            conference=conference, title=f"The {state.value} talk", state=state, track=track,
            session_format=session_format, audience_level=AudienceLevel.INTERMEDIATE,
        )
        ProposalSpeakerFactory(
            proposal=proposal, user=make_user(display_name=f"Speaker of {state.value}")
        )
        proposals[state] = proposal
    db.session.commit()
    return proposals


@pytest.fixture
def attendee(login):
    """A logged-in person without any role at the conference."""
    return login(make_user())


@pytest.fixture
def organiser(login, conference, db):
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)
