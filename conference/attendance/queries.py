"""What the attendance pages read: the window, a person's registration and places in queues,
and the counts and lists organisers and facilities plan with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    AttendanceWindow,
    SeatStatus,
)
from conference.conferences.models import Conference, Hub
from conference.core.timezones import local_to_utc
from conference.extensions import db

DAY_PATTERN = "%a %d %b %Y"


def day_text(day: date) -> str:
    """``Tue 24 Mar 2027``."""
    return day.strftime(DAY_PATTERN)


def days_text(days: Iterable[date]) -> str:
    """``Tue 24 Mar 2027, Wed 25 Mar 2027``."""
    return ", ".join(day_text(day) for day in days)


def short_days_text(days: Iterable[date]) -> str:
    """``Tue, Wed``: weekdays only, for a conference's few days."""
    return ", ".join(day.strftime("%a") for day in days)


def hub_day_starts_at(hub: Hub, day: date) -> datetime:
    """The instant a hub's working day starts on its local date ``day``."""
    return local_to_utc(day, hub.working_day_starts, hub.time_zone)


def hub_day_has_begun(hub_zone: str, day: date, now: datetime) -> bool:
    """Whether the hub's date ``day`` has begun there (from its midnight) at the instant ``now``."""
    return local_to_utc(day, time.min, hub_zone) <= now


# --- the window -----------------------------------------------------------------------------


def attendance_window(conference: Conference) -> AttendanceWindow | None:
    return db.session.get(AttendanceWindow, conference.id)


def window_state(window: AttendanceWindow | None, now: datetime) -> str:
    """``"unset"``, ``"not_yet"``, ``"open"`` or ``"closed"``."""
    if window is None:
        return "unset"
    if now < window.opens_at:
        return "not_yet"
    return "open" if now < window.closes_at else "closed"


# --- seats of a hub day ---------------------------------------------------------------------


def _at_hub_day(hub_id: int, day: date):
    return and_(AttendanceRegistration.hub_id == hub_id, AttendanceDay.day == day)


def seat_counts(hub_id: int, day: date) -> tuple[int, int]:
    """(people seated, people waiting) at a hub on a day."""
    rows = db.session.execute(
        select(AttendanceDay.status, func.count(AttendanceDay.id))
        .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
        .where(_at_hub_day(hub_id, day))
        .group_by(AttendanceDay.status)
    )
    counts = dict(rows.all())
    return counts.get(SeatStatus.REGISTERED, 0), counts.get(SeatStatus.WAITING, 0)


def seated_user_ids(hub_id: int, day: date):
    """A subquery: the people with a seat at a hub on a day (given by registration, by moving up
    from the waiting list or at the hub's desk: each is a seated day row)."""
    return (
        select(AttendanceRegistration.user_id)
        .join(AttendanceDay, AttendanceDay.registration_id == AttendanceRegistration.id)
        .where(_at_hub_day(hub_id, day), AttendanceDay.status == SeatStatus.REGISTERED)
    )


def waiting_list(hub_id: int, day: date) -> list[AttendanceDay]:
    """A hub day's waiting list, first in line first, as the database has it now."""
    return list(
        db.session.scalars(
            select(AttendanceDay)
            .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
            .where(_at_hub_day(hub_id, day), AttendanceDay.status == SeatStatus.WAITING)
            .order_by(AttendanceDay.requested_at, AttendanceDay.id)
            .execution_options(populate_existing=True)
        )
    )


def waiting_days(hub_id: int) -> list[date]:
    """The days of a hub with anyone waiting."""
    return list(
        db.session.scalars(
            select(AttendanceDay.day)
            .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
            .where(AttendanceRegistration.hub_id == hub_id, AttendanceDay.status == SeatStatus.WAITING)
            .distinct()
            .order_by(AttendanceDay.day)
        )
    )


def seated_per_day(hub_id: int) -> dict[date, int]:
    """People seated at a hub on each day that has any."""
    rows = db.session.execute(
        select(AttendanceDay.day, func.count(AttendanceDay.id))
        .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
        .where(AttendanceRegistration.hub_id == hub_id, AttendanceDay.status == SeatStatus.REGISTERED)
        .group_by(AttendanceDay.day)
    )
    return dict(rows.all())


def waiting_position(row: AttendanceDay) -> int:
    """1 for the first in line of its hub day's waiting list."""
    ahead = db.session.scalar(
        select(func.count(AttendanceDay.id))
        .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
        .where(
            _at_hub_day(row.registration.hub_id, row.day),
            AttendanceDay.status == SeatStatus.WAITING,
            or_(
                AttendanceDay.requested_at < row.requested_at,
                and_(AttendanceDay.requested_at == row.requested_at, AttendanceDay.id < row.id),
            ),
        )
    )
    return (ahead or 0) + 1


def registrations_at_hub(hub: Hub) -> int:
    """How many people registered to attend in person at ``hub``."""
    return db.session.scalar(
        select(func.count(AttendanceRegistration.id)).where(AttendanceRegistration.hub_id == hub.id)
    ) or 0


# --- one person -----------------------------------------------------------------------------


def registration_of(conference: Conference, user: User) -> AttendanceRegistration | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(AttendanceRegistration)
        .where(AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.user_id == user.id)
        .options(selectinload(AttendanceRegistration.days), selectinload(AttendanceRegistration.hub))
    )


def is_registered(conference: Conference, user: User) -> bool:
    """Whether ``user`` has a registration for ``conference``, in person or remote."""
    return db.session.scalar(
        select(AttendanceRegistration.id).where(
            AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.user_id == user.id
        )
    ) is not None


@dataclass(frozen=True)
class DayState:
    day: date
    seated: bool
    position: int | None  # in the waiting list, when not seated


def day_states(registration: AttendanceRegistration) -> list[DayState]:
    """Each requested day of an in-person registration: seated, or where in the queue."""
    return [
        DayState(row.day, row.status is SeatStatus.REGISTERED,
                 None if row.status is SeatStatus.REGISTERED else waiting_position(row))
        for row in registration.days
    ]


# --- what organisers and facilities read ----------------------------------------------------


@dataclass(frozen=True)
class HubDayCount:
    seated: int = 0
    waiting: int = 0


def hub_day_counts(conference: Conference) -> dict[tuple[int, date], HubDayCount]:
    """(hub id, day) -> people seated and waiting, in one query."""
    rows = db.session.execute(
        select(AttendanceRegistration.hub_id, AttendanceDay.day, AttendanceDay.status, func.count(AttendanceDay.id))
        .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
        .where(AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.hub_id.is_not(None))
        .group_by(AttendanceRegistration.hub_id, AttendanceDay.day, AttendanceDay.status)
    )
    counts: dict[tuple[int, date], dict[SeatStatus, int]] = {}
    for hub_id, day, status, count in rows:
        counts.setdefault((hub_id, day), {})[status] = count
    return {
        key: HubDayCount(by_status.get(SeatStatus.REGISTERED, 0), by_status.get(SeatStatus.WAITING, 0))
        for key, by_status in counts.items()
    }


def in_person_per_day(counts: dict[tuple[int, date], HubDayCount]) -> dict[date, HubDayCount]:
    """Day -> people seated and waiting at all hubs together, from ``hub_day_counts``."""
    totals: dict[date, HubDayCount] = {}
    for (_, day), count in counts.items():
        total = totals.get(day, HubDayCount())
        totals[day] = HubDayCount(total.seated + count.seated, total.waiting + count.waiting)
    return totals


def _remote(conference: Conference):
    return and_(
        AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.mode == AttendanceMode.REMOTE
    )


def remote_day_counts(conference: Conference) -> dict[date, int]:
    """Day (a conference date) -> people following remotely, in one query."""
    rows = db.session.execute(
        select(AttendanceDay.day, func.count(AttendanceDay.id))
        .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
        .where(_remote(conference))
        .group_by(AttendanceDay.day)
    )
    return dict(rows.all())


def remote_without_days(conference: Conference) -> int:
    """People who registered remotely before remote days could be chosen and have not chosen any."""
    return db.session.scalar(
        select(func.count(AttendanceRegistration.id)).where(
            _remote(conference),
            ~select(AttendanceDay.id).where(AttendanceDay.registration_id == AttendanceRegistration.id).exists(),
        )
    ) or 0


def registration_count(conference: Conference) -> int:
    """How many people registered, in person or remotely."""
    return db.session.scalar(
        select(func.count(AttendanceRegistration.id)).where(AttendanceRegistration.conference_id == conference.id)
    ) or 0


def remote_count(conference: Conference) -> int:
    return db.session.scalar(
        select(func.count(AttendanceRegistration.id)).where(
            AttendanceRegistration.conference_id == conference.id,
            AttendanceRegistration.mode == AttendanceMode.REMOTE,
        )
    ) or 0


def _registrations(conference: Conference):
    return (
        select(AttendanceRegistration)
        .join(User, User.id == AttendanceRegistration.user_id)
        .where(AttendanceRegistration.conference_id == conference.id)
        .options(
            selectinload(AttendanceRegistration.user),
            selectinload(AttendanceRegistration.hub),
            selectinload(AttendanceRegistration.days),
        )
        .order_by(func.lower(User.display_name), User.id)
    )


def people_on(hub: Hub, day: date) -> tuple[list[AttendanceDay], list[AttendanceDay]]:
    """(seated, waiting in queue order) at a hub on a day, with each person loaded."""
    rows = list(
        db.session.scalars(
            select(AttendanceDay)
            .join(AttendanceRegistration, AttendanceRegistration.id == AttendanceDay.registration_id)
            .where(_at_hub_day(hub.id, day))
            .options(selectinload(AttendanceDay.registration).selectinload(AttendanceRegistration.user))
            .order_by(AttendanceDay.requested_at, AttendanceDay.id)
        )
    )
    seated = sorted(
        (row for row in rows if row.status is SeatStatus.REGISTERED),
        key=lambda row: (row.registration.user.display_name.casefold(), row.registration.user_id),
    )
    return seated, [row for row in rows if row.status is SeatStatus.WAITING]


def remote_registrations(conference: Conference) -> list[AttendanceRegistration]:
    return list(
        db.session.scalars(
            _registrations(conference).where(AttendanceRegistration.mode == AttendanceMode.REMOTE)
        )
    )


def all_registrations(conference: Conference) -> list[AttendanceRegistration]:
    """Every registration, by name, with person, hub and days loaded (for the export)."""
    return list(db.session.scalars(_registrations(conference)))
