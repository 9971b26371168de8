"""Rendered agenda HTML, kept per process and, with Redis, shared by every process.

A key always holds the conference, its newest published version and a *generation*, which
goes up after any committed change to what agenda pages show (names of tracks, rooms, hubs
and formats, titles, speakers, profiles, materials, topics).

Two layers:

* Each process keeps entries in memory, bounded by ``AGENDA_CACHE_MB`` (default 128) and
  kept for ``AGENDA_CACHE_SECONDS``; ``AGENDA_CACHE_SECONDS = 0`` turns caching off.
* With ``REDIS_URL`` set (unless ``AGENDA_SHARED_CACHE=0``), rendered pages are also kept in
  Redis, so a page one gunicorn worker rendered is not rendered again by the others, and the
  generation is a Redis counter: a change committed by any process retires every process's
  entries within ``AGENDA_VERSION_CHECK_SECONDS`` (each process reads the counter at most
  that often). Entries can therefore live long: the default lifetime is an hour with Redis
  and 30 s without, when only the lifetime bounds how late another process shows a change.
  Redis keys start with ``CACHE_KEY_PREFIX``. When Redis fails, pages are rendered per
  process and kept for 30 s at most, as without Redis.

Anonymous whole pages take the published version from the feeds' per-process memo
(`conference.feeds.cache.feed_version`), trusted for ``AGENDA_VERSION_CHECK_SECONDS``
(default: ``FEEDS_VERSION_CHECK_SECONDS``, 1 s), so an in-memory hit runs no SQL at all.
Publishing forgets the memo at once in the publishing process; other processes show the new
version within that many seconds.

What is per viewer never enters a shared entry: star buttons are left as markers and
filled in for each request (`fill_star_buttons`), and whole pages are kept only for
anonymous viewers without pending flash messages.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cachetools import TLRUCache
from flask import current_app, has_app_context, make_response, request, session
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from conference.core.types import utcnow
from conference.core.web import viewer_time_zone
from conference.feeds import cache as feeds_cache

DEFAULT_SECONDS = 30.0
# With the Redis generation, another process's change shows within the version check
# period, so entries only expire to give memory back.
DEFAULT_SHARED_SECONDS = 3600.0
DEFAULT_MEGABYTES = 128
# An entry that is not a page (a list of days, say) is counted as this many bytes.
SMALL_ENTRY_BYTES = 1024
REDIS_TIMEOUT_SECONDS = 0.5
REDIS_RETRY_SECONDS = 5.0
log = logging.getLogger(__name__)
# Rows whose committed change may alter an agenda page. Versions and placements are watched
# too: published versions never change in place, but tests and repairs may write them.
WATCHED_TABLES = frozenset(
    {
        "conferences",
        "hubs",
        "rooms",
        "tracks",
        "session_formats",
        "proposals",
        "proposal_speakers",
        "speaker_profiles",
        "schedule_versions",
        "scheduled_talks",
        "talk_materials",
        "proposal_topics",
        "topic_tags",
    }
)
# A star button's place in a cached fragment. Text on a page is escaped, so page content
# can never produce this comment.
STAR_MARKER = "<!--star:{}-->"
_STAR_MARKERS = re.compile(r"<!--star:(\d+)-->")

T = TypeVar("T")
_lock = threading.RLock()
_generation = itertools.count(1)
_current_generation = 0


def generation() -> int:
    """This process's count of committed agenda changes; part of every key."""
    return _current_generation


def bump_generation() -> None:
    """Retire every entry of this process (called after a commit that changed agenda data)."""
    global _current_generation
    with _lock:
        _current_generation = next(_generation)


def _changes_agenda(session: Session) -> bool:
    for instance in itertools.chain(session.new, session.dirty, session.deleted):
        table = getattr(instance, "__tablename__", None)
        if table in WATCHED_TABLES:
            return True
        # Logging in rewrites users rows; only a new display name changes a page.
        if table == "users" and inspect(instance).attrs.display_name.history.has_changes():
            return True
    return False


def note_change(session: Session) -> None:
    """Retire cached pages when ``session`` commits (for writes the ORM does not see, e.g. Core)."""
    session.info["agenda_changed"] = True


@event.listens_for(Session, "after_flush")
def _note_agenda_change(session: Session, flush_context) -> None:
    if _changes_agenda(session):
        session.info["agenda_changed"] = True


@event.listens_for(Session, "after_commit")
def _retire_after_commit(session: Session) -> None:
    # After the commit, not the flush: a page rendered between the two would read the old
    # rows and file them under the new generation.
    if session.info.pop("agenda_changed", False):
        bump_generation()
        if has_app_context():
            # Publishing already forgot the version at flush time, but a request in another
            # thread may have read (and remembered) the old one before this commit.
            feeds_cache.forget_all_versions()
            _bump_shared_generation()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("agenda_changed", None)


@dataclass(frozen=True)
class Rendered:
    """A rendered page or fragment, its ETag, and the titles of the star buttons it leaves out."""

    html: str
    etag: str
    titles: dict[int, str]
    # When the page stops being right by itself (e.g. a talk's feedback opens); None: never.
    wrong_after: datetime | None = None

    @classmethod
    def of(
        cls, html: str, titles: dict[int, str] | None = None, wrong_after: datetime | None = None
    ) -> Rendered:
        return cls(html, hashlib.sha256(html.encode()).hexdigest()[:32], titles or {}, wrong_after)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "html": self.html,
                "etag": self.etag,
                "titles": {str(key): value for key, value in self.titles.items()},
                "wrong_after": self.wrong_after.isoformat() if self.wrong_after else None,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Rendered:
        data = json.loads(raw)
        wrong_after = data["wrong_after"]
        return cls(
            data["html"],
            data["etag"],
            {int(key): value for key, value in data["titles"].items()},
            datetime.fromisoformat(wrong_after) if wrong_after else None,
        )


@dataclass(frozen=True)
class _Slot:
    value: Any
    expires_at: float  # time.monotonic()


def version_check_seconds() -> float:
    """How long an anonymous page trusts the published version this process last read."""
    config = current_app.config
    if "AGENDA_VERSION_CHECK_SECONDS" in config:
        return float(config["AGENDA_VERSION_CHECK_SECONDS"])
    return float(config.get("FEEDS_VERSION_CHECK_SECONDS", feeds_cache.VERSION_CHECK_SECONDS))


def _shared() -> SharedLayer | None:
    """The Redis layer of this app, or None (no REDIS_URL, or AGENDA_SHARED_CACHE off)."""
    extensions = current_app.extensions
    if "agenda_shared" not in extensions:
        config = current_app.config
        layer = None
        if config.get("REDIS_URL") and config.get("AGENDA_SHARED_CACHE", True):
            layer = SharedLayer(config["REDIS_URL"], config.get("CACHE_KEY_PREFIX") or "conference")
        extensions["agenda_shared"] = layer
    return extensions["agenda_shared"]


def _seconds(shared: SharedLayer | None) -> float:
    config = current_app.config
    if "AGENDA_CACHE_SECONDS" in config:
        seconds = float(config["AGENDA_CACHE_SECONDS"])
    else:
        seconds = DEFAULT_SHARED_SECONDS if shared is not None else DEFAULT_SECONDS
    if shared is not None and not shared.healthy:
        # Without the shared generation, only the lifetime bounds how stale another process is.
        seconds = min(seconds, DEFAULT_SECONDS)
    return seconds


def _sizeof(slot: _Slot) -> int:
    value = slot.value
    if isinstance(value, Rendered):
        return len(value.html) + SMALL_ENTRY_BYTES
    return SMALL_ENTRY_BYTES


def _store() -> TLRUCache:
    # One store per app, so apps (and tests) never see each other's pages.
    store = current_app.extensions.get("agenda_cache")
    if store is None:
        with _lock:
            megabytes = float(current_app.config.get("AGENDA_CACHE_MB", DEFAULT_MEGABYTES))
            store = current_app.extensions.setdefault(
                "agenda_cache",
                TLRUCache(
                    maxsize=max(1, int(megabytes * 1024 * 1024)),
                    ttu=lambda _key, slot, _now: slot.expires_at,
                    timer=time.monotonic,
                    getsizeof=_sizeof,
                ),
            )
    return store


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """The value kept for ``key``, computing it on a miss.

    Threads of this process that miss the same key together wait for one computation instead
    of each rendering the page (a day page expiring under load was rendered by every thread).
    With the Redis layer, a page another process rendered is taken from there first.
    A value with a ``wrong_after`` instant expires then if that is sooner than the usual lifetime.
    """
    shared = _shared()
    seconds = _seconds(shared)
    if seconds <= 0:
        return compute()
    shared_generation = shared.generation() if shared is not None else None
    # Computed before rendering: a page whose data a commit changed meanwhile is filed
    # under the generation it was read in.
    full_key = (generation(), shared_generation, key)
    store = _store()
    with _lock:
        slot = store.get(full_key)
    if slot is not None:
        return slot.value
    with _one_computation((id(store), full_key)):
        with _lock:
            slot = store.get(full_key)
        if slot is not None:
            return slot.value
        value = None
        if shared is not None and shared_generation is not None:
            value = shared.get((shared_generation, key))
        from_redis = value is not None
        if value is None:
            value = compute()
        lifetime = seconds
        wrong_after = getattr(value, "wrong_after", None)
        if wrong_after is not None:
            lifetime = min(lifetime, (wrong_after - utcnow()).total_seconds())
        if lifetime > 0:
            with _lock:
                store[full_key] = _Slot(value, time.monotonic() + lifetime)
            if not from_redis and shared is not None and shared_generation is not None:
                shared.put((shared_generation, key), value, lifetime)
        return value


def _bump_shared_generation() -> None:
    shared = _shared()
    if shared is not None:
        shared.bump()


class SharedLayer:
    """Rendered pages and the change counter in Redis, for every process of the app.

    Only :class:`Rendered` values are shared. Every Redis error is logged and survived: the
    page is rendered (or kept) in this process instead.
    """

    def __init__(self, url: str, prefix: str) -> None:
        from redis import Redis

        self._redis = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._prefix = f"{prefix}:agenda"
        self._known: tuple[int, float] | None = None  # (generation, time.monotonic() read)
        self._retry_at = 0.0
        self.healthy = True

    def _failed(self, error: Exception) -> None:
        if self.healthy:
            log.warning("agenda cache: Redis unavailable (%s); pages are kept per process", error)
        self.healthy = False
        self._known = None
        # Not every request should wait for a Redis that is down.
        self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS

    def _down(self) -> bool:
        return not self.healthy and time.monotonic() < self._retry_at

    def generation(self) -> int | None:
        """The shared generation, read from Redis at most once per version check period."""
        from redis import RedisError

        now = time.monotonic()
        known = self._known
        if known is not None and now - known[1] < version_check_seconds():
            return known[0]
        if self._down():
            return None
        try:
            value = int(self._redis.get(f"{self._prefix}:generation") or 0)
        except (RedisError, ValueError) as error:
            self._failed(error)
            return None
        self.healthy = True
        self._known = (value, now)
        return value

    def bump(self) -> None:
        """Retire every process's entries (after a commit that changed agenda data)."""
        from redis import RedisError

        try:
            value = int(self._redis.incr(f"{self._prefix}:generation"))
        except RedisError as error:
            # Other processes may keep showing the change's old pages until their entries
            # expire (at most DEFAULT_SECONDS once they find Redis down too).
            self._failed(error)
            return
        # This process sees its own change at once.
        self._known = (value, time.monotonic())

    def close(self) -> None:
        self._redis.close()

    def _key(self, key: Hashable) -> str:
        return f"{self._prefix}:page:{hashlib.sha256(repr(key).encode()).hexdigest()}"

    def get(self, key: Hashable) -> Rendered | None:
        from redis import RedisError

        if self._down():
            return None
        try:
            raw = self._redis.get(self._key(key))
        except RedisError as error:
            self._failed(error)
            return None
        if raw is None:
            return None
        try:
            return Rendered.from_json(raw)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, key: Hashable, value: Any, lifetime: float) -> None:
        if not isinstance(value, Rendered) or self._down():
            return
        from redis import RedisError

        try:
            self._redis.set(self._key(key), value.to_json(), ex=max(1, math.ceil(lifetime)))
        except RedisError as error:
            self._failed(error)


class _KeyLock:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


_computing: dict[Hashable, _KeyLock] = {}


@contextmanager
def _one_computation(key: Hashable) -> Iterator[None]:
    """Held while ``key`` is computed; other threads asking for it wait here."""
    with _lock:
        entry = _computing.setdefault(key, _KeyLock())
        entry.users += 1
    try:
        with entry.lock:
            yield
    finally:
        with _lock:
            entry.users -= 1
            if entry.users == 0:
                _computing.pop(key, None)


def shared_by_anonymous_viewers() -> bool:
    """Whether this request may get a whole kept page: no login and no pending message."""
    return not current_user.is_authenticated and not session.get("_flashes")


def anonymous_page(key: tuple, render: Callable[[], Rendered]):
    """The kept page for ``key`` in this request's query string and zone, revalidated every time.

    Only for viewers `shared_by_anonymous_viewers` allows; an unchanged page costs a 304.
    """
    variant = (*key, tuple(sorted(request.args.items(multi=True))), viewer_time_zone())
    page = remember(variant, render)
    response = make_response(page.html)
    response.set_etag(page.etag)
    response.cache_control.no_cache = True
    # Logging in (the session cookie) changes the page.
    response.vary.add("Cookie")
    return response.make_conditional(request)


def clear() -> None:
    """Drop every entry of the current app."""
    with _lock:
        _store().clear()


def fill_star_buttons(fragment: Rendered, render_button: Callable[[int, str], str]) -> Markup:
    """The fragment with each star marker replaced by this viewer's button for that talk."""
    titles = fragment.titles
    # Both parts come from our own autoescaped templates.
    return Markup(  # noqa: S704
        _STAR_MARKERS.sub(
            lambda found: render_button(int(found.group(1)), titles.get(int(found.group(1)), "")),
            fragment.html,
        )
    )


def star_marker(proposal_id: int) -> Markup:
    return Markup(STAR_MARKER).format(int(proposal_id))  # noqa: S704 - a constant and an int


class ButtonPrototypes:
    """A viewer's star button rendered once per state, then copied for every talk.

    Rendering the button template ~330 times cost more than the rest of a day page; the
    id and title are the only parts that differ between talks.
    """

    # Stand-ins that url_for accepts and escaping leaves as they are.
    PLACEHOLDER_ID = 987_654_321_123
    PLACEHOLDER_TITLE = "agenda-star-title-placeholder"

    def __init__(self, render: Callable[[object, bool], str], starred: set[int]) -> None:
        stand_in = _StandIn(self.PLACEHOLDER_ID, self.PLACEHOLDER_TITLE)
        self._on = str(render(stand_in, True))
        self._off = str(render(stand_in, False))
        self._starred = starred

    def __call__(self, proposal_id: int, title: str) -> str:
        html = self._on if proposal_id in self._starred else self._off
        return html.replace(str(self.PLACEHOLDER_ID), str(proposal_id)).replace(
            self.PLACEHOLDER_TITLE, str(escape(title))
        )


@dataclass(frozen=True)
class _StandIn:
    id: int
    title: str
