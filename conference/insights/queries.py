"""Read-only questions the insights page asks: reviews, feedback and the agenda's reach."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from conference.accounts.models import User
from conference.conferences.models import Conference, ConferenceRole, Hub, Role
from conference.decisions.queries import conference_review_inputs
from conference.extensions import db
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.insights import coverage
from conference.proposals.models import PresentationMode, Proposal, SpeakerProfile
from conference.reviews.models import Review, ReviewCriterion, ReviewScore
from conference.reviews.queries import review_is_counted
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published


def mean_review_scores(conference: Conference) -> list[float]:
    """Per reviewed proposal, the mean of its reviews' 0-100 scores (the ranking's own score)."""
    scores: dict[int, list[float]] = defaultdict(list)
    for review in conference_review_inputs(conference):
        scores[review.proposal_id].append(review.score)
    return [sum(values) / len(values) for values in scores.values()]


@dataclass(frozen=True)
class CriterionDistribution:
    criterion: ReviewCriterion
    counts: list[tuple[int, int]]  # (score, how many reviews gave it), every score of the scale

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


def criterion_distributions(conference: Conference) -> list[CriterionDistribution]:
    """For each rubric criterion, how often reviewers gave each score on its scale (counted
    reviews only, as in the ranking)."""
    criteria = db.session.scalars(
        select(ReviewCriterion)
        .where(ReviewCriterion.conference_id == conference.id)
        .order_by(ReviewCriterion.position, ReviewCriterion.id)
    ).all()
    given = Counter(
        {
            (criterion_id, value): count
            for criterion_id, value, count in db.session.execute(
                select(ReviewScore.criterion_id, ReviewScore.value, func.count())
                .join(Review, Review.id == ReviewScore.review_id)
                # Reviews of since-conflicted authors leave the ranking, so they leave here too.
                .where(Review.conference_id == conference.id, review_is_counted())
                .group_by(ReviewScore.criterion_id, ReviewScore.value)
            )
        }
    )
    return [
        CriterionDistribution(
            criterion,
            [
                (value, given[(criterion.id, value)])
                for value in range(criterion.scale_min, criterion.scale_max + 1)
            ],
        )
        for criterion in criteria
    ]


@dataclass(frozen=True)
class TalkFeedback:
    proposal_id: int
    title: str
    responses: int
    mean_rating: float | None  # over every rating answer to every rating question
    question_means: dict[int, float]  # question id -> mean rating


def rating_questions(conference: Conference) -> list[FeedbackQuestion]:
    """The conference's rating questions, retired ones included (their answers still count)."""
    return list(
        db.session.scalars(
            select(FeedbackQuestion)
            .where(
                FeedbackQuestion.conference_id == conference.id,
                FeedbackQuestion.kind == QuestionKind.RATING,
            )
            .order_by(FeedbackQuestion.position, FeedbackQuestion.id)
        )
    )


def feedback_per_talk(conference: Conference) -> list[TalkFeedback]:
    """Talks with feedback, best mean rating first: responses, mean rating, mean per question."""
    responses = dict(
        db.session.execute(
            select(FeedbackResponse.proposal_id, func.count())
            .where(FeedbackResponse.conference_id == conference.id)
            .group_by(FeedbackResponse.proposal_id)
        ).all()
    )
    if not responses:
        return []
    sums: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for proposal_id, question_id, rating_sum, rating_count in db.session.execute(
        select(
            FeedbackResponse.proposal_id,
            FeedbackAnswer.question_id,
            func.sum(FeedbackAnswer.rating),
            func.count(FeedbackAnswer.rating),
        )
        .join(FeedbackAnswer, FeedbackAnswer.response_id == FeedbackResponse.id)
        .join(FeedbackQuestion, FeedbackQuestion.id == FeedbackAnswer.question_id)
        .where(
            FeedbackResponse.conference_id == conference.id,
            FeedbackQuestion.kind == QuestionKind.RATING,
            FeedbackAnswer.rating.is_not(None),
        )
        .group_by(FeedbackResponse.proposal_id, FeedbackAnswer.question_id)
    ):
        sums[proposal_id][question_id] = [int(rating_sum), int(rating_count)]
    titles = dict(
        db.session.execute(
            select(Proposal.id, Proposal.title).where(Proposal.id.in_(responses))
        ).all()
    )
    rows = []
    for proposal_id, count in responses.items():
        per_question = sums.get(proposal_id, {})
        total = sum(total for total, _ in per_question.values())
        answered = sum(answered for _, answered in per_question.values())
        rows.append(
            TalkFeedback(
                proposal_id,
                titles[proposal_id],
                count,
                total / answered if answered else None,
                {
                    question_id: total / answered
                    for question_id, (total, answered) in per_question.items()
                },
            )
        )
    rows.sort(key=lambda row: (row.mean_rating is None, -(row.mean_rating or 0), row.title.lower()))
    return rows


def published_talk_spans(conference: Conference) -> list[coverage.TalkSpan]:
    """Every talk of the latest published schedule as a UTC interval."""
    version = latest_published(conference.id)
    if version is None:
        return []
    return [
        coverage.TalkSpan(starts_at, ends_at)
        for starts_at, ends_at in db.session.execute(
            select(ScheduledTalk.starts_at, ScheduledTalk.ends_at)
            .where(ScheduledTalk.version_id == version.id)
            .order_by(ScheduledTalk.starts_at)
        )
    ]


def remote_audience_zones(conference: Conference, hub_zones: set[str]) -> Counter[str]:
    """People per time zone among remote speakers and attendees based at none of the hubs.

    Zones a hub already represents are left out: that hub's row covers them.
    """
    hub_ids = select(Hub.id).where(Hub.conference_id == conference.id)
    remote_speakers = select(SpeakerProfile.user_id).where(
        SpeakerProfile.conference_id == conference.id,
        SpeakerProfile.presentation_mode == PresentationMode.REMOTE,
    )
    hubless_attendees = (
        select(ConferenceRole.user_id)
        .join(User, User.id == ConferenceRole.user_id)
        .where(
            ConferenceRole.conference_id == conference.id,
            ConferenceRole.role == Role.ATTENDEE,
            (User.home_hub_id.is_(None)) | (User.home_hub_id.not_in(hub_ids)),
        )
    )
    people = remote_speakers.union(hubless_attendees).subquery()
    zones = Counter(
        dict(
            db.session.execute(
                select(User.time_zone, func.count())
                .where(User.id.in_(select(people.c.user_id)))
                .group_by(User.time_zone)
            ).all()
        )
    )
    for zone_name in hub_zones:
        zones.pop(zone_name, None)
    return zones


def coverage_zones(conference: Conference) -> list[coverage.CoverageZone]:
    """Heatmap rows: every hub (its own working day), then remote zones (09:00-17:30 local)."""
    hubs = db.session.scalars(
        select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)
    ).all()
    zones = [
        coverage.CoverageZone(
            f"{hub.name} hub ({hub.time_zone})",
            hub.time_zone,
            hub.working_day_starts,
            hub.working_day_ends,
        )
        for hub in hubs
    ]
    starts, ends = coverage.REMOTE_WORKING_DAY
    remote = remote_audience_zones(conference, {hub.time_zone for hub in hubs})
    for zone_name, people in sorted(remote.items(), key=lambda item: (-item[1], item[0])):
        noun = "person" if people == 1 else "people"
        zones.append(
            coverage.CoverageZone(f"Remote: {zone_name} ({people} {noun})", zone_name, starts, ends)
        )
    return zones


def agenda_coverage(conference: Conference) -> coverage.CoverageTable | None:
    """The time-zone coverage of the published agenda, or None before anything is published."""
    talks = published_talk_spans(conference)
    if not talks:
        return None
    return coverage.zone_coverage(
        talks, coverage_zones(conference), conference.days(), conference.time_zone
    )
