"""Personal feeds assembled from event bytes rendered once per published version.

Every attendee's starred set is different, so a personal feed can hardly ever be served from
a cache of whole feeds (10 000 attendees, 10 000 feeds). Instead each process renders every
talk's VEVENT once per published version (an :class:`EventLibrary`) and a personal feed is
the calendar's head, the VTIMEZONEs its events use and their VEVENTs, joined: the same bytes
``ical.serialise(ical.build_calendar(...))`` writes for those talks (a test compares them),
for one database query per request and no rendering.

Events are stamped (DTSTAMP) with the version's publication time, not the time a process
rendered them, so every process assembles the same bytes, and the same ETag, for a feed.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from icalendar import vText
from sqlalchemy import bindparam, select

from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds import ical
from conference.feeds.models import FeedToken
from conference.feeds.published import PublishedSchedule, published_schedule
from conference.interest.models import InterestMark

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

    @classmethod
    def build(cls, schedule: PublishedSchedule, conference_id: int, stamp: str) -> EventLibrary:
        # The version's publication time: the same DTSTAMP in every process.
        dtstamp = (schedule.published_at or utcnow()).replace(microsecond=0)
        shared = ical._SharedValues(dtstamp)
        events, position, zone_years = {}, {}, {}
        for index, talk in enumerate(schedule.talks):
            events[talk.proposal_id] = ical.serialise(ical.build_event(talk, dtstamp, shared))
            position[talk.proposal_id] = index
            if (zoned := ical.local_years(talk)) is not None:
                zone_years[talk.proposal_id] = zoned
        return cls(conference_id, stamp, schedule.conference_name, events, position, zone_years)

    def assemble(self, proposal_ids: Iterable[int], name: str, description: str, uid: str) -> bytes:
        """The feed of ``proposal_ids`` (ids not in this version are left out)."""
        chosen = sorted(
            (proposal_id for proposal_id in set(proposal_ids) if proposal_id in self.events),
            key=self.position.__getitem__,
        )
        years: dict[str, set[int]] = {}
        for proposal_id in chosen:
            zoned = self.zone_years.get(proposal_id)
            if zoned is not None:
                years.setdefault(zoned[0], set()).update(zoned[1])
        before_uid, after_uid = _head(name, description)
        parts = [before_uid, ical.fold("UID:" + vText(uid).to_ical().decode()) + b"\r\n", after_uid]
        parts += [
            _timezone(zone_name, tuple(sorted(years[zone_name]))) for zone_name in sorted(years)
        ]
        parts += [self.events[proposal_id] for proposal_id in chosen]
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


# Built once: composing the statement cost a tenth of a personal feed request.
_TOKEN_AND_STARS = (
    select(FeedToken.user_id, FeedToken.token, InterestMark.proposal_id)
    .outerjoin(InterestMark, InterestMark.user_id == FeedToken.user_id)
    .where(
        FeedToken.conference_id == bindparam("conference_id"), FeedToken.token == bindparam("token")
    )
)


def starred_by_token(conference_id: int, secret: str) -> tuple[int, list[int]] | None:
    """(user id, starred talk ids) of the feed token ``secret``; None when no token matches.

    One query: the token and its owner's stars. Stars at other conferences are ignored by
    the caller (they are not in this conference's library).
    """
    if not secret or len(secret) > 64:
        return None
    rows = db.session.execute(
        _TOKEN_AND_STARS, {"conference_id": conference_id, "token": secret}
    ).all()
    if not rows:
        return None
    # The database compared the token already; compare_digest guards a case-folding collation.
    if not secrets.compare_digest(rows[0].token, secret):
        return None
    return rows[0].user_id, [row.proposal_id for row in rows if row.proposal_id is not None]
