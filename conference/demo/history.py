"""The organisers' side of the demo story: triage tags, an access code for a late keynote and
the activity log of what happened (submissions, reviews, decisions, confirmations), dated as the
story goes. Its own random generator, so the rest of the demo comes out as before."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.access_codes.models import AccessCode
from conference.access_codes.operations import new_code_text
from conference.accounts.models import User
from conference.activity.models import ActivityAction, ActivityEntry
from conference.conferences.models import Conference
from conference.core.timezones import local_to_utc
from conference.demo import data
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.reviews.models import Review
from conference.tags.models import ProposalTag, Tag

HISTORY_SEED = 2027
# (name, colour, description, visible to reviewers, share of the proposals it goes on)
TAGS = (
    ("Keynote candidate", "green", "Strong enough for a plenary slot.", False, 0.06),
    ("Needs a mentor", "orange", "A first-time speaker who would like a rehearsal.", False, 0.1),
    ("Overlaps another talk", "purple", "Covers ground another proposal covers too.", True, 0.08),
)
DECIDED = (ProposalState.ACCEPTED, ProposalState.CONFIRMED, ProposalState.WAITLISTED, ProposalState.REJECTED)


def add_organiser_story(conference: Conference, organiser: User) -> None:
    rng = random.Random(HISTORY_SEED)
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.conference_id == conference.id)
        .options(selectinload(Proposal.speakers)).order_by(Proposal.id)
    ))
    add_tags(conference, proposals, rng)
    add_access_code(conference, organiser)
    add_history(conference, organiser, proposals)
    db.session.flush()


def add_tags(conference: Conference, proposals: list[Proposal], rng: random.Random) -> None:
    for name, colour, description, visible, share in TAGS:
        tag = Tag(conference_id=conference.id, name=name, colour=colour, description=description,
                  visible_to_reviewers=visible)
        db.session.add(tag)
        db.session.flush()
        chosen = rng.sample(proposals, max(1, round(len(proposals) * share)))
        db.session.add_all(ProposalTag(proposal_id=proposal.id, tag_id=tag.id)
                           for proposal in sorted(chosen, key=lambda p: p.id))


def add_access_code(conference: Conference, organiser: User) -> None:
    """One use, for a keynote invited after the call closed, valid until the programme is set."""
    db.session.add(AccessCode(
        conference_id=conference.id, code=new_code_text(), note="Late keynote: our CTO",
        valid_until=local_to_utc(*data.REVIEW_CLOSES, conference.time_zone), max_uses=1,
        created_by_id=organiser.id, created_at=local_to_utc(*data.CFP_CLOSES, conference.time_zone),
    ))


def add_history(conference: Conference, organiser: User, proposals: list[Proposal]) -> None:
    decided_at = local_to_utc(*data.REVIEW_CLOSES, conference.time_zone) + timedelta(days=2)
    entries = []
    for proposal in proposals:
        submitter = proposal.speakers[0].user_id if proposal.speakers else None
        if proposal.submitted_at is not None:
            entries.append(_entry(conference, proposal, submitter, ActivityAction.PROPOSAL_SUBMITTED,
                                  proposal.submitted_at))
        if proposal.state in DECIDED:
            state = ProposalState.ACCEPTED if proposal.state is ProposalState.CONFIRMED else proposal.state
            entries.append(_entry(conference, proposal, organiser.id, ActivityAction.PROPOSAL_DECIDED, decided_at,
                                  {"state": state.value, "previous": ProposalState.SUBMITTED.value}))
        if proposal.state is ProposalState.CONFIRMED:
            entries.append(_entry(conference, proposal, submitter, ActivityAction.TALK_CONFIRMED,
                                  decided_at + timedelta(days=1 + proposal.id % 5, hours=proposal.id % 9)))
    for review in db.session.scalars(select(Review).where(Review.conference_id == conference.id)):
        entries.append(_entry(conference, review.proposal, review.reviewer_id, ActivityAction.REVIEW_SUBMITTED,
                              review.created_at))
    db.session.add_all(entries)


def _entry(conference, proposal, actor_id, action, at, details=None) -> ActivityEntry:
    return ActivityEntry(conference_id=conference.id, proposal_id=proposal.id, actor_id=actor_id,
                         by_system=actor_id is None, action=action, details=details or {}, created_at=at)
