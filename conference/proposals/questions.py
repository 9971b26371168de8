"""Questions organisers add to the call for proposals, and the speakers' answers to them.

Answers are stored as text. When organisers reword a question or change its options, answers
keep the text the speaker chose; one that is no longer among the options is shown marked as
such, never changed or dropped. Operations flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.conferences.models import Conference, SessionFormat, Track
from conference.core.ordering import move_one_place
from conference.extensions import db
from conference.proposals.models import (
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    Proposal,
    ReviewerVisibility,
    cfp_question_session_formats,
    cfp_question_tracks,
)

QUESTION_TEXT_MAX = 300
HELP_TEXT_MAX = 1_000
OPTION_MAX = 200
MAX_OPTIONS = 20
SHORT_ANSWER_MAX = 300
LONG_ANSWER_MAX = 5_000
YES, NO = "yes", "no"
YES_NO_LABELS = {YES: "Yes", NO: "No"}
NOT_AN_OPTION_NOTE = "no longer one of the options"


class KindLocked(Exception):
    """The question already has answers, so its kind of answer may not change."""

    def __init__(self, answer_count: int):
        super().__init__(answer_count)
        self.answer_count = answer_count


class QuestionAnswered(Exception):
    """The question has answers, so it cannot be deleted (retire it instead)."""

    def __init__(self, answer_count: int):
        super().__init__(answer_count)
        self.answer_count = answer_count


@dataclass(frozen=True)
class QuestionDetails:
    text: str
    help_text: str
    kind: CfpQuestionKind
    options: tuple[str, ...]  # only for CHOICE questions
    required: bool
    reviewer_visibility: ReviewerVisibility
    session_format_ids: tuple[int, ...] = ()  # none: asked of every format
    track_ids: tuple[int, ...] = ()  # none: asked of every track


# --- reading ---------------------------------------------------------------------------------


def questions(conference: Conference, include_retired: bool = False) -> list[CfpQuestion]:
    """The conference's questions in the order the proposal form asks them."""
    query = (
        select(CfpQuestion)
        .where(CfpQuestion.conference_id == conference.id)
        .options(selectinload(CfpQuestion.session_formats), selectinload(CfpQuestion.tracks))
        .order_by(CfpQuestion.position, CfpQuestion.id)
    )
    if not include_retired:
        query = query.where(CfpQuestion.active.is_(True))
    return list(db.session.scalars(query))


def answer_counts(conference: Conference) -> dict[int, int]:
    """Answers per question id (questions nobody answered are absent)."""
    rows = db.session.execute(
        select(CfpAnswer.question_id, func.count(CfpAnswer.id))
        .join(CfpQuestion, CfpQuestion.id == CfpAnswer.question_id)
        .where(CfpQuestion.conference_id == conference.id)
        .group_by(CfpAnswer.question_id)
    )
    return dict(rows.all())


def answer_count(question: CfpQuestion) -> int:
    return (
        db.session.scalar(
            select(func.count(CfpAnswer.id)).where(CfpAnswer.question_id == question.id)
        )
        or 0
    )


def stored_answers(proposal: Proposal) -> dict[int, str]:
    """The proposal's saved answers by question id."""
    return {answer.question_id: answer.value for answer in proposal.cfp_answers}


def answers_by_proposal(conference: Conference) -> dict[int, dict[int, str]]:
    """Every answer at the conference: proposal id -> question id -> answer, in one query."""
    rows = db.session.execute(
        select(CfpAnswer.proposal_id, CfpAnswer.question_id, CfpAnswer.value)
        .join(CfpQuestion, CfpQuestion.id == CfpAnswer.question_id)
        .where(CfpQuestion.conference_id == conference.id)
    )
    found: dict[int, dict[int, str]] = {}
    for proposal_id, question_id, value in rows:
        found.setdefault(proposal_id, {})[question_id] = value
    return found


def is_current_option(question: CfpQuestion, value: str) -> bool:
    return question.kind is not CfpQuestionKind.CHOICE or value in (question.options or [])


def answer_text(question: CfpQuestion, value: str) -> str:
    """An answer as people read it: "Yes" rather than "yes"."""
    if question.kind is CfpQuestionKind.YES_NO:
        return YES_NO_LABELS.get(value, value)
    return value


def scope_text(question: CfpQuestion) -> str:
    """Which proposals are asked the question, in words; "" when every proposal is."""
    if not question.session_formats and not question.tracks:
        return ""
    formats = " or ".join(session_format.name for session_format in question.session_formats)
    tracks = " or ".join(track.name for track in question.tracks)
    what = f"{formats} proposals" if formats else "proposals"
    where = f" in the {tracks} track" if tracks else ""
    return f"Asked only of {what}{where}."


def readers_text(question: CfpQuestion, anonymised_review: bool) -> str:
    """Who reads the answer, for the speaker answering it."""
    if question.shown_to_reviewers(anonymised_review):
        return "The organisers and the reviewers read the answer."
    return "Only the organisers read the answer."


def answer_problem(question: CfpQuestion, value: str, stored: str | None = None) -> str | None:
    """Why ``value`` cannot be saved as the answer to ``question``; None when it can.

    ``stored`` is the answer saved before: a choice the organisers have since removed from the
    options may be kept as it is, but not chosen anew.
    """
    if not value:
        return None
    limit = {
        CfpQuestionKind.SHORT_TEXT: SHORT_ANSWER_MAX,
        CfpQuestionKind.LONG_TEXT: LONG_ANSWER_MAX,
    }.get(question.kind)
    if limit is not None and len(value) > limit:
        return f"Keep the answer under {limit:,} characters (this one has {len(value):,})."
    # A choice since removed from the options may be kept, not chosen anew.
    if not is_current_option(question, value) and value != stored:
        return "Choose one of the options."
    if question.kind is CfpQuestionKind.YES_NO and value not in YES_NO_LABELS:
        return "Answer yes or no."
    return None


@dataclass(frozen=True)
class ShownAnswer:
    """A saved answer as a page shows it."""

    question: CfpQuestion
    value: str

    @property
    def text(self) -> str:
        return answer_text(self.question, self.value)

    @property
    def not_an_option(self) -> bool:
        return not is_current_option(self.question, self.value)

    @property
    def retired(self) -> bool:
        return not self.question.active


def shown_answers(
    proposal: Proposal, all_questions: Iterable[CfpQuestion] | None = None
) -> list[ShownAnswer]:
    """The proposal's saved answers in the form's order, answers to retired questions included."""
    if all_questions is None:
        all_questions = questions(proposal.conference, include_retired=True)
    saved = stored_answers(proposal)
    return [
        ShownAnswer(question, saved[question.id])
        for question in all_questions
        if question.id in saved
    ]


def answer_rows(
    proposal: Proposal, all_questions: Iterable[CfpQuestion] | None = None
) -> list[tuple[CfpQuestion, ShownAnswer | None]]:
    """Each question the proposal is asked now or has answered, with its answer (None when
    not answered), for the speakers' and organisers' pages."""
    if all_questions is None:
        all_questions = questions(proposal.conference, include_retired=True)
    saved = stored_answers(proposal)
    return [
        (question, ShownAnswer(question, saved[question.id]) if question.id in saved else None)
        for question in all_questions
        if question.id in saved
        or (question.active and question.is_asked_of(proposal.session_format_id, proposal.track_id))
    ]


def answers_for_reviewers(conference: Conference, proposal: Proposal) -> list[ShownAnswer]:
    """The answers reviewers may read: by each question's choice, and never one that could
    reveal the speaker while reviews are anonymised unless organisers said it may be shown."""
    anonymised = bool(conference.setting("anonymised_review"))
    return [
        answer
        for answer in shown_answers(proposal)
        if answer.question.shown_to_reviewers(anonymised)
    ]


# --- organisers change the questions ---------------------------------------------------------


def _scoped(model, conference: Conference, ids: Iterable[int]) -> list:
    """The rows of ``model`` with these ids at this conference (ids elsewhere are ignored)."""
    wanted = set(ids)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(model).where(model.id.in_(wanted), model.conference_id == conference.id)
        )
    )


def _apply(question: CfpQuestion, conference: Conference, details: QuestionDetails) -> None:
    question.text = details.text
    question.help_text = details.help_text
    question.kind = details.kind
    question.options = list(details.options) if details.kind is CfpQuestionKind.CHOICE else []
    question.required = details.required
    question.reviewer_visibility = details.reviewer_visibility
    question.session_formats = _scoped(SessionFormat, conference, details.session_format_ids)
    question.tracks = _scoped(Track, conference, details.track_ids)


def create_question(conference: Conference, details: QuestionDetails) -> CfpQuestion:
    """Add a question at the end of the proposal form."""
    last = db.session.scalar(
        select(func.max(CfpQuestion.position)).where(CfpQuestion.conference_id == conference.id)
    )
    question = CfpQuestion(conference_id=conference.id, position=(last or 0) + 1, active=True)
    _apply(question, conference, details)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: CfpQuestion, details: QuestionDetails) -> None:
    """Change a question; its kind is fixed once it has answers. Changed options leave saved
    answers as they are (see the module docstring)."""
    if details.kind is not question.kind:
        answered = answer_count(question)
        if answered:
            raise KindLocked(answered)
    _apply(question, question.conference, details)
    db.session.flush()


def set_question_active(question: CfpQuestion, active: bool) -> None:
    """Retire (no longer asked, answers kept) or ask again."""
    question.active = active
    db.session.flush()


def move_question(question: CfpQuestion, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 1..n."""
    move_one_place(questions(question.conference, include_retired=True), question, direction)
    db.session.flush()


def delete_question(question: CfpQuestion) -> None:
    """Delete a question nobody has answered; one with answers must be retired instead."""
    answered = answer_count(question)
    if answered:
        raise QuestionAnswered(answered)
    db.session.delete(question)
    db.session.flush()


def _scoped_to(track: Track | None, session_format: SessionFormat | None):
    """The questions scoped to ``track`` or ``session_format``, and which scope list holds it."""
    if track is not None:
        table, column, target, attribute = (
            cfp_question_tracks, cfp_question_tracks.c.track_id, track.id, "tracks"
        )
    else:
        table, column, target, attribute = (
            cfp_question_session_formats,
            cfp_question_session_formats.c.session_format_id,
            session_format.id,
            "session_formats",
        )
    scoped = db.session.scalars(
        select(CfpQuestion)
        .join(table, table.c.question_id == CfpQuestion.id)
        .where(column == target)
        .order_by(CfpQuestion.position, CfpQuestion.id)
    )
    return list(scoped), attribute, target


def questions_only_for(
    track: Track | None = None, session_format: SessionFormat | None = None
) -> list[CfpQuestion]:
    """Asked questions whose only track (or format) is this one."""
    scoped, attribute, target = _scoped_to(track, session_format)
    return [
        question for question in scoped
        if question.active and all(item.id == target for item in getattr(question, attribute))
    ]


def forget_scope(track: Track | None = None, session_format: SessionFormat | None = None) -> None:
    """Before a track or format is deleted: take it out of every question's scope. A question
    asked only of it is retired, as it would otherwise be asked of every proposal."""
    scoped, attribute, target = _scoped_to(track, session_format)
    for question in scoped:
        remaining = [item for item in getattr(question, attribute) if item.id != target]
        if not remaining:
            question.active = False
        setattr(question, attribute, remaining)
    db.session.flush()


# --- speakers answer -------------------------------------------------------------------------


def save_answers(conference: Conference, proposal: Proposal, answers: Mapping[int, str]) -> None:
    """Store answers to the questions asked now (question id -> text; empty removes a saved
    answer). Answers to questions not given here, such as retired ones, stay as they are.

    Nothing is flushed before the answers are in place, so that the proposal's other changes
    and its answers reach the database in one flush: one UPDATE, one step of its version.
    """
    if not answers:
        return
    with db.session.no_autoflush:
        asked = {question.id: question for question in questions(conference)}
        saved = {answer.question_id: answer for answer in proposal.cfp_answers}
        for question_id, value in answers.items():
            question = asked.get(question_id)
            if question is None:
                raise ValueError(f"Question {question_id} is not asked at this conference.")
            existing = saved.get(question_id)
            problem = answer_problem(question, value, existing.value if existing else None)
            if problem:
                raise ValueError(f"Answer to question {question_id}: {problem}")
            if not value:
                if existing is not None:
                    proposal.cfp_answers.remove(existing)
            elif existing is None:
                proposal.cfp_answers.append(CfpAnswer(question_id=question_id, value=value))
            else:
                existing.value = value
