"""Changes in the review area. Operations flush; the request commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from conference.accounts.models import User
from conference.activity.models import ActivityAction
from conference.activity.operations import record
from conference.conferences.models import Conference
from conference.conferences.settings import merge_settings
from conference.core.ordering import move_one_place
from conference.core.timezones import local_to_utc
from conference.core.types import utcnow
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState
from conference.reviews import queries
from conference.reviews.assignment import AssignmentPlan, ProposalToReview, assign_reviewers
from conference.reviews.models import (
    AssignmentSource,
    Conflict,
    ConflictSource,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
    ReviewScore,
)


class ScaleLocked(Exception):
    """The criterion already has scores, so its scale may not change."""

    def __init__(self, score_count: int):
        super().__init__(score_count)
        self.score_count = score_count


class NameTaken(Exception):
    pass


class StaleReview(Exception):
    """Someone saved this review since the form was loaded."""


class ReviewClosed(Exception):
    pass


class AssignmentRefused(Exception):
    """This reviewer may not review this proposal; the message says why."""


class NotUnderReview(AssignmentRefused):
    """The proposal no longer waits for reviews: no reviewer may be assigned to it."""


# --- rubric -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionDetails:
    name: str
    description: str
    weight: float
    scale_min: int
    scale_max: int


def _name_taken(conference: Conference, name: str, except_id: int | None = None) -> bool:
    query = select(ReviewCriterion.id).where(
        ReviewCriterion.conference_id == conference.id,
        func.lower(ReviewCriterion.name) == name.lower(),
    )
    if except_id is not None:
        query = query.where(ReviewCriterion.id != except_id)
    return db.session.scalar(query) is not None


def score_count(criterion: ReviewCriterion) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ReviewScore).where(ReviewScore.criterion_id == criterion.id)
    ) or 0


def create_criterion(conference: Conference, details: CriterionDetails) -> ReviewCriterion:
    if _name_taken(conference, details.name):
        raise NameTaken
    last = db.session.scalar(
        select(func.max(ReviewCriterion.position)).where(ReviewCriterion.conference_id == conference.id)
    )
    criterion = ReviewCriterion(
        conference=conference,
        name=details.name,
        description=details.description,
        weight=details.weight,
        scale_min=details.scale_min,
        scale_max=details.scale_max,
        position=(last or 0) + 1,
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


def update_criterion(criterion: ReviewCriterion, details: CriterionDetails) -> None:
    if _name_taken(criterion.conference, details.name, except_id=criterion.id):
        raise NameTaken
    scale_changes = (details.scale_min, details.scale_max) != (criterion.scale_min, criterion.scale_max)
    if scale_changes:
        scored = score_count(criterion)
        if scored:
            raise ScaleLocked(scored)
    criterion.name = details.name
    criterion.description = details.description
    criterion.weight = details.weight
    criterion.scale_min = details.scale_min
    criterion.scale_max = details.scale_max
    db.session.flush()


def delete_criterion(criterion: ReviewCriterion) -> None:
    db.session.delete(criterion)
    db.session.flush()


def move_criterion(criterion: ReviewCriterion, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 1..n."""
    move_one_place(queries.rubric(criterion.conference), criterion, direction)
    db.session.flush()


@dataclass(frozen=True)
class ReviewSettings:
    # Wall-clock time in the conference's zone; fold=1 picks the second of a time shown twice.
    review_closes_local: datetime | None
    anonymised_review: bool
    reviewers_per_proposal: int


def update_review_settings(conference: Conference, settings: ReviewSettings) -> None:
    """Store the close instant (entered in the conference's zone) in UTC, and the settings."""
    local = settings.review_closes_local
    conference.review_closes_at = (
        # time() keeps the fold, so a repeated wall time resolves to the occurrence chosen.
        None if local is None else local_to_utc(local.date(), local.time(), conference.time_zone)
    )
    merge_settings(conference, {
        "anonymised_review": settings.anonymised_review,
        "reviewers_per_proposal": settings.reviewers_per_proposal,
    })
    db.session.flush()


# --- reviews ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    scores: dict[int, int]
    comment_for_organisers: str
    comment_for_speaker: str
    lock_version: int  # the version the form was loaded from; 0 for a new review


def _apply_review(review: Review, data: ReviewInput) -> None:
    review.comment_for_organisers = data.comment_for_organisers
    review.comment_for_speaker = data.comment_for_speaker
    # Always touch the row so its version moves even when only scores change.
    review.updated_at = utcnow()
    by_criterion = {score.criterion_id: score for score in review.scores}
    for criterion_id, value in data.scores.items():
        if criterion_id in by_criterion:
            by_criterion[criterion_id].value = value
        else:
            review.scores.append(ReviewScore(criterion_id=criterion_id, value=value))


def save_review(conference: Conference, proposal: Proposal, reviewer: User, data: ReviewInput) -> Review:
    """Create or update the reviewer's review; a stale edit raises StaleReview."""
    if not conference.review_is_open():
        raise ReviewClosed
    review = queries.review_of(proposal, reviewer)
    if review is None:
        try:
            with db.session.begin_nested():
                review = Review(
                    conference_id=conference.id, proposal_id=proposal.id, reviewer_id=reviewer.id
                )
                _apply_review(review, data)
                db.session.add(review)
                db.session.flush()
            record(conference, ActivityAction.REVIEW_SUBMITTED, proposal=proposal, actor=reviewer)
            return review
        except IntegrityError:
            # A double submit created it in the meantime: treat this save as an update.
            review = queries.review_of(proposal, reviewer)
            if review is None:
                raise
            data = ReviewInput(data.scores, data.comment_for_organisers, data.comment_for_speaker, 0)
    # A form loaded before the review existed (version 0) is the same person's double submit.
    if data.lock_version not in (0, review.lock_version):
        raise StaleReview
    before = _review_content(review)
    try:
        with db.session.begin_nested():
            _apply_review(review, data)
            db.session.flush()
    except StaleDataError as error:
        raise StaleReview from error
    if _review_content(review) != before:  # a save (or a double submit) changing nothing is no news
        record(conference, ActivityAction.REVIEW_CHANGED, proposal=proposal, actor=reviewer)
    return review


def _review_content(review: Review) -> tuple:
    return (
        review.comment_for_organisers,
        review.comment_for_speaker,
        sorted((score.criterion_id, score.value) for score in review.scores),
    )


# --- conflicts ----------------------------------------------------------------------------


def _remove_assignments(conference: Conference, reviewer_id: int, proposal_ids) -> None:
    db.session.execute(
        delete(ReviewAssignment).where(
            ReviewAssignment.conference_id == conference.id,
            ReviewAssignment.reviewer_id == reviewer_id,
            ReviewAssignment.proposal_id.in_(proposal_ids),
        )
    )


def declare_conflict(conference: Conference, proposal: Proposal, reviewer: User, reason: str) -> Conflict:
    """The reviewer says they cannot review this proposal; their assignment goes."""
    conflict = add_conflict(conference, reviewer.id, reason, ConflictSource.DECLARED, proposal_id=proposal.id)
    return conflict


def add_conflict(
    conference: Conference,
    reviewer_id: int,
    reason: str,
    source: ConflictSource,
    proposal_id: int | None = None,
    speaker_id: int | None = None,
) -> Conflict:
    """Record a conflict (idempotent) and drop the reviewer's assignments it covers."""
    existing = db.session.scalar(
        select(Conflict).where(
            Conflict.conference_id == conference.id,
            Conflict.reviewer_id == reviewer_id,
            Conflict.proposal_id.is_(None) if proposal_id is None else Conflict.proposal_id == proposal_id,
            Conflict.speaker_id.is_(None) if speaker_id is None else Conflict.speaker_id == speaker_id,
        )
    )
    conflict = existing or Conflict(
        conference_id=conference.id,
        reviewer_id=reviewer_id,
        proposal_id=proposal_id,
        speaker_id=speaker_id,
        source=source,
        reason=reason,
    )
    if existing is None:
        db.session.add(conflict)
    elif reason:
        existing.reason = reason
    if proposal_id is not None:
        affected = [proposal_id]
    else:
        affected = list(
            db.session.scalars(
                select(ProposalSpeaker.proposal_id)
                .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
                .where(Proposal.conference_id == conference.id, ProposalSpeaker.user_id == speaker_id)
            )
        )
    _remove_assignments(conference, reviewer_id, affected)
    db.session.flush()
    return conflict


def remove_conflict(conflict: Conflict) -> None:
    db.session.delete(conflict)
    db.session.flush()


# --- track preferences --------------------------------------------------------------------


def set_track_preferences(conference: Conference, reviewer: User, chosen: dict[int, int]) -> None:
    """Upsert the reviewer's preference for each track id in ``chosen``."""
    current = {
        row.track_id: row
        for row in db.session.scalars(
            select(ReviewerTrackPreference).where(
                ReviewerTrackPreference.conference_id == conference.id,
                ReviewerTrackPreference.reviewer_id == reviewer.id,
            )
        )
    }
    for track_id, preference in chosen.items():
        if track_id in current:
            current[track_id].preference = preference
        else:
            db.session.add(
                ReviewerTrackPreference(
                    conference_id=conference.id,
                    reviewer_id=reviewer.id,
                    track_id=track_id,
                    preference=preference,
                )
            )
    db.session.flush()


# --- assignments --------------------------------------------------------------------------


def _assignment_inputs(conference: Conference):
    proposals = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.conference_id == conference.id, Proposal.state == ProposalState.SUBMITTED
            ).order_by(Proposal.id)
        )
    )
    proposal_ids = [proposal.id for proposal in proposals]
    reviewers = queries.reviewers_of(conference)
    emails = {reviewer.email.lower(): reviewer.id for reviewer in reviewers}
    speakers: dict[int, set[int]] = {proposal_id: set() for proposal_id in proposal_ids}
    for proposal_id, user_id, invited_email in db.session.execute(
        select(ProposalSpeaker.proposal_id, ProposalSpeaker.user_id, ProposalSpeaker.invited_email).where(
            ProposalSpeaker.proposal_id.in_(proposal_ids)
        )
    ):
        if user_id is not None:
            speakers[proposal_id].add(user_id)
        if invited_email and invited_email.lower() in emails:
            speakers[proposal_id].add(emails[invited_email.lower()])
    conflicts: set[tuple[int, int]] = set()
    for reviewer_id, proposal_id, speaker_id in db.session.execute(
        select(Conflict.reviewer_id, Conflict.proposal_id, Conflict.speaker_id).where(
            Conflict.conference_id == conference.id
        )
    ):
        if proposal_id is not None:
            conflicts.add((reviewer_id, proposal_id))
        else:
            conflicts.update(
                (reviewer_id, pid) for pid, people in speakers.items() if speaker_id in people
            )
    preferences = {
        (reviewer_id, track_id): preference
        for reviewer_id, track_id, preference in db.session.execute(
            select(
                ReviewerTrackPreference.reviewer_id,
                ReviewerTrackPreference.track_id,
                ReviewerTrackPreference.preference,
            ).where(ReviewerTrackPreference.conference_id == conference.id)
        )
    }
    existing = {
        (proposal_id, reviewer_id)
        for proposal_id, reviewer_id in db.session.execute(
            select(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id).where(
                ReviewAssignment.conference_id == conference.id
            )
        )
    }
    plain_proposals = [
        ProposalToReview(proposal.id, proposal.track_id, frozenset(speakers[proposal.id]))
        for proposal in proposals
    ]
    return plain_proposals, [reviewer.id for reviewer in reviewers], conflicts, preferences, existing


def run_assignment(conference: Conference) -> tuple[AssignmentPlan, int]:
    """Plan with the solver and write the new assignments; returns the plan and how many were added."""
    proposals, reviewer_ids, conflicts, preferences, existing = _assignment_inputs(conference)
    plan = assign_reviewers(
        proposals,
        reviewer_ids,
        int(conference.setting("reviewers_per_proposal") or 1),
        conflicts,
        preferences,
        existing,
    )
    added = plan.new_pairs(existing)
    for proposal_id, reviewer_id in sorted(added):
        db.session.add(
            ReviewAssignment(
                conference_id=conference.id,
                proposal_id=proposal_id,
                reviewer_id=reviewer_id,
                source=AssignmentSource.SOLVER,
            )
        )
    db.session.flush()
    return plan, len(added)


def add_assignment(conference: Conference, proposal: Proposal, reviewer: User) -> ReviewAssignment:
    """An organiser asks this reviewer to review this proposal; refused when blocked, or when
    the proposal no longer waits for reviews (withdrawn or decided)."""
    if not queries.is_under_review(proposal):
        raise NotUnderReview(
            f"“{proposal.title}” no longer waits for reviews (it is {proposal.state.value})."
        )
    reason = queries.is_blocked(conference, reviewer, proposal)
    if reason:
        raise AssignmentRefused(reason)
    existing = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.proposal_id == proposal.id, ReviewAssignment.reviewer_id == reviewer.id
        )
    )
    if existing is not None:
        return existing
    assignment = ReviewAssignment(
        conference_id=conference.id,
        proposal_id=proposal.id,
        reviewer_id=reviewer.id,
        source=AssignmentSource.ORGANISER,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def remove_assignment(assignment: ReviewAssignment) -> None:
    db.session.delete(assignment)
    db.session.flush()
