"""The demo's review phase: rubric, reviewer preferences, conflicts, assignments, reviews, decisions.

Scores come from a small model of real reviewing: every proposal has a latent quality, every
reviewer a leniency (one is harsh, one lenient) and every score some noise, so reviewers
disagree the way real ones do. Builders flush; the CLI commits.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from conference.accounts.models import User
from conference.conferences.models import Conference, Track
from conference.core.timezones import local_to_utc
from conference.demo import data
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalSpeaker, ProposalState
from conference.reviews.models import (
    AssignmentSource,
    Conflict,
    ConflictSource,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
    ReviewScore,
    TrackPreference,
)

REVIEWERS_PER_PROPOSAL = 3
REVIEWED_SHARE = 0.9
DEMO_REVIEWER_REVIEWED_SHARE = 0.6
# Reviewers were assigned when the call closed and reviewed during the following two weeks.
ASSIGNED_AT = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
REVIEWING_DAYS = 13
HARSH_LENIENCY = -0.9
LENIENT_LENIENCY = 0.8


@dataclass
class ReviewPlan:
    """Who may review what: the speakers of each proposal and each reviewer's conflicts."""

    speakers: dict[int, set[int]]
    conflicted_proposals: set[tuple[int, int]] = field(default_factory=set)
    conflicted_speakers: set[tuple[int, int]] = field(default_factory=set)

    def may_review(self, reviewer_id: int, proposal_id: int) -> bool:
        """False for a reviewer's own proposals and any declared or organiser-set conflict."""
        speakers = self.speakers.get(proposal_id, set())
        if reviewer_id in speakers or (reviewer_id, proposal_id) in self.conflicted_proposals:
            return False
        return not any((reviewer_id, speaker) in self.conflicted_speakers for speaker in speakers)


def add_review_phase(
    conference: Conference,
    tracks: dict[str, Track],
    reviewers: list[User],
    demo_speaker: User,
    rng: random.Random,
) -> None:
    """Rubric, preferences, conflicts, assignments, reviews and decisions, in that order."""
    conference.review_closes_at = local_to_utc(*data.REVIEW_CLOSES, conference.time_zone)
    criteria = add_rubric(conference)
    add_track_preferences(conference, tracks, reviewers, rng)
    proposals = list(db.session.scalars(
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.state == ProposalState.SUBMITTED)
        .order_by(Proposal.id)
    ))
    plan = ReviewPlan(speakers=speakers_by_proposal(conference))
    add_conflicts(conference, proposals, reviewers, plan, rng)
    assignments = assign_reviewers(conference, proposals, reviewers, plan)
    scores = add_reviews(conference, proposals, reviewers, assignments, criteria, rng)
    decide(proposals, scores, demo_speaker, plan, rng)
    db.session.flush()


def add_rubric(conference: Conference) -> list[ReviewCriterion]:
    """Relevance, clarity and value for other teams, each scored 1-5."""
    scale_min, scale_max = data.RUBRIC_SCALE
    criteria = [
        ReviewCriterion(
            conference=conference, name=name, weight=float(weight), description=description,
            scale_min=scale_min, scale_max=scale_max, position=position,
        )
        for position, (name, weight, description) in enumerate(data.RUBRIC)
    ]
    db.session.add_all(criteria)
    db.session.flush()
    return criteria


def add_track_preferences(
    conference: Conference, tracks: dict[str, Track], reviewers: list[User], rng: random.Random
) -> None:
    """Each reviewer prefers one or two tracks and some avoid one; the rest are neutral."""
    names = sorted(tracks)
    for reviewer in reviewers:
        chosen = rng.sample(names, 3)
        preferred = chosen[: rng.randint(1, 2)]
        avoided = [chosen[2]] if rng.random() < 0.5 else []
        for name, preference in [(n, TrackPreference.PREFER) for n in preferred] + [
            (n, TrackPreference.AVOID) for n in avoided
        ]:
            db.session.add(ReviewerTrackPreference(
                conference_id=conference.id, reviewer=reviewer, track=tracks[name],
                preference=int(preference),
            ))


def speakers_by_proposal(conference: Conference) -> dict[int, set[int]]:
    """Every person named on each proposal, invited co-speakers included."""
    speakers: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(ProposalSpeaker.proposal_id, ProposalSpeaker.user_id)
        .join(Proposal)
        .where(Proposal.conference_id == conference.id, ProposalSpeaker.user_id.is_not(None))
    )
    for proposal_id, user_id in rows:
        speakers[proposal_id].add(user_id)
    return speakers


def add_conflicts(
    conference: Conference,
    proposals: list[Proposal],
    reviewers: list[User],
    plan: ReviewPlan,
    rng: random.Random,
) -> None:
    """Three proposal conflicts (declared or set by an organiser) and one same-team conflict."""
    # The demo reviewer (first) keeps a clean slate; the speaking reviewer (last) is already
    # conflicted with their own proposals.
    others = reviewers[1:-1]
    chosen_reviewers = rng.sample(others, len(data.PROPOSAL_CONFLICT_REASONS) + 1)
    for reviewer, (source, reason) in zip(
        chosen_reviewers[:-1], data.PROPOSAL_CONFLICT_REASONS, strict=True
    ):
        proposal = rng.choice([p for p in proposals if plan.may_review(reviewer.id, p.id)])
        db.session.add(Conflict(
            conference_id=conference.id, reviewer=reviewer, proposal=proposal,
            source=ConflictSource(source), reason=reason,
        ))
        plan.conflicted_proposals.add((reviewer.id, proposal.id))
    teammate_reviewer = chosen_reviewers[-1]
    speaker_ids = sorted({s for p in proposals for s in plan.speakers[p.id]} - {
        r.id for r in reviewers
    })
    teammate = rng.choice(speaker_ids)
    db.session.add(Conflict(
        conference_id=conference.id, reviewer=teammate_reviewer, speaker_id=teammate,
        source=ConflictSource.DECLARED, reason=data.SPEAKER_CONFLICT_REASON,
    ))
    plan.conflicted_speakers.add((teammate_reviewer.id, teammate))


def assign_reviewers(
    conference: Conference, proposals: list[Proposal], reviewers: list[User], plan: ReviewPlan
) -> list[tuple[int, User]]:
    """Three reviewers per proposal: the least loaded eligible ones, preferred tracks first."""
    preferences = {
        (row.reviewer_id, row.track_id): row.preference
        for row in db.session.scalars(
            select(ReviewerTrackPreference).where(
                ReviewerTrackPreference.conference_id == conference.id
            )
        )
    }
    load = {reviewer.id: 0 for reviewer in reviewers}
    assignments: list[tuple[int, User]] = []
    rows = []
    for turn, proposal in enumerate(proposals):
        eligible = [r for r in reviewers if plan.may_review(r.id, proposal.id)]
        # Round-robin on ties, so equal loads do not always favour the same reviewer.
        eligible.sort(key=lambda r: (
            load[r.id],
            -preferences.get((r.id, proposal.track_id), 0),
            (reviewers.index(r) - turn) % len(reviewers),
        ))
        for reviewer in eligible[:REVIEWERS_PER_PROPOSAL]:
            load[reviewer.id] += 1
            assignments.append((proposal.id, reviewer))
            rows.append({
                "conference_id": conference.id, "proposal_id": proposal.id,
                "reviewer_id": reviewer.id, "source": AssignmentSource.ORGANISER,
                "created_at": ASSIGNED_AT + timedelta(minutes=turn),
            })
    db.session.execute(insert(ReviewAssignment), rows)
    return assignments


def add_reviews(
    conference: Conference,
    proposals: list[Proposal],
    reviewers: list[User],
    assignments: list[tuple[int, User]],
    criteria: list[ReviewCriterion],
    rng: random.Random,
) -> dict[int, list[float]]:
    """Reviews for most assignments; returns each proposal's weighted review scores."""
    quality = {p.id: rng.gauss(3.1, 0.8) for p in proposals}
    leniency = {r.id: rng.gauss(0, 0.2) for r in reviewers}
    leniency[reviewers[0].id] = 0.0  # the demo reviewer is fair
    leniency[reviewers[2].id] = HARSH_LENIENCY
    leniency[reviewers[3].id] = LENIENT_LENIENCY
    scale_min, scale_max = data.RUBRIC_SCALE
    total_weight = sum(c.weight for c in criteria)
    weighted: dict[int, list[float]] = defaultdict(list)
    for proposal_id, reviewer in assignments:
        share = DEMO_REVIEWER_REVIEWED_SHARE if reviewer is reviewers[0] else REVIEWED_SHARE
        if rng.random() >= share:
            continue
        values = [
            min(scale_max, max(scale_min, round(
                quality[proposal_id] + leniency[reviewer.id] + rng.gauss(0, 0.6)
            )))
            for _ in criteria
        ]
        score = sum(v * c.weight for v, c in zip(values, criteria, strict=True)) / total_weight
        weighted[proposal_id].append(score)
        written_at = ASSIGNED_AT + timedelta(minutes=rng.randrange(REVIEWING_DAYS * 24 * 60))
        db.session.add(Review(
            conference_id=conference.id,
            proposal_id=proposal_id,
            reviewer=reviewer,
            comment_for_organisers=organiser_comment(score, rng),
            comment_for_speaker=rng.choice(data.SPEAKER_COMMENTS) if rng.random() < 0.45 else "",
            created_at=written_at,
            updated_at=written_at,
            scores=[ReviewScore(criterion=c, value=v) for c, v in zip(criteria, values, strict=True)],
        ))
    return weighted


def organiser_comment(score: float, rng: random.Random) -> str:
    """One or two sentences whose tone matches the score."""
    tone = "strong" if score >= 3.7 else "weak" if score < 2.5 else "mixed"
    return " ".join(rng.sample(data.ORGANISER_COMMENTS[tone], rng.randint(1, 2)))


def decide(
    proposals: list[Proposal],
    scores: dict[int, list[float]],
    demo_speaker: User,
    plan: ReviewPlan,
    rng: random.Random,
) -> None:
    """Accept the top, waitlist the next few, reject the bottom; the middle stays undecided."""
    demo_proposals = [p for p in proposals if demo_speaker.id in plan.speakers[p.id]
                      and p.speakers[0].user_id == demo_speaker.id]

    def mean_score(proposal: Proposal) -> float:
        return sum(scores[proposal.id]) / len(scores[proposal.id]) if scores[proposal.id] else 0.0

    # The demo speaker's best proposal is accepted and awaits their confirmation.
    if demo_proposals:
        max(demo_proposals, key=mean_score).state = ProposalState.ACCEPTED
    ranked = sorted(
        (p for p in proposals if p not in demo_proposals and len(scores[p.id]) >= 2),
        key=lambda p: (-mean_score(p), p.id),
    )
    accepted = ranked[: data.ACCEPTED_PROPOSALS - 1]
    waitlisted = ranked[len(accepted): len(accepted) + data.WAITLISTED_PROPOSALS]
    rejected = ranked[-data.REJECTED_PROPOSALS:]
    confirmed = set(rng.sample(range(len(accepted)), round(len(accepted) * data.CONFIRMED_SHARE)))
    for position, proposal in enumerate(accepted):
        proposal.state = ProposalState.CONFIRMED if position in confirmed else ProposalState.ACCEPTED
    for proposal in waitlisted:
        proposal.state = ProposalState.WAITLISTED
    for proposal in rejected:
        proposal.state = ProposalState.REJECTED
