"""A conference with an organiser, and helpers to build reviewed proposals."""

from __future__ import annotations

import pytest

from conference.conferences.models import Role
from conference.proposals.models import ProposalState
from tests.conference.organisers.conftest import make_user
from tests.factories import (
    ConferenceFactory,
    ProposalFactory,
    ProposalSpeakerFactory,
    ReviewCriterionFactory,
    ReviewFactory,
    ReviewScoreFactory,
    RoleFactory,
)


@pytest.fixture
def conference(db):
    conference = ConferenceFactory(slug="devcon", name="DevCon", time_zone="Europe/London")
    db.session.commit()
    return conference


@pytest.fixture
def organiser(login, conference, db):
    """The logged-in organiser of ``conference``."""
    role = RoleFactory(conference=conference, user=make_user(), role=Role.ORGANISER)
    db.session.commit()
    return login(role.user)


def make_proposal(conference, speakers=1, state=ProposalState.SUBMITTED, **fields):
    proposal = ProposalFactory(conference=conference, state=state, **fields)
    for _ in range(speakers):
        ProposalSpeakerFactory(proposal=proposal, user=make_user())
    return proposal


def make_reviewer(conference, name):
    """A user holding the reviewer role at ``conference``."""
    user = make_user(display_name=name)
    RoleFactory(conference=conference, user=user, role=Role.REVIEWER)
    return user


def add_review(proposal, reviewer, value, criterion=None, comment_for_speaker=""):
    """A review scoring ``value`` on a 1-5 criterion (0 -> 0 %, 5 -> 100 %)."""
    criterion = criterion or ReviewCriterionFactory(conference=proposal.conference, scale_min=1, scale_max=5)
    review = ReviewFactory(proposal=proposal, reviewer=reviewer, comment_for_speaker=comment_for_speaker)
    ReviewScoreFactory(review=review, criterion=criterion, value=value)
    return review
