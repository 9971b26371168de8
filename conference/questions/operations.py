"""Changes to a talk's questions: ask, vote, delete, the moderators' answered/hidden marks, and
the conference's question settings.

Operations flush; the request commits once. Each refusal raises ``QuestionRefused`` with the
sentence the person is shown and nothing written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.conferences.settings import merge_settings
from conference.core.types import utcnow
from conference.extensions import db
from conference.questions import queries
from conference.questions.models import MAX_QUESTION_LENGTH, AudienceQuestion, QuestionVote
from conference.questions.queries import AskingState, QuestionSettings
from conference.schedule.models import ScheduledTalk

NOT_OPEN_YET = "Questions for this talk are not open yet."
CLOSED = "Questions for this talk are closed."
TURNED_OFF = "The organisers have turned audience questions off for this conference."
OPENS_BEFORE_RANGE = (
    f"Enter a whole number of minutes from 0 to {queries.MAX_OPENS_MINUTES_BEFORE} (24 hours)."
)
CLOSES_AFTER_RANGE = (
    f"Enter a whole number of hours from 0 to {queries.MAX_CLOSES_HOURS_AFTER} (14 days)."
)


class QuestionRefused(Exception):
    """The change is not allowed now; ``message`` says why, ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def _require_open(conference: Conference, scheduled: ScheduledTalk, now: datetime) -> None:
    state = queries.asking_window(conference, scheduled).state_at(now)
    if state is AskingState.OFF:
        raise QuestionRefused(TURNED_OFF)
    if state is AskingState.NOT_OPEN:
        raise QuestionRefused(NOT_OPEN_YET)
    if state is AskingState.CLOSED:
        raise QuestionRefused(CLOSED)


def ask_question(
    conference: Conference,
    scheduled: ScheduledTalk,
    user: User,
    text: str,
    anonymous: bool,
    now: datetime | None = None,
) -> AudienceQuestion:
    """Add ``user``'s question to the talk while asking is open."""
    now = now or utcnow()
    _require_open(conference, scheduled, now)
    text = (text or "").strip()
    if not text:
        raise QuestionRefused("Write your question first.", 400)
    if len(text) > MAX_QUESTION_LENGTH:
        raise QuestionRefused(f"Keep your question to {MAX_QUESTION_LENGTH} characters.", 400)
    question = AudienceQuestion(
        conference_id=conference.id,
        proposal_id=scheduled.proposal_id,
        author_id=user.id,
        text=text,
        anonymous=anonymous,
        created_at=now,
    )
    db.session.add(question)
    db.session.flush()
    return question


def set_vote(
    conference: Conference,
    question: AudienceQuestion,
    scheduled: ScheduledTalk,
    user: User,
    wanted: bool,
    now: datetime | None = None,
) -> bool:
    """Give (``wanted``) or take back ``user``'s one vote; True when something changed.

    The form says which is wanted rather than toggling, so a double submit cannot undo itself.
    """
    now = now or utcnow()
    if question.author_id == user.id:
        raise QuestionRefused("You cannot vote for your own question.")
    if question.is_hidden:
        raise QuestionRefused("This question was hidden by a moderator.", 404)
    if question.is_answered:
        raise QuestionRefused("This question is already answered, so votes no longer count.")
    _require_open(conference, scheduled, now)
    if not wanted:
        removed = db.session.execute(
            delete(QuestionVote).where(
                QuestionVote.question_id == question.id, QuestionVote.user_id == user.id
            )
        )
        return bool(removed.rowcount)
    if queries.has_voted(question, user.id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(QuestionVote(question_id=question.id, user_id=user.id, created_at=now))
    except IntegrityError:
        return False  # a double submit counted it first
    return True


def delete_question(question: AudienceQuestion, user: User) -> None:
    """The author takes back a question nobody has answered yet."""
    if question.author_id != user.id:
        raise QuestionRefused("Only the person who asked a question can delete it.", 403)
    if question.is_answered:
        raise QuestionRefused("This question is already answered, so it stays on the list.")
    db.session.execute(delete(QuestionVote).where(QuestionVote.question_id == question.id))
    db.session.delete(question)
    db.session.flush()


def _require_shown(question: AudienceQuestion) -> None:
    if question.is_hidden:
        raise QuestionRefused("This question is hidden. Show it again first.")


def mark_answered(question: AudienceQuestion, now: datetime | None = None) -> bool:
    """Move a shown question below the open ones; True when it was open."""
    _require_shown(question)
    if question.is_answered:
        return False
    question.answered_at = now or utcnow()
    db.session.flush()
    return True


def reopen_question(question: AudienceQuestion) -> bool:
    """Put an answered question back among the open ones; True when it was answered."""
    _require_shown(question)
    if not question.is_answered:
        return False
    question.answered_at = None
    db.session.flush()
    return True


def hide_question(question: AudienceQuestion, now: datetime | None = None) -> bool:
    """Take a question off every list but the moderators'; True when it was shown."""
    if question.is_hidden:
        return False
    question.hidden_at = now or utcnow()
    db.session.flush()
    return True


def unhide_question(question: AudienceQuestion) -> bool:
    """Show a hidden question again, where it was (open or answered); True when it was hidden."""
    if not question.is_hidden:
        return False
    question.hidden_at = None
    db.session.flush()
    return True


def save_question_settings(conference: Conference, settings: QuestionSettings) -> bool:
    """Store whether questions are on and the asking window; True when something changed."""
    if not 0 <= settings.opens_minutes_before <= queries.MAX_OPENS_MINUTES_BEFORE:
        raise QuestionRefused(OPENS_BEFORE_RANGE, 400)
    if not 0 <= settings.closes_hours_after <= queries.MAX_CLOSES_HOURS_AFTER:
        raise QuestionRefused(CLOSES_AFTER_RANGE, 400)
    if settings == queries.question_settings(conference):
        return False
    merge_settings(conference, {
        queries.ENABLED_SETTING: settings.enabled,
        queries.OPENS_BEFORE_SETTING: settings.opens_minutes_before,
        queries.CLOSES_AFTER_SETTING: settings.closes_hours_after,
    })
    db.session.flush()
    return True
