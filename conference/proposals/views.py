"""The speaker side of the call for proposals: profile, proposals, co-speakers, availability.

Every handler loads the conference first, then loads proposals only through
``operations.load_my_proposal`` (this conference, and the current user a speaker of it), so a
proposal of someone else or of another conference is a 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from conference.access_codes import operations as access_codes
from conference.access_codes.models import AccessCode
from conference.conferences.access import load_conference
from conference.conferences.models import Conference
from conference.core.forms import require_confirm_form
from conference.core.timezones import to_zone
from conference.core.web import viewer_time_zone
from conference.decisions import operations as decision_operations
from conference.extensions import db
from conference.interest.operations import PUBLIC_STATES
from conference.materials.queries import materials_of, recording_consents
from conference.proposals import operations, questions
from conference.proposals.forms import (
    MAX_RANGES_PER_DAY,
    NO_CHOICE,
    AvailabilityForm,
    ConfirmForm,
    InvitationAnswerForm,
    InviteCoSpeakerForm,
    ProposalForm,
    SpeakerProfileForm,
    answer_field_name,
    choice_from_consent,
    consent_from_choice,
    proposal_form_class,
)
from conference.proposals.models import (
    AudienceLevel,
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalState,
)

blueprint = Blueprint("proposals", __name__)


def _user():
    return current_user._get_current_object()


def _my_proposal(conference: Conference, proposal_id: int) -> Proposal:
    proposal = operations.load_my_proposal(conference, proposal_id, _user())
    if proposal is None:
        abort(404)
    return proposal


@blueprint.app_template_global()
def speaker_panel(conference: Conference) -> dict:
    """What the start page's speaker panel needs for the current user at ``conference``."""
    invitations = []
    if current_user.is_authenticated:
        invitations = operations.pending_invitations(conference, _user())
    return {"invitations": invitations, "cfp_open": operations.cfp_is_open(conference)}


# --- profile ------------------------------------------------------------------------------


@blueprint.route("/c/<slug>/speaker/profile", methods=["GET", "POST"])
@login_required
def profile(slug: str):
    conference = load_conference(slug)
    user = _user()
    existing = operations.speaker_profile(conference, user)
    form = SpeakerProfileForm()
    form.offer_hubs(conference.hubs)
    if request.method == "GET":
        form.display_name.data = user.display_name
        form.time_zone.data = user.time_zone
        if existing is not None:
            form.bio.data = existing.bio
            form.hub_id.data = existing.hub_id or NO_CHOICE
            form.presentation_mode.data = existing.presentation_mode.value
            form.recording_consent.data = choice_from_consent(existing.recording_consent)
        else:
            home_hub = user.home_hub_id if user.home_hub_id in {h.id for h in conference.hubs} else None
            form.hub_id.data = home_hub or NO_CHOICE
    if form.validate_on_submit():
        details = operations.ProfileDetails(
            display_name=form.display_name.data,
            bio=form.bio.data or "",
            time_zone=form.time_zone.data,
            hub_id=form.hub_id.data or None,
            presentation_mode=PresentationMode(form.presentation_mode.data),
            recording_consent=consent_from_choice(form.recording_consent.data),
        )
        try:
            operations.save_speaker_profile(conference, user, details)
        except operations.SpeakerActionRefused as refusal:
            form.hub_id.errors.append(str(refusal))
        else:
            flash("Your speaker profile is saved.", "success")
            return redirect(url_for("proposals.profile", slug=slug))
    status = 400 if form.errors else 200
    return render_template("proposals/profile.html", conference=conference, form=form), status


# --- proposals ----------------------------------------------------------------------------


@blueprint.route("/c/<slug>/proposals/")
@login_required
def my_proposals(slug: str):
    conference = load_conference(slug)
    user = _user()
    proposals = operations.my_proposals(conference, user)
    return render_template(
        "proposals/list.html",
        conference=conference,
        proposals=proposals,
        slots=operations.published_slots(conference, [proposal.id for proposal in proposals]),
        invitations=operations.pending_invitations(conference, user),
        cfp_open=operations.cfp_is_open(conference),
        window_text=operations.cfp_window_text(conference, viewer_time_zone()),
    )


def _details(form: ProposalForm) -> operations.ProposalDetails:
    return operations.ProposalDetails(
        title=form.title.data,
        abstract=form.abstract.data or "",
        session_format_id=form.session_format_id.data,
        track_id=form.track_id.data or None,
        audience_level=AudienceLevel(form.audience_level.data),
        notes_to_organisers=form.notes_to_organisers.data or "",
        answers=form.answers(),
    )


def _proposal_form(
    conference: Conference,
    proposal: Proposal | None = None,
    access_code: AccessCode | None = None,
    **kwargs,
) -> ProposalForm:
    """The proposal form with the questions asked now, offering the formats and tracks open to
    everyone or, with ``access_code``, those it grants (a proposal keeps its saved ones); for an
    edit, aware of saved answers."""
    form = proposal_form_class(questions.questions(conference))(**kwargs)
    keep_format_id, keep_track_id = operations.kept_choices(proposal, access_code)
    form.offer_choices(
        conference,
        session_formats=access_codes.offered_session_formats(conference, access_code, keep_format_id),
        tracks=access_codes.offered_tracks(conference, access_code, keep_track_id),
        any_track=access_codes.may_leave_track_open(access_code)
        or (proposal is not None and proposal.track_id is None),
    )
    if proposal is not None:
        form.keep_saved_answers(questions.stored_answers(proposal))
    return form


def _closed(conference: Conference) -> str | None:
    """The refusal message when the call is not open now, else None."""
    if operations.cfp_is_open(conference):
        return None
    return operations.cfp_closed_message(conference, viewer_time_zone())


def _usable_code(conference: Conference, proposal: Proposal) -> AccessCode | None:
    """The access code a draft was saved with, while it still works; else None (a submitted
    proposal is edited under the call's window alone)."""
    code = proposal.access_code
    if proposal.state is not ProposalState.DRAFT or code is None or code.conference_id != conference.id:
        return None
    return code if access_codes.refusal(code, operations.current_instant()) is None else None


def _code_refused(conference: Conference, message: str, status: int):
    return render_template("access_codes/refused.html", conference=conference, message=message), status


@blueprint.route("/c/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal(slug: str):
    conference = load_conference(slug)
    # An access code travels in the query string, so the form's POST (to the same address) keeps it.
    access_code = None
    if "code" in request.args:
        access_code = access_codes.find_access_code(conference, request.args.get("code"))
        if access_code is None:
            return _code_refused(
                conference,
                "This access code is not known here. Check that the whole link was copied, or "
                "ask the organisers who sent it.",
                404,
            )
        problem = access_codes.refusal(access_code, operations.current_instant())
        if problem:
            return _code_refused(conference, f"{problem} Ask the organisers for another code.", 403)
    form = _proposal_form(conference, access_code=access_code)
    closed = None if access_code is not None else _closed(conference)
    if request.method == "POST" and closed:
        return _render_form(conference, None, form, closed=closed), 403
    if form.validate_on_submit():
        try:
            proposal, changed = operations.create_proposal(
                conference, _user(), _details(form), submit=form.wants_submission,
                access_code=access_code,
            )
        except operations.SpeakerActionRefused as refusal:
            return _render_form(conference, None, form, closed=str(refusal), access_code=access_code), 403
        if changed:
            flash(
                "Your proposal is submitted." if proposal.state is ProposalState.SUBMITTED
                else "Your draft is saved. Submit it before the call closes.",
                "success",
            )
            _flash_answer_notes(form, {})
        else:
            flash("This proposal was already saved; here it is.", "info")
        return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
    status = 400 if form.errors else 200
    return _render_form(conference, None, form, closed=closed, access_code=access_code), status


def _flash_answer_notes(form: ProposalForm, set_aside_before: dict[int, str]) -> None:
    """Say which answers the save set aside, as their questions are not asked of the format and
    track the speaker chose (``set_aside_before``: those already set aside, by question id, so
    that each is told once), and which hidden answers could not be kept at all."""
    for question in form.answers_set_aside():
        if set_aside_before.get(question.id) == form[answer_field_name(question)].data:
            continue
        flash(
            f"Your answer to “{question.text}” is kept but set aside: the question does not apply "
            "to the session format and track you chose, so it is not required and only the "
            f"speakers see the answer. {questions.scope_text(question)} Choose one of those "
            "again and the answer is back on the form.",
            "info",
        )
    for question, problem in form.answers_not_kept():
        flash(
            f"Your answer to “{question.text}” is not kept ({problem}): the question does not "
            f"apply to the session format and track you chose. {questions.scope_text(question)}",
            "warning",
        )


def _render_form(conference, proposal, form, closed=None, conflict=None, access_code=None):
    if not conference.session_formats and not closed:
        closed_note = "This conference has no session formats yet, so proposals cannot be saved."
    else:
        closed_note = None
    # Answers to questions no longer asked are kept, and shown read-only.
    retired_answers = (
        [answer for answer in questions.shown_answers(proposal) if answer.retired]
        if proposal is not None else []
    )
    return render_template(
        "proposals/form.html",
        conference=conference,
        proposal=proposal,
        form=form,
        closed=closed,
        no_formats=closed_note,
        conflict=conflict,
        retired_answers=retired_answers,
        scope_text=questions.scope_text,
        readers_text=lambda question: questions.readers_text(
            question, bool(conference.setting("anonymised_review"))
        ),
        window_text=operations.cfp_window_text(conference, viewer_time_zone()),
        access_code=access_code,
        limits_text=access_codes.limits_text,
        uses_text=access_codes.uses_text,
    )


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>")
@login_required
def detail(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _my_proposal(conference, proposal_id)
    user = _user()
    return render_template(
        "proposals/detail.html",
        conference=conference,
        proposal=proposal,
        is_submitter=operations.is_submitter(proposal, user),
        may_edit=operations.may_change_now(proposal, _usable_code(conference, proposal)),
        may_withdraw=operations.speakers_may_edit(proposal),
        co_speakers=operations.co_speaker_rows(proposal),
        answer_rows=questions.answer_rows(proposal, include_set_aside=True),
        slot=operations.published_slots(conference, [proposal.id]).get(proposal.id),
        recording=_recording_consent(proposal),
        decision_email=decision_operations.latest_decision_email(proposal, user),
        invite_form=InviteCoSpeakerForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        max_co_speakers=operations.MAX_CO_SPEAKERS,
        InvitationState=InvitationState,
    )


def _recording_consent(proposal: Proposal) -> dict | None:
    """For an accepted talk's page: where its speakers stand on publishing its recording, and
    whether one is attached (that is, waiting for their answers)."""
    if proposal.state not in PUBLIC_STATES:
        return None
    return {
        "consent": recording_consents([proposal.id])[proposal.id],
        "has_recording": bool(materials_of(proposal).recordings),
    }


_COMPARED_FIELDS = (
    ("title", "Title"),
    ("abstract", "Abstract"),
    ("session_format_id", "Session format"),
    ("track_id", "Track"),
    ("audience_level", "Audience level"),
    ("notes_to_organisers", "Notes to the organisers"),
)


def _differences(proposal: Proposal, form: ProposalForm) -> list[tuple[str, str]]:
    """(label, saved value) for each field where the saved proposal differs from the input."""
    saved = {
        "title": proposal.title,
        "abstract": proposal.abstract,
        "session_format_id": proposal.session_format_id,
        "track_id": proposal.track_id or NO_CHOICE,
        "audience_level": proposal.audience_level.value,
        "notes_to_organisers": proposal.notes_to_organisers,
    }
    shown = {
        "session_format_id": proposal.session_format.name if proposal.session_format else "",
        "track_id": proposal.track.name if proposal.track else "No particular track",
    }
    changes = []
    for name, label in _COMPARED_FIELDS:
        if saved[name] != (getattr(form, name).data or ("" if isinstance(saved[name], str) else NO_CHOICE)):
            changes.append((label, str(shown.get(name, saved[name]))))
    saved_answers = questions.stored_answers(proposal)
    given = form.answers()
    for question, _field in form.question_fields():
        if question.id not in given:
            continue  # not kept whatever was saved: see _flash_answer_notes
        saved_answer = saved_answers.get(question.id, "")
        if saved_answer != given[question.id]:
            changes.append((question.text, questions.answer_text(question, saved_answer) or "(no answer)"))
    return changes


def _conflict_response(conference, proposal, form):
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal.id)
    changes = _differences(proposal, form)
    # Saving again now deliberately replaces the other version with this input.
    form.lock_version.data = proposal.lock_version
    form.lock_version.raw_data = [str(proposal.lock_version)]
    return _render_form(conference, proposal, form, conflict=changes), 409


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _my_proposal(conference, proposal_id)
    if not operations.speakers_may_edit(proposal):
        flash(f"This proposal is {proposal.state.label.lower()}; speakers can no longer change it.", "info")
        return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
    submitted = proposal.state is ProposalState.SUBMITTED
    access_code = _usable_code(conference, proposal)
    form = (
        _proposal_form(conference, proposal, access_code, obj=proposal, submitted=submitted)
        if request.method == "GET"
        else _proposal_form(conference, proposal, access_code, submitted=submitted)
    )
    if request.method == "GET":
        form.track_id.data = proposal.track_id or NO_CHOICE
        form.audience_level.data = proposal.audience_level.value
        form.show_saved_answers()
    closed = None if operations.may_change_now(proposal, access_code) else _closed(conference)
    if closed and proposal.state is ProposalState.DRAFT and proposal.access_code is not None:
        problem = access_codes.refusal(proposal.access_code, operations.current_instant())
        if problem:
            closed += f" The access code this draft was saved with no longer works: {problem}"
    if request.method == "POST" and closed:
        return _render_form(conference, proposal, form, closed=closed), 403
    if form.validate_on_submit():
        if form.lock_version.data != proposal.lock_version:
            return _conflict_response(conference, proposal, form)
        set_aside_before = questions.set_aside_answers(proposal)
        try:
            with db.session.begin_nested():
                operations.update_proposal(
                    proposal, _details(form), submit=form.wants_submission, access_code=access_code
                )
        except StaleDataError:
            return _conflict_response(conference, proposal, form)
        except operations.SpeakerActionRefused as refusal:
            return _render_form(conference, proposal, form, closed=str(refusal), access_code=access_code), 403
        flash(
            "Your proposal is submitted." if proposal.state is ProposalState.SUBMITTED
            else "Your draft is saved.",
            "success",
        )
        _flash_answer_notes(form, set_aside_before)
        return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
    status = 400 if form.errors else 200
    return _render_form(conference, proposal, form, closed=closed, access_code=access_code), status


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _my_proposal(conference, proposal_id)
    if not operations.is_submitter(proposal, _user()):
        abort(403, description="Only the person who submitted a proposal can withdraw it.")
    if not operations.speakers_may_edit(proposal):
        flash(f"This proposal is {proposal.state.label.lower()} and cannot be withdrawn.", "info")
        return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
    form = ConfirmForm()
    if request.method == "POST":
        require_confirm_form()
        operations.withdraw_proposal(proposal)
        flash(f"“{proposal.title}” is withdrawn.", "success")
        return redirect(url_for("proposals.my_proposals", slug=slug))
    return render_template(
        "proposals/withdraw.html", conference=conference, proposal=proposal, form=form
    )


# --- co-speakers --------------------------------------------------------------------------


def _invitation_link(slug: str, token: str) -> str:
    public_url = current_app.config.get("PUBLIC_URL")
    if public_url:
        return public_url + url_for("proposals.invitation", slug=slug, token=token)
    return url_for("proposals.invitation", slug=slug, token=token, _external=True)


@blueprint.route("/c/<slug>/proposals/<int:proposal_id>/co-speakers", methods=["POST"])
@login_required
def invite(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _my_proposal(conference, proposal_id)
    user = _user()
    if not operations.is_submitter(proposal, user):
        abort(403, description="Only the person who submitted a proposal can invite co-speakers.")
    form = InviteCoSpeakerForm()
    if not form.validate_on_submit():
        flash(" ".join(form.email.errors) or "The form expired; try again.", "error")
        return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
    try:
        operations.invite_co_speaker(
            proposal, user, form.email.data, lambda token: _invitation_link(slug, token)
        )
    except operations.SpeakerActionRefused as refusal:
        flash(str(refusal), "error")
    else:
        flash(f"An invitation is on its way to {form.email.data}.", "success")
    return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))


@blueprint.route(
    "/c/<slug>/proposals/<int:proposal_id>/co-speakers/<int:speaker_id>/cancel", methods=["POST"]
)
@login_required
def cancel_invitation(slug: str, proposal_id: int, speaker_id: int):
    conference = load_conference(slug)
    proposal = _my_proposal(conference, proposal_id)
    if not operations.is_submitter(proposal, _user()):
        abort(403, description="Only the person who submitted a proposal can withdraw invitations.")
    require_confirm_form()
    try:
        operations.cancel_invitation(proposal, speaker_id)
    except LookupError:
        abort(404)
    flash("The invitation is withdrawn.", "success")
    return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))


@blueprint.route("/c/<slug>/invitations/<token>", methods=["GET", "POST"])
@login_required
def invitation(slug: str, token: str):
    conference = load_conference(slug)
    row = operations.find_invitation(conference, token)
    if row is None:
        abort(404)
    user = _user()
    proposal = row.proposal
    context = {
        "conference": conference,
        "invitation": row,
        "proposal": proposal,
        "inviter": operations.inviter_of(proposal),
        "form": InvitationAnswerForm(),
    }
    if not operations.invitation_is_for(row, user):
        # Say who it is for only as far as the holder of the link already knows.
        return render_template("proposals/invitation.html", wrong_account=True, **context), 403
    if request.method == "POST":
        form = context["form"]
        if not form.validate_on_submit():
            abort(400, description="The form expired; reload the page and try again.")
        try:
            operations.answer_invitation(conference, row, user, accept=bool(form.accept.data))
        except operations.SpeakerActionRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("proposals.my_proposals", slug=slug))
        if form.accept.data:
            flash(f"You are now a co-speaker of “{proposal.title}”.", "success")
            return redirect(url_for("proposals.detail", slug=slug, proposal_id=proposal.id))
        flash(f"You declined to co-present “{proposal.title}”.", "info")
        return redirect(url_for("proposals.my_proposals", slug=slug))
    return render_template("proposals/invitation.html", wrong_account=False, **context)


# --- availability -------------------------------------------------------------------------


def _hub_of(conference: Conference, user):
    profile = operations.speaker_profile(conference, user)
    hub_id = profile.hub_id if profile is not None else user.home_hub_id
    return next((hub for hub in conference.hubs if hub.id == hub_id), None)


def _conference_zone_summary(conference: Conference, windows) -> dict[date, list[str]]:
    """Each saved window as wall-clock text in the conference's zone, by local start day."""
    summary: dict[date, list[str]] = {}
    for window in windows:
        starts = to_zone(window.starts_at, conference.time_zone)
        ends = to_zone(window.ends_at, conference.time_zone)
        text = f"{starts.strftime('%a %d %b %H:%M')} – {ends.strftime('%H:%M')}"
        if ends.date() != starts.date():
            text = f"{starts.strftime('%a %d %b %H:%M')} – {ends.strftime('%a %d %b %H:%M')}"
        summary.setdefault(starts.date(), []).append(text)
    return summary


@blueprint.route("/c/<slug>/speaker/availability", methods=["GET", "POST"])
@login_required
def availability(slug: str):
    conference = load_conference(slug)
    user = _user()
    hub = _hub_of(conference, user)
    days = conference.days()
    laid_out = operations.availability_by_day(conference, user, hub)
    if request.method == "GET":
        form = AvailabilityForm(
            data={
                "days": [
                    {"day": day.isoformat(), "unavailable": not laid_out.ranges.get(day)}
                    for day in days
                ]
            }
        )
    else:
        form = AvailabilityForm()
    saved = {day.isoformat(): laid_out.ranges.get(day, []) for day in days}
    for entry in form.days:
        day_form = entry.form
        ranges = saved.get(day_form.day.data, [])
        # A day may already hold more ranges than the limit (after a change of zone, say):
        # saving the page as shown must still work.
        day_form.most_ranges = max(MAX_RANGES_PER_DAY, len(ranges))
        if request.method == "GET":
            day_form.show_ranges(ranges)
    day_forms = list(form.days)
    adding_to = request.form.get("add_range") if request.method == "POST" else None
    if adding_to is not None:
        # "Add a range" only shows the form again, with what was typed and one more row.
        day_form = form.day_form(adding_to)
        if day_form is not None:
            day_form.add_row()
    elif form.validate_on_submit():
        if len(day_forms) != len(days) or any(
            entry.form.day.data != day.isoformat()
            for entry, day in zip(day_forms, days, strict=False)
        ):
            flash(
                "The conference days changed while you were editing; please check again.", "error"
            )
            return redirect(url_for("proposals.availability", slug=slug))
        ranges_by_day = {day: entry.form.ranges for entry, day in zip(day_forms, days, strict=True)}
        operations.replace_availability(conference, user, ranges_by_day)
        if any(ranges_by_day.values()):
            flash("Your availability is saved.", "success")
        else:
            flash(
                "Your availability is saved: not available on any conference day. Your talks cannot be"
                " scheduled unless you give some time here.",
                "warning",
            )
        return redirect(url_for("proposals.availability", slug=slug))
    status = 400 if form.errors else 200
    return render_template(
        "proposals/availability.html",
        conference=conference,
        form=form,
        rows=list(zip(days, day_forms, strict=False)),
        is_default=laid_out.is_default,
        hub=hub,
        summary=_conference_zone_summary(conference, laid_out.windows),
        max_ranges=MAX_RANGES_PER_DAY,
    ), status
