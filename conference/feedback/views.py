"""Attendees rate talks they attended; speakers and organisers read the anonymous aggregates.

Attendee pages load talks only through ``queries.published_slot`` (a public talk of the newest
published version at this conference), so any other id is a 404. Speaker pages show only the
current user's own talks. Organiser pages require the ORGANISER role at the conference and load
every object scoped to it.
"""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from conference.conferences.access import conference_with_role, load_conference, load_scoped
from conference.conferences.models import Conference, Role
from conference.core.forms import ConfirmForm, require_confirm_form
from conference.core.timezones import instant_text
from conference.core.types import utcnow
from conference.core.web import viewer_time_zone
from conference.extensions import db, limiter
from conference.feedback import operations, queries
from conference.feedback.forms import (
    EditDaysForm,
    QuestionForm,
    answer_field_name,
    feedback_form_class,
)
from conference.feedback.models import FeedbackQuestion, FeedbackResponse, QuestionKind
from conference.feedback.queries import FeedbackState, FeedbackStatus
from conference.feedback.statistics import EMPTY_DISTRIBUTION
from conference.proposals.models import Proposal
from conference.schedule.models import ScheduledTalk

# Commands such as ``flask send-feedback-reminders`` sit at the top level, not under "feedback".
blueprint = Blueprint("feedback", __name__, cli_group=None)
# Saving feedback is cheap but should not be scripted; RATELIMIT_FEEDBACK overrides the default.
DEFAULT_FEEDBACK_LIMIT = "30 per minute"


def _feedback_limit() -> str:
    return current_app.config.get("RATELIMIT_FEEDBACK") or DEFAULT_FEEDBACK_LIMIT


def _feedback_limit_key() -> str:
    # Per person, not per address: a whole office behind one NAT rates talks at the same time.
    if current_user.is_authenticated:
        return f"feedback:user:{current_user.id}"
    return f"feedback:address:{request.remote_addr}"


def _user():
    return current_user._get_current_object()


def _when(instant) -> str:
    """An instant in the viewer's zone, with the zone named (and the offset on a day the clocks
    change: the feedback period may end at an 01:30 that comes twice)."""
    zone_name = viewer_time_zone()
    return f"{instant_text(instant, zone_name)} ({zone_name})"


# --- attendees ------------------------------------------------------------------------------


def _state_message(status: FeedbackStatus) -> str | None:
    window = status.window
    if status.state is FeedbackState.NOT_ENDED:
        return f"You can rate this talk once it has ended, at {_when(window.opens_at)}."
    if status.state is FeedbackState.OWN_TALK:
        return (
            "You are a speaker of this talk, so you cannot rate it. "
            "Its results are in your speaker area under Feedback."
        )
    if status.state is FeedbackState.CLOSED:
        ended = (
            "You can no longer change your feedback" if status.response else "Feedback is closed"
        )
        return f"{ended}: the feedback period for this talk ended at {_when(window.closes_at)}."
    return None


def _form_data(response: FeedbackResponse | None) -> dict:
    if response is None:
        return {"lock_version": "0"}
    data: dict = {"lock_version": str(response.lock_version), "comment": response.comment}
    for answer in response.answers:
        data[f"answer_{answer.question_id}"] = (
            answer.rating if answer.rating is not None else answer.text
        )
    return data


def _answers_by_question(conference: Conference, response: FeedbackResponse | None):
    """(question, shown answer) of a saved response, for read-only display."""
    if response is None:
        return []
    by_id = {answer.question_id: answer for answer in response.answers}
    shown = []
    for question in queries.questions(conference, include_retired=True):
        answer = by_id.get(question.id)
        if answer is not None:
            value = answer.rating if question.kind is QuestionKind.RATING else answer.text
            shown.append((question, value))
    return shown


def _render_give(conference, slot, status, form=None, http_status=200, conflict=None, saved=None):
    return (
        render_template(
            "feedback/give.html",
            conference=conference,
            slot=slot,
            talk=slot.proposal,
            status=status,
            state_message=_state_message(status),
            form=form,
            answers=_answers_by_question(conference, status.response),
            saved_answers=_answers_by_question(conference, saved) if saved is not None else None,
            saved=saved,
            conflict_message=conflict,
            answer_field_name=answer_field_name,
        ),
        http_status,
    )


def _published_slot_or_404(conference: Conference, proposal_id: int) -> ScheduledTalk:
    slot = queries.published_slot(conference, proposal_id)
    if slot is None:
        abort(404)
    return slot


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/feedback", methods=["GET", "POST"])
@limiter.limit(_feedback_limit, key_func=_feedback_limit_key, methods=["POST"])
@login_required
def give(slug: str, proposal_id: int):
    conference = load_conference(slug)
    slot = _published_slot_or_404(conference, proposal_id)
    user = _user()
    status = queries.feedback_status(conference, slot, user)
    if status.state is not FeedbackState.OPEN:
        # Speakers, early and late visitors see why; a POST from them changes nothing.
        refused = request.method == "POST" or status.state is FeedbackState.OWN_TALK
        return _render_give(conference, slot, status, http_status=403 if refused else 200)
    form_class = feedback_form_class(operations.ensure_default_questions(conference))
    form = form_class(data=_form_data(status.response))
    if form.validate_on_submit():
        data = operations.FeedbackInput(
            ratings=form.ratings(),
            texts=form.texts(),
            comment=form.comment.data or "",
            lock_version=form.submitted_lock_version(),
        )
        try:
            operations.save_feedback(conference, slot, user, data)
        except operations.StaleFeedback:
            db.session.rollback()
            current = queries.response_of(slot.proposal_id, user.id)
            # Keep the attendee's input; saving again replaces the newer saved version.
            form.lock_version.data = str(current.lock_version) if current else "0"
            return _render_give(
                conference,
                slot,
                queries.feedback_status(conference, slot, user),
                form,
                http_status=409,
                conflict=(
                    "Your feedback was changed (perhaps in another tab) after you opened this "
                    "page. Your input is kept below and the saved version is shown for "
                    "comparison; save again to replace it."
                ),
                saved=current,
            )
        except operations.FeedbackRefused as refusal:
            db.session.rollback()
            refused_status = FeedbackStatus(refusal.state, status.window, status.response)
            return _render_give(conference, slot, refused_status, http_status=403)
        flash(
            "Thank you, your feedback is saved. You can change it until "
            f"{_when(status.window.closes_at)}.",
            "success",
        )
        return redirect(
            url_for("feedback.give", slug=conference.slug, proposal_id=slot.proposal_id)
        )
    http_status = 400 if request.method == "POST" else 200
    return _render_give(conference, slot, status, form, http_status=http_status)


@blueprint.app_template_global()
def talk_feedback(conference: Conference, scheduled: ScheduledTalk) -> dict:
    """What the talk page's feedback box shows for the current viewer."""
    status = queries.feedback_status(conference, scheduled, current_user)
    return {
        "state": status.state.value,
        "answered": status.response is not None,
        "opens_at": status.window.opens_at,
        "closes_at": status.window.closes_at,
        "url": url_for("feedback.give", slug=conference.slug, proposal_id=scheduled.proposal_id),
        "results_url": url_for("feedback.my_results", slug=conference.slug),
        "logged_in": current_user.is_authenticated,
    }


# --- speakers -------------------------------------------------------------------------------


@blueprint.route("/c/<slug>/speaker/feedback")
@login_required
def my_results(slug: str):
    conference = load_conference(slug)
    talks = queries.speaker_talks(conference, _user())
    return render_template(
        "feedback/speaker_results.html",
        conference=conference,
        results=queries.talk_results(conference, talks),
        minimum=queries.MIN_RESPONSES_FOR_SPEAKERS,
    )


# --- organisers: results --------------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/feedback/")
def overview(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "feedback/overview.html",
        conference=conference,
        overview=queries.organiser_overview(conference),
        empty=EMPTY_DISTRIBUTION,
    )


@blueprint.route("/c/<slug>/manage/feedback/talks/<int:proposal_id>")
def talk_results(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    proposal = load_scoped(Proposal, conference, proposal_id)
    if proposal.speakers_only:
        # A draft belongs to its speakers alone until it is submitted, and has no feedback.
        abort(404)
    (results,) = queries.talk_results(conference, [proposal])
    return render_template(
        "feedback/organiser_talk.html",
        conference=conference,
        results=results,
        slot=queries.published_slot(conference, proposal.id),
    )


# --- organisers: questions and settings -----------------------------------------------------


def _render_questions(conference, question_form=None, settings_form=None, status=200, error=None):
    all_questions = queries.questions(conference, include_retired=True)
    return (
        render_template(
            "feedback/questions.html",
            conference=conference,
            questions=all_questions,
            answer_counts=queries.answer_counts(conference),
            question_form=question_form or QuestionForm(formdata=None),
            settings_form=settings_form
            or EditDaysForm(formdata=None, data={"edit_days": queries.edit_days(conference)}),
            action_form=ConfirmForm(formdata=None),
            default_edit_days=queries.DEFAULT_EDIT_DAYS,
            error=error,
        ),
        status,
    )


def _details(form: QuestionForm) -> operations.QuestionDetails | None:
    try:
        kind = QuestionKind(form.kind.data)
    except ValueError:
        return None
    return operations.QuestionDetails(form.prompt.data, kind, bool(form.required.data))


@blueprint.route("/c/<slug>/manage/feedback/questions")
def questions(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    # The defaults are created the first time organisers look, so they can be edited at once.
    operations.ensure_default_questions(conference)
    return _render_questions(conference)


@blueprint.route("/c/<slug>/manage/feedback/questions/new", methods=["POST"])
def new_question(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = QuestionForm()
    details = _details(form) if form.validate_on_submit() else None
    if details is None:
        return _render_questions(conference, question_form=form, status=400)
    operations.create_question(conference, details)
    flash(f"Question “{details.prompt}” added.", "success")
    return redirect(url_for("feedback.questions", slug=conference.slug))


@blueprint.route(
    "/c/<slug>/manage/feedback/questions/<int:question_id>/edit", methods=["GET", "POST"]
)
def edit_question(slug: str, question_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    question = load_scoped(FeedbackQuestion, conference, question_id)
    form = QuestionForm(
        data={"prompt": question.prompt, "kind": question.kind.value, "required": question.required}
    )
    details = _details(form) if form.validate_on_submit() else None
    if details is not None:
        try:
            with db.session.begin_nested():
                operations.update_question(question, details)
        except operations.KindLocked as locked:
            form.kind.errors.append(
                f"This question already has {locked.answer_count} "
                f"answer{'s' if locked.answer_count != 1 else ''}, so its kind cannot change. "
                "Retire it and add a new question instead."
            )
        else:
            flash(f"Question “{question.prompt}” saved.", "success")
            return redirect(url_for("feedback.questions", slug=conference.slug))
    status = 400 if form.errors else 200
    return render_template(
        "feedback/question_form.html", conference=conference, form=form, question=question
    ), status


def _question_action(slug: str, question_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    question = load_scoped(FeedbackQuestion, conference, question_id)
    require_confirm_form()
    return conference, question


@blueprint.route("/c/<slug>/manage/feedback/questions/<int:question_id>/retire", methods=["POST"])
def retire_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    operations.set_question_active(question, False)
    flash(f"“{question.prompt}” is retired: no longer asked, its answers are kept.", "success")
    return redirect(url_for("feedback.questions", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/feedback/questions/<int:question_id>/restore", methods=["POST"])
def restore_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    operations.set_question_active(question, True)
    flash(f"“{question.prompt}” is asked again.", "success")
    return redirect(url_for("feedback.questions", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/feedback/questions/<int:question_id>/move", methods=["POST"])
def move_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if direction is None:
        abort(400, description="Move a question up or down.")
    operations.move_question(question, direction)
    return redirect(url_for("feedback.questions", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/feedback/settings", methods=["POST"])
def save_settings(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = EditDaysForm()
    if not form.validate_on_submit():
        return _render_questions(conference, settings_form=form, status=400)
    operations.set_edit_days(conference, form.edit_days.data)
    flash(
        f"Feedback can now be given and changed for {form.edit_days.data} days after each talk.",
        "success",
    )
    return redirect(url_for("feedback.questions", slug=conference.slug))


# --- command line ---------------------------------------------------------------------------


@blueprint.cli.command("send-feedback-reminders")
def send_feedback_reminders_command() -> None:
    """Queue one feedback reminder per attendee and starred talk that has ended (idempotent)."""
    queued = operations.queue_all_feedback_reminders(utcnow())
    click.echo(
        f"Queued {queued} feedback reminder{'s' if queued != 1 else ''}; "
        "the mail worker sends them (or run flask send-mail)."
    )
