"""Secret feed tokens for personal calendars, and the cache of rendered feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
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
