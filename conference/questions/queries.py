"""What the questions pages read: when asking is open, who moderates, and the ranked questions.

Whether questions are on and how long before and after a talk asking is open are the
conference's settings (its ``settings`` JSON, edited on the organisers' "Audience questions"
page); `asking_window` is the one place that turns them into a talk's window.

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

# By default asking opens a little before the talk so the room can start while people sit
# down, and closes a day after it ends so hubs many zones away can ask after the recording.
DEFAULT_OPENS_MINUTES_BEFORE = 30
DEFAULT_CLOSES_HOURS_AFTER = 24
MAX_OPENS_MINUTES_BEFORE = 24 * 60
MAX_CLOSES_HOURS_AFTER = 14 * 24
ENABLED_SETTING = "questions_enabled"
OPENS_BEFORE_SETTING = "questions_opens_minutes_before"
CLOSES_AFTER_SETTING = "questions_closes_hours_after"
# The room's screen shows only the top few questions, in text large enough to read from the back.
PRESENTED_QUESTIONS = 5


class AskingState(enum.StrEnum):
    OFF = "off"  # the organisers turned questions off for the whole conference
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class QuestionSettings:
    """A conference's audience-question settings, as its organisers chose them."""

    enabled: bool = True
    opens_minutes_before: int = DEFAULT_OPENS_MINUTES_BEFORE
    closes_hours_after: int = DEFAULT_CLOSES_HOURS_AFTER

    @property
    def opens_before(self) -> timedelta:
        return timedelta(minutes=self.opens_minutes_before)

    @property
    def closes_after(self) -> timedelta:
        return timedelta(hours=self.closes_hours_after)


def _stored_number(stored: dict, name: str, default: int, largest: int) -> int:
    # Written only through the settings form; anything else (a hand edit) reads as the default.
    value = stored.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, 0), largest)


def question_settings(conference: Conference) -> QuestionSettings:
    """The conference's stored settings; what was never set is the default."""
    stored = conference.settings or {}
    return QuestionSettings(
        enabled=stored.get(ENABLED_SETTING, True) is not False,
        opens_minutes_before=_stored_number(
            stored, OPENS_BEFORE_SETTING, DEFAULT_OPENS_MINUTES_BEFORE, MAX_OPENS_MINUTES_BEFORE
        ),
        closes_hours_after=_stored_number(
            stored, CLOSES_AFTER_SETTING, DEFAULT_CLOSES_HOURS_AFTER, MAX_CLOSES_HOURS_AFTER
        ),
    )


@dataclass(frozen=True)
class AskingWindow:
    """When the audience may ask and vote on a talk's questions (never, when ``enabled`` is off)."""

    opens_at: datetime
    closes_at: datetime
    enabled: bool = True

    def state_at(self, now: datetime) -> AskingState:
        if not self.enabled:
            return AskingState.OFF
        if now < self.opens_at:
            return AskingState.NOT_OPEN
        if now < self.closes_at:
            return AskingState.OPEN
        return AskingState.CLOSED


def asking_window(conference: Conference, scheduled: ScheduledTalk) -> AskingWindow:
    """The window of a talk as the newest published version places it, by the conference's settings."""
    settings = question_settings(conference)
    return AskingWindow(
        scheduled.starts_at - settings.opens_before,
        scheduled.ends_at + settings.closes_after,
        settings.enabled,
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
