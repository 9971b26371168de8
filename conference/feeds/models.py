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
    """A feed or export rendered once for a published version (or starring state)."""

    __tablename__ = "rendered_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # E.g. "ics:conference:3:v7" or "ics:personal:3:user:12:v7:stars:5c1e...".
    cache_key: Mapped[str] = mapped_column(String(250), unique=True)
    etag: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(80))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
