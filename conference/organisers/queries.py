"""Read-only questions organisers' pages ask: counts, people and usage."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

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
from conference.core.paging import Page, PageSpot
from conference.core.text import folded
from conference.extensions import db
from conference.proposals.models import Proposal, ProposalState
from conference.sso.models import GroupGrantedRole


@dataclass
class ConferenceSummary:
    hubs: int
    rooms: int
    online_streams: int
    tracks: int
    session_formats: int
    people_per_role: dict[Role, int]
    proposals_per_state: dict[ProposalState, int]


@dataclass(frozen=True)
class HeldRole:
    """A role someone holds, and the company group that gave it (None: given by hand)."""

    conference_role: ConferenceRole
    from_group: str | None = None


@dataclass
class PersonWithRoles:
    user: User
    roles: list[HeldRole] = field(default_factory=list)


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


PEOPLE_PER_PAGE = 50


def people_with_roles(
    conference: Conference, only_role: Role | None = None, search: str = "", page: int = 1,
    per_page: int = PEOPLE_PER_PAGE,
) -> Page[PersonWithRoles]:
    """Everyone holding a role at ``conference`` (or ``only_role``) whose name or e-mail contains
    ``search`` (case and accents ignored), by name, one page of ``per_page`` with all their roles
    there, each with the company group that gave it. A page past the end gives the last one."""
    holders = select(User.id).where(
        User.id.in_(select(ConferenceRole.user_id).where(ConferenceRole.conference_id == conference.id))
    )
    if only_role is not None:
        holders = holders.where(User.id.in_(select(ConferenceRole.user_id).where(
            ConferenceRole.conference_id == conference.id, ConferenceRole.role == only_role)))
    wanted = folded(search)
    if wanted:
        # name_key is the folded name; e-mail addresses are ASCII, which lower() folds on both
        # databases.
        holders = holders.where(or_(User.name_key.contains(wanted, autoescape=True),
                                    func.lower(User.email).contains(wanted, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(holders.subquery())) or 0
    spot = PageSpot.of(page, total, per_page)
    chosen = list(db.session.scalars(
        holders.order_by(User.name_key, User.id).offset(spot.offset).limit(per_page)
    ))
    people: dict[int, PersonWithRoles | None] = dict.fromkeys(chosen)
    if chosen:
        for conference_role, user, from_group in db.session.execute(
            select(ConferenceRole, User, GroupGrantedRole.group_name)
            .join(User, ConferenceRole.user_id == User.id)
            .outerjoin(GroupGrantedRole, GroupGrantedRole.conference_role_id == ConferenceRole.id)
            .where(ConferenceRole.conference_id == conference.id, ConferenceRole.user_id.in_(chosen))
            .order_by(ConferenceRole.role)
        ):
            if people[user.id] is None:
                people[user.id] = PersonWithRoles(user)
            people[user.id].roles.append(HeldRole(conference_role, from_group))
    return Page([person for person in people.values() if person is not None], total, spot)


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
