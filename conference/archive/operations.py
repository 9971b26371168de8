"""Keep the archive in step with published schedules, and tag talks with topics.

Operations flush; the request (or the CLI command) commits. The archive holds one
`ArchiveEntry` per talk of each conference's latest published schedule version, built with a
handful of set-based reads and bulk writes so a rebuild of 10 000 talks stays quick.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from conference.accounts.models import User
from conference.agenda import cache as agenda_cache
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.conferences.models import Conference, Hub, Room, Track
from conference.core.types import utcnow
from conference.extensions import db
from conference.interest.operations import PUBLIC_STATES
from conference.materials.models import MaterialKind, TalkMaterial
from conference.materials.queries import recording_withheld
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker
from conference.schedule.models import ScheduledTalk
from conference.schedule.versions import latest_published_version_ids

ONLINE_HUB_NAME = "Online"
# Proposal ids per statement: well under every database's bound-parameter limit.
CHUNK_SIZE = 500
# The columns a refresh writes; `updated_at` changes only when one of them did.
ENTRY_FIELDS = (
    "conference_id",
    "year",
    "title",
    "abstract_text",
    "speaker_names",
    "tag_names",
    "track_name",
    "hub_name",
    "starts_at",
    "has_recording",
)


class TopicExists(ValueError):
    """A topic with this name or slug exists already (topics are shared by every conference)."""

    def __init__(self, tag: TopicTag):
        super().__init__(f"The topic “{tag.name}” exists already.")
        self.tag = tag


# --- rebuilding entries ---------------------------------------------------------------------


def _published_talk_rows(session: Session, scope: ColumnElement[bool]) -> list[Any]:
    """Talks in ``scope`` placed in their conference's newest published version, and public."""
    return list(
        session.execute(
            select(
                Proposal.id,
                Proposal.conference_id,
                Proposal.title,
                Proposal.abstract_text,
                Conference.starts_on,
                Track.name.label("track_name"),
                Room.hub_id,
                Hub.name.label("hub_name"),
                ScheduledTalk.starts_at,
            )
            .join(Conference, Conference.id == Proposal.conference_id)
            .join(ScheduledTalk, ScheduledTalk.proposal_id == Proposal.id)
            .join(Room, Room.id == ScheduledTalk.room_id)
            .outerjoin(Hub, Hub.id == Room.hub_id)
            .outerjoin(Track, Track.id == Proposal.track_id)
            .where(
                scope,
                Proposal.state.in_(PUBLIC_STATES),
                ScheduledTalk.version_id.in_(latest_published_version_ids()),
            )
        )
    )


def _speaker_names(session: Session, scope: ColumnElement[bool]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ProposalSpeaker.proposal_id, User.display_name)
        .join(User, User.id == ProposalSpeaker.user_id)
        .join(Proposal, Proposal.id == ProposalSpeaker.proposal_id)
        .where(scope, ProposalSpeaker.invitation_state == InvitationState.ACCEPTED)
        .order_by(ProposalSpeaker.proposal_id, ProposalSpeaker.id)
    )
    for proposal_id, name in rows:
        names[proposal_id].append(name)
    return {proposal_id: ", ".join(found) for proposal_id, found in names.items()}


def _tag_names(session: Session, scope: ColumnElement[bool]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ProposalTopic.proposal_id, TopicTag.name)
        .join(TopicTag, TopicTag.id == ProposalTopic.tag_id)
        .join(Proposal, Proposal.id == ProposalTopic.proposal_id)
        .where(scope)
        .order_by(ProposalTopic.proposal_id, TopicTag.name)
    )
    for proposal_id, name in rows:
        names[proposal_id].append(name)
    return {proposal_id: ", ".join(found) for proposal_id, found in names.items()}


def _recorded_ids(session: Session, scope: ColumnElement[bool]) -> set[int]:
    return set(
        session.scalars(
            select(TalkMaterial.proposal_id)
            .join(Proposal, Proposal.id == TalkMaterial.proposal_id)
            .where(
                scope,
                TalkMaterial.kind == MaterialKind.RECORDING,
                ~recording_withheld(Proposal.id, Proposal.conference_id),
            )
            .distinct()
        )
    )


def _wanted_entries(session: Session, scope: ColumnElement[bool]) -> dict[int, dict[str, Any]]:
    """The archive entries ``scope`` should have, keyed by proposal id."""
    talks = _published_talk_rows(session, scope)
    if not talks:
        return {}
    speakers = _speaker_names(session, scope)
    tags = _tag_names(session, scope)
    recorded = _recorded_ids(session, scope)
    return {
        talk.id: {
            "proposal_id": talk.id,
            "conference_id": talk.conference_id,
            "year": talk.starts_on.year,
            "title": talk.title,
            "abstract_text": talk.abstract_text or "",
            "speaker_names": speakers.get(talk.id, ""),
            "tag_names": tags.get(talk.id, ""),
            "track_name": talk.track_name or "",
            "hub_name": talk.hub_name if talk.hub_id is not None else ONLINE_HUB_NAME,
            "starts_at": talk.starts_at,
            "has_recording": talk.id in recorded,
        }
        for talk in talks
    }


def _existing_entries(
    session: Session, entry_scope: ColumnElement[bool]
) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(
            ArchiveEntry.proposal_id, *(getattr(ArchiveEntry, name) for name in ENTRY_FIELDS)
        ).where(entry_scope)
    )
    return {row.proposal_id: row._asdict() for row in rows}


def _sync(session: Session, scope: ColumnElement[bool], entry_scope: ColumnElement[bool]) -> None:
    """Insert, update and delete entries so ``entry_scope`` holds exactly what ``scope`` should."""
    wanted = _wanted_entries(session, scope)
    existing = _existing_entries(session, entry_scope)
    new = [values for proposal_id, values in wanted.items() if proposal_id not in existing]
    changed = [
        values
        for proposal_id, values in wanted.items()
        if proposal_id in existing
        and any(existing[proposal_id][name] != values[name] for name in ENTRY_FIELDS)
    ]
    gone = [proposal_id for proposal_id in existing if proposal_id not in wanted]
    # Core statements, not ORM bulk helpers: one executemany per statement.
    table = ArchiveEntry.__table__
    if new:
        session.execute(insert(table), [{**values, "updated_at": utcnow()} for values in new])
    if changed:
        session.execute(
            # Keys named like columns become the SET clause; the row is found by ``entry_id``.
            update(table).where(table.c.proposal_id == bindparam("entry_id")),
            [
                {
                    "entry_id": values["proposal_id"],
                    "updated_at": utcnow(),
                    **{name: values[name] for name in ENTRY_FIELDS},
                }
                for values in changed
            ],
        )
    for chunk in _chunks(gone):
        session.execute(delete(table).where(table.c.proposal_id.in_(chunk)))
    if new or changed or gone:
        # Core writes: tell the page cache, which keeps anonymous archive searches.
        agenda_cache.note_change(session)
    # Entries loaded earlier in this session would otherwise keep their old values.
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, ArchiveEntry):
            session.expire(loaded)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        yield ids[start : start + CHUNK_SIZE]


def refresh_archive_entries(proposal_ids: list[int]) -> None:
    """Rebuild the archive entries of these proposals (after their tags, recordings or talk changed)."""
    db.session.flush()
    sync_archive_entries(db.session(), proposal_ids)


def sync_archive_entries(session: Session, proposal_ids: Iterable[int]) -> None:
    """Rebuild these proposals' archive entries in ``session`` without flushing it first.

    For flush events (`conference.archive.renames`); elsewhere use `refresh_archive_entries`.
    """
    for chunk in _chunks(sorted(set(proposal_ids))):
        _sync(session, Proposal.id.in_(chunk), ArchiveEntry.proposal_id.in_(chunk))


def refresh_conference_archive(conference: Conference) -> None:
    """Rebuild every archive entry of ``conference`` from its latest published schedule."""
    db.session.flush()
    _sync(
        db.session(),
        Proposal.conference_id == conference.id,
        ArchiveEntry.conference_id == conference.id,
    )


def rebuild_archive() -> int:
    """Rebuild the whole archive (every conference); returns how many entries it now holds."""
    db.session.flush()
    for conference_id in db.session.scalars(select(Conference.id).order_by(Conference.id)):
        _sync(
            db.session(),
            Proposal.conference_id == conference_id,
            ArchiveEntry.conference_id == conference_id,
        )
    return db.session.scalar(select(func.count()).select_from(ArchiveEntry)) or 0


# --- topic tags -----------------------------------------------------------------------------


def slug_for(name: str) -> str:
    """``"Observability & SRE"`` -> ``"observability-sre"``; names without Latin letters keep theirs."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if not slug:
        slug = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
    return slug[:64].strip("-")


def find_topic(name_or_slug: str) -> TopicTag | None:
    """The topic called ``name_or_slug`` (any case) or with that slug."""
    name = name_or_slug.strip()
    return db.session.scalar(
        select(TopicTag).where(
            (func.lower(TopicTag.name) == name.lower()) | (TopicTag.slug == slug_for(name))
        )
    )


def create_topic(name: str, description: str = "") -> TopicTag:
    """A new site-wide topic; raises TopicExists when the name or its slug is taken."""
    name = " ".join(name.split())
    existing = find_topic(name)
    if existing is not None:
        raise TopicExists(existing)
    slug = slug_for(name)
    if not slug:
        raise ValueError("A topic name needs at least one letter or digit.")
    tag = TopicTag(name=name, slug=slug, description=description.strip())
    db.session.add(tag)
    db.session.flush()
    return tag


def attach_topic(proposal: Proposal, tag: TopicTag) -> bool:
    """Tag ``proposal`` with ``tag``; False when it already was. Refreshes its archive entry."""
    exists = db.session.scalar(
        select(ProposalTopic.id).where(
            ProposalTopic.proposal_id == proposal.id, ProposalTopic.tag_id == tag.id
        )
    )
    if exists is not None:
        return False
    db.session.add(ProposalTopic(proposal_id=proposal.id, tag_id=tag.id))
    db.session.flush()
    refresh_archive_entries([proposal.id])
    return True


def detach_topic(proposal: Proposal, tag: TopicTag) -> bool:
    """Remove ``tag`` from ``proposal``; False when it was not there. Refreshes its archive entry."""
    result = db.session.execute(
        delete(ProposalTopic).where(
            ProposalTopic.proposal_id == proposal.id, ProposalTopic.tag_id == tag.id
        )
    )
    if not result.rowcount:
        return False
    refresh_archive_entries([proposal.id])
    return True
