"""What the check-in desk and the badges read: a hub's "today", who is seated and who arrived,
the people without a seat whom a desk may seat anyway, and what each badge says.

Seats are attendance's: a person has a seat on a hub day when their in-person registration's
day there is seated (``conference.attendance.queries``), also when the desk gave it. A check-in
only records that the desk did (``seated_at_desk``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.attendance.models import (
    AttendanceMode,
    AttendanceRegistration,
    SeatStatus,
)
from conference.attendance.queries import (
    hub_day_starts_at,
    seat_counts,
    seated_user_ids,
    waiting_list,
)
from conference.checkin.models import CheckIn
from conference.conferences.models import Conference, Hub
from conference.core.paging import Page, PageSpot
from conference.core.text import folded
from conference.core.timezones import to_zone, utc_offset_text
from conference.extensions import db
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import (
    InvitationState,
    PresentationMode,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)

PEOPLE_PER_PAGE = 50
WALK_INS_SHOWN = 20
BADGES_PER_SHEET = 8  # two across, four down on A4

# Which of the day's people the desk lists.
EVERYONE, NOT_ARRIVED, ARRIVED = "everyone", "not_arrived", "arrived"
SHOW_CHOICES = {EVERYONE: "Everyone seated", NOT_ARRIVED: "Not yet arrived", ARRIVED: "Checked in"}


# --- the hub's calendar ---------------------------------------------------------------------


def hub_today(hub: Hub, now: datetime) -> date:
    """The date clocks at ``hub`` show at the instant ``now``."""
    return to_zone(now, hub.time_zone).date()


def default_day(conference: Conference, hub: Hub, now: datetime) -> date | None:
    """Today at ``hub`` when it is one of the conference's days, else None."""
    today = hub_today(hub, now)
    return today if today in conference.days() else None


# --- who is seated, who arrived ---------------------------------------------------------------


def checked_in_user_ids(hub_id: int, day: date):
    """A subquery: people checked in at the hub on ``day``."""
    return select(CheckIn.user_id).where(CheckIn.hub_id == hub_id, CheckIn.day == day)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@dataclass(frozen=True)
class DeskCounts:
    seated: int  # everyone with a seat that day, those seated at the desk too
    seated_at_desk: int  # of them
    waiting: int
    checked_in: int
    not_arrived: int  # seated, not checked in
    seat_limit: int | None

    @property
    def is_full(self) -> bool:
        return self.seat_limit is not None and self.seated >= self.seat_limit


def desk_counts(hub: Hub, day: date) -> DeskCounts:
    """The desk's counts of the hub day; seats as attendance counts them."""
    seated_ids = seated_user_ids(hub.id, day)
    seated, waiting = seat_counts(hub.id, day)
    return DeskCounts(
        seated=seated,
        seated_at_desk=_count(
            checked_in_user_ids(hub.id, day).where(CheckIn.seated_at_desk.is_(True), CheckIn.user_id.in_(seated_ids))
        ),
        waiting=waiting,
        checked_in=_count(checked_in_user_ids(hub.id, day)),
        not_arrived=_count(seated_ids.where(AttendanceRegistration.user_id.not_in(checked_in_user_ids(hub.id, day)))),
        seat_limit=hub.seat_limit,
    )


def _matching(query, search: str):
    wanted = folded(search)
    if not wanted:
        return query
    # name_key is the folded name; e-mail addresses are ASCII, which lower() folds on both
    # databases (as the people list searches).
    return query.where(
        (User.name_key.contains(wanted, autoescape=True))
        | (func.lower(User.email).contains(wanted, autoescape=True))
    )


@dataclass(frozen=True)
class DeskPerson:
    """A row of the desk: someone seated that day, or checked in there."""

    user: User
    seated: bool  # has a seat that day (else checked in, then their seat went)
    check_in: CheckIn | None


def desk_people(
    hub: Hub, day: date, search: str = "", show: str = EVERYONE, page: int = 1,
    per_page: int = PEOPLE_PER_PAGE,
) -> Page[DeskPerson]:
    """One page of the day's people at the desk, by name, whose name or e-mail contains
    ``search`` (case and accents ignored); ``show`` narrows to who arrived or not."""
    seated = seated_user_ids(hub.id, day)
    arrived = checked_in_user_ids(hub.id, day)
    people = select(User.id)
    if show == ARRIVED:
        people = people.where(User.id.in_(arrived))
    elif show == NOT_ARRIVED:
        people = people.where(User.id.in_(seated), User.id.not_in(arrived))
    else:
        people = people.where(User.id.in_(seated) | User.id.in_(arrived))
    people = _matching(people, search)
    total = _count(people)
    spot = PageSpot.of(page, total, per_page)
    users = list(db.session.scalars(
        select(User).where(User.id.in_(people)).order_by(User.name_key, User.id)
        .offset(spot.offset).limit(per_page)
    ))
    ids = [user.id for user in users]
    check_ins = {
        row.user_id: row
        for row in db.session.scalars(
            select(CheckIn)
            .where(CheckIn.hub_id == hub.id, CheckIn.day == day, CheckIn.user_id.in_(ids))
            .options(selectinload(CheckIn.checked_in_by))
        )
    } if ids else {}
    with_seat = set(db.session.scalars(seated.where(AttendanceRegistration.user_id.in_(ids)))) if ids else set()
    rows = [DeskPerson(user, user.id in with_seat, check_ins.get(user.id)) for user in users]
    return Page(rows, total, spot)


@dataclass(frozen=True)
class WalkIn:
    """Someone registered at the hub with no seat that day: waiting for one, or seated on
    other days only."""

    user: User
    waiting_position: int | None  # in the day's waiting list
    seated_days: list[date]
    waiting_days: list[date]  # other days they wait for


def walk_ins(hub: Hub, day: date, search: str, limit: int = WALK_INS_SHOWN) -> tuple[list[WalkIn], bool]:
    """The first ``limit`` registered walk-ins whose name or e-mail contains ``search``, by
    name, and whether there are more. Nothing without a search: the desk looks them up."""
    if not folded(search):
        return [], False
    query = _matching(
        select(AttendanceRegistration)
        .join(User, User.id == AttendanceRegistration.user_id)
        .where(
            AttendanceRegistration.hub_id == hub.id,
            AttendanceRegistration.mode == AttendanceMode.IN_PERSON,
            AttendanceRegistration.user_id.not_in(seated_user_ids(hub.id, day)),
            AttendanceRegistration.user_id.not_in(checked_in_user_ids(hub.id, day)),
        ),
        search,
    ).options(selectinload(AttendanceRegistration.user), selectinload(AttendanceRegistration.days))
    registrations = list(db.session.scalars(query.order_by(User.name_key, User.id).limit(limit + 1)))
    if not registrations:
        return [], False
    positions = {row.registration_id: place for place, row in enumerate(waiting_list(hub.id, day), start=1)}
    found = []
    for registration in registrations[:limit]:
        other_days = [row for row in registration.days if row.day != day]
        found.append(WalkIn(
            user=registration.user,
            waiting_position=positions.get(registration.id),
            seated_days=[row.day for row in other_days if row.status is SeatStatus.REGISTERED],
            waiting_days=[row.day for row in other_days if row.status is SeatStatus.WAITING],
        ))
    return found, len(registrations) > limit


def in_person_registration(hub: Hub, user_id: int) -> AttendanceRegistration | None:
    """``user_id``'s registration to attend in person at ``hub``, with its days."""
    return db.session.scalar(
        select(AttendanceRegistration)
        .where(
            AttendanceRegistration.conference_id == hub.conference_id,
            AttendanceRegistration.user_id == user_id,
            AttendanceRegistration.hub_id == hub.id,
            AttendanceRegistration.mode == AttendanceMode.IN_PERSON,
        )
        .options(selectinload(AttendanceRegistration.days), selectinload(AttendanceRegistration.user))
    )


def check_in_count(hub: Hub) -> int:
    """Check-ins recorded at ``hub``, every day together."""
    return db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.hub_id == hub.id)) or 0


def name_at_hub(hub: Hub, user_id: int) -> str | None:
    """``user_id``'s name when the desk may know them: registered in person at ``hub`` or checked
    in there on some day; else None (a desk must not learn the names of other accounts)."""
    registered = select(AttendanceRegistration.id).where(
        AttendanceRegistration.user_id == user_id, AttendanceRegistration.hub_id == hub.id
    )
    arrived = select(CheckIn.id).where(CheckIn.user_id == user_id, CheckIn.hub_id == hub.id)
    return db.session.scalar(
        select(User.display_name).where(User.id == user_id, registered.exists() | arrived.exists())
    )


def check_in_of(hub_id: int, day: date, user_id: int) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn)
        .where(CheckIn.hub_id == hub_id, CheckIn.day == day, CheckIn.user_id == user_id)
        .execution_options(populate_existing=True)
    )


# --- the facilities' list -------------------------------------------------------------------


@dataclass(frozen=True)
class ArrivedPerson:
    check_in: CheckIn
    registration: AttendanceRegistration | None  # gone if they cancelled after arriving


def arrivals(hub: Hub, day: date) -> list[ArrivedPerson]:
    """Everyone checked in at the hub on ``day``, by name, with who checked them in and their
    registration's needs."""
    rows = list(db.session.scalars(
        select(CheckIn)
        .join(User, User.id == CheckIn.user_id)
        .where(CheckIn.hub_id == hub.id, CheckIn.day == day)
        .options(selectinload(CheckIn.user), selectinload(CheckIn.checked_in_by))
        .order_by(User.name_key, User.id)
    ))
    registrations = {
        registration.user_id: registration
        for registration in db.session.scalars(
            select(AttendanceRegistration).where(
                AttendanceRegistration.conference_id == hub.conference_id,
                AttendanceRegistration.user_id.in_([row.user_id for row in rows]),
            )
        )
    } if rows else {}
    return [ArrivedPerson(row, registrations.get(row.user_id)) for row in rows]


# --- badges ---------------------------------------------------------------------------------

SPEAKER, REMOTE_SPEAKER = "Speaker", "Remote speaker"


@dataclass(frozen=True)
class Badge:
    name: str
    hub_name: str
    home_time_zone: str
    home_offset: str  # e.g. UTC+05:30, in force when the hub's day starts
    speaker: str | None  # SPEAKER, REMOTE_SPEAKER or None


def speaker_markers(conference: Conference, user_ids: list[int]) -> dict[int, str]:
    """Who of ``user_ids`` speaks in an accepted or confirmed talk of ``conference``: "Speaker",
    or "Remote speaker" when their speaker profile says they present remotely."""
    if not user_ids:
        return {}
    speakers = set(db.session.scalars(
        select(ProposalSpeaker.user_id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(
            Proposal.conference_id == conference.id,
            Proposal.state.in_(PUBLIC_STATES),
            ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            ProposalSpeaker.user_id.in_(user_ids),
        )
    ))
    if not speakers:
        return {}
    modes = dict(db.session.execute(
        select(SpeakerProfile.user_id, SpeakerProfile.presentation_mode).where(
            SpeakerProfile.conference_id == conference.id, SpeakerProfile.user_id.in_(speakers)
        )
    ).all())
    return {
        user_id: REMOTE_SPEAKER if modes.get(user_id) is PresentationMode.REMOTE else SPEAKER
        for user_id in speakers
    }


def badges(hub: Hub, day: date, only_not_checked_in: bool) -> list[Badge]:
    """A badge for each person seated at the hub on ``day`` (those seated at the desk too), or
    only for those seated and not yet checked in; by name."""
    who = User.id.in_(seated_user_ids(hub.id, day))
    if only_not_checked_in:
        who = who & User.id.not_in(checked_in_user_ids(hub.id, day))
    users = list(db.session.scalars(select(User).where(who).order_by(User.name_key, User.id)))
    markers = speaker_markers(hub.conference, [user.id for user in users])
    starts_at = hub_day_starts_at(hub, day)
    return [
        Badge(
            name=user.display_name,
            hub_name=hub.name,
            home_time_zone=user.time_zone,
            home_offset=utc_offset_text(starts_at, user.time_zone),
            speaker=markers.get(user.id),
        )
        for user in users
    ]


def sheets(items: list, per_sheet: int = BADGES_PER_SHEET) -> list[list]:
    """``items`` cut into printed sheets of ``per_sheet``."""
    return [items[start:start + per_sheet] for start in range(0, len(items), per_sheet)]
