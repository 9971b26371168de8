"""A conference with a logged-in organiser, and a helper to make tags."""

from __future__ import annotations

import pytest

from conference.conferences.models import Role
from conference.extensions import db as _db
from conference.proposals.models import ProposalState
from conference.tags.models import ProposalTag, Tag
from tests.conference.organisers.conftest import make_user
from tests.factories import ConferenceFactory, ProposalFactory, ProposalSpeakerFactory, RoleFactory


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


def make_tag(conference, name, visible_to_reviewers=False, colour="blue", proposals=()) -> Tag:
    tag = Tag(conference_id=conference.id, name=name, colour=colour, description="",
              visible_to_reviewers=visible_to_reviewers)
    _db.session.add(tag)
    _db.session.flush()
    _db.session.add_all(ProposalTag(proposal_id=proposal.id, tag_id=tag.id) for proposal in proposals)
    _db.session.flush()
    return tag


def make_proposal(conference, state=ProposalState.SUBMITTED, speaker=None, **fields):
    proposal = ProposalFactory(conference=conference, state=state, **fields)
    ProposalSpeakerFactory(proposal=proposal, user=speaker or make_user())
    return proposal


def tag_names_of(proposal) -> list[str]:
    """The proposal's tags as stored now (not as this session last loaded them)."""
    from sqlalchemy import select

    _db.session.expire_all()
    return list(
        _db.session.scalars(
            select(Tag.name).join(ProposalTag, ProposalTag.tag_id == Tag.id)
            .where(ProposalTag.proposal_id == proposal.id).order_by(Tag.name_key)
        )
    )
