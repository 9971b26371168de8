"""What the archive's pages read besides the search itself: filter choices, topics, people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload

from conference.accounts.models import User
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.archive.search import is_public, topics_of
from conference.conferences.models import Conference
from conference.extensions import db
from conference.interest.operations import PUBLIC_STATES
from conference.materials.models import MaterialKind, TalkMaterial
from conference.materials.queries import recording_withheld
from conference.proposals.models import InvitationState, Proposal, ProposalSpeaker


@dataclass(frozen=True)
class FilterChoices:
    """The values the archive holds, for the search form's lists."""

    topics: list[TopicTag]
    tracks: list[str]
    years: list[int]
    hubs: list[str]


def all_topics() -> list[TopicTag]:
    return list(db.session.scalars(select(TopicTag).order_by(TopicTag.name)))


def filter_choices() -> FilterChoices:
    # Straight from the indexed columns: a talk declined since the last rebuild may leave a
    # choice that finds nothing, which is cheaper than checking every proposal per page view.
    def values(column, *order):
        return list(db.session.scalars(select(column).distinct().order_by(*order)))

    return FilterChoices(
        topics=all_topics(),
        tracks=[name for name in values(ArchiveEntry.track_name, ArchiveEntry.track_name) if name],
        years=values(ArchiveEntry.year, ArchiveEntry.year.desc()),
        hubs=[name for name in values(ArchiveEntry.hub_name, ArchiveEntry.hub_name) if name],
    )


def find_topic_by_slug(slug: str) -> TopicTag | None:
    return db.session.scalar(select(TopicTag).where(TopicTag.slug == slug))


def topics_with_counts() -> list[tuple[TopicTag, int]]:
    """Every topic with how many archived talks carry it, most talked-about first."""
    counts = (
        select(ProposalTopic.tag_id, func.count().label("talks"))
        .join(ArchiveEntry, ArchiveEntry.proposal_id == ProposalTopic.proposal_id)
        .where(is_public())
        .group_by(ProposalTopic.tag_id)
        .subquery()
    )
    rows = db.session.execute(
        select(TopicTag, func.coalesce(counts.c.talks, 0))
        .outerjoin(counts, counts.c.tag_id == TopicTag.id)
        .order_by(func.coalesce(counts.c.talks, 0).desc(), TopicTag.name)
    )
    return [(tag, talks) for tag, talks in rows]


def _topic_entries(tag: TopicTag):
    return (
        select(ArchiveEntry)
        .join(ProposalTopic, ProposalTopic.proposal_id == ArchiveEntry.proposal_id)
        .where(ProposalTopic.tag_id == tag.id, is_public())
    )


def topic_talks_by_year(tag: TopicTag) -> dict[int, list[ArchiveEntry]]:
    """The archived talks on ``tag``, newest year first, in the order they were given."""
    entries = db.session.scalars(
        _topic_entries(tag)
        .options(selectinload(ArchiveEntry.conference))
        .order_by(ArchiveEntry.year.desc(), ArchiveEntry.starts_at, ArchiveEntry.proposal_id)
    )
    grouped: dict[int, list[ArchiveEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.year].append(entry)
    return dict(grouped)


@dataclass(frozen=True)
class TopicPerson:
    user: User
    talks: int
    latest_year: int


def topic_people(tag: TopicTag) -> list[TopicPerson]:
    """Who spoke on ``tag`` and how often: the people to ask about it."""
    talks = func.count(distinct(ArchiveEntry.proposal_id))
    latest = func.max(ArchiveEntry.year)
    rows = db.session.execute(
        select(User, talks, latest)
        .join(ProposalSpeaker, ProposalSpeaker.user_id == User.id)
        .join(ArchiveEntry, ArchiveEntry.proposal_id == ProposalSpeaker.proposal_id)
        .join(ProposalTopic, ProposalTopic.proposal_id == ArchiveEntry.proposal_id)
        .where(
            ProposalTopic.tag_id == tag.id,
            ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            is_public(),
        )
        .group_by(User.id)
        .order_by(talks.desc(), latest.desc(), User.display_name)
    )
    return [TopicPerson(user, count, year) for user, count, year in rows]


def recordings_of(proposal_ids: list[int]) -> dict[int, list[TalkMaterial]]:
    """The recording links of these talks, less those a speaker did not agree to publish."""
    found: dict[int, list[TalkMaterial]] = defaultdict(list)
    if not proposal_ids:
        return found
    rows = db.session.scalars(
        select(TalkMaterial)
        .join(Proposal, Proposal.id == TalkMaterial.proposal_id)
        .where(
            TalkMaterial.proposal_id.in_(proposal_ids),
            TalkMaterial.kind == MaterialKind.RECORDING,
            ~recording_withheld(Proposal.id, Proposal.conference_id),
        )
        .order_by(TalkMaterial.created_at, TalkMaterial.id)
    )
    for material in rows:
        if (material.url or "").startswith(("https://", "http://")):
            found[material.proposal_id].append(material)
    return found


def topics_of_talk(proposal_id: int) -> list[TopicTag]:
    return topics_of([proposal_id])[proposal_id]


def person(user_id: int) -> User | None:
    """The user whose talks the archive is filtered by, if they speak on a public archive entry
    (anyone else's name is not the archive's to show)."""
    speaks = (
        select(ArchiveEntry.proposal_id)
        .join(ProposalSpeaker, ProposalSpeaker.proposal_id == ArchiveEntry.proposal_id)
        .where(
            ProposalSpeaker.user_id == user_id,
            ProposalSpeaker.invitation_state == InvitationState.ACCEPTED,
            is_public(),
        )
        .exists()
    )
    return db.session.scalar(select(User).where(User.id == user_id, speaks))


# --- the organisers' tagging page ----------------------------------------------------------


def taggable_talks(conference: Conference) -> list[Proposal]:
    """The conference's accepted and confirmed talks, by title: the ones organisers tag."""
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.conference_id == conference.id, Proposal.state.in_(PUBLIC_STATES))
            .options(selectinload(Proposal.track))
            .order_by(func.lower(Proposal.title), Proposal.id)
        )
    )


def find_taggable_talk(conference: Conference, proposal_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal).where(
            Proposal.id == proposal_id,
            Proposal.conference_id == conference.id,
            Proposal.state.in_(PUBLIC_STATES),
        )
    )
