"""How people attend: each person answers for themselves; organisers see the counts and lists,
set or remove the registration window and remove registrations.

Attendee handlers require a login and act only on the current user's own registration.
Organiser handlers check the ORGANISER role first, then load hubs and registrations scoped to
the conference, so an id of another conference is a 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from conference.attendance import operations, queries
from conference.attendance.export import attendance_csv
from conference.attendance.forms import REMOTE, AttendanceForm, WindowForm, hub_choice
from conference.attendance.models import AttendanceRegistration
from conference.conferences.access import conference_with_role, load_conference, load_scoped
from conference.conferences.models import Conference, Hub, Role
from conference.core.forms import occurrence_of, require_confirm_form
from conference.core.timezones import to_zone
from conference.mail.operations import request_delivery

blueprint = Blueprint("attendance", __name__)


# --- the person's own registration ----------------------------------------------------------


def _stored(registration: AttendanceRegistration | None) -> dict:
    if registration is None:
        return {}
    return {
        "where": hub_choice(registration.hub) if registration.hub is not None else REMOTE,
        "days": [row.day.isoformat() for row in registration.days],
        "dietary_needs": registration.dietary_needs,
        "accessibility_needs": registration.accessibility_needs,
    }


def _render_mine(conference: Conference, form: AttendanceForm, registration, status: int = 200):
    now = operations.current_instant()
    window = queries.attendance_window(conference)
    counts = queries.hub_day_counts(conference)
    return render_template(
        "attendance/mine.html",
        conference=conference,
        form=form,
        registration=registration,
        day_states=queries.day_states(registration) if registration and registration.is_in_person else [],
        window=window,
        window_state=queries.window_state(window, now),
        days=conference.days(),
        counts=counts,
        day_starts_at=queries.hub_day_starts_at,
        day_text=queries.day_text,
    ), status


@blueprint.route("/c/<slug>/attendance", methods=["GET", "POST"])
@login_required
def mine(slug: str):
    conference = load_conference(slug)
    user = current_user._get_current_object()
    registration = queries.registration_of(conference, user)
    if request.method == "POST":
        form = AttendanceForm(conference=conference)
    else:
        form = AttendanceForm(conference=conference, formdata=None, data=_stored(registration))
    if form.validate_on_submit():
        hub = form.chosen_hub()
        choice = operations.AttendanceChoice(
            mode=form.chosen_mode(),
            hub_id=hub.id if hub is not None else None,
            days=form.chosen_days(),
            dietary_needs=form.dietary_needs.data or "",
            accessibility_needs=form.accessibility_needs.data or "",
        )
        try:
            operations.save_attendance(conference, user, choice)
        except operations.AttendanceProblem as problem:
            form.where.errors.append(str(problem))
        else:
            request_delivery()
            flash("Your attendance is saved; your status is below.", "success")
            return redirect(url_for("attendance.mine", slug=slug))
    return _render_mine(conference, form, registration, status=400 if form.errors else 200)


@blueprint.route("/c/<slug>/attendance/cancel", methods=["POST"])
@login_required
def cancel(slug: str):
    conference = load_conference(slug)
    require_confirm_form()
    try:
        operations.cancel_attendance(conference, current_user._get_current_object())
    except operations.AttendanceProblem as problem:
        flash(str(problem), "error")
    else:
        request_delivery()
        flash("Your registration is cancelled. You can register again while registration is open.", "success")
    return redirect(url_for("attendance.mine", slug=slug))


@blueprint.app_template_global("attendance_summary")
def attendance_summary(conference: Conference) -> dict | None:
    """For the conference page: the window's state and, when logged in, the viewer's registration;
    None when there is neither a window nor a registration of theirs to speak of."""
    window = queries.attendance_window(conference)
    registration = queries.registration_of(conference, current_user)
    if window is None and registration is None:
        return None
    states = queries.day_states(registration) if registration and registration.is_in_person else []
    return {
        "window": window,
        "state": queries.window_state(window, operations.current_instant()),
        "registration": registration,
        "seated_days": queries.short_days_text(state.day for state in states if state.seated),
        "waiting": [state for state in states if not state.seated],
        "day_text": queries.day_text,
    }


# --- organisers -----------------------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/attendance")
def overview(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    window = queries.attendance_window(conference)
    counts = queries.hub_day_counts(conference)
    return render_template(
        "attendance/manage.html",
        conference=conference,
        hubs=list(conference.hubs),
        days=conference.days(),
        counts=counts,
        in_person_per_day=queries.in_person_per_day(counts),
        empty=queries.HubDayCount(),
        remote_count=queries.remote_count(conference),
        remote_per_day=queries.remote_day_counts(conference),
        remote_without_days=queries.remote_without_days(conference),
        window=window,
        window_state=queries.window_state(window, operations.current_instant()),
        day_text=queries.day_text,
    )


def _parse_day(conference: Conference, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if day not in conference.days():
        abort(404)
    return day


@blueprint.route("/c/<slug>/manage/attendance/hubs/<int:hub_id>/<day>")
def hub_day(slug: str, hub_id: int, day: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    seated, waiting = queries.people_on(hub, chosen_day)
    return render_template(
        "attendance/people.html",
        conference=conference,
        hub=hub,
        day=chosen_day,
        seated=seated,
        waiting=waiting,
        registrations=None,
        day_text=queries.day_text,
        remove_action=lambda registration: url_for(
            "attendance.remove_registration", slug=slug, registration_id=registration.id, day=day
        ),
    )


@blueprint.route("/c/<slug>/manage/attendance/remote")
def remote(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return render_template(
        "attendance/people.html",
        conference=conference,
        hub=None,
        day=None,
        seated=[],
        waiting=[],
        registrations=queries.remote_registrations(conference),
        day_text=queries.day_text,
        days_text=queries.days_text,
        remove_action=lambda registration: url_for(
            "attendance.remove_registration", slug=slug, registration_id=registration.id
        ),
    )


@blueprint.route("/c/<slug>/manage/attendance.csv")
def export(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    return Response(
        attendance_csv(queries.all_registrations(conference), conference.time_zone),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{conference.slug}-attendance.csv"'},
    )


def _stored_window(conference: Conference) -> dict:
    window = queries.attendance_window(conference)
    if window is None:
        return {}
    opens = to_zone(window.opens_at, conference.time_zone).replace(tzinfo=None)
    closes = to_zone(window.closes_at, conference.time_zone).replace(tzinfo=None)
    return {
        "opens_at": opens,
        "opens_occurrence": occurrence_of(opens),
        "closes_at": closes,
        "closes_occurrence": occurrence_of(closes),
    }


@blueprint.route("/c/<slug>/manage/attendance/settings", methods=["GET", "POST"])
def settings(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    # A POST counts only what was sent: the stored occurrence must not answer for a new time.
    if request.method == "POST":
        form = WindowForm(zone_name=conference.time_zone)
    else:
        form = WindowForm(zone_name=conference.time_zone, formdata=None, data=_stored_window(conference))
    if form.validate_on_submit():
        try:
            operations.save_window(conference, form.opens_instant(), form.closes_instant())
        except operations.AttendanceProblem as problem:
            form.closes_at.errors.append(str(problem))
        else:
            flash("The registration window is saved.", "success")
            return redirect(url_for("attendance.overview", slug=slug))
    return render_template(
        "attendance/settings.html",
        conference=conference,
        form=form,
        has_window=queries.attendance_window(conference) is not None,
    ), 400 if form.errors else 200


@blueprint.route("/c/<slug>/manage/attendance/settings/remove", methods=["GET", "POST"])
def remove_window(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    if request.method == "POST":
        require_confirm_form()
        if operations.remove_window(conference):
            flash(
                "The registration window is removed, so registration is closed: nobody can register, "
                "change or cancel until you set a new window. Existing registrations are kept.",
                "success",
            )
        else:
            flash("There was no registration window to remove; nothing changed.", "info")
        return redirect(url_for("attendance.overview", slug=slug))
    window = queries.attendance_window(conference)
    return render_template(
        "attendance/remove_window.html",
        conference=conference,
        window=window,
        window_state=queries.window_state(window, operations.current_instant()),
        registrations=queries.registration_count(conference),
    )


@blueprint.route("/c/<slug>/manage/attendance/registrations/<int:registration_id>/remove", methods=["POST"])
def remove_registration(slug: str, registration_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    registration = load_scoped(AttendanceRegistration, conference, registration_id)
    require_confirm_form()
    name = registration.user.display_name
    back = _back_after_removal(conference, registration)
    promoted = operations.remove_registration(registration)
    if promoted:
        request_delivery()
    moved_up = (
        f" {promoted} waiting {'person' if promoted == 1 else 'people'} got the freed seats and are e-mailed."
        if promoted else ""
    )
    flash(f"{name}'s registration is removed.{moved_up}", "success")
    return redirect(back)


def _back_after_removal(conference: Conference, registration: AttendanceRegistration) -> str:
    """The list the organiser removed someone from (the form's action carries it)."""
    day = request.args.get("day", "")
    if registration.hub_id is not None and day:
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            parsed = None
        if parsed in conference.days():
            return url_for("attendance.hub_day", slug=conference.slug, hub_id=registration.hub_id, day=day)
    if registration.hub_id is None:
        return url_for("attendance.remote", slug=conference.slug)
    return url_for("attendance.overview", slug=conference.slug)
