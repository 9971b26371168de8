"""What the feedback pages read: questions, whether a person may rate a talk, and aggregates.

When a talk ran is always read from the newest published schedule version, never the draft.
Aggregates carry no user ids or names: speakers and organisers only ever see counts, means and
anonymous texts.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.conferences.models import Conference, Room
from conference.core.types import utcnow
from conference.decisions import ranking
from conference.decisions.queries import conference_review_inputs
from conference.extensions import db
from conference.feedback import charts
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.feedback.statistics import (
    EMPTY_DISTRIBUTION,
    Distribution,
    describe_correlation,
    pearson_correlation,
)
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published

EDIT_DAYS_SETTING = "feedback_edit_days"
DEFAULT_EDIT_DAYS = 14
MAX_EDIT_DAYS = 365
# Speakers see a talk's results only from this many responses on, so that no single
# attendee's answers can be read off the page. Organisers see them from the first response.
MIN_RESPONSES_FOR_SPEAKERS = 3
ONLINE_LABEL = "Online"
NO_TRACK_LABEL = "No track"
UNSCHEDULED_LABEL = "Not in the published schedule"


def edit_days(conference: Conference) -> int:
    """Days after a talk's end during which feedback can be given and changed."""
    value = (conference.settings or {}).get(EDIT_DAYS_SETTING, DEFAULT_EDIT_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_EDIT_DAYS
    return min(max(days, 1), MAX_EDIT_DAYS)


def questions(conference: Conference, include_retired: bool = False) -> list[FeedbackQuestion]:
    """The conference's questions in the order the form asks them."""
    query = select(FeedbackQuestion).where(FeedbackQuestion.conference_id == conference.id)
    if not include_retired:
        query = query.where(FeedbackQuestion.active.is_(True))
    return list(db.session.scalars(query.order_by(FeedbackQuestion.position, FeedbackQuestion.id)))


def answer_counts(conference: Conference) -> dict[int, int]:
    """Answers per question id (questions nobody answered are absent)."""
    rows = db.session.execute(
        select(FeedbackAnswer.question_id, func.count(FeedbackAnswer.id))
        .join(FeedbackQuestion, FeedbackQuestion.id == FeedbackAnswer.question_id)
        .where(FeedbackQuestion.conference_id == conference.id)
        .group_by(FeedbackAnswer.question_id)
    )
    return {question_id: count for question_id, count in rows}  # noqa: C416


# --- may this person rate this talk? --------------------------------------------------------


def published_slot(conference: Conference, proposal_id: int) -> ScheduledTalk | None:
    """The talk's place in the newest published version, if it is a public talk there."""
    version = latest_published(conference.id)
    if version is None:
        return None
    return db.session.scalar(
        select(ScheduledTalk)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .where(
            ScheduledTalk.version_id == version.id,
            ScheduledTalk.proposal_id == proposal_id,
            Proposal.conference_id == conference.id,
            Proposal.state.in_(PUBLIC_STATES),
        )
        .options(selectinload(ScheduledTalk.proposal), selectinload(ScheduledTalk.room))
    )


class FeedbackState(enum.StrEnum):
    NOT_ENDED = "not_ended"
    OPEN = "open"
    CLOSED = "closed"
    OWN_TALK = "own_talk"


@dataclass(frozen=True)
class FeedbackWindow:
    """Feedback opens when the talk ends and closes ``edit_days`` later."""

    opens_at: datetime
    closes_at: datetime

    def state_at(self, now: datetime) -> FeedbackState:
        if now < self.opens_at:
            return FeedbackState.NOT_ENDED
        if now < self.closes_at:
            return FeedbackState.OPEN
        return FeedbackState.CLOSED


def feedback_window(conference: Conference, slot: ScheduledTalk) -> FeedbackWindow:
    return FeedbackWindow(slot.ends_at, slot.ends_at + timedelta(days=edit_days(conference)))


# Someone who declined to co-present is in the audience like anyone else.
SPEAKING_STATES = (InvitationState.ACCEPTED, InvitationState.INVITED)


def speaks_on(proposal_id: int, user_id: int) -> bool:
    """Whether the user is (or is invited as) a speaker of the proposal; not after declining."""
    return (
        db.session.scalar(
            select(ProposalSpeaker.id).where(
                ProposalSpeaker.proposal_id == proposal_id,
                ProposalSpeaker.user_id == user_id,
                ProposalSpeaker.invitation_state.in_(SPEAKING_STATES),
            )
        )
        is not None
    )


def response_of(proposal_id: int, user_id: int) -> FeedbackResponse | None:
    return db.session.scalar(
        select(FeedbackResponse)
        .where(FeedbackResponse.proposal_id == proposal_id, FeedbackResponse.user_id == user_id)
        .options(selectinload(FeedbackResponse.answers))
    )


@dataclass(frozen=True)
class FeedbackStatus:
    state: FeedbackState
    window: FeedbackWindow
    response: FeedbackResponse | None


def feedback_status(
    conference: Conference, slot: ScheduledTalk, user, now: datetime | None = None
) -> FeedbackStatus:
    """What ``user`` may do with feedback on the published talk ``slot`` at ``now``."""
    window = feedback_window(conference, slot)
    is_person = user is not None and user.is_authenticated
    if is_person and speaks_on(slot.proposal_id, user.id):
        return FeedbackStatus(FeedbackState.OWN_TALK, window, None)
    response = response_of(slot.proposal_id, user.id) if is_person else None
    return FeedbackStatus(window.state_at(now or utcnow()), window, response)


# --- aggregates -----------------------------------------------------------------------------


@dataclass
class QuestionResult:
    """One rating question's answers for a talk or a group of talks."""

    question: FeedbackQuestion
    distribution: Distribution

    @property
    def chart(self) -> charts.DistributionChart:
        return charts.distribution_chart(self.distribution)


@dataclass
class TalkResults:
    """Everything shown about one talk's feedback; never who answered."""

    proposal: Proposal
    response_count: int
    ratings: list[QuestionResult]
    texts: list[tuple[FeedbackQuestion, list[str]]]
    comments: list[str]

    @property
    def overall(self) -> Distribution:
        total = EMPTY_DISTRIBUTION
        for result in self.ratings:
            total = total + result.distribution
        return total


def _rating_distributions(conference: Conference, proposal_ids: Iterable[int] | None = None):
    """{proposal id: {question id: Distribution}} of every rating answer."""
    query = (
        select(
            FeedbackResponse.proposal_id,
            FeedbackAnswer.question_id,
            FeedbackAnswer.rating,
            func.count(FeedbackAnswer.id),
        )
        .join(FeedbackAnswer, FeedbackAnswer.response_id == FeedbackResponse.id)
        .where(FeedbackResponse.conference_id == conference.id, FeedbackAnswer.rating.is_not(None))
        .group_by(FeedbackResponse.proposal_id, FeedbackAnswer.question_id, FeedbackAnswer.rating)
    )
    if proposal_ids is not None:
        query = query.where(FeedbackResponse.proposal_id.in_(list(proposal_ids)))
    counts: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for proposal_id, question_id, rating, count in db.session.execute(query):
        counts[proposal_id][question_id][rating] = count
    return {
        proposal_id: {qid: Distribution.from_counts(c) for qid, c in per_question.items()}
        for proposal_id, per_question in counts.items()
    }


def _response_counts(
    conference: Conference, proposal_ids: Iterable[int] | None = None
) -> dict[int, int]:
    query = (
        select(FeedbackResponse.proposal_id, func.count(FeedbackResponse.id))
        .where(FeedbackResponse.conference_id == conference.id)
        .group_by(FeedbackResponse.proposal_id)
    )
    if proposal_ids is not None:
        query = query.where(FeedbackResponse.proposal_id.in_(list(proposal_ids)))
    return {proposal_id: count for proposal_id, count in db.session.execute(query)}  # noqa: C416


def _sorted_texts(rows) -> dict:
    # Sorted by their words, not by time, so the order says nothing about who answered when.
    grouped: dict = defaultdict(list)
    for key, text in rows:
        grouped[key].append(text)
    return {key: sorted(texts, key=str.casefold) for key, texts in grouped.items()}


def talk_results(conference: Conference, proposals: list[Proposal]) -> list[TalkResults]:
    """Aggregated feedback of each of ``proposals``, in the same order."""
    ids = [proposal.id for proposal in proposals]
    all_questions = questions(conference, include_retired=True)
    distributions = _rating_distributions(conference, ids)
    counts = _response_counts(conference, ids)
    text_rows = db.session.execute(
        select(FeedbackResponse.proposal_id, FeedbackAnswer.question_id, FeedbackAnswer.text)
        .join(FeedbackAnswer, FeedbackAnswer.response_id == FeedbackResponse.id)
        .where(FeedbackResponse.proposal_id.in_(ids), FeedbackAnswer.text != "")
    )
    texts = _sorted_texts(((p, q), text) for p, q, text in text_rows)
    comment_rows = db.session.execute(
        select(FeedbackResponse.proposal_id, FeedbackResponse.comment).where(
            FeedbackResponse.proposal_id.in_(ids), FeedbackResponse.comment != ""
        )
    )
    comments = _sorted_texts(comment_rows)
    results = []
    for proposal in proposals:
        own = distributions.get(proposal.id, {})
        ratings = [
            QuestionResult(question, own.get(question.id, EMPTY_DISTRIBUTION))
            for question in all_questions
            if question.kind is QuestionKind.RATING and (question.active or question.id in own)
        ]
        answered_texts = [
            (question, texts[(proposal.id, question.id)])
            for question in all_questions
            if question.kind is QuestionKind.TEXT and (proposal.id, question.id) in texts
        ]
        results.append(
            TalkResults(
                proposal=proposal,
                response_count=counts.get(proposal.id, 0),
                ratings=ratings,
                texts=answered_texts,
                comments=comments.get(proposal.id, []),
            )
        )
    return results


def speaker_talks(conference: Conference, user) -> list[Proposal]:
    """The accepted or confirmed talks ``user`` presents at ``conference``, by title."""
    return list(
        db.session.scalars(
            select(Proposal)
            .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
            .where(
                Proposal.conference_id == conference.id,
                Proposal.state.in_(PUBLIC_STATES),
                ProposalSpeaker.user_id == user.id,
                ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            )
            .order_by(func.lower(Proposal.title), Proposal.id)
        )
    )


# --- organisers' overview -------------------------------------------------------------------


@dataclass
class TalkRow:
    proposal: Proposal
    track_label: str
    hub_label: str
    response_count: int
    overall: Distribution
    per_question: dict[int, Distribution]
    review_score: float | None  # mean review score on 0-100, None without reviews


@dataclass
class GroupSummary:
    """Feedback of the talks in one track or at one hub."""

    label: str
    talk_count: int = 0
    response_count: int = 0
    overall: Distribution = EMPTY_DISTRIBUTION
    per_question: dict[int, Distribution] = field(default_factory=dict)

    def add(self, row: TalkRow) -> None:
        self.talk_count += 1
        self.response_count += row.response_count
        self.overall = self.overall + row.overall
        for question_id, distribution in row.per_question.items():
            self.per_question[question_id] = (
                self.per_question.get(question_id, EMPTY_DISTRIBUTION) + distribution
            )


@dataclass
class Comparison:
    """Mean review score against mean feedback rating, per talk that has both."""

    rows: list[TalkRow]
    correlation: float | None
    description: str
    chart: charts.ScatterChart
    left_out: int  # talks with feedback but no review score, or the other way round


@dataclass
class FeedbackOverview:
    rating_questions: list[FeedbackQuestion]
    talks: list[TalkRow]
    by_track: list[GroupSummary]
    by_hub: list[GroupSummary]
    comparison: Comparison

    @property
    def response_count(self) -> int:
        return sum(row.response_count for row in self.talks)


def _published_slots(conference: Conference) -> list[ScheduledTalk]:
    version = latest_published(conference.id)
    if version is None:
        return []
    return list(
        db.session.scalars(
            select(ScheduledTalk)
            .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
            .where(
                ScheduledTalk.version_id == version.id,
                Proposal.conference_id == conference.id,
                Proposal.state.in_(PUBLIC_STATES),
            )
            .options(
                selectinload(ScheduledTalk.proposal).selectinload(Proposal.track),
                selectinload(ScheduledTalk.room).selectinload(Room.hub),
            )
            .order_by(ScheduledTalk.starts_at, ScheduledTalk.id)
        )
    )


def _group(rows: list[TalkRow], label_of) -> list[GroupSummary]:
    groups: dict[str, GroupSummary] = {}
    for row in rows:
        label = label_of(row)
        groups.setdefault(label, GroupSummary(label)).add(row)
    return sorted(groups.values(), key=lambda group: group.label.casefold())


def _comparison(rows: list[TalkRow]) -> Comparison:
    both = [row for row in rows if row.review_score is not None and row.overall.total]
    either = [row for row in rows if (row.review_score is not None) != bool(row.overall.total)]
    pairs = [(row.review_score, row.overall.mean) for row in both]
    correlation = pearson_correlation(pairs)
    chart = charts.review_feedback_scatter(
        [(row.proposal.title, row.review_score, row.overall.mean) for row in both]
    )
    return Comparison(both, correlation, describe_correlation(correlation), chart, len(either))


def organiser_overview(conference: Conference) -> FeedbackOverview:
    """Per talk, per track and per hub (the hub of the talk's room; online streams as "Online")."""
    slots = {slot.proposal_id: slot for slot in _published_slots(conference)}
    distributions = _rating_distributions(conference)
    counts = _response_counts(conference)
    # Feedback on a talk the newest version no longer contains is still counted.
    unscheduled_ids = set(counts) - set(slots)
    unscheduled = list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(unscheduled_ids), Proposal.conference_id == conference.id)
            .options(selectinload(Proposal.track))
        )
    )
    review_scores = ranking.proposal_statistics(conference_review_inputs(conference))
    rows = []
    proposals = [slot.proposal for slot in slots.values()] + sorted(unscheduled, key=lambda p: p.id)
    for proposal in proposals:
        slot = slots.get(proposal.id)
        if slot is None:
            hub_label = UNSCHEDULED_LABEL
        else:
            hub_label = slot.room.hub.name if slot.room.hub is not None else ONLINE_LABEL
        per_question = distributions.get(proposal.id, {})
        overall = EMPTY_DISTRIBUTION
        for distribution in per_question.values():
            overall = overall + distribution
        statistics = review_scores.get(proposal.id, ranking.NO_REVIEWS)
        rows.append(
            TalkRow(
                proposal=proposal,
                track_label=proposal.track.name if proposal.track else NO_TRACK_LABEL,
                hub_label=hub_label,
                response_count=counts.get(proposal.id, 0),
                overall=overall,
                per_question=per_question,
                review_score=statistics.mean_score,
            )
        )
    rows.sort(key=lambda row: (row.proposal.title.casefold(), row.proposal.id))
    rating_questions = [
        question
        for question in questions(conference, include_retired=True)
        if question.kind is QuestionKind.RATING
        and (question.active or any(question.id in row.per_question for row in rows))
    ]
    return FeedbackOverview(
        rating_questions=rating_questions,
        talks=rows,
        by_track=_group(rows, lambda row: row.track_label),
        by_hub=_group(rows, lambda row: row.hub_label),
        comparison=_comparison(rows),
    )
