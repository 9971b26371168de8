"""Feeds and exports are rendered once per published version, then served from RenderedFeed.

A small in-process LRU sits in front of the table so hot feeds skip the database read, and
each process remembers every conference's current version for a second or so, so a feed
served from the LRU needs no database query at all.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.feeds.models import RenderedFeed
from conference.feeds.published import conference_version

LRU_SIZE = 128
# How long a process trusts the version it last read (config FEEDS_VERSION_CHECK_SECONDS).
# Publishing forgets it at once in the publishing process; other processes see the new
# version within this many seconds. 0 reads the version on every request.
VERSION_CHECK_SECONDS = 1.0
_lock = threading.Lock()


# Feeds smaller than this go out as they are: gzip would save next to nothing.
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class CachedFeed:
    etag: str
    content_type: str
    body: bytes
    # Compressed once per process: a 1000-talk feed is ~1 MB of text and ~20x smaller gzipped.
    gzip_body: bytes | None = None

    @classmethod
    def of(cls, body: bytes, content_type: str) -> CachedFeed:
        """``body`` with its ETag, and gzipped unless it is too small to gain from it."""
        return cls(etag_for(body), content_type, body, _gzipped(body))


@dataclass(frozen=True)
class FeedVersion:
    """A conference's id and current version stamp, as one process last read them."""

    conference_id: int
    stamp: str
    checked_at: float


def _versions() -> dict[str, FeedVersion]:
    return current_app.extensions.setdefault("feeds_versions", {})


def feed_version(slug: str, max_age: float | None = None) -> FeedVersion | None:
    """The conference's id and version stamp (None: no such conference), read at most once a second.

    ``max_age`` trusts the remembered version for that many seconds instead (other callers,
    such as the agenda's page cache, share this memo with their own setting).
    """
    now = time.monotonic()
    known = _versions().get(slug)
    if max_age is None:
        max_age = current_app.config.get("FEEDS_VERSION_CHECK_SECONDS", VERSION_CHECK_SECONDS)
    if known is not None and now - known.checked_at < max_age:
        return known
    found = conference_version(slug)
    if found is None:
        _versions().pop(slug, None)
        return None
    known = FeedVersion(found[0], found[1], now)
    _versions()[slug] = known
    return known


def forget_versions(conference_id: int) -> None:
    """Make this process read the conference's version again (after publishing)."""
    versions = _versions()
    for slug, known in list(versions.items()):
        if known.conference_id == conference_id:
            versions.pop(slug, None)


def forget_all_versions() -> None:
    """Make this process read every conference's version again (after a commit that may publish)."""
    _versions().clear()


def lookup(cache_key: str) -> CachedFeed | None:
    """The feed for ``cache_key`` if this process holds it (no database access)."""
    with _lock:
        hit = _lru().get(cache_key)
        if hit is not None:
            _lru().move_to_end(cache_key)
        return hit


def _lru() -> OrderedDict[str, CachedFeed]:
    # One LRU per app, so apps (and test runs) never see each other's feeds.
    return current_app.extensions.setdefault("feeds_lru", OrderedDict())


def _remember(cache_key: str, feed: CachedFeed) -> CachedFeed:
    with _lock:
        lru = _lru()
        lru[cache_key] = feed
        lru.move_to_end(cache_key)
        while len(lru) > LRU_SIZE:
            lru.popitem(last=False)
    return feed


def etag_for(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:40]


def cached_feed(
    cache_key: str,
    content_type: str,
    render: Callable[[], bytes],
) -> CachedFeed:
    """The rendered feed for ``cache_key``, rendering and storing it on the first request."""
    hit = lookup(cache_key)
    if hit is not None:
        return hit
    row = db.session.scalar(select(RenderedFeed).where(RenderedFeed.cache_key == cache_key))
    if row is None:
        body = render()
        try:
            with db.session.begin_nested():
                row = RenderedFeed(
                    cache_key=cache_key, etag=etag_for(body), content_type=content_type, body=body
                )
                db.session.add(row)
        except IntegrityError:
            # Another request rendered the same version first; serve its row.
            row = db.session.scalar(select(RenderedFeed).where(RenderedFeed.cache_key == cache_key))
            if row is None:
                raise
    body = bytes(row.body)
    return _remember(cache_key, CachedFeed(row.etag, row.content_type, body, _gzipped(body)))


def _gzipped(body: bytes) -> bytes | None:
    return gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
