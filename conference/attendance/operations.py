"""Attendance registration: people say how they attend, organisers set or remove the window and
remove registrations, seats go to waiting people as they free up. Operations flush; the request
commits.

People attending remotely choose days too (the conference's dates): those days take no seat and
have no waiting list, so only hub days below lock and count.

Seats are counted per hub and day (the hub's ``seat_limit``, None for no limit). Every change
that takes or frees a seat first locks the hub's row with a no-op UPDATE, then counts: on
PostgreSQL the row lock makes a second request for the same hub wait until the first commits
and then count again; on SQLite the UPDATE takes the database's single write lock before the
count is read. So of two people taking the last seat at once, one gets it and the other goes on
the waiting list. Locks are taken registration first (several in the order of their ids), then
hubs in the order of their ids, and a registration's days are read only with it locked.

Before all of these, a person's save reads the conference's dates again under a share lock of
its row: new dates are saved with that row locked for update (conference settings), so a save
racing a date change waits for it and checks its days against the dates that stand, and the
change's ``drop_days_outside`` never misses a day added meanwhile.

On a conference day a hub's check-in desk may seat someone registered there who has no seat
that day (``seat_at_desk``): the same locks and count, so a desk and an online registration
taking the last seat at once also end with one seat. The desk can give such a seat back
(``give_back_desk_seat``), and the waiting list then moves up by the usual rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from conference.accounts.models import User
from conference.attendance import queries
from conference.attendance.date_change import DateChangeNotice, DroppedDay, date_change_email
from conference.attendance.models import (
    AttendanceDay,
    AttendanceMode,
    AttendanceRegistration,
    AttendanceWindow,
    SeatStatus,
)
from conference.conferences.models import Conference, Hub
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds.links import public_base_url
from conference.interest.operations import ensure_attendee
from conference.mail.operations import queue_email
from conference.mail.templates import DEFAULT_TEMPLATES, TemplateProblem, render_email, render_text

SEAT_KIND = "attendance_seat"
SEAT_KEY_PREFIX = "attendance-seat:"
DATE_CHANGE_KEY_PREFIX = "attendance-dates:"


class AttendanceProblem(Exception):
    """A registration change that cannot be made; the message is shown to the person."""


class HubDayFull(AttendanceProblem):
    """Every seat of a hub day is taken, so the desk cannot seat anyone more."""

    def __init__(self, hub: Hub, day: date, seat_limit: int) -> None:
        self.seat_limit = seat_limit
        self.taken_text = "its one seat is taken" if seat_limit == 1 else f"all {seat_limit} seats are taken"
        super().__init__(f"{hub.name} is full on {queries.day_text(day)}: {self.taken_text}.")


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


def remove_window(conference: Conference) -> bool:
    """Remove the registration window, which closes registration until a new one is set;
    registrations stay as they are. False when there was none (removed a moment ago)."""
    # A DELETE statement rather than session.delete(): the feeds' before-flush hook reads the
    # ``id`` of every deleted object, and a window has none (the conference is its key).
    result = db.session.execute(delete(AttendanceWindow).where(AttendanceWindow.conference_id == conference.id))
    return result.rowcount > 0


CLOSED_TEXT = "Registration has closed, so nothing was changed. Ask the organisers if your plans change."


def _require_open(conference: Conference, user: User, now: datetime) -> None:
    window = queries.attendance_window(conference)
    if window is None:
        # No window: closed for someone already registered (the organisers removed it, as their
        # pages say), not open yet for anyone else.
        if queries.is_registered(conference, user):
            raise AttendanceProblem(CLOSED_TEXT)
        raise AttendanceProblem("Registration is not open yet, so nothing was changed.")
    if now < window.opens_at:
        raise AttendanceProblem("Registration is not open yet, so nothing was changed.")
    if now >= window.closes_at:
        raise AttendanceProblem(CLOSED_TEXT)


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


def _read_dates_locked(conference: Conference) -> None:
    """The conference's dates as they stand, its row share-locked (see the module docstring)."""
    db.session.refresh(conference, attribute_names=["starts_on", "ends_on"], with_for_update={"read": True})


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
    if queries.hub_day_has_begun(hub_zone, day, now):
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
    if not choice.days <= set(conference.days()):
        raise AttendanceProblem("Choose among the conference's days.")
    if choice.mode is AttendanceMode.REMOTE:
        if not choice.days:
            raise AttendanceProblem("Choose at least one day you will follow remotely.")
        return None
    hub = db.session.scalar(
        select(Hub).where(Hub.id == choice.hub_id, Hub.conference_id == conference.id)
    ) if choice.hub_id is not None else None
    if hub is None:
        raise AttendanceProblem("Choose one of this conference's hubs.")
    if not choice.days:
        raise AttendanceProblem(f"Choose at least one day to attend in person at {hub.name}.")
    return hub


def save_attendance(
    conference: Conference, user: User, choice: AttendanceChoice, now: datetime | None = None
) -> AttendanceRegistration:
    """Register ``user`` or change their registration, while registration is open; raises
    AttendanceProblem. Days kept at the same hub keep their seat or place in the queue; a new
    day gets a seat if one is free, else joins the end of that day's waiting list; seats given
    up go to the waiting lists. A remote day is simply registered: it takes no seat."""
    now = now or current_instant()
    _read_dates_locked(conference)
    _require_open(conference, user, now)
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
    # In person and remote never share a hub id (remote has none), so this also catches a mode change.
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

    kept = {row.day for row in rows}
    for day in sorted(choice.days - kept):
        if new_hub_id is None:
            status, seated_at = SeatStatus.REGISTERED, None  # following online takes no seat
        else:
            seated = _seat_is_free(new_hub_id, day)
            status = SeatStatus.REGISTERED if seated else SeatStatus.WAITING
            seated_at = now if seated else None
        db.session.add(
            AttendanceDay(
                registration_id=registration.id, day=day, status=status, requested_at=now, seated_at=seated_at,
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
    _require_open(conference, user, now)
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


def _lock_registrations_of(conference: Conference) -> list[AttendanceRegistration]:
    """Every registration of ``conference`` locked, in the order of their ids (so two organisers
    saving dates at once take them in the same order), as the database has them now."""
    return list(
        db.session.scalars(
            select(AttendanceRegistration)
            .where(AttendanceRegistration.conference_id == conference.id)
            .options(selectinload(AttendanceRegistration.user), selectinload(AttendanceRegistration.hub))
            .order_by(AttendanceRegistration.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _days_of(registration_ids: list[int]) -> dict[int, list[AttendanceDay]]:
    """Registration id -> its day rows as the database has them now (a seat given a moment ago too)."""
    days: dict[int, list[AttendanceDay]] = defaultdict(list)
    if registration_ids:
        for row in db.session.scalars(
            select(AttendanceDay)
            .where(AttendanceDay.registration_id.in_(registration_ids))
            .order_by(AttendanceDay.day)
            .execution_options(populate_existing=True)
        ):
            days[row.registration_id].append(row)
    return days


def drop_days_outside(conference: Conference, now: datetime | None = None) -> int:
    """After the conference's dates changed: forget requested days it no longer has (seats,
    waiting places and remote days alike; nobody moves up into a day that is gone) and
    registrations left with no day, and queue one e-mail to each person this changed. Returns
    how many people that is (all of them are e-mailed)."""
    now = now or current_instant()
    days = set(conference.days())
    # Registrations first, then hubs, as save_attendance locks them: someone changing their days
    # at this moment either commits first and their new days are read below, or waits for the
    # new dates and then finds their registration as this leaves it. Read unlocked, a day
    # added a moment ago would go with a registration thought to have no day left.
    registrations = _lock_registrations_of(conference)
    by_id = {registration.id: registration for registration in registrations}
    rows_of = _days_of(list(by_id))
    outside = [
        registration_id for registration_id in by_id if any(row.day not in days for row in rows_of[registration_id])
    ]
    _lock_hubs(by_id[registration_id].hub_id for registration_id in outside)
    # Read again under the hubs' locks: whether a day is seated or waiting (for the e-mail) may
    # have changed as others' seats went to the waiting lists; which days there are cannot.
    rows_of = _days_of(outside)
    notices = []
    for registration_id in outside:
        registration, rows = by_id[registration_id], rows_of[registration_id]
        gone = [row for row in rows if row.day not in days]
        # Read everything the e-mail says before the rows (and maybe the registration) go.
        notices.append((registration.user, min(row.id for row in gone), _date_change_notice(registration, rows, gone)))
        for row in gone:
            db.session.delete(row)
        db.session.flush()
        db.session.expire(registration, ["days"])
        if len(gone) == len(rows):
            db.session.delete(registration)
    db.session.flush()
    window = queries.attendance_window(conference)
    link = registration_link(conference) if notices else ""
    for user, first_row_id, notice in notices:
        subject, body = date_change_email(conference, notice, window, now, link)
        # A day row is dropped only once and its id never comes back, so the first dropped row
        # names this change for this person (and keeps the key short however many days went).
        key = f"{DATE_CHANGE_KEY_PREFIX}{user.id}:{first_row_id}"
        queue_email(user.email, subject, body, key, conference_id=conference.id)
    return len(notices)


def _date_change_notice(
    registration: AttendanceRegistration, rows: list[AttendanceDay], gone: list[AttendanceDay]
) -> DateChangeNotice:
    gone_ids = {row.id for row in gone}
    return DateChangeNotice(
        attendee=registration.user.display_name,
        zone_name=registration.user.time_zone or "UTC",
        hub=registration.hub,
        dropped=[DroppedDay(row.day, row.status is SeatStatus.REGISTERED) for row in gone],
        kept=[row.day for row in rows if row.id not in gone_ids],
    )


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


# --- the hub's check-in desk ----------------------------------------------------------------


@dataclass(frozen=True)
class DeskSeat:
    """What seating someone at the desk did."""

    day: AttendanceDay
    seated_now: bool  # False: their day already had a seat (given a moment ago, by a second desk)


@dataclass(frozen=True)
class DeskSeatReturn:
    """What giving back a seat given at the desk did."""

    freed: bool  # False: the registration no longer holds that seat (changed or removed since)
    back_on_waiting_list: bool  # they had waited for the day and are back in their old place
    promoted: int  # waiting people who moved up into the freed seat (and are e-mailed)
    day_has_begun: bool  # at the hub: then nobody moves up (see _fill_free_seats)
    still_waiting: int  # people on the day's waiting list afterwards


def _hub_day_row(hub: Hub, user: User) -> tuple[AttendanceRegistration | None, list[AttendanceDay]]:
    """``user``'s registration locked and its days as stored now, when it is in person at ``hub``;
    then the hub locked (registration first, as everywhere here)."""
    registration = _registration_for_update(hub.conference, user)
    # A registration has a hub exactly when it is in person.
    if registration is None or registration.hub_id != hub.id:
        registration = None
    _lock_hubs([hub.id])
    return registration, _day_rows(registration) if registration is not None else []


def seat_at_desk(hub: Hub, day: date, user: User, now: datetime | None = None) -> DeskSeat:
    """Seat ``user``, registered in person at ``hub``, on the hub's date ``day`` because they
    came to its desk: a day they wait for gets the seat and leaves the waiting list, a day they
    had not asked for is added with a seat. Whoever waits ahead of them is passed over (the
    seat goes to the person who came) but the seat limit holds: raises HubDayFull when every
    seat is taken, AttendanceProblem when they are not registered in person at ``hub``.
    Nobody is e-mailed: they are standing at the desk."""
    now = now or current_instant()
    if day not in hub.conference.days():
        raise AttendanceProblem("Choose among the conference's days.")
    registration, rows = _hub_day_row(hub, user)
    if registration is None:
        raise AttendanceProblem(f"{user.display_name} is not registered to attend in person at {hub.name}.")
    row = next((row for row in rows if row.day == day), None)
    if row is not None and row.status is SeatStatus.REGISTERED:
        return DeskSeat(row, seated_now=False)
    # Read under the lock: an organiser may have changed the limit since the hub was loaded.
    limit = db.session.scalar(select(Hub.seat_limit).where(Hub.id == hub.id))
    if limit is not None and queries.seat_counts(hub.id, day)[0] >= limit:
        raise HubDayFull(hub, day, limit)
    if row is None:
        # Requested and seated at the same instant: give_back_desk_seat removes such a day.
        row = AttendanceDay(
            registration_id=registration.id, day=day, status=SeatStatus.REGISTERED, requested_at=now, seated_at=now,
        )
        db.session.add(row)
    else:
        # requested_at stays: given back, the day returns to its old place in the queue.
        row.status = SeatStatus.REGISTERED
        row.seated_at = now
    db.session.flush()
    db.session.expire(registration, ["days"])
    return DeskSeat(row, seated_now=True)


def give_back_desk_seat(
    hub: Hub, day: date, user: User, seated_at: datetime, now: datetime | None = None
) -> DeskSeatReturn:
    """Undo ``seat_at_desk`` of the seat given to ``user`` at the instant ``seated_at``: a day
    they had waited for goes back to its old place on the waiting list, a day added at the desk
    goes. The freed seat goes to the waiting list by the usual rules, so to nobody once the day
    has begun at the hub. A seat given differently since (the registration changed) is kept."""
    now = now or current_instant()
    registration, rows = _hub_day_row(hub, user)
    row = next((row for row in rows if row.day == day), None)
    freed = row is not None and row.status is SeatStatus.REGISTERED and row.seated_at == seated_at
    back_on_waiting_list = False
    promoted = 0
    if freed:
        if row.requested_at < row.seated_at:
            row.status = SeatStatus.WAITING
            row.seated_at = None
            back_on_waiting_list = True
            db.session.flush()
        else:
            _release([row], hub.id)
        db.session.expire(registration, ["days"])
        promoted = _fill_and_announce(hub.conference, [(hub.id, day)], now)
    return DeskSeatReturn(
        freed=freed,
        back_on_waiting_list=back_on_waiting_list,
        promoted=promoted,
        day_has_begun=queries.hub_day_has_begun(hub.time_zone, day, now),
        still_waiting=queries.seat_counts(hub.id, day)[1],
    )


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
