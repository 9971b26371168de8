"""Questions organisers add to the call for proposals, and the speakers' answers to them.

Answers are stored as text. When organisers reword a question or change its options, answers
keep the text the speaker chose; one that is no longer among the options is shown marked as
such, never changed or dropped. A question limited to some formats or tracks applies only to
proposals in them. An answer to a question that does not apply to its proposal (the speakers
chose another format or track, or the organisers limited the question since) is kept but set
aside: not required, not shown to reviewers or organisers nor exported, and back on the form,
as given, once the proposal is in one of those formats and tracks again. Only answers that
apply, on proposals the speakers have submitted, tie a question down (its kind, its deletion);
answers in drafts and set-aside answers go with the question. Operations flush; the request
commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, exists, func, or_, select
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
    """The question has answers on submitted proposals, so its kind of answer may not change."""

    def __init__(self, answer_count: int):
        super().__init__(answer_count)
        self.answer_count = answer_count


class QuestionAnswered(Exception):
    """The question has answers on submitted proposals, so it cannot be deleted (retire it
    instead)."""

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


@dataclass(frozen=True)
class AnswerCount:
    """A question's answers: on submitted proposals it applies to, which tie the question down;
    in drafts (never submitted, ``Proposal.speakers_only``), which are the speakers' alone; and
    set aside on submitted proposals it does not apply to (see the module docstring), which
    nobody but their speakers sees."""

    submitted: int = 0
    drafts: int = 0
    set_aside: int = 0


# How an answer counts, for ``_answer_counts_query``.
_SUBMITTED, _IN_DRAFT, _SET_ASIDE = 1, 2, 3


def _answer_counts_query(scope):
    # Each answer's kind in a subquery, counted outside it: an aggregate over EXISTS
    # subqueries is not portable.
    kinds = (
        select(
            CfpAnswer.question_id.label("question_id"),
            case(
                (Proposal.speakers_only, _IN_DRAFT),
                (_answer_applies(), _SUBMITTED),
                else_=_SET_ASIDE,
            ).label("kind"),
        )
        .join(Proposal, Proposal.id == CfpAnswer.proposal_id)
        .where(scope)
        .subquery()
    )

    def counted(kind: int):
        return func.sum(case((kinds.c.kind == kind, 1), else_=0))

    return select(
        kinds.c.question_id, counted(_SUBMITTED), counted(_IN_DRAFT), counted(_SET_ASIDE)
    ).group_by(kinds.c.question_id)


def answer_counts(conference: Conference) -> dict[int, AnswerCount]:
    """Answers per question id (questions nobody answered are absent)."""
    at_conference = CfpAnswer.question_id.in_(
        select(CfpQuestion.id).where(CfpQuestion.conference_id == conference.id)
    )
    return {
        question_id: AnswerCount(int(submitted), int(drafts), int(set_aside))
        for question_id, submitted, drafts, set_aside in db.session.execute(
            _answer_counts_query(at_conference)
        )
    }


def answer_count(question: CfpQuestion) -> AnswerCount:
    row = db.session.execute(_answer_counts_query(CfpAnswer.question_id == question.id)).first()
    return AnswerCount(int(row[1]), int(row[2]), int(row[3])) if row else AnswerCount()


def stored_answers(proposal: Proposal) -> dict[int, str]:
    """The proposal's saved answers by question id."""
    return {answer.question_id: answer.value for answer in proposal.cfp_answers}


def _answer_applies():
    """SQL for ``CfpQuestion.is_asked_of``: the answer's question is asked of its proposal's
    format and track (a question limited to tracks is not asked of a proposal without one)."""
    formats, tracks = cfp_question_session_formats, cfp_question_tracks
    format_limited = exists().where(formats.c.question_id == CfpAnswer.question_id)
    format_matches = exists().where(
        formats.c.question_id == CfpAnswer.question_id,
        formats.c.session_format_id == Proposal.session_format_id,
    )
    track_limited = exists().where(tracks.c.question_id == CfpAnswer.question_id)
    track_matches = exists().where(
        tracks.c.question_id == CfpAnswer.question_id, tracks.c.track_id == Proposal.track_id
    )
    return and_(or_(~format_limited, format_matches), or_(~track_limited, track_matches))


def answers_by_proposal(conference: Conference) -> dict[int, dict[int, str]]:
    """Every answer at the conference to a question that applies to its proposal: proposal id
    -> question id -> answer, in one query."""
    rows = db.session.execute(
        select(CfpAnswer.proposal_id, CfpAnswer.question_id, CfpAnswer.value)
        .join(CfpQuestion, CfpQuestion.id == CfpAnswer.question_id)
        .join(Proposal, Proposal.id == CfpAnswer.proposal_id)
        .where(CfpQuestion.conference_id == conference.id, _answer_applies())
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
    # False for an answer set aside: its question does not apply to the proposal's format and
    # track (see the module docstring). Only the proposal's speakers see it.
    applies: bool = True

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
        ShownAnswer(question, saved[question.id], _applies(question, proposal))
        for question in all_questions
        if question.id in saved
    ]


def _applies(question: CfpQuestion, proposal: Proposal) -> bool:
    return question.is_asked_of(proposal.session_format_id, proposal.track_id)


def set_aside_answers(proposal: Proposal) -> dict[int, str]:
    """The proposal's saved answers to questions that do not apply to it, by question id."""
    return {
        answer.question_id: answer.value
        for answer in proposal.cfp_answers
        if not _applies(answer.question, proposal)
    }


def answer_rows(
    proposal: Proposal,
    all_questions: Iterable[CfpQuestion] | None = None,
    include_set_aside: bool = False,
) -> list[tuple[CfpQuestion, ShownAnswer | None]]:
    """Each question the proposal is asked now or has answered, with its answer (None when
    not answered), for the organisers' pages. Set-aside answers (to questions that do not
    apply to the proposal) are left out unless ``include_set_aside``, for its speakers' page,
    which lists them marked by ``ShownAnswer.applies``."""
    if all_questions is None:
        all_questions = questions(proposal.conference, include_retired=True)
    saved = stored_answers(proposal)
    rows = []
    for question in all_questions:
        applies = _applies(question, proposal)
        if question.id in saved and (applies or include_set_aside):
            rows.append((question, ShownAnswer(question, saved[question.id], applies)))
        elif question.active and applies:
            rows.append((question, None))
    return rows


def answers_for_reviewers(conference: Conference, proposal: Proposal) -> list[ShownAnswer]:
    """The answers reviewers may read: by each question's choice, and never one that could
    reveal the speaker while reviews are anonymised unless organisers said it may be shown;
    only to questions that apply to the proposal's format and track."""
    anonymised = bool(conference.setting("anonymised_review"))
    return [
        answer
        for answer in shown_answers(proposal)
        if answer.applies and answer.question.shown_to_reviewers(anonymised)
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


def _answers_not_tying_down(question: CfpQuestion) -> list[CfpAnswer]:
    """The question's answers in drafts and set aside (see ``AnswerCount``)."""
    return list(
        db.session.scalars(
            select(CfpAnswer)
            .join(Proposal, Proposal.id == CfpAnswer.proposal_id)
            .where(
                CfpAnswer.question_id == question.id,
                or_(Proposal.speakers_only, ~_answer_applies()),
            )
        )
    )


def update_question(question: CfpQuestion, details: QuestionDetails) -> int:
    """Change a question; its kind is fixed once submitted proposals it applies to answered it.
    Changed options leave saved answers as they are (see the module docstring).

    A new kind with answers only in drafts or set aside: those that cannot be an answer of the
    new kind (a text where a choice or yes/no is asked) are removed, as the speaker could
    neither see nor keep them; texts stay, to be edited. Returns how many were removed.
    """
    kind_changes = details.kind is not question.kind
    if kind_changes:
        answered = answer_count(question).submitted
        if answered:
            raise KindLocked(answered)
    _apply(question, question.conference, details)
    removed = 0
    if kind_changes and question.kind in (CfpQuestionKind.CHOICE, CfpQuestionKind.YES_NO):
        for answer in _answers_not_tying_down(question):
            if answer_problem(question, answer.value):
                db.session.delete(answer)
                removed += 1
    db.session.flush()
    return removed


def set_question_active(question: CfpQuestion, active: bool) -> None:
    """Retire (no longer asked, answers kept) or ask again as it is (see ``restore_question``)."""
    question.active = active
    db.session.flush()


def restore_question(
    question: CfpQuestion, session_format_ids: Iterable[int], track_ids: Iterable[int]
) -> None:
    """Ask a retired question again, of the formats and tracks the organisers chose now: one
    retired because its only format or track was deleted has lost that limit (see
    ``forget_scope``), and must not come back asked of every proposal unnoticed."""
    conference = question.conference
    question.session_formats = _scoped(SessionFormat, conference, session_format_ids)
    question.tracks = _scoped(Track, conference, track_ids)
    question.active = True
    db.session.flush()


def move_question(question: CfpQuestion, direction: int) -> None:
    """Swap with the neighbour above (-1) or below (+1); positions are renumbered 1..n."""
    move_one_place(questions(question.conference, include_retired=True), question, direction)
    db.session.flush()


def delete_question(question: CfpQuestion) -> int:
    """Delete a question no submitted proposal it applies to has answered, with its answers in
    drafts and set aside (one with submitted answers must be retired instead). Returns how many
    answers went."""
    answered = answer_count(question).submitted
    if answered:
        raise QuestionAnswered(answered)
    removable = [answer.id for answer in _answers_not_tying_down(question)]
    removed = (
        db.session.execute(delete(CfpAnswer).where(CfpAnswer.id.in_(removable))).rowcount
        if removable
        else 0
    )
    # A draft submitted meanwhile: its answer now ties the question down (the caller's
    # savepoint takes the deletions above back).
    answered = answer_count(question).submitted
    if answered:
        raise QuestionAnswered(answered)
    db.session.delete(question)
    db.session.flush()
    return removed


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
    asked only of it is retired, as it would otherwise be asked of every proposal; asking it
    again means choosing its scope anew (see ``restore_question``)."""
    scoped, attribute, target = _scoped_to(track, session_format)
    for question in scoped:
        remaining = [item for item in getattr(question, attribute) if item.id != target]
        if not remaining:
            question.active = False
        setattr(question, attribute, remaining)
    db.session.flush()


# --- speakers answer -------------------------------------------------------------------------


def save_answers(conference: Conference, proposal: Proposal, answers: Mapping[int, str]) -> None:
    """Store answers to the conference's asked questions (question id -> text; empty removes a
    saved answer). A saved answer to a question not given here stays as it is, and so do
    answers to retired questions.

    An answer to a question that does not apply to the proposal's format and track (set those
    before calling) is stored too, set aside: see the module docstring, and
    ``ProposalForm.answers_set_aside`` for what the speakers are told.

    Nothing is flushed before the answers are in place, so that the proposal's other changes
    and its answers reach the database in one flush: one UPDATE, one step of its version.
    """
    with db.session.no_autoflush:
        asked = {question.id: question for question in questions(conference)}
        unknown = sorted(set(answers) - set(asked))
        if unknown:
            raise ValueError(f"Question {unknown[0]} is not asked at this conference.")
        saved = {answer.question_id: answer for answer in proposal.cfp_answers}
        for question in asked.values():
            existing = saved.get(question.id)
            if question.id not in answers:
                continue
            value = answers[question.id]
            problem = answer_problem(question, value, existing.value if existing else None)
            if problem:
                raise ValueError(f"Answer to question {question.id}: {problem}")
            if not value:
                if existing is not None:
                    proposal.cfp_answers.remove(existing)
            elif existing is None:
                proposal.cfp_answers.append(CfpAnswer(question_id=question.id, value=value))
            else:
                existing.value = value
