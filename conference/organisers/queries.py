"""Read-only questions organisers' pages ask: counts, people and usage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from conference.accounts.models import User
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState


@dataclass
class ConferenceSummary:
    hubs: int
    rooms: int
    online_streams: int
    tracks: int
    session_formats: int
    people_per_role: dict[Role, int]
    proposals_per_state: dict[ProposalState, int]


@dataclass
class PersonWithRoles:
    user: User
    roles: list[ConferenceRole] = field(default_factory=list)


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def conference_summary(conference: Conference) -> ConferenceSummary:
    """The counts on the organiser dashboard, a handful of aggregate queries."""
    people = Counter(
        dict(
            db.session.execute(
                select(ConferenceRole.role, func.count())
                .where(ConferenceRole.conference_id == conference.id)
                .group_by(ConferenceRole.role)
            ).all()
        )
    )
    proposals = Counter(
        dict(
            db.session.execute(
                select(Proposal.state, func.count())
                .where(Proposal.conference_id == conference.id)
                .group_by(Proposal.state)
            ).all()
        )
    )
    return ConferenceSummary(
        hubs=_count(Hub, Hub.conference_id == conference.id),
        rooms=_count(Room, Room.conference_id == conference.id, Room.hub_id.is_not(None)),
        online_streams=_count(Room, Room.conference_id == conference.id, Room.hub_id.is_(None)),
        tracks=_count(Track, Track.conference_id == conference.id),
        session_formats=_count(SessionFormat, SessionFormat.conference_id == conference.id),
        people_per_role={role: people.get(role, 0) for role in Role},
        proposals_per_state={state: proposals.get(state, 0) for state in ProposalState},
    )


def people_with_roles(
    conference: Conference, only_role: Role | None = None
) -> list[PersonWithRoles]:
    """Everyone holding a role at ``conference`` (or ``only_role``), with all their roles there."""
    query = (
        select(ConferenceRole, User)
        .join(User, ConferenceRole.user_id == User.id)
        .where(ConferenceRole.conference_id == conference.id)
        .order_by(func.lower(User.display_name), User.id, ConferenceRole.role)
    )
    if only_role is not None:
        holders = select(ConferenceRole.user_id).where(
            ConferenceRole.conference_id == conference.id, ConferenceRole.role == only_role
        )
        query = query.where(ConferenceRole.user_id.in_(holders))
    people: dict[int, PersonWithRoles] = {}
    for conference_role, user in db.session.execute(query):
        people.setdefault(user.id, PersonWithRoles(user)).roles.append(conference_role)
    return list(people.values())


def room_counts_by_hub(conference: Conference) -> dict[int, int]:
    rows = db.session.execute(
        select(Room.hub_id, func.count())
        .where(Room.conference_id == conference.id, Room.hub_id.is_not(None))
        .group_by(Room.hub_id)
    )
    return dict(rows.all())


def proposal_counts_by(column, conference: Conference) -> dict[int, int]:
    """How many proposals use each track or format (``Proposal.track_id`` or ``session_format_id``)."""
    rows = db.session.execute(
        select(column, func.count())
        .where(Proposal.conference_id == conference.id, column.is_not(None))
        .group_by(column)
    )
    return dict(rows.all())


def proposals_using_track(track: Track) -> int:
    return _count(Proposal, Proposal.track_id == track.id)
