"""What the questions pages read: when asking is open, who moderates, and the ranked questions.

Talks are always read from the newest published schedule version (through the agenda's
queries), never the draft. Who asked an anonymous question is decided here, once: the
organisers of the conference and the asker see it, nobody else (not even the talk's speakers).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from conference.conferences.access import roles_of
from conference.conferences.models import Conference, Role
from conference.extensions import db
from conference.proposals.models import Proposal
from conference.questions.models import AudienceQuestion, QuestionVote
from conference.schedule.models import ScheduledTalk

# Asking opens a little before the talk so the room can start while people sit down, and
# closes a day after it ends so hubs many zones away can ask after watching the recording.
ASKING_OPENS_BEFORE = timedelta(minutes=30)
ASKING_CLOSES_AFTER = timedelta(hours=24)
# The room's screen shows only the top few questions, in text large enough to read from the back.
PRESENTED_QUESTIONS = 5


class AskingState(enum.StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class AskingWindow:
    """When the audience may ask and vote on a talk's questions."""

    opens_at: datetime
    closes_at: datetime

    def state_at(self, now: datetime) -> AskingState:
        if now < self.opens_at:
            return AskingState.NOT_OPEN
        if now < self.closes_at:
            return AskingState.OPEN
        return AskingState.CLOSED


def asking_window(scheduled: ScheduledTalk) -> AskingWindow:
    """The window of a talk as the newest published version places it."""
    return AskingWindow(
        scheduled.starts_at - ASKING_OPENS_BEFORE, scheduled.ends_at + ASKING_CLOSES_AFTER
    )


@dataclass(frozen=True)
class Viewer:
    """Who looks at a talk's questions, and what that lets them see and do."""

    user_id: int | None
    organiser: bool
    moderator: bool  # an organiser, or one of the talk's accepted speakers

    @property
    def logged_in(self) -> bool:
        return self.user_id is not None


NOBODY = Viewer(user_id=None, organiser=False, moderator=False)


def viewer_of(conference: Conference, proposal: Proposal, user) -> Viewer:
    """The viewer ``user`` (perhaps anonymous) is on ``proposal``'s questions."""
    if user is None or not user.is_authenticated:
        return NOBODY
    organiser = Role.ORGANISER in roles_of(user, conference)
    speaker = any(s.user_id == user.id for s in proposal.accepted_speakers)
    return Viewer(user_id=user.id, organiser=organiser, moderator=organiser or speaker)


@dataclass(frozen=True)
class ShownQuestion:
    """A question as one viewer may see it: ``asker`` is None when they may not know who asked."""

    id: int
    text: str
    votes: int
    voted: bool
    mine: bool
    asker: str | None
    anonymous: bool
    asked_at: datetime
    answered_at: datetime | None
    hidden_at: datetime | None


@dataclass
class QuestionBoard:
    """A talk's questions for one viewer: open ones ranked, answered ones, hidden ones (moderators)."""

    open: list[ShownQuestion] = field(default_factory=list)
    answered: list[ShownQuestion] = field(default_factory=list)
    hidden: list[ShownQuestion] = field(default_factory=list)

    @property
    def asked(self) -> int:
        """How many questions the viewer can count: hidden ones only for moderators."""
        return len(self.open) + len(self.answered) + len(self.hidden)


def _asker(question: AudienceQuestion, viewer: Viewer) -> str | None:
    if not question.anonymous or viewer.organiser:
        return question.author.display_name
    return None


def question_board(proposal_id: int, viewer: Viewer) -> QuestionBoard:
    """The talk's questions for ``viewer``, in two statements whatever their number."""
    vote_count = (
        select(func.count(QuestionVote.id))
        .where(QuestionVote.question_id == AudienceQuestion.id)
        .correlate(AudienceQuestion)
        .scalar_subquery()
    )
    columns = [AudienceQuestion, vote_count]
    if viewer.logged_in:
        columns.append(
            exists()
            .where(
                QuestionVote.question_id == AudienceQuestion.id,
                QuestionVote.user_id == viewer.user_id,
            )
            .correlate(AudienceQuestion)
        )
    query = (
        select(*columns)
        .where(AudienceQuestion.proposal_id == proposal_id)
        .options(joinedload(AudienceQuestion.author))
    )
    if not viewer.moderator:
        query = query.where(AudienceQuestion.hidden_at.is_(None))
    board = QuestionBoard()
    for row in db.session.execute(query):
        question, votes = row[0], row[1]
        shown = ShownQuestion(
            id=question.id,
            text=question.text,
            votes=votes or 0,
            voted=bool(row[2]) if viewer.logged_in else False,
            mine=question.author_id == viewer.user_id,
            asker=_asker(question, viewer),
            anonymous=question.anonymous,
            asked_at=question.created_at,
            answered_at=question.answered_at,
            hidden_at=question.hidden_at,
        )
        if shown.hidden_at is not None:
            board.hidden.append(shown)
        elif shown.answered_at is not None:
            board.answered.append(shown)
        else:
            board.open.append(shown)
    # Most votes first; among equals, the one asked first (it has waited longest).
    board.open.sort(key=lambda q: (-q.votes, q.asked_at, q.id))
    board.answered.sort(key=lambda q: (q.answered_at, q.id), reverse=True)
    board.hidden.sort(key=lambda q: (q.hidden_at, q.id), reverse=True)
    return board


def presented_questions(proposal_id: int) -> list[ShownQuestion]:
    """The top open questions for the room's screen, as a stranger sees them (no anonymous names)."""
    return question_board(proposal_id, NOBODY).open[:PRESENTED_QUESTIONS]


def find_question(proposal_id: int, question_id: int) -> AudienceQuestion | None:
    """The question with this id on this talk (another talk's question is None)."""
    return db.session.scalar(
        select(AudienceQuestion).where(
            AudienceQuestion.id == question_id, AudienceQuestion.proposal_id == proposal_id
        )
    )


def has_voted(question: AudienceQuestion, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(QuestionVote.id).where(
                QuestionVote.question_id == question.id, QuestionVote.user_id == user_id
            )
        )
        is not None
    )
