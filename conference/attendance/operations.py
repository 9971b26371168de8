"""Attendance registration: people say how they attend, organisers set the window and remove
registrations, seats go to waiting people as they free up. Operations flush; the request commits.

Seats are counted per hub and day (the hub's ``seat_limit``, None for no limit). Every change
that takes or frees a seat first locks the hub's row with a no-op UPDATE, then counts: on
PostgreSQL the row lock makes a second request for the same hub wait until the first commits
and then count again; on SQLite the UPDATE takes the database's single write lock before the
count is read. So of two people taking the last seat at once, one gets it and the other goes on
the waiting list. Locks are taken registration first, then hubs in the order of their ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from conference.accounts.models import User
from conference.attendance import queries
from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    AttendanceWindow,
    SeatStatus,
)
from conference.conferences.models import Conference, Hub
from conference.core.timezones import local_to_utc
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds.links import public_base_url
from conference.interest.operations import ensure_attendee
from conference.mail.operations import queue_email
from conference.mail.templates import DEFAULT_TEMPLATES, TemplateProblem, render_email, render_text

SEAT_KIND = "attendance_seat"
SEAT_KEY_PREFIX = "attendance-seat:"


class AttendanceProblem(Exception):
    """A registration change that cannot be made; the message is shown to the person."""


def current_instant() -> datetime:
    """Now, in UTC (tests replace ``utcnow`` here to stand at a chosen instant)."""
    return utcnow()


@dataclass(frozen=True)
class AttendanceChoice:
    """What the "How will you attend?" form says."""

    mode: AttendanceMode
    hub_id: int | None
    days: frozenset[date]
    dietary_needs: str = ""
    accessibility_needs: str = ""


@dataclass(frozen=True)
class LimitChange:
    """What a new seat limit did: people moved up from waiting lists, and the days that now
    have more people seated than the limit (nobody loses a seat they have)."""

    promoted: int
    days_over_limit: list[date]


# --- the window -----------------------------------------------------------------------------


def save_window(conference: Conference, opens_at: datetime, closes_at: datetime) -> AttendanceWindow:
    """Set when registration opens and closes; raises AttendanceProblem."""
    if closes_at <= opens_at:
        raise AttendanceProblem("Registration must close after it opens.")
    window = queries.attendance_window(conference)
    if window is None:
        try:
            with db.session.begin_nested():
                window = AttendanceWindow(conference_id=conference.id, opens_at=opens_at, closes_at=closes_at)
                db.session.add(window)
        except IntegrityError:
            # Another organiser saved the first window at the same moment: change that one.
            window = queries.attendance_window(conference)
            assert window is not None
    window.opens_at, window.closes_at = opens_at, closes_at
    db.session.flush()
    return window


def _require_open(conference: Conference, now: datetime) -> None:
    window = queries.attendance_window(conference)
    if window is None or now < window.opens_at:
        raise AttendanceProblem("Registration is not open yet, so nothing was changed.")
    if now >= window.closes_at:
        raise AttendanceProblem(
            "Registration has closed, so nothing was changed. Ask the organisers if your plans change."
        )


# --- locks and seats ------------------------------------------------------------------------


def _lock_hubs(hub_ids: Iterable[int | None]) -> None:
    """Lock each hub's row (see the module docstring), in the order of their ids."""
    for hub_id in sorted({hub_id for hub_id in hub_ids if hub_id is not None}):
        db.session.execute(
            update(Hub)
            .where(Hub.id == hub_id)
            .values(seat_limit=Hub.seat_limit)
            .execution_options(synchronize_session=False)
        )


def _registration_for_update(conference: Conference, user: User) -> AttendanceRegistration | None:
    return db.session.scalar(
        select(AttendanceRegistration)
        .where(AttendanceRegistration.conference_id == conference.id, AttendanceRegistration.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _day_rows(registration: AttendanceRegistration) -> list[AttendanceDay]:
    """The registration's days as the database has them now (another request may have seated one)."""
    return list(
        db.session.scalars(
            select(AttendanceDay)
            .where(AttendanceDay.registration_id == registration.id)
            .order_by(AttendanceDay.day)
            .execution_options(populate_existing=True)
        )
    )


def _seat_is_free(hub_id: int, day: date) -> bool:
    """Whether a new request for this hub day gets a seat: a place under the limit and nobody
    waiting ahead. Call with the hub locked."""
    limit = db.session.scalar(select(Hub.seat_limit).where(Hub.id == hub_id))
    if limit is None:
        return True
    seated, waiting = queries.seat_counts(hub_id, day)
    return seated < limit and waiting == 0


def _fill_free_seats(hub_id: int, day: date, now: datetime) -> list[AttendanceDay]:
    """Give free seats of a hub day to its waiting list, first come first served; returns the
    days that got a seat. Call with the hub locked.

    Only for a day still ahead where the hub is: a seat freed once the day has begun (someone
    leaving the company months later, a limit raised after the event) is nobody's to take.
    """
    hub_zone = db.session.scalar(select(Hub.time_zone).where(Hub.id == hub_id))
    if local_to_utc(day, time.min, hub_zone) <= now:
        return []
    limit = db.session.scalar(select(Hub.seat_limit).where(Hub.id == hub_id))
    seated, _ = queries.seat_counts(hub_id, day)
    promoted = []
    for waiting in queries.waiting_list(hub_id, day):
        if limit is not None and seated >= limit:
            break
        waiting.status = SeatStatus.REGISTERED
        waiting.seated_at = now
        seated += 1
        promoted.append(waiting)
    db.session.flush()
    return promoted


def _release(rows: Iterable[AttendanceDay], hub_id: int | None) -> list[tuple[int, date]]:
    """Delete day rows; returns the hub days whose seat this freed."""
    freed = []
    for row in rows:
        if row.status is SeatStatus.REGISTERED and hub_id is not None:
            freed.append((hub_id, row.day))
        db.session.delete(row)
    db.session.flush()
    return freed


def _fill_and_announce(conference: Conference, freed: Iterable[tuple[int, date]], now: datetime) -> int:
    promoted = []
    for hub_id, day in sorted(set(freed)):
        promoted += _fill_free_seats(hub_id, day, now)
    announce_seats(conference, promoted)
    return len(promoted)


# --- people ---------------------------------------------------------------------------------


def _check_choice(conference: Conference, choice: AttendanceChoice) -> Hub | None:
    if choice.mode is AttendanceMode.REMOTE:
        return None
    hub = db.session.scalar(
        select(Hub).where(Hub.id == choice.hub_id, Hub.conference_id == conference.id)
    ) if choice.hub_id is not None else None
    if hub is None:
        raise AttendanceProblem("Choose one of this conference's hubs.")
    if not choice.days:
        raise AttendanceProblem(f"Choose at least one day to attend in person at {hub.name}.")
    if not choice.days <= set(conference.days()):
        raise AttendanceProblem("Choose among the conference's days.")
    return hub


def save_attendance(
    conference: Conference, user: User, choice: AttendanceChoice, now: datetime | None = None
) -> AttendanceRegistration:
    """Register ``user`` or change their registration, while registration is open; raises
    AttendanceProblem. Days kept at the same hub keep their seat or place in the queue; a new
    day gets a seat if one is free, else joins the end of that day's waiting list; seats given
    up go to the waiting lists."""
    now = now or current_instant()
    _require_open(conference, now)
    hub = _check_choice(conference, choice)
    registration = _registration_for_update(conference, user)
    if registration is None:
        try:
            with db.session.begin_nested():
                registration = AttendanceRegistration(
                    conference_id=conference.id, user_id=user.id, mode=choice.mode, hub_id=None,
                    dietary_needs="", accessibility_needs="", created_at=now, updated_at=now,
                )
                db.session.add(registration)
        except IntegrityError:
            # A double submit registered first: change that registration instead.
            registration = _registration_for_update(conference, user)
            assert registration is not None
    old_hub_id = registration.hub_id
    new_hub_id = hub.id if hub is not None else None
    _lock_hubs([old_hub_id, new_hub_id])

    rows = _day_rows(registration)
    if old_hub_id != new_hub_id:
        gone, rows = rows, []
    else:
        gone = [row for row in rows if row.day not in choice.days]
        rows = [row for row in rows if row.day in choice.days]
    freed = _release(gone, old_hub_id)

    registration.mode = choice.mode
    registration.hub_id = new_hub_id
    registration.dietary_needs = choice.dietary_needs
    registration.accessibility_needs = choice.accessibility_needs
    registration.updated_at = now
    db.session.flush()

    if new_hub_id is not None:
        kept = {row.day for row in rows}
        for day in sorted(choice.days - kept):
            seated = _seat_is_free(new_hub_id, day)
            db.session.add(
                AttendanceDay(
                    registration_id=registration.id,
                    day=day,
                    status=SeatStatus.REGISTERED if seated else SeatStatus.WAITING,
                    requested_at=now,
                    seated_at=now if seated else None,
                )
            )
            db.session.flush()
    ensure_attendee(user, conference)
    _fill_and_announce(conference, freed, now)
    db.session.expire(registration, ["days"])
    return registration


def _delete_registration(registration: AttendanceRegistration, now: datetime) -> int:
    conference = registration.conference
    _lock_hubs([registration.hub_id])
    freed = _release(_day_rows(registration), registration.hub_id)
    db.session.delete(registration)
    db.session.flush()
    return _fill_and_announce(conference, freed, now)


def cancel_attendance(conference: Conference, user: User, now: datetime | None = None) -> None:
    """Withdraw ``user``'s registration while registration is open; raises AttendanceProblem."""
    now = now or current_instant()
    _require_open(conference, now)
    registration = _registration_for_update(conference, user)
    if registration is None:
        raise AttendanceProblem("You are not registered, so there is nothing to cancel.")
    _delete_registration(registration, now)


def remove_registration(registration: AttendanceRegistration, now: datetime | None = None) -> int:
    """An organiser removes someone's registration, whatever the window; returns how many
    waiting people got the seats it freed."""
    now = now or current_instant()
    locked = db.session.scalar(
        select(AttendanceRegistration)
        .where(AttendanceRegistration.id == registration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        return 0  # removed by someone else a moment ago
    return _delete_registration(locked, now)


def drop_days_outside(conference: Conference) -> int:
    """After the conference's dates changed: forget requested days it no longer has (seats and
    waiting places alike; nobody moves up into a day that is gone) and registrations left with
    no day. Returns how many people's registrations changed."""
    days = set(conference.days())
    registrations = db.session.scalars(
        select(AttendanceRegistration).where(
            AttendanceRegistration.conference_id == conference.id,
            AttendanceRegistration.mode == AttendanceMode.IN_PERSON,
        )
    ).all()
    changed = 0
    for registration in registrations:
        gone = [row for row in registration.days if row.day not in days]
        if not gone:
            continue
        changed += 1
        _lock_hubs([registration.hub_id])
        for row in gone:
            db.session.delete(row)
        if len(gone) == len(registration.days):
            db.session.delete(registration)
    db.session.flush()
    return changed


# --- hubs -----------------------------------------------------------------------------------


def change_seat_limit(hub: Hub, seat_limit: int | None, now: datetime | None = None) -> LimitChange:
    """Set a hub's seats per day (None: no limit) and give any seats this frees to the waiting
    lists. Lowering the limit takes no seat from anyone."""
    now = now or current_instant()
    # The UPDATE that sets the limit is also the hub's lock.
    db.session.execute(
        update(Hub)
        .where(Hub.id == hub.id)
        .values(seat_limit=seat_limit)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(hub, "seat_limit", seat_limit)
    freed = [(hub.id, day) for day in queries.waiting_days(hub.id)]
    promoted = _fill_and_announce(hub.conference, freed, now)
    over = []
    if seat_limit is not None:
        over = [day for day, seated in queries.seated_per_day(hub.id).items() if seated > seat_limit]
    return LimitChange(promoted=promoted, days_over_limit=sorted(over))


# --- e-mail ---------------------------------------------------------------------------------


def registration_link(conference: Conference) -> str:
    """Absolute link to the person's "How will you attend?" page."""
    adapter = current_app.url_map.bind("localhost")
    return public_base_url() + adapter.build("attendance.mine", {"slug": conference.slug})


def _seat_text(conference: Conference, context: dict) -> tuple[str, str]:
    try:
        return render_email(conference.id, SEAT_KIND, context)
    except TemplateProblem:
        # The organisers' wording does not render: people still hear they have a seat, and the
        # e-mail templates page shows the problem when organisers open it.
        current_app.logger.warning("Attendance seat template of %s does not render", conference.slug)
        default = DEFAULT_TEMPLATES[SEAT_KIND]
        return render_text(default.subject, default.body, context)


def announce_seats(conference: Conference, promoted: Iterable[AttendanceDay]) -> None:
    """Queue one e-mail per person who moved up from a waiting list, naming the days; each
    day's seat is announced once (the outbox key names the day rows)."""
    by_registration: dict[int, list[AttendanceDay]] = defaultdict(list)
    for row in promoted:
        by_registration[row.registration_id].append(row)
    for rows in by_registration.values():
        registration = rows[0].registration
        hub = registration.hub
        user = registration.user
        context = {
            "attendee": user.display_name,
            "conference": conference.name,
            "hub": hub.name,
            "days": queries.days_text(sorted(row.day for row in rows)),
            "time_zone": hub.time_zone,
            "link": registration_link(conference),
        }
        subject, body = _seat_text(conference, context)
        # Day rows and the instant they were seated: a row id SQLite hands out again after a
        # deletion never matches an earlier announcement.
        key = SEAT_KEY_PREFIX + ",".join(
            f"{row.id}@{row.seated_at.isoformat()}" for row in sorted(rows, key=lambda row: row.id)
        )
        queue_email(user.email, subject, body, key, conference_id=conference.id)
