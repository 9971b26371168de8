"""Rendered agenda HTML, kept per process and keyed by everything that shapes it.

A key always holds the conference, its newest published version and this process's *generation*,
which goes up after any committed change to what agenda pages show (names of tracks,
rooms, hubs and formats, titles, speakers, profiles, materials, topics). Entries also
expire after ``AGENDA_CACHE_SECONDS`` (default 30), so a change committed by another
process (another gunicorn worker) shows there within that time. ``AGENDA_CACHE_SIZE``
bounds the number of entries (default 512); ``AGENDA_CACHE_SECONDS = 0`` turns the cache off.

Anonymous whole pages take the published version from the feeds' per-process memo
(`conference.feeds.cache.feed_version`), trusted for ``AGENDA_VERSION_CHECK_SECONDS``
(default: ``FEEDS_VERSION_CHECK_SECONDS``, 1 s), so a hit runs no SQL at all. Publishing
forgets the memo at once in the publishing process; other processes show the new version
within that many seconds.

What is per viewer never enters a shared entry: star buttons are left as markers and
filled in for each request (`fill_star_buttons`), and whole pages are kept only for
anonymous viewers without pending flash messages.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cachetools import TLRUCache
from flask import current_app, has_app_context
from markupsafe import Markup, escape
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from conference.core.types import utcnow
from conference.feeds import cache as feeds_cache

DEFAULT_SECONDS = 30.0
DEFAULT_SIZE = 512
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


def _seconds() -> float:
    return float(current_app.config.get("AGENDA_CACHE_SECONDS", DEFAULT_SECONDS))


def _store() -> TLRUCache:
    # One store per app, so apps (and tests) never see each other's pages.
    store = current_app.extensions.get("agenda_cache")
    if store is None:
        with _lock:
            store = current_app.extensions.setdefault(
                "agenda_cache",
                TLRUCache(
                    maxsize=int(current_app.config.get("AGENDA_CACHE_SIZE", DEFAULT_SIZE)),
                    ttu=lambda _key, slot, _now: slot.expires_at,
                    timer=time.monotonic,
                ),
            )
    return store


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """The value kept for ``key``, computing it on a miss.

    Threads of this process that miss the same key together wait for one computation instead
    of each rendering the page (a day page expiring under load was rendered by every thread).
    A value with a ``wrong_after`` instant expires then if that is sooner than the usual lifetime.
    """
    seconds = _seconds()
    if seconds <= 0:
        return compute()
    full_key = (generation(), key)
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
        value = compute()
        lifetime = seconds
        wrong_after = getattr(value, "wrong_after", None)
        if wrong_after is not None:
            lifetime = min(lifetime, (wrong_after - utcnow()).total_seconds())
        if lifetime > 0:
            with _lock:
                store[full_key] = _Slot(value, time.monotonic() + lifetime)
        return value


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
