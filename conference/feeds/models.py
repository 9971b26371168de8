"""Secret feed tokens for personal calendars, the cache of rendered feeds, and the talks each
filtered feed has carried."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db


class FeedToken(db.Model):
    """An unguessable, revocable token in a personal feed URL."""

    __tablename__ = "feed_tokens"
    __table_args__ = (UniqueConstraint("conference_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RenderedFeed(db.Model):
    """A public feed or export rendered once for a published version.

    Personal feeds are not stored: they are assembled per request (`conference.feeds.personal`).
    """

    __tablename__ = "rendered_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # E.g. "c3:ics:conference:v7.41.f2" or "c3:ics:track:12:v7.41.f2".
    cache_key: Mapped[str] = mapped_column(String(250), unique=True)
    etag: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(80))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FeedMembership(db.Model):
    """A talk a hub's, track's, speaker's or starred feed has carried (`conference.feeds.membership`).

    Kept so the feed goes on sending the talk, as STATUS:CANCELLED, once it no longer matches
    (moved to another hub or track, speaker taken off it, unstarred): calendars keep whatever
    a feed stops mentioning. ``subject_id`` is the hub's, track's or user's id (0 for the online
    streams); one row per feed and talk, however often the talk leaves and comes back. A deleted
    track's or hub's rows stay under another kind (``removed-track``, ``removed-hub``), so its
    feed can go on cancelling what it sent.
    """

    __tablename__ = "feed_memberships"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_entries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    # Whether the feed last sent the talk as one of its own (else as cancelled).
    in_feed: Mapped[bool] = mapped_column(default=True)
    # Added to the entry's SEQUENCE in this feed: one more each time the talk left or came back.
    sequence_offset: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the feed last sent of the talk while carrying it (`membership.Snapshot`): the time,
    # zone, title, room, hub, track, abstract and speakers its cancelled copy shows. NULL for
    # rows written before it was kept, until the feed next sends the talk as its own.
    sent: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
