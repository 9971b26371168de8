"""A conference and the places, tracks and formats it is built from."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    REVIEWER = "reviewer"
    SPEAKER = "speaker"
    ATTENDEE = "attendee"

    @property
    def label(self) -> str:
        return self.value.capitalize()


DEFAULT_SETTINGS: dict[str, Any] = {
    "anonymised_review": True,
    "reviewers_per_proposal": 3,
}


class Conference(db.Model):
    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    time_zone: Mapped[str] = mapped_column(String(64))
    cfp_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cfp_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: dict(DEFAULT_SETTINGS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Raised by every edit that published feeds show (conference.feeds.revisions); in cache keys.
    feed_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    hubs: Mapped[list[Hub]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Hub.name"
    )
    rooms: Mapped[list[Room]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Room.name"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Track.name"
    )
    session_formats: Mapped[list[SessionFormat]] = relationship(
        back_populates="conference",
        cascade="all, delete-orphan",
        order_by="SessionFormat.duration_minutes",
    )
    roles: Mapped[list[ConferenceRole]] = relationship(
        back_populates="conference", cascade="all, delete-orphan"
    )

    def setting(self, key: str) -> Any:
        return (self.settings or {}).get(key, DEFAULT_SETTINGS.get(key))

    def days(self) -> list[date]:
        from datetime import timedelta

        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + timedelta(days=offset) for offset in range(count)]

    def cfp_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.cfp_opens_at is None or self.cfp_closes_at is None:
            return False
        return self.cfp_opens_at <= now < self.cfp_closes_at

    def review_is_open(self, now: datetime | None = None) -> bool:
        """Reviews may be written and edited until the review phase closes (if it ever does)."""
        return self.review_closes_at is None or (now or utcnow()) < self.review_closes_at

    def __repr__(self) -> str:
        return f"<Conference {self.slug}>"


class ConferenceRole(db.Model):
    """One person's role at one conference; a person may hold several roles."""

    __tablename__ = "conference_roles"
    __table_args__ = (UniqueConstraint("conference_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship(back_populates="roles")
    user: Mapped[User] = relationship(back_populates="roles")


class Hub(db.Model):
    """An office where people attend in rooms, with its own time zone and working hours."""

    __tablename__ = "hubs"
    # AUTOINCREMENT: SQLite would give a deleted hub's id, and so its feed URL, to the next one.
    __table_args__ = (UniqueConstraint("conference_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64))
    working_day_starts: Mapped[time] = mapped_column(default=time(9, 0))
    working_day_ends: Mapped[time] = mapped_column(default=time(17, 30))
    # People who may attend in person on each conference day; None for no limit
    # (conference.attendance keeps the waiting lists).
    seat_limit: Mapped[int | None] = mapped_column()

    conference: Mapped[Conference] = relationship(back_populates="hubs")
    rooms: Mapped[list[Room]] = relationship(back_populates="hub", order_by="Room.name")

    def __repr__(self) -> str:
        return f"<Hub {self.name}>"


class Room(db.Model):
    """A room at a hub, or an online-only stream when it has no hub."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    has_streaming: Mapped[bool] = mapped_column(default=False)
    has_recording: Mapped[bool] = mapped_column(default=False)

    conference: Mapped[Conference] = relationship(back_populates="rooms")
    hub: Mapped[Hub | None] = relationship(back_populates="rooms")

    @property
    def is_online(self) -> bool:
        return self.hub_id is None

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class Track(db.Model):
    __tablename__ = "tracks"
    # AUTOINCREMENT: SQLite would give a deleted track's id, and so its feed URL, to the next one.
    __table_args__ = (UniqueConstraint("conference_id", "name"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7), default="#4a6fa5")
    # Not offered on the ordinary proposal form; only with an access code that grants it.
    requires_access_code: Mapped[bool] = mapped_column(default=False, server_default=false())

    conference: Mapped[Conference] = relationship(back_populates="tracks")

    def __repr__(self) -> str:
        return f"<Track {self.name}>"


class SessionFormat(db.Model):
    """A kind of session with a fixed length, e.g. lightning talk (10 min)."""

    __tablename__ = "session_formats"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int]
    # Not offered on the ordinary proposal form; only with an access code that grants it.
    requires_access_code: Mapped[bool] = mapped_column(default=False, server_default=false())

    conference: Mapped[Conference] = relationship(back_populates="session_formats")

    def __repr__(self) -> str:
        return f"<SessionFormat {self.name} {self.duration_minutes}min>"
