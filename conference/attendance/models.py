"""Attendance registration: how each person attends a conference, in person at a hub on chosen
days or remotely, and the seats and waiting lists of each hub's days."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db

if TYPE_CHECKING:
    from conference.accounts.models import User
    from conference.conferences.models import Conference, Hub

NEEDS_MAX = 1000  # characters of dietary or accessibility needs


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"


class SeatStatus(enum.StrEnum):
    """A requested hub day either has a seat or waits for one; a remote day is always registered."""

    REGISTERED = "registered"
    WAITING = "waiting"


class AttendanceWindow(db.Model):
    """When people may register, change or cancel how they attend (set by organisers)."""

    __tablename__ = "attendance_windows"

    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class AttendanceRegistration(db.Model):
    """One person's answer to "How will you attend?" for one conference."""

    __tablename__ = "attendance_registrations"
    __table_args__ = (UniqueConstraint("conference_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[AttendanceMode] = mapped_column(_enum(AttendanceMode))
    # Set exactly when in person. No ON DELETE rule: a hub people registered at cannot be
    # deleted until organisers remove them (the hub's delete button says so).
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id"), index=True)
    # Visible to the person and the organisers only.
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conference: Mapped[Conference] = relationship()
    user: Mapped[User] = relationship()
    hub: Mapped[Hub | None] = relationship()
    days: Mapped[list[AttendanceDay]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="AttendanceDay.day"
    )

    @property
    def is_in_person(self) -> bool:
        return self.mode is AttendanceMode.IN_PERSON

    def __repr__(self) -> str:
        return f"<AttendanceRegistration {self.id} {self.mode.value}>"


class AttendanceDay(db.Model):
    """A day someone asked to attend at their hub, with a seat or waiting for one; or, for a
    remote registration, a day they follow online (always registered, no seat, no ``seated_at``).

    At a hub ``day`` is a date in the hub's own calendar: the conference's day of that date, which
    the hub spends in its working hours in its own zone (as the schedule's grid lays it out).
    Remotely it is the conference's date in the conference's zone.
    The waiting list of a hub day is its waiting rows in the order of ``requested_at``.
    A seat the hub's check-in desk gives on the day is a seated row like any other: a waiting
    row keeps its ``requested_at``; a day the person had not asked for is requested and seated
    at the same instant.
    """

    __tablename__ = "attendance_days"
    __table_args__ = (
        UniqueConstraint("registration_id", "day"),
        Index("ix_attendance_days_day_status", "day", "status"),
        # Ids never come back on SQLite: the seat e-mail's key names the day rows it announces.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("attendance_registrations.id", ondelete="CASCADE")
    )
    day: Mapped[date]
    status: Mapped[SeatStatus] = mapped_column(_enum(SeatStatus))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[AttendanceRegistration] = relationship(back_populates="days")

    def __repr__(self) -> str:
        return f"<AttendanceDay {self.day} {self.status.value}>"
