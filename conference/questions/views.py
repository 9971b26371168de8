"""Live audience questions on a published talk: the list, asking and voting, moderation, the
room's screen and the speaker's CSV; and the organisers' settings page (questions on or off, and
how long before and after a talk asking is open).

Talks are loaded only through ``agenda.queries.find_published_talk`` (a public talk of the
newest published version of this conference), so any other id is a 404; questions only among
that talk's, so another talk's question is a 404 too, and so is a hidden one for anyone but a
moderator. Moderators are the conference's organisers and the talk's accepted speakers
(``queries.viewer_of``); every moderation handler checks that through ``_moderated``.

Whether asking and voting are open is decided once per request by ``queries.asking_window``
(the conference's settings applied to the talk). While questions are off, moderators still see,
moderate and download the questions; everyone else reads only that questions are off.
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
from conference.conferences.access import conference_with_role, load_conference
from conference.conferences.models import Conference, Role
from conference.core.forms import ConfirmForm, require_confirm_form
from conference.core.timezones import instant_text
from conference.core.types import utcnow
from conference.core.web import viewer_time_zone
from conference.decisions.export import safe_cell
from conference.extensions import db, limiter, login_manager
from conference.feeds.links import public_base_url
from conference.questions import operations, queries
from conference.questions.forms import VOTE, AskForm, QuestionSettingsForm, VoteForm
from conference.questions.models import AudienceQuestion
from conference.questions.queries import AskingState, AskingWindow, Viewer

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


def _span(opens_at, closes_at) -> str:
    """Both ends of a window in the viewer's zone, the zone named once."""
    zone_name = viewer_time_zone()
    return (
        f"from {instant_text(opens_at, zone_name)} until {instant_text(closes_at, zone_name)} "
        f"({zone_name})"
    )


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


def _window_message(state: AskingState, window: AskingWindow) -> str:
    if state is AskingState.OFF:
        return operations.TURNED_OFF
    if state is AskingState.NOT_OPEN:
        return (
            f"Questions open at {_when(window.opens_at)} and close at {_when(window.closes_at)}."
        )
    if state is AskingState.CLOSED:
        return f"Questions closed at {_when(window.closes_at)}."
    return f"Ask and vote until {_when(window.closes_at)}."


def _asking_now(conference: Conference, talk: AgendaTalk) -> tuple[AskingWindow, AskingState]:
    window = queries.asking_window(conference, talk.scheduled)
    return window, window.state_at(utcnow())


def _page_url(conference: Conference, talk: AgendaTalk, anchor: str = "questions") -> str:
    page = url_for("questions.talk", slug=conference.slug, proposal_id=talk.proposal.id)
    return f"{page}#{anchor}"


def _list_context(conference, talk, viewer, window: AskingWindow, state: AskingState) -> dict:
    # Questions off: the audience reads only that; moderators keep the list to work through.
    listed = state is not AskingState.OFF or viewer.moderator
    return {
        "conference": conference,
        "talk": talk,
        "viewer": viewer,
        "listed": listed,
        "board": queries.question_board(talk.proposal.id, viewer) if listed else queries.QuestionBoard(),
        "asking_open": state is AskingState.OPEN,
        "state": state.value,
        "window_message": _window_message(state, window),
        "action_form": ConfirmForm(formdata=None),
        "vote_value": VOTE,
    }


def _render_page(conference, talk, viewer, form=None, error=None, status=200):
    window, state = _asking_now(conference, talk)
    html = render_template(
        "questions/talk.html",
        form=form or AskForm(formdata=None),
        window=window,
        error=error,
        refresh_seconds=REFRESH_SECONDS,
        **_list_context(conference, talk, viewer, window, state),
    )
    return html, status


def _present_context(conference: Conference, talk: AgendaTalk) -> dict:
    """The room screen's list and the line above it (where to ask, or why not)."""
    window, state = _asking_now(conference, talk)
    return {
        "questions": (
            queries.presented_questions(talk.proposal.id) if state is not AskingState.OFF else []
        ),
        "state": state.value,
        "window_message": _window_message(state, window),
        # PUBLIC_URL when set: the room's screen may be reached through an internal address.
        "ask_url": public_base_url()
        + url_for("questions.talk", slug=conference.slug, proposal_id=talk.proposal.id),
    }


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
        return render_template("questions/_present_list.html", **_present_context(conference, found))
    window, state = _asking_now(conference, found)
    return render_template(
        "questions/_list.html", **_list_context(conference, found, viewer, window, state)
    )


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/questions/present")
def present(slug: str, proposal_id: int):
    """Full screen for the room: the top questions in large text, no buttons, no anonymous names."""
    conference, found, _viewer = _talk(slug, proposal_id)
    return render_template(
        "questions/present.html",
        conference=conference,
        talk=found,
        refresh_seconds=REFRESH_SECONDS,
        **_present_context(conference, found),
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
        operations.set_vote(
            conference, question, found.scheduled, _user(), form.voted.data == VOTE
        )
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


# --- the talk page's hint ------------------------------------------------------------------


@blueprint.app_template_global()
def talk_questions(conference: Conference, talk: AgendaTalk) -> dict:
    """What the agenda's talk page says about the talk's questions.

    The same for every anonymous viewer in a zone (that page is kept whole): the window is
    written out with both ends rather than as "open now", so it stays true as time passes.
    """
    window = queries.asking_window(conference, talk.scheduled)
    return {
        "enabled": window.enabled,
        "url": url_for("questions.talk", slug=conference.slug, proposal_id=talk.proposal.id),
        "window": _span(window.opens_at, window.closes_at),
        # Questions off: only the talk's moderators still have a list to go to.
        "moderator": not window.enabled
        and queries.viewer_of(conference, talk.proposal, current_user).moderator,
    }


# --- organisers: settings ------------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/questions", methods=["GET", "POST"])
def settings(slug: str):
    """Questions on or off for the conference, and how long before and after a talk asking is open."""
    conference = conference_with_role(slug, Role.ORGANISER)
    current = queries.question_settings(conference)
    if request.method == "POST":
        form = QuestionSettingsForm()
    else:
        form = QuestionSettingsForm(
            formdata=None,
            data={
                "enabled": current.enabled,
                "opens_minutes_before": current.opens_minutes_before,
                "closes_hours_after": current.closes_hours_after,
            },
        )
    if form.validate_on_submit():
        try:
            changed = operations.save_question_settings(conference, form.question_settings())
        except operations.QuestionRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.message)
        else:
            flash(
                _settings_saved(form.question_settings()) if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("questions.settings", slug=conference.slug))
    return render_template(
        "questions/settings.html",
        conference=conference,
        form=form,
        defaults=queries.QuestionSettings(),
        max_opens_minutes_before=queries.MAX_OPENS_MINUTES_BEFORE,
        max_closes_hours_after=queries.MAX_CLOSES_HOURS_AFTER,
    ), 400 if form.errors or form.form_errors else 200


def _duration(amount: int, unit: str) -> str:
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def _settings_saved(settings: queries.QuestionSettings) -> str:
    if not settings.enabled:
        return (
            "Audience questions are off: nobody can ask or vote, and the talk pages say so. "
            "Speakers and organisers still see and download the questions already asked."
        )
    return (
        "Audience questions are on: asking opens "
        f"{_duration(settings.opens_minutes_before, 'minute')} before each talk starts and closes "
        f"{_duration(settings.closes_hours_after, 'hour')} after it ends."
    )
