"""Read-only questions the ranking and the CfP dashboard ask."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.conferences.models import Conference, Track
from conference.decisions import ranking
from conference.discussion.models import ProposalComment
from conference.extensions import db
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker, ProposalState
from conference.reviews.models import Review, ReviewCriterion, ReviewScore
from conference.reviews.queries import (
    EXCLUDED_REVIEW_REASON,
    active_assignment_counts,
    review_is_counted,
)
from conference.tags import queries as tag_queries
from conference.tags.models import Tag

# Proposals the ranking shows: handed in, decided, or answered by their speakers.
RANKED_STATES = (
    ProposalState.SUBMITTED,
    ProposalState.WAITLISTED,
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.CONFIRMED,
    ProposalState.DECLINED,
)


@dataclass
class RankingRow:
    proposal: Proposal
    speakers: list[str]
    statistics: ranking.ProposalStatistics
    excluded_reviews: int = 0  # reviews that exist but do not count (see review_is_counted)
    excluded_reason: str = EXCLUDED_REVIEW_REASON
    comment_count: int = 0  # comments in the proposal's discussion
    tags: list[Tag] = field(default_factory=list)  # the organisers' tags, in name order

    @property
    def speaker_names(self) -> str:
        return ", ".join(self.speakers)


# Sortable columns: query-argument name -> how to read the value from a row.
SORT_KEYS = {
    "title": lambda row: row.proposal.title.lower(),
    "track": lambda row: row.proposal.track.name.lower() if row.proposal.track else "",
    "format": lambda row: row.proposal.session_format.name.lower(),
    "state": lambda row: row.proposal.state.value,
    "speakers": lambda row: row.speaker_names.lower(),
    "reviews": lambda row: row.statistics.review_count,
    "mean": lambda row: row.statistics.mean_score,
    "normalised": lambda row: row.statistics.normalised_score,
    "spread": lambda row: row.statistics.spread,
    "deviation": lambda row: row.statistics.standard_deviation,
}


def conference_review_inputs(conference: Conference) -> list[ranking.ReviewInput]:
    """Every counted, scored review at the conference as (proposal, reviewer, 0-100 score)."""
    rows = db.session.execute(
        select(
            Review.proposal_id, Review.reviewer_id, ReviewScore.value,
            ReviewCriterion.scale_min, ReviewCriterion.scale_max, ReviewCriterion.weight,
        )
        .join(ReviewScore, ReviewScore.review_id == Review.id)
        .join(ReviewCriterion, ReviewCriterion.id == ReviewScore.criterion_id)
        .where(
            Review.conference_id == conference.id,
            ReviewCriterion.conference_id == conference.id,
            review_is_counted(),
        )
    ).all()
    values: dict[tuple[int, int], list[ranking.CriterionValue]] = defaultdict(list)
    for proposal_id, reviewer_id, value, scale_min, scale_max, weight in rows:
        values[(proposal_id, reviewer_id)].append(
            ranking.CriterionValue(value, scale_min, scale_max, weight)
        )
    inputs = []
    for (proposal_id, reviewer_id), criterion_values in values.items():
        score = ranking.review_score(criterion_values)
        if score is not None:
            inputs.append(ranking.ReviewInput(proposal_id, reviewer_id, score))
    return inputs


def excluded_review_counts(conference: Conference) -> dict[int, int]:
    """Per proposal id, how many of its reviews do not count (their authors are now conflicted)."""
    rows = db.session.execute(
        select(Review.proposal_id, func.count())
        .where(Review.conference_id == conference.id, ~review_is_counted())
        .group_by(Review.proposal_id)
    )
    return dict(rows.all())


def ranking_rows(
    conference: Conference,
    track_id: int | None = None,
    state: ProposalState | None = None,
    session_format_id: int | None = None,
    sort: str = "normalised",
    descending: bool = True,
    tag_ids: Sequence[int] = (),
    viewer_id: int | None = None,
) -> list[RankingRow]:
    """The ranking table: filtered proposals (with every tag of ``tag_ids``) with their review
    statistics and tags, sorted. Filtered by tags, it leaves out the proposals ``viewer_id``
    speaks on: they do not see those proposals' tags, so a filter must not reveal them either."""
    conditions = [Proposal.conference_id == conference.id, Proposal.state.in_(RANKED_STATES)]
    if track_id is not None:
        conditions.append(Proposal.track_id == track_id)
    if state is not None:
        conditions.append(Proposal.state == state)
    if session_format_id is not None:
        conditions.append(Proposal.session_format_id == session_format_id)
    conditions.extend(tag_queries.carrying_every_tag(tag_ids))
    if tag_ids and viewer_id is not None:
        conditions.append(~Proposal.id.in_(
            select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id == viewer_id)))
    proposals = db.session.scalars(
        select(Proposal)
        .where(*conditions)
        .options(
            selectinload(Proposal.track),
            selectinload(Proposal.session_format),
            selectinload(Proposal.speakers).selectinload(ProposalSpeaker.user),
        )
        .order_by(Proposal.id)
    ).all()
    statistics = ranking.proposal_statistics(conference_review_inputs(conference))
    excluded = excluded_review_counts(conference)
    comment_counts = dict(db.session.execute(
        select(ProposalComment.proposal_id, func.count())
        .where(ProposalComment.conference_id == conference.id)
        .group_by(ProposalComment.proposal_id)
    ).all())
    tags = tag_queries.tags_by_proposal(conference)
    rows = [
        RankingRow(
            proposal=proposal,
            speakers=[s.user.display_name for s in proposal.accepted_speakers if s.user is not None],
            statistics=statistics.get(proposal.id, ranking.NO_REVIEWS),
            excluded_reviews=excluded.get(proposal.id, 0),
            comment_count=comment_counts.get(proposal.id, 0),
            tags=tags.get(proposal.id, []),
        )
        for proposal in proposals
    ]
    key = SORT_KEYS.get(sort, SORT_KEYS["normalised"])
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    # Rows without a value (no reviews yet) stay at the bottom in either direction.
    present.sort(key=key, reverse=descending)
    return present + missing


@dataclass
class ReviewerProgress:
    reviewer: User
    assigned: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.assigned) if self.assigned else 0


def review_progress(conference: Conference) -> list[ReviewerProgress]:
    """Active assignments and finished reviews per reviewer, least finished first."""
    counts = active_assignment_counts(conference)
    if not counts:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(counts))).all()
    progress = [
        ReviewerProgress(user, counts[user.id].assigned, counts[user.id].done) for user in users
    ]
    progress.sort(key=lambda item: (item.percent, item.reviewer.display_name.lower()))
    return progress


@dataclass
class TrackCounts:
    label: str
    per_state: dict[ProposalState, int]

    @property
    def total(self) -> int:
        return sum(self.per_state.values())


def proposals_per_track_and_state(conference: Conference) -> list[TrackCounts]:
    """Proposal counts (drafts excluded) per track, tracks in name order, then "No track"."""
    counts = db.session.execute(
        select(Proposal.track_id, Proposal.state, func.count())
        .where(Proposal.conference_id == conference.id, Proposal.state != ProposalState.DRAFT)
        .group_by(Proposal.track_id, Proposal.state)
    ).all()
    by_track: dict[int | None, dict[ProposalState, int]] = defaultdict(dict)
    for track_id, state, count in counts:
        by_track[track_id][ProposalState(state)] = count
    tracks = db.session.scalars(
        select(Track).where(Track.conference_id == conference.id).order_by(Track.name)
    ).all()
    result = [TrackCounts(track.name, by_track.get(track.id, {})) for track in tracks]
    if None in by_track:
        result.append(TrackCounts("No track", by_track[None]))
    return result


def proposals_awaiting_confirmation(conference: Conference, user_id: int) -> list[Proposal]:
    """Accepted proposals at the conference where the user is a speaker."""
    return list(
        db.session.scalars(
            select(Proposal)
            .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .where(
                Proposal.conference_id == conference.id,
                Proposal.state == ProposalState.ACCEPTED,
                ProposalSpeaker.user_id == user_id,
                ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            )
            .order_by(Proposal.id)
        )
    )


@dataclass(frozen=True)
class ReviewDetail:
    """One review as organisers read it on the proposal's page."""

    review: Review
    # (criterion, value) in rubric order; criteria the reviewer left unscored are absent.
    scores: list[tuple[ReviewCriterion, int]]
    score: float | None  # weighted 0-100 score, as the ranking computes it
    z_score: float | None  # against this reviewer's other counted reviews; None if not counted
    counted: bool  # False once a conflict of interest takes it out of the ranking


@dataclass(frozen=True)
class ProposalReviews:
    reviews: list[ReviewDetail]
    statistics: ranking.ProposalStatistics


def proposal_reviews(conference: Conference, proposal: Proposal) -> ProposalReviews:
    """Every review of ``proposal``, oldest first, with its scores, the ranking's figures and
    whether it still counts."""
    rows = db.session.execute(
        select(Review, review_is_counted().label("counted"))
        .where(Review.conference_id == conference.id, Review.proposal_id == proposal.id)
        .options(selectinload(Review.reviewer),
                 selectinload(Review.scores).selectinload(ReviewScore.criterion))
        .order_by(Review.created_at, Review.id)
    ).all()
    inputs = conference_review_inputs(conference)
    z_scores = ranking.reviewer_z_scores(inputs)
    statistics = ranking.proposal_statistics(inputs).get(proposal.id, ranking.NO_REVIEWS)
    details = []
    for review, counted in rows:
        scores = sorted(
            ((score.criterion, score.value) for score in review.scores
             if score.criterion.conference_id == conference.id),
            key=lambda pair: (pair[0].position, pair[0].id),
        )
        score = ranking.review_score([
            ranking.CriterionValue(value, criterion.scale_min, criterion.scale_max, criterion.weight)
            for criterion, value in scores
        ])
        details.append(ReviewDetail(review, scores, score, z_scores.get((proposal.id, review.reviewer_id)),
                                    bool(counted)))
    return ProposalReviews(details, statistics)
