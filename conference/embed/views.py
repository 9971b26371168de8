"""The public agenda as a frame for other sites (an intranet home page, a team wiki), and the
organisers' page that writes the snippet to paste there.

The embedded page is the same for everyone who asks with the same address: it reads no
login and no cookie (a third-party frame gets neither), offers no buttons, and opens every
link in a new tab. So it is kept whole for the published version (and, for "now and next",
the minute), and any site named by EMBED_FRAME_ANCESTORS may frame it.

Every distinct set of options renders a page of its own, so renders are rate-limited per
client address (RATELIMIT_EMBED). The limit is checked and counted only when a request costs a
render (or a look-up that finds no conference): a page served from the kept copy (200, or 304
for a reader's unchanged copy) is always served, whatever the count, since a whole office behind
one proxy reads the same kept page. A render asked for past the limit gets a small 429 page in
the frame that says when it comes back and reloads itself then, with Retry-After.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from html import escape

from flask import Blueprint, abort, current_app, g, make_response, render_template, request, url_for
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter

from conference.agenda import cache as agenda_cache
from conference.agenda import queries
from conference.agenda.queries import AgendaTalk
from conference.conferences.access import conference_with_role, load_conference
from conference.conferences.models import Conference, Role
from conference.core.timezones import is_valid_time_zone, local_to_utc, to_zone, zone_offset_label
from conference.core.types import utcnow
from conference.core.web import CONTENT_SECURITY_POLICY
from conference.embed.forms import DEFAULT_HEIGHT, EmbedForm
from conference.embed.options import (
    BROWSER_ZONE,
    OPTION_NAMES,
    VIEWS,
    EmbedOptions,
    OptionError,
    read_options,
    reader_zone,
)
from conference.extensions import limiter
from conference.feeds import cache as feeds_cache
from conference.feeds.links import public_base_url

blueprint = Blueprint("embed", __name__)

REFRESH_SECONDS = 60
# Renders per client address; generous, as readers behind one proxy share an address and each
# "now and next" address renders again every minute. RATELIMIT_EMBED overrides it.
DEFAULT_EMBED_LIMIT = "300 per minute"
# What a screen reader announces for the frame on the other site.
FRAME_TITLES = {"next": "now and next", "day": "agenda"}
log = logging.getLogger(__name__)


def frame_policy() -> str:
    """The site's content security policy with the embedding sites as frame ancestors."""
    others = current_app.config.get("EMBED_FRAME_ANCESTORS", "*")
    ancestors = f"frame-ancestors 'self' {others}".rstrip()
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", ancestors)


def _this_minute() -> datetime:
    return utcnow().replace(second=0, microsecond=0)


def _embed_limit() -> str:
    return current_app.config.get("RATELIMIT_EMBED") or DEFAULT_EMBED_LIMIT


class RendersUsedUp(Exception):
    """This client address has used its renders (RATELIMIT_EMBED) for now."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _count_a_render() -> None:
    """Count one render against this client address's allowance, or raise RendersUsedUp past it.

    Called only where a request costs work, never for a kept page: a decorator limit is
    checked before the view runs, so it would refuse kept pages too once the address is over.
    """
    if not (limiter.enabled and limiter.initialized):
        return
    limits = parse_many(_embed_limit())
    # The key parts Flask-Limiter gives its own limits: its prefix, its key (the client address
    # the nearest trusted proxy saw, see conference.extensions) and the endpoint.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    key_parts = [part for part in (prefix, get_remote_address(), request.endpoint) if part]
    try:
        _spend_a_render(limiter.limiter, limits, key_parts)
    except RendersUsedUp:
        raise
    except Exception:
        # As Flask-Limiter does for the other limits: count in this process while the storage
        # (Redis) cannot be reached, rather than failing or letting every render through.
        log.warning("Rate limit storage unreachable: embed renders counted here", exc_info=True)
        _spend_a_render(_process_limiter(), limits, key_parts)


def _spend_a_render(
    strategy: RateLimiter, limits: list[RateLimitItem], key_parts: list[str]
) -> None:
    # Tested before it is counted: a refused render is not counted, so a frame that reloads
    # itself after Retry-After finds its allowance there (the hourly one too).
    used_up = [limit for limit in limits if not strategy.test(limit, *key_parts)]
    if not used_up:
        # Another request may have taken the last render meanwhile.
        used_up = [limit for limit in limits if not strategy.hit(limit, *key_parts)]
    if used_up:
        now = utcnow().timestamp()
        retry_after = max(
            math.ceil(strategy.get_window_stats(limit, *key_parts).reset_time - now)
            for limit in used_up
        )
        raise RendersUsedUp(max(1, retry_after))


_process_limiters: dict[str, RateLimiter] = {}


def _process_limiter() -> RateLimiter:
    strategy = current_app.config.get("RATELIMIT_STRATEGY") or "fixed-window"
    if strategy not in _process_limiters:
        _process_limiters[strategy] = STRATEGIES[strategy](MemoryStorage())
    return _process_limiters[strategy]


@blueprint.errorhandler(RendersUsedUp)
def renders_used_up(error: RendersUsedUp):
    """A small page the frame can show (not the site's own, which no other site may frame)."""
    g.same_for_everyone = g.frameable = True
    slug = (request.view_args or {}).get("slug", "")
    response = make_response(
        render_template(
            "embed/busy.html",
            retry_after=error.retry_after,
            agenda_url=url_for("agenda.day", slug=slug) if slug else None,
        ),
        429,
    )
    response.headers["Retry-After"] = str(error.retry_after)
    response.headers["Content-Security-Policy"] = frame_policy()
    response.cache_control.no_store = True
    return response


# Not a Flask-Limiter decorator: kept pages are served whatever the count (see _count_a_render).
@blueprint.route("/c/<slug>/embed/agenda")
def agenda(slug: str):
    # The remembered version: a page kept for it is served without any SQL.
    version = feeds_cache.feed_version(slug, agenda_cache.version_check_seconds())
    if version is None:
        # The look-up found nothing and will again next time: it counts as a render.
        _count_a_render()
        abort(404)
    # No login, cookie or session shapes the page: no Vary: Cookie (see core.web); other sites
    # may frame it (no X-Frame-Options).
    g.same_for_everyone = g.frameable = True
    moment = _this_minute() if request.args.get("view", "") != "day" else None
    key = ("embed", version.conference_id, version.stamp, _key_arguments(), moment)

    def render() -> agenda_cache.Rendered:
        # Before reading the options: a page of wrong ones (400) costs a look-up too.
        _count_a_render()
        return _render(slug, moment)

    try:
        page = agenda_cache.remember(key, render)
    except OptionError as error:
        response = make_response(
            render_template("embed/error.html", conference=load_conference(slug), error=error), 400
        )
    else:
        response = make_response(page.html)
        response.set_etag(page.etag)
        response.cache_control.no_cache = True
        response = response.make_conditional(request)
    response.headers["Content-Security-Policy"] = frame_policy()
    return response


def _key_arguments() -> tuple[tuple[str, str], ...]:
    """The parameters that shape the page, as its cache key: others (and a browser zone no
    zone name, or beside a fixed one) are left out, so made-up ones add no entries."""
    # Stripped as `options.read_options` strips them: the key is what the page is made from.
    arguments = {name: (request.args.get(name) or "").strip() for name in OPTION_NAMES}
    browser = arguments.pop(BROWSER_ZONE)
    if not arguments["tz"] and is_valid_time_zone(browser):
        arguments[BROWSER_ZONE] = browser
    return tuple(sorted((name, value) for name, value in arguments.items() if value))


def _render(slug: str, moment: datetime | None) -> agenda_cache.Rendered:
    conference = load_conference(slug)
    options = read_options(conference, request.args)
    zone_name, zone_fixed = reader_zone(conference, options, request.args)
    # Filters and macros that show times read the viewer's zone from here.
    g.viewer_time_zone = zone_name
    version = queries.published_version(conference)
    context = {
        "conference": conference,
        "options": options,
        "zone_name": zone_name,
        "zone_fixed": zone_fixed,
        "published": version is not None,
        "filtered": options.agenda_filter != queries.AgendaFilter(),
        "agenda_link": url_for("agenda.day", slug=conference.slug, tz=zone_name, **_agenda_filter_args(options)),
    }
    if options.view == "day":
        context.update(_day_context(conference, version, options, zone_name, zone_fixed))
        html = render_template("embed/agenda.html", **context)
        # Without a chosen day the page shows today's (or the next) talks: wrong at midnight.
        return agenda_cache.Rendered.of(
            html, wrong_after=None if options.day else _next_midnight(zone_name)
        )
    assert moment is not None
    context.update(_next_context(conference, version, options, zone_name, moment))
    html = render_template("embed/agenda.html", refresh_seconds=REFRESH_SECONDS, **context)
    # "Ends in 5 min" is wrong a minute later.
    return agenda_cache.Rendered.of(html, wrong_after=moment + timedelta(minutes=1))


def _agenda_filter_args(options: EmbedOptions) -> dict[str, str]:
    arguments = options.arguments()
    return {key: arguments[key] for key in ("track", "hub", "mode") if key in arguments}


def _next_midnight(zone_name: str) -> datetime:
    today = to_zone(utcnow(), zone_name).date()
    return local_to_utc(today + timedelta(days=1), time.min, zone_name)


def _day_context(conference: Conference, version, options: EmbedOptions, zone_name: str, zone_fixed: bool) -> dict:
    days = queries.published_days(version, zone_name) if version is not None else []
    today = to_zone(utcnow(), zone_name).date()
    chosen = options.day or _default_day(days, today)
    talks: list[AgendaTalk] = []
    if version is not None and chosen is not None:
        talks = [
            talk
            for talk in queries.published_talks_on(conference, version, zone_name, chosen)
            if queries.matches(talk, options.agenda_filter)
        ]
    earlier = [day for day in days if chosen is not None and day < chosen]
    later = [day for day in days if chosen is not None and day > chosen]
    clocks_change = chosen is not None and queries.clocks_change_on(chosen, zone_name)
    return {
        "talks": talks,
        "chosen_day": chosen,
        "today": today,
        "previous_day": _day_link(conference, options, earlier[-1], zone_name, zone_fixed) if earlier else None,
        "next_day": _day_link(conference, options, later[0], zone_name, zone_fixed) if later else None,
        "offset_ids": {t.proposal.id for t in talks} if clocks_change else set(),
        "zone_label": queries.day_zone_label(chosen, zone_name) if chosen else zone_offset_label(utcnow(), zone_name),
    }


def _default_day(days: list[date], today: date) -> date | None:
    """Today when talks start today, else the next day with talks, else the last one."""
    upcoming = [day for day in days if day >= today]
    if upcoming:
        return upcoming[0]
    return days[-1] if days else None


def _day_link(conference: Conference, options: EmbedOptions, day: date, zone_name: str, zone_fixed: bool) -> str:
    """This page's address for another day: the same options, the reader's zone kept."""
    arguments = replace(options, day=day).arguments()
    if not zone_fixed and zone_name != conference.time_zone:
        arguments[BROWSER_ZONE] = zone_name
    return url_for("embed.agenda", slug=conference.slug, **arguments)


def _next_context(conference: Conference, version, options: EmbedOptions, zone_name: str, moment: datetime) -> dict:
    talks = (
        queries.coming_up(conference, version, zone_name, moment, options.agenda_filter, options.limit)
        if version is not None
        else []
    )
    zone_label, offset_days = queries.zone_label_for_days(talks, zone_name)
    return {
        "talks": talks,
        "moment": moment,
        "today": to_zone(moment, zone_name).date(),
        "offset_ids": {
            t.proposal.id
            for t in talks
            if t.local_day in offset_days or t.local_start.utcoffset() != t.local_end.utcoffset()
        },
        "zone_label": zone_label or zone_offset_label(moment, zone_name),
    }


# --- The organisers' snippet ---------------------------------------------------------------


@blueprint.route("/c/<slug>/manage/embed")
def snippet(slug: str):
    conference = conference_with_role(slug, Role.ORGANISER)
    form = EmbedForm.for_conference(conference, request.args)
    options, height, status = EmbedOptions(), DEFAULT_HEIGHT, 200
    if request.args:
        if form.validate():
            options, height = form.options(), form.frame_height
        else:
            status = 400
    path = url_for("embed.agenda", slug=conference.slug, **options.arguments())
    embed_url = public_base_url() + path
    return render_template(
        "embed/snippet.html",
        conference=conference,
        form=form,
        views=VIEWS,
        preview_path=path,
        embed_url=embed_url,
        snippet=snippet_html(embed_url, f"{conference.name}: {FRAME_TITLES[options.view]}", height),
        height=height,
        ancestors=current_app.config.get("EMBED_FRAME_ANCESTORS", "*"),
    ), status


def snippet_html(embed_url: str, title: str, height: int) -> str:
    """The HTML an organiser pastes into the other site (its text, not markup of this page)."""
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" height="{int(height)}" '
        'style="border: 0;" loading="lazy"></iframe>'
    )
