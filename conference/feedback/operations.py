"""Changes in the feedback area: questions, settings, responses, reminders. Operations flush;
the request (or the CLI command, or the huey task) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from conference.accounts.models import User
from conference.activity.models import ActivityAction
from conference.activity.operations import record
from conference.conferences.models import Conference
from conference.conferences.settings import merge_settings
from conference.core.ordering import move_one_place
from conference.core.timezones import span_text
from conference.core.types import utcnow
from conference.extensions import db
from conference.feedback import queries
from conference.feedback.models import (
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    QuestionKind,
)
from conference.feedback.queries import FeedbackState
from conference.feeds.links import public_base_url
from conference.interest.models import InterestMark
from conference.interest.operations import PUBLIC_STATES
from conference.mail.models import OutboxMessage
from conference.mail.operations import queue_email
from conference.mail.templates import DEFAULT_TEMPLATES, TemplateProblem, render_email, render_text
from conference.proposals.models import Proposal, ProposalSpeaker
from conference.schedule.models import ScheduledTalk, ScheduleVersion
from conference.schedule.versions import latest_published

REMINDER_KIND = "feedback_reminder"
REMINDER_KEY_PREFIX = "feedback-reminder:"
# Callers commit after each batch, so a big first run never holds one long write transaction.
REMINDER_BATCH = 500


@dataclass(frozen=True)
class QuestionDetails:
    prompt: str
    kind: QuestionKind
    required: bool


# Used when a conference has no questions at all (see ensure_default_questions).
DEFAULT_QUESTIONS = (
    QuestionDetails("How useful was this talk for you?", QuestionKind.RATING, True),
    QuestionDetails("How clear was the presentation?", QuestionKind.RATING, True),
    QuestionDetails("How well did the talk match its abstract?", QuestionKind.RATING, False),
    QuestionDetails("What was the most valuable thing you learnt?", QuestionKind.TEXT, False),
)


class KindLocked(Exception):
    """The question already has answers, so whether it is a rating or a text may not change."""

    def __init__(self, answer_count: int):
        super().__init__(answer_count)
        self.answer_count = answer_count


class FeedbackRefused(Exception):
    """This person may not give feedback on this talk now; ``state`` says why."""

    def __init__(self, state: FeedbackState):
        super().__init__(state.value)
        self.state = state


class StaleFeedback(Exception):
    """The response was saved (perhaps in another tab) since the form was loaded."""


# --- questions ------------------------------------------------------------------------------


def ensure_default_questions(conference: Conference) -> list[FeedbackQuestion]:
    """The active questions; a conference that never had any first gets DEFAULT_QUESTIONS."""
    if _question_count(conference):
        return queries.questions(conference)
    # Lock the conference row so two first uses at once cannot both add the defaults.
    db.session.execute(
        select(Conference.id).where(Conference.id == conference.id).with_for_update()
    )
    if not _question_count(conference):
        for position, details in enumerate(DEFAULT_QUESTIONS, start=1):
            db.session.add(_new_question(conference, details, position))
        db.session.flush()
    return queries.questions(conference)


def _question_count(conference: Conference) -> int:
    return (
        db.session.scalar(
            select(func.count(FeedbackQuestion.id)).where(
                FeedbackQuestion.conference_id == conference.id
            )
        )
        or 0
    )


def _new_question(
    conference: Conference, details: QuestionDetails, position: int
) -> FeedbackQuestion:
    return FeedbackQuestion(
        conference_id=conference.id,
        prompt=details.prompt,
        kind=details.kind,
        required=details.required,
        position=position,
        active=True,
    )


def create_question(conference: Conference, details: QuestionDetails) -> FeedbackQuestion:
    """Add a question at the end of the form."""
    last = db.session.scalar(
        select(func.max(FeedbackQuestion.position)).where(
            FeedbackQuestion.conference_id == conference.id
        )
    )
    question = _new_question(conference, details, (last or 0) + 1)
    db.session.add(question)
    db.session.flush()
    return question


def answer_count(question: FeedbackQuestion) -> int:
    return (
        db.session.scalar(
            select(func.count(FeedbackAnswer.id)).where(FeedbackAnswer.question_id == question.id)
        )
        or 0
    )


def update_question(question: FeedbackQuestion, details: QuestionDetails) -> None:
    """Change the wording, kind or requiredness; the kind is fixed once there are answers."""
    if details.kind is not question.kind:
        answered = answer_count(question)
        if answered:
            raise KindLocked(answered)
    question.prompt = details.prompt
    question.kind = details.kind
    question.required = details.required
    db.session.flush()


def set_question_active(question: FeedbackQuestion, active: bool) -> None:
    """Retire (no longer asked, answers kept) or bring back a question."""
    question.active = active
    db.session.flush()


def move_question(question: FeedbackQuestion, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 1..n."""
    move_one_place(queries.questions(question.conference, include_retired=True), question, direction)
    db.session.flush()


def set_edit_days(conference: Conference, days: int) -> None:
    """How many days after a talk's end feedback can be given and changed."""
    merge_settings(conference, {queries.EDIT_DAYS_SETTING: int(days)})
    db.session.flush()


# --- responses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    ratings: dict[int, int | None]  # rating question id -> 1..5, None when left out
    texts: dict[int, str]  # text question id -> the answer, "" when left out
    comment: str
    lock_version: int  # the version the form was loaded from; 0 for a new response


def _apply(response: FeedbackResponse, data: FeedbackInput, now: datetime) -> None:
    response.comment = data.comment
    # Always touch the row so its version moves even when only answers change.
    response.updated_at = now
    by_question = {answer.question_id: answer for answer in response.answers}
    wanted: dict[int, tuple[int | None, str]] = {}
    wanted.update({qid: (rating, "") for qid, rating in data.ratings.items() if rating is not None})
    wanted.update({qid: (None, text) for qid, text in data.texts.items() if text})
    asked = set(data.ratings) | set(data.texts)
    for question_id in asked:
        answer = by_question.get(question_id)
        if question_id not in wanted:
            if answer is not None:
                response.answers.remove(answer)
            continue
        rating, text = wanted[question_id]
        if answer is None:
            response.answers.append(
                FeedbackAnswer(question_id=question_id, rating=rating, text=text)
            )
        else:
            answer.rating, answer.text = rating, text
    # Answers to retired questions are not in ``asked`` and stay as they were.


def save_feedback(
    conference: Conference,
    slot: ScheduledTalk,
    user: User,
    data: FeedbackInput,
    now: datetime | None = None,
) -> FeedbackResponse:
    """Create or update ``user``'s one response on the talk; a stale edit raises StaleFeedback."""
    now = now or utcnow()
    status = queries.feedback_status(conference, slot, user, now)
    if status.state is not FeedbackState.OPEN:
        raise FeedbackRefused(status.state)
    response = status.response
    if response is None:
        try:
            with db.session.begin_nested():
                response = FeedbackResponse(
                    conference_id=conference.id, proposal_id=slot.proposal_id, user_id=user.id
                )
                db.session.add(response)
                _apply(response, data, now)
                db.session.flush()
            return response
        except IntegrityError:
            # A double submit created it in the meantime: this save updates that one.
            response = queries.response_of(slot.proposal_id, user.id)
            if response is None:
                raise
            data = FeedbackInput(data.ratings, data.texts, data.comment, 0)
    # A form loaded before the response existed (version 0) is the same person's double submit.
    if data.lock_version not in (0, response.lock_version):
        raise StaleFeedback
    try:
        with db.session.begin_nested():
            _apply(response, data, now)
            db.session.flush()
    except StaleDataError as error:
        raise StaleFeedback from error
    return response


# --- reminders ------------------------------------------------------------------------------


def reminder_dedupe_key(proposal_id: int, user_id: int) -> str:
    return f"{REMINDER_KEY_PREFIX}{proposal_id}:user:{user_id}"


def feedback_link(conference: Conference, proposal_id: int) -> str:
    """Absolute link to the feedback form, built from the ``feedback.give`` rule."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("feedback.give", {"slug": conference.slug, "proposal_id": proposal_id})
    return public_base_url() + path


def _reminder_candidates(
    conference: Conference, version: ScheduleVersion, now: datetime, limit: int | None
):
    """(scheduled talk, user) of ended talks still open for feedback, starred by a non-speaker
    who has not answered yet."""
    earliest_end = now - timedelta(days=queries.edit_days(conference))
    spoken = exists().where(
        ProposalSpeaker.proposal_id == ScheduledTalk.proposal_id,
        ProposalSpeaker.user_id == InterestMark.user_id,
        ProposalSpeaker.invitation_state.in_(queries.SPEAKING_STATES),
    )
    answered = exists().where(
        FeedbackResponse.proposal_id == ScheduledTalk.proposal_id,
        FeedbackResponse.user_id == InterestMark.user_id,
    )
    # The same key reminder_dedupe_key builds, so a rerun skips sent ones via the unique index.
    dedupe_key = (
        literal(REMINDER_KEY_PREFIX)
        + cast(ScheduledTalk.proposal_id, String)
        + literal(":user:")
        + cast(InterestMark.user_id, String)
    )
    reminded = exists().where(OutboxMessage.dedupe_key == dedupe_key)
    return db.session.execute(
        select(ScheduledTalk, User)
        .join(Proposal, Proposal.id == ScheduledTalk.proposal_id)
        .join(InterestMark, InterestMark.proposal_id == ScheduledTalk.proposal_id)
        .join(User, User.id == InterestMark.user_id)
        .where(
            ScheduledTalk.version_id == version.id,
            Proposal.conference_id == conference.id,
            Proposal.state.in_(PUBLIC_STATES),
            ScheduledTalk.ends_at <= now,
            ScheduledTalk.ends_at > earliest_end,
            ~spoken,
            ~answered,
            ~reminded,
        )
        .order_by(ScheduledTalk.ends_at, ScheduledTalk.id, User.id)
        .limit(limit)
        .options(selectinload(ScheduledTalk.proposal))
    ).all()


def _reminder_text(conference: Conference, context: dict) -> tuple[str, str]:
    try:
        return render_email(conference.id, REMINDER_KIND, context)
    except TemplateProblem:
        # The organisers' wording uses a placeholder reminders do not have: the default still
        # reaches people, and the e-mail templates page shows the problem when they edit it.
        current_app.logger.warning(
            "Feedback reminder template of %s does not render", conference.slug
        )
        default = DEFAULT_TEMPLATES[REMINDER_KIND]
        return render_text(default.subject, default.body, context)


def queue_conference_reminders(
    conference: Conference, now: datetime | None = None, limit: int | None = None
) -> int:
    """Queue one reminder per attendee and ended starred talk (at most ``limit``); returns how
    many were new. Already reminded pairs are skipped, so calling again continues the work."""
    now = now or utcnow()
    version = latest_published(conference.id)
    if version is None:
        return 0
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    reminded: dict[int, tuple[Proposal, int]] = {}  # by proposal id: the talk, how many attendees
    for slot, user in _reminder_candidates(conference, version, now, limit):
        # Rendered once per talk and zone: each attendee reads the time in their own zone, named.
        text_key = (slot.proposal_id, user.time_zone)
        if text_key not in texts:
            # With offsets on a day the clocks change, as the agenda shows it: 01:00 may come twice.
            when = f"{span_text(slot.starts_at, slot.ends_at, user.time_zone)} {user.time_zone}"
            texts[text_key] = _reminder_text(
                conference,
                {
                    "title": slot.proposal.title,
                    "conference": conference.name,
                    "when": when,
                    "link": feedback_link(conference, slot.proposal_id),
                },
            )
        subject, body = texts[text_key]
        queue_email(
            user.email,
            subject,
            body,
            dedupe_key=reminder_dedupe_key(slot.proposal_id, user.id),
            conference_id=conference.id,
        )
        reminded[slot.proposal_id] = (slot.proposal, reminded.get(slot.proposal_id, (None, 0))[1] + 1)
    # One entry per talk and call, by the system (the periodic task sends these; nobody asks for
    # them): a talk whose reminders span two batches of a run gets an entry for each batch.
    for proposal, count in reminded.values():
        record(conference, ActivityAction.FEEDBACK_REMINDERS_QUEUED, proposal=proposal, actor=None,
               details={"count": count})
    db.session.flush()
    return sum(count for _, count in reminded.values())


def queue_feedback_reminders(now: datetime | None = None, limit: int | None = None) -> int:
    """Queue reminders at every conference with a published schedule, at most ``limit`` of them;
    returns how many."""
    conference_ids = db.session.scalars(
        select(ScheduleVersion.conference_id)
        .where(ScheduleVersion.is_draft.is_(False), ScheduleVersion.number.is_not(None))
        .distinct()
    ).all()
    total = 0
    for conference_id in conference_ids:
        remaining = None if limit is None else limit - total
        if remaining == 0:
            break
        conference = db.session.get(Conference, conference_id)
        if conference is not None:
            total += queue_conference_reminders(conference, now, remaining)
    return total


def queue_all_feedback_reminders(now: datetime | None = None) -> int:
    """Queue every due reminder, committing after each batch; for the CLI and the huey task."""
    now = now or utcnow()
    total = 0
    while True:
        queued = queue_feedback_reminders(now, limit=REMINDER_BATCH)
        db.session.commit()
        total += queued
        if queued < REMINDER_BATCH:
            return total
