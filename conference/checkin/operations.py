"""Checking people in at a hub's desk and undoing it. Operations flush; the request commits.

Two desks checking the same person in at once: the unique (hub, day, person) row lets one
insert win; the other's insert fails (on PostgreSQL it waits for the first to commit) and it
reports who was first. Seating someone anyway is attendance's own seat
(``conference.attendance.operations.seat_at_desk``: the hub's lock, the seat limit, the waiting
list); the check-in only records that the desk gave it, and undoing the check-in gives the seat
back through attendance too. Seat and check-in are made in one savepoint, so a check-in that
fails leaves no seat behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.accounts.models import User
from conference.attendance import operations as attendance
from conference.attendance.models import SeatStatus
from conference.attendance.queries import day_text
from conference.checkin import queries
from conference.checkin.models import CheckIn
from conference.conferences.models import Hub
from conference.core.timezones import instant_text
from conference.core.types import utcnow
from conference.extensions import db


class CheckInProblem(Exception):
    """A check-in or undo that cannot be made; the message is shown at the desk."""


def current_instant() -> datetime:
    """Now, in UTC (tests replace ``utcnow`` here to stand at a chosen instant)."""
    return utcnow()


def check_in_time_text(check_in: CheckIn, hub: Hub) -> str:
    """When ``check_in`` happened, as clocks at the hub showed it, zone named."""
    return f"{instant_text(check_in.checked_in_at, hub.time_zone, '%H:%M')} {hub.time_zone}"


def _already(check_in: CheckIn, hub: Hub, name: str) -> CheckInProblem:
    return CheckInProblem(
        f"{name} was already checked in at {check_in_time_text(check_in, hub)} "
        f"by {check_in.checked_in_by_name}; nothing changed."
    )


def _no_seat_text(registration, day: date) -> str:
    """Why someone has no seat on ``day``, as the desk tells it."""
    rows = {row.day: row for row in registration.days}
    if day in rows and rows[day].status is SeatStatus.WAITING:
        return "is on the waiting list for this day"
    seated = [row.day for row in registration.days if row.status is SeatStatus.REGISTERED]
    if seated:
        return "has a seat on " + ", ".join(day_text(other) for other in seated) + " only"
    return "has no seat on any day"


def _require_day_begun(hub: Hub, day: date, now: datetime) -> None:
    today = queries.hub_today(hub, now)
    if day > today:
        raise CheckInProblem(
            f"It is still {day_text(today)} at {hub.name} ({hub.time_zone}): people can be "
            f"checked in for {day_text(day)} from that day on. Nothing changed."
        )


def check_in(
    hub: Hub, day: date, user_id: int, by: User, seat_anyway: bool = False, now: datetime | None = None
) -> CheckIn:
    """Check the person ``user_id`` in at ``hub`` on its date ``day``; raises CheckInProblem.

    They must be registered to attend in person at the hub. Without a seat that day they are
    checked in only with ``seat_anyway``, and only while the hub day has a free seat: attendance
    then seats them (``seat_at_desk``) and the check-in records that the desk did.
    """
    now = now or current_instant()
    _require_day_begun(hub, day, now)
    registration = queries.in_person_registration(hub, user_id)
    if registration is None:
        raise CheckInProblem(f"That person is not registered to attend in person at {hub.name}; nothing changed.")
    name = registration.user.display_name
    existing = queries.check_in_of(hub.id, day, user_id)
    if existing is not None:
        raise _already(existing, hub, name)
    seated = any(row.day == day and row.status is SeatStatus.REGISTERED for row in registration.days)
    if not seated and not seat_anyway:
        raise CheckInProblem(
            f"{name} {_no_seat_text(registration, day)} at {hub.name}, so they were not checked in. "
            "Use “Seat anyway and check in” to give them a seat."
        )
    try:
        # One savepoint for the seat and the check-in: either both are made or neither.
        with db.session.begin_nested():
            seated_at_desk = False
            if not seated:
                seated_at_desk = attendance.seat_at_desk(hub, day, registration.user, now).seated_now
            check_in = CheckIn(
                hub_id=hub.id, day=day, user_id=user_id, seated_at_desk=seated_at_desk,
                checked_in_at=now, checked_in_by_id=by.id,
            )
            db.session.add(check_in)
    except attendance.HubDayFull as full:
        raise CheckInProblem(
            f"{hub.name} is full on {day_text(day)}: {full.taken_text}, so {name} "
            "cannot be seated anyway and was not checked in."
        ) from None
    except attendance.AttendanceProblem as problem:
        # Their registration changed a moment ago (cancelled, or moved to another hub).
        raise CheckInProblem(f"{problem} {name} was not checked in.") from None
    except IntegrityError:
        # Another desk checked them in a moment ago.
        first = queries.check_in_of(hub.id, day, user_id)
        if first is None:  # their account or the hub went at the same moment
            raise CheckInProblem(f"{name} could not be checked in; reload the page and try again.") from None
        raise _already(first, hub, name) from None
    return check_in


def lock_hub_and_count_check_ins(hub: Hub) -> int:
    """How many check-ins ``hub`` has, counted with its row locked for its deletion: a hub's
    check-ins go with it, so organisers are stopped first. On PostgreSQL a check-in being
    made now holds a key lock on the hub, so this waits for it and counts it; a later one
    waits for the deletion and then fails."""
    db.session.scalar(select(Hub.id).where(Hub.id == hub.id).with_for_update())
    return queries.check_in_count(hub)


@dataclass(frozen=True)
class UndoneCheckIn:
    """A check-in taken back and, when the desk had seated them, what giving the seat back did."""

    check_in: CheckIn
    seat: attendance.DeskSeatReturn | None


def undo_check_in(hub: Hub, day: date, user_id: int, now: datetime | None = None) -> UndoneCheckIn:
    """Take back a check-in (a wrong click, someone who left); a seat the desk gave goes back
    through attendance. Raises CheckInProblem when there is no check-in."""
    now = now or current_instant()
    row = db.session.scalar(
        select(CheckIn)
        .where(CheckIn.hub_id == hub.id, CheckIn.day == day, CheckIn.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        who = queries.name_at_hub(hub, user_id) or "That person"
        raise CheckInProblem(f"{who} is not checked in at {hub.name} on {day_text(day)}; nothing changed.")
    seat = None
    if row.seated_at_desk:
        # Before the check-in row goes: attendance locks the registration and the hub first, as a
        # desk seating this person again does, so the two cannot wait for each other.
        seat = attendance.give_back_desk_seat(hub, day, row.user, row.checked_in_at, now)
    db.session.delete(row)
    db.session.flush()
    return UndoneCheckIn(row, seat)
