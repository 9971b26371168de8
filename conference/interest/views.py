"""Attendees browse accepted talks and mark the ones they want to attend.

Every handler loads the conference, requires a login, and loads talks only among that
conference's accepted or confirmed proposals, so any other id is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from conference.agenda.queries import find_starred_talk
from conference.conferences.access import has_role, load_conference
from conference.conferences.models import Conference, Role
from conference.core.forms import is_safe_redirect
from conference.interest import operations
from conference.interest.forms import InterestForm, TalkFilterForm
from conference.proposals.models import AudienceLevel, Proposal

blueprint = Blueprint("interest", __name__)


def _accepted_talk(conference: Conference, proposal_id: int) -> Proposal:
    talk = operations.find_accepted_talk(conference, proposal_id)
    if talk is None:
        abort(404)
    return talk


def _talk_filter(form: TalkFilterForm) -> operations.TalkFilter:
    """The filter the form describes; a field with an invalid value is left out."""
    if form.validate():
        valid = form.data
    else:
        valid = {name: value for name, value in form.data.items() if name not in form.errors}
    level = valid.get("level")
    return operations.TalkFilter(
        track_id=valid.get("track"),
        session_format_id=valid.get("session_format"),
        audience_level=AudienceLevel(level) if level else None,
        search=valid.get("q") or "",
    )


def _counts_for_organisers(conference: Conference) -> dict[int, int] | None:
    if has_role(conference, Role.ORGANISER):
        return operations.interest_counts(conference)
    return None


@blueprint.route("/c/<slug>/talks/")
@login_required
def browse(slug: str):
    conference = load_conference(slug)
    try:
        form = TalkFilterForm.for_conference(conference, request.args)
    except (ValueError, BadRequest):
        abort(400)
    talks = operations.accepted_talks(conference, _talk_filter(form))
    return render_template(
        "interest/browse.html",
        conference=conference,
        form=form,
        talks=talks,
        marked=operations.marked_talk_ids(current_user, conference),
        counts=_counts_for_organisers(conference),
        interest_form=InterestForm(),
    )


@blueprint.route("/c/<slug>/talks/<int:proposal_id>")
@login_required
def talk(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _accepted_talk(conference, proposal_id)
    counts = _counts_for_organisers(conference)
    return render_template(
        "interest/talk.html",
        conference=conference,
        talk=proposal,
        is_marked=proposal.id in operations.marked_talk_ids(current_user, conference),
        interested=None if counts is None else counts.get(proposal.id, 0),
        interest_form=InterestForm(),
    )


@blueprint.route("/c/<slug>/talks/mine")
@login_required
def mine(slug: str):
    conference = load_conference(slug)
    marked = operations.marked_talk_ids(current_user, conference)
    talks = [t for t in operations.accepted_talks(conference) if t.id in marked]
    return render_template(
        "interest/mine.html",
        conference=conference,
        talks=talks,
        marked=marked,
        interest_form=InterestForm(),
    )


def _back_to(form: InterestForm, conference: Conference, proposal: Proposal):
    target = form.next.data
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for("interest.talk", slug=conference.slug, proposal_id=proposal.id))


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/interest", methods=["POST"])
@login_required
def mark(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _accepted_talk(conference, proposal_id)
    form = InterestForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    operations.mark_interest(current_user._get_current_object(), proposal)
    flash(f"Added “{proposal.title}” to your interests.", "success")
    return _back_to(form, conference, proposal)


@blueprint.route("/c/<slug>/talks/<int:proposal_id>/interest/remove", methods=["POST"])
@login_required
def unmark(slug: str, proposal_id: int):
    """Remove a mark; also from a talk that left the programme since (withdrawn, declined), which
    only the attendee who marked it may do."""
    conference = load_conference(slug)
    user = current_user._get_current_object()
    proposal = find_starred_talk(conference, user, proposal_id) or _accepted_talk(conference, proposal_id)
    form = InterestForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    operations.unmark_interest(user, proposal)
    flash(f"Removed “{proposal.title}” from your interests.", "info")
    if operations.find_accepted_talk(conference, proposal.id) is None and not is_safe_redirect(form.next.data):
        return redirect(url_for("interest.mine", slug=conference.slug))  # its page is gone
    return _back_to(form, conference, proposal)


@blueprint.app_template_global("marked_talk_count")
def marked_talk_count(conference: Conference) -> int:
    """For the start page's attendee panel: how many talks the current user has marked."""
    if not current_user.is_authenticated:
        return 0
    return operations.marked_talk_count(current_user, conference)
