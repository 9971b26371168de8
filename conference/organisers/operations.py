"""Changes organisers make to a conference. Operations flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, select, update

from conference.access_codes.operations import keep_codes_limited_to
from conference.accounts.models import User
from conference.attendance.operations import drop_days_outside
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.conferences.settings import merge_settings
from conference.core.timezones import local_to_utc
from conference.extensions import db
from conference.proposals.models import Proposal, SpeakerProfile
from conference.proposals.questions import forget_scope
from conference.schedule.models import (
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleVersion,
)
from conference.sso.models import GroupGrantedRole


class SlugTaken(Exception):
    pass


class NameTaken(Exception):
    """Another hub, room, track or format of the same conference already has this name."""


class RoleAlreadyHeld(Exception):
    pass


class LastOrganiser(Exception):
    """Removing this role would leave the conference without an organiser."""


class HubHasRooms(Exception):
    def __init__(self, room_count: int):
        super().__init__(room_count)
        self.room_count = room_count


class RoomInUse(Exception):
    """A schedule version places talks in the room: the draft (how many) or published versions (which)."""

    def __init__(self, draft_talks: int, published_versions: list[int]):
        super().__init__(draft_talks, published_versions)
        self.draft_talks = draft_talks
        self.published_versions = published_versions


class FormatInUse(Exception):
    def __init__(self, proposal_count: int):
        super().__init__(proposal_count)
        self.proposal_count = proposal_count


@dataclass(frozen=True)
class ConferenceDetails:
    """What an organiser enters about a conference; call-for-proposals times are local wall-clock,
    with fold=1 for the second of a time the clocks show twice."""

    name: str
    description: str
    starts_on: date
    ends_on: date
    time_zone: str
    cfp_opens_local: datetime | None
    cfp_closes_local: datetime | None
    anonymised_review: bool
    reviewers_per_proposal: int


def _local_instant(local: datetime | None, zone_name: str) -> datetime | None:
    if local is None:
        return None
    # time() keeps the fold, so a repeated wall time resolves to the occurrence chosen.
    return local_to_utc(local.date(), local.time(), zone_name)


def _apply_details(conference: Conference, details: ConferenceDetails) -> None:
    conference.name = details.name
    conference.description = details.description
    conference.starts_on = details.starts_on
    conference.ends_on = details.ends_on
    conference.time_zone = details.time_zone
    conference.cfp_opens_at = _local_instant(details.cfp_opens_local, details.time_zone)
    conference.cfp_closes_at = _local_instant(details.cfp_closes_local, details.time_zone)
    merge_settings(conference, {
        "anonymised_review": details.anonymised_review,
        "reviewers_per_proposal": details.reviewers_per_proposal,
    })


def create_conference(creator: User, slug: str, details: ConferenceDetails) -> Conference:
    """Create a conference and make its creator an organiser; raises SlugTaken."""
    if db.session.scalar(select(Conference.id).where(Conference.slug == slug)) is not None:
        raise SlugTaken(slug)
    conference = Conference(slug=slug)
    _apply_details(conference, details)
    db.session.add(conference)
    db.session.flush()
    db.session.add(
        ConferenceRole(conference_id=conference.id, user_id=creator.id, role=Role.ORGANISER)
    )
    db.session.flush()
    return conference


def update_conference_settings(conference: Conference, details: ConferenceDetails) -> int:
    """Change everything about a conference except its slug; returns how many people's
    attendance registrations lost days the conference no longer has."""
    _apply_details(conference, details)
    db.session.flush()
    return drop_days_outside(conference)


def grant_role(conference: Conference, user: User, role: Role) -> ConferenceRole:
    """Give ``user`` a role at ``conference``; raises RoleAlreadyHeld."""
    existing = db.session.scalar(
        select(ConferenceRole.id).where(
            ConferenceRole.conference_id == conference.id,
            ConferenceRole.user_id == user.id,
            ConferenceRole.role == role,
        )
    )
    if existing is not None:
        raise RoleAlreadyHeld(role)
    conference_role = ConferenceRole(conference_id=conference.id, user_id=user.id, role=role)
    db.session.add(conference_role)
    db.session.flush()
    return conference_role


def give_role_by_hand(conference: Conference, user: User, role: Role) -> str | None:
    """Give ``user`` a role at ``conference`` by hand, so that no company log-in takes it back.

    Returns None when the role is new; when a company group gave it before, the role becomes
    given by hand and the group's name is returned. Raises RoleAlreadyHeld when it was given by
    hand already.
    """
    held = db.session.execute(
        select(ConferenceRole.id, GroupGrantedRole.group_name)
        .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
        .where(
            ConferenceRole.conference_id == conference.id,
            ConferenceRole.user_id == user.id,
            ConferenceRole.role == role,
        )
    ).first()
    if held is None:
        grant_role(conference, user, role)
        return None
    conference_role_id, from_group = held
    if from_group is None:
        raise RoleAlreadyHeld(role)
    if not forget_group_mark(conference_role_id):
        # The person's log-in took the role back meanwhile (or made it hand-given some other way).
        still_held = db.session.scalar(select(ConferenceRole.id).where(ConferenceRole.id == conference_role_id))
        if still_held is None:
            grant_role(conference, user, role)
            return None
        raise RoleAlreadyHeld(role)
    db.session.flush()
    return from_group


def forget_group_mark(conference_role_id: int) -> bool:
    """The role no longer counts as given by a company group; False if it did not."""
    # A statement, not the ORM: hooks on deleted objects expect more than this row has.
    done = db.session.execute(
        delete(GroupGrantedRole).where(GroupGrantedRole.conference_role_id == conference_role_id)
    )
    return done.rowcount > 0


def active_organiser_count(conference_id: int, *, besides: int | None = None) -> int:
    """How many organisers of the conference have an active account (an erased one is not),
    leaving out the role ``besides``: deactivated organisers cannot run the conference."""
    organisers = (
        select(func.count())
        .select_from(ConferenceRole)
        .join(User, User.id == ConferenceRole.user_id)
        .where(
            ConferenceRole.conference_id == conference_id,
            ConferenceRole.role == Role.ORGANISER,
            User.is_active_account.is_(True),
        )
    )
    if besides is not None:
        organisers = organisers.where(ConferenceRole.id != besides)
    return db.session.scalar(organisers)


def revoke_role(conference_role: ConferenceRole) -> str | None:
    """Remove a role, and the mark of the company group that gave it if one did; returns that
    group's name (else None). Raises LastOrganiser rather than leave a conference without an
    active organiser."""
    conference_id = conference_role.conference_id
    removes_an_organiser = conference_role.role == Role.ORGANISER
    if removes_an_organiser:
        # Holds the conference's row until the commit (PostgreSQL): of two organisers removed at
        # the same moment (two company log-ins after a rule went), the second counts after the
        # first is gone. NO KEY UPDATE, so roles being added there meanwhile do not wait for it.
        db.session.execute(select(Conference.id).where(Conference.id == conference_id).with_for_update(key_share=True))
        if active_organiser_count(conference_id, besides=conference_role.id) == 0:
            raise LastOrganiser()
    from_group = db.session.scalar(
        select(GroupGrantedRole.group_name).where(GroupGrantedRole.conference_role_id == conference_role.id)
    )
    # A savepoint, undone if the count after writing finds no organiser left.
    with db.session.begin_nested():
        # The foreign key cascades too; said here so that the rule holds without relying on it
        # (a mark left behind would pass to the next role SQLite gives the same id).
        forget_group_mark(conference_role.id)
        db.session.delete(conference_role)
        db.session.flush()
        if removes_an_organiser and active_organiser_count(conference_id) == 0:
            # SQLite takes no lock when counting: another organiser went at the same moment.
            raise LastOrganiser()
    return from_group


def _ensure_name_free(model, conference: Conference, name: str, keep: object | None) -> None:
    query = select(model.id).where(
        model.conference_id == conference.id, func.lower(model.name) == name.lower()
    )
    if keep is not None:
        query = query.where(model.id != keep.id)
    if db.session.scalar(query) is not None:
        raise NameTaken(name)


def create_hub(
    conference: Conference,
    name: str,
    time_zone: str,
    working_day_starts: time,
    working_day_ends: time,
) -> Hub:
    """Add a hub; raises NameTaken."""
    _ensure_name_free(Hub, conference, name, None)
    hub = Hub(
        conference_id=conference.id,
        name=name,
        time_zone=time_zone,
        working_day_starts=working_day_starts,
        working_day_ends=working_day_ends,
    )
    db.session.add(hub)
    db.session.flush()
    return hub


def update_hub(
    hub: Hub, name: str, time_zone: str, working_day_starts: time, working_day_ends: time
) -> None:
    """Change a hub; raises NameTaken."""
    _ensure_name_free(Hub, hub.conference, name, hub)
    hub.name = name
    hub.time_zone = time_zone
    hub.working_day_starts = working_day_starts
    hub.working_day_ends = working_day_ends
    db.session.flush()


def delete_hub(hub: Hub) -> None:
    """Delete a hub without rooms; raises HubHasRooms otherwise."""
    room_count = db.session.scalar(select(func.count()).where(Room.hub_id == hub.id))
    if room_count:
        raise HubHasRooms(room_count)
    # The foreign keys say SET NULL; done here too so that this session's loaded rows agree.
    db.session.execute(update(User).where(User.home_hub_id == hub.id).values(home_hub_id=None))
    db.session.execute(
        update(SpeakerProfile).where(SpeakerProfile.hub_id == hub.id).values(hub_id=None)
    )
    db.session.delete(hub)
    db.session.flush()


def create_room(
    conference: Conference,
    name: str,
    hub: Hub | None,
    capacity: int,
    has_streaming: bool,
    has_recording: bool,
) -> Room:
    """Add a room at a hub, or an online stream when ``hub`` is None, open in every schedule block
    (as a new block opens every room; the setup grid closes it where it is not); raises NameTaken."""
    _ensure_name_free(Room, conference, name, None)
    room = Room(
        conference_id=conference.id,
        name=name,
        hub_id=hub.id if hub else None,
        capacity=capacity,
        has_streaming=has_streaming,
        has_recording=has_recording,
    )
    db.session.add(room)
    db.session.flush()
    block_ids = db.session.scalars(select(ScheduleBlock.id).where(ScheduleBlock.conference_id == conference.id))
    db.session.add_all(ScheduleBlockRoom(block_id=block_id, room_id=room.id) for block_id in block_ids)
    db.session.flush()
    return room


def update_room(
    room: Room, name: str, hub: Hub | None, capacity: int, has_streaming: bool, has_recording: bool
) -> None:
    """Change a room; raises NameTaken."""
    _ensure_name_free(Room, room.conference, name, room)
    room.name = name
    room.hub_id = hub.id if hub else None
    room.capacity = capacity
    room.has_streaming = has_streaming
    room.has_recording = has_recording
    db.session.flush()


def delete_room(room: Room) -> None:
    """Delete a room no schedule version places a talk in; raises RoomInUse otherwise."""
    uses = db.session.execute(
        select(ScheduleVersion.is_draft, ScheduleVersion.number, func.count())
        .join(ScheduledTalk, ScheduledTalk.version_id == ScheduleVersion.id)
        .where(ScheduledTalk.room_id == room.id)
        .group_by(ScheduleVersion.id, ScheduleVersion.is_draft, ScheduleVersion.number)
    ).all()
    if uses:
        raise RoomInUse(
            draft_talks=sum(count for is_draft, _number, count in uses if is_draft),
            published_versions=sorted(number for is_draft, number, _count in uses if not is_draft),
        )
    db.session.delete(room)
    db.session.flush()


def create_track(
    conference: Conference, name: str, description: str, colour: str, requires_access_code: bool = False
) -> Track:
    """Add a track; raises NameTaken."""
    _ensure_name_free(Track, conference, name, None)
    track = Track(
        conference_id=conference.id,
        name=name,
        description=description,
        colour=colour.lower(),
        requires_access_code=requires_access_code,
    )
    db.session.add(track)
    db.session.flush()
    return track


def update_track(
    track: Track, name: str, description: str, colour: str, requires_access_code: bool = False
) -> None:
    """Change a track; raises NameTaken."""
    _ensure_name_free(Track, track.conference, name, track)
    track.name = name
    track.description = description
    track.colour = colour.lower()
    track.requires_access_code = requires_access_code
    db.session.flush()


def delete_track(track: Track) -> int:
    """Delete a track; its proposals stay, without a track. Returns how many were detached."""
    # The foreign key says SET NULL; done here too so that this session's loaded rows agree.
    detached = db.session.execute(
        update(Proposal)
        .where(Proposal.track_id == track.id)
        .values(track_id=None, lock_version=Proposal.lock_version + 1)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    forget_scope(track=track)
    keep_codes_limited_to(track=track)
    db.session.delete(track)
    db.session.flush()
    return detached


def create_session_format(
    conference: Conference, name: str, duration_minutes: int, requires_access_code: bool = False
) -> SessionFormat:
    """Add a session format; raises NameTaken."""
    _ensure_name_free(SessionFormat, conference, name, None)
    session_format = SessionFormat(
        conference_id=conference.id,
        name=name,
        duration_minutes=duration_minutes,
        requires_access_code=requires_access_code,
    )
    db.session.add(session_format)
    db.session.flush()
    return session_format


def update_session_format(
    session_format: SessionFormat, name: str, duration_minutes: int, requires_access_code: bool = False
) -> None:
    """Change a session format; raises NameTaken."""
    _ensure_name_free(SessionFormat, session_format.conference, name, session_format)
    session_format.name = name
    session_format.duration_minutes = duration_minutes
    session_format.requires_access_code = requires_access_code
    db.session.flush()


def delete_session_format(session_format: SessionFormat) -> None:
    """Delete a format no proposal uses; raises FormatInUse otherwise."""
    proposal_count = db.session.scalar(
        select(func.count()).where(Proposal.session_format_id == session_format.id)
    )
    if proposal_count:
        raise FormatInUse(proposal_count)
    forget_scope(session_format=session_format)
    keep_codes_limited_to(session_format=session_format)
    db.session.delete(session_format)
    db.session.flush()
