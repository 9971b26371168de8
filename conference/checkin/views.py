"""The check-in desk and the name badges, for organisers (the codebase has no hub-host role).

Every handler checks the ORGANISER role first, then loads the hub scoped to the conference
(another conference's hub is a 404) and the day, which must be one of the conference's days
(dates of the hub's own calendar). Desk buttons post and come back to the same filtered list.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.attendance.operations import DeskSeatReturn
from conference.attendance.queries import day_text, hub_day_starts_at
from conference.checkin import operations, queries
from conference.checkin.export import check_ins_csv
from conference.checkin.forms import CheckInForm
from conference.conferences.access import conference_with_role, load_scoped
from conference.conferences.models import Conference, Hub, Role
from conference.core.forms import parse_id, require_confirm_form
from conference.core.timezones import zone_offset_label
from conference.mail.operations import request_delivery

blueprint = Blueprint("checkin", __name__)

SEARCH_MAX = 100
NOT_CHECKED_IN = "not_checked_in"  # the badges page's choice of only those not yet arrived


def _parse_day(conference: Conference, text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(404)
    if day not in conference.days():
        abort(404)
    return day


def _desk_filters() -> dict[str, str | int]:
    """The desk's search, list choice and page from the query string; unusable values are
    dropped (a page that is not a number is the first)."""
    filters: dict[str, str | int] = {}
    search = " ".join(request.args.get("q", "").split())[:SEARCH_MAX]
    if search:
        filters["q"] = search
    show = request.args.get("show", "")
    if show in queries.SHOW_CHOICES and show != queries.EVERYONE:
        filters["show"] = show
    page = parse_id(request.args.get("page"))
    if page is not None and page > 1:
        filters["page"] = page
    return filters


@blueprint.route("/c/<slug>/manage/check-in")
def index(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    now = operations.current_instant()
    hubs = sorted(conference.hubs, key=lambda hub: (hub.name.casefold(), hub.id))
    return render_template(
        "checkin/index.html",
        conference=conference,
        hubs=hubs,
        days=conference.days(),
        today_at={hub.id: queries.hub_today(hub, now) for hub in hubs},
        day_text=day_text,
    )


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>")
def hub_today(slug: str, hub_id: int):
    """A hub's desk for today there: the address a desk keeps open all conference."""
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    now = operations.current_instant()
    day = queries.default_day(conference, hub, now)
    if day is None:
        flash(
            f"Today at {hub.name} ({hub.time_zone}) is {day_text(queries.hub_today(hub, now))}, "
            "not one of the conference's days: choose a day.",
            "info",
        )
        return redirect(url_for("checkin.index", slug=slug))
    return redirect(url_for("checkin.desk", slug=slug, hub_id=hub.id, day=day.isoformat()))


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>/<day>")
def desk(slug: str, hub_id: int, day: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    filters = _desk_filters()
    search = str(filters.get("q", ""))
    show = str(filters.get("show", queries.EVERYONE))
    listing = queries.desk_people(hub, chosen_day, search, show, int(filters.get("page", 1)))
    if listing.page > 1:
        filters["page"] = listing.page
    else:
        filters.pop("page", None)
    found_walk_ins, more_walk_ins = queries.walk_ins(hub, chosen_day, search)
    now = operations.current_instant()
    return render_template(
        "checkin/desk.html",
        conference=conference,
        hub=hub,
        day=chosen_day,
        days=conference.days(),
        today=queries.hub_today(hub, now),
        zone_label=zone_offset_label(hub_day_starts_at(hub, chosen_day), hub.time_zone),
        counts=queries.desk_counts(hub, chosen_day),
        listing=listing,
        walk_ins=found_walk_ins,
        more_walk_ins=more_walk_ins,
        filters=filters,
        search=search,
        search_max=SEARCH_MAX,
        show=show,
        show_choices=queries.SHOW_CHOICES,
        day_text=day_text,
        check_in_time=lambda check_in: operations.check_in_time_text(check_in, hub),
    )


def _back_to_desk(conference: Conference, hub: Hub, day: date, user_id: int):
    """The desk's list the button was pressed on (the form's action carries its filters)."""
    return redirect(url_for(
        "checkin.desk", slug=conference.slug, hub_id=hub.id, day=day.isoformat(), **_desk_filters(),
        _anchor=f"person-{user_id}",
    ))


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>/<day>/people/<int:user_id>/check-in", methods=["POST"])
def check_in(slug: str, hub_id: int, day: str, user_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        made = operations.check_in(
            hub, chosen_day, user_id, current_user._get_current_object(), seat_anyway=form.seat_anyway.data
        )
    except operations.CheckInProblem as problem:
        flash(str(problem), "error")
    else:
        seated = " is seated anyway and" if made.seated_at_desk else ""
        flash(
            f"{made.user.display_name}{seated} is checked in "
            f"({operations.check_in_time_text(made, hub)}).",
            "success",
        )
    return _back_to_desk(conference, hub, chosen_day, user_id)


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>/<day>/people/<int:user_id>/undo", methods=["POST"])
def undo(slug: str, hub_id: int, day: str, user_id: int):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    require_confirm_form()
    try:
        undone = operations.undo_check_in(hub, chosen_day, user_id)
    except operations.CheckInProblem as problem:
        flash(str(problem), "error")
    else:
        name = undone.check_in.user.display_name
        seat = _seat_given_back_text(hub, chosen_day, name, undone.seat) if undone.seat is not None else ""
        if undone.seat is not None and undone.seat.promoted:
            request_delivery()
        flash(f"{name}'s check-in is undone.{seat}", "success")
    return _back_to_desk(conference, hub, chosen_day, user_id)


def _seat_given_back_text(hub: Hub, day: date, name: str, seat: DeskSeatReturn) -> str:
    """What giving back a seat given at the desk did, for the undo's message."""
    if not seat.freed:
        return (
            f" {name}'s registration no longer holds the seat given at the desk (it changed since), "
            "so no seat was given back."
        )
    where = (
        f" {name} is back on the waiting list for this day." if seat.back_on_waiting_list
        else f" The day added at the desk is removed from {name}'s registration."
    )
    if seat.promoted:
        moved = "person moved up into it and is" if seat.promoted == 1 else "people moved up into it and are"
        return f" The seat given at the desk is free again.{where} {seat.promoted} waiting {moved} e-mailed."
    if not seat.still_waiting:
        return f" The seat given at the desk is free again.{where} Nobody is waiting for it."
    if seat.day_has_begun:
        return (
            f" The seat given at the desk is free again.{where} {day_text(day)} has begun at {hub.name}, "
            "so nobody on its waiting list moves up into it: seat whoever comes with “Seat anyway and check in”."
        )
    return f" The seat given at the desk is free again.{where}"


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>/<day>/check-ins.csv")
def export(slug: str, hub_id: int, day: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    filename = f"{conference.slug}-check-ins-hub-{hub.id}-{chosen_day.isoformat()}.csv"
    return Response(
        check_ins_csv(hub, queries.arrivals(hub, chosen_day)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blueprint.route("/c/<slug>/manage/check-in/<int:hub_id>/<day>/badges")
def badges(slug: str, hub_id: int, day: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    hub = load_scoped(Hub, conference, hub_id)
    chosen_day = _parse_day(conference, day)
    only_not_checked_in = request.args.get("who") == NOT_CHECKED_IN
    found = queries.badges(hub, chosen_day, only_not_checked_in)
    return render_template(
        "checkin/badges.html",
        conference=conference,
        hub=hub,
        day=chosen_day,
        badges=found,
        sheets=queries.sheets(found),
        only_not_checked_in=only_not_checked_in,
        not_checked_in=NOT_CHECKED_IN,
        day_text=day_text,
    )
