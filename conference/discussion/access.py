"""Who reads and writes a proposal's discussion.

- Its speakers never see it, even when they organise or review.
- Organisers read and write it once the proposal is submitted.
- A reviewer reads it once they have reviewed the proposal (so that their own review is not
  swayed by the others'), as long as they may still see the proposal (assigned, not
  conflicted); they write while the proposal is under review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from conference.accounts.models import User
from conference.conferences.access import roles_of
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


SPEAKER_REASON = "You are a speaker of this proposal, so its discussion is hidden from you."
NOT_YET_REVIEWED_REASON = ("The discussion opens to you once you have saved your review, "
                           "so that the other reviews do not sway yours.")


def discussion_access(conference: Conference, proposal: Proposal, user: User) -> DiscussionAccess:
    return discussion_access_to(conference, [proposal], user)[proposal.id]


def discussion_access_to(
    conference: Conference, proposals: Iterable[Proposal], user: User
) -> dict[int, DiscussionAccess]:
    """``discussion_access`` for many proposals of ``conference`` at once, by proposal id, in at
    most three queries however many there are (load their speakers beforehand)."""
    proposals = list(proposals)
    if user is None or not user.is_authenticated:
        return {proposal.id: HIDDEN for proposal in proposals}
    access: dict[int, DiscussionAccess] = {}
    roles: set[Role] | None = None
    to_check: set[int] = set()  # reviewers' proposals: whether they may see and have reviewed it
    for proposal in proposals:
        if proposal.has_speaker(user.id):
            access[proposal.id] = DiscussionAccess(False, False, SPEAKER_REASON)
            continue
        if proposal.speakers_only:
            access[proposal.id] = HIDDEN
            continue
        if roles is None:
            roles = roles_of(user, conference)
        if Role.ORGANISER in roles:
            access[proposal.id] = DiscussionAccess(True, True, organiser=True)
        elif Role.REVIEWER in roles:
            to_check.add(proposal.id)
        else:
            access[proposal.id] = HIDDEN
    if not to_check:
        return access
    may_see = set(db.session.scalars(
        reviewable_proposals_query(conference, user)
        .with_only_columns(Proposal.id)
        .where(Proposal.id.in_(to_check))
    ))
    reviewed = set(db.session.scalars(
        select(Review.proposal_id).where(Review.reviewer_id == user.id, Review.proposal_id.in_(may_see))
    )) if may_see else set()
    for proposal in proposals:
        if proposal.id not in to_check:
            continue
        if proposal.id not in may_see:
            access[proposal.id] = HIDDEN
        elif proposal.id not in reviewed:
            access[proposal.id] = DiscussionAccess(False, False, NOT_YET_REVIEWED_REASON)
        else:
            access[proposal.id] = DiscussionAccess(True, is_under_review(proposal))
    return access
