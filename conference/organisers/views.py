"""Organisers set up a conference: its settings, people and roles, hubs, rooms, tracks, formats.

Every handler loads the conference, checks the ORGANISER role there, then loads any object
scoped to that conference, so an id from another conference is a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from conference.accounts.operations import find_user_by_email
from conference.activity.queries import proposal_history
from conference.attendance import operations as attendance_operations
from conference.attendance import queries as attendance_queries
from conference.checkin import operations as checkin_operations
from conference.conferences.access import (
    conference_with_role,
    load_scoped,
)
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.core.forms import occurrence_of, parse_id, require_confirm_form
from conference.core.timezones import offset_after_localtime, to_zone
from conference.core.types import utcnow
from conference.decisions import queries as decision_queries
from conference.discussion.thread import BACK_TO_MANAGE, thread_for
from conference.extensions import db
from conference.mail.operations import request_delivery
from conference.organisers import operations, queries
from conference.organisers.forms import (
    ONLINE_STREAM,
    AddRoleForm,
    CfpQuestionForm,
    ConferenceSettingsForm,
    CreateConferenceForm,
    DeleteTrackForm,
    HubForm,
    RestoreCfpQuestionForm,
    RoomForm,
    SessionFormatForm,
    TrackForm,
)
from conference.proposals import questions
from conference.proposals.models import (
    CfpQuestion,
    CfpQuestionKind,
    Proposal,
    ReviewerVisibility,
)
from conference.tags import queries as tag_queries
from conference.tags.forms import ProposalTagsForm

blueprint = Blueprint("organisers", __name__)


# --- loading and access -------------------------------------------------------------------


def _save_unique_name(form, kind: str, change: Callable[[], object]) -> bool:
    """Run ``change`` in a savepoint; a taken name becomes a form error, not a 500."""
    try:
        with db.session.begin_nested():
            change()
    except (operations.NameTaken, IntegrityError):
        form.name.errors.append(
            f"This conference already has a {kind} called “{form.name.data}”. Choose another name."
        )
        return False
    return True


# --- creating a conference and its settings ------------------------------------------------


def _conference_details(form: ConferenceSettingsForm) -> operations.ConferenceDetails:
    return operations.ConferenceDetails(
        name=form.name.data,
        description=form.description.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        time_zone=form.time_zone.data,
        cfp_opens_local=form.cfp_opens_local(),
        cfp_closes_local=form.cfp_closes_local(),
        anonymised_review=bool(form.anonymised_review.data),
        reviewers_per_proposal=form.reviewers_per_proposal.data,
    )


def _local_wall_clock(instant, zone_name: str):
    # The wall-clock time keeps its fold: 1 when it is the second of a time shown twice.
    return None if instant is None else to_zone(instant, zone_name).replace(tzinfo=None)


def _conference_form_data(conference: Conference) -> dict:
    cfp_opens = _local_wall_clock(conference.cfp_opens_at, conference.time_zone)
    cfp_closes = _local_wall_clock(conference.cfp_closes_at, conference.time_zone)
    return {
        "name": conference.name,
        "description": conference.description,
        "starts_on": conference.starts_on,
        "ends_on": conference.ends_on,
        "time_zone": conference.time_zone,
        "cfp_opens_at": cfp_opens,
        "cfp_opens_occurrence": occurrence_of(cfp_opens),
        "cfp_closes_at": cfp_closes,
        "cfp_closes_occurrence": occurrence_of(cfp_closes),
        "anonymised_review": conference.setting("anonymised_review"),
        "reviewers_per_proposal": conference.setting("reviewers_per_proposal"),
    }


def _label_cfp_times(form: ConferenceSettingsForm, fallback_zone: str | None) -> None:
    # Label with the zone being entered, so a changed zone is named before it is saved.
    zone_name = form.entered_zone() or fallback_zone
    if zone_name:
        form.label_times_with_zone(zone_name)


@blueprint.route("/conferences/new", methods=["GET", "POST"])
@login_required
def create_conference():
    if not current_user.is_site_admin:
        abort(403)
    form = CreateConferenceForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                conference = operations.create_conference(
                    current_user._get_current_object(), form.slug.data, _conference_details(form)
                )
        except (operations.SlugTaken, IntegrityError):
            form.slug.errors.append(
                f"The short name “{form.slug.data}” is already used by another conference."
            )
        else:
            flash(f"{conference.name} is created and you are its organiser.", "success")
            return redirect(url_for("organisers.dashboard", slug=conference.slug))
    _label_cfp_times(form, None)
    return render_template("organisers/create_conference.html", form=form)


@blueprint.route("/c/<slug>/manage/settings", methods=["GET", "POST"])
def settings(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    # A POST counts only what was sent: the stored occurrence of a repeated call-for-proposals
    # time must not answer the question for a newly entered time.
    stored = None if request.method == "POST" else _conference_form_data(conference)
    form = ConferenceSettingsForm(data=stored)
    if form.validate_on_submit():
        dropped = operations.update_conference_settings(conference, _conference_details(form))
        flash("The conference settings are saved.", "success")
        if dropped:
            request_delivery()
            told = "1 person was" if dropped == 1 else f"{dropped} people were"
            flash(
                "The new dates leave out days people had registered for (in person or remotely): those "
                f"days are removed from their registrations, and {told} e-mailed the days they lost, the "
                "new dates and a link to change their registration (see Attendance).",
                "info",
            )
        return redirect(url_for("organisers.settings", slug=conference.slug))
    _label_cfp_times(form, conference.time_zone)
    return render_template(
        "organisers/settings.html",
        conference=conference,
        form=form,
        # The offsets tell apart the two occurrences of a time the clocks show twice.
        cfp_opens_offset=offset_after_localtime(conference.cfp_opens_at, conference.time_zone),
        cfp_closes_offset=offset_after_localtime(conference.cfp_closes_at, conference.time_zone),
    )


@blueprint.route("/c/<slug>/manage/")
def dashboard(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "organisers/dashboard.html",
        conference=conference,
        summary=queries.conference_summary(conference),
    )


# --- people and roles ----------------------------------------------------------------------


PEOPLE_SEARCH_MAX = 100


def _people_filters() -> dict[str, str | int]:
    """The people list's role filter, search and page from the query string; unusable values
    are dropped (a page that is not a number is the first)."""
    filters: dict[str, str | int] = {}
    chosen = request.args.get("role", "")
    if chosen in {role.value for role in Role}:
        filters["role"] = chosen
    search = " ".join(request.args.get("q", "").split())[:PEOPLE_SEARCH_MAX]
    if search:
        filters["q"] = search
    page = parse_id(request.args.get("page"))
    if page is not None and page > 1:
        filters["page"] = page
    return filters


def _render_people(conference: Conference, add_form: AddRoleForm, remove_error: str | None = None):
    filters = _people_filters()
    only_role = Role(filters["role"]) if "role" in filters else None
    listing = queries.people_with_roles(conference, only_role, str(filters.get("q", "")), int(filters.get("page", 1)))
    if listing.page > 1:
        filters["page"] = listing.page
    else:
        filters.pop("page", None)
    return render_template(
        "organisers/people.html",
        conference=conference,
        listing=listing,
        filters=filters,
        only_role=only_role,
        search=filters.get("q", ""),
        search_max=PEOPLE_SEARCH_MAX,
        roles=list(Role),
        add_form=add_form,
        remove_error=remove_error,
    )


@blueprint.route("/c/<slug>/manage/people", methods=["GET", "POST"])
def people(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = AddRoleForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            form.email.errors.append(
                "No account uses this e-mail address. Ask the person to register first."
            )
        else:
            role = Role(form.role.data)
            try:
                with db.session.begin_nested():
                    from_group = operations.give_role_by_hand(conference, user, role)
            except (operations.RoleAlreadyHeld, IntegrityError):
                flash(
                    f"{user.display_name} is already a {role.value} at this conference; nothing changed.",
                    "info",
                )
            else:
                if from_group is None:
                    flash(f"{user.display_name} is now a {role.value}.", "success")
                else:
                    flash(
                        f"{user.display_name} already had the {role.value} role from the company group "
                        f"“{from_group}”; it is now given by hand and stays when they leave the group.",
                        "success",
                    )
            return redirect(url_for("organisers.people", slug=conference.slug))
    return _render_people(conference, form)


@blueprint.route("/c/<slug>/manage/people/roles/<int:role_id>/remove", methods=["POST"])
def remove_role(slug: str, role_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    conference_role = load_scoped(ConferenceRole, conference, role_id)
    require_confirm_form()
    person = conference_role.user
    role = conference_role.role
    try:
        from_group = operations.revoke_role(conference_role)
    except operations.LastOrganiser:
        message = (
            "You are the last active organiser of this conference (deactivated accounts don't "
            "count), so you cannot remove your organiser role. Make someone else an organiser first."
            if person.id == current_user.id
            else "This conference needs at least one active organiser (deactivated accounts don't "
            "count); add another before removing this one."
        )
        return _render_people(conference, AddRoleForm(formdata=None), remove_error=message)
    comes_back = (
        f" It came from the company group “{from_group}”: while they are in that group and its rule "
        "stays, their next company log-in gives it back (see Roles from company groups)."
        if from_group
        else ""
    )
    if person.id == current_user.id and role == Role.ORGANISER:
        flash("You are no longer an organiser of this conference." + comes_back, "info")
        return redirect(url_for("conferences.overview", slug=conference.slug))
    flash(f"{person.display_name} is no longer a {role.value}." + comes_back, "success")
    # Back to the same filtered page of the list (the form's action carries its query string).
    return redirect(url_for("organisers.people", slug=conference.slug, **_people_filters()))


# --- hubs ------------------------------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/hubs")
def hubs(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "organisers/hubs.html",
        conference=conference,
        hubs=db.session.scalars(
            select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)
        ).all(),
        room_counts=queries.room_counts_by_hub(conference),
        now=utcnow(),
    )


def _hub_values(form: HubForm) -> dict:
    return {
        "name": form.name.data,
        "time_zone": form.time_zone.data,
        "working_day_starts": form.working_day_starts.data,
        "working_day_ends": form.working_day_ends.data,
    }


def _seat_limit_news(change: attendance_operations.LimitChange) -> str:
    """What a hub's new seat limit did to its attendees, for the flash message."""
    news = ""
    if change.promoted:
        people = "person" if change.promoted == 1 else "people"
        news += f" {change.promoted} waiting {people} got a seat and will be e-mailed."
    if change.days_over_limit:
        days = ", ".join(day.strftime("%a %d %b") for day in change.days_over_limit)
        news += (
            f" More people already have a seat than the new limit on {days}: nobody loses theirs, "
            "and new requests wait."
        )
    return news


def _render_item_form(conference: Conference, form, heading: str, submit: str, back: str):
    return render_template(
        "organisers/item_form.html",
        conference=conference,
        form=form,
        heading=heading,
        submit_label=submit,
        back_url=url_for(back, slug=conference.slug),
    )


@blueprint.route("/c/<slug>/manage/hubs/new", methods=["GET", "POST"])
def new_hub(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = HubForm()
    if form.validate_on_submit() and _save_unique_name(
        form,
        "hub",
        lambda: attendance_operations.change_seat_limit(
            operations.create_hub(conference, **_hub_values(form)), form.seat_limit.data
        ),
    ):
        flash(f"Hub “{form.name.data}” is added.", "success")
        return redirect(url_for("organisers.hubs", slug=conference.slug))
    return _render_item_form(conference, form, "New hub", "Add hub", "organisers.hubs")


@blueprint.route("/c/<slug>/manage/hubs/<int:hub_id>/edit", methods=["GET", "POST"])
def edit_hub(slug: str, hub_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    form = HubForm(obj=hub)
    limit_changes: list[attendance_operations.LimitChange] = []

    def save_hub() -> None:
        operations.update_hub(hub, **_hub_values(form))
        limit_changes.append(attendance_operations.change_seat_limit(hub, form.seat_limit.data))

    if form.validate_on_submit() and _save_unique_name(form, "hub", save_hub):
        flash(f"Hub “{hub.name}” is saved.{_seat_limit_news(limit_changes[0])}", "success")
        if limit_changes[0].promoted:
            request_delivery()
        return redirect(url_for("organisers.hubs", slug=conference.slug))
    return _render_item_form(
        conference, form, f"Edit hub {hub.name}", "Save hub", "organisers.hubs"
    )


@blueprint.route("/c/<slug>/manage/hubs/<int:hub_id>/delete", methods=["POST"])
def delete_hub(slug: str, hub_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    require_confirm_form()
    name = hub.name
    registered = attendance_queries.registrations_at_hub(hub)
    if registered:
        people = "person is" if registered == 1 else "people are"
        flash(
            f"{registered} {people} registered to attend in person at hub “{name}”. Remove them "
            "under Attendance first; nothing was deleted.",
            "error",
        )
        return redirect(url_for("organisers.hubs", slug=conference.slug))
    checked_in = checkin_operations.lock_hub_and_count_check_ins(hub)
    if checked_in:
        # As for registrations: the hub's check-ins would go with it, and they are facilities' record.
        check_ins = "check-in is" if checked_in == 1 else "check-ins are"
        flash(
            f"{checked_in} {check_ins} recorded at the desk of hub “{name}”, and deleting the hub would "
            "delete them. Undo them at its check-in desk first; nothing was deleted.",
            "error",
        )
        return redirect(url_for("organisers.hubs", slug=conference.slug))
    try:
        operations.delete_hub(hub)
    except IntegrityError:
        # Someone registered there between the count above and the delete.
        db.session.rollback()
        flash(
            f"Someone has just registered to attend at hub “{name}”. Remove them under Attendance "
            "first; nothing was deleted.",
            "error",
        )
    except operations.HubHasRooms as error:
        rooms = "room" if error.room_count == 1 else "rooms"
        flash(
            f"Hub “{name}” still has {error.room_count} {rooms}. Move or delete them first; "
            "nothing was deleted.",
            "error",
        )
    else:
        flash(f"Hub “{name}” is deleted.", "success")
    return redirect(url_for("organisers.hubs", slug=conference.slug))


# --- rooms and online streams ----------------------------------------------------------------


def _conference_hubs(conference: Conference) -> list[Hub]:
    return db.session.scalars(
        select(Hub).where(Hub.conference_id == conference.id).order_by(Hub.name)
    ).all()


def _room_values(form: RoomForm, conference: Conference) -> dict:
    hub = None
    if form.hub.data != ONLINE_STREAM:
        # The choices only hold this conference's hubs; still load it scoped.
        hub = load_scoped(Hub, conference, int(form.hub.data))
    return {
        "name": form.name.data,
        "hub": hub,
        "capacity": form.capacity.data,
        "has_streaming": bool(form.has_streaming.data),
        "has_recording": bool(form.has_recording.data),
    }


@blueprint.route("/c/<slug>/manage/rooms")
def rooms(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    all_rooms = db.session.scalars(
        select(Room)
        .where(Room.conference_id == conference.id)
        .options(joinedload(Room.hub))
        .order_by(Room.name)
    ).all()
    return render_template(
        "organisers/rooms.html",
        conference=conference,
        hub_rooms=sorted(
            (room for room in all_rooms if room.hub_id is not None),
            key=lambda room: (room.hub.name, room.name),
        ),
        online_streams=[room for room in all_rooms if room.hub_id is None],
    )


@blueprint.route("/c/<slug>/manage/rooms/new", methods=["GET", "POST"])
def new_room(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = RoomForm()
    form.offer_hubs(_conference_hubs(conference))
    if form.validate_on_submit() and _save_unique_name(
        form, "room", lambda: operations.create_room(conference, **_room_values(form, conference))
    ):
        flash(f"Room “{form.name.data}” is added.", "success")
        return redirect(url_for("organisers.rooms", slug=conference.slug))
    return _render_item_form(
        conference, form, "New room or online stream", "Add room", "organisers.rooms"
    )


@blueprint.route("/c/<slug>/manage/rooms/<int:room_id>/edit", methods=["GET", "POST"])
def edit_room(slug: str, room_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    room = load_scoped(Room, conference, room_id)
    # Not obj=room: its ``hub`` attribute is a Hub, while the field holds a choice value.
    form = RoomForm(
        data={
            "name": room.name,
            "hub": str(room.hub_id) if room.hub_id else ONLINE_STREAM,
            "capacity": room.capacity,
            "has_streaming": room.has_streaming,
            "has_recording": room.has_recording,
        }
    )
    form.offer_hubs(_conference_hubs(conference))
    if form.validate_on_submit() and _save_unique_name(
        form, "room", lambda: operations.update_room(room, **_room_values(form, conference))
    ):
        flash(f"Room “{room.name}” is saved.", "success")
        return redirect(url_for("organisers.rooms", slug=conference.slug))
    return _render_item_form(
        conference, form, f"Edit room {room.name}", "Save room", "organisers.rooms"
    )


@blueprint.route("/c/<slug>/manage/rooms/<int:room_id>/delete", methods=["POST"])
def delete_room(slug: str, room_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    room = load_scoped(Room, conference, room_id)
    require_confirm_form()
    name = room.name
    try:
        operations.delete_room(room)
    except operations.RoomInUse as error:
        flash(_room_in_use_message(name, error), "error")
    else:
        flash(f"Room “{name}” is deleted.", "success")
    return redirect(url_for("organisers.rooms", slug=conference.slug))


def _room_in_use_message(name: str, error: operations.RoomInUse) -> str:
    uses = []
    if error.draft_talks:
        uses.append(f"{error.draft_talks} talk{'s' if error.draft_talks != 1 else ''} of the draft schedule")
    if error.published_versions:
        numbers = ", ".join(str(n) for n in error.published_versions)
        uses.append(f"published version{'s' if len(error.published_versions) > 1 else ''} {numbers}")
    advice = (
        "Published versions keep where their talks were, so rename the room if it changed."
        if error.published_versions
        else "Move those talks to another room in the schedule editor first."
    )
    return f"The room “{name}” is used by {' and '.join(uses)}, so it cannot be deleted; nothing was deleted. {advice}"


# --- tracks ----------------------------------------------------------------------------------


def _track_values(form: TrackForm) -> dict:
    return {
        "name": form.name.data,
        "description": form.description.data or "",
        "colour": form.colour.data,
        "requires_access_code": bool(form.requires_access_code.data),
    }


@blueprint.route("/c/<slug>/manage/tracks")
def tracks(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    confirm_id = request.args.get("confirm_delete", type=int)
    return render_template(
        "organisers/tracks.html",
        conference=conference,
        tracks=db.session.scalars(
            select(Track).where(Track.conference_id == conference.id).order_by(Track.name)
        ).all(),
        proposal_counts=queries.proposal_counts_by(Proposal.track_id, conference),
        confirm_id=confirm_id,
    )


@blueprint.route("/c/<slug>/manage/tracks/new", methods=["GET", "POST"])
def new_track(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = TrackForm()
    if form.validate_on_submit() and _save_unique_name(
        form, "track", lambda: operations.create_track(conference, **_track_values(form))
    ):
        flash(f"Track “{form.name.data}” is added.", "success")
        return redirect(url_for("organisers.tracks", slug=conference.slug))
    return _render_item_form(conference, form, "New track", "Add track", "organisers.tracks")


@blueprint.route("/c/<slug>/manage/tracks/<int:track_id>/edit", methods=["GET", "POST"])
def edit_track(slug: str, track_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    track = load_scoped(Track, conference, track_id)
    form = TrackForm(obj=track)
    if form.validate_on_submit() and _save_unique_name(
        form, "track", lambda: operations.update_track(track, **_track_values(form))
    ):
        flash(f"Track “{track.name}” is saved.", "success")
        return redirect(url_for("organisers.tracks", slug=conference.slug))
    return _render_item_form(
        conference, form, f"Edit track {track.name}", "Save track", "organisers.tracks"
    )


@blueprint.route("/c/<slug>/manage/tracks/<int:track_id>/delete", methods=["POST"])
def delete_track(slug: str, track_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    track = load_scoped(Track, conference, track_id)
    form = DeleteTrackForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    name = track.name
    in_use = queries.proposals_using_track(track)
    if in_use and form.confirmed.data != "yes":
        proposals = "proposal uses" if in_use == 1 else "proposals use"
        flash(
            f"{in_use} {proposals} track “{name}”. If you delete it they keep existing, without "
            "a track. Press “Delete anyway” to confirm; nothing was deleted yet.",
            "info",
        )
        return redirect(url_for("organisers.tracks", slug=conference.slug, confirm_delete=track.id))
    retiring = questions.questions_only_for(track=track)
    detached = operations.delete_track(track)
    suffix = f" {detached} proposal(s) now have no track." if detached else ""
    flash(f"Track “{name}” is deleted.{suffix}{_retired_note(retiring)}", "success")
    return redirect(url_for("organisers.tracks", slug=conference.slug))


def _retired_note(retired: list[CfpQuestion]) -> str:
    """What deleting a track or format did to the questions asked only of it."""
    if not retired:
        return ""
    texts = ", ".join(f"“{question.text}”" for question in retired)
    if len(retired) == 1:
        return (
            f" The proposal form no longer asks {texts}, which was only for it "
            "(the question is retired; its answers are kept; “Ask again” on the questions page "
            "lets you choose whom it is for)."
        )
    return (
        f" The proposal form no longer asks {texts}, which were only for it "
        "(the questions are retired; their answers are kept; “Ask again” on the questions page "
        "lets you choose whom each is for)."
    )


# --- session formats -------------------------------------------------------------------------


def _format_values(form: SessionFormatForm) -> dict:
    return {
        "name": form.name.data,
        "duration_minutes": form.duration_minutes.data,
        "requires_access_code": bool(form.requires_access_code.data),
    }


@blueprint.route("/c/<slug>/manage/formats")
def session_formats(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "organisers/session_formats.html",
        conference=conference,
        session_formats=db.session.scalars(
            select(SessionFormat)
            .where(SessionFormat.conference_id == conference.id)
            .order_by(SessionFormat.duration_minutes, SessionFormat.name)
        ).all(),
        proposal_counts=queries.proposal_counts_by(Proposal.session_format_id, conference),
    )


@blueprint.route("/c/<slug>/manage/formats/new", methods=["GET", "POST"])
def new_session_format(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = SessionFormatForm()
    if form.validate_on_submit() and _save_unique_name(
        form,
        "session format",
        lambda: operations.create_session_format(conference, **_format_values(form)),
    ):
        flash(f"Session format “{form.name.data}” is added.", "success")
        return redirect(url_for("organisers.session_formats", slug=conference.slug))
    return _render_item_form(
        conference, form, "New session format", "Add format", "organisers.session_formats"
    )


@blueprint.route("/c/<slug>/manage/formats/<int:format_id>/edit", methods=["GET", "POST"])
def edit_session_format(slug: str, format_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    session_format = load_scoped(SessionFormat, conference, format_id)
    form = SessionFormatForm(obj=session_format)
    if form.validate_on_submit() and _save_unique_name(
        form,
        "session format",
        lambda: operations.update_session_format(session_format, **_format_values(form)),
    ):
        flash(f"Session format “{session_format.name}” is saved.", "success")
        return redirect(url_for("organisers.session_formats", slug=conference.slug))
    return _render_item_form(
        conference,
        form,
        f"Edit session format {session_format.name}",
        "Save format",
        "organisers.session_formats",
    )


@blueprint.route("/c/<slug>/manage/formats/<int:format_id>/delete", methods=["POST"])
def delete_session_format(slug: str, format_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    session_format = load_scoped(SessionFormat, conference, format_id)
    require_confirm_form()
    name = session_format.name
    retiring = questions.questions_only_for(session_format=session_format)
    try:
        operations.delete_session_format(session_format)
    except operations.FormatInUse as error:
        proposals = "proposal uses" if error.proposal_count == 1 else "proposals use"
        flash(
            f"{error.proposal_count} {proposals} the format “{name}”, so it cannot be deleted. "
            "Move those proposals to another format first; nothing was deleted.",
            "error",
        )
    else:
        flash(f"Session format “{name}” is deleted.{_retired_note(retiring)}", "success")
    return redirect(url_for("organisers.session_formats", slug=conference.slug))


# --- questions of the call for proposals -----------------------------------------------------


@blueprint.route("/c/<slug>/manage/cfp-questions")
def cfp_questions(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "organisers/cfp_questions.html",
        conference=conference,
        questions=questions.questions(conference, include_retired=True),
        answer_counts=questions.answer_counts(conference),
        no_answers=questions.AnswerCount(),
        scope_text=questions.scope_text,
        anonymised=conference.setting("anonymised_review"),
        confirm_id=request.args.get("confirm_delete", type=int),
    )


def _question_details(form: CfpQuestionForm) -> questions.QuestionDetails:
    return questions.QuestionDetails(
        text=form.text.data,
        help_text=form.help_text.data or "",
        kind=CfpQuestionKind(form.kind.data),
        options=tuple(form.option_list()),
        required=bool(form.required.data),
        reviewer_visibility=ReviewerVisibility(form.reviewer_visibility.data),
        session_format_ids=tuple(form.session_format_ids.data or ()),
        track_ids=tuple(form.track_ids.data or ()),
    )


def _render_question_form(conference, form, question=None, answered=None):
    return render_template(
        "organisers/cfp_question_form.html",
        conference=conference,
        form=form,
        question=question,
        answered=answered or questions.AnswerCount(),
    ), (400 if form.errors else 200)


@blueprint.route("/c/<slug>/manage/cfp-questions/new", methods=["GET", "POST"])
def new_cfp_question(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = CfpQuestionForm()
    form.offer_scopes(conference)
    if form.validate_on_submit():
        question = questions.create_question(conference, _question_details(form))
        flash(f"Question “{question.text}” is added to the proposal form.", "success")
        return redirect(url_for("organisers.cfp_questions", slug=conference.slug))
    return _render_question_form(conference, form)


@blueprint.route(
    "/c/<slug>/manage/cfp-questions/<int:question_id>/edit", methods=["GET", "POST"]
)
def edit_cfp_question(slug: str, question_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    question = load_scoped(CfpQuestion, conference, question_id)
    stored = None
    if request.method == "GET":
        stored = {
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind.value,
            "options": "\n".join(question.options or []),
            "required": question.required,
            "reviewer_visibility": question.reviewer_visibility.value,
            "session_format_ids": [item.id for item in question.session_formats],
            "track_ids": [track.id for track in question.tracks],
        }
    form = CfpQuestionForm(data=stored)
    form.offer_scopes(conference)
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                removed = questions.update_question(question, _question_details(form))
        except questions.KindLocked as locked:
            answers = "answer" if locked.answer_count == 1 else "answers"
            form.kind.errors.append(
                f"This question already has {locked.answer_count} {answers} from submitted "
                "proposals, so its kind of answer cannot change. Retire it and add a new "
                "question instead."
            )
        else:
            note = ""
            if removed:
                answers = "answer" if removed == 1 else "answers"
                note = (
                    f" {removed} {answers} in speakers' drafts or set aside did not fit the new kind of answer "
                    f"and {'was' if removed == 1 else 'were'} removed."
                )
            flash(f"Question “{question.text}” is saved.{note}", "success")
            return redirect(url_for("organisers.cfp_questions", slug=conference.slug))
    return _render_question_form(conference, form, question, questions.answer_count(question))


def _question_action(slug: str, question_id: int) -> tuple[Conference, CfpQuestion]:
    conference = conference_with_role(slug, Role.ORGANISER)
    question = load_scoped(CfpQuestion, conference, question_id)
    require_confirm_form()
    return conference, question


@blueprint.route("/c/<slug>/manage/cfp-questions/<int:question_id>/move", methods=["POST"])
def move_cfp_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if direction is None:
        abort(400, description="Move a question up or down.")
    questions.move_question(question, direction)
    return redirect(url_for("organisers.cfp_questions", slug=conference.slug))


@blueprint.route("/c/<slug>/manage/cfp-questions/<int:question_id>/retire", methods=["POST"])
def retire_cfp_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    questions.set_question_active(question, False)
    flash(
        f"“{question.text}” is retired: the proposal form no longer asks it; "
        "answers already given are kept.",
        "success",
    )
    return redirect(url_for("organisers.cfp_questions", slug=conference.slug))


@blueprint.route(
    "/c/<slug>/manage/cfp-questions/<int:question_id>/restore", methods=["GET", "POST"]
)
def restore_cfp_question(slug: str, question_id: int):
    """Ask a retired question again, after the organiser has seen and chosen whom it asks."""
    conference = conference_with_role(slug, Role.ORGANISER)
    question = load_scoped(CfpQuestion, conference, question_id)
    if question.active:
        flash(f"“{question.text}” is already asked.", "info")
        return redirect(url_for("organisers.cfp_questions", slug=conference.slug))
    chosen = request.method == "POST" and request.form.get("scope_chosen") == "yes"
    if chosen:
        form = RestoreCfpQuestionForm()
    else:
        # Whom it asks now; ticked, so that keeping them is one press.
        form = RestoreCfpQuestionForm(
            formdata=None,
            data={
                "session_format_ids": [item.id for item in question.session_formats],
                "track_ids": [track.id for track in question.tracks],
            },
        )
    form.offer_scopes(conference)
    if chosen and form.validate_on_submit():
        questions.restore_question(
            question, form.session_format_ids.data or (), form.track_ids.data or ()
        )
        scope = questions.scope_text(question) or "Asked of every proposal."
        flash(f"“{question.text}” is asked again. {scope}", "success")
        return redirect(url_for("organisers.cfp_questions", slug=conference.slug))
    return render_template(
        "organisers/cfp_question_restore.html",
        conference=conference,
        form=form,
        question=question,
        scope_text=questions.scope_text(question),
    ), (400 if form.errors else 200)


def _unsubmitted_answers(answered: questions.AnswerCount) -> str:
    """"2 answers in speakers' drafts", "1 answer set aside", or both, for a question's answers
    that reviewers never see."""
    parts = []
    if answered.drafts:
        parts.append(f"{answered.drafts} {'answer' if answered.drafts == 1 else 'answers'} in speakers' drafts")
    if answered.set_aside:
        parts.append(f"{answered.set_aside} {'answer' if answered.set_aside == 1 else 'answers'} set aside "
                     "(given under a format or track the question does not apply to)")
    return " and ".join(parts)


@blueprint.route("/c/<slug>/manage/cfp-questions/<int:question_id>/delete", methods=["POST"])
def delete_cfp_question(slug: str, question_id: int):
    conference, question = _question_action(slug, question_id)
    text = question.text
    answered = questions.answer_count(question)
    unsubmitted = answered.drafts + answered.set_aside
    if unsubmitted and not answered.submitted and request.form.get("confirmed") != "yes":
        flash(
            f"“{text}” has {_unsubmitted_answers(answered)}"
            f"{' (not submitted yet)' if not answered.set_aside else ''}. Deleting the "
            "question deletes those answers too. Press “Delete anyway” to confirm, or retire the "
            "question to keep them; nothing was deleted yet.",
            "info",
        )
        return redirect(
            url_for("organisers.cfp_questions", slug=conference.slug, confirm_delete=question.id)
        )
    try:
        with db.session.begin_nested():
            removed = questions.delete_question(question)
    except questions.QuestionAnswered as refused:
        answers = "answer" if refused.answer_count == 1 else "answers"
        flash(
            f"“{text}” already has {refused.answer_count} {answers} from submitted proposals, so it "
            "cannot be deleted; retire it instead (its answers are kept). Nothing was deleted.",
            "error",
        )
    else:
        note = f", with its {_unsubmitted_answers(answered)}" if removed else ""
        flash(f"Question “{text}” is deleted{note}.", "success")
    return redirect(url_for("organisers.cfp_questions", slug=conference.slug))


# --- one proposal, as organisers see it -----------------------------------------------------


def _proposal_tags_form(conference: Conference, tags: list) -> ProposalTagsForm:
    """The checkboxes that set the proposal's tags, ticked as they are now (``tags``)."""
    form = ProposalTagsForm(formdata=None, data={"tag_ids": [tag.id for tag in tags]})
    form.offer_tags(tag_queries.conference_tags(conference))
    return form


@blueprint.route("/c/<slug>/manage/proposals/<int:proposal_id>")
def proposal(slug: str, proposal_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    found = load_scoped(Proposal, conference, proposal_id)
    if found.speakers_only:
        abort(404)  # a speaker's draft is theirs alone until it is submitted
    # A speaker who also organises never reads the reviews of their own proposal.
    own_proposal = found.has_speaker(current_user.id)
    tags = None if own_proposal else tag_queries.tags_of(found)
    return render_template(
        "organisers/proposal.html",
        conference=conference,
        proposal=found,
        answer_rows=questions.answer_rows(found),
        anonymised=conference.setting("anonymised_review"),
        own_proposal=own_proposal,
        reviews=None if own_proposal else decision_queries.proposal_reviews(conference, found),
        thread=thread_for(conference, found, current_user, BACK_TO_MANAGE),
        # Tags are the organisers' view of a proposal; one who speaks on it does not see them.
        tags=tags,
        tag_form=None if tags is None else _proposal_tags_form(conference, tags),
        history=proposal_history(found, current_user),
    )
