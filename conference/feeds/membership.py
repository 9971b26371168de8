"""Talks a filtered feed has carried, so it goes on sending them, cancelled, once they leave.

A hub's, track's or speaker's feed and an attendee's starred feed hold the talks that match
them now. A talk moved to another hub or track, a speaker taken off a talk, a talk unstarred:
each would drop out of a feed that calendars already copied, and clients keep whatever a feed
stops mentioning. So each feed records the talks it sends (`FeedMembership`); a recorded talk
that no longer matches is sent as STATUS:CANCELLED under its UID, and one that matches again
is sent as confirmed. The SEQUENCE a feed sends is the calendar entry's plus the membership's
offset, raised by one each time the talk leaves or comes back, so it rises in that feed even
when nothing else about the talk changed (an unstarred talk).

Recorded when a feed is rendered, not when the edit is made: exactly what a calendar could
have read, whatever made the talk leave (a publication, a track change, a Core statement).
Public feeds are rendered once per version stamp, and every edit that moves a talk between
them raises the stamp; a personal feed compares on each request (its one query reads the
records with the stars) and writes only when a star changed since the feed was last read. A
feed holds at most every talk of its conference, and one row per talk it ever carried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds.models import FeedMembership
from conference.feeds.published import PublishedSchedule, PublishedTalk, published_schedule
from conference.schedule.models import CalendarEntry

HUB = "hub"
ONLINE = "online"  # the online streams' feed; its subject id is 0
TRACK = "track"
SPEAKER = "speaker"
STARRED = "starred"


@dataclass(frozen=True)
class Recorded:
    """What a feed last sent of a talk (one `FeedMembership` row)."""

    entry_id: int
    in_feed: bool
    sequence_offset: int
    changed_at: datetime


@dataclass(frozen=True)
class Sent:
    """How a feed sends one talk now."""

    sequence_offset: int = 0
    removed: bool = False
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Changes:
    """The records a feed's rendering adds or changes."""

    new: tuple[int, ...] = ()  # entry ids now carried for the first time
    moved: tuple[tuple[Recorded, bool], ...] = ()  # (record, carried now) for talks that left or came back

    def __bool__(self) -> bool:
        return bool(self.new or self.moved)


def reconcile(
    members: Mapping[int, int], recorded: Mapping[int, Recorded], now: datetime
) -> tuple[dict[int, Sent], Changes]:
    """How to send each talk the feed matches now (``members``: proposal id -> entry id) or has
    carried (``recorded``: proposal id -> record), and the records to write for that."""
    sent: dict[int, Sent] = {}
    new: list[int] = []
    moved: list[tuple[Recorded, bool]] = []
    for proposal_id, entry_id in members.items():
        found = recorded.get(proposal_id)
        if found is None:
            sent[proposal_id] = Sent()
            new.append(entry_id)
        elif found.in_feed:
            sent[proposal_id] = Sent(found.sequence_offset, False, found.changed_at)
        else:
            sent[proposal_id] = Sent(found.sequence_offset + 1, False, now)
            moved.append((found, True))
    for proposal_id, found in recorded.items():
        if proposal_id in members:
            continue
        if found.in_feed:
            sent[proposal_id] = Sent(found.sequence_offset + 1, True, now)
            moved.append((found, False))
        else:
            sent[proposal_id] = Sent(found.sequence_offset, True, found.changed_at)
    return sent, Changes(tuple(new), tuple(moved))


def as_sent(talk: PublishedTalk, sent: Sent | None) -> PublishedTalk:
    """``talk`` as a feed sends it: its SEQUENCE raised by the feed's offset, cancelled if it left."""
    if sent is None or (sent.sequence_offset == 0 and not sent.removed):
        return talk
    last_modified = talk.last_modified
    if sent.changed_at is not None and sent.changed_at > last_modified:
        last_modified = sent.changed_at
    return replace(
        talk,
        sequence=talk.sequence + sent.sequence_offset,
        last_modified=last_modified,
        removed_from_feed=sent.removed,
    )


def _insert_ignoring_duplicates(session: Session):
    # Two requests may render the same feed at once: the second one's rows are already there.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(FeedMembership.__table__).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(FeedMembership.__table__).on_conflict_do_nothing()
    return insert(FeedMembership.__table__)


def save(session: Session, kind: str, subject_id: int, changes: Changes, now: datetime) -> None:
    """Write what a rendering of the feed found (nothing when it found no change).

    An update applies only to the record as it was read, so a rendering running beside another
    one changes nothing more and sends the same SEQUENCE.
    """
    if not changes:
        return
    table = FeedMembership.__table__
    if changes.new:
        session.execute(
            _insert_ignoring_duplicates(session),
            [
                {
                    "entry_id": entry_id,
                    "kind": kind,
                    "subject_id": subject_id,
                    "in_feed": True,
                    "sequence_offset": 0,
                    "changed_at": now,
                }
                for entry_id in changes.new
            ],
        )
    if changes.moved:
        session.execute(
            update(table)
            .where(
                table.c.kind == kind,
                table.c.subject_id == subject_id,
                table.c.entry_id == bindparam("entry"),
                table.c.in_feed == bindparam("was_in_feed"),
                table.c.sequence_offset == bindparam("offset_read"),
            )
            .values(
                in_feed=bindparam("carried"),
                sequence_offset=table.c.sequence_offset + 1,
                changed_at=now,
            ),
            [
                {
                    "entry": record.entry_id,
                    "was_in_feed": record.in_feed,
                    "offset_read": record.sequence_offset,
                    "carried": carried,
                }
                for record, carried in changes.moved
            ],
        )


def recorded_query(conference_id: int, kind: str, subject_id: int):
    """SELECT of the feed's records: proposal id and the record's columns."""
    return (
        select(
            CalendarEntry.proposal_id,
            FeedMembership.entry_id,
            FeedMembership.in_feed,
            FeedMembership.sequence_offset,
            FeedMembership.changed_at,
        )
        .join(CalendarEntry, CalendarEntry.id == FeedMembership.entry_id)
        .where(
            FeedMembership.kind == kind,
            FeedMembership.subject_id == subject_id,
            CalendarEntry.conference_id == conference_id,
        )
    )


def as_record(row) -> Recorded:
    return Recorded(row.entry_id, bool(row.in_feed), row.sequence_offset, row.changed_at)


def feed_schedule(
    conference: Conference, kind: str, subject_id: int, *conditions
) -> PublishedSchedule:
    """The published talks matching ``conditions``, and those the feed carried before as
    cancelled, each with the feed's SEQUENCE; records what the feed now sends (flushes only
    what changed). For rendering a public feed, once per version stamp."""
    schedule = published_schedule(conference, *conditions)
    if schedule.version_id is None:
        return schedule
    recorded = {
        row.proposal_id: as_record(row)
        for row in db.session.execute(recorded_query(conference.id, kind, subject_id))
    }
    members = {talk.proposal_id: talk.entry_id for talk in schedule.talks}
    now = utcnow().replace(microsecond=0)
    sent, changes = reconcile(members, recorded, now)
    talks = list(schedule.talks)
    if any(proposal_id not in members for proposal_id in recorded):
        carried = published_schedule(
            conference,
            CalendarEntry.id.in_(
                select(FeedMembership.entry_id).where(
                    and_(FeedMembership.kind == kind, FeedMembership.subject_id == subject_id)
                )
            ),
        )
        talks += [talk for talk in carried.talks if talk.proposal_id not in members]
    save(db.session(), kind, subject_id, changes, now)
    talks.sort(key=lambda talk: (talk.starts_at, talk.proposal_id))
    return replace(schedule, talks=tuple(as_sent(talk, sent.get(talk.proposal_id)) for talk in talks))
