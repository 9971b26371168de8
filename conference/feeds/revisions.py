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
"""

from __future__ import annotations

from sqlalchemy import event, exists, inspect, select, update
from sqlalchemy.orm import Session

from conference.accounts.models import User
from conference.conferences.models import Conference, Hub, Room, SessionFormat, Track
from conference.core.types import utcnow
from conference.feeds.operations import (
    cancel_left_talks,
    forget_rendered_feeds,
    restore_returned_talks,
)
from conference.interest.operations import PUBLIC_STATES
from conference.proposals.models import Proposal, ProposalSpeaker
from conference.schedule.models import CalendarEntry, ScheduleSettings

# Columns whose change alters a feed, per class; None: any change (or the row coming or going).
FEED_COLUMNS: dict[type, frozenset[str] | None] = {
    Conference: frozenset({"name", "description", "time_zone", "slug", "starts_on", "ends_on"}),
    Hub: None,
    Room: None,
    Track: None,
    SessionFormat: None,
    Proposal: frozenset({"title", "abstract", "abstract_text", "track_id", "session_format_id", "state"}),
    ScheduleSettings: frozenset({"slot_minutes"}),
    ProposalSpeaker: None,
    User: frozenset({"display_name"}),
}


def _changed(instance, columns: frozenset[str] | None) -> bool:
    state = inspect(instance)
    names = columns if columns is not None else [attr.key for attr in state.mapper.column_attrs]
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
