"""Edits of what archive entries copy reach the archive in the same transaction.

An `ArchiveEntry` copies the names it lists and searches: the talk's title and abstract, its
speakers' display names, its track's, hub's and topics' names, its conference's year. A flush
that renames one of those (or edits the talk, its speakers, its room's hub) refreshes the
entries of the archived talks concerned right after it, as a rebuild would, so listing,
filters and search (FTS5's triggers, PostgreSQL's generated vector) show the new name at once,
and a rollback undoes both. Core statements bypass the ORM and this hook: `rebuild_archive`
catches those up.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, and_, event, inspect, or_, select
from sqlalchemy.orm import Session

from conference.accounts.models import User
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.archive.operations import sync_archive_entries
from conference.conferences.models import Conference, Hub, Room, Track
from conference.proposals.models import Proposal, ProposalSpeaker, SpeakerProfile
from conference.schedule.models import ScheduledTalk

# Per class, the attributes whose change alters archive entries (a foreign key and its
# relationship both: setting ``room.hub`` fills ``hub_id`` only during the flush). A deleted
# row always does; a new row only for speakers and speaker profiles (a new track, hub or user
# has no talk yet; a new profile's consent may publish recordings of talks its speaker already
# has, and a deleted one withholds them).
COPIED_ATTRIBUTES: dict[type, frozenset[str]] = {
    Proposal: frozenset({"title", "abstract_text", "track_id", "track"}),
    ProposalSpeaker: frozenset({"proposal_id", "proposal", "user_id", "user", "invitation_state"}),
    User: frozenset({"display_name"}),
    Track: frozenset({"name"}),
    Hub: frozenset({"name"}),
    Room: frozenset({"hub_id", "hub"}),
    TopicTag: frozenset({"name"}),
    Conference: frozenset({"starts_on"}),
    # Not a copied name: a speaker's consent (yes, no or not answered) decides whether the talk
    # is listed as recorded (`conference.materials.queries.recording_withheld`).
    SpeakerProfile: frozenset({"recording_consent"}),
}
PENDING_KEY = "archive_entries_to_refresh"


def _changed(instance, attributes: frozenset[str]) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _edited(session: Session) -> list[object]:
    """The pending rows of this flush whose change alters archive entries."""
    edited: list[object] = [
        instance for instance in session.new if isinstance(instance, ProposalSpeaker | SpeakerProfile)
    ]
    edited += [instance for instance in session.deleted if type(instance) in COPIED_ATTRIBUTES]
    edited += [
        instance
        for instance in session.dirty
        if type(instance) in COPIED_ATTRIBUTES
        and _changed(instance, COPIED_ATTRIBUTES[type(instance)])
    ]
    return edited


def _stale_talks(session: Session) -> list[ColumnElement[bool]]:
    """Conditions on `ArchiveEntry` for the talks this flush's edited rows name or appear in."""
    ids: dict[type, set[int]] = defaultdict(set)
    conditions: list[ColumnElement[bool]] = []
    for instance in _edited(session):
        if isinstance(instance, ProposalSpeaker):
            proposal_id = instance.proposal_id
            if proposal_id is None and instance.proposal is not None:
                proposal_id = instance.proposal.id  # a new speaker added to its proposal object
            # A speaker moved to another talk changes the one it left too.
            attributes = inspect(instance).attrs
            left = [
                *attributes.proposal_id.history.deleted,
                *(proposal.id for proposal in attributes.proposal.history.deleted if proposal),
            ]
            ids[Proposal].update(found for found in (proposal_id, *left) if found is not None)
        elif isinstance(instance, SpeakerProfile):
            # The speaker's talks at that conference (a new profile may name both by object).
            user_id = instance.user_id if instance.user_id is not None else getattr(instance.user, "id", None)
            conference_id = (
                instance.conference_id if instance.conference_id is not None
                else getattr(instance.conference, "id", None)
            )
            conditions.append(
                ArchiveEntry.proposal_id.in_(
                    select(ProposalSpeaker.proposal_id)
                    .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
                    .where(ProposalSpeaker.user_id == user_id, Proposal.conference_id == conference_id)
                )
            )
        elif instance.id is not None:
            ids[type(instance)].add(instance.id)
        if isinstance(instance, Track) and instance in session.deleted:
            # `delete_track` detaches its proposals before the flush: its talks go by the name.
            conditions.append(
                and_(
                    ArchiveEntry.conference_id == instance.conference_id,
                    ArchiveEntry.track_name == instance.name,
                )
            )
    talk = ArchiveEntry.proposal_id
    if ids[Proposal]:
        conditions.append(talk.in_(ids[Proposal]))
    if ids[User]:
        speakers = select(ProposalSpeaker.proposal_id).where(ProposalSpeaker.user_id.in_(ids[User]))
        conditions.append(talk.in_(speakers))
    if ids[Track]:
        conditions.append(talk.in_(select(Proposal.id).where(Proposal.track_id.in_(ids[Track]))))
    if ids[Hub] or ids[Room]:
        placed = (
            select(ScheduledTalk.proposal_id)
            .join(Room, Room.id == ScheduledTalk.room_id)
            .where(or_(Room.hub_id.in_(ids[Hub]), Room.id.in_(ids[Room])))
        )
        conditions.append(talk.in_(placed))
    if ids[TopicTag]:
        tagged = select(ProposalTopic.proposal_id).where(ProposalTopic.tag_id.in_(ids[TopicTag]))
        conditions.append(talk.in_(tagged))
    if ids[Conference]:
        conditions.append(ArchiveEntry.conference_id.in_(ids[Conference]))
    return conditions


@event.listens_for(Session, "before_flush")
def _note_stale_entries(session: Session, flush_context, instances) -> None:
    # Looked up before the flush: a deleted track's talks lose their track id in it.
    conditions = _stale_talks(session)
    stale = (
        set(session.scalars(select(ArchiveEntry.proposal_id).where(or_(*conditions))))
        if conditions
        else set()
    )
    if stale:
        session.info[PENDING_KEY] = stale
    else:
        session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_stale_entries(session: Session, flush_context) -> None:
    # The new names are in the database now, in this transaction: a rollback undoes both.
    stale = session.info.pop(PENDING_KEY, None)
    if stale:
        sync_archive_entries(session, stale)


@event.listens_for(Session, "after_soft_rollback")
def _forget_stale_entries(session: Session, previous_transaction) -> None:
    session.info.pop(PENDING_KEY, None)
