"""The published schedule as plain values for feeds and exports (what clients were told)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from conference.conferences.models import Conference, Room
from conference.core.markdown import markdown_to_text
from conference.extensions import db
from conference.feeds.links import join_url, talk_url
from conference.interest.models import InterestMark
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker
from conference.schedule.models import CalendarEntry, ScheduleVersion
from conference.schedule.versions import latest_published

# Unicode categories Cc (except tab and newline) and Cs, plus the two non-characters.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str | None) -> str:
    """User text made safe for ICS/XML/JSON: newlines normalised, other control characters gone."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # One regex pass: a per-character category check cost ~0.1 s for a 1000-talk feed.
    return _CONTROL_CHARACTERS.sub("", text)


def single_line(text: str | None) -> str:
    """``clean_text`` folded onto one line (titles, names, rooms)."""
    return " ".join(clean_text(text).split())


@dataclass(frozen=True)
class Speaker:
    user_id: int
    name: str


@dataclass(frozen=True)
class PublishedTalk:
    """One talk as the feeds describe it; cancelled talks keep their last placement."""

    uid: str
    sequence: int
    last_modified: datetime
    cancelled: bool
    proposal_id: int
    title: str
    abstract: str
    speakers: tuple[Speaker, ...]
    track_id: int | None
    track_name: str
    format_name: str
    room_id: int | None
    room_name: str
    hub_name: str | None
    zone_name: str
    starts_at: datetime
    ends_at: datetime
    url: str
    join_url: str | None

    @property
    def location(self) -> str:
        place = self.hub_name if self.hub_name else "Online"
        return f"{self.room_name}, {place}" if self.room_name else place


@dataclass(frozen=True)
class PublishedSchedule:
    """The conference's current published version and the talks of one feed."""

    conference_name: str
    conference_slug: str
    conference_description: str
    conference_zone: str
    version_number: int
    version_id: int | None
    published_at: datetime | None
    talks: tuple[PublishedTalk, ...]


def current_version(conference: Conference) -> ScheduleVersion | None:
    """The latest published (non-draft) version, or None before the first publication."""
    return latest_published(conference.id)


def version_stamp(conference: Conference) -> str:
    """Part of every cache key: changes whenever a new version is published."""
    # Two columns, not the entity: this runs on every (cached) feed request.
    row = db.session.execute(
        select(ScheduleVersion.number, ScheduleVersion.id)
        .where(
            ScheduleVersion.conference_id == conference.id,
            ScheduleVersion.is_draft.is_(False),
            ScheduleVersion.number.is_not(None),
        )
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return "v0"
    return f"v{row.number}.{row.id}"


def entries_query(conference: Conference) -> Select:
    return (
        select(CalendarEntry)
        .join(Proposal, Proposal.id == CalendarEntry.proposal_id)
        .where(
            CalendarEntry.conference_id == conference.id,
            CalendarEntry.starts_at.is_not(None),
            CalendarEntry.ends_at.is_not(None),
        )
        .options(
            selectinload(CalendarEntry.proposal).selectinload(Proposal.track),
            selectinload(CalendarEntry.proposal).selectinload(Proposal.session_format),
            selectinload(CalendarEntry.proposal)
            .selectinload(Proposal.speakers)
            .selectinload(ProposalSpeaker.user),
        )
        .order_by(CalendarEntry.starts_at, CalendarEntry.proposal_id)
    )


def speaker_filter(user_id: int):
    return exists().where(
        ProposalSpeaker.proposal_id == CalendarEntry.proposal_id,
        ProposalSpeaker.user_id == user_id,
        ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
    )


def starred_filter(user_id: int):
    return exists().where(
        InterestMark.proposal_id == CalendarEntry.proposal_id, InterestMark.user_id == user_id
    )


def starred_ids(conference: Conference, user_id: int) -> list[int]:
    """Ids of the user's starred talks at ``conference`` (any state), sorted."""
    return sorted(
        db.session.scalars(
            select(InterestMark.proposal_id)
            .join(Proposal, Proposal.id == InterestMark.proposal_id)
            .where(InterestMark.user_id == user_id, Proposal.conference_id == conference.id)
        )
    )


def is_published_speaker(conference: Conference, user_id: int) -> bool:
    """True when the user speaks in a talk of the current published schedule."""
    return db.session.scalar(
        select(
            exists().where(
                CalendarEntry.conference_id == conference.id,
                CalendarEntry.cancelled.is_(False),
                speaker_filter(user_id),
            )
        )
    ) or False


def _talk(conference: Conference, entry: CalendarEntry, rooms: dict[int, Room]) -> PublishedTalk:
    proposal = entry.proposal
    room = rooms.get(entry.room_id) if entry.room_id is not None else None
    hub = room.hub if room is not None else None
    speakers = tuple(
        Speaker(speaker.user_id, single_line(speaker.user.display_name))
        for speaker in proposal.accepted_speakers
        if speaker.user is not None
    )
    return PublishedTalk(
        uid=entry.uid,
        sequence=entry.sequence,
        last_modified=entry.last_modified,
        cancelled=entry.cancelled,
        proposal_id=proposal.id,
        title=single_line(proposal.title),
        abstract=clean_text(markdown_to_text(proposal.abstract)),
        speakers=speakers,
        track_id=proposal.track_id,
        track_name=single_line(proposal.track.name) if proposal.track else "",
        format_name=single_line(proposal.session_format.name) if proposal.session_format else "",
        room_id=room.id if room else None,
        room_name=single_line(room.name) if room else "",
        hub_name=single_line(hub.name) if hub else None,
        zone_name=hub.time_zone if hub else conference.time_zone,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        url=talk_url(conference.slug, proposal.id),
        join_url=join_url(room),
    )


def published_schedule(conference: Conference, *conditions, include_cancelled: bool = True) -> PublishedSchedule:
    """The current published version's talks matching ``conditions`` (SQL expressions)."""
    version = current_version(conference)
    talks: tuple[PublishedTalk, ...] = ()
    if version is not None:
        query = entries_query(conference).where(*conditions)
        if not include_cancelled:
            query = query.where(CalendarEntry.cancelled.is_(False))
        rooms = {
            room.id: room
            for room in db.session.scalars(
                select(Room)
                .where(Room.conference_id == conference.id)
                .options(selectinload(Room.hub))
            )
        }
        talks = tuple(_talk(conference, entry, rooms) for entry in db.session.scalars(query))
    return PublishedSchedule(
        conference_name=single_line(conference.name),
        conference_slug=conference.slug,
        conference_description=clean_text(markdown_to_text(conference.description)),
        conference_zone=conference.time_zone,
        version_number=version.number if version else 0,
        version_id=version.id if version else None,
        published_at=version.published_at if version else None,
        talks=talks,
    )
