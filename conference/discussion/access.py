"""Who reads and writes a proposal's discussion.

- Its speakers never see it, even when they organise or review.
- Organisers read and write it once the proposal is submitted.
- A reviewer reads it once they have reviewed the proposal (so that their own review is not
  swayed by the others'), as long as they may still see the proposal (assigned, not
  conflicted); they write while the proposal is under review.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from conference.accounts.models import User
from conference.conferences.access import has_role
from conference.conferences.models import Conference, Role
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.reviews.models import Review
from conference.reviews.queries import is_under_review, reviewable_proposals_query


@dataclass(frozen=True)
class DiscussionAccess:
    can_read: bool
    can_write: bool
    # Why the viewer cannot read it (shown in its place); "" when they can.
    reason: str = ""
    organiser: bool = False


HIDDEN = DiscussionAccess(False, False)


def discussion_access(conference: Conference, proposal: Proposal, user: User) -> DiscussionAccess:
    if user is None or not user.is_authenticated:
        return HIDDEN
    if proposal.has_speaker(user.id):
        return DiscussionAccess(False, False, "You are a speaker of this proposal, so its discussion is hidden from you.")
    if proposal.speakers_only:
        return HIDDEN
    if has_role(conference, Role.ORGANISER, user):
        return DiscussionAccess(True, True, organiser=True)
    if not has_role(conference, Role.REVIEWER, user):
        return HIDDEN
    may_see = db.session.scalar(
        select(exists(reviewable_proposals_query(conference, user).where(Proposal.id == proposal.id)))
    )
    if not may_see:
        return HIDDEN
    reviewed = db.session.scalar(
        select(exists().where(Review.proposal_id == proposal.id, Review.reviewer_id == user.id))
    )
    if not reviewed:
        return DiscussionAccess(False, False, "The discussion opens to you once you have saved your review, "
                                              "so that the other reviews do not sway yours.")
    return DiscussionAccess(True, is_under_review(proposal))
