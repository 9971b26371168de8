"""Organisers edit the draft schedule and publish numbered versions; anyone reads the changelog.

Access: the conference, then the ORGANISER role there (403 otherwise), then the draft's
talks, the proposals and the versions scoped to that conference (404 otherwise). The changelog
is public.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from conference.conferences.access import conference_with_role, load_conference, load_scoped
from conference.conferences.models import Conference, Role, Room
from conference.core.forms import flash_form_errors
from conference.drafts import operations, queries
from conference.drafts.checks import draft_warnings
from conference.drafts.forms import (
    MoveTalkForm,
    PinForm,
    PublishForm,
    ReoptimiseForm,
    UnscheduleForm,
)
from conference.drafts.starred import queue_starred_changes
from conference.extensions import db
from conference.feeds.links import public_base_url
from conference.mail.operations import request_delivery
from conference.mail.templates import TemplateProblem
from conference.proposals.models import Proposal
from conference.schedule import jobs
from conference.schedule.mapping import scheduled_states
from conference.schedule.models import RunKind, ScheduledTalk, ScheduleVersion

blueprint = Blueprint("drafts", __name__)

STALE_MESSAGE = (
    "Someone changed the draft since you loaded this page, so nothing was changed. "
    "Reload the grid to see their changes, then try again."
)
STALE_PUBLISH_MESSAGE = (
    "Someone changed the draft since you loaded this page, so nothing was published. "
    "Reload the grid to see their changes and the checks, then publish again."
)
STALE_FORM_MESSAGE = (
    "Someone changed the draft since you loaded this page, so nothing was changed. "
    "Your choice is kept below, next to where the talk is now; send it again to move the talk."
)
STALE_PLACE_MESSAGE = (
    "Someone changed the draft since you loaded this page, so nothing was changed. "
    "Your choice is kept below; send it again to place the talk in the current draft."
)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _zone_or_400(conference: Conference) -> str:
    zone_name = queries.chosen_zone(request.args.get("tz"), queries.zone_choices(conference, current_user))
    if zone_name is None:
        abort(400, description="Choose one of the listed time zones.")
    # The page footer names the zone too; keep it the same as the grid's.
    g.viewer_time_zone = zone_name
    return zone_name


def _draft_or_404(conference: Conference) -> ScheduleVersion:
    draft = queries.find_draft(conference)
    if draft is None:
        abort(404)
    return draft


def _posted_lock_version() -> int | None:
    try:
        return int(request.form.get("lock_version", ""))
    except ValueError:
        return None


def _draft_talk(draft: ScheduleVersion, talk_id: int) -> ScheduledTalk:
    talk = db.session.scalar(
        select(ScheduledTalk).where(ScheduledTalk.id == talk_id, ScheduledTalk.version_id == draft.id)
    )
    if talk is None:
        if request.method == "POST" and _posted_lock_version() not in (None, draft.lock_version):
            # Gone since the page was loaded (unscheduled, or the draft re-optimised): a stale page.
            conference = draft.conference
            zone_name = queries.chosen_zone(request.args.get("tz"), queries.zone_choices(conference, current_user))
            abort(make_response(_stale_conflict(conference, zone_name)))
        abort(404)
    return talk


def _editor_url(conference: Conference, zone_name: str | None = None, anchor: str | None = None) -> str:
    return url_for("drafts.editor", slug=conference.slug, tz=zone_name, _anchor=anchor)


def _stale_conflict(conference: Conference, zone_name: str | None, message: str = STALE_MESSAGE,
                    note: str = ""):
    db.session.rollback()
    if _wants_json():
        return {"error": "Conflict", "description": message}, 409
    return render_template(
        "drafts/conflict.html", conference=conference, message=message, note=note,
        editor_url=_editor_url(conference, zone_name),
    ), 409


@blueprint.route("/c/<slug>/manage/schedule/draft")
@login_required
def editor(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    zone_name = _zone_or_400(conference)
    draft = queries.find_draft(conference)
    context = {
        "conference": conference, "draft": draft, "zone_name": zone_name,
        "zone_choices": queries.zone_choices(conference, current_user),
        "publish_form": PublishForm(
            formdata=None, lock_version=draft.lock_version if draft is not None else None
        ),
        "latest": operations.latest_published(conference),
    }
    if draft is not None:
        talks = queries.draft_talks(draft)
        placed, left_out = queries.placed_and_left_out(conference, talks)
        minutes = queries.slot_minutes(conference)
        # Talks withdrawn or declined since they were placed hold no room: they are listed
        # apart, flagged, and their cells are free for other talks.
        grid = queries.build_grid(conference, placed, zone_name, minutes)
        outside_grid = left_out + [talk for talk, _ in grid.overlapping]
        not_in_draft = queries.talks_not_in_draft(conference, draft)
        context.update(
            talks=talks,
            grid=grid,
            left_out=left_out,
            outside_times={talk.id: _talk_times(talk, zone_name) for talk in outside_grid},
            not_in_draft=not_in_draft,
            # Dragging one onto a free cell checks it fits there (the server checks again).
            place_minutes={
                proposal.id: int(queries.talk_length(proposal, minutes).total_seconds() // 60)
                for proposal in not_in_draft
            },
            reoptimise_form=ReoptimiseForm(formdata=None),
            warnings=queries.talk_warnings(conference, talks),
            checker=draft_warnings(conference, draft),
            pin_form=PinForm(formdata=None, lock_version=draft.lock_version),
        )
    return render_template("drafts/editor.html", **context)


def _talk_times(talk: ScheduledTalk, zone_name: str) -> str:
    """Where the talk is now on the move page, e.g. ``Wed 24 Mar 2027, 14:00–14:30``."""
    return (
        f"{queries.clock_label(talk.starts_at, zone_name, '%a %d %b %Y, %H:%M')}"
        f"–{queries.clock_label(talk.ends_at, zone_name)}"
    )


def _move_choices(conference: Conference, form: MoveTalkForm, length: timedelta, zone_name: str) -> None:
    blocks = queries.blocks_with_rooms(conference)
    # Every room is offered: a room closed at the chosen time gets a message naming the block.
    form.room_id.choices = [
        (room.id, f"{room.name} ({room.hub.name if room.hub else 'online'})")
        for room in queries.ordered_rooms(conference)
    ]
    starts = queries.valid_starts(blocks, queries.slot_minutes(conference), length)
    form.starts_at.choices = [
        (instant.isoformat(), queries.start_label(instant, zone_name)) for instant in starts
    ]


def _talk_length(conference: Conference, proposal: Proposal, talk: ScheduledTalk | None) -> timedelta:
    """A placed talk keeps its length; one not in the draft gets its format's."""
    if talk is not None:
        return talk.ends_at - talk.starts_at
    return queries.talk_length(proposal, queries.slot_minutes(conference))


def _placement_page(conference: Conference, zone_name: str, proposal: Proposal, talk: ScheduledTalk | None,
                    form: MoveTalkForm, refusal: str | None, status: int, placing: bool):
    """The move form (``placing``: the place form, reached from the list of talks not in the draft)."""
    action = (
        url_for("drafts.place_talk", slug=conference.slug, proposal_id=proposal.id, tz=zone_name)
        if placing
        else url_for("drafts.move_talk", slug=conference.slug, talk_id=talk.id, tz=zone_name)
    )
    length = _talk_length(conference, proposal, talk)
    return render_template(
        "drafts/move.html", conference=conference, proposal=proposal, talk=talk, form=form,
        zone_name=zone_name, talk_times=_talk_times(talk, zone_name) if talk is not None else "",
        refusal=refusal, action=action, length_minutes=int(length.total_seconds() // 60),
    ), status


def _place_or_move(conference: Conference, zone_name: str, draft: ScheduleVersion, proposal: Proposal,
                   talk: ScheduledTalk | None, placing: bool):
    """GET shows the form; POST moves ``talk``, or places ``proposal`` when it is not in the draft."""
    if request.method == "GET":
        form = MoveTalkForm(
            formdata=None, lock_version=draft.lock_version,
            room_id=talk.room_id if talk is not None else None,
            starts_at=talk.starts_at.isoformat() if talk is not None else None,
        )
    else:
        form = MoveTalkForm()
    _move_choices(conference, form, _talk_length(conference, proposal, talk), zone_name)
    # Read before trying: after a failed flush the session cannot load anything until rolled back.
    proposal_id, was_in_draft = proposal.id, talk is not None
    status, refusal = 200, None
    if form.validate_on_submit():
        room = load_scoped(Room, conference, form.room_id.data)
        starts_at = datetime.fromisoformat(form.starts_at.data)
        minutes = queries.slot_minutes(conference)
        try:
            if talk is not None:
                operations.move_talk(draft, talk, room, starts_at, form.lock_version.data, minutes)
            else:
                talk = operations.place_talk(
                    draft, proposal, room, starts_at, queries.talk_length(proposal, minutes),
                    form.lock_version.data, minutes,
                )
        except (operations.StaleDraft, StaleDataError, IntegrityError):
            # IntegrityError: someone placed the same talk at the same moment.
            if _wants_json():
                return _stale_conflict(conference, zone_name)
            return _stale_placement_form(conference, zone_name, proposal_id, form, placing)
        except operations.MoveRefused as problem:
            db.session.rollback()
            refusal, status = str(problem), 422
        else:
            message = (
                f"{'Moved' if was_in_draft else 'Placed'} “{proposal.title}” to {talk.room.name}, "
                f"{queries.clock_label(talk.starts_at, zone_name, '%a %H:%M')} {zone_name}."
            )
            if _wants_json():
                return {"ok": True, "message": message, "lock_version": draft.lock_version}
            flash(message, "success")
            return redirect(_editor_url(conference, zone_name, f"talk-{talk.id}"))
    elif request.method == "POST":
        status, refusal = 422, _form_refusal(form, _talk_length(conference, proposal, talk))
    if _wants_json():
        return {"error": "Refused", "description": refusal}, status
    return _placement_page(conference, zone_name, proposal, talk, form, refusal, status, placing)


def _form_refusal(form: MoveTalkForm, length: timedelta) -> str:
    """Why a move or place was refused before trying it: a start the talk cannot have (a drop
    onto a cell too near a block's end, say) is explained; anything else asks to choose again."""
    if set(form.errors) == {"starts_at"} and form.starts_at.data:
        try:
            datetime.fromisoformat(form.starts_at.data)
        except ValueError:
            pass
        else:
            return (
                f"A {int(length.total_seconds() // 60)}-minute talk cannot start then: "
                "it must start on the slot grid and end inside one session block."
            )
    return "Choose a room and one of the listed start times."


@blueprint.route("/c/<slug>/manage/schedule/draft/talks/<int:talk_id>/move", methods=["GET", "POST"])
@login_required
def move_talk(slug: str, talk_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    zone_name = _zone_or_400(conference)
    draft = _draft_or_404(conference)
    talk = _draft_talk(draft, talk_id)
    return _place_or_move(conference, zone_name, draft, talk.proposal, talk, placing=False)


def _schedulable_proposal(conference: Conference, proposal_id: int) -> Proposal:
    """An accepted (or confirmed) talk of this conference; 404 for anything else."""
    proposal = load_scoped(Proposal, conference, proposal_id)
    if proposal.state not in scheduled_states(conference):
        abort(404)
    return proposal


def _draft_row_of(draft: ScheduleVersion, proposal: Proposal) -> ScheduledTalk | None:
    return db.session.scalar(
        select(ScheduledTalk).where(ScheduledTalk.version_id == draft.id, ScheduledTalk.proposal_id == proposal.id)
    )


@blueprint.route("/c/<slug>/manage/schedule/draft/proposals/<int:proposal_id>/place", methods=["GET", "POST"])
@login_required
def place_talk(slug: str, proposal_id: int):
    """Put an accepted talk the draft does not have into a room and slot; one it has is moved."""
    conference = conference_with_role(slug, Role.ORGANISER)
    zone_name = _zone_or_400(conference)
    draft = _draft_or_404(conference)
    proposal = _schedulable_proposal(conference, proposal_id)
    return _place_or_move(conference, zone_name, draft, proposal, _draft_row_of(draft, proposal), placing=True)


def _stale_placement_form(conference: Conference, zone_name: str, proposal_id: int, form: MoveTalkForm,
                          placing: bool):
    """The form again with the organiser's choice kept; sending it acts on the current draft."""
    db.session.rollback()
    draft = _draft_or_404(conference)
    proposal = load_scoped(Proposal, conference, proposal_id)
    talk = _draft_row_of(draft, proposal)
    if talk is None:
        # Unscheduled meanwhile (or never in the draft): the form places it, if it is still a talk.
        proposal, placing = _schedulable_proposal(conference, proposal_id), True
    form.lock_version.data = draft.lock_version
    form.lock_version.raw_data = [str(draft.lock_version)]
    _move_choices(conference, form, _talk_length(conference, proposal, talk), zone_name)
    message = STALE_FORM_MESSAGE if talk is not None else STALE_PLACE_MESSAGE
    return _placement_page(conference, zone_name, proposal, talk, form, message, 409, placing)


def _set_pin(slug: str, talk_id: int, pinned: bool):
    conference = conference_with_role(slug, Role.ORGANISER)
    zone_name = queries.chosen_zone(request.args.get("tz"), queries.zone_choices(conference, current_user))
    draft = _draft_or_404(conference)
    talk = _draft_talk(draft, talk_id)
    form = PinForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        operations.set_pinned(draft, talk, pinned, form.lock_version.data)
    except (operations.StaleDraft, StaleDataError):
        return _stale_conflict(conference, zone_name)
    flash(f"“{talk.proposal.title}” is {'pinned' if pinned else 'no longer pinned'}.", "success")
    return redirect(_editor_url(conference, zone_name, f"talk-{talk.id}"))


@blueprint.route("/c/<slug>/manage/schedule/draft/talks/<int:talk_id>/pin", methods=["POST"])
@login_required
def pin_talk(slug: str, talk_id: int):
    return _set_pin(slug, talk_id, True)


@blueprint.route("/c/<slug>/manage/schedule/draft/talks/<int:talk_id>/unpin", methods=["POST"])
@login_required
def unpin_talk(slug: str, talk_id: int):
    return _set_pin(slug, talk_id, False)


@blueprint.route("/c/<slug>/manage/schedule/draft/talks/<int:talk_id>/unschedule", methods=["POST"])
@login_required
def unschedule_talk(slug: str, talk_id: int):
    """Take a talk out of the draft (a withdrawn one, or to free its slot); its pin goes with it."""
    conference = conference_with_role(slug, Role.ORGANISER)
    zone_name = queries.chosen_zone(request.args.get("tz"), queries.zone_choices(conference, current_user))
    draft = _draft_or_404(conference)
    talk = _draft_talk(draft, talk_id)
    form = UnscheduleForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    proposal, was_pinned = talk.proposal, talk.pinned
    try:
        operations.unschedule_talk(draft, talk, form.lock_version.data)
    except (operations.StaleDraft, StaleDataError):
        return _stale_conflict(conference, zone_name)
    message, anchor = f"“{proposal.title}” is no longer in the draft.", None
    if was_pinned:
        message += " Its pin is dropped."
    if proposal.state in scheduled_states(conference):
        message += (
            " It is listed under “Talks not in the draft” to place again; re-optimising leaves it out"
            " unless you tick “Also place the talks not in the draft”."
        )
        anchor = "not-in-draft-heading"
    flash(message, "success")
    return redirect(_editor_url(conference, zone_name, anchor))


@blueprint.route("/c/<slug>/manage/schedule/draft/reoptimise", methods=["POST"])
@login_required
def reoptimise(slug: str):
    """Queue a re-optimising run; talks not in the draft stay out unless the organiser ticked to place them."""
    conference = conference_with_role(slug, Role.ORGANISER)
    form = ReoptimiseForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    draft = _draft_or_404(conference)
    place_all = form.place_talks_not_in_draft.data
    not_in_draft = len(queries.talks_not_in_draft(conference, draft))
    try:
        run = jobs.enqueue_solver_run(
            conference, RunKind.REOPTIMISE, current_user, place_talks_not_in_draft=place_all
        )
    except jobs.QueueUnavailable as error:
        flash(str(error), "error")
        return redirect(_editor_url(conference))
    except jobs.RunAlreadyActive:
        flash("A solver run is already queued or running; wait for it to finish.", "error")
        return redirect(_editor_url(conference))
    flash(form.queued_message(not_in_draft), "success")
    return redirect(url_for("schedule.run", slug=conference.slug, run_id=run.id))


@blueprint.route("/c/<slug>/manage/schedule/publish", methods=["POST"])
@login_required
def publish(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = PublishForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(_editor_url(conference))
    schedule_link = url_for("conferences.overview", slug=conference.slug, _external=True)
    changelog_link = url_for("drafts.changelog", slug=conference.slug, _external=True)
    # On PUBLIC_URL when configured, as the discussion's and the feeds' links are.
    agenda_link = public_base_url() + url_for("agenda.mine", slug=conference.slug)
    account_link = public_base_url() + url_for("accounts.profile")
    told_attendees = 0

    def tell(new, previous) -> None:
        nonlocal told_attendees
        operations.queue_schedule_emails(new, previous, schedule_link, changelog_link)
        told_attendees = queue_starred_changes(new, previous, agenda_link, account_link)

    try:
        version = operations.publish_schedule(
            conference, current_user, form.note.data or "", after_publish=tell,
            lock_version=form.lock_version.data,
        )
    except operations.StaleDraft:
        return _stale_conflict(conference, None, STALE_PUBLISH_MESSAGE, note=form.note.data or "")
    except operations.NothingToPublish as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return redirect(_editor_url(conference))
    except TemplateProblem as problem:
        db.session.rollback()
        flash(f"A schedule e-mail template does not render ({problem}); fix it under E-mails.", "error")
        return redirect(_editor_url(conference))
    request_delivery()
    attendees = ("" if not told_attendees else
                 f" {told_attendees} {'person is' if told_attendees == 1 else 'people are'} told about talks they starred that changed.")
    flash(f"Published version {version.number}; speakers are told about their slots.{attendees}", "success")
    return redirect(url_for("drafts.versions", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/schedule/versions")
@login_required
def versions(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "drafts/versions.html", conference=conference, entries=queries.changelog(conference),
    )


@blueprint.route("/c/<slug>/manage/schedule/versions/<int:version_id>")
@login_required
def version(slug: str, version_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    found = load_scoped(ScheduleVersion, conference, version_id)
    if found.is_draft:
        abort(404)
    rows = queries.load_version_rows([found.id])[found.id]
    return render_template("drafts/version.html", conference=conference, version=found, rows=rows)


@blueprint.route("/c/<slug>/changelog")
def changelog(slug: str):
    conference = load_conference(slug)
    return render_template("drafts/changelog.html", conference=conference, entries=queries.changelog(conference))
