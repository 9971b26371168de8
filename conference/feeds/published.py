"""The published schedule as plain values for feeds and exports (what clients were told)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from conference.accounts.models import User
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track
from conference.core.markdown import markdown_to_text
from conference.extensions import db
from conference.feeds.links import TalkLinks, join_url
from conference.feeds.models import FeedMembership
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
    # The talk's feedback form (None for cancelled talks).
    feedback_url: str | None = None
    entry_id: int | None = None
    # Sent as cancelled by a feed it no longer belongs to (`conference.feeds.membership`).
    removed_from_feed: bool = False

    @property
    def location(self) -> str:
        place = self.hub_name if self.hub_name else "Online"
        return f"{self.room_name}, {place}" if self.room_name else place

    @property
    def sent_as_cancelled(self) -> bool:
        """STATUS:CANCELLED in this feed: the talk was cancelled, or it left the feed."""
        return self.cancelled or self.removed_from_feed


def content_digest(talk: PublishedTalk) -> str:
    """A digest of what the talk's event says besides its time, place id and status.

    Links enter by their path (the site's host comes from configuration or the request and
    changes no event's meaning); the join link by whether there is one (its base is
    configuration too). A change of digest raises the entry's SEQUENCE (`settle_calendar_entries`).
    """
    said = [
        talk.title,
        talk.abstract,
        [speaker.name for speaker in talk.speakers],
        talk.track_name,
        talk.room_name,
        talk.hub_name,
        talk.zone_name,
        talk.join_url is not None,
        urlsplit(talk.url).path,
    ]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()[:24]


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


def conference_version(slug: str) -> tuple[int, str] | None:
    """(conference id, version stamp) for ``slug`` in one query; None for an unknown slug.

    The stamp is part of every cache key and changes whenever a new version is published or
    an edit changes what the published events say (``Conference.feed_revision``).
    """
    published = aliased(ScheduleVersion)
    latest = (
        select(published.id)
        .where(
            published.conference_id == Conference.id,
            published.is_draft.is_(False),
            published.number.is_not(None),
        )
        .order_by(published.number.desc())
        .limit(1)
        .correlate(Conference)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(
            Conference.id,
            Conference.feed_revision,
            ScheduleVersion.number,
            ScheduleVersion.id.label("version_id"),
        )
        .outerjoin(ScheduleVersion, ScheduleVersion.id == latest)
        .where(Conference.slug == slug)
    ).first()
    if row is None:
        return None
    if row.version_id is None:
        return row.id, f"v0.r{row.feed_revision}"
    return row.id, f"v{row.number}.{row.version_id}.r{row.feed_revision}"


def entries_query(conference: Conference) -> Select:
    """One row per talk with exactly the columns a feed needs (no ORM objects: ~5x cheaper)."""
    return (
        select(
            CalendarEntry.id.label("entry_id"),
            CalendarEntry.uid,
            CalendarEntry.sequence,
            CalendarEntry.last_modified,
            CalendarEntry.cancelled,
            CalendarEntry.proposal_id,
            CalendarEntry.room_id,
            CalendarEntry.starts_at,
            CalendarEntry.ends_at,
            Proposal.title,
            Proposal.abstract_text,
            Proposal.track_id,
            Track.name.label("track_name"),
            SessionFormat.name.label("format_name"),
        )
        .join(Proposal, Proposal.id == CalendarEntry.proposal_id)
        .outerjoin(Track, Track.id == Proposal.track_id)
        .outerjoin(SessionFormat, SessionFormat.id == Proposal.session_format_id)
        .where(
            CalendarEntry.conference_id == conference.id,
            CalendarEntry.starts_at.is_not(None),
            CalendarEntry.ends_at.is_not(None),
        )
        .order_by(CalendarEntry.starts_at, CalendarEntry.proposal_id)
    )


def _speakers_by_talk(
    session: Session, conference: Conference, conditions
) -> dict[int, list[Speaker]]:
    """Accepted speakers of the talks matching ``conditions``, in the order they were added."""
    # Aliased, so a speaker condition's EXISTS never correlates with this query's own speakers.
    speaker = aliased(ProposalSpeaker)
    rows = session.execute(
        select(speaker.proposal_id, speaker.user_id, User.display_name)
        .join(CalendarEntry, CalendarEntry.proposal_id == speaker.proposal_id)
        .join(User, User.id == speaker.user_id)
        .where(
            CalendarEntry.conference_id == conference.id,
            speaker.invitation_state == InvitationState.ACCEPTED,
            *conditions,
        )
        .order_by(speaker.id)
    )
    speakers: dict[int, list[Speaker]] = {}
    for proposal_id, user_id, display_name in rows:
        speakers.setdefault(proposal_id, []).append(Speaker(user_id, single_line(display_name)))
    return speakers


@dataclass(frozen=True)
class _Place:
    """A room as every event held in it describes it (cleaned once per room, not per talk)."""

    room_id: int
    room_name: str
    hub_name: str | None
    zone_name: str
    join_url: str | None


def _places(session: Session, conference: Conference) -> dict[int, _Place]:
    """Every room of the conference with its hub's name and zone and its join link, by id."""
    rows = session.execute(
        select(
            Room.id,
            Room.name,
            Room.hub_id,
            Room.has_streaming,
            Hub.name.label("hub_name"),
            Hub.time_zone.label("hub_time_zone"),
        )
        .outerjoin(Hub, Hub.id == Room.hub_id)
        .where(Room.conference_id == conference.id)
    )
    return {
        row.id: _Place(
            room_id=row.id,
            room_name=single_line(row.name),
            hub_name=single_line(row.hub_name) if row.hub_id is not None else None,
            zone_name=row.hub_time_zone if row.hub_id is not None else conference.time_zone,
            join_url=join_url(row),
        )
        for row in rows
    }


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


def has_speaker_feed(conference: Conference, user_id: int) -> bool:
    """True when the user speaks in a talk calendars were told of: one published now, or one
    cancelled since (withdrawn, declined, dropped), which their feed still sends as cancelled;
    or when their feed carried a talk they no longer speak in, which it sends as cancelled.

    A feed that answered 404 once a speaker's last talk was withdrawn left subscribed calendars
    showing it as planned: they keep the last copy they could read.
    """
    carried = exists().where(
        FeedMembership.kind == "speaker",
        FeedMembership.subject_id == user_id,
        FeedMembership.entry_id == CalendarEntry.id,
    )
    return (
        db.session.scalar(
            select(
                exists().where(
                    CalendarEntry.conference_id == conference.id,
                    speaker_filter(user_id) | carried,
                )
            )
        )
        or False
    )


def _talk(
    conference: Conference,
    row,
    places: dict[int, _Place],
    speakers: dict[int, list[Speaker]],
    links: TalkLinks,
) -> PublishedTalk:
    place = places.get(row.room_id) if row.room_id is not None else None
    cancelled = bool(row.cancelled)
    return PublishedTalk(
        entry_id=row.entry_id,
        uid=row.uid,
        sequence=row.sequence,
        last_modified=row.last_modified,
        cancelled=cancelled,
        proposal_id=row.proposal_id,
        title=single_line(row.title),
        # Stored plain text (kept in step with the Markdown): no Markdown rendering per talk.
        abstract=clean_text(row.abstract_text),
        speakers=tuple(speakers.get(row.proposal_id, ())),
        track_id=row.track_id,
        track_name=single_line(row.track_name),
        format_name=single_line(row.format_name),
        room_id=place.room_id if place else None,
        room_name=place.room_name if place else "",
        hub_name=place.hub_name if place else None,
        zone_name=place.zone_name if place else conference.time_zone,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        url=links.page(row.proposal_id),
        join_url=place.join_url if place else None,
        feedback_url=None if cancelled else links.feedback(row.proposal_id),
    )


def published_talks(
    conference: Conference, *conditions, session: Session | None = None
) -> tuple[PublishedTalk, ...]:
    """The calendar entries matching ``conditions`` (SQL expressions) as feeds describe them.

    ``session`` lets flush events read through the session being flushed.
    """
    session = session if session is not None else db.session()
    places = _places(session, conference)
    speakers = _speakers_by_talk(session, conference, conditions)
    rows = session.execute(entries_query(conference).where(*conditions))
    links = TalkLinks(conference.slug)
    return tuple(_talk(conference, row, places, speakers, links) for row in rows)


def published_schedule(
    conference: Conference, *conditions, include_cancelled: bool = True
) -> PublishedSchedule:
    """The current published version's talks matching ``conditions`` (SQL expressions)."""
    version = current_version(conference)
    talks: tuple[PublishedTalk, ...] = ()
    if version is not None:
        if not include_cancelled:
            conditions = (*conditions, CalendarEntry.cancelled.is_(False))
        talks = published_talks(conference, *conditions)
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
