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
records with the stars) and writes only when a star changed since the feed was last read, or a
starred talk reads otherwise than the feed last sent it (its snapshot, below). A
feed holds at most every talk of its conference, and one row per talk it ever carried.

A cancelled copy shows what the feed last sent of the talk, not where the talk is now: each
record keeps a `Snapshot` (time, zone, title, room, hub, track, abstract, speakers) written
whenever the feed sends the talk as its own and the snapshot differs, so Outlook strikes
through, and Apple shows, the event the subscriber had, description and all. Records written
before snapshots were kept have none until the feed next sends the talk as its own; a talk
leaving such a feed first is cancelled at its current time and place, as before (all there is
to go on). A snapshot whose abstract or speakers are unknown (null) leaves them out.

A deleted track's or hub's records are kept under another kind (`retire`), so its feed goes on
answering, with every talk it had sent cancelled (`conference.feeds.views`): subscribed
calendars keep the last copy of a feed that answers 404, events and all. Track and hub ids are
never handed out twice (AUTOINCREMENT on SQLite, sequences on PostgreSQL), so a new track or hub
never takes over a removed one's feed; the kind keeps the removed feed's records apart all the
same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds.models import FeedMembership
from conference.feeds.published import PublishedSchedule, PublishedTalk, Speaker, published_schedule
from conference.schedule.models import CalendarEntry

HUB = "hub"
ONLINE = "online"  # the online streams' feed; its subject id is 0
TRACK = "track"
SPEAKER = "speaker"
STARRED = "starred"
# The kinds a deleted track's or hub's records are kept under (`retire`).
REMOVED_TRACK = "removed-track"
REMOVED_HUB = "removed-hub"
REMOVED_KINDS = {TRACK: REMOVED_TRACK, HUB: REMOVED_HUB}


@dataclass(frozen=True)
class Snapshot:
    """What a feed showed of a talk while carrying it: its cancelled copy there shows the same."""

    starts_at: datetime
    ends_at: datetime
    zone_name: str
    title: str
    room_name: str
    hub_name: str | None
    track_name: str
    # The description's text; None: not known (records from before it was kept), left out.
    abstract: str | None = None
    speakers: tuple[Speaker, ...] | None = None

    @classmethod
    def of(cls, talk: PublishedTalk) -> Snapshot:
        return cls(
            talk.starts_at.astimezone(UTC),
            talk.ends_at.astimezone(UTC),
            talk.zone_name,
            talk.title,
            talk.room_name,
            talk.hub_name,
            talk.track_name,
            talk.abstract,
            talk.speakers,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "zone": self.zone_name,
            "title": self.title,
            "room": self.room_name,
            "hub": self.hub_name,
            "track": self.track_name,
            "abstract": self.abstract,
            "speakers": (
                None if self.speakers is None else [[speaker.user_id, speaker.name] for speaker in self.speakers]
            ),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> Snapshot | None:
        """The stored snapshot; None for rows without one (or one this code cannot read)."""
        if not value:
            return None
        try:
            return cls(
                datetime.fromisoformat(value["starts_at"]).astimezone(UTC),
                datetime.fromisoformat(value["ends_at"]).astimezone(UTC),
                str(value["zone"]),
                str(value["title"]),
                str(value["room"]),
                None if value["hub"] is None else str(value["hub"]),
                str(value["track"]),
                None if value.get("abstract") is None else str(value["abstract"]),
                _speakers_from_json(value.get("speakers")),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def shown_on(self, talk: PublishedTalk) -> PublishedTalk:
        """``talk`` at the time and place, and under the title and description, of this snapshot."""
        return replace(
            talk,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            zone_name=self.zone_name,
            title=self.title,
            room_name=self.room_name,
            hub_name=self.hub_name,
            track_name=self.track_name,
            abstract=self.abstract or "",
            speakers=self.speakers or (),
        )


def _speakers_from_json(value: Any) -> tuple[Speaker, ...] | None:
    if value is None:
        return None
    return tuple(Speaker(int(user_id), str(name)) for user_id, name in value)


@dataclass(frozen=True)
class Recorded:
    """What a feed last sent of a talk (one `FeedMembership` row)."""

    entry_id: int
    in_feed: bool
    sequence_offset: int
    changed_at: datetime
    snapshot: Snapshot | None = None


@dataclass(frozen=True)
class Sent:
    """How a feed sends one talk now."""

    sequence_offset: int = 0
    removed: bool = False
    changed_at: datetime | None = None
    # What a removed talk's cancelled copy shows (None: the talk as it is now).
    snapshot: Snapshot | None = None


@dataclass(frozen=True)
class Changes:
    """The records a feed's rendering adds or changes."""

    new: tuple[tuple[int, Snapshot], ...] = ()  # (entry id, snapshot) of talks carried for the first time
    moved: tuple[tuple[Recorded, bool], ...] = ()  # (record, carried now) for talks that left or came back
    shown: tuple[tuple[int, Snapshot], ...] = ()  # (entry id, snapshot) of carried talks that read otherwise now

    def __bool__(self) -> bool:
        return bool(self.new or self.moved or self.shown)


def reconcile(
    members: Mapping[int, PublishedTalk], recorded: Mapping[int, Recorded], now: datetime
) -> tuple[dict[int, Sent], Changes]:
    """How to send each talk the feed matches now (``members``: proposal id -> talk) or has
    carried (``recorded``: proposal id -> record), and the records to write for that."""
    sent: dict[int, Sent] = {}
    new: list[tuple[int, Snapshot]] = []
    moved: list[tuple[Recorded, bool]] = []
    shown: list[tuple[int, Snapshot]] = []
    for proposal_id, talk in members.items():
        found = recorded.get(proposal_id)
        snapshot = Snapshot.of(talk)
        if found is None:
            sent[proposal_id] = Sent()
            new.append((talk.entry_id, snapshot))
            continue
        if found.in_feed:
            sent[proposal_id] = Sent(found.sequence_offset, False, found.changed_at)
        else:
            sent[proposal_id] = Sent(found.sequence_offset + 1, False, now)
            moved.append((found, True))
        if found.snapshot != snapshot:
            shown.append((found.entry_id, snapshot))
    for proposal_id, found in recorded.items():
        if proposal_id in members:
            continue
        if found.in_feed:
            sent[proposal_id] = Sent(found.sequence_offset + 1, True, now, found.snapshot)
            moved.append((found, False))
        else:
            sent[proposal_id] = Sent(found.sequence_offset, True, found.changed_at, found.snapshot)
    return sent, Changes(tuple(new), tuple(moved), tuple(shown))


def as_sent(talk: PublishedTalk, sent: Sent | None) -> PublishedTalk:
    """``talk`` as a feed sends it: its SEQUENCE raised by the feed's offset; cancelled if it
    left, at the time and place the feed last showed it."""
    if sent is None or (sent.sequence_offset == 0 and not sent.removed):
        return talk
    last_modified = talk.last_modified
    if sent.changed_at is not None and sent.changed_at > last_modified:
        last_modified = sent.changed_at
    if sent.removed and sent.snapshot is not None:
        talk = sent.snapshot.shown_on(talk)
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
                    "sent": snapshot.as_json(),
                }
                for entry_id, snapshot in changes.new
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
    if changes.shown:
        # Whichever of two renderings writes last, both sent the talk as it reads now.
        session.execute(
            update(table)
            .where(
                table.c.kind == kind,
                table.c.subject_id == subject_id,
                table.c.entry_id == bindparam("entry"),
            )
            .values(sent=bindparam("snapshot", type_=table.c.sent.type)),
            [{"entry": entry_id, "snapshot": snapshot.as_json()} for entry_id, snapshot in changes.shown],
        )


def retire(connection: Connection, kind: str, subject_id: int) -> None:
    """Keep the records of a deleted track's or hub's feed under its removed kind.

    A removed feed of the same id already there (SQLite gave the id to a track deleted since,
    before migration c5d1a0e7f302 stopped it reusing ids) loses the talks both carried: the
    later feed is the one its subscribers read last.
    """
    table = FeedMembership.__table__
    removed = REMOVED_KINDS[kind]
    connection.execute(
        delete(table).where(
            table.c.kind == removed,
            table.c.subject_id == subject_id,
            table.c.entry_id.in_(
                select(table.c.entry_id).where(table.c.kind == kind, table.c.subject_id == subject_id)
            ),
        )
    )
    connection.execute(
        update(table).where(table.c.kind == kind, table.c.subject_id == subject_id).values(kind=removed)
    )


def has_records(conference_id: int, kind: str, subject_id: int) -> bool:
    """Whether the feed has sent a talk of the conference (a removed feed answers only then)."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    FeedMembership.kind == kind,
                    FeedMembership.subject_id == subject_id,
                    CalendarEntry.id == FeedMembership.entry_id,
                    CalendarEntry.conference_id == conference_id,
                )
            )
        )
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
            FeedMembership.sent,
        )
        .join(CalendarEntry, CalendarEntry.id == FeedMembership.entry_id)
        .where(
            FeedMembership.kind == kind,
            FeedMembership.subject_id == subject_id,
            CalendarEntry.conference_id == conference_id,
        )
    )


def as_record(row) -> Recorded:
    return Recorded(
        row.entry_id, bool(row.in_feed), row.sequence_offset, row.changed_at, Snapshot.from_json(row.sent)
    )


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
    members = {talk.proposal_id: talk for talk in schedule.talks}
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
    # Sorted as sent: a cancelled copy keeps the time the feed showed.
    talks = [as_sent(talk, sent.get(talk.proposal_id)) for talk in talks]
    talks.sort(key=lambda talk: (talk.starts_at, talk.proposal_id))
    return replace(schedule, talks=tuple(talks))
