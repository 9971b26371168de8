"""Personal feeds assembled from event bytes rendered once per published version.

Every attendee's starred set is different, so a personal feed can hardly ever be served from
a cache of whole feeds (10 000 attendees, 10 000 feeds). Instead each process renders every
talk's VEVENT once per published version (an :class:`EventLibrary`) and a personal feed is
the calendar's head, the VTIMEZONEs its events use and their VEVENTs, joined: the same bytes
``ical.serialise(ical.build_calendar(...))`` writes for those talks (a test compares them),
for one database query per request and no rendering.

Events are stamped (DTSTAMP) with the version's publication time, not the time a process
rendered them, so every process assembles the same bytes, and the same ETag, for a feed.

A talk the attendee unstarred stays in their feed as cancelled, and one starred again comes
back confirmed, each time with a higher SEQUENCE (`conference.feeds.membership`): the same
query reads the feed's records with the stars, and those few events are rendered on request.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from icalendar import vText
from sqlalchemy import and_, bindparam, cast, null, select

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.core.types import UTCDateTime, utcnow
from conference.extensions import db
from conference.feeds import ical
from conference.feeds.membership import STARRED, Recorded, Sent, as_record, as_sent
from conference.feeds.models import FeedMembership, FeedToken
from conference.feeds.published import PublishedSchedule, PublishedTalk, published_schedule
from conference.interest.models import InterestMark
from conference.schedule.models import CalendarEntry

END = b"END:VCALENDAR\r\n"
_lock = threading.Lock()


@dataclass(frozen=True)
class EventLibrary:
    """Every talk of one published version as VEVENT bytes, in feed order."""

    conference_id: int
    stamp: str
    conference_name: str
    events: dict[int, bytes]  # proposal id -> the VEVENT's content lines
    position: dict[int, int]  # proposal id -> place in the feed (start, then id)
    zone_years: dict[int, tuple[str, tuple[int, ...]]]  # talks not in UTC: TZID and local years
    talks: dict[int, PublishedTalk]  # proposal id -> the talk, for events a feed sends otherwise
    dtstamp: datetime

    @classmethod
    def build(cls, schedule: PublishedSchedule, conference_id: int, stamp: str) -> EventLibrary:
        # The version's publication time: the same DTSTAMP in every process.
        dtstamp = (schedule.published_at or utcnow()).replace(microsecond=0)
        shared = ical._SharedValues(dtstamp)
        events, position, zone_years, talks = {}, {}, {}, {}
        for index, talk in enumerate(schedule.talks):
            events[talk.proposal_id] = ical.serialise(ical.build_event(talk, dtstamp, shared))
            position[talk.proposal_id] = index
            talks[talk.proposal_id] = talk
            if (zoned := ical.local_years(talk)) is not None:
                zone_years[talk.proposal_id] = zoned
        return cls(
            conference_id, stamp, schedule.conference_name, events, position, zone_years, talks, dtstamp
        )

    def members(self, proposal_ids: Iterable[int]) -> dict[int, PublishedTalk]:
        """Proposal id -> talk of those of ``proposal_ids`` in this version."""
        return {
            proposal_id: self.talks[proposal_id]
            for proposal_id in proposal_ids
            if proposal_id in self.talks
        }

    def _event(
        self, proposal_id: int, sent: Sent | None
    ) -> tuple[bytes, tuple[str, tuple[int, ...]] | None]:
        """The talk's VEVENT as ``sent`` says, and its TZID and local years (None in UTC)."""
        talk = self.talks[proposal_id]
        as_it_is_sent = as_sent(talk, sent)
        if as_it_is_sent is talk:
            return self.events[proposal_id], self.zone_years.get(proposal_id)
        # Talks that left the feed or came back: a few per feed, rendered on request (a
        # cancelled copy at the time and zone the feed last showed, `membership.Snapshot`).
        event = ical.serialise(ical.build_event(as_it_is_sent, self.dtstamp))
        return event, ical.local_years(as_it_is_sent)

    def assemble(
        self,
        proposal_ids: Iterable[int],
        name: str,
        description: str,
        uid: str,
        sent: Mapping[int, Sent] | None = None,
    ) -> bytes:
        """The feed of ``proposal_ids`` (ids not in this version are left out), each event
        sent as ``sent`` says (a higher SEQUENCE, or cancelled: `conference.feeds.membership`)."""
        sent = sent or {}
        chosen = sorted(
            (proposal_id for proposal_id in set(proposal_ids) if proposal_id in self.events),
            key=self.position.__getitem__,
        )
        events = [self._event(proposal_id, sent.get(proposal_id)) for proposal_id in chosen]
        years: dict[str, set[int]] = {}
        for _, zoned in events:
            if zoned is not None:
                years.setdefault(zoned[0], set()).update(zoned[1])
        before_uid, after_uid = _head(name, description)
        parts = [before_uid, ical.fold("UID:" + vText(uid).to_ical().decode()) + b"\r\n", after_uid]
        parts += [
            _timezone(zone_name, tuple(sorted(years[zone_name]))) for zone_name in sorted(years)
        ]
        parts += [event for event, _ in events]
        parts.append(END)
        return b"".join(parts)


_UID_STAND_IN = "personal-feed-uid"


@functools.lru_cache(maxsize=64)
def _head(name: str, description: str) -> tuple[bytes, bytes]:
    """The calendar's own lines (names, refresh hints) before and after its UID line.

    Rendered once per name: every attendee's feed differs from the next only in its UID.
    """
    empty = PublishedSchedule("", "", "", "UTC", 0, None, None, ())
    calendar = ical.serialise(
        ical.build_calendar(empty, name, description, utcnow(), _UID_STAND_IN)
    )
    before, after = calendar.split(f"UID:{_UID_STAND_IN}\r\n".encode())
    return before, after[: -len(END)]


@functools.lru_cache(maxsize=256)
def _timezone(zone_name: str, years: tuple[int, ...]) -> bytes:
    return ical.serialise(ical.build_timezone(zone_name, years))


def event_library(conference_id: int, stamp: str) -> EventLibrary:
    """This process's library for the conference's version ``stamp``, rendered on first use.

    Threads asking for a version being rendered wait for it rather than render it again; a
    library of an older version is replaced.
    """
    libraries: dict[int, EventLibrary] = current_app.extensions.setdefault(
        "feeds_event_libraries", {}
    )
    found = libraries.get(conference_id)
    if found is not None and found.stamp == stamp:
        return found
    with _lock:
        found = libraries.get(conference_id)
        if found is not None and found.stamp == stamp:
            return found
        conference = db.session.get(Conference, conference_id)
        found = EventLibrary.build(published_schedule(conference), conference_id, stamp)
        libraries[conference_id] = found
        return found


_THIS_TOKEN = and_(
    FeedToken.conference_id == bindparam("conference_id"), FeedToken.token == bindparam("token")
)
# Built once: composing the statement cost a tenth of a personal feed request. The feed's
# records first (their columns type the union's), then the token with its owner's stars; each
# row says whether the owner's account is active.
_TOKEN_STARS_AND_RECORDS = (
    select(
        FeedToken.user_id,
        FeedToken.token,
        User.is_active_account,
        CalendarEntry.proposal_id,
        FeedMembership.entry_id,
        FeedMembership.in_feed,
        FeedMembership.sequence_offset,
        FeedMembership.changed_at,
        FeedMembership.sent,
    )
    .join(User, User.id == FeedToken.user_id)
    .join(
        FeedMembership,
        and_(FeedMembership.kind == STARRED, FeedMembership.subject_id == FeedToken.user_id),
    )
    .join(
        CalendarEntry,
        and_(
            CalendarEntry.id == FeedMembership.entry_id,
            CalendarEntry.conference_id == FeedToken.conference_id,
        ),
    )
    .where(_THIS_TOKEN)
    .union_all(
        select(
            FeedToken.user_id,
            FeedToken.token,
            User.is_active_account,
            InterestMark.proposal_id,
            cast(null(), FeedMembership.entry_id.type),
            cast(null(), FeedMembership.in_feed.type),
            cast(null(), FeedMembership.sequence_offset.type),
            cast(null(), UTCDateTime()),
            cast(null(), FeedMembership.sent.type),
        )
        .join(User, User.id == FeedToken.user_id)
        .outerjoin(InterestMark, InterestMark.user_id == FeedToken.user_id)
        .where(_THIS_TOKEN)
    )
)


@dataclass(frozen=True)
class StarredFeed:
    """A personal feed's owner, their stars, and what their feed has carried (by proposal id)."""

    user_id: int
    starred: list[int]
    recorded: dict[int, Recorded]
    # False once the owner's account is deactivated: the feed then cancels all it carried.
    owner_active: bool = True


def starred_by_token(conference_id: int, secret: str) -> StarredFeed | None:
    """The owner, stars and records of the feed token ``secret``; None when no token matches.

    One query: the token, its owner's stars and the feed's records. Stars at other conferences
    are ignored by the caller (they are not in this conference's library).
    """
    if not secret or len(secret) > 64:
        return None
    rows = db.session.execute(
        _TOKEN_STARS_AND_RECORDS, {"conference_id": conference_id, "token": secret}
    ).all()
    if not rows:
        return None
    # The database compared the token already; compare_digest guards a case-folding collation.
    if not secrets.compare_digest(rows[0].token, secret):
        return None
    return StarredFeed(
        rows[0].user_id,
        [row.proposal_id for row in rows if row.entry_id is None and row.proposal_id is not None],
        {row.proposal_id: as_record(row) for row in rows if row.entry_id is not None},
        bool(rows[0].is_active_account),
    )
