"""Fixtures for the review area: a conference, its organiser, reviewers and proposals."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from tests.factories import (
    DEFAULT_PASSWORD,
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewAssignmentFactory,
    RoleFactory,
    UserFactory,
)

# The real login form still runs; a cheaper scrypt work factor keeps each login fast.
FAST_PASSWORD_HASH = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:1024:8:1")


def make_user(**fields):
    return UserFactory(password_hash=FAST_PASSWORD_HASH, **fields)


def make_reviewer(conference, **fields):
    user = make_user(**fields)
    RoleFactory(conference=conference, user=user, role=Role.REVIEWER)
    return user


def make_proposal(conference, speaker=None, state=ProposalState.SUBMITTED, **fields):
    """A proposal with one speaker (a new person unless given)."""
    proposal = ProposalFactory(conference=conference, state=state, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return proposal


def assign(proposal, reviewer):
    return ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(
        slug="devcon",
        time_zone="Europe/London",
        settings={"anonymised_review": True, "reviewers_per_proposal": 2},
    )
    db.session.commit()
    return conference


@pytest.fixture
def organiser(login, conference, db):
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


@pytest.fixture
def reviewer(login, conference, db):
    """The logged-in reviewer of ``conference``."""
    user = make_reviewer(conference, display_name="Rita Reviewer")
    db.session.commit()
    return login(user)
