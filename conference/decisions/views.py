"""Organisers rank, decide and e-mail; accepted speakers confirm; the CfP dashboard.

Every organiser handler loads the conference and checks the ORGANISER role there (as the
organisers area does: 403 for other people); proposals are loaded scoped to the conference.
"""

from __future__ import annotations

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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from conference.conferences.access import conference_with_role, load_conference
from conference.conferences.models import Conference, Role, SessionFormat, Track
from conference.core.forms import flash_form_errors, parse_id
from conference.core.web import format_instant, viewer_time_zone
from conference.decisions import charts, operations, queries
from conference.decisions.export import ranking_csv
from conference.decisions.forms import (
    ActionForm,
    BulkDecisionForm,
    ConfirmationForm,
    SingleDecisionForm,
)
from conference.extensions import db
from conference.mail.operations import request_delivery
from conference.mail.templates import TemplateProblem
from conference.proposals import operations as proposal_operations
from conference.proposals import questions
from conference.proposals.forms import consent_from_choice
from conference.proposals.models import Proposal, ProposalState
from conference.tags import operations as tag_operations
from conference.tags import queries as tag_queries
from conference.tags.forms import BulkTagForm

blueprint = Blueprint("decisions", __name__)


# --- helpers ------------------------------------------------------------------------------


def _absolute_url(endpoint: str, **values) -> str:
    """A link for an e-mail: on PUBLIC_URL when configured, else on this request's host."""
    public_url = current_app.config.get("PUBLIC_URL")
    if public_url:
        return public_url.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _confirmation_link(conference: Conference):
    def link(proposal: Proposal) -> str:
        return _absolute_url("decisions.confirmation", slug=conference.slug, proposal_id=proposal.id)

    return link


def _int_arg(name: str) -> int | None:
    return parse_id(request.args.get(name))


FILTER_ARGS = ("track", "state", "format", "sort", "order")
# The tag filter may be given several times (proposals carrying every one of those tags).
TAG_ARG = "tag"
MAX_TAG_FILTERS = 20


def _tag_arg(values) -> list[str]:
    """The ids of the tag filter as given, unusable ones dropped, at most MAX_TAG_FILTERS."""
    ids = []
    for text in values.getlist(TAG_ARG):
        if parse_id(text) is not None and text not in ids:
            ids.append(text)
    return ids[:MAX_TAG_FILTERS]


def _query_args() -> dict[str, str | list[str]]:
    """The ranking's own query arguments, to carry into links and forms."""
    args: dict[str, str | list[str]] = {key: request.args[key] for key in FILTER_ARGS if request.args.get(key)}
    tags = _tag_arg(request.args)
    if tags:
        args[TAG_ARG] = tags
    return args


def _ranking_filters(conference: Conference) -> dict:
    state_value = request.args.get("state", "")
    state = ProposalState(state_value) if state_value in {s.value for s in queries.RANKED_STATES} else None
    sort = request.args.get("sort", "normalised")
    if sort not in queries.SORT_KEYS:
        sort = "normalised"
    return {
        "track_id": _int_arg("track"),
        "state": state,
        "session_format_id": _int_arg("format"),
        "sort": sort,
        "descending": request.args.get("order", "desc") != "asc",
        "tag_ids": [int(text) for text in _tag_arg(request.args)],
        "viewer_id": current_user.id,
    }


def _scoped_proposal(conference: Conference, proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id, Proposal.conference_id == conference.id)
    )
    if proposal is None:
        abort(404)
    return proposal


def _back_to_ranking(conference: Conference):
    # Keep the organiser's filters and sort order: they come back as hidden form fields.
    keep: dict[str, str | list[str]] = {key: request.form[key] for key in FILTER_ARGS if request.form.get(key)}
    if _tag_arg(request.form):
        keep[TAG_ARG] = _tag_arg(request.form)
    return redirect(url_for("decisions.ranking", slug=conference.slug, **keep))


def _without_own_tags(rows: list[queries.RankingRow]) -> list[queries.RankingRow]:
    """Tags are the organisers' view of a proposal: one who speaks on it does not see them."""
    for row in rows:
        if row.proposal.has_speaker(current_user.id):
            row.tags = []
    return rows


def _stale_conflict():
    abort(409, description="Someone changed these proposals at the same time. Reload the page and try again.")


# --- ranking and decisions ----------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/ranking")
@login_required
def ranking(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    filters = _ranking_filters(conference)
    rows = _without_own_tags(queries.ranking_rows(conference, **filters))
    tracks = db.session.scalars(
        select(Track).where(Track.conference_id == conference.id).order_by(Track.name)
    ).all()
    formats = db.session.scalars(
        select(SessionFormat).where(SessionFormat.conference_id == conference.id).order_by(SessionFormat.name)
    ).all()
    conference_tags = tag_queries.conference_tags(conference)
    tag_form = BulkTagForm(formdata=None)
    tag_form.offer_tags(conference_tags)
    return render_template(
        "decisions/ranking.html", conference=conference, rows=rows, filters=filters,
        tracks=tracks, formats=formats, states=queries.RANKED_STATES,
        bulk_form=BulkDecisionForm(formdata=None), action_form=ActionForm(),
        decidable=operations.DECIDABLE_STATES, query_args=_query_args(),
        tags=conference_tags, tag_form=tag_form,
    )


@blueprint.route("/c/<slug>/manage/ranking.csv")
@login_required
def ranking_export(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    rows = _without_own_tags(queries.ranking_rows(conference, **_ranking_filters(conference)))
    csv_text = ranking_csv(
        rows,
        questions.questions(conference, include_retired=True),
        questions.answers_by_proposal(conference),
        # Organisers see every tag (though none on a proposal they speak on: those rows have none).
        tag_queries.conference_tags(conference),
    )
    return Response(
        csv_text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{conference.slug}-ranking.csv"'},
    )


@blueprint.route("/c/<slug>/manage/decisions", methods=["POST"])
@login_required
def decide_many(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = BulkDecisionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to_ranking(conference)
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.id.in_(form.proposal_ids.data))
        .order_by(Proposal.id)
    ).all()
    if len(proposals) != len(set(form.proposal_ids.data)):
        abort(404)
    decision = ProposalState(form.decision.data)
    try:
        changed, skipped = operations.decide_many(proposals, decision)
    except StaleDataError:
        return _stale_conflict()
    flash(f"{changed} proposal(s) now {decision.value}.", "success")
    for reason in skipped:
        flash(reason, "error")
    return _back_to_ranking(conference)


@blueprint.route("/c/<slug>/manage/ranking/tags", methods=["POST"])
@login_required
def tag_many(slug: str):
    """Add a tag to, or remove it from, the proposals ticked on the ranking."""
    conference = conference_with_role(slug, Role.ORGANISER)
    form = BulkTagForm()
    form.offer_tags(tag_queries.conference_tags(conference))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back_to_ranking(conference)
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.conference_id == conference.id, Proposal.id.in_(form.proposal_ids.data),
               Proposal.state.in_(queries.RANKED_STATES))
        .options(selectinload(Proposal.speakers))
        .order_by(Proposal.id)
    ).all()
    if len(proposals) != len(set(form.proposal_ids.data)):
        abort(404)
    own = [p for p in proposals if p.has_speaker(current_user.id)]
    proposals = [p for p in proposals if p not in own]
    tag = tag_queries.tags_with_ids(conference, [form.tag_id.data])[0]
    if form.tag_action.data == "add":
        try:
            with db.session.begin_nested():
                changed = tag_operations.add_tag_to_proposals(tag, proposals)
        except IntegrityError:
            flash("Someone tagged these proposals at the same time; nothing was changed. Try again.", "error")
            return _back_to_ranking(conference)
        flash(f"“{tag.name}” is added to {changed} proposal(s); "
              f"{len(proposals) - changed} already had it.", "success")
    else:
        changed = tag_operations.remove_tag_from_proposals(tag, proposals)
        flash(f"“{tag.name}” is removed from {changed} proposal(s); "
              f"{len(proposals) - changed} did not have it.", "success")
    if own:
        flash(f"{len(own)} ticked proposal(s) are yours as a speaker, so their tags are left to the other "
              "organisers.", "info")
    return _back_to_ranking(conference)


@blueprint.route("/c/<slug>/manage/proposals/<int:proposal_id>/decision", methods=["POST"])
@login_required
def decide_one(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    proposal = _scoped_proposal(conference, proposal_id)
    form = SingleDecisionForm()
    if not form.validate_on_submit():
        abort(400, description="Choose accept, reject or waitlist.")
    decision = ProposalState(form.decision.data)
    try:
        operations.decide(proposal, decision)
    except operations.NotDecidable as problem:
        flash(str(problem), "error")
    except StaleDataError:
        return _stale_conflict()
    else:
        flash(f"“{proposal.title}” is {decision.value}.", "success")
    return _back_to_ranking(conference)


def _review_phase_closed_message(conference: Conference, closed_at) -> str:
    conference_zone, viewer_zone = conference.time_zone, viewer_time_zone()
    text = f"The review phase closed on {format_instant(closed_at, conference_zone)} ({conference_zone})"
    if viewer_zone != conference_zone:
        text += f", which is {format_instant(closed_at, viewer_zone)} ({viewer_zone})"
    return text + ", so no review reminders were sent."


def _queue_with(conference: Conference, queue, done_message: str):
    if not ActionForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    back = "decisions.cfp_dashboard" if request.form.get("back") == "cfp" else "decisions.ranking"
    try:
        queued = queue()
    except TemplateProblem as problem:
        db.session.rollback()
        flash(f"An e-mail template does not render ({problem}); fix it under E-mails.", "error")
        return redirect(url_for("decisions.ranking", slug=conference.slug))
    except operations.ReviewPhaseClosed as closed:
        flash(_review_phase_closed_message(conference, closed.closed_at), "error")
        return redirect(url_for(back, slug=conference.slug))
    if queued:
        request_delivery()
    flash(done_message.format(queued=queued), "success")
    return redirect(url_for(back, slug=conference.slug))


@blueprint.route("/c/<slug>/manage/decisions/emails", methods=["POST"])
@login_required
def send_decision_emails(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _queue_with(
        conference,
        lambda: operations.queue_decision_emails(conference, _confirmation_link(conference)),
        "{queued} decision e-mail(s) queued; e-mails sent before are never sent again.",
    )


@blueprint.route("/c/<slug>/manage/reminders/confirmation", methods=["POST"])
@login_required
def send_confirmation_reminders(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return _queue_with(
        conference,
        lambda: operations.queue_confirmation_reminders(conference, _confirmation_link(conference)),
        "{queued} confirmation reminder(s) queued (at most one per speaker per day).",
    )


@blueprint.route("/c/<slug>/manage/reminders/review", methods=["POST"])
@login_required
def send_review_reminders(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    link = _absolute_url("conferences.overview", slug=conference.slug)
    return _queue_with(
        conference,
        lambda: operations.queue_review_reminders(conference, link),
        "{queued} review reminder(s) queued (at most one per reviewer per day).",
    )


# --- speakers answer an acceptance --------------------------------------------------------


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/confirmation", methods=["GET", "POST"])
@login_required
def confirmation(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _scoped_proposal(conference, proposal_id)
    # Only this proposal's speakers may see it; to anyone else it does not exist.
    if not operations.is_speaker(proposal, current_user):
        abort(404)
    answerable = proposal.state in (ProposalState.ACCEPTED, ProposalState.CONFIRMED, ProposalState.DECLINED)
    form = ConfirmationForm()
    # Publishing a recording needs the speaker's yes: asked here until they answer.
    speaker = current_user._get_current_object()
    asks_consent = proposal_operations.recording_consent_of(conference, speaker) is None
    if answerable and form.validate_on_submit():
        consent = consent_from_choice(form.recording_consent.data)
        try:
            operations.answer_acceptance(proposal, form.answer.data == "confirm")
        except StaleDataError:
            return _stale_conflict()
        if consent is not None:
            proposal_operations.answer_recording_consent(conference, speaker, consent)
        if proposal.state is ProposalState.CONFIRMED:
            flash(f"Thank you: you confirmed “{proposal.title}”.", "success")
        else:
            flash(f"You declined “{proposal.title}”. The organisers are informed.", "info")
        if consent is not None:
            flash(
                "Recordings of your sessions may be published." if consent
                else "Recordings of your sessions will not be published.",
                "success",
            )
        return redirect(url_for("decisions.confirmation", slug=slug, proposal_id=proposal.id))
    if request.method == "POST" and not answerable:
        abort(409, description="This proposal is not accepted, so there is nothing to confirm.")
    status = 200 if request.method == "GET" or not form.errors else 422
    return render_template(
        "decisions/confirmation.html", conference=conference, proposal=proposal, form=form,
        answerable=answerable, asks_consent=asks_consent,
    ), status


# --- the CfP dashboard --------------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/cfp")
@login_required
def cfp_dashboard(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    per_track = queries.proposals_per_track_and_state(conference)
    shown_states = [
        state for state in ProposalState
        if state is not ProposalState.DRAFT and any(row.per_state.get(state) for row in per_track)
    ]
    chart = charts.stacked_bar_chart(
        [(row.label, [(s.value, row.per_state.get(s, 0)) for s in shown_states]) for row in per_track],
        [s.value for s in shown_states],
    )
    totals = {state: sum(row.per_state.get(state, 0) for row in per_track) for state in shown_states}
    return render_template(
        "decisions/cfp_dashboard.html", conference=conference, per_track=per_track,
        shown_states=shown_states, totals=totals, chart=chart,
        progress=queries.review_progress(conference), action_form=ActionForm(),
    )


@blueprint.app_template_global()
def proposals_to_confirm(conference: Conference) -> list[Proposal]:
    """The current user's accepted proposals at ``conference`` still awaiting their answer."""
    if not current_user.is_authenticated:
        return []
    return queries.proposals_awaiting_confirmation(conference, current_user.id)
