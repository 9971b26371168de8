"""Live audience questions on a published talk: the list, asking and voting, moderation, the
room's screen and the speaker's CSV.

Talks are loaded only through ``agenda.queries.find_published_talk`` (a public talk of the
newest published version of this conference), so any other id is a 404; questions only among
that talk's, so another talk's question is a 404 too, and so is a hidden one for anyone but a
moderator. Moderators are the conference's organisers and the talk's accepted speakers
(``queries.viewer_of``); every moderation handler checks that through ``_moderated``.
"""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from conference.agenda.queries import AgendaTalk, find_published_talk
from conference.conferences.access import load_conference
from conference.conferences.models import Conference
from conference.core.forms import ConfirmForm, require_confirm_form
from conference.core.timezones import instant_text
from conference.core.types import utcnow
from conference.core.web import viewer_time_zone
from conference.decisions.export import safe_cell
from conference.extensions import db, limiter, login_manager
from conference.feeds.links import public_base_url
from conference.questions import operations, queries
from conference.questions.forms import VOTE, AskForm, VoteForm
from conference.questions.models import AudienceQuestion
from conference.questions.queries import AskingState, Viewer

blueprint = Blueprint("questions", __name__)
# How often the list and the room's screen fetch the newest questions.
REFRESH_SECONDS = 10
# Asking is cheap but should not be scripted; RATELIMIT_QUESTIONS overrides the default.
DEFAULT_QUESTIONS_LIMIT = "5 per minute; 40 per hour"


def _questions_limit() -> str:
    return current_app.config.get("RATELIMIT_QUESTIONS") or DEFAULT_QUESTIONS_LIMIT


def _questions_limit_key() -> str:
    # Per person, not per address: a whole hub behind one NAT asks during the same talk.
    if current_user.is_authenticated:
        return f"questions:user:{current_user.id}"
    return f"questions:address:{request.remote_addr}"


@blueprint.after_request
def never_cached(response):
    # Live, per-viewer lists: no browser or proxy may keep a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _user():
    return current_user._get_current_object()


def _when(instant) -> str:
    """An instant in the viewer's zone with the zone named (and the offset on a day the clocks change)."""
    zone_name = viewer_time_zone()
    return f"{instant_text(instant, zone_name)} ({zone_name})"


def _talk(slug: str, proposal_id: int) -> tuple[Conference, AgendaTalk, Viewer]:
    conference = load_conference(slug)
    talk = find_published_talk(conference, proposal_id, viewer_time_zone())
    if talk is None:
        abort(404)
    return conference, talk, queries.viewer_of(conference, talk.proposal, current_user)


def _moderated(slug: str, proposal_id: int) -> tuple[Conference, AgendaTalk, Viewer]:
    """The talk, for its accepted speakers and the conference's organisers only."""
    conference, talk, viewer = _talk(slug, proposal_id)
    if not viewer.logged_in:
        abort(login_manager.unauthorized())
    if not viewer.moderator:
        abort(403, description="Only the talk's speakers and the organisers moderate its questions.")
    return conference, talk, viewer


GONE = "This question is no longer on the list: it was deleted or hidden."


def _question(talk: AgendaTalk, viewer: Viewer, question_id: int) -> AudienceQuestion | None:
    """The talk's question, if this viewer may see it: hidden ones only for moderators."""
    question = queries.find_question(talk.proposal.id, question_id)
    if question is None or (question.is_hidden and not viewer.moderator):
        return None
    return question


def _window_message(state: AskingState, window: queries.AskingWindow) -> str:
    if state is AskingState.NOT_OPEN:
        return f"Questions open at {_when(window.opens_at)}, shortly before the talk starts."
    if state is AskingState.CLOSED:
        return f"Questions closed at {_when(window.closes_at)}."
    return f"Ask and vote until {_when(window.closes_at)}."


def _page_url(conference: Conference, talk: AgendaTalk, anchor: str = "questions") -> str:
    page = url_for("questions.talk", slug=conference.slug, proposal_id=talk.proposal.id)
    return f"{page}#{anchor}"


def _list_context(conference, talk, viewer, state) -> dict:
    return {
        "conference": conference,
        "talk": talk,
        "viewer": viewer,
        "board": queries.question_board(talk.proposal.id, viewer),
        "asking_open": state is AskingState.OPEN,
        "action_form": ConfirmForm(formdata=None),
        "vote_value": VOTE,
    }


def _render_page(conference, talk, viewer, form=None, error=None, status=200):
    window = queries.asking_window(talk.scheduled)
    state = window.state_at(utcnow())
    html = render_template(
        "questions/talk.html",
        form=form or AskForm(formdata=None),
        window=window,
        state=state.value,
        window_message=_window_message(state, window),
        error=error,
        refresh_seconds=REFRESH_SECONDS,
        **_list_context(conference, talk, viewer, state),
    )
    return html, status


# --- reading -------------------------------------------------------------------------------


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions")
def talk(slug: str, proposal_id: int):
    conference, found, viewer = _talk(slug, proposal_id)
    return _render_page(conference, found, viewer)


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions/list")
def fragment(slug: str, proposal_id: int):
    """The list alone, for static/js/questions.js to swap in; ``?view=present`` the room's."""
    conference, found, viewer = _talk(slug, proposal_id)
    if request.args.get("view") == "present":
        return render_template(
            "questions/_present_list.html",
            questions=queries.presented_questions(found.proposal.id),
        )
    state = queries.asking_window(found.scheduled).state_at(utcnow())
    return render_template("questions/_list.html", **_list_context(conference, found, viewer, state))


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions/present")
def present(slug: str, proposal_id: int):
    """Full screen for the room: the top questions in large text, no buttons, no anonymous names."""
    conference, found, _viewer = _talk(slug, proposal_id)
    return render_template(
        "questions/present.html",
        conference=conference,
        talk=found,
        questions=queries.presented_questions(found.proposal.id),
        refresh_seconds=REFRESH_SECONDS,
        # PUBLIC_URL when set: the room's screen may be reached through an internal address.
        ask_url=public_base_url()
        + url_for("questions.talk", slug=conference.slug, proposal_id=found.proposal.id),
    )


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions.csv")
@login_required
def export(slug: str, proposal_id: int):
    """Every question of the talk for the speaker's follow-up; asker names as the viewer may see them."""
    conference, found, viewer = _moderated(slug, proposal_id)
    board = queries.question_board(found.proposal.id, viewer)
    zone_name = viewer_time_zone()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Question", "Votes", "Status", f"Asked at ({zone_name})", "Asked by"])
    for status, shown in (
        *(("open", q) for q in board.open),
        *(("answered", q) for q in board.answered),
        *(("hidden", q) for q in board.hidden),
    ):
        writer.writerow(
            [
                safe_cell(shown.text),
                shown.votes,
                status,
                instant_text(shown.asked_at, zone_name, "%Y-%m-%d %H:%M"),
                safe_cell(shown.asker or "Anonymous"),
            ]
        )
    filename = f"questions-{conference.slug}-{found.proposal.id}.csv"
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- asking and voting ---------------------------------------------------------------------


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions/ask", methods=["POST"])
@limiter.limit(_questions_limit, key_func=_questions_limit_key, methods=["POST"])
@login_required
def ask(slug: str, proposal_id: int):
    conference, found, viewer = _talk(slug, proposal_id)
    form = AskForm()
    if not form.validate_on_submit():
        error = None if form.text.errors else "The form expired; reload the page and try again."
        return _render_page(conference, found, viewer, form=form, error=error, status=400)
    try:
        operations.ask_question(
            conference, found.scheduled, _user(), form.text.data, bool(form.anonymous.data)
        )
    except operations.QuestionRefused as refusal:
        db.session.rollback()
        return _render_page(
            conference, found, viewer, form=form, error=refusal.message, status=refusal.status
        )
    flash(
        "Your question is asked"
        + (": only the organisers see that it was you." if form.anonymous.data else "."),
        "success",
    )
    return redirect(_page_url(conference, found))


def _refused(conference, talk, viewer, refusal: operations.QuestionRefused):
    db.session.rollback()
    return _render_page(conference, talk, viewer, error=refusal.message, status=refusal.status)


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/vote", methods=["POST"]
)
@login_required
def vote(slug: str, proposal_id: int, question_id: int):
    conference, found, viewer = _talk(slug, proposal_id)
    question = _question(found, viewer, question_id)
    if question is None:
        return _render_page(conference, found, viewer, error=GONE, status=404)
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        operations.set_vote(question, found.scheduled, _user(), form.voted.data == VOTE)
    except operations.QuestionRefused as refusal:
        return _refused(conference, found, viewer, refusal)
    return redirect(_page_url(conference, found, f"question-{question.id}"))


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/delete", methods=["POST"]
)
@login_required
def delete(slug: str, proposal_id: int, question_id: int):
    conference, found, viewer = _talk(slug, proposal_id)
    question = _question(found, viewer, question_id)
    if question is None:
        return _render_page(conference, found, viewer, error=GONE, status=404)
    require_confirm_form()
    try:
        operations.delete_question(question, _user())
    except operations.QuestionRefused as refusal:
        return _refused(conference, found, viewer, refusal)
    flash("Your question is deleted.", "info")
    return redirect(_page_url(conference, found))


# --- moderation ----------------------------------------------------------------------------


def _moderate(slug: str, proposal_id: int, question_id: int, change, done: str, unchanged: str):
    conference, found, viewer = _moderated(slug, proposal_id)
    question = _question(found, viewer, question_id)
    if question is None:
        return _render_page(conference, found, viewer, error=GONE, status=404)
    require_confirm_form()
    try:
        changed = change(question)
    except operations.QuestionRefused as refusal:
        return _refused(conference, found, viewer, refusal)
    flash(done if changed else unchanged, "success" if changed else "info")
    anchor = "hidden-questions" if question.is_hidden else f"question-{question.id}"
    return redirect(_page_url(conference, found, anchor))


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/answer", methods=["POST"]
)
@login_required
def answer(slug: str, proposal_id: int, question_id: int):
    return _moderate(
        slug, proposal_id, question_id, operations.mark_answered,
        "Marked as answered.", "That question was already answered.",
    )


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/reopen", methods=["POST"]
)
@login_required
def reopen(slug: str, proposal_id: int, question_id: int):
    return _moderate(
        slug, proposal_id, question_id, operations.reopen_question,
        "The question is open again.", "That question was already open.",
    )


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/hide", methods=["POST"]
)
@login_required
def hide(slug: str, proposal_id: int, question_id: int):
    return _moderate(
        slug, proposal_id, question_id, operations.hide_question,
        "The question is hidden: only moderators see it now.", "That question was already hidden.",
    )


@blueprint.route(
    "/c/<slug>/talks/<int:proposal_id>/questions/<int:question_id>/unhide", methods=["POST"]
)
@login_required
def unhide(slug: str, proposal_id: int, question_id: int):
    return _moderate(
        slug, proposal_id, question_id, operations.unhide_question,
        "The question is shown again.", "That question was not hidden.",
    )
