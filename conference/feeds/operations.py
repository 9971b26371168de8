"""Calendar identity of published talks and personal feed tokens. Operations flush only."""

from __future__ import annotations

import secrets

from sqlalchemy import ColumnElement, Delete, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.core.types import utcnow
from conference.extensions import db
from conference.feeds.cache import forget_versions
from conference.feeds.links import public_host
from conference.feeds.models import FeedToken, RenderedFeed
from conference.feeds.published import content_digest, published_talks
from conference.schedule.models import CalendarEntry, ScheduledTalk, ScheduleVersion
from conference.schedule.versions import latest_published_version_ids

CONFIRMED = "confirmed"
CANCELLED = "cancelled"


def calendar_uid(conference: Conference, proposal_id: int) -> str:
    """The stable, globally unique UID calendar clients know a talk by."""
    return f"talk-{proposal_id}@{conference.slug}.{public_host()}"


def _fingerprint(room_id: int | None, starts_at, ends_at, status: str, digest: str = "") -> str:
    """Room, start, end, status and a digest of the event's text (`content_digest`)."""
    start = starts_at.isoformat() if starts_at else ""
    end = ends_at.isoformat() if ends_at else ""
    return f"{room_id}|{start}|{end}|{status}|{digest}"


def _digest_of(fingerprint: str) -> str:
    # Fingerprints written before the digest existed have four parts: no digest ("").
    parts = fingerprint.split("|")
    return parts[4] if len(parts) > 4 else ""


def _placement_of(fingerprint: str) -> str:
    return "|".join(fingerprint.split("|")[:4])


def _needs_bump(stored: str, fingerprint: str) -> bool:
    """Whether an entry fingerprinted ``stored`` needs a higher SEQUENCE to say ``fingerprint``.

    A new entry (nothing stored) starts at 0; an entry whose stored fingerprint has no digest
    yet takes one without a bump (its text was sent as it is).
    """
    if not stored or stored == fingerprint:
        return False
    if _placement_of(stored) != _placement_of(fingerprint):
        return True
    return _digest_of(stored) != "" and _digest_of(stored) != _digest_of(fingerprint)


def _touch(entry: CalendarEntry, fingerprint: str, now) -> None:
    # SEQUENCE only ever goes up: clients ignore updates whose SEQUENCE did not rise.
    if entry.fingerprint != fingerprint:
        entry.fingerprint = fingerprint
        entry.sequence = (entry.sequence or 0) + 1
        entry.last_modified = now


def _cancel(entry: CalendarEntry, now) -> None:
    """Removed talks stay in feeds as STATUS:CANCELLED at their last published place."""
    entry.cancelled = True
    _touch(
        entry,
        _fingerprint(entry.room_id, entry.starts_at, entry.ends_at, CANCELLED, _digest_of(entry.fingerprint)),
        now,
    )


def settle_calendar_entries(session: Session, condition: ColumnElement[bool], now) -> None:
    """Raise the SEQUENCE and LAST-MODIFIED of the entries matching ``condition`` whose event
    says something else than it said when last settled: a talk moved, cancelled or back, or a
    title, abstract, speaker's name, track, room, hub or join link changed. Clients ignore an
    event whose SEQUENCE did not rise, so an edited title would otherwise never reach them.

    Core statements in ``session`` without flushing it, so flush events can call it; entries
    loaded in the session are expired.
    """
    stored = {
        row.id: row
        for row in session.execute(
            select(CalendarEntry.id, CalendarEntry.conference_id, CalendarEntry.fingerprint).where(condition)
        )
    }
    if not stored:
        return
    bumped: list[dict] = []
    adopted: list[dict] = []
    for conference_id in sorted({row.conference_id for row in stored.values()}):
        conference = session.get(Conference, conference_id)
        for talk in published_talks(conference, condition, session=session):
            status = CANCELLED if talk.cancelled else CONFIRMED
            fingerprint = _fingerprint(talk.room_id, talk.starts_at, talk.ends_at, status, content_digest(talk))
            before = stored[talk.entry_id].fingerprint
            if fingerprint == before:
                continue
            values = {"entry": talk.entry_id, "new_fingerprint": fingerprint}
            (bumped if _needs_bump(before, fingerprint) else adopted).append(values)
    table = CalendarEntry.__table__
    if bumped:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("entry"))
            .values(sequence=table.c.sequence + 1, fingerprint=bindparam("new_fingerprint"), last_modified=now),
            bumped,
        )
    if adopted:
        session.execute(
            update(table).where(table.c.id == bindparam("entry")).values(fingerprint=bindparam("new_fingerprint")),
            adopted,
        )
    if bumped or adopted:
        for loaded in list(session.identity_map.values()):
            if isinstance(loaded, CalendarEntry):
                session.expire(loaded)


def forget_rendered_feeds(conference_id: int) -> Delete:
    """The statement deleting every stored render of the conference's feeds (a new version or
    revision files them under a new key; the old ones are never served again)."""
    return delete(RenderedFeed).where(RenderedFeed.cache_key.startswith(f"c{conference_id}:"))


def cancel_left_talks(session, proposal_ids: set[int], now) -> None:
    """Cancel the calendar entries of published talks that left the programme since (declined or
    withdrawn): feeds announce them as cancelled at once, as the agenda stops showing them,
    instead of at the next publication. Works inside a flush (``session``, no autoflush)."""
    for entry in session.scalars(
        select(CalendarEntry).where(CalendarEntry.proposal_id.in_(proposal_ids), CalendarEntry.cancelled.is_(False))
    ):
        _cancel(entry, now)


def restore_returned_talks(session, proposal_ids: set[int], now) -> None:
    """Confirm again the cancelled calendar entries of talks back in the programme (a decline
    undone) that the latest published schedule still places: the agenda shows them again at
    once, and feeds say so with a higher SEQUENCE instead of CANCELLED until the next
    publication. Works inside a flush, as ``cancel_left_talks``."""
    placed = {
        talk.proposal_id: talk
        for talk in session.scalars(
            select(ScheduledTalk).where(
                ScheduledTalk.proposal_id.in_(proposal_ids),
                ScheduledTalk.version_id.in_(latest_published_version_ids()),
            )
        )
    }
    if not placed:
        return
    for entry in session.scalars(
        select(CalendarEntry).where(CalendarEntry.proposal_id.in_(placed), CalendarEntry.cancelled.is_(True))
    ):
        talk = placed[entry.proposal_id]
        # No digest: the flush's settle_calendar_entries takes the text at this place without
        # a second bump (the return already raises SEQUENCE).
        _touch(entry, _fingerprint(talk.room_id, talk.starts_at, talk.ends_at, CONFIRMED), now)
        entry.cancelled = False
        entry.room_id = talk.room_id
        entry.starts_at = talk.starts_at
        entry.ends_at = talk.ends_at


def record_published_version(version: ScheduleVersion) -> None:
    """Update every talk's CalendarEntry for a newly published version (flushes, never commits).

    Talks placed elsewhere, or whose event reads differently there (another room's name, its
    hub's zone), get a higher SEQUENCE; removed ones are cancelled.
    """
    conference = version.conference
    now = utcnow()
    talks = db.session.scalars(
        select(ScheduledTalk).where(ScheduledTalk.version_id == version.id)
    ).all()
    entries = {
        entry.proposal_id: entry
        for entry in db.session.scalars(
            select(CalendarEntry).where(CalendarEntry.conference_id == conference.id)
        )
    }
    published_ids = set()
    for talk in talks:
        published_ids.add(talk.proposal_id)
        entry = entries.get(talk.proposal_id)
        if entry is None:
            # Fingerprinted (without a bump) by settle_calendar_entries below.
            entry = CalendarEntry(
                conference_id=conference.id,
                proposal_id=talk.proposal_id,
                uid=calendar_uid(conference, talk.proposal_id),
                sequence=0,
                fingerprint="",
                last_modified=now,
            )
            db.session.add(entry)
        entry.cancelled = False
        entry.room_id = talk.room_id
        entry.starts_at = talk.starts_at
        entry.ends_at = talk.ends_at
    for proposal_id, entry in entries.items():
        if proposal_id in published_ids or entry.cancelled:
            continue
        _cancel(entry, now)
    db.session.execute(forget_rendered_feeds(conference.id))
    db.session.flush()
    placed = select(ScheduledTalk.proposal_id).where(ScheduledTalk.version_id == version.id)
    settle_calendar_entries(
        db.session(),
        (CalendarEntry.conference_id == conference.id) & CalendarEntry.proposal_id.in_(placed),
        now,
    )
    # This process serves the new version from its next request; others within a second.
    forget_versions(conference.id)


def existing_feed_token(user: User, conference: Conference) -> FeedToken | None:
    """The user's personal feed token at ``conference`` if they asked for one (never creates)."""
    return db.session.scalar(
        select(FeedToken).where(
            FeedToken.conference_id == conference.id, FeedToken.user_id == user.id
        )
    )


def feed_token_for(user: User, conference: Conference) -> FeedToken:
    """The user's personal feed token at ``conference``, created on first use (a POST only)."""
    token = existing_feed_token(user, conference)
    if token is not None:
        return token
    try:
        with db.session.begin_nested():
            token = FeedToken(
                conference_id=conference.id, user_id=user.id, token=secrets.token_urlsafe(32)
            )
            db.session.add(token)
    except IntegrityError:
        # A parallel request created it first.
        token = existing_feed_token(user, conference)
        if token is None:
            raise
    return token


def revoke_feed_token(user: User, conference: Conference) -> FeedToken:
    """Replace the user's token so the old personal feed URL stops working (404)."""
    token = feed_token_for(user, conference)
    token.token = secrets.token_urlsafe(32)
    token.created_at = utcnow()
    db.session.flush()
    return token


def find_feed_token(conference: Conference, secret: str) -> FeedToken | None:
    """The token row for ``secret`` at ``conference``, or None (wrong, altered or revoked)."""
    if not secret or len(secret) > 64:
        return None
    found = db.session.scalar(
        select(FeedToken).where(FeedToken.conference_id == conference.id, FeedToken.token == secret)
    )
    if found is None or not secrets.compare_digest(found.token, secret):
        return None
    return found
