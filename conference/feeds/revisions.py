"""A conference's feed revision: part of every feed's cache key, raised by edits feeds show.

Feeds are rendered once per version stamp and kept in every process and in RenderedFeed. A
published version never changes, but what its events say does: a room renamed, a talk's
title edited, a speaker's new display name. Each such change, when the conference has
calendar entries (it has published), raises ``conferences.feed_revision`` in the same
transaction, so every process serves the edited feed once it reads the conference's version
again (within ``FEEDS_VERSION_CHECK_SECONDS``; at once in the editing process, whose agenda
cache forgets the versions after the commit). A published talk that leaves the programme
(declined, withdrawn) is cancelled in the feeds in the same way, with a higher SEQUENCE, and
one coming back (a decline undone) while the published schedule still places it is confirmed
again, with a higher SEQUENCE still.

An edit that changes what a published event says (the talk's title or abstract, its speakers
or their names, its track or the track's name, its room's or hub's name, the hub's zone, the
room's join link) also raises the SEQUENCE of the events concerned, right after the flush and
only if their text really changed (`settle_calendar_entries`): clients ignore an event whose
SEQUENCE did not rise. Renaming a room no published talk uses raises none.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, delete, event, exists, inspect, or_, select, update
from sqlalchemy.orm import Session

from conference.accounts.models import User
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track
from conference.core.types import utcnow
from conference.feeds import membership
from conference.feeds.models import FeedMembership
from conference.feeds.operations import (
    cancel_left_talks,
    forget_rendered_feeds,
    restore_returned_talks,
    settle_calendar_entries,
)
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import Proposal, ProposalSpeaker
from conference.schedule.models import CalendarEntry, ScheduleSettings

# Attributes whose change alters a feed, per class (a foreign key and its relationship both:
# setting ``proposal.track`` fills ``track_id`` only during the flush); None: any change (or
# the row coming or going).
FEED_COLUMNS: dict[type, frozenset[str] | None] = {
    Conference: frozenset({"name", "description", "time_zone", "slug", "starts_on", "ends_on"}),
    Hub: None,
    Room: None,
    Track: None,
    SessionFormat: None,
    Proposal: frozenset(
        {"title", "abstract", "abstract_text", "track_id", "track", "session_format_id", "session_format", "state"}
    ),
    ScheduleSettings: frozenset({"slot_minutes"}),
    ProposalSpeaker: None,
    User: frozenset({"display_name"}),
}


# Attributes whose change alters the text of published events, per class (a foreign key and its
# relationship both: setting ``room.hub`` fills ``hub_id`` only during the flush).
EVENT_ATTRIBUTES: dict[type, frozenset[str]] = {
    Conference: frozenset({"time_zone", "slug"}),
    Hub: frozenset({"name", "time_zone"}),
    Room: frozenset({"name", "hub_id", "hub", "has_streaming"}),
    Track: frozenset({"name"}),
    # The state too: a talk back in the programme takes the text of its published place.
    Proposal: frozenset({"title", "abstract", "abstract_text", "track_id", "track", "state"}),
    ProposalSpeaker: frozenset({"proposal_id", "proposal", "user_id", "user", "invitation_state"}),
    User: frozenset({"display_name"}),
}
SETTLE_KEY = "feeds_entries_to_settle"
CHUNK_SIZE = 500
# The feeds whose records go with a deleted row (a user's: the app never deletes users, and an
# id SQLite gives out again then starts with no records), or move to its removed kind.
FEEDS_OF_DELETED: dict[type, tuple[str, ...]] = {
    Track: (membership.TRACK,),
    Hub: (membership.HUB,),
    User: (membership.SPEAKER, membership.STARRED),
}


def _changed(instance, columns: frozenset[str] | None) -> bool:
    state = inspect(instance)
    names = columns if columns is not None else [attr.key for attr in state.mapper.attrs]
    return any(state.attrs[name].history.has_changes() for name in names)


def _conference_ids(session: Session) -> tuple[set[int], set[int]]:
    """Conferences whose feeds the pending flush changes, and those of them edited themselves."""
    ids: set[int] = set()
    own: set[int] = set()
    proposal_ids: set[int] = set()
    user_ids: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        columns = FEED_COLUMNS.get(type(instance), frozenset())
        if columns == frozenset():
            continue
        if instance not in session.new and instance not in session.deleted and not _changed(instance, columns):
            continue
        if isinstance(instance, Conference):
            if instance.id is not None:
                ids.add(instance.id)
                own.add(instance.id)
        elif isinstance(instance, ProposalSpeaker):
            if instance.proposal_id is not None:
                proposal_ids.add(instance.proposal_id)  # looked up in one query below
            elif instance.proposal is not None and instance.proposal.conference_id is not None:
                ids.add(instance.proposal.conference_id)  # a new row attached to its proposal
        elif isinstance(instance, User):
            if instance.id is not None:
                user_ids.add(instance.id)
        else:
            conference_id = instance.conference_id
            if conference_id is None and instance.conference is not None:
                conference_id = instance.conference.id
            if conference_id is not None:
                ids.add(conference_id)
    if proposal_ids:
        ids.update(session.connection().scalars(select(Proposal.conference_id).where(Proposal.id.in_(proposal_ids))))
    if user_ids:
        ids.update(
            session.connection().scalars(
                select(Proposal.conference_id)
                .join(ProposalSpeaker, ProposalSpeaker.proposal_id == Proposal.id)
                .where(ProposalSpeaker.user_id.in_(user_ids))
                .distinct()
            )
        )
    return ids, own


def _event_edits(session: Session) -> list[ColumnElement[bool]]:
    """Conditions on `CalendarEntry` for the events this flush's edits may change."""
    ids: dict[type, set[int]] = defaultdict(set)
    conditions: list[ColumnElement[bool]] = []
    edited = [instance for instance in session.new if isinstance(instance, ProposalSpeaker)]
    edited += [instance for instance in session.deleted if isinstance(instance, ProposalSpeaker | Track)]
    edited += [
        instance
        for instance in session.dirty
        if type(instance) in EVENT_ATTRIBUTES and _changed(instance, EVENT_ATTRIBUTES[type(instance)])
    ]
    for instance in edited:
        if isinstance(instance, ProposalSpeaker):
            proposal_id = instance.proposal_id
            if proposal_id is None and instance.proposal is not None:
                proposal_id = instance.proposal.id
            # A speaker moved to another talk changes the one it left too.
            attributes = inspect(instance).attrs
            left = [
                *attributes.proposal_id.history.deleted,
                *(proposal.id for proposal in attributes.proposal.history.deleted if proposal),
            ]
            ids[Proposal].update(found for found in (proposal_id, *left) if found is not None)
        elif isinstance(instance, Track) and instance in session.deleted:
            # `delete_track` detached its talks before the flush: settle the whole conference.
            ids[Conference].add(instance.conference_id)
        elif instance.id is not None:
            ids[type(instance)].add(instance.id)
    if ids[Conference]:
        conditions.append(CalendarEntry.conference_id.in_(ids[Conference]))
    if ids[Proposal]:
        conditions.append(CalendarEntry.proposal_id.in_(ids[Proposal]))
    if ids[Track]:
        conditions.append(CalendarEntry.proposal_id.in_(select(Proposal.id).where(Proposal.track_id.in_(ids[Track]))))
    if ids[Room]:
        conditions.append(CalendarEntry.room_id.in_(ids[Room]))
    if ids[Hub]:
        conditions.append(CalendarEntry.room_id.in_(select(Room.id).where(Room.hub_id.in_(ids[Hub]))))
    if ids[User]:
        conditions.append(
            CalendarEntry.proposal_id.in_(
                select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id.in_(ids[User]))
            )
        )
    return conditions


def _forget_memberships_of_deleted(session: Session) -> None:
    """The records of the feeds of deleted users go with them; a deleted track's or hub's are
    kept under its removed kind, so its feed goes on cancelling what it sent (`membership.retire`)."""
    # Only the kinds that have feeds; other deleted rows may have no ``id`` at all.
    feeds = [
        (kind, instance.id)
        for instance in session.deleted
        for kind in FEEDS_OF_DELETED.get(type(instance), ())
        if instance.id is not None
    ]
    for kind, subject_id in feeds:
        if kind in membership.REMOVED_KINDS:
            membership.retire(session.connection(), kind, subject_id)
            continue
        session.connection().execute(
            delete(FeedMembership.__table__).where(
                FeedMembership.kind == kind, FeedMembership.subject_id == subject_id
            )
        )


def _left_programme(session: Session) -> set[int]:
    """Proposals leaving the accepted and confirmed states in this flush."""
    # The old state may not be loaded (expired after a commit): any change to a state outside
    # the programme will do; the entries still confirmed are the ones to cancel.
    return {
        instance.id
        for instance in session.dirty
        if isinstance(instance, Proposal)
        and instance.id is not None
        and instance.state not in PUBLIC_STATES
        and inspect(instance).attrs.state.history.has_changes()
    }


def _back_in_programme(session: Session) -> set[int]:
    """Proposals entering the accepted and confirmed states in this flush (a decline undone, or
    simply a confirmation: only entries cancelled meanwhile are changed)."""
    return {
        instance.id
        for instance in session.dirty
        if isinstance(instance, Proposal)
        and instance.id is not None
        and instance.state in PUBLIC_STATES
        and inspect(instance).attrs.state.history.has_changes()
    }


@event.listens_for(Session, "before_flush")
def _note_edited_events(session: Session, flush_context, instances) -> None:
    # Looked up before the flush: a speaker taken off a talk is gone from the tables after it.
    conditions = _event_edits(session)
    stale = (
        set(session.scalars(select(CalendarEntry.id).where(or_(*conditions)))) if conditions else set()
    )
    if stale:
        session.info.setdefault(SETTLE_KEY, set()).update(stale)
    _forget_memberships_of_deleted(session)


@event.listens_for(Session, "after_flush_postexec")
def _settle_edited_events(session: Session, flush_context) -> None:
    # The new text is in the database now, in this transaction: a rollback undoes both.
    stale = sorted(session.info.pop(SETTLE_KEY, ()))
    now = utcnow()
    for start in range(0, len(stale), CHUNK_SIZE):
        settle_calendar_entries(session, CalendarEntry.id.in_(stale[start : start + CHUNK_SIZE]), now)


@event.listens_for(Session, "after_soft_rollback")
def _forget_edited_events(session: Session, previous_transaction) -> None:
    session.info.pop(SETTLE_KEY, None)


@event.listens_for(Session, "before_flush")
def _raise_feed_revisions(session: Session, flush_context, instances) -> None:
    left = _left_programme(session)
    if left:
        cancel_left_talks(session, left, utcnow())
    returned = _back_in_programme(session)
    if returned:
        restore_returned_talks(session, returned, utcnow())
    ids, own = _conference_ids(session)
    if not ids:
        return
    connection = session.connection()
    # Before publication a feed shows only the conference's own name and description: other
    # edits need not raise the revision (nor lock the conference's row).
    published = set(
        connection.scalars(
            select(Conference.id).where(
                Conference.id.in_(ids), exists().where(CalendarEntry.conference_id == Conference.id)
            )
        )
    ) | own
    if not published:
        return
    connection.execute(
        update(Conference).where(Conference.id.in_(published)).values(feed_revision=Conference.feed_revision + 1)
    )
    for conference_id in sorted(published):
        connection.execute(forget_rendered_feeds(conference_id))
