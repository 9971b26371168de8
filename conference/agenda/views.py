"""The public agenda: the published schedule per day, what runs now and next, talk and speaker
pages, stars, "my agenda".

Reading needs no login; starring does. Only talks of the newest published version are
ever shown, so any other id (a draft-only talk, another conference's talk) is a 404; so is
anyone who does not speak in one of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from conference.agenda import cache as agenda_cache
from conference.agenda import queries, signs
from conference.agenda.forms import AgendaFilterForm, NowFilterForm, SpeakerFilterForm, StarForm
from conference.conferences.access import load_conference
from conference.conferences.models import Conference
from conference.core.forms import is_safe_redirect
from conference.core.timezones import (
    FIRST_YEAR,
    LAST_YEAR,
    clock,
    instant_text,
    is_valid_time_zone,
    span_text,
    to_zone,
    zone_offset_label,
)
from conference.core.types import utcnow
from conference.core.web import viewer_time_zone
from conference.feedback.queries import feedback_window
from conference.feeds import cache as feeds_cache
from conference.feeds import links
from conference.interest import operations as interest
from conference.materials.queries import public_materials_by_talk
from conference.proposals.models import Proposal

blueprint = Blueprint("agenda", __name__)

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Query-string keys carried from page to page of the agenda.
KEPT_ARGS = ("track", "hub", "mode", "view", "tz")
# How often "Now and next" reloads itself while it is open.
NOW_REFRESH_SECONDS = 60


@blueprint.after_request
def vary_on_cookie(response):
    # Times, stars and the zone all depend on the session and the tz cookie.
    response.vary.add("Cookie")
    if current_user.is_authenticated:
        # Logged-in pages carry the private feed link: never keep them in a shared cache.
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _zone_context(zone_label: str | None = None) -> dict:
    """The viewer's zone, its label (default: its offset now), and a message if ?tz= was no zone."""
    zone_name = viewer_time_zone()
    asked = request.args.get("tz")
    invalid = asked is not None and not is_valid_time_zone(asked)
    return {
        "zone_name": zone_name,
        "zone_label": zone_label or zone_offset_label(utcnow(), zone_name),
        "invalid_zone": asked[:64] if invalid else None,
    }


def _filter_form(conference: Conference) -> AgendaFilterForm:
    try:
        return AgendaFilterForm.for_conference(conference, request.args)
    except (ValueError, BadRequest):
        abort(400)


def _parse_day(day: str) -> date:
    if not ISO_DAY.fullmatch(day):
        abort(404)
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        abort(404)  # no conference runs then (and zone arithmetic would overflow near year 1 or 9999)
    return parsed


def _starred_ids(conference: Conference) -> set[int]:
    if not current_user.is_authenticated:
        return set()
    return interest.marked_talk_ids(current_user, conference)


def _kept_args() -> tuple[tuple[str, str], ...]:
    """The query-string keys `agenda_url` carries to other pages, as a cache key part."""
    return tuple(
        sorted(
            (key, value)
            for key, value in request.args.items()
            if value and key in KEPT_ARGS and (key != "tz" or is_valid_time_zone(value))
        )
    )


def _anonymous_page(
    slug: str,
    render_page: Callable[[], agenda_cache.Rendered],
    moment: datetime | None = None,
):
    """The page from the shared cache for a viewer with no login and no pending message.

    A page that shows a ``moment`` (what runs now) is kept under it, never shown for another.
    None when the page must be rendered for this viewer alone (or the slug is unknown).
    """
    if not agenda_cache.shared_by_anonymous_viewers():
        return None
    # The remembered version: a hit runs no SQL (another process's publication shows
    # within AGENDA_VERSION_CHECK_SECONDS).
    version = feeds_cache.feed_version(slug, agenda_cache.version_check_seconds())
    if version is None:
        return None
    key = ("page", request.endpoint, version.conference_id, version.stamp, request.path, moment)
    return agenda_cache.anonymous_page(key, render_page)


def _star_buttons(conference: Conference) -> agenda_cache.ButtonPrototypes:
    """This viewer's star button for any talk of a cached fragment (the page's shared form posts it)."""

    def render(talk, is_starred: bool) -> str:
        return render_template(
            "agenda/_star_button.html",
            p=talk,
            starred={talk.id} if is_starred else set(),
            conference=conference,
        )

    return agenda_cache.ButtonPrototypes(render, _starred_ids(conference))


def _common(conference: Conference) -> dict:
    personal = queries.personal_feed_url(conference, current_user)
    return {
        "conference": conference,
        "feed_links": queries.feed_links(conference, personal),
        # Logged in without a private link yet: offer the button that makes one (a POST).
        "offer_personal_feed": current_user.is_authenticated and personal is None,
        "star_form": StarForm(),
    }


@blueprint.route("/c/<slug>/agenda/")
@blueprint.route("/c/<slug>/agenda/<day>")
def day(slug: str, day: str | None = None):
    page = _anonymous_page(slug, lambda: agenda_cache.Rendered.of(_day_page(slug, day)))
    if page is not None:
        return page
    return _day_page(slug, day)


def _day_page(slug: str, day: str | None) -> str:
    conference = load_conference(slug)
    form = _filter_form(conference)
    zone_name = viewer_time_zone()
    version = queries.published_version(conference)
    days = (
        agenda_cache.remember(
            ("days", conference.id, version.id, zone_name),
            lambda: queries.published_days(version, zone_name),
        )
        if version is not None
        else []
    )
    chosen_day = _parse_day(day) if day is not None else (days[0] if days else None)
    # On a day when the clocks change, one offset cannot label every time: each time gets its own.
    clocks_change = chosen_day is not None and queries.clocks_change_on(chosen_day, zone_name)
    view = form.chosen_view()
    talks_html = None
    if version is not None:
        key = ("day talks", conference.id, version.id, chosen_day, zone_name, _kept_args())

        def render_talks() -> agenda_cache.Rendered:
            agenda_filter = form.agenda_filter()
            talks = [
                talk
                for talk in (
                    queries.published_talks_on(conference, version, zone_name, chosen_day)
                    if chosen_day is not None
                    else []
                )
                if queries.matches(talk, agenda_filter)
            ]
            html = render_template(
                "agenda/_day_talks.html",
                conference=conference,
                talks=talks,
                grid=queries.build_grid(talks) if view == "grid" and talks else None,
                days=days,
                chosen_day=chosen_day,
                zone_name=zone_name,
                clocks_change=clocks_change,
            )
            return agenda_cache.Rendered.of(html, {t.proposal.id: t.proposal.title for t in talks})

        fragment = agenda_cache.remember(key, render_talks)
        talks_html = agenda_cache.fill_star_buttons(fragment, _star_buttons(conference))
    return render_template(
        "agenda/day.html",
        form=form,
        published=version is not None,
        days=days,
        chosen_day=chosen_day,
        talks_html=talks_html,
        view=view,
        **_zone_context(queries.day_zone_label(chosen_day, zone_name) if chosen_day else None),
        **_common(conference),
    )


@blueprint.route("/c/<slug>/agenda/now")
def now(slug: str):
    moment = _this_minute()
    page = _anonymous_page(slug, lambda: _now_page(slug, moment), moment)
    if page is not None:
        return page
    return _now_page(slug, moment).html


def _this_minute() -> datetime:
    """The instant "Now and next" shows: this minute, read through `utcnow` alone (tests set it).

    Talks start and end on whole minutes, so the page reads the same all minute long, and an
    anonymous copy is kept under its minute alone (and only until the next one).
    """
    return utcnow().replace(second=0, microsecond=0)


def _now_filter_form(conference: Conference) -> NowFilterForm:
    try:
        return NowFilterForm.for_conference(conference, request.args)
    except (ValueError, BadRequest):
        abort(400)


def _now_page(slug: str, moment: datetime) -> agenda_cache.Rendered:
    conference = load_conference(slug)
    form = _now_filter_form(conference)
    zone_name = viewer_time_zone()
    version = queries.published_version(conference)
    starred = _starred_ids(conference)
    # Anonymous viewers have no stars: the box is not offered, and ignored if sent.
    only_starred = current_user.is_authenticated and form.only_starred()
    agenda_filter = form.agenda_filter()
    now_filter = queries.NowFilter(agenda_filter, frozenset(starred) if only_starred else None)
    found = (
        queries.now_and_next(conference, version, zone_name, moment, now_filter)
        if version is not None
        else None
    )
    shown = [*found.running, *found.upcoming] if found is not None else []
    groups = found.running_by_hub if found is not None else []
    zone_label, offset_days = queries.zone_label_for_days(shown, zone_name)
    if zone_label is None:
        today = to_zone(moment, zone_name).date()
        zone_label = (
            queries.day_zone_label(today, zone_name)
            if queries.clocks_change_on(today, zone_name)
            else zone_offset_label(moment, zone_name)
        )
    html = render_template(
        "agenda/now.html",
        conference=conference,
        form=form,
        published=version is not None,
        found=found,
        groups=groups,
        filtered=only_starred or agenda_filter != queries.AgendaFilter(),
        # A talk across a change of offset shows each end with its own, whatever its day.
        offset_ids={
            t.proposal.id
            for t in shown
            if t.local_day in offset_days or t.local_start.utcoffset() != t.local_end.utcoffset()
        },
        join_urls={t.proposal.id: links.join_url(t.room) for t in shown},
        # What the clocks read where each hub's talks are followed in person.
        hub_clocks={
            group.hub.id: instant_text(moment, group.hub.time_zone, "%H:%M")
            for group in groups
            if group.hub is not None
        },
        starred=starred,
        star_form=StarForm(),
        refresh_seconds=NOW_REFRESH_SECONDS,
        **_zone_context(zone_label),
    )
    return agenda_cache.Rendered.of(html, wrong_after=moment + timedelta(minutes=1))


def _published_talk_or_404(conference: Conference, proposal_id: int) -> queries.AgendaTalk:
    talk = queries.find_published_talk(conference, proposal_id, viewer_time_zone())
    if talk is None:
        abort(404)
    return talk


@blueprint.route("/c/<slug>/agenda/talks/<int:proposal_id>")
def talk(slug: str, proposal_id: int):
    page = _anonymous_page(slug, lambda: _talk_page(slug, proposal_id))
    if page is not None:
        return page
    return _talk_page(slug, proposal_id).html


def _talk_page(slug: str, proposal_id: int) -> agenda_cache.Rendered:
    conference = load_conference(slug)
    found = _published_talk_or_404(conference, proposal_id)
    hub_times = [
        {
            "hub": hub,
            "local": to_zone(found.scheduled.starts_at, hub.time_zone),
            "zone_label": zone_offset_label(found.scheduled.starts_at, hub.time_zone),
        }
        for hub in conference.hubs
    ]
    # The feeds' rule, so the page and every calendar event agree on the link.
    join_url = links.join_url(found.room)
    zone_name = viewer_time_zone()
    # A talk across a change of offset shows each end with its own offset.
    spans_change = found.local_start.utcoffset() != found.local_end.utcoffset()
    html = render_template(
        "agenda/talk.html",
        talk=found,
        hub_times=hub_times,
        join_url=join_url,
        starred=_starred_ids(conference),
        spans_change=spans_change,
        **_zone_context(
            queries.day_zone_label(found.local_day, zone_name)
            if spans_change
            else zone_offset_label(found.scheduled.starts_at, zone_name)
        ),
        **_common(conference),
    )
    return agenda_cache.Rendered.of(html, wrong_after=_feedback_changes_at(conference, found))


def _feedback_changes_at(conference: Conference, found: queries.AgendaTalk) -> datetime | None:
    """When the talk page's feedback box next changes by itself: feedback opens, or it closes."""
    window = feedback_window(conference, found.scheduled)
    now = utcnow()
    return min((at for at in (window.opens_at, window.closes_at) if at > now), default=None)


@blueprint.route("/c/<slug>/agenda/rooms")
def rooms(slug: str):
    """Each room's talks per day in its hub's time: to read at a hub, or print as door signs."""
    conference = load_conference(slug)
    hubs = sorted(conference.hubs, key=lambda hub: hub.name.casefold())
    problems = []
    hub_id = request.args.get("hub", "")
    chosen_hub = next((hub for hub in hubs if str(hub.id) == hub_id), None)
    if hub_id and chosen_hub is None:
        problems.append("That hub is not one of this conference's; showing every hub.")
    day_text = request.args.get("day", "")
    chosen_day = None
    if day_text:
        try:
            chosen_day = date.fromisoformat(day_text)
        except ValueError:
            problems.append(f"“{day_text[:20]}” is not a day (YYYY-MM-DD); showing every day.")
    version = queries.published_version(conference)
    # Every day's signs of the hub(s): their days fill the day filter.
    every_day = signs.room_signs(conference, chosen_hub.id if chosen_hub else None) if version else []
    return render_template(
        "agenda/rooms.html",
        conference=conference,
        published=version is not None,
        hubs=hubs,
        chosen_hub=chosen_hub,
        chosen_day=chosen_day,
        days=sorted({sign.day for sign in every_day}),
        signs=[sign for sign in every_day if chosen_day is None or sign.day == chosen_day],
        problems=problems,
    ), 400 if problems else 200


@blueprint.route("/c/<slug>/agenda/speakers")
def speakers(slug: str):
    page = _anonymous_page(slug, lambda: agenda_cache.Rendered.of(_speakers_page(slug)))
    if page is not None:
        return page
    return _speakers_page(slug)


def _speaker_filter_form(conference: Conference) -> SpeakerFilterForm:
    try:
        return SpeakerFilterForm.for_conference(conference, request.args)
    except (ValueError, BadRequest):
        abort(400)


def _speakers_page(slug: str) -> str:
    conference = load_conference(slug)
    form = _speaker_filter_form(conference)
    zone_name = viewer_time_zone()
    version = queries.published_version(conference)
    everyone = queries.published_speakers(conference, version, zone_name) if version else []
    speaker_filter = form.speaker_filter()
    shown = [s for s in everyone if queries.matches_speaker(s, speaker_filter)]
    zone_label, offset_days = queries.zone_label_for_days(
        [talk for speaker in shown for talk in speaker.talks], zone_name
    )
    return render_template(
        "agenda/speakers.html",
        conference=conference,
        form=form,
        published=version is not None,
        speakers=shown,
        speaker_count=len(everyone),
        offset_days=offset_days,
        **_zone_context(zone_label),
    )


@blueprint.route("/c/<slug>/agenda/speakers/<int:user_id>")
def speaker(slug: str, user_id: int):
    page = _anonymous_page(slug, lambda: agenda_cache.Rendered.of(_speaker_page(slug, user_id)))
    if page is not None:
        return page
    return _speaker_page(slug, user_id)


def _speaker_page(slug: str, user_id: int) -> str:
    conference = load_conference(slug)
    zone_name = viewer_time_zone()
    found = queries.find_published_speaker(conference, user_id, zone_name)
    if found is None:
        abort(404)
    zone_label, offset_days = queries.zone_label_for_days(found.talks, zone_name)
    # Only where the speaker's hub reads other clocks than the viewer's.
    hub_times: dict[int, queries.TimesElsewhere] = {}
    if found.hub is not None:
        for talk in found.talks:
            elsewhere = queries.times_elsewhere(talk, found.hub.time_zone)
            if elsewhere is not None:
                hub_times[talk.proposal.id] = elsewhere
    return render_template(
        "agenda/speaker.html",
        conference=conference,
        speaker=found,
        offset_days=offset_days,
        hub_times=hub_times,
        # The materials area's public lists, with its consent rule, as on talk pages.
        materials=public_materials_by_talk([talk.proposal.id for talk in found.talks]),
        feed_url=queries.speaker_feed_url(conference, found.user_id),
        **_zone_context(zone_label),
    )


@blueprint.route("/c/<slug>/agenda/mine")
@login_required
def mine(slug: str):
    conference = load_conference(slug)
    starred = _starred_ids(conference)
    talks = [
        t
        for t in queries.published_talks(conference, viewer_time_zone())
        if t.proposal.id in starred
    ]
    queries.flag_clashes(talks)
    scheduled_ids = {t.proposal.id for t in talks}
    unscheduled_ids = starred - scheduled_ids
    unscheduled = [p for p in interest.accepted_talks(conference) if p.id in unscheduled_ids]
    by_day = queries.talks_by_day(talks)
    zone_name = viewer_time_zone()
    day_labels = {day: queries.day_zone_label(day, zone_name) for day in by_day}
    # One label for the page when every day has the same offsets; otherwise one per day.
    page_label = next(iter(day_labels.values())) if len(set(day_labels.values())) == 1 else None
    return render_template(
        "agenda/mine.html",
        published=queries.published_version(conference) is not None,
        by_day=by_day,
        day_labels={} if page_label else day_labels,
        day_clocks_change={day: queries.clocks_change_on(day, zone_name) for day in by_day},
        unscheduled=unscheduled,
        gone=queries.starred_talks_gone(conference, current_user),
        starred=starred,
        clash_count=sum(1 for t in talks if t.clashes_with),
        **_zone_context(page_label or (zone_name if day_labels else None)),
        **_common(conference),
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _star_target(
    conference: Conference, proposal_id: int, starred_is_enough: bool = False
) -> Proposal:
    """The proposal behind a published talk; anonymous people are sent to log in first.

    With ``starred_is_enough``, also a talk the viewer starred that has left the published
    schedule or the programme since (withdrawn, declined): its star can always be removed.
    """
    found = queries.find_published_talk(conference, proposal_id, viewer_time_zone())
    if found is None:
        starred = (
            queries.find_starred_talk(conference, current_user, proposal_id)
            if starred_is_enough and current_user.is_authenticated
            else None
        )
        if starred is None:
            abort(404)
        if not StarForm().validate_on_submit():
            abort(400, description="The form expired; reload the page and try again.")
        return starred
    if not current_user.is_authenticated:
        page = url_for("agenda.talk", slug=conference.slug, proposal_id=proposal_id)
        if _wants_json():
            abort(401)
        flash("Log in to star talks.", "info")
        abort(redirect(url_for("accounts.login", next=page)))
    if not StarForm().validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    return found.proposal


def _after_star(conference: Conference, proposal: Proposal, starred: bool, message: str):
    if _wants_json():
        return jsonify(starred=starred, proposal_id=proposal.id, message=message)
    flash(message, "success" if starred else "info")
    target = StarForm().next.data
    if is_safe_redirect(target):
        return redirect(target)
    if queries.find_published_talk(conference, proposal.id, viewer_time_zone()) is None:
        # A talk no longer in the schedule has no page to go back to.
        return redirect(url_for("agenda.mine", slug=conference.slug))
    return redirect(url_for("agenda.talk", slug=conference.slug, proposal_id=proposal.id))


@blueprint.route("/c/<slug>/agenda/talks/<int:proposal_id>/star", methods=["POST"])
def star(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _star_target(conference, proposal_id)
    interest.mark_interest(current_user._get_current_object(), proposal)
    return _after_star(conference, proposal, True, f"Starred “{proposal.title}”.")


@blueprint.route("/c/<slug>/agenda/talks/<int:proposal_id>/unstar", methods=["POST"])
def unstar(slug: str, proposal_id: int):
    conference = load_conference(slug)
    proposal = _star_target(conference, proposal_id, starred_is_enough=True)
    interest.unmark_interest(current_user._get_current_object(), proposal)
    return _after_star(conference, proposal, False, f"Removed the star from “{proposal.title}”.")


@blueprint.app_template_global("agenda_url")
def agenda_url(endpoint: str = "agenda.day", **changes) -> str:
    """The current page's query string (filters, view, zone) with ``changes`` applied."""
    args = {
        key: value
        for key, value in request.args.items()
        if value and key in KEPT_ARGS and (key != "tz" or is_valid_time_zone(value))
    }
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(endpoint, **args)


@blueprint.app_template_global("agenda_zone_url")
def agenda_zone_url(endpoint: str, **values) -> str:
    """``url_for`` carrying only the viewer's chosen ``?tz=``: one page's filters mean nothing on another."""
    zone_name = request.args.get("tz")
    if zone_name and is_valid_time_zone(zone_name):
        values.setdefault("tz", zone_name)
    return url_for(endpoint, **values)


@blueprint.app_template_global("webcal_url")
def webcal_url(https_url: str) -> str:
    return queries.webcal_url(https_url)


@blueprint.app_template_global("star_marker")
def star_marker(proposal_id: int):
    """Where a cached day fragment gets each viewer's own star button."""
    return agenda_cache.star_marker(proposal_id)


@blueprint.app_template_global("agenda_clock")
def agenda_clock(local: datetime, with_offset: bool = False) -> str:
    """A local time, with its UTC offset on a day when the clocks change."""
    return clock(local, with_offset)


@blueprint.app_template_filter("unambiguous_localtime")
def unambiguous_localtime(instant: datetime, pattern: str = "%a %d %b %Y, %H:%M") -> str:
    """``localtime``, with the UTC offset on a day the viewer's clocks change (a time may come twice)."""
    return instant_text(instant, viewer_time_zone(), pattern)


@blueprint.app_template_global("local_span")
def local_span(starts_at: datetime, ends_at: datetime) -> str:
    """A talk's date and times in the viewer's zone, with offsets on a day the clocks change."""
    return span_text(starts_at, ends_at, viewer_time_zone())


@blueprint.app_template_global("agenda_wait")
def agenda_wait(since: datetime, until: datetime) -> str:
    """``25 min``, ``2 h 5 min``, ``3 days``: how long from ``since`` until ``until``."""
    return queries.wait_text(since, until)
