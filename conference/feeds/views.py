"""HTTP handlers of the feeds area: iCalendar feeds, schedule exports, the subscribe page."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import false, select

from conference.accounts.models import User
from conference.conferences.access import load_conference, load_scoped
from conference.conferences.models import Conference, Hub, Room, Track
from conference.core.forms import is_safe_redirect, parse_id
from conference.core.types import utcnow
from conference.extensions import db, limiter
from conference.feeds import exports, ical, membership, operations, personal
from conference.feeds.cache import CachedFeed, cached_feed, feed_version, lookup
from conference.feeds.links import public_base_url, public_host
from conference.feeds.published import (
    PublishedSchedule,
    has_speaker_feed,
    published_schedule,
    speaker_filter,
)
from conference.proposals.models import Proposal
from conference.schedule.models import CalendarEntry, ScheduleSettings

blueprint = Blueprint("feeds", __name__)

# Read-only feeds that calendar apps poll; a request filter (unlike ``exempt``) skips the
# limiter's per-request bookkeeping, a fifth of what serving a cached feed costs.
UNLIMITED_ENDPOINTS = frozenset(
    f"feeds.{name}"
    for name in (
        "conference_feed",
        "track_feed",
        "hub_feed",
        "speaker_feed",
        "personal_feed",
        "schedule_xml",
        "schedule_json",
    )
)


@limiter.request_filter
def _feeds_are_not_rate_limited() -> bool:
    return request.endpoint in UNLIMITED_ENDPOINTS and request.method in ("GET", "HEAD")


PUBLIC_MAX_AGE = 300
# Bumped when what a feed contains changes, so rows rendered by older code are not served
# (f5: cancelled copies repeat the description the feed last sent).
RENDER_FORMAT = "f5"


def _serve(feed: CachedFeed, *, private: bool = False):
    """The cached bytes with validators; a matching If-None-Match gets 304.

    Clients that accept gzip get the compressed copy, under the weak form of the same ETag.
    Headers are given as one list: the cheapest response Flask can build (the hot path).
    """
    gzipped = feed.gzip_body is not None and request.accept_encodings["gzip"] > 0
    headers = [
        ("ETag", f'W/"{feed.etag}"' if gzipped else f'"{feed.etag}"'),
        ("Cache-Control", f"{'private' if private else 'public'}, max-age={PUBLIC_MAX_AGE}"),
        ("Vary", "Accept-Encoding"),
    ]
    if request.if_none_match and request.if_none_match.contains_weak(feed.etag):
        return current_app.response_class(status=304, headers=headers)
    headers.append(("Content-Type", feed.content_type))
    if gzipped:
        headers.append(("Content-Encoding", "gzip"))
    return current_app.response_class(feed.gzip_body if gzipped else feed.body, headers=headers)


def _calendar_feed(
    conference: Conference,
    cache_key: str,
    name: str,
    description: str,
    load: Callable[[], PublishedSchedule],
):
    feed_uid = f"{cache_key.rsplit(':', 1)[0]}@{public_host()}"

    def render() -> bytes:
        stamp = utcnow().replace(microsecond=0)
        calendar = ical.build_calendar(load(), name, description, stamp, feed_uid)
        return ical.serialise(calendar)

    feed = cached_feed(cache_key, ical.CONTENT_TYPE, render)
    return _serve(feed)


def _cache_key(slug: str, *parts: object) -> str:
    """``c<id>:<parts>:<version stamp>.<format>``; 404 for an unknown conference."""
    version = feed_version(slug)
    if version is None:
        abort(404)
    return ":".join(
        [
            f"c{version.conference_id}",
            *(str(part) for part in parts),
            f"{version.stamp}.{RENDER_FORMAT}",
        ]
    )


def _key(conference: Conference, *parts: object) -> str:
    return _cache_key(conference.slug, *parts)


def _from_memory(slug: str, *parts: object):
    """The response for a public feed this process already holds, else None.

    The hot path of calendar polling: no database query (the version is remembered for a
    second), no ORM objects, no session or login.
    """
    feed = lookup(_cache_key(slug, *parts))
    return _serve(feed) if feed is not None else None


@blueprint.route("/c/<slug>/calendar.ics")
def conference_feed(slug: str):
    if (cached := _from_memory(slug, "ics", "conference")) is not None:
        return cached
    conference = load_conference(slug)
    return _calendar_feed(
        conference,
        _key(conference, "ics", "conference"),
        conference.name,
        f"All talks of {conference.name}.",
        lambda: published_schedule(conference),
    )


def _scoped_or_none(model, conference: Conference, object_id: int):
    return db.session.scalar(
        select(model).where(model.id == object_id, model.conference_id == conference.id)
    )


def _removed_feed(conference: Conference, kind: str, subject_id: int, what: str, cache_key: str):
    """The feed of a deleted track or hub (``what``): every talk it had sent, cancelled.

    Subscribed calendars keep the last copy of a feed that answers 404, events and all, so a
    feed that was served goes on answering, named as removed, with each talk it carried sent
    as cancelled (a higher SEQUENCE, at the time and place it last showed). It says no more
    than the feed said while the track or hub existed. An id whose feed never sent a talk at
    this conference (never existed, never published, never read) stays a 404. Ids are never
    given out again (AUTOINCREMENT on SQLite), so no new track or hub takes over this URL.
    """
    if not membership.has_records(conference.id, kind, subject_id):
        abort(404)
    return _calendar_feed(
        conference,
        cache_key,
        f"{conference.name}: removed {what}",
        f"This {what} was removed from {conference.name}, and its talks from this calendar; "
        "each talk's page says where and when it takes place.",
        lambda: membership.feed_schedule(conference, kind, subject_id, false()),
    )


@blueprint.route("/c/<slug>/tracks/<int:track_id>/calendar.ics")
def track_feed(slug: str, track_id: int):
    if (cached := _from_memory(slug, "ics", "track", track_id)) is not None:
        return cached
    conference = load_conference(slug)
    track = _scoped_or_none(Track, conference, track_id)
    if track is None:
        return _removed_feed(
            conference, membership.REMOVED_TRACK, track_id, "track", _key(conference, "ics", "track", track_id)
        )
    track_talks = CalendarEntry.proposal_id.in_(
        select(Proposal.id).where(Proposal.track_id == track.id)
    )
    return _calendar_feed(
        conference,
        _key(conference, "ics", "track", track.id),
        f"{conference.name}: {track.name}",
        f"Talks of the {track.name} track at {conference.name}.",
        lambda: membership.feed_schedule(conference, membership.TRACK, track.id, track_talks),
    )


@blueprint.route("/c/<slug>/hubs/<hub_id>/calendar.ics")
def hub_feed(slug: str, hub_id: str):
    if (cached := _from_memory(slug, "ics", "hub", hub_id)) is not None:
        return cached
    conference = load_conference(slug)
    if hub_id == "online":
        place = "Online streams"
        rooms = select(Room.id).where(Room.conference_id == conference.id, Room.hub_id.is_(None))
        kind, subject_id = membership.ONLINE, 0
    elif parse_id(hub_id) is not None:
        hub = _scoped_or_none(Hub, conference, parse_id(hub_id))
        if hub is None:
            return _removed_feed(
                conference, membership.REMOVED_HUB, parse_id(hub_id), "hub", _key(conference, "ics", "hub", hub_id)
            )
        place = hub.name
        rooms = select(Room.id).where(Room.conference_id == conference.id, Room.hub_id == hub.id)
        kind, subject_id = membership.HUB, hub.id
    else:
        abort(404)
    return _calendar_feed(
        conference,
        _key(conference, "ics", "hub", hub_id),
        f"{conference.name}: {place}",
        f"Talks at {place}, {conference.name}.",
        lambda: membership.feed_schedule(conference, kind, subject_id, CalendarEntry.room_id.in_(rooms)),
    )


@blueprint.route("/c/<slug>/speakers/<int:user_id>/calendar.ics")
def speaker_feed(slug: str, user_id: int):
    if (cached := _from_memory(slug, "ics", "speaker", user_id)) is not None:
        return cached
    conference = load_conference(slug)
    speaker = db.session.get(User, user_id)
    if speaker is None or not has_speaker_feed(conference, user_id):
        abort(404)
    return _calendar_feed(
        conference,
        _key(conference, "ics", "speaker", user_id),
        f"{conference.name}: {speaker.display_name}",
        f"Talks by {speaker.display_name} at {conference.name}.",
        lambda: membership.feed_schedule(conference, membership.SPEAKER, user_id, speaker_filter(user_id)),
    )


@blueprint.route("/c/<slug>/agenda/talks/<int:proposal_id>/calendar.ics")
def talk_event(slug: str, proposal_id: int):
    """One talk as a calendar file to add by hand ("Add to calendar" on its page): the same
    event, UID and SEQUENCE as in the feeds, so importing it again updates the copy. A talk
    that left the programme comes as cancelled; one never published is a 404. Not kept in
    the feed cache: one-off downloads must not push out the feeds that calendars poll."""
    conference = load_conference(slug)
    proposal = load_scoped(Proposal, conference, proposal_id)
    entry = db.session.scalar(select(CalendarEntry.id).where(CalendarEntry.proposal_id == proposal.id).limit(1))
    if entry is None or feed_version(slug) is None:
        abort(404)
    schedule = published_schedule(conference, CalendarEntry.proposal_id == proposal.id)
    if not schedule.talks:
        abort(404)
    stamp = utcnow().replace(microsecond=0)
    calendar = ical.build_calendar(
        schedule, f"{conference.name}: {proposal.title}", f"“{proposal.title}” at {conference.name}.", stamp,
        f"{_key(conference, 'ics', 'talk', proposal.id).rsplit(':', 1)[0]}@{public_host()}",
    )
    response = make_response(ical.serialise(calendar))
    response.headers["Content-Type"] = ical.CONTENT_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(proposal.title)}.ics"'
    response.headers["Cache-Control"] = "no-cache"
    return response


def _file_name(title: str) -> str:
    """A safe file name from a talk title: letters, digits and dashes, at most 60 characters."""
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in title.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:60].strip("-") or "talk"


@blueprint.route("/c/<slug>/feeds/<token>/starred.ics")
def personal_feed(slug: str, token: str):
    """The talks the token's owner starred, assembled from this version's rendered events, and
    those they unstarred since the feed last sent them, as cancelled.

    One query (the token, its owner's stars and the feed's records); the events come from the
    process's library of the published version (`conference.feeds.personal`), so no feed is
    stored. A star changed since the feed was last read, or a starred talk that reads otherwise
    than the feed last sent it (`membership.Snapshot`), is recorded (a write on that request).

    The feed of a deactivated account stops as a removed track's does: it goes on answering,
    with every talk it had sent cancelled (a higher SEQUENCE), since calendars keep the last copy
    of a feed that answers 404. Active again, it sends the starred talks again, confirmed.
    """
    version = feed_version(slug)
    if version is None:
        abort(404)
    found = personal.starred_by_token(version.conference_id, token)
    if found is None:
        abort(404)
    library = personal.event_library(version.conference_id, version.stamp)
    now = utcnow().replace(microsecond=0)
    members = library.members(found.starred) if found.owner_active else {}
    sent, changes = membership.reconcile(members, found.recorded, now)
    membership.save(db.session(), membership.STARRED, found.user_id, changes, now)
    name = library.conference_name
    if found.owner_active:
        title, description = f"{name}: my starred talks", f"The talks you starred at {name}."
    else:
        title = f"{name}: my starred talks (account deactivated)"
        description = (
            "This account was deactivated, and its starred talks are cancelled in this calendar; "
            f"each talk's page says where and when it takes place at {name}."
        )
    body = library.assemble(
        sent.keys(),  # the starred talks and those the feed carried before
        title,
        description,
        f"c{version.conference_id}:ics:personal:u{found.user_id}@{public_host()}",
        sent,
    )
    return _serve(CachedFeed.of(body, ical.CONTENT_TYPE), private=True)


def _slot_minutes(conference: Conference) -> int:
    settings = db.session.scalar(
        select(ScheduleSettings).where(ScheduleSettings.conference_id == conference.id)
    )
    return settings.slot_minutes if settings and settings.slot_minutes else 15


def _export(conference: Conference, kind: str, content_type: str, build) -> object:
    def render() -> bytes:
        schedule = published_schedule(conference, include_cancelled=False)
        return build(schedule, conference.days(), _slot_minutes(conference))

    return _serve(cached_feed(_key(conference, kind), content_type, render))


@blueprint.route("/c/<slug>/schedule.xml")
def schedule_xml(slug: str):
    if (cached := _from_memory(slug, "xml")) is not None:
        return cached
    conference = load_conference(slug)
    return _export(conference, "xml", exports.XML_CONTENT_TYPE, exports.schedule_xml)


@blueprint.route("/c/<slug>/schedule.json")
def schedule_json(slug: str):
    if (cached := _from_memory(slug, "json")) is not None:
        return cached
    conference = load_conference(slug)
    return _export(conference, "json", exports.JSON_CONTENT_TYPE, exports.schedule_json)


def _subscribe_links(endpoint: str, **values) -> dict[str, str]:
    path = url_for(endpoint, **values)
    if current_app.config.get("PUBLIC_URL"):
        https = public_base_url() + path
    else:
        https = url_for(endpoint, _external=True, **values)
    webcal = "webcal://" + https.split("://", 1)[1]
    return {"https": https, "webcal": webcal}


@blueprint.route("/c/<slug>/calendar")
def subscribe(slug: str):
    conference = load_conference(slug)
    schedule = published_schedule(conference, include_cancelled=False)
    speakers = {
        speaker.user_id: speaker.name for talk in schedule.talks for speaker in talk.speakers
    }
    has_online = (
        db.session.scalar(
            select(Room.id)
            .where(Room.conference_id == conference.id, Room.hub_id.is_(None))
            .limit(1)
        )
        is not None
    )
    feeds = [("Whole conference", _subscribe_links("feeds.conference_feed", slug=slug))]
    feeds += [
        (f"Track: {track.name}", _subscribe_links("feeds.track_feed", slug=slug, track_id=track.id))
        for track in conference.tracks
    ]
    feeds += [
        (f"Hub: {hub.name}", _subscribe_links("feeds.hub_feed", slug=slug, hub_id=hub.id))
        for hub in conference.hubs
    ]
    if has_online:
        feeds.append(
            ("Online streams", _subscribe_links("feeds.hub_feed", slug=slug, hub_id="online"))
        )
    feeds += [
        (f"Speaker: {name}", _subscribe_links("feeds.speaker_feed", slug=slug, user_id=user_id))
        for user_id, name in sorted(speakers.items(), key=lambda item: item[1].lower())
    ]
    personal = None
    if current_user.is_authenticated:
        # Looking never creates a token: "Get my calendar link" (a POST) does.
        token = operations.existing_feed_token(current_user, conference)
        if token is not None:
            personal = _subscribe_links("feeds.personal_feed", slug=slug, token=token.token)
    exports_links = {
        "xml": _subscribe_links("feeds.schedule_xml", slug=slug)["https"],
        "json": _subscribe_links("feeds.schedule_json", slug=slug)["https"],
    }
    response = make_response(
        render_template(
            "feeds/subscribe.html",
            conference=conference,
            feeds=feeds,
            personal=personal,
            exports_links=exports_links,
            published=schedule.version_number > 0,
        )
    )
    # The personal link is a secret: never keep it in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response


@blueprint.route("/c/<slug>/calendar/personal-link", methods=["POST"])
@login_required
def renew_personal_link(slug: str):
    """Create the personal calendar link (``intent=create``) or replace it (the default)."""
    conference = load_conference(slug)
    if request.form.get("intent") == "create":
        # Idempotent: a second press (or another tab) keeps the link the first one made.
        operations.feed_token_for(current_user, conference)
        flash(
            "Your private calendar link is ready: subscribe to it in your calendar app.", "success"
        )
    else:
        operations.revoke_feed_token(current_user, conference)
        flash(
            "Your old personal calendar link no longer works; subscribe with the new one below.",
            "success",
        )
    target = request.form.get("next")
    if is_safe_redirect(target):
        return redirect(target)
    return redirect(url_for("feeds.subscribe", slug=slug))
