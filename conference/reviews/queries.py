"""What a reviewer may see: the single source of the visibility rule, and read-only look-ups."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Role
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState
from conference.reviews.models import (
    Conflict,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
)

# A proposal is reviewable once submitted, and stays readable through the decision states.
REVIEWABLE_STATES = (
    ProposalState.SUBMITTED,
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.WAITLISTED,
    ProposalState.CONFIRMED,
    ProposalState.DECLINED,
)
STATUS_TO_DO = "to_do"
STATUS_DONE = "done"


def _speaks_on(proposal_id, reviewer_id, lowercase_email):
    """The reviewer is (or was invited as) a speaker of the proposal; arguments may be columns."""
    return exists().where(
        ProposalSpeaker.proposal_id == proposal_id,
        or_(
            ProposalSpeaker.user_id == reviewer_id,
            func.lower(ProposalSpeaker.invited_email) == lowercase_email,
        ),
    )


def _conflicted(proposal_id, reviewer_id, conference_id):
    """A conflict of the reviewer names the proposal, or any person who speaks on it."""
    # Nested two levels deep: without explicit correlation the outer table would be joined
    # in again, and every speaker of every proposal would match.
    speakers = (
        select(ProposalSpeaker.user_id)
        .where(ProposalSpeaker.proposal_id == proposal_id, ProposalSpeaker.user_id.is_not(None))
        .correlate_except(ProposalSpeaker)
    )
    return exists().where(
        Conflict.reviewer_id == reviewer_id,
        or_(
            Conflict.proposal_id == proposal_id,
            and_(Conflict.conference_id == conference_id, Conflict.speaker_id.in_(speakers)),
        ),
    )


def _speaks_on_proposal(reviewer: User):
    return _speaks_on(Proposal.id, reviewer.id, reviewer.email.lower())


def _conflicted_with_proposal(conference: Conference, reviewer: User):
    return _conflicted(Proposal.id, reviewer.id, conference.id)


def _blocked(proposal_id, reviewer_id, conference_id):
    """The rule of ``is_blocked`` on columns: the reviewer speaks on the proposal or has a conflict."""
    lowercase_email = (
        select(func.lower(User.email))
        .where(User.id == reviewer_id)
        .correlate_except(User)
        .scalar_subquery()
    )
    return or_(
        _speaks_on(proposal_id, reviewer_id, lowercase_email),
        _conflicted(proposal_id, reviewer_id, conference_id),
    )


# Shown to organisers next to reviews that no longer count.
EXCLUDED_REVIEW_REASON = "conflict of interest"


def review_is_counted():
    """Condition on ``Review``: its author may (still) review the proposal.

    A conflict declared after the review was written, by the reviewer or an organiser, takes
    the review out of scores, ranking and the comments sent to speakers; it is not deleted.
    """
    return ~_blocked(Review.proposal_id, Review.reviewer_id, Review.conference_id)


# Reviewing is wanted while a proposal waits for its decision, not after it or a withdrawal.
UNDER_REVIEW_STATES = (ProposalState.SUBMITTED,)


def assignment_is_active():
    """Condition on ``ReviewAssignment``: the reviewer can still do it.

    The proposal is under review, the person still holds the reviewer role, and they are
    not blocked from reviewing it (own proposal, or a conflict declared since).
    """
    return and_(
        exists().where(
            Proposal.id == ReviewAssignment.proposal_id, Proposal.state.in_(UNDER_REVIEW_STATES)
        ),
        exists().where(
            ConferenceRole.conference_id == ReviewAssignment.conference_id,
            ConferenceRole.user_id == ReviewAssignment.reviewer_id,
            ConferenceRole.role == Role.REVIEWER,
        ),
        ~_blocked(
            ReviewAssignment.proposal_id,
            ReviewAssignment.reviewer_id,
            ReviewAssignment.conference_id,
        ),
    )


@dataclass(frozen=True)
class AssignmentCounts:
    assigned: int
    done: int

    @property
    def open(self) -> int:
        return self.assigned - self.done


def active_assignment_counts(conference: Conference) -> dict[int, AssignmentCounts]:
    """Per reviewer id: active assignments, and how many of them the reviewer has reviewed."""
    rows = db.session.execute(
        select(ReviewAssignment.reviewer_id, func.count(), func.count(Review.id))
        .outerjoin(
            Review,
            (Review.proposal_id == ReviewAssignment.proposal_id)
            & (Review.reviewer_id == ReviewAssignment.reviewer_id),
        )
        .where(ReviewAssignment.conference_id == conference.id, assignment_is_active())
        .group_by(ReviewAssignment.reviewer_id)
    )
    return {reviewer_id: AssignmentCounts(assigned, done) for reviewer_id, assigned, done in rows}


def reviewable_proposals_query(conference: Conference, reviewer: User) -> Select:
    """Proposals this reviewer may see: assigned, submitted or later, not their own, not conflicted."""
    if reviewer is None or not getattr(reviewer, "is_authenticated", False):
        return select(Proposal).where(false())
    return select(Proposal).where(
        Proposal.conference_id == conference.id,
        Proposal.state.in_(REVIEWABLE_STATES),
        exists().where(
            ReviewAssignment.proposal_id == Proposal.id,
            ReviewAssignment.reviewer_id == reviewer.id,
            ReviewAssignment.conference_id == conference.id,
        ),
        ~_speaks_on_proposal(reviewer),
        ~_conflicted_with_proposal(conference, reviewer),
    )


def _has_review(reviewer: User):
    return exists().where(Review.proposal_id == Proposal.id, Review.reviewer_id == reviewer.id)


def reviewable_proposals(
    conference: Conference,
    reviewer: User,
    track_id: int | None = None,
    status: str | None = None,
) -> list[Proposal]:
    """The reviewer's proposals, optionally only one track or one review status."""
    query = reviewable_proposals_query(conference, reviewer)
    if track_id is not None:
        query = query.where(Proposal.track_id == track_id)
    if status == STATUS_DONE:
        query = query.where(_has_review(reviewer))
    elif status == STATUS_TO_DO:
        query = query.where(~_has_review(reviewer), _under_review())
    query = query.options(
        selectinload(Proposal.track),
        selectinload(Proposal.session_format),
        selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
    ).order_by(Proposal.id)
    return list(db.session.scalars(query))


def reviewable_proposal_or_404(
    conference: Conference, reviewer: User, proposal_id: int
) -> Proposal:
    """One proposal this reviewer may see; anything else is a 404 so nothing leaks."""
    proposal = db.session.scalar(
        reviewable_proposals_query(conference, reviewer).where(Proposal.id == proposal_id)
    )
    if proposal is None:
        abort(404)
    return proposal


@dataclass(frozen=True)
class ReviewCounts:
    to_do: int
    done: int
    # Decided without this reviewer's review: nothing left to do on them.
    decided: int = 0

    @property
    def total(self) -> int:
        return self.to_do + self.done + self.decided


def _under_review():
    return Proposal.state.in_(UNDER_REVIEW_STATES)


def is_under_review(proposal: Proposal) -> bool:
    """True while the proposal waits for its decision: reviews of it can still be written."""
    return proposal.state in UNDER_REVIEW_STATES


def review_counts(conference: Conference, reviewer: User) -> ReviewCounts:
    """The reviewer's visible proposals: reviewed, still to review, and decided without a review."""
    visible = reviewable_proposals_query(conference, reviewer).subquery()
    reviewed = exists().where(Review.proposal_id == visible.c.id, Review.reviewer_id == reviewer.id)
    under_review = visible.c.state.in_(UNDER_REVIEW_STATES)
    done, to_do, decided = db.session.execute(
        select(
            func.count().filter(reviewed),
            func.count().filter(~reviewed & under_review),
            func.count().filter(~reviewed & ~under_review),
        ).select_from(visible)
    ).one()
    return ReviewCounts(to_do=to_do or 0, done=done or 0, decided=decided or 0)


def next_proposal_to_review(
    conference: Conference, reviewer: User, after_id: int | None = None
) -> Proposal | None:
    """The next proposal under review without the reviewer's review, after ``after_id`` if possible."""
    query = reviewable_proposals_query(conference, reviewer).where(
        ~_has_review(reviewer), _under_review()
    )
    if after_id is not None:
        found = db.session.scalar(
            query.where(Proposal.id > after_id).order_by(Proposal.id).limit(1)
        )
        if found is not None:
            return found
        query = query.where(Proposal.id != after_id)
    return db.session.scalar(query.order_by(Proposal.id).limit(1))


def reviewed_proposal_ids(conference: Conference, reviewer: User) -> set[int]:
    return set(
        db.session.scalars(
            select(Review.proposal_id).where(
                Review.conference_id == conference.id, Review.reviewer_id == reviewer.id
            )
        )
    )


def review_of(proposal: Proposal, reviewer: User) -> Review | None:
    return db.session.scalar(
        select(Review)
        .where(Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id)
        .options(selectinload(Review.scores))
    )


def rubric(conference: Conference) -> list[ReviewCriterion]:
    return list(
        db.session.scalars(
            select(ReviewCriterion)
            .where(ReviewCriterion.conference_id == conference.id)
            .order_by(ReviewCriterion.position, ReviewCriterion.id)
        )
    )


def reviewers_of(conference: Conference) -> list[User]:
    """Everyone holding the reviewer role at the conference, by name; deactivated accounts are
    left out, so the assignment run gives their proposals to others (conference.admin)."""
    return list(
        db.session.scalars(
            select(User)
            .join(ConferenceRole, ConferenceRole.user_id == User.id)
            .where(
                ConferenceRole.conference_id == conference.id,
                ConferenceRole.role == Role.REVIEWER,
                User.is_active_account.is_(True),
            )
            .order_by(User.display_name, User.id)
        )
    )


def track_preferences(conference: Conference, reviewer: User) -> dict[int, int]:
    rows = db.session.execute(
        select(ReviewerTrackPreference.track_id, ReviewerTrackPreference.preference).where(
            ReviewerTrackPreference.conference_id == conference.id,
            ReviewerTrackPreference.reviewer_id == reviewer.id,
        )
    )
    return {track_id: preference for track_id, preference in rows}  # noqa: C416 - rows are Row objects


def is_blocked(conference: Conference, reviewer: User, proposal: Proposal) -> str | None:
    """Why this reviewer may never review this proposal (own proposal, conflict), or None."""
    own = db.session.scalar(
        select(Proposal.id).where(Proposal.id == proposal.id, _speaks_on_proposal(reviewer))
    )
    if own is not None:
        return f"{reviewer.display_name} is a speaker of this proposal."
    conflicted = db.session.scalar(
        select(Proposal.id).where(
            Proposal.id == proposal.id, _conflicted_with_proposal(conference, reviewer)
        )
    )
    if conflicted is not None:
        return f"{reviewer.display_name} has a conflict of interest with this proposal."
    return None
